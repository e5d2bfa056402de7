/* test_audit_sla.c: zs-audit sla's deadlines (consumers/audit_sla.c) row by
 * row, the boundaries included, and its supervision report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit_sla.h"

#define DAY      AUDIT_SLA_DAY_MS
#define T0       INT64_C(1714694400000) /* 2024-05-03T00:00:00Z, a warning opened */
#define NONE     (-1)
#define ACK      AUDIT_SLA_DID_ACK
#define MEASURE  AUDIT_SLA_DID_MEASURE
#define RESOLVED AUDIT_SLA_DID_RESOLVED

/* One case: up to three follow-ups (action NONE ends the list), the clear
 * (AUDIT_SLA_NEVER if none), now, and what is due: per step, whether, the
 * whole days overdue and how the overdue period ended. */
typedef struct sla_case {
    const char *name;
    struct {
        int action;
        int64_t at;
    } f[3];
    int64_t cleared, now;
    bool due[AUDIT_SLA_STEPS];
    int64_t days[AUDIT_SLA_STEPS];
    audit_sla_end_t end[AUDIT_SLA_STEPS];
} sla_case_t;

static const sla_case_t cases[] = {
    {"nothing yet, exactly 15 days",
     {{NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 15 * DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"nothing, 15 days + 1 ms: ACK due, 0 whole days",
     {{NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 15 * DAY + 1,
     {true, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"nothing, 16 days: ACK 1 day overdue",
     {{NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 16 * DAY,
     {true, false},
     {1, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"nothing, exactly 30 days",
     {{NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 30 * DAY,
     {true, false},
     {15, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"nothing, 30 days + 1 ms: both due",
     {{NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 30 * DAY + 1,
     {true, true},
     {15, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"nothing, 40 days",
     {{NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 40 * DAY,
     {true, true},
     {25, 10},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"ACK at exactly 15 days is in time",
     {{ACK, T0 + 15 * DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 20 * DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"ACK 1 ms after the deadline: escalated, ended by it",
     {{ACK, T0 + 15 * DAY + 1}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 20 * DAY,
     {true, false},
     {0, 0},
     {AUDIT_SLA_LATE, AUDIT_SLA_STILL_OPEN}},
    {"ACK 3 days late",
     {{ACK, T0 + 18 * DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 20 * DAY,
     {true, false},
     {3, 0},
     {AUDIT_SLA_LATE, AUDIT_SLA_STILL_OPEN}},
    {"ACK in time, no MEASURE by 31 days",
     {{ACK, T0 + DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 31 * DAY,
     {false, true},
     {0, 1},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"ACK and MEASURE in time",
     {{ACK, T0 + DAY}, {MEASURE, T0 + 30 * DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 100 * DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"MEASURE 1 ms late",
     {{ACK, T0 + DAY}, {MEASURE, T0 + 30 * DAY + 1}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 100 * DAY,
     {false, true},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_LATE}},
    {"MEASURE without ACK, in 15 days: the household was identified",
     {{MEASURE, T0 + 10 * DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 40 * DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"MEASURE without ACK, on day 20: ACK overdue until it, MEASURE in time",
     {{MEASURE, T0 + 20 * DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 40 * DAY,
     {true, false},
     {5, 0},
     {AUDIT_SLA_LATE, AUDIT_SLA_STILL_OPEN}},
    {"RESOLVED in time meets both",
     {{RESOLVED, T0 + 2 * DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 40 * DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"CLEARED before the ACK deadline",
     {{NONE, 0}},
     T0 + 14 * DAY,
     T0 + 40 * DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"CLEARED at exactly the ACK deadline",
     {{NONE, 0}},
     T0 + 15 * DAY,
     T0 + 40 * DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
    {"CLEARED 1 ms after the ACK deadline",
     {{NONE, 0}},
     T0 + 15 * DAY + 1,
     T0 + 40 * DAY,
     {true, false},
     {0, 0},
     {AUDIT_SLA_CLEARED, AUDIT_SLA_STILL_OPEN}},
    {"CLEARED on day 20: ACK overdue until the clear, MEASURE never due",
     {{NONE, 0}},
     T0 + 20 * DAY,
     T0 + 40 * DAY,
     {true, false},
     {5, 0},
     {AUDIT_SLA_CLEARED, AUDIT_SLA_STILL_OPEN}},
    {"CLEARED on day 35, after both deadlines",
     {{ACK, T0 + 2 * DAY}, {NONE, 0}},
     T0 + 35 * DAY,
     T0 + 40 * DAY,
     {false, true},
     {0, 5},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_CLEARED}},
    {"a late ACK before a clear: ended by the ACK",
     {{ACK, T0 + 17 * DAY}, {NONE, 0}},
     T0 + 19 * DAY,
     T0 + 40 * DAY,
     {true, false},
     {2, 0},
     {AUDIT_SLA_LATE, AUDIT_SLA_STILL_OPEN}},
    {"follow-ups out of order: the earliest counts",
     {{MEASURE, T0 + 50 * DAY}, {ACK, T0 + 3 * DAY}, {NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 + 60 * DAY,
     {false, true},
     {0, 20},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_LATE}},
    {"now before the warning opened",
     {{NONE, 0}},
     AUDIT_SLA_NEVER,
     T0 - DAY,
     {false, false},
     {0, 0},
     {AUDIT_SLA_STILL_OPEN, AUDIT_SLA_STILL_OPEN}},
};

static void test_deadlines(void **state)
{
    (void)state;
    audit_sla_limits_t limits = {.ms = {15 * DAY, 30 * DAY}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const sla_case_t *c = &cases[i];
        audit_sla_followup_t f[3];
        size_t n = 0;
        memset(f, 0, sizeof(f));
        for (; n < 3 && c->f[n].action != NONE; n++) {
            f[n].action = (audit_sla_action_t)c->f[n].action;
            f[n].at = c->f[n].at;
        }
        audit_sla_due_t due[AUDIT_SLA_STEPS] = {{0}};
        audit_sla_check(T0, f, n, c->cleared, c->now, &limits, due);
        for (int s = 0; s < AUDIT_SLA_STEPS; s++) {
            if (due[s].due != c->due[s] || audit_sla_overdue_days(&due[s]) != c->days[s] ||
                (c->due[s] && due[s].end != c->end[s]))
                fail_msg("%s: %s: due %d (want %d), %lld days (want %lld), end %d (want %d)",
                         c->name, audit_sla_step_name((audit_sla_step_t)s), due[s].due, c->due[s],
                         (long long)audit_sla_overdue_days(&due[s]), (long long)c->days[s],
                         due[s].end, c->end[s]);
            assert_int_equal(due[s].deadline, T0 + limits.ms[s]);
        }
    }
}

static void test_limits_and_days(void **state)
{
    (void)state;
    /* --ack-days 1 --measure-days 2 */
    audit_sla_limits_t limits = {.ms = {DAY, 2 * DAY}};
    audit_sla_due_t due[AUDIT_SLA_STEPS] = {{0}};
    audit_sla_check(T0, NULL, 0, AUDIT_SLA_NEVER, T0 + 2 * DAY + 1, &limits, due);
    assert_true(due[AUDIT_SLA_ACK].due);
    assert_true(due[AUDIT_SLA_MEASURE].due);
    assert_int_equal(audit_sla_overdue_days(&due[AUDIT_SLA_ACK]), 1);
    assert_int_equal(audit_sla_days_without(&due[AUDIT_SLA_ACK], T0), 2);
    assert_int_equal(audit_sla_days_without(&due[AUDIT_SLA_MEASURE], T0), 2);
    /* A warning opened at the end of time does not overflow. */
    audit_sla_check(INT64_MAX - 5, NULL, 0, AUDIT_SLA_NEVER, INT64_MAX, &limits, due);
    assert_false(due[AUDIT_SLA_ACK].due);
    assert_string_equal(audit_sla_step_name(AUDIT_SLA_MEASURE), "MEASURE");
}

static void test_detail(void **state)
{
    (void)state;
    audit_sla_limits_t limits = {.ms = {15 * DAY, 30 * DAY}};
    audit_sla_followup_t f = {.action = AUDIT_SLA_DID_ACK, .at = T0 + 18 * DAY};
    audit_sla_due_t due[AUDIT_SLA_STEPS] = {{0}};
    audit_sla_check(T0, &f, 1, AUDIT_SLA_NEVER, T0 + 40 * DAY, &limits, due);
    zs_buf_t b = {0};
    zs_buf_init(&b, 4096);
    assert_int_equal(audit_sla_detail(AUDIT_SLA_ACK, T0, limits.ms[0], &due[0], &b), ZS_OK);
    assert_string_equal(b.data, "overdue=ACK;limit_days=15;opened=2024-05-03T00:00:00.000Z;"
                                "deadline=2024-05-18T00:00:00.000Z;days_overdue=3;days_without=18;"
                                "state=late;until=2024-05-21T00:00:00.000Z");
    zs_buf_reset(&b);
    assert_int_equal(audit_sla_detail(AUDIT_SLA_MEASURE, T0, limits.ms[1], &due[1], &b), ZS_OK);
    assert_non_null(strstr(b.data, "overdue=MEASURE;limit_days=30;"));
    assert_non_null(strstr(b.data, ";days_overdue=10;days_without=40;state=still_missing;"));
    zs_buf_free(&b);
}

static void test_report(void **state)
{
    (void)state;
    audit_sla_limits_t limits = {.ms = {15 * DAY, 30 * DAY}};
    audit_sla_row_t rows[] = {
        {"451227", "W-H1-INCOME_FALL---202403", "INCOME_FALL", "H1", T0, {25, 10}},
        /* A household id the report must escape, and a resident ID number
         * that must not appear in clear wherever it came from. */
        {"451227", "W-<b>&\"x'", "NOT_ENROLLED", "11010519491231002X", T0, {-1, 0}},
    };
    zs_buf_t b = {0};
    zs_buf_init(&b, 1 << 20);
    assert_int_equal(audit_sla_report_html("451227", "凤山县", T0 + 40 * DAY, &limits, rows, 2,
                                           AUDIT_SLA_ZH, &b),
                     ZS_OK);
    assert_non_null(strstr(b.data, "<!DOCTYPE html>"));
    assert_non_null(strstr(b.data, "<html lang=\"zh-CN\">"));
    assert_non_null(strstr(b.data, "<title>督办报告 451227 凤山县</title>"));
    assert_non_null(strstr(b.data, "<th>县</th><th>预警编号</th><th>规则</th><th>户编号</th>"
                                   "<th>预警时间</th><th>未核实天数</th><th>未落实措施天数</th>"));
    assert_non_null(strstr(b.data, "<tr><td>451227</td><td>W-H1-INCOME_FALL---202403</td>"
                                   "<td>收入不增反降 (INCOME_FALL)</td><td>H1</td>"
                                   "<td>2024-05-03T00:00:00.000Z</td><td class=\"n\">25</td>"
                                   "<td class=\"n\">10</td></tr>"));
    assert_non_null(strstr(b.data, "<td>W-&lt;b&gt;&amp;&quot;x&#39;</td>"));
    assert_non_null(strstr(b.data, "<td class=\"n\"></td><td class=\"n\">0</td>"));
    assert_null(strstr(b.data, "<b>"));
    assert_null(strstr(b.data, "11010519491231002X"));
    assert_non_null(strstr(b.data, "**************002X"));
    assert_null(strstr(b.data, "http")); /* self-contained: nothing fetched */
    assert_null(strstr(b.data, "<script"));

    zs_buf_reset(&b);
    assert_int_equal(audit_sla_report_html("450102", NULL, T0, &limits, NULL, 0, AUDIT_SLA_EN, &b),
                     ZS_OK);
    assert_non_null(strstr(b.data, "<html lang=\"en\">"));
    assert_non_null(strstr(b.data, "<title>Supervision report 450102</title>"));
    assert_non_null(strstr(b.data, "No overdue warnings."));
    assert_null(strstr(b.data, "<table>"));
    zs_buf_reset(&b);
    assert_int_equal(audit_sla_report_html("450102", NULL, T0, &limits, rows, 1, AUDIT_SLA_EN, &b),
                     ZS_OK);
    assert_non_null(strstr(b.data, "<th>Days without ACK</th><th>Days without MEASURE</th>"));
    assert_non_null(strstr(b.data, "<td>INCOME_FALL</td>"));
    zs_buf_free(&b);

    /* A report larger than its buffer's limit fails, it is not cut. */
    zs_buf_init(&b, 200);
    assert_int_equal(audit_sla_report_html("450102", NULL, T0, &limits, rows, 2, AUDIT_SLA_ZH, &b),
                     ZS_ERR_OVERFLOW);
    zs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_limits_and_days),
        cmocka_unit_test(test_detail),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
