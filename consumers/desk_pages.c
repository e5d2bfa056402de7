/* desk_pages.c: zs-desk's pages and its authorization matrix
 * (desk_pages.h). */
#include "desk_pages.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "desk_html.h"
#include "notify_report.h"
#include "zs_audit.h"

/* ---- authorization ---- */

/* Rows: officer, city, province, inspector. Columns: desk_page_t. */
static const bool matrix[4][DESK_PAGE__COUNT] = {
    /*                 inbox  warning household action overview audit  settings */
    [DESK_ROLE_OFFICER] = {true, true, true, true, false, false, true},
    [DESK_ROLE_CITY] = {true, true, true, false, true, false, true},
    [DESK_ROLE_PROVINCE] = {true, true, true, false, true, false, true},
    [DESK_ROLE_INSPECTOR] = {true, true, true, false, true, true, true},
};

bool desk_authz_page(desk_role_t role, desk_page_t page)
{
    if ((unsigned)role >= 4 || (unsigned)page >= DESK_PAGE__COUNT)
        return false;
    return matrix[role][page];
}

bool desk_authz_county(const char *scope, const char *county_code)
{
    if (scope == NULL || county_code == NULL)
        return false;
    size_t n = strlen(scope);
    return n >= 2 && strspn(scope, "0123456789") == n && strlen(county_code) == 6 &&
           strncmp(scope, county_code, n) == 0;
}

/* ---- words ---- */

typedef enum msg {
    M_TITLE,
    M_INBOX,
    M_OVERVIEW,
    M_LOGOUT,
    M_LANG,
    M_LOGIN,
    M_USER,
    M_PASSWORD,
    M_OPEN,
    M_ACK_OVERDUE,
    M_MEASURE_OVERDUE,
    M_AWAIT_ACK,
    M_AWAIT_MEASURE,
    M_MEASURED,
    M_WARNING,
    M_HOUSEHOLD,
    M_RULE,
    M_RISK,
    M_SEVERITY,
    M_STATE,
    M_ACK_DUE,
    M_MEASURE_DUE,
    M_DAYS_LEFT,
    M_OVERDUE_BY,
    M_ANY,
    M_FILTER,
    M_SEARCH,
    M_EVIDENCE,
    M_HISTORY,
    M_ACTIONS,
    M_NOTE,
    M_MEASURE,
    M_T12M,
    M_T12M_PREV,
    M_GROWTH,
    M_MEMBERS,
    M_COMPONENT,
    M_THIS_YEAR,
    M_YEAR_EARLIER,
    M_THRESHOLD,
    M_OBSERVED,
    M_AMOUNT,
    M_DETAIL,
    M_BASIS,
    M_EXPLAIN,
    M_WHEN,
    M_WHAT,
    M_WHO,
    M_SOURCE,
    M_COUNTY,
    M_QUARTER,
    M_WARNINGS,
    M_ACK_SHARE,
    M_MEASURE_SHARE,
    M_KEY,
    M_REST,
    M_CSV,
    M_NONE,
    M_PERIOD,
    M_CLOSED,
    M_NOT_FOUND,
    M_FORBIDDEN,
    M_BAD,
    M_ESCALATED,
    M_DONE,
    M_ACKED,
    M_PAGE,
    M_FIRST,
    M_PREV,
    M_NEXT,
    M_LAST,
    M_TOWNSHIP,
    M_VILLAGE,
    M_HOUSEHOLDS,
    M_PER_1000,
    M_TARGETS,
    M_LOW_INCOME_HH,
    M_BELOW_GROWTH_HH,
    M_PER_1000_KEY,
    M_PER_1000_REST,
    M_ITEM35,
    M_CSV_COUNTY,
    M__COUNT
} msg_t;

static const char *const words[M__COUNT][2] = {
    [M_TITLE] = {"增收监测 预警处置", "Income monitoring: warnings"},
    [M_INBOX] = {"待办预警", "Inbox"},
    [M_OVERVIEW] = {"督查汇总", "Supervision overview"},
    [M_LOGOUT] = {"退出", "Log out"},
    [M_LANG] = {"English", "中文"},
    [M_LOGIN] = {"登录", "Log in"},
    [M_USER] = {"用户名", "User"},
    [M_PASSWORD] = {"密码", "Password"},
    [M_OPEN] = {"未办结预警", "Open warnings"},
    [M_ACK_OVERDUE] = {"超15天未核实", "Not acknowledged in 15 days"},
    [M_MEASURE_OVERDUE] = {"超30天未落实措施", "No measure in 30 days"},
    [M_AWAIT_ACK] = {"待核实", "Awaiting ACK"},
    [M_AWAIT_MEASURE] = {"待落实帮扶措施", "Awaiting measure"},
    [M_MEASURED] = {"已落实帮扶措施", "Measure taken"},
    [M_WARNING] = {"预警", "Warning"},
    [M_HOUSEHOLD] = {"户编号", "Household"},
    [M_RULE] = {"预警规则", "Rule"},
    [M_RISK] = {"风险类型", "Risk type"},
    [M_SEVERITY] = {"预警等级", "Severity"},
    [M_STATE] = {"办理状态", "State"},
    [M_ACK_DUE] = {"核实期限(15天)", "ACK due (15 days)"},
    [M_MEASURE_DUE] = {"措施期限(30天)", "Measure due (30 days)"},
    [M_DAYS_LEFT] = {"剩%lld天", "%lld days left"},
    [M_OVERDUE_BY] = {"已超期%lld天", "overdue by %lld days"},
    [M_ANY] = {"全部", "any"},
    [M_FILTER] = {"筛选", "Filter"},
    [M_SEARCH] = {"按户编号查找", "Search by household id"},
    [M_EVIDENCE] = {"预警依据", "Evidence"},
    [M_HISTORY] = {"办理记录", "History"},
    [M_ACTIONS] = {"处置", "Actions"},
    [M_NOTE] = {"备注", "Note"},
    [M_MEASURE] = {"帮扶措施", "Measure"},
    [M_T12M] = {"近12个月人均纯收入", "Per-capita net income, last 12 months"},
    [M_T12M_PREV] = {"上年同期", "A year earlier"},
    [M_GROWTH] = {"增幅", "Growth"},
    [M_MEMBERS] = {"计算人数", "Members counted"},
    [M_COMPONENT] = {"收入构成", "Income component"},
    [M_THIS_YEAR] = {"本期(元)", "This year (yuan)"},
    [M_YEAR_EARLIER] = {"上年同期(元)", "A year earlier (yuan)"},
    [M_THRESHOLD] = {"阈值", "Threshold"},
    [M_OBSERVED] = {"实际值", "Observed"},
    [M_AMOUNT] = {"金额(元)", "Amount (yuan)"},
    [M_DETAIL] = {"明细", "Detail"},
    [M_BASIS] = {"依据", "Basis"},
    [M_EXPLAIN] = {"说明", "Note"},
    [M_WHEN] = {"时间", "When"},
    [M_WHAT] = {"事项", "What"},
    [M_WHO] = {"经办人", "Who"},
    [M_SOURCE] = {"数据来源", "Source"},
    [M_COUNTY] = {"县(市、区)", "County"},
    [M_QUARTER] = {"季度", "Quarter"},
    [M_WARNINGS] = {"预警数", "Warnings"},
    [M_ACK_SHARE] = {"15天内核实比例", "Acknowledged within 15 days"},
    [M_MEASURE_SHARE] = {"30天内落实措施比例", "Measure within 30 days"},
    [M_KEY] = {"国家乡村振兴重点帮扶县", "National key assistance counties"},
    [M_REST] = {"其他县(市、区)", "Other counties"},
    [M_CSV] = {"下载CSV", "Download CSV"},
    [M_NONE] = {"暂无", "None"},
    [M_PERIOD] = {"预警期间", "Period"},
    [M_CLOSED] = {"已办结", "Closed"},
    [M_NOT_FOUND] = {"未找到", "Not found"},
    [M_FORBIDDEN] = {"无权访问", "Forbidden"},
    [M_BAD] = {"请求无效", "Bad request"},
    [M_ESCALATED] = {"已督办", "Escalated"},
    [M_DONE] = {"已记录", "Recorded"},
    [M_ACKED] = {"已核实", "Acknowledged"},
    [M_PAGE] = {"页", "Page"},
    [M_FIRST] = {"首页", "First"},
    [M_PREV] = {"上一页", "Previous"},
    [M_NEXT] = {"下一页", "Next"},
    [M_LAST] = {"末页", "Last"},
    [M_TOWNSHIP] = {"乡镇", "Township"},
    [M_VILLAGE] = {"村", "Village"},
    [M_HOUSEHOLDS] = {"监测户数", "Households"},
    [M_PER_1000] = {"每千户未办结预警", "Open per 1,000 households"},
    [M_TARGETS] = {"增收目标(每季度末)", "Income targets (at each quarter's close)"},
    [M_LOW_INCOME_HH] = {"年人均纯收入低于1万元户数", "Households under 10,000 yuan per capita"},
    [M_BELOW_GROWTH_HH] = {"收入下降或增速低于全区农村居民人均可支配收入增速户数",
                           "Households whose income fell or grew below the region's rural "
                           "income growth"},
    [M_PER_1000_KEY] = {"每千户(重点帮扶县)", "Per 1,000 households (key counties)"},
    [M_PER_1000_REST] = {"每千户(其他县)", "Per 1,000 households (other counties)"},
    [M_ITEM35] = {"预警处置(第35条)", "Warnings followed up (plan item 35)"},
    [M_CSV_COUNTY] = {"下载CSV(分县)", "Download CSV (per county)"},
};

