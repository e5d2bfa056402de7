/* notify_evidence.c: a warning's evidence in words of one language, written
 * from its structured fields (rule, period, members, threshold, observed,
 * amount). The monitor's own texts (Evidence.threshold_source and .detail)
 * are English for machines and logs; a county's page in Chinese must not
 * show them, so every page that explains a warning (zs-notify's reports,
 * zs-desk's warning page) says it through these functions instead. Pure. */
#include "notify_report.h"

#include <stdio.h>

/* What each rule compares with (预警依据), by plan item. LARGE_EXPENSE has
 * two: by share of income (BASIS_POINTS) or by amount (FEN). */
static const char *const basis_zh[NOTIFY_RULE__COUNT] = {
    "上年同期近12个月人均纯收入（方案第26、33条）",
    "当年农村居民人均可支配收入增速（方案第33条）",
    "年人均纯收入1万元（方案第26、33条）",
    "当年防止返贫监测线（方案第26条）",
    "本季度务工月数（方案第33条）",
    "全年外出务工6个月（方案第33条）",
    "劳动力占家庭人口四分之一（方案第29条）",
    "大额支出金额标准（方案第32条）",
    "应发金额（方案第17、18条）",
    "应发金额（方案第17、18条）",
    "每个应发月份发放一次（方案第18条）",
    "应发尽发（方案第17条）",
    ""};
static const char *const basis_en[NOTIFY_RULE__COUNT] = {
    "the same figure a year earlier (plan items 26, 33)",
    "the year's growth of rural per-capita disposable income (plan item 33)",
    "10,000 yuan a year per person (plan items 26, 33)",
    "the year's monitoring line against return to poverty (plan item 26)",
    "employed months in the quarter (plan item 33)",
    "6 months of migrant work a year (plan item 33)",
    "labour a quarter of the household's members (plan item 29)",
    "the floor of a large expense (plan item 32)",
    "the amount due (plan items 17, 18)",
    "the amount due (plan items 17, 18)",
    "one payment for each month due (plan item 18)",
    "every entitled member paid (plan item 17)",
    ""};

const char *notify_evidence_basis(notify_rule_t rule, notify_unit_t unit, notify_lang_t lang)
{
    if ((int)rule < 0 || rule >= NOTIFY_RULE__COUNT)
        rule = NOTIFY_RULE_UNKNOWN;
    if (rule == NOTIFY_RULE_LARGE_EXPENSE && unit == NOTIFY_UNIT_BASIS_POINTS)
        return lang == NOTIFY_LANG_EN ? "a share of the household's net income over 12 months "
                                        "(plan item 32)"
                                      : "占近12个月家庭纯收入的比例（方案第32条）";
    return lang == NOTIFY_LANG_EN ? basis_en[rule] : basis_zh[rule];
}

/* The 12 months ending with the record's period, in lang. */
static void window(const notify_warning_t *w, notify_lang_t lang, char *out, size_t size)
{
    int last = w->year * 12 + (w->month - 1), first = last - 11;
    if (lang == NOTIFY_LANG_EN)
        snprintf(out, size, "%04d-%02d to %04d-%02d", first / 12, first % 12 + 1, last / 12,
                 last % 12 + 1);
    else
        snprintf(out, size, "%d年%d月至%d年%d月", first / 12, first % 12 + 1, last / 12,
                 last % 12 + 1);
}

