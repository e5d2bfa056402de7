/* test_desk_store.c: zs-desk's read model (consumers/desk_store.c): the
 * upsert of warnings with their history, follow-ups and audit lines, replays
 * that add nothing, offsets that commit and roll back with the rows they
 * produced, users, the per-county figures, and a database of another format
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "desk_store.h"

#define DAY (86400000LL)

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/test_desk_store.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[80];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    return 0;
}

static desk_store_t *open_ok(void)
{
    desk_store_t *st = NULL;
    char errstr[256];
    if (desk_store_open(path, &st, errstr, sizeof(errstr)) != ZS_OK)
        fail_msg("open: %s", errstr);
    return st;
}

static notify_warning_t warning(const char *id, const char *hh, const char *county, int status,
                                int64_t at)
{
    notify_warning_t w = {.warning_id = id,
                          .household_id = hh,
                          .county_code = county,
                          .rule = NOTIFY_RULE_INCOME_FALL,
                          .severity = NOTIFY_SEVERITY_HIGH,
                          .status = (notify_status_t)status,
                          .risk = NOTIFY_RISK_OTHER,
                          .year = 2024,
                          .month = 6,
                          .opened_year = 2024,
                          .opened_month = 6,
                          .has_t12m = true,
                          .t12m_fen = 950000,
                          .members_active = 3,
                          .ncomponents = 1,
                          .threshold_unit = NOTIFY_UNIT_NONE,
                          .program = NOTIFY_PROGRAM_NONE,
                          .detail = "top_fall=\"WAGE\"",
                          .threshold_source = "",
                          .ruleset_version = "2024.1",
                          .emitted_at = at};
    w.components[0] = (notify_component_t){.component = NOTIFY_COMPONENT_WAGE,
                                           .current_fen = 100,
                                           .has_previous = true,
                                           .previous_fen = 200};
    return w;
}

#define OK(call)                                                                                   \
    do {                                                                                           \
        if ((call) != ZS_OK)                                                                       \
            fail_msg("%s: %s", #call, errstr);                                                     \
    } while (0)

static size_t history(desk_store_t *st, const char *wid, zs_buf_t *b)
{
    char errstr[256];
    assert_int_equal(desk_store_history(st, wid, b, errstr, sizeof(errstr)), ZS_OK);
    return b->len / sizeof(desk_event_t);
}

static void test_upsert_history_offsets(void **state)
{
    (void)state;
    char errstr[256];
    desk_store_t *st = open_ok();
    const int64_t t0 = 1700000000000;
    notify_warning_t w = warning("W-1", "H1", "451227", 0, t0);
    assert_int_equal(desk_store_offset(st, "zs.warnings", 0), -1);
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    OK(desk_store_apply_warning(st, &w, "zs.warnings/0/10", errstr, sizeof(errstr)));
    OK(desk_store_set_offset(st, "zs.warnings", 0, 11, errstr, sizeof(errstr)));
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    /* A crash in the middle of the next batch: rows and offsets go together. */
    notify_warning_t w2 = warning("W-2", "H2", "451227", 0, t0);
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    OK(desk_store_apply_warning(st, &w2, "zs.warnings/0/11", errstr, sizeof(errstr)));
    OK(desk_store_set_offset(st, "zs.warnings", 0, 12, errstr, sizeof(errstr)));
    desk_store_close(st); /* no commit: as if killed */
    st = open_ok();
    desk_row_t r;
    assert_int_equal(desk_store_offset(st, "zs.warnings", 0), 11);
    assert_int_equal(desk_store_row(st, "W-2", &r), ZS_ERR_NOT_FOUND);
    assert_int_equal(desk_store_row(st, "W-1", &r), ZS_OK);
    assert_string_equal(r.county_code, "451227");
    assert_int_equal(r.opened_at, t0);
    assert_int_equal(r.acked_at, -1);
    assert_non_null(strstr(r.evidence, "\"t12m\":950000"));
    assert_non_null(strstr(r.evidence, "\"detail\":\"top_fall=\\\"WAGE\\\"\""));
    assert_non_null(strstr(r.evidence, "[0,100,200]"));
    /* The resumed batch, then the same record again (replay after a crash
     * between a Kafka read and our commit cannot happen, but a replay must
     * still add nothing). */
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    OK(desk_store_apply_warning(st, &w2, "zs.warnings/0/11", errstr, sizeof(errstr)));
    OK(desk_store_apply_warning(st, &w2, "zs.warnings/0/11", errstr, sizeof(errstr)));
    /* An update a quarter later: the state changes, the opening stays. */
    notify_warning_t u = warning("W-1", "H1", "451227", 1, t0 + 90 * DAY);
    u.month = 9;
    OK(desk_store_apply_warning(st, &u, "zs.warnings/0/12", errstr, sizeof(errstr)));
    OK(desk_store_set_offset(st, "zs.warnings", 0, 13, errstr, sizeof(errstr)));
    /* Follow-ups, one of them twice (the same event id), and one for a
     * warning not read yet. */
    desk_followup_t ack = {.event_id = "e1",
                           .household_id = "H1",
                           .warning_id = "W-1",
                           .note = "",
                           .officer_id = "o1",
                           .action = DESK_ACTION_ACK,
                           .measure = DESK_MEASURE_NONE,
                           .at = t0 + 3 * DAY};
    desk_followup_t mea = {.event_id = "e2",
                           .household_id = "H1",
                           .warning_id = "W-1",
                           .note = "n",
                           .officer_id = "o1",
                           .action = DESK_ACTION_MEASURE,
                           .measure = DESK_MEASURE_EMPLOYMENT,
                           .at = t0 + 40 * DAY};
    desk_followup_t early = {.event_id = "e3",
                             .household_id = "H3",
                             .warning_id = "W-3",
                             .note = "",
                             .officer_id = "o1",
                             .action = DESK_ACTION_ACK,
                             .measure = DESK_MEASURE_NONE,
                             .at = t0 + DAY};
    OK(desk_store_apply_followup(st, &ack, errstr, sizeof(errstr)));
    OK(desk_store_apply_followup(st, &ack, errstr, sizeof(errstr)));
    OK(desk_store_apply_followup(st, &mea, errstr, sizeof(errstr)));
    OK(desk_store_apply_followup(st, &early, errstr, sizeof(errstr)));
    OK(desk_store_apply_audit(st, "W-1", "H1", "NOTIFICATION_SENT", "zs-notify", "ok", t0 + 1,
                              "zs-notify/x", 4, errstr, sizeof(errstr)));
    OK(desk_store_apply_audit(st, "W-1", "H1", "NOTIFICATION_SENT", "zs-notify", "ok", t0 + 1,
                              "zs-notify/x", 4, errstr, sizeof(errstr)));
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    assert_int_equal(desk_store_offset(st, "zs.warnings", 0), 13);
    assert_int_equal(desk_store_row(st, "W-1", &r), ZS_OK);
    assert_int_equal(r.opened_at, t0);
    assert_int_equal(r.updated_at, t0 + 90 * DAY);
    assert_int_equal(r.month, 9);
    assert_int_equal(r.status, 1);
    assert_int_equal(r.acked_at, t0 + 3 * DAY);
    assert_int_equal(r.measured_at, t0 + 40 * DAY);
    assert_false(r.escalated);
    zs_buf_t b;
    zs_buf_init(&b, 1 << 20);
    assert_int_equal(history(st, "W-1", &b), 5); /* OPEN, audit, ACK, MEASURE, UPDATED */
    const desk_event_t *ev = (const desk_event_t *)b.data;
    assert_string_equal(ev[0].kind, "OPEN");
    assert_string_equal(ev[1].kind, "NOTIFICATION_SENT");
    assert_string_equal(ev[2].kind, "ACK");
    assert_string_equal(ev[2].actor, "o1");
    assert_string_equal(ev[3].kind, "MEASURE");
    assert_int_equal(ev[3].measure, DESK_MEASURE_EMPLOYMENT);
    assert_string_equal(ev[4].kind, "UPDATED");
    assert_int_equal(history(st, "W-2", &b), 1);
    /* The follow-up that came first counts once its warning arrives. */
    notify_warning_t w3 = warning("W-3", "H3", "451226", 0, t0);
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    OK(desk_store_apply_warning(st, &w3, "zs.warnings/1/0", errstr, sizeof(errstr)));
    OK(desk_store_apply_audit(st, "W-3", "H3", "ESCALATION", "zs-audit sla", "overdue=MEASURE",
                              t0 + 31 * DAY, "zs-audit/sla", 0, errstr, sizeof(errstr)));
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    assert_int_equal(desk_store_row(st, "W-3", &r), ZS_OK);
    assert_int_equal(r.acked_at, t0 + DAY);
    assert_true(r.escalated);
    zs_buf_free(&b);
    desk_store_close(st);
}

