/* audit_sla.c: the follow-up deadlines of zs-audit sla and the per-county
 * supervision report (plan item 35 及时提醒约谈). */
#include "audit_sla.h"

#include <stdio.h>
#include <string.h>

#include "zs_log.h"
#include "zs_period.h"

/* Whether action does step or a later one: a MEASURE shows the household
 * identified, a RESOLVED leaves nothing to identify or to assist. */
static bool meets(audit_sla_action_t action, audit_sla_step_t step)
{
    return action == AUDIT_SLA_DID_RESOLVED || (int)action >= (int)step;
}

void audit_sla_check(int64_t opened, const audit_sla_followup_t *followups, size_t n,
                     int64_t cleared, int64_t now, const audit_sla_limits_t *limits,
                     audit_sla_due_t out[AUDIT_SLA_STEPS])
{
    for (int s = 0; s < AUDIT_SLA_STEPS; s++) {
        audit_sla_due_t *d = &out[s];
        d->due = false;
        d->end = AUDIT_SLA_STILL_OPEN;
        d->deadline = opened > INT64_MAX - limits->ms[s] ? INT64_MAX : opened + limits->ms[s];
        d->until = now;
        if (now <= d->deadline || cleared <= d->deadline)
            continue;
        /* The first follow-up doing the step, in time or late. */
        int64_t first = AUDIT_SLA_NEVER;
        for (size_t i = 0; i < n; i++)
            if (meets(followups[i].action, (audit_sla_step_t)s) && followups[i].at < first)
                first = followups[i].at;
        if (first <= d->deadline)
            continue;
        d->due = true;
        if (first < d->until) {
            d->until = first;
            d->end = AUDIT_SLA_LATE;
        }
        if (cleared < d->until) {
            d->until = cleared;
            d->end = AUDIT_SLA_CLEARED;
        }
    }
}

int64_t audit_sla_overdue_days(const audit_sla_due_t *due)
{
    return due->due && due->until > due->deadline ? (due->until - due->deadline) / AUDIT_SLA_DAY_MS
                                                  : 0;
}

int64_t audit_sla_days_without(const audit_sla_due_t *due, int64_t opened)
{
    return due->due && due->until > opened ? (due->until - opened) / AUDIT_SLA_DAY_MS : 0;
}

const char *audit_sla_step_name(audit_sla_step_t step)
{
    return step == AUDIT_SLA_ACK ? "ACK" : "MEASURE";
}

zs_err_t audit_sla_detail(audit_sla_step_t step, int64_t opened, int64_t limit_ms,
                          const audit_sla_due_t *due, zs_buf_t *out)
{
    static const char *const ends[] = {"still_missing", "late", "cleared"};
    char o[ZS_TIME_STR_SIZE] = "", dl[ZS_TIME_STR_SIZE] = "", until[ZS_TIME_STR_SIZE] = "";
    zs_time_format(opened, o, sizeof(o));
    zs_time_format(due->deadline, dl, sizeof(dl));
    zs_time_format(due->until, until, sizeof(until));
    return zs_buf_addf(out,
                       "overdue=%s;limit_days=%lld;opened=%s;deadline=%s;days_overdue=%lld;"
                       "days_without=%lld;state=%s;until=%s",
                       audit_sla_step_name(step), (long long)(limit_ms / AUDIT_SLA_DAY_MS), o, dl,
                       (long long)audit_sla_overdue_days(due),
                       (long long)audit_sla_days_without(due, opened), ends[due->end], until);
}

/* The plan's wording of each rule (WarningRule in schemas/AuditRecord.v1.avsc). */
static const struct {
    const char *rule, *zh;
} rule_names[] = {
    {"INCOME_FALL", "收入不增反降"},
    {"SLOW_GROWTH", "增速缓慢"},
    {"LOW_INCOME", "年人均收入低于1万元"},
    {"POVERTY_RISK", "有返贫风险"},
    {"NO_WORK", "有务工需求但没有外出务工"},
    {"SHORT_WORK", "务工时间未达到6个月以上"},
    {"WEAK_LABOR", "无劳动力、仅有弱劳动力或劳动力占比不到四分之一"},
    {"LARGE_EXPENSE", "因病、因灾等导致出现大额支出"},
    {"SUBSIDY_MISSING", "补贴未及时发放"},
    {"SUBSIDY_SHORT", "补贴未足额发放"},
    {"SUBSIDY_DUPLICATE", "补贴重复发放"},
    {"NOT_ENROLLED", "应发未发"},
};

static const char *rule_zh(const char *rule)
{
    for (size_t i = 0; rule != NULL && i < sizeof(rule_names) / sizeof(rule_names[0]); i++)
        if (strcmp(rule_names[i].rule, rule) == 0)
            return rule_names[i].zh;
    return NULL;
}