static const char *W(const desk_view_t *v, msg_t m)
{
    return words[m][v->english ? 1 : 0];
}

static const char *const action_words[DESK_ACTION__COUNT][2] = {
    {"已核实", "Acknowledged (ACK)"},
    {"落实帮扶措施", "Measure taken (MEASURE)"},
    {"已解决", "Resolved (RESOLVED)"}};
static const char *const action_symbols[DESK_ACTION__COUNT] = {"ACK", "MEASURE", "RESOLVED"};
static const char *const measure_words[DESK_MEASURE__COUNT][2] = {
    {"产业帮扶", "Industry support"},
    {"就业帮扶", "Employment support"},
    {"公益岗位", "Public-welfare job"},
    {"兜底保障", "Social safety net"},
    {"医疗救助", "Medical assistance"},
    {"教育帮扶", "Education support"},
    {"其他", "Other"}};
static const char *const measure_symbols[DESK_MEASURE__COUNT] = {
    "INDUSTRY", "EMPLOYMENT", "PUBLIC_WELFARE_JOB", "SAFETY_NET", "MEDICAL", "EDUCATION", "OTHER"};
static const char *const severity_words[3][2] = {{"低", "Low"}, {"中", "Medium"}, {"高", "High"}};
static const char *const status_words[4][2] = {
    {"新发", "Opened"}, {"更新", "Updated"}, {"解除", "Cleared"}, {"未知", "Unknown"}};
static const char *const component_words[5][2] = {{"工资性收入", "Wages"},
                                                  {"经营净收入", "Operating income"},
                                                  {"财产净收入", "Property income"},
                                                  {"转移净收入", "Transfers"},
                                                  {"生产经营费用", "Operating expense"}};

const char *desk_action_name(desk_action_t a, bool english)
{
    return (unsigned)a < DESK_ACTION__COUNT ? action_words[a][english] : "?";
}

const char *desk_measure_name(desk_measure_t m, bool english)
{
    return (unsigned)m < DESK_MEASURE__COUNT ? measure_words[m][english] : "";
}

const char *desk_action_symbol(desk_action_t a)
{
    return (unsigned)a < DESK_ACTION__COUNT ? action_symbols[a] : "?";
}

const char *desk_measure_symbol(desk_measure_t m)
{
    return (unsigned)m < DESK_MEASURE__COUNT ? measure_symbols[m] : "";
}

zs_err_t desk_action_parse(const char *s, desk_action_t *out)
{
    for (int i = 0; s != NULL && i < DESK_ACTION__COUNT; i++)
        if (strcmp(s, action_symbols[i]) == 0) {
            *out = (desk_action_t)i;
            return ZS_OK;
        }
    return ZS_ERR_INVALID;
}

zs_err_t desk_measure_parse(const char *s, desk_measure_t *out)
{
    for (int i = 0; s != NULL && i < DESK_MEASURE__COUNT; i++)
        if (strcmp(s, measure_symbols[i]) == 0) {
            *out = (desk_measure_t)i;
            return ZS_OK;
        }
    return ZS_ERR_INVALID;
}

/* ---- building blocks ---- */

/* The result of a chain of appends: the first error sticks. */
typedef struct page {
    zs_buf_t *out;
    zs_err_t err;
} page_t;

static void raw(page_t *p, const char *s)
{
    if (p->err == ZS_OK)
        p->err = zs_buf_adds(p->out, s);
}

static void text(page_t *p, const char *s)
{
    if (p->err == ZS_OK)
        p->err = desk_html(p->out, s);
}

static void url(page_t *p, const char *s)
{
    if (p->err == ZS_OK)
        p->err = desk_url(p->out, s);
}

static void num(page_t *p, long long n)
{
    if (p->err == ZS_OK)
        p->err = zs_buf_addf(p->out, "%lld", n);
}

static void yuan(page_t *p, int64_t fen)
{
    char s[40];
    notify_report_yuan(fen, s, sizeof(s));
    text(p, s);
}

static void when(page_t *p, int64_t ms)
{
    /* Beijing time, the officials' clock. */
    time_t t = (time_t)(ms / 1000) + 8 * 3600;
    struct tm tm;
    char s[32];
    gmtime_r(&t, &tm);
    strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm);
    text(p, s);
}

static void csrf_field(page_t *p, const desk_view_t *v)
{
    raw(p, "<input type=\"hidden\" name=\"csrf\" value=\"");
    text(p, v->session ? v->session->csrf : "");
    raw(p, "\">");
}