static void test_rows_and_stats(void **state)
{
    (void)state;
    char errstr[256];
    desk_store_t *st = open_ok();
    const int64_t t0 = 1700000000000;
    const struct {
        const char *id, *hh, *county;
        int severity, status;
        int64_t opened, acked;
    } ws[] = {
        {"A", "H1", "451227", 1, 0, t0, t0 + 15 * DAY},       /* acked on the last day */
        {"B", "H1", "451227", 2, 0, t0 + DAY, -1},            /* most severe */
        {"C", "H2", "451227", 1, 0, t0 - DAY, t0 + 20 * DAY}, /* acked late */
        {"D", "H3", "451227", 1, 2, t0, -1},                  /* cleared: not open */
        {"E", "H4", "451226", 2, 0, t0, -1},                  /* another county */
        {"F", "H5", "451327", 2, 0, t0, -1},                  /* another city */
    };
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
        notify_warning_t w = warning(ws[i].id, ws[i].hh, ws[i].county, ws[i].status, ws[i].opened);
        w.severity = (notify_severity_t)ws[i].severity;
        char src[32];
        snprintf(src, sizeof(src), "zs.warnings/0/%zu", i);
        OK(desk_store_apply_warning(st, &w, src, errstr, sizeof(errstr)));
        if (ws[i].acked >= 0) {
            desk_followup_t f = {.event_id = ws[i].id,
                                 .household_id = ws[i].hh,
                                 .warning_id = ws[i].id,
                                 .note = "",
                                 .officer_id = "o",
                                 .action = DESK_ACTION_ACK,
                                 .measure = DESK_MEASURE_NONE,
                                 .at = ws[i].acked};
            OK(desk_store_apply_followup(st, &f, errstr, sizeof(errstr)));
        }
    }
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    zs_buf_t b;
    zs_buf_init(&b, 1 << 20);
    desk_filter_t f = {.scope = "451227", .rule = -1, .risk = -1, .state = -1, .open_only = true};
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    const desk_row_t *r = (const desk_row_t *)b.data;
    /* Most severe first, then the nearest deadline: C and A are acked, so
     * their MEASURE deadlines (C's first) order them. */
    assert_int_equal(b.len / sizeof(desk_row_t), 3);
    assert_string_equal(r[0].warning_id, "B");
    assert_string_equal(r[1].warning_id, "C");
    assert_string_equal(r[2].warning_id, "A");
    /* A city sees its counties; a county code as scope never sees another. */
    f.scope = "4512";
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    assert_int_equal(b.len / sizeof(desk_row_t), 4);
    /* A scope that is not digits matches nothing (no LIKE wildcards). */
    f.scope = "%";
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    assert_int_equal(b.len, 0);
    /* Filters: awaiting ACK; a household; everything of a household. */
    f.scope = "45";
    f.state = 0;
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    assert_int_equal(b.len / sizeof(desk_row_t), 3); /* B, E, F */
    f.state = -1;
    f.household = "H1";
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    assert_int_equal(b.len / sizeof(desk_row_t), 2);
    f.household = "H3";
    f.open_only = false;
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    assert_int_equal(b.len / sizeof(desk_row_t), 1);
    /* Plan item 35 per county and quarter: A within 15 days, C not. */
    OK(desk_store_stats(st, "4512", 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    const desk_stat_t *s = (const desk_stat_t *)b.data;
    assert_int_equal(b.len / sizeof(desk_stat_t), 2);
    assert_string_equal(s[0].county_code, "451226");
    assert_string_equal(s[1].county_code, "451227");
    assert_int_equal(s[1].year, 2024);
    assert_int_equal(s[1].quarter, 2);
    assert_int_equal(s[1].warnings, 4);
    assert_int_equal(s[1].open, 3);
    assert_int_equal(s[1].acked_in_time, 1);
    assert_int_equal(s[1].measured_in_time, 0);
    /* The inbox's counts: A, B, C open, A and C acknowledged; at day 17 B's
     * ACK is overdue (due day 16), at day 31 A's and C's MEASURE too (B's is
     * due exactly then: not overdue yet). */
    desk_counts_t c;
    f = (desk_filter_t){.scope = "451227", .rule = -1, .risk = -1, .state = -1, .open_only = true};
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0 + 17 * DAY, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.open, 3);
    assert_int_equal(c.acked, 2);
    assert_int_equal(c.ack_late, 1);
    assert_int_equal(c.measure_late, 0);
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0 + 31 * DAY, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.measure_late, 2);
    /* Filters apply to the counts as to the rows. */
    f.state = 0;
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.open, 1);
    f.scope = "%";
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.open, 0);
    /* Where the households live (zs.household): the township and village
     * filters, and the households per county of the overview. */
    const char *hs[][4] = {{"H1", "451227", "T1", "V1"},
                           {"H2", "451227", "T1", "V2"},
                           {"H9", "451227", "T2", "V9"}, /* no warning */
                           {"H4", "451226", "T1", "V1"}};
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    for (size_t i = 0; i < 4; i++)
        OK(desk_store_apply_household(st, hs[i][0], hs[i][1], hs[i][2], hs[i][3], errstr,
                                      sizeof(errstr)));
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    f = (desk_filter_t){.scope = "451227", .rule = -1, .risk = -1, .state = -1, .open_only = true};
    f.township = "T1";
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.open, 3); /* A, B (H1), C (H2) */
    f.village = "V2";
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    assert_int_equal(b.len / sizeof(desk_row_t), 1);
    assert_string_equal(((const desk_row_t *)b.data)[0].warning_id, "C");
    f.township = "T2";
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.open, 0);
    /* A later snapshot moves H2: the latest wins. */
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    OK(desk_store_apply_household(st, "H2", "451227", "T1", "V1", errstr, sizeof(errstr)));
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    f.township = NULL;
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.open, 0);
    OK(desk_store_stats(st, "4512", 15 * DAY, 30 * DAY, &b, errstr, sizeof(errstr)));
    s = (const desk_stat_t *)b.data;
    assert_string_equal(s[0].county_code, "451226");
    assert_int_equal(s[0].households, 1);
    assert_int_equal(s[1].households, 3);
    zs_buf_free(&b);
    desk_store_close(st);
}