/* Appends s HTML-escaped (text and attribute values alike). */
static zs_err_t add_escaped(zs_buf_t *out, const char *s)
{
    zs_err_t err = ZS_OK;
    for (const char *p = s ? s : ""; *p != '\0' && err == ZS_OK; p++) {
        switch (*p) {
        case '&':
            err = zs_buf_adds(out, "&amp;");
            break;
        case '<':
            err = zs_buf_adds(out, "&lt;");
            break;
        case '>':
            err = zs_buf_adds(out, "&gt;");
            break;
        case '"':
            err = zs_buf_adds(out, "&quot;");
            break;
        case '\'':
            err = zs_buf_adds(out, "&#39;");
            break;
        default:
            err = zs_buf_addc(out, *p);
        }
    }
    return err;
}

/* One table cell: escaped text. */
static zs_err_t add_cell(zs_buf_t *out, const char *s)
{
    zs_err_t err = zs_buf_adds(out, "<td>");
    if (err == ZS_OK)
        err = add_escaped(out, s);
    return err != ZS_OK ? err : zs_buf_adds(out, "</td>");
}

zs_err_t audit_sla_report_html(const char *county, const char *name, int64_t now,
                               const audit_sla_limits_t *limits, const audit_sla_row_t *rows,
                               size_t n, audit_sla_lang_t lang, zs_buf_t *out)
{
    static const char *const text[2][11] = {
        {"zh-CN", "督办报告", "逾期未跟进的预警", "截至", "核实时限", "落实措施时限", "天", "县",
         "预警编号", "规则", "户编号"},
        {"en", "Supervision report", "Warnings overdue for follow-up", "as of", "ACK limit",
         "MEASURE limit", "days", "County", "Warning", "Rule", "Household"}};
    static const char *const more[2][4] = {
        {"预警时间", "未核实天数", "未落实措施天数", "无逾期预警。"},
        {"Opened", "Days without ACK", "Days without MEASURE", "No overdue warnings."}};
    const char *const *t = text[lang == AUDIT_SLA_EN];
    const char *const *m = more[lang == AUDIT_SLA_EN];
    size_t start = out->len;
    char when[ZS_TIME_STR_SIZE] = "", title[256] = "";
    zs_time_format(now, when, sizeof(when));
    snprintf(title, sizeof(title), "%s %s%s%s", t[1], county, name ? " " : "", name ? name : "");
    zs_err_t err = zs_buf_addf(
        out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
        t[0]);
    if (err == ZS_OK)
        err = add_escaped(out, title);
    if (err == ZS_OK)
        err = zs_buf_adds(out, "</title>\n<style>body{font-family:sans-serif;margin:2em}"
                               "table{border-collapse:collapse}th,td{border:1px solid #999;"
                               "padding:.3em .6em;text-align:left}td.n{text-align:right}"
                               "</style>\n</head>\n<body>\n<h1>");
    if (err == ZS_OK)
        err = add_escaped(out, title);
    if (err == ZS_OK)
        err = zs_buf_addf(out, "</h1>\n<p>%s %s; %s %lld %s, %s %lld %s</p>\n<h2>%s (%zu)</h2>\n",
                          t[3], when, t[4], (long long)(limits->ms[0] / AUDIT_SLA_DAY_MS), t[6],
                          t[5], (long long)(limits->ms[1] / AUDIT_SLA_DAY_MS), t[6], t[2], n);
    if (err == ZS_OK && n == 0)
        err = zs_buf_addf(out, "<p>%s</p>\n", m[3]);
    if (err == ZS_OK && n > 0)
        err = zs_buf_addf(out,
                          "<table>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                          "<th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
                          t[7], t[8], t[9], t[10], m[0], m[1], m[2]);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        const audit_sla_row_t *r = &rows[i];
        char opened[ZS_TIME_STR_SIZE] = "", rule[160] = "";
        const char *zh = lang == AUDIT_SLA_ZH ? rule_zh(r->rule) : NULL;
        zs_time_format(r->opened, opened, sizeof(opened));
        snprintf(rule, sizeof(rule), "%s%s%s%s", zh ? zh : "", zh ? " (" : "",
                 r->rule ? r->rule : "", zh ? ")" : "");
        err = zs_buf_adds(out, "<tr>");
        if (err == ZS_OK)
            err = add_cell(out, r->county);
        if (err == ZS_OK)
            err = add_cell(out, r->warning_id);
        if (err == ZS_OK)
            err = add_cell(out, rule);
        if (err == ZS_OK)
            err = add_cell(out, r->household);
        if (err == ZS_OK)
            err = add_cell(out, opened);
        for (int s = 0; s < AUDIT_SLA_STEPS && err == ZS_OK; s++)
            err = r->days[s] >= 0
                      ? zs_buf_addf(out, "<td class=\"n\">%lld</td>", (long long)r->days[s])
                      : zs_buf_adds(out, "<td class=\"n\"></td>");
        if (err == ZS_OK)
            err = zs_buf_adds(out, "</tr>\n");
    }
    if (err == ZS_OK && n > 0)
        err = zs_buf_adds(out, "</tbody>\n</table>\n");
    if (err == ZS_OK)
        err = zs_buf_adds(out, "</body>\n</html>\n");
    /* Resident ID numbers never leave in clear, whatever a field held. */
    if (err == ZS_OK)
        zs_log_mask_idnumbers(out->data + start, out->len - start);
    return err;
}