static void begin(page_t *p, const desk_view_t *v, const char *title)
{
    raw(p, "<!DOCTYPE html>\n<html lang=\"");
    raw(p, v->english ? "en" : "zh-CN");
    raw(p, "\"><head><meta charset=\"utf-8\"><title>");
    text(p, title);
    raw(p, " - ");
    text(p, W(v, M_TITLE));
    raw(p, "</title><meta name=\"viewport\" content=\"width=device-width\">"
           "<link rel=\"stylesheet\" href=\"/static/desk.css\"></head><body>\n<header>");
    raw(p, "<strong>");
    text(p, W(v, M_TITLE));
    raw(p, "</strong>");
    if (v->session != NULL) {
        raw(p, " <nav><a href=\"/inbox\">");
        text(p, W(v, M_INBOX));
        raw(p, "</a>");
        if (desk_authz_page(v->session->role, DESK_PAGE_OVERVIEW)) {
            raw(p, " <a href=\"/overview\">");
            text(p, W(v, M_OVERVIEW));
            raw(p, "</a>");
        }
        raw(p, "</nav> <span class=\"who\" id=\"who\">");
        text(p, v->session->login);
        raw(p, " (");
        text(p, desk_role_name(v->session->role));
        raw(p, " ");
        text(p, v->session->scope);
        raw(p, ")</span> <form method=\"post\" action=\"/settings\" class=\"inline\">");
        csrf_field(p, v);
        raw(p, "<input type=\"hidden\" name=\"lang\" value=\"");
        raw(p, v->english ? "zh" : "en");
        raw(p, "\"><button id=\"lang\">");
        text(p, W(v, M_LANG));
        raw(p, "</button></form> <form method=\"post\" action=\"/logout\" class=\"inline\">");
        csrf_field(p, v);
        raw(p, "<button id=\"logout\">");
        text(p, W(v, M_LOGOUT));
        raw(p, "</button></form>");
    }
    raw(p, "</header>\n<main>\n<h1>");
    text(p, title);
    raw(p, "</h1>\n");
}

static zs_err_t end(page_t *p)
{
    raw(p, "</main></body></html>\n");
    return p->err;
}

static const char *county_name(const desk_view_t *v, const char *code)
{
    const zs_county_t *c = zs_county_find(v->counties, code, strlen(code));
    return c ? c->name : "";
}

static bool county_key(const desk_view_t *v, const char *code)
{
    const zs_county_t *c = zs_county_find(v->counties, code, strlen(code));
    return c != NULL && c->key_assistance;
}

#define DAY_MS (24LL * 3600 * 1000)

/* A deadline cell: done, days left, or overdue in red. */
static void deadline(page_t *p, const desk_view_t *v, int64_t due, int64_t done_at)
{
    if (done_at >= 0) {
        raw(p, "<td class=\"done\">");
        when(p, done_at);
        raw(p, "</td>");
        return;
    }
    int64_t left = due - v->now;
    char s[64];
    if (left >= 0) {
        snprintf(s, sizeof(s), W(v, M_DAYS_LEFT), (long long)(left / DAY_MS));
        raw(p, "<td>");
    } else {
        snprintf(s, sizeof(s), W(v, M_OVERDUE_BY), (long long)((-left + DAY_MS - 1) / DAY_MS));
        raw(p, "<td class=\"overdue\">");
    }
    text(p, s);
    raw(p, "</td>");
}

static const char *state_word(const desk_view_t *v, const desk_row_t *r)
{
    if (r->status == 2 || r->resolved_at >= 0)
        return W(v, M_CLOSED);
    if (r->acked_at < 0)
        return W(v, M_AWAIT_ACK);
    if (r->measured_at < 0)
        return W(v, M_AWAIT_MEASURE);
    return W(v, M_MEASURED);
}

static void period(page_t *p, int year, int month)
{
    char s[16];
    snprintf(s, sizeof(s), "%04d-%02d", year, month);
    text(p, s);
}

/* Opens a table: <table id=ID> and a header row of the words of heads
 * (M__COUNT for an empty cell), then <tbody>. */
static void table_head(page_t *p, const desk_view_t *v, const char *id, const msg_t *heads,
                       size_t n)
{
    raw(p, "<table id=\"");
    raw(p, id);
    raw(p, "\"><thead><tr>");
    for (size_t i = 0; i < n; i++) {
        raw(p, "<th>");
        if (heads[i] != M__COUNT)
            text(p, W(v, heads[i]));
        raw(p, "</th>");
    }
    raw(p, "</tr></thead><tbody>\n");
}

/* The table of warnings shared by the inbox and the household page. */
static void warning_table(page_t *p, const desk_view_t *v, const desk_row_t *rows, size_t n)
{
    notify_lang_t lang = v->english ? NOTIFY_LANG_EN : NOTIFY_LANG_ZH;
    if (n == 0) {
        raw(p, "<p class=\"empty\">");
        text(p, W(v, M_NONE));
        raw(p, "</p>\n");
        return;
    }
    static const msg_t heads[] = {M_SEVERITY, M_RULE,  M_HOUSEHOLD, M_COUNTY,     M_RISK,
                                  M_PERIOD,   M_STATE, M_ACK_DUE,   M_MEASURE_DUE};
    table_head(p, v, "warnings", heads, sizeof(heads) / sizeof(heads[0]));
    for (size_t i = 0; i < n; i++) {
        const desk_row_t *r = &rows[i];
        raw(p, "<tr class=\"warning\" data-warning=\"");
        text(p, r->warning_id);
        raw(p, "\"><td class=\"sev");
        num(p, r->severity);
        raw(p, "\">");
        text(p, severity_words[(unsigned)r->severity < 3 ? r->severity : 2][v->english]);
        raw(p, "</td><td><a href=\"/warning/");
        url(p, r->warning_id);
        raw(p, "\">");
        text(p, notify_rule_name((notify_rule_t)r->rule, lang));
        raw(p, "</a></td><td><a href=\"/household/");
        url(p, r->household_id);
        raw(p, "\">");
        text(p, r->household_id);
        raw(p, "</a></td><td>");
        text(p, county_name(v, r->county_code));
        raw(p, " ");
        text(p, r->county_code);
        raw(p, "</td><td>");
        text(p, notify_risk_name((notify_risk_t)r->risk, lang));
        raw(p, "</td><td>");
        period(p, r->year, r->month);
        raw(p, "</td><td>");
        text(p, state_word(v, r));
        if (r->escalated) {
            raw(p, " <span class=\"escalated\">");
            text(p, W(v, M_ESCALATED));
            raw(p, "</span>");
        }
        raw(p, "</td>");
        deadline(p, v, r->opened_at + v->ack_ms, r->acked_at);
        deadline(p, v, r->opened_at + v->measure_ms, r->measured_at);
        raw(p, "</tr>\n");
    }
    raw(p, "</tbody></table>\n");
}