/* Regression (inbox counts stopped at 2000): the inbox read at most 2000
 * rows and counted those. With 2,500 open warnings in one county the counts
 * say 2,500, and pages of 200 show each warning once, in the order of the
 * whole list. */
static void test_inbox_counts_past_one_page(void **state)
{
    (void)state;
    char errstr[256], id[32], src[32];
    enum { N = 2500, PER = 200 };
    desk_store_t *st = open_ok();
    const int64_t t0 = 1700000000000;
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    for (int i = 0; i < N + 10; i++) {
        snprintf(id, sizeof(id), "W-%05d", i);
        snprintf(src, sizeof(src), "zs.warnings/0/%d", i);
        notify_warning_t w = warning(id, "H1", i < N ? "451227" : "451226", 0, t0 + (i % 97) * DAY);
        w.severity = (notify_severity_t)(i % 3);
        OK(desk_store_apply_warning(st, &w, src, errstr, sizeof(errstr)));
    }
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    desk_filter_t f = {.scope = "451227", .rule = -1, .risk = -1, .state = -1, .open_only = true};
    desk_counts_t c;
    OK(desk_store_counts(st, &f, 15 * DAY, 30 * DAY, t0, &c, errstr, sizeof(errstr)));
    assert_int_equal(c.open, N);
    zs_buf_t all, page;
    zs_buf_init(&all, 1 << 30);
    zs_buf_init(&page, 1 << 30);
    OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &all, errstr, sizeof(errstr)));
    assert_int_equal(all.len / sizeof(desk_row_t), N);
    const desk_row_t *a = (const desk_row_t *)all.data;
    size_t seen = 0;
    f.limit = PER;
    for (f.offset = 0; f.offset < N + PER; f.offset += PER) {
        OK(desk_store_rows(st, &f, 15 * DAY, 30 * DAY, &page, errstr, sizeof(errstr)));
        const desk_row_t *r = (const desk_row_t *)page.data;
        size_t n = page.len / sizeof(desk_row_t);
        assert_true(n <= PER);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(r[i].warning_id, a[seen + i].warning_id);
        seen += n;
    }
    assert_int_equal(seen, N);
    zs_buf_free(&all);
    zs_buf_free(&page);
    desk_store_close(st);
}