void notify_evidence_note(const notify_warning_t *w, notify_lang_t lang, char *out, size_t size)
{
    bool en = lang == NOTIFY_LANG_EN;
    char a[48], b[48];
    out[0] = '\0';
    switch (w->rule) {
    case NOTIFY_RULE_INCOME_FALL:
    case NOTIFY_RULE_SLOW_GROWTH:
    case NOTIFY_RULE_LOW_INCOME:
    case NOTIFY_RULE_POVERTY_RISK:
        if (!w->has_t12m)
            break;
        window(w, lang, a, sizeof(a));
        if (en)
            snprintf(out, size, "Income of the 12 months %s, divided by %d active members", a,
                     (int)w->members_active);
        else
            snprintf(out, size, "统计期间%s，按家庭人口%d人计算人均", a, (int)w->members_active);
        break;
    case NOTIFY_RULE_WEAK_LABOR:
        if (!w->has_observed || w->members_active <= 0)
            break;
        { /* observed = floor(labour * 10000 / members): labour back by ceiling */
            int64_t labour = (w->observed * w->members_active + 9999) / 10000;
            if (en)
                snprintf(out, size, "%lld in the labour force of %d active members",
                         (long long)labour, (int)w->members_active);
            else
                snprintf(out, size, "劳动力%lld人，家庭人口%d人", (long long)labour,
                         (int)w->members_active);
        }
        break;
    case NOTIFY_RULE_NO_WORK:
        snprintf(out, size, "%s",
                 en ? "Wants work; not one month employed in the quarter"
                    : "有务工需求，本季度没有一个月务工");
        break;
    case NOTIFY_RULE_SHORT_WORK:
        if (!w->has_observed)
            break;
        { /* observed = migrant months so far + months left in the year */
            int left = 12 - w->month;
            long long migrant = (long long)w->observed - left;
            if (en)
                snprintf(out, size, "%lld months of migrant work so far this year, %d months left",
                         migrant, left);
            else
                snprintf(out, size, "今年已外出务工%lld个月，年内还剩%d个月", migrant, left);
        }
        break;
    case NOTIFY_RULE_NOT_ENROLLED:
        if (w->program == NOTIFY_PROGRAM_DISABILITY)
            snprintf(out, size,
                     en ? "Disability grade %lld; no disability subsidy paid in the quarter"
                        : "残疾等级%lld级，本季度未领取残疾人两项补贴",
                     (long long)w->observed);
        else
            snprintf(out, size,
                     en ? "Aged %lld; no residents' pension paid in the quarter"
                        : "%lld周岁，本季度未领取城乡居民养老保险待遇",
                     (long long)w->observed);
        break;
    case NOTIFY_RULE_SUBSIDY_MISSING:
        snprintf(out, size, "%s",
                 en ? "Nothing paid by the end of the following month" : "截至次月底未发放");
        break;
    case NOTIFY_RULE_SUBSIDY_SHORT:
        notify_report_yuan(w->observed, a, sizeof(a));
        notify_report_yuan(w->threshold, b, sizeof(b));
        snprintf(out, size,
                 en ? "%s yuan paid by the end of the following month of %s yuan due"
                    : "截至次月底发放%s元，应发%s元",
                 a, b);
        break;
    case NOTIFY_RULE_SUBSIDY_DUPLICATE:
        snprintf(out, size, en ? "Paid %lld times for the same month" : "同一应发月份发放%lld次",
                 (long long)w->observed);
        break;
    case NOTIFY_RULE_LARGE_EXPENSE:
        if (!w->has_amount)
            break;
        notify_report_yuan(w->amount_fen, a, sizeof(a));
        if (w->threshold_unit == NOTIFY_UNIT_BASIS_POINTS && w->has_observed) {
            notify_report_percent(w->observed, b, sizeof(b));
            snprintf(out, size,
                     en ? "A hardship cost of %s yuan, %s of the household's net income over 12 "
                          "months"
                        : "困难支出%s元，占近12个月家庭纯收入的%s",
                     a, b);
        } else if (w->threshold_unit == NOTIFY_UNIT_BASIS_POINTS) {
            snprintf(out, size,
                     en ? "A hardship cost of %s yuan; no net income over 12 months"
                        : "困难支出%s元，近12个月家庭纯收入为零或负数",
                     a);
        } else {
            snprintf(out, size, en ? "A hardship cost of %s yuan" : "困难支出%s元", a);
        }
        break;
    default:
        break;
    }
}