/* A <select> of an enum: name, the choices' words, count, the one chosen. */
static void select_box(page_t *p, const desk_view_t *v, msg_t label, const char *name,
                       const char *id, const char *(*word)(int, bool), int count, int chosen)
{
    raw(p, "<label>");
    text(p, W(v, label));
    raw(p, " <select name=\"");
    raw(p, name);
    raw(p, "\" id=\"");
    raw(p, id);
    raw(p, "\"><option value=\"\">");
    text(p, W(v, M_ANY));
    raw(p, "</option>");
    for (int i = 0; i < count; i++) {
        raw(p, "<option value=\"");
        num(p, i);
        raw(p, i == chosen ? "\" selected>" : "\">");
        text(p, word(i, v->english));
        raw(p, "</option>");
    }
    raw(p, "</select></label> ");
}

static const char *rule_word(int i, bool english)
{
    return notify_rule_name((notify_rule_t)i, english ? NOTIFY_LANG_EN : NOTIFY_LANG_ZH);
}

static const char *risk_word(int i, bool english)
{
    return notify_risk_name((notify_risk_t)i, english ? NOTIFY_LANG_EN : NOTIFY_LANG_ZH);
}

static const char *state_choice(int i, bool english)
{
    static const msg_t m[] = {M_AWAIT_ACK, M_AWAIT_MEASURE, M_MEASURED};
    return words[m[i]][english];
}

/* ---- pages ---- */

zs_err_t desk_page_login(zs_buf_t *out, const desk_view_t *v, const char *csrf, const char *error)
{
    page_t p = {out, ZS_OK};
    begin(&p, v, W(v, M_LOGIN));
    if (error != NULL) {
        raw(&p, "<p class=\"error\" id=\"error\">");
        text(&p, error);
        raw(&p, "</p>\n");
    }
    raw(&p, "<form method=\"post\" action=\"/login\" class=\"login\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"");
    text(&p, csrf);
    raw(&p, "\"><label>");
    text(&p, W(v, M_USER));
    raw(&p, " <input name=\"login\" id=\"login\" autocomplete=\"username\" required "
            "maxlength=\"32\"></label><label>");
    text(&p, W(v, M_PASSWORD));
    raw(&p, " <input type=\"password\" name=\"password\" id=\"password\" "
            "autocomplete=\"current-password\" required maxlength=\"256\"></label>"
            "<button id=\"submit\">");
    text(&p, W(v, M_LOGIN));
    raw(&p, "</button></form>\n");
    return end(&p);
}

/* A link to page (1-based) of the inbox under the same filters. */
static void inbox_link(page_t *p, const desk_view_t *v, const desk_filter_t *f, size_t page,
                       msg_t word, const char *id)
{
    raw(p, " <a href=\"/inbox?rule=");
    if (f->rule >= 0)
        num(p, f->rule);
    raw(p, "&amp;risk=");
    if (f->risk >= 0)
        num(p, f->risk);
    raw(p, "&amp;state=");
    if (f->state >= 0)
        num(p, f->state);
    raw(p, "&amp;household=");
    url(p, f->household ? f->household : "");
    raw(p, "&amp;township=");
    url(p, f->township ? f->township : "");
    raw(p, "&amp;village=");
    url(p, f->village ? f->village : "");
    raw(p, "&amp;page=");
    num(p, (long long)page);
    raw(p, "\" id=\"");
    raw(p, id);
    raw(p, "\">");
    text(p, W(v, word));
    raw(p, "</a>");
}

/* Page x of y, and links to the first, previous, next and last pages. */
static void pager(page_t *p, const desk_view_t *v, const desk_filter_t *f, int64_t total)
{
    if (f->limit == 0) /* everything on one page */
        return;
    size_t per = f->limit;
    size_t pages = total > 0 ? ((size_t)total + per - 1) / per : 1;
    size_t page = f->offset / per + 1;
    if (pages < 2)
        return;
    raw(p, "<p class=\"pager\">");
    text(p, W(v, M_PAGE));
    raw(p, " <b id=\"page\">");
    num(p, (long long)page);
    raw(p, "</b> / <b id=\"pages\">");
    num(p, (long long)pages);
    raw(p, "</b>");
    if (page > 1) {
        inbox_link(p, v, f, 1, M_FIRST, "page-first");
        inbox_link(p, v, f, page - 1, M_PREV, "page-prev");
    }
    if (page < pages) {
        inbox_link(p, v, f, page + 1, M_NEXT, "page-next");
        inbox_link(p, v, f, pages, M_LAST, "page-last");
    }
    raw(p, "</p>\n");
}

zs_err_t desk_page_inbox(zs_buf_t *out, const desk_view_t *v, const desk_row_t *rows, size_t n,
                         const desk_filter_t *f, const desk_counts_t *c)
{
    page_t p = {out, ZS_OK};
    begin(&p, v, W(v, M_INBOX));
    const struct {
        msg_t m;
        int64_t n;
        const char *id;
    } counts[] = {{M_OPEN, c->open, "count-open"},
                  {M_ACKED, c->acked, "count-acked"},
                  {M_ACK_OVERDUE, c->ack_late, "count-ack-late"},
                  {M_MEASURE_OVERDUE, c->measure_late, "count-measure-late"}};
    raw(&p, "<ul class=\"counts\">");
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        raw(&p, "<li>");
        text(&p, W(v, counts[i].m));
        raw(&p, ": <b id=\"");
        raw(&p, counts[i].id);
        raw(&p, "\">");
        num(&p, (long long)counts[i].n);
        raw(&p, "</b></li>");
    }
    raw(&p, "</ul>\n<form method=\"get\" action=\"/inbox\" class=\"filters\">");
    select_box(&p, v, M_RULE, "rule", "f-rule", rule_word, NOTIFY_RULE_UNKNOWN, f->rule);
    select_box(&p, v, M_RISK, "risk", "f-risk", risk_word, NOTIFY_RISK__COUNT, f->risk);
    select_box(&p, v, M_STATE, "state", "f-state", state_choice, 3, f->state);
    raw(&p, " <input name=\"household\" id=\"f-household\" maxlength=\"32\" placeholder=\"");
    text(&p, W(v, M_SEARCH));
    raw(&p, "\" value=\"");
    text(&p, f->household ? f->household : "");
    raw(&p, "\"> <input name=\"township\" id=\"f-township\" maxlength=\"64\" placeholder=\"");
    text(&p, W(v, M_TOWNSHIP));
    raw(&p, "\" value=\"");
    text(&p, f->township ? f->township : "");
    raw(&p, "\"> <input name=\"village\" id=\"f-village\" maxlength=\"64\" placeholder=\"");
    text(&p, W(v, M_VILLAGE));
    raw(&p, "\" value=\"");
    text(&p, f->village ? f->village : "");
    raw(&p, "\"> <button id=\"f-go\">");
    text(&p, W(v, M_FILTER));
    raw(&p, "</button></form>\n");
    pager(&p, v, f, c->open);
    warning_table(&p, v, rows, n);
    pager(&p, v, f, c->open);
    return end(&p);
}