/* The income targets per county and quarter: a LOW_INCOME warning counts
 * from the quarter it opened to the one whose record cleared it (not
 * included); INCOME_FALL and SLOW_GROWTH count as below the region's
 * growth; other rules only widen the quarters shown. */
static void test_trend(void **state)
{
    (void)state;
    char errstr[256];
    desk_store_t *st = open_ok();
    const struct {
        const char *id, *hh, *county;
        notify_rule_t rule;
        int status, opened_month, month;
    } ws[] = {
        {"LI1", "H1", "451227", NOTIFY_RULE_LOW_INCOME, 1, 3, 6},   /* open Q1, still */
        {"LI2", "H2", "451227", NOTIFY_RULE_LOW_INCOME, 2, 3, 6},   /* open Q1, cleared Q2 */
        {"SG1", "H3", "451227", NOTIFY_RULE_SLOW_GROWTH, 0, 6, 6},  /* open Q2 */
        {"IF1", "H4", "451226", NOTIFY_RULE_INCOME_FALL, 0, 3, 3},  /* open Q1, still */
        {"WL1", "H1", "451227", NOTIFY_RULE_WEAK_LABOR, 0, 12, 12}, /* 2023Q4 */
        {"LI9", "H9", "451327", NOTIFY_RULE_LOW_INCOME, 0, 3, 3},   /* another city */
    };
    OK(desk_store_begin(st, errstr, sizeof(errstr)));
    for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
        notify_warning_t w = warning(ws[i].id, ws[i].hh, ws[i].county, ws[i].status, 1);
        w.rule = ws[i].rule;
        w.opened_year = ws[i].opened_month == 12 ? 2023 : 2024;
        w.year = ws[i].month == 12 ? 2023 : 2024;
        w.opened_month = ws[i].opened_month;
        w.month = ws[i].month;
        char src[32];
        snprintf(src, sizeof(src), "zs.warnings/0/%zu", i);
        OK(desk_store_apply_warning(st, &w, src, errstr, sizeof(errstr)));
    }
    const char *hs[][2] = {
        {"H1", "451227"}, {"H2", "451227"}, {"H3", "451227"}, {"H4", "451226"}, {"H9", "451327"}};
    for (size_t i = 0; i < 5; i++)
        OK(desk_store_apply_household(st, hs[i][0], hs[i][1], "T", "V", errstr, sizeof(errstr)));
    OK(desk_store_commit(st, errstr, sizeof(errstr)));
    zs_buf_t b;
    zs_buf_init(&b, 1 << 20);
    OK(desk_store_trend(st, "4512", &b, errstr, sizeof(errstr)));
    const desk_trend_t *t = (const desk_trend_t *)b.data;
    assert_int_equal(b.len / sizeof(desk_trend_t), 6);
    const struct {
        const char *county;
        int year, quarter;
        int64_t households, low, below;
    } want[] = {{"451226", 2023, 4, 1, 0, 0}, {"451226", 2024, 1, 1, 0, 1},
                {"451226", 2024, 2, 1, 0, 1}, {"451227", 2023, 4, 3, 0, 0},
                {"451227", 2024, 1, 3, 2, 0}, {"451227", 2024, 2, 3, 1, 1}};
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(t[i].county_code, want[i].county);
        assert_int_equal(t[i].year, want[i].year);
        assert_int_equal(t[i].quarter, want[i].quarter);
        assert_int_equal(t[i].households, want[i].households);
        assert_int_equal(t[i].low_income, want[i].low);
        assert_int_equal(t[i].below_growth, want[i].below);
    }
    /* Nothing in scope: no rows. */
    OK(desk_store_trend(st, "4501", &b, errstr, sizeof(errstr)));
    assert_int_equal(b.len, 0);
    zs_buf_free(&b);
    desk_store_close(st);
}