/* The evidence block, from the store's JSON form of it. */
static void evidence(page_t *p, const desk_view_t *v, const desk_row_t *r)
{
    json_t *e = json_loads(r->evidence, 0, NULL);
    raw(p, "<h2>");
    text(p, W(v, M_EVIDENCE));
    raw(p, "</h2>\n<dl id=\"evidence\">");
    const struct {
        const char *key;
        msg_t m;
        int kind; /* 0 yuan, 1 percent, 2 plain */
    } figures[] = {{"t12m", M_T12M, 0},           {"t12m_prev", M_T12M_PREV, 0},
                   {"growth_bp", M_GROWTH, 1},    {"members", M_MEMBERS, 2},
                   {"threshold", M_THRESHOLD, 2}, {"observed", M_OBSERVED, 2},
                   {"amount", M_AMOUNT, 0}};
    for (size_t i = 0; e && i < sizeof(figures) / sizeof(figures[0]); i++) {
        json_t *x = json_object_get(e, figures[i].key);
        if (!json_is_integer(x))
            continue;
        long long val = json_integer_value(x);
        raw(p, "<dt>");
        text(p, W(v, figures[i].m));
        raw(p, "</dt><dd>");
        if (figures[i].kind == 0) {
            yuan(p, val);
        } else if (figures[i].kind == 1) {
            char s[32];
            notify_report_percent(val, s, sizeof(s));
            text(p, s);
        } else {
            num(p, val);
        }
        raw(p, "</dd>");
    }
    /* Basis and note in the page's language from the figures, never the
     * monitor's English detail (notify_evidence.c). */
    notify_warning_t w = {.rule = (notify_rule_t)r->rule,
                          .year = r->year,
                          .month = r->month,
                          .threshold_unit = NOTIFY_UNIT_UNKNOWN,
                          .program = NOTIFY_PROGRAM_NONE};
    json_t *x;
    if (e && json_is_integer(x = json_object_get(e, "members")))
        w.members_active = (int32_t)json_integer_value(x);
    if (e && json_is_integer(x = json_object_get(e, "t12m")))
        w.has_t12m = true, w.t12m_fen = json_integer_value(x);
    if (e && json_is_integer(x = json_object_get(e, "threshold")))
        w.has_threshold = true, w.threshold = json_integer_value(x);
    if (e && json_is_integer(x = json_object_get(e, "unit")))
        w.threshold_unit = (notify_unit_t)json_integer_value(x);
    if (e && json_is_integer(x = json_object_get(e, "observed")))
        w.has_observed = true, w.observed = json_integer_value(x);
    if (e && json_is_integer(x = json_object_get(e, "amount")))
        w.has_amount = true, w.amount_fen = json_integer_value(x);
    if (e && json_is_integer(x = json_object_get(e, "program")))
        w.program = (notify_program_t)json_integer_value(x);
    notify_lang_t lang = v->english ? NOTIFY_LANG_EN : NOTIFY_LANG_ZH;
    const char *basis = notify_evidence_basis(w.rule, w.threshold_unit, lang);
    char note[256];
    notify_evidence_note(&w, lang, note, sizeof(note));
    const struct {
        msg_t m;
        const char *s;
    } words[] = {{M_BASIS, basis}, {M_EXPLAIN, note}};
    for (size_t i = 0; i < 2; i++) {
        if (words[i].s[0] == '\0')
            continue;
        raw(p, "<dt>");
        text(p, W(v, words[i].m));
        raw(p, "</dt><dd>");
        text(p, words[i].s);
        raw(p, "</dd>");
    }
    raw(p, "</dl>\n");
    json_t *cs = json_object_get(e, "components");
    if (json_array_size(cs) > 0) {
        static const msg_t heads[] = {M_COMPONENT, M_THIS_YEAR, M_YEAR_EARLIER};
        table_head(p, v, "components", heads, 3);
        size_t i;
        json_t *c;
        json_array_foreach(cs, i, c)
        {
            long long k = json_integer_value(json_array_get(c, 0));
            raw(p, "<tr><td>");
            text(p, k >= 0 && k < 5 ? component_words[k][v->english] : "?");
            raw(p, "</td><td>");
            yuan(p, json_integer_value(json_array_get(c, 1)));
            raw(p, "</td><td>");
            if (json_is_integer(json_array_get(c, 2)))
                yuan(p, json_integer_value(json_array_get(c, 2)));
            else
                raw(p, "-");
            raw(p, "</td></tr>");
        }
        raw(p, "</tbody></table>\n");
    }
    json_decref(e);
}

static bool audit_only(const desk_event_t *e)
{
    return strncmp(e->source, "audit/", 6) == 0 && strcmp(e->kind, "ESCALATION") != 0;
}

static const char *event_word(const desk_view_t *v, const desk_event_t *e)
{
    static const char *const kinds[] = {"OPEN", "UPDATED", "CLEARED"};
    for (int i = 0; i < 3; i++)
        if (strcmp(e->kind, kinds[i]) == 0)
            return status_words[i][v->english];
    desk_action_t a;
    if (desk_action_parse(e->kind, &a) == ZS_OK)
        return desk_action_name(a, v->english);
    if (strcmp(e->kind, "ESCALATION") == 0)
        return W(v, M_ESCALATED);
    return e->kind;
}

static void history(page_t *p, const desk_view_t *v, const desk_event_t *events, size_t n,
                    bool inspector)
{
    raw(p, "<h2>");
    text(p, W(v, M_HISTORY));
    raw(p, "</h2>\n");
    static const msg_t heads[] = {M_WHEN, M_WHAT, M_WHO, M_MEASURE, M_NOTE, M_DETAIL, M_SOURCE};
    table_head(p, v, "history", heads, inspector ? 7 : 5);
    for (size_t i = 0; i < n; i++) {
        const desk_event_t *e = &events[i];
        if (audit_only(e) && !inspector)
            continue;
        raw(p, "<tr class=\"event\" data-kind=\"");
        text(p, e->kind);
        raw(p, "\"><td>");
        when(p, e->at);
        raw(p, "</td><td>");
        text(p, event_word(v, e));
        raw(p, "</td><td>");
        text(p, e->actor);
        raw(p, "</td><td>");
        text(p, desk_measure_name((desk_measure_t)e->measure, v->english));
        raw(p, "</td><td>");
        text(p, e->note);
        raw(p, "</td>");
        if (inspector) {
            raw(p, "<td>");
            text(p, e->detail);
            raw(p, "</td><td>");
            text(p, e->source);
            raw(p, "</td>");
        }
        raw(p, "</tr>\n");
    }
    raw(p, "</tbody></table>\n");
}