static void count_user(const desk_user_t *u, void *arg)
{
    (void)u;
    (*(int *)arg)++;
}

static void test_users(void **state)
{
    (void)state;
    char errstr[256];
    desk_store_t *st = open_ok();
    desk_user_t u = {.login = "officer1",
                     .role = DESK_ROLE_OFFICER,
                     .scope = "451227",
                     .hash = "$argon2id$x",
                     .created_at = 1};
    OK(desk_store_user_add(st, &u, errstr, sizeof(errstr)));
    assert_int_equal(desk_store_user_add(st, &u, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_non_null(strstr(errstr, "exists"));
    desk_user_t got;
    assert_int_equal(desk_store_user_get(st, "officer1", &got), ZS_OK);
    assert_string_equal(got.scope, "451227");
    assert_string_equal(got.hash, "$argon2id$x");
    assert_false(got.disabled);
    OK(desk_store_user_disable(st, "officer1", errstr, sizeof(errstr)));
    assert_int_equal(desk_store_user_get(st, "officer1", &got), ZS_OK);
    assert_true(got.disabled);
    assert_int_equal(desk_store_user_disable(st, "nobody", errstr, sizeof(errstr)),
                     ZS_ERR_NOT_FOUND);
    assert_int_equal(desk_store_user_get(st, "nobody", &got), ZS_ERR_NOT_FOUND);
    int n = 0;
    OK(desk_store_user_each(st, count_user, &n));
    assert_int_equal(n, 1);
    desk_store_close(st);
}

static void test_format_refused(void **state)
{
    (void)state;
    char errstr[256];
    desk_store_close(open_ok());
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE meta SET value=2 WHERE key='format'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    desk_store_t *st = NULL;
    assert_int_equal(desk_store_open(path, &st, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_null(st);
    assert_non_null(strstr(errstr, "format 2"));
    assert_int_equal(desk_store_open("/nonexistent/dir/desk.db", &st, errstr, sizeof(errstr)),
                     ZS_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upsert_history_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_and_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inbox_counts_past_one_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