static void action_forms(page_t *p, const desk_view_t *v, const desk_row_t *r)
{
    raw(p, "<h2>");
    text(p, W(v, M_ACTIONS));
    raw(p, "</h2>\n");
    for (int a = 0; a < DESK_ACTION__COUNT; a++) {
        raw(p, "<form method=\"post\" class=\"action\" id=\"form-");
        raw(p, action_symbols[a]);
        raw(p, "\" action=\"/warning/");
        url(p, r->warning_id);
        raw(p, "/action\">");
        csrf_field(p, v);
        raw(p, "<input type=\"hidden\" name=\"action\" value=\"");
        raw(p, action_symbols[a]);
        raw(p, "\">");
        if (a == DESK_ACTION_MEASURE) {
            raw(p, "<label>");
            text(p, W(v, M_MEASURE));
            raw(p, " <select name=\"measure\" id=\"measure\">");
            for (int m = 0; m < DESK_MEASURE__COUNT; m++) {
                raw(p, "<option value=\"");
                raw(p, measure_symbols[m]);
                raw(p, "\">");
                text(p, measure_words[m][v->english]);
                raw(p, "</option>");
            }
            raw(p, "</select></label>");
        }
        raw(p, "<label>");
        text(p, W(v, M_NOTE));
        raw(p, " <input name=\"note\" maxlength=\"500\" id=\"note-");
        raw(p, action_symbols[a]);
        raw(p, "\"></label><button id=\"do-");
        raw(p, action_symbols[a]);
        raw(p, "\">");
        text(p, action_words[a][v->english]);
        raw(p, "</button></form>\n");
    }
}

zs_err_t desk_page_warning(zs_buf_t *out, const desk_view_t *v, const desk_row_t *r,
                           const desk_event_t *events, size_t n, const char *notice)
{
    page_t p = {out, ZS_OK};
    notify_lang_t lang = v->english ? NOTIFY_LANG_EN : NOTIFY_LANG_ZH;
    begin(&p, v, notify_rule_name((notify_rule_t)r->rule, lang));
    if (notice != NULL) {
        raw(&p, "<p class=\"notice\" id=\"notice\">");
        text(&p, notice);
        raw(&p, "</p>\n");
    }
    raw(&p, "<dl id=\"summary\"><dt>");
    text(&p, W(v, M_WARNING));
    raw(&p, "</dt><dd id=\"warning-id\">");
    text(&p, r->warning_id);
    raw(&p, "</dd><dt>");
    text(&p, W(v, M_HOUSEHOLD));
    raw(&p, "</dt><dd><a href=\"/household/");
    url(&p, r->household_id);
    raw(&p, "\">");
    text(&p, r->household_id);
    raw(&p, "</a></dd><dt>");
    text(&p, W(v, M_COUNTY));
    raw(&p, "</dt><dd>");
    text(&p, county_name(v, r->county_code));
    raw(&p, " ");
    text(&p, r->county_code);
    raw(&p, "</dd><dt>");
    text(&p, W(v, M_SEVERITY));
    raw(&p, "</dt><dd>");
    text(&p, severity_words[(unsigned)r->severity < 3 ? r->severity : 2][v->english]);
    raw(&p, "</dd><dt>");
    text(&p, W(v, M_RISK));
    raw(&p, "</dt><dd>");
    text(&p, notify_risk_name((notify_risk_t)r->risk, lang));
    raw(&p, "</dd><dt>");
    text(&p, W(v, M_PERIOD));
    raw(&p, "</dt><dd>");
    period(&p, r->year, r->month);
    raw(&p, "</dd><dt>");
    text(&p, W(v, M_STATE));
    raw(&p, "</dt><dd id=\"state\">");
    text(&p, state_word(v, r));
    raw(&p, "</dd></dl>\n");
    evidence(&p, v, r);
    bool inspector = v->session && desk_authz_page(v->session->role, DESK_PAGE_AUDIT);
    history(&p, v, events, n, inspector);
    bool open = r->status != 2 && r->resolved_at < 0;
    if (open && v->session && desk_authz_page(v->session->role, DESK_PAGE_ACTION) &&
        desk_authz_county(v->session->scope, r->county_code))
        action_forms(&p, v, r);
    return end(&p);
}

zs_err_t desk_page_household(zs_buf_t *out, const desk_view_t *v, const char *household_id,
                             const desk_row_t *rows, size_t n)
{
    page_t p = {out, ZS_OK};
    char title[80];
    snprintf(title, sizeof(title), "%s %s", W(v, M_HOUSEHOLD), household_id);
    begin(&p, v, title);
    warning_table(&p, v, rows, n);
    return end(&p);
}

/* Open warnings per 1,000 households with one decimal, or "-" without
 * households. */
static void per_1000(page_t *p, int64_t open, int64_t households)
{
    char s[32] = "-";
    if (households > 0)
        snprintf(s, sizeof(s), "%.1f", 1000.0 * (double)open / (double)households);
    text(p, s);
}

/* A share as a percentage with one decimal, or "-" when there is nothing to
 * share. */
static void share(page_t *p, int64_t part, int64_t whole)
{
    char s[16] = "-";
    if (whole > 0)
        snprintf(s, sizeof(s), "%.1f%%", 100.0 * (double)part / (double)whole);
    text(p, s);
}

/* Key assistance counties (0) against the rest (1), all quarters:
 * warnings, open, acknowledged in time, measure in time, households. */
static void group_totals(const desk_view_t *v, const desk_overview_t *o, int64_t tot[2][5])
{
    memset(tot, 0, 2 * sizeof(tot[0]));
    for (size_t i = 0; i < o->nstats; i++) {
        const desk_stat_t *s = &o->stats[i];
        int k = county_key(v, s->county_code) ? 0 : 1;
        tot[k][0] += s->warnings;
        tot[k][1] += s->open;
        tot[k][2] += s->acked_in_time;
        tot[k][3] += s->measured_in_time;
        /* A county's households once, not once per quarter (stats are
         * ordered by county). */
        if (i == 0 || strcmp(s->county_code, o->stats[i - 1].county_code) != 0)
            tot[k][4] += s->households;
    }
}

/* The income targets per quarter over every county of the overview, key
 * counties (0) and the rest (1) apart. */
typedef struct quarter_sum {
    int year, quarter;
    int64_t households[2], low_income[2], below_growth[2];
} quarter_sum_t;

enum { MAX_QUARTERS = 64 };

/* Sums o's trend rows (each county a block of the same quarters) into
 * sums; the number of quarters. */
static size_t quarter_sums(const desk_view_t *v, const desk_overview_t *o,
                           quarter_sum_t sums[MAX_QUARTERS])
{
    size_t nq = 0;
    while (nq < o->ntrend && nq < MAX_QUARTERS &&
           strcmp(o->trend[nq].county_code, o->trend[0].county_code) == 0)
        nq++;
    memset(sums, 0, MAX_QUARTERS * sizeof(sums[0]));
    for (size_t i = 0; nq > 0 && i < o->ntrend; i++) {
        const desk_trend_t *t = &o->trend[i];
        quarter_sum_t *q = &sums[i % nq];
        int k = county_key(v, t->county_code) ? 0 : 1;
        q->year = t->year;
        q->quarter = t->quarter;
        q->households[k] += t->households;
        q->low_income[k] += t->low_income;
        q->below_growth[k] += t->below_growth;
    }
    return nq;
}

static void cell_num(page_t *p, int64_t n)
{
    raw(p, "<td>");
    num(p, n);
    raw(p, "</td>");
}

static void cell_per_1000(page_t *p, int64_t n, int64_t households)
{
    raw(p, "<td>");
    per_1000(p, n, households);
    raw(p, "</td>");
}

/* A bar chart in SVG (attributes only: the Content-Security-Policy allows
 * no inline style), one bar per quarter, each with its value as a title. */
static void chart(page_t *p, const desk_view_t *v, const char *id, msg_t title,
                  const quarter_sum_t *q, size_t nq, bool low_income)
{
    enum { WIDTH = 640, HEIGHT = 180, TOP = 20, BOTTOM = 24 };
    int64_t max = 1;
    for (size_t i = 0; i < nq; i++) {
        int64_t n = low_income ? q[i].low_income[0] + q[i].low_income[1]
                               : q[i].below_growth[0] + q[i].below_growth[1];
        max = n > max ? n : max;
    }
    raw(p, "<figure><svg id=\"");
    raw(p, id);
    raw(p, "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"180\" "
           "viewBox=\"0 0 640 180\" role=\"img\" aria-label=\"");
    text(p, W(v, title));
    raw(p, "\">");
    double slot = nq > 0 ? (double)WIDTH / (double)nq : WIDTH;
    for (size_t i = 0; i < nq; i++) {
        int64_t n = low_income ? q[i].low_income[0] + q[i].low_income[1]
                               : q[i].below_growth[0] + q[i].below_growth[1];
        int h = (int)((double)(HEIGHT - TOP - BOTTOM) * (double)n / (double)max);
        char rect[200], label[16];
        snprintf(rect, sizeof(rect),
                 "<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                 "fill=\"#b03a2e\" data-value=\"%lld\"><title>",
                 (double)i * slot + slot * 0.15, HEIGHT - BOTTOM - h, slot * 0.7, h, (long long)n);
        raw(p, rect);
        snprintf(label, sizeof(label), "%04dQ%d", q[i].year, q[i].quarter);
        text(p, label);
        raw(p, ": ");
        num(p, n);
        raw(p, "</title></rect>");
        snprintf(rect, sizeof(rect),
                 "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">",
                 (double)i * slot + slot / 2, HEIGHT - 8);
        raw(p, rect);
        text(p, label);
        raw(p, "</text>");
    }
    raw(p, "</svg><figcaption>");
    text(p, W(v, title));
    raw(p, "</figcaption></figure>\n");
}

/* A link to the CSV of one table. */
static void csv_link(page_t *p, const desk_view_t *v, const char *table, msg_t word)
{
    raw(p, "<p><a href=\"/overview.csv?table=");
    raw(p, table);
    raw(p, "\" id=\"csv-");
    raw(p, table);
    raw(p, "\">");
    text(p, W(v, word));
    raw(p, "</a></p>\n");
}

zs_err_t desk_page_overview(zs_buf_t *out, const desk_view_t *v, const desk_overview_t *o)
{
    page_t p = {out, ZS_OK};
    begin(&p, v, W(v, M_OVERVIEW));
    /* The income targets at each quarter's close. */
    quarter_sum_t q[MAX_QUARTERS];
    size_t nq = quarter_sums(v, o, q);
    raw(&p, "<h2>");
    text(&p, W(v, M_TARGETS));
    raw(&p, "</h2>\n");
    static const msg_t theads[] = {M_QUARTER,      M_HOUSEHOLDS,    M_LOW_INCOME_HH,
                                   M_PER_1000_KEY, M_PER_1000_REST, M_BELOW_GROWTH_HH,
                                   M_PER_1000_KEY, M_PER_1000_REST};
    table_head(&p, v, "targets", theads, 8);
    for (size_t i = 0; i < nq; i++) {
        char label[16];
        snprintf(label, sizeof(label), "%04dQ%d", q[i].year, q[i].quarter);
        raw(&p, "<tr><td>");
        text(&p, label);
        raw(&p, "</td>");
        cell_num(&p, q[i].households[0] + q[i].households[1]);
        cell_num(&p, q[i].low_income[0] + q[i].low_income[1]);
        cell_per_1000(&p, q[i].low_income[0], q[i].households[0]);
        cell_per_1000(&p, q[i].low_income[1], q[i].households[1]);
        cell_num(&p, q[i].below_growth[0] + q[i].below_growth[1]);
        cell_per_1000(&p, q[i].below_growth[0], q[i].households[0]);
        cell_per_1000(&p, q[i].below_growth[1], q[i].households[1]);
        raw(&p, "</tr>\n");
    }
    raw(&p, "</tbody></table>\n");
    csv_link(&p, v, "targets", M_CSV);
    csv_link(&p, v, "targets-county", M_CSV_COUNTY);
    chart(&p, v, "chart-low-income", M_LOW_INCOME_HH, q, nq, true);
    chart(&p, v, "chart-below-growth", M_BELOW_GROWTH_HH, q, nq, false);

    /* Plan item 35: key assistance counties against the rest, all quarters. */
    raw(&p, "<h2>");
    text(&p, W(v, M_ITEM35));
    raw(&p, "</h2>\n");
    int64_t tot[2][5];
    group_totals(v, o, tot);
    static const msg_t gheads[] = {M__COUNT,        M_WARNINGS,   M_OPEN,    M_ACK_SHARE,
                                   M_MEASURE_SHARE, M_HOUSEHOLDS, M_PER_1000};
    table_head(&p, v, "groups", gheads, 7);
    for (int k = 0; k < 2; k++) {
        raw(&p, "<tr><th>");
        text(&p, W(v, k == 0 ? M_KEY : M_REST));
        raw(&p, "</th>");
        cell_num(&p, tot[k][0]);
        cell_num(&p, tot[k][1]);
        raw(&p, "<td>");
        share(&p, tot[k][2], tot[k][0]);
        raw(&p, "</td><td>");
        share(&p, tot[k][3], tot[k][0]);
        raw(&p, "</td>");
        cell_num(&p, tot[k][4]);
        cell_per_1000(&p, tot[k][1], tot[k][4]);
        raw(&p, "</tr>");
    }
    raw(&p, "</tbody></table>\n");
    csv_link(&p, v, "groups", M_CSV);
    static const msg_t heads[] = {M_COUNTY,    M_QUARTER,       M_WARNINGS,   M_OPEN,
                                  M_ACK_SHARE, M_MEASURE_SHARE, M_HOUSEHOLDS, M_PER_1000};
    table_head(&p, v, "stats", heads, 8);
    for (size_t i = 0; i < o->nstats; i++) {
        const desk_stat_t *s = &o->stats[i];
        char qs[16];
        snprintf(qs, sizeof(qs), "%04dQ%d", s->year, s->quarter);
        raw(&p, "<tr><td>");
        text(&p, county_name(v, s->county_code));
        raw(&p, " ");
        text(&p, s->county_code);
        if (county_key(v, s->county_code))
            raw(&p, " <span class=\"key\">*</span>");
        raw(&p, "</td><td>");
        text(&p, qs);
        raw(&p, "</td>");
        cell_num(&p, s->warnings);
        cell_num(&p, s->open);
        raw(&p, "<td>");
        share(&p, s->acked_in_time, s->warnings);
        raw(&p, "</td><td>");
        share(&p, s->measured_in_time, s->warnings);
        raw(&p, "</td>");
        cell_num(&p, s->households);
        cell_per_1000(&p, s->open, s->households);
        raw(&p, "</tr>\n");
    }
    raw(&p, "</tbody></table>\n");
    csv_link(&p, v, "stats", M_CSV);
    raw(&p, "<p class=\"note\">* ");
    text(&p, W(v, M_KEY));
    raw(&p, "</p>\n");
    return end(&p);
}

static const char *const table_names[DESK_TABLE__COUNT] = {"stats", "groups", "targets",
                                                           "targets-county"};

zs_err_t desk_table_parse(const char *s, desk_table_t *out)
{
    if (s == NULL || *s == '\0') {
        *out = DESK_TABLE_STATS;
        return ZS_OK;
    }
    for (int i = 0; i < DESK_TABLE__COUNT; i++)
        if (strcmp(s, table_names[i]) == 0) {
            *out = (desk_table_t)i;
            return ZS_OK;
        }
    return ZS_ERR_INVALID;
}

/* ",N" or "," for a per-1,000 figure in CSV. */
static zs_err_t csv_per_1000(zs_buf_t *out, int64_t n, int64_t households)
{
    return households > 0 ? zs_buf_addf(out, ",%.1f", 1000.0 * (double)n / (double)households)
                          : zs_buf_adds(out, ",");
}

/* The first cells of a per-county CSV row: code, name, key county (Y/N),
 * quarter. */
static zs_err_t csv_county(zs_buf_t *out, const desk_view_t *v, const char *code, int year,
                           int quarter)
{
    zs_err_t err = zs_buf_addf(out, "%s,", code);
    err = err ? err : desk_csv(out, county_name(v, code));
    return err ? err
               : zs_buf_addf(out, ",%s,%04dQ%d", county_key(v, code) ? "Y" : "N", year, quarter);
}

zs_err_t desk_csv_overview(zs_buf_t *out, const desk_view_t *v, const desk_overview_t *o,
                           desk_table_t table)
{
    zs_err_t err = ZS_OK;
    if (table == DESK_TABLE_GROUPS) {
        int64_t tot[2][5];
        group_totals(v, o, tot);
        err = zs_buf_adds(out, "group,warnings,open,acked_within_15d,measure_within_30d,"
                               "households,open_per_1000_households\r\n");
        for (int k = 0; err == ZS_OK && k < 2; k++) {
            err = zs_buf_addf(out, "%s,%lld,%lld,%lld,%lld,%lld", k == 0 ? "key" : "rest",
                              (long long)tot[k][0], (long long)tot[k][1], (long long)tot[k][2],
                              (long long)tot[k][3], (long long)tot[k][4]);
            err = err ? err : csv_per_1000(out, tot[k][1], tot[k][4]);
            err = err ? err : zs_buf_adds(out, "\r\n");
        }
        return err;
    }
    if (table == DESK_TABLE_TARGETS) {
        quarter_sum_t q[MAX_QUARTERS];
        size_t nq = quarter_sums(v, o, q);
        err = zs_buf_adds(out, "quarter,households,low_income,low_income_per_1000_key,"
                               "low_income_per_1000_rest,below_growth,below_growth_per_1000_key,"
                               "below_growth_per_1000_rest\r\n");
        for (size_t i = 0; err == ZS_OK && i < nq; i++) {
            err = zs_buf_addf(out, "%04dQ%d,%lld,%lld", q[i].year, q[i].quarter,
                              (long long)(q[i].households[0] + q[i].households[1]),
                              (long long)(q[i].low_income[0] + q[i].low_income[1]));
            err = err ? err : csv_per_1000(out, q[i].low_income[0], q[i].households[0]);
            err = err ? err : csv_per_1000(out, q[i].low_income[1], q[i].households[1]);
            err = err ? err
                      : zs_buf_addf(out, ",%lld",
                                    (long long)(q[i].below_growth[0] + q[i].below_growth[1]));
            err = err ? err : csv_per_1000(out, q[i].below_growth[0], q[i].households[0]);
            err = err ? err : csv_per_1000(out, q[i].below_growth[1], q[i].households[1]);
            err = err ? err : zs_buf_adds(out, "\r\n");
        }
        return err;
    }
    if (table == DESK_TABLE_TARGETS_COUNTY) {
        err = zs_buf_adds(out, "county_code,county_name,key_assistance_county,quarter,households,"
                               "low_income,below_growth\r\n");
        for (size_t i = 0; err == ZS_OK && i < o->ntrend; i++) {
            const desk_trend_t *t = &o->trend[i];
            err = csv_county(out, v, t->county_code, t->year, t->quarter);
            err = err ? err
                      : zs_buf_addf(out, ",%lld,%lld,%lld\r\n", (long long)t->households,
                                    (long long)t->low_income, (long long)t->below_growth);
        }
        return err;
    }
    err = zs_buf_adds(out, "county_code,county_name,key_assistance_county,quarter,"
                           "warnings,open,acked_within_15d,measure_within_30d,"
                           "households,open_per_1000_households\r\n");
    for (size_t i = 0; err == ZS_OK && i < o->nstats; i++) {
        const desk_stat_t *s = &o->stats[i];
        err = csv_county(out, v, s->county_code, s->year, s->quarter);
        err = err ? err
                  : zs_buf_addf(out, ",%lld,%lld,%lld,%lld,%lld", (long long)s->warnings,
                                (long long)s->open, (long long)s->acked_in_time,
                                (long long)s->measured_in_time, (long long)s->households);
        err = err ? err : csv_per_1000(out, s->open, s->households);
        err = err ? err : zs_buf_adds(out, "\r\n");
    }
    return err;
}

zs_err_t desk_page_error(zs_buf_t *out, const desk_view_t *v, int status)
{
    page_t p = {out, ZS_OK};
    msg_t m = status == 404 ? M_NOT_FOUND : status == 403 ? M_FORBIDDEN : M_BAD;
    begin(&p, v, W(v, m));
    raw(&p, "<p id=\"status\">");
    num(&p, status);
    raw(&p, "</p>");
    return end(&p);
}

void desk_action_event_id(const char *warning_id, desk_action_t action, const char *login,
                          desk_measure_t measure, const char *note, int64_t now_ms, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    char text[1400];
    unsigned char h[ZS_SHA256_SIZE];
    /* Fields separated by a byte none of them holds. */
    int n = snprintf(text, sizeof(text), "%s\x1f%d\x1f%s\x1f%d\x1f%s\x1f%lld", warning_id,
                     (int)action, login, (int)measure, note, (long long)(now_ms / 86400000));
    zs_sha256(text, n > 0 && (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1, h);
    memcpy(out, "desk-", 5);
    for (int i = 0; i < 27; i++)
        out[5 + i] = hex[(h[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    out[32] = '\0';
}
