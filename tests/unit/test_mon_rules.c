/* test_mon_rules.c: the monitor's rules engine (consumers/mon_state.c,
 * consumers/mon_rules.c) against consumers/RULES.md, table by table. Each
 * row of the decision tables builds one household event by event, closes
 * quarters and sends follow-ups, and lists the exact decisions (and
 * findings) it must give; the state goes through its compact form after
 * every close, as in zs-monitor. Then: how statements stand, warning ids,
 * the compact form itself (round trip, truncations, corrupted bytes) and
 * the per-year thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mon_rules.h"
#include "mon_state.h"
#include "zs_buf.h"
#include "zs_canon.h"

#define M(y, m)  ((zs_month_t)((y)*12 + (m)-1))
#define Q(y, q)  ((zs_quarter_t)((y)*4 + (q)-1))
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS   ((int64_t)86400000)
#define ALL      (-1) /* a row's rule filter: every decision */

/* Most rows close 2024Q1: T12M is April 2023 - March 2024, the year-ago
 * window April 2022 - March 2023. */
#define FROM Q(2024, 1)

/* ---- one household under test ---- */

static mon_rules_t rules;
static mon_hh_t hh;
static mon_out_t out;
static zs_buf_t blob;
static unsigned seq;
static int64_t next_offset; /* of the next record applied */
static int problems;        /* what a row's build found wrong on the way */

/* Where each decision came from: "2024Q1" for a close, "follow" for a
 * follow-up. */
#define MAX_DECISIONS 256
static char tags[MAX_DECISIONS][ZS_PERIOD_STR_SIZE];
static size_t ntagged;

/* The member list of the next snapshot: P1, P2, ... */
static char member_ids[16][MON_ID_SIZE];
static mon_member_in_t members[16];
static size_t nmembers;

static void expect(bool ok, const char *what)
{
    if (!ok) {
        print_error("  %s\n", what);
        problems++;
    }
}

static void fresh(const char *household_id)
{
    mon_hh_clear(&hh, household_id);
    mon_out_reset(&out);
    seq = 0;
    next_offset = 0;
    nmembers = 0;
    ntagged = 0;
    problems = 0;
}

static int64_t at(zs_month_t m, int day)
{
    return mon_month_start_ms(m) + (day - 1) * DAY_MS + 10 * 3600 * 1000;
}

/* Adds P<n> to the next snapshot; returns its index. */
static size_t member(int birth_year, int labor, int disability, bool active)
{
    assert_true(nmembers < NROWS(members));
    size_t i = nmembers++;
    snprintf(member_ids[i], sizeof(member_ids[i]), "P%zu", i + 1);
    members[i] = (mon_member_in_t){
        .birth_year = birth_year, .labor = labor, .disability = disability, .active = active};
    return i;
}

static mon_applied_t snapshot(int64_t updated_at)
{
    for (size_t i = 0; i < nmembers; i++)
        members[i].person_id = member_ids[i];
    mon_applied_t a = MON_IGNORED;
    expect(mon_apply_household(&hh, "450102", 0, updated_at, members, nmembers, next_offset++,
                               &a) == ZS_OK,
           "mon_apply_household failed");
    return a;
}

/* An income statement; event_id NULL: a new one; reported on day 5 of the
 * next month unless reported_at is given. */
static mon_applied_t income(const char *event_id, zs_month_t m, int component, const char *source,
                            int64_t fen, int64_t reported_at)
{
    char id[MON_ID_SIZE];
    if (event_id == NULL)
        snprintf(id, sizeof(id), "I%04u", ++seq);
    else
        snprintf(id, sizeof(id), "%s", event_id);
    mon_applied_t a = MON_IGNORED;
    expect(mon_apply_income(&hh, id, m, component, source, fen,
                            reported_at ? reported_at : at(m + 1, 5), next_offset++, &a) == ZS_OK,
           "mon_apply_income failed");
    return a;
}

/* The same TRANSFER every month of first..last. */
static void months(zs_month_t first, zs_month_t last, int64_t fen)
{
    for (zs_month_t m = first; m <= last; m++)
        income(NULL, m, MON_TRANSFER, "civil", fen, 0);
}

/* Net income `total` over T12M(q), one TRANSFER a month (the remainder in
 * the last). */
static void window(zs_quarter_t q, int64_t total)
{
    zs_month_t first, last;
    zs_quarter_t12m(q, &first, &last);
    for (zs_month_t m = first; m <= last; m++)
        income(NULL, m, MON_TRANSFER, "civil", m < last ? total / 12 : total - 11 * (total / 12),
               0);
}

static void job(size_t person, zs_month_t m, int status, bool wants_work)
{
    char id[MON_ID_SIZE];
    snprintf(id, sizeof(id), "E%04u", ++seq);
    mon_applied_t a = MON_IGNORED;
    expect(mon_apply_job(&hh, id, member_ids[person], m, status, wants_work, at(m + 1, 3),
                         next_offset++, &a) == ZS_OK,
           "mon_apply_job failed");
}

/* person NULL: a household-level programme. */
static mon_applied_t subsidy(const char *event_id, const char *person, int program, bool paid,
                             zs_month_t m, int64_t fen, int64_t reported_at)
{
    char id[MON_ID_SIZE];
    if (event_id == NULL)
        snprintf(id, sizeof(id), "S%04u", ++seq);
    else
        snprintf(id, sizeof(id), "%s", event_id);
    mon_applied_t a = MON_IGNORED;
    expect(mon_apply_subsidy(&hh, id, person, program, paid, m, fen,
                             reported_at ? reported_at : at(m, 1), next_offset++, &a) == ZS_OK,
           "mon_apply_subsidy failed");
    return a;
}

static mon_applied_t cost(const char *event_id, zs_month_t m, int64_t fen)
{
    char id[MON_ID_SIZE];
    if (event_id == NULL)
        snprintf(id, sizeof(id), "H%04u", ++seq);
    else
        snprintf(id, sizeof(id), "%s", event_id);
    mon_applied_t a = MON_IGNORED;
    expect(mon_apply_cost(&hh, id, m, 0 /* MEDICAL */, fen, at(m, 10), next_offset++, &a) == ZS_OK,
           "mon_apply_cost failed");
    return a;
}

/* Names the decisions since the last call. */
static void tag_new(const char *tag)
{
    size_t n;
    mon_out_decisions(&out, &n);
    assert_true(n <= MAX_DECISIONS);
    for (; ntagged < n; ntagged++)
        snprintf(tags[ntagged], sizeof(tags[ntagged]), "%s", tag);
}

/* The state through its compact form and back, as zs-monitor keeps it. */
static void roundtrip(void)
{
    char id[MON_ID_SIZE], err[256] = "";
    snprintf(id, sizeof(id), "%s", hh.id);
    zs_buf_reset(&blob);
    expect(mon_hh_encode(&hh, &blob) == ZS_OK, "mon_hh_encode failed");
    expect(mon_hh_decode(&hh, id, blob.data, blob.len, err, sizeof(err)) == ZS_OK, err);
}

static void close_q(zs_quarter_t q)
{
    expect(mon_close_quarter(&rules, &hh, q, &out) == ZS_OK, "mon_close_quarter failed");
    char tag[ZS_PERIOD_STR_SIZE];
    zs_quarter_format(q, tag, sizeof(tag));
    tag_new(tag);
    roundtrip();
}

static bool follow(const char *warning_id, bool resolved, int64_t when)
{
    bool cleared = false;
    expect(mon_follow_up(&hh, warning_id, resolved, when, "F", next_offset++, &out, &cleared) ==
               ZS_OK,
           "mon_follow_up failed");
    tag_new("follow");
    roundtrip();
    return cleared;
}

/* ---- the decision tables ---- */

typedef struct row row_t;
struct row {
    const char *name;
    void (*build)(const row_t *r);
    int64_t a, b, c; /* the build's parameters */
    int year;        /* the build's year (0: 2024) */
    int rule;        /* which decisions `want` lists: a mon_rule_t or ALL */
    /* "<tag> <STATUS> <RULE> <subject> <period> <opened>" joined by "; " */
    const char *want;
    const char *findings;   /* "<FINDING> <period>[ <person>]" joined by "; "; NULL: unchecked */
    const char *warning_id; /* of the first listed decision; NULL: unchecked */
    bool has_observed;      /* evidence.observed of the first listed decision */
    int64_t observed;
    bool has_risk; /* risk of the first listed decision */
    mon_risk_t risk;
};

static int year_of(const row_t *r)
{
    return r->year ? r->year : 2024;
}

/* -- income rules -- */

/* One ORDINARY member (b > 1: b of them); year-ago T12M a, this year's c
 * (per household), closing Q1 of the row's year. */
static void incomes(const row_t *r)
{
    for (int64_t i = 0; i < (r->b > 1 ? r->b : 1); i++)
        member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    zs_quarter_t q = Q(year_of(r), 1);
    window(q - 4, r->a);
    window(q, r->c);
    close_q(q);
}

/* Inactive members are not counted: 2,000,000 over 2 active members. */
static void inactive_not_counted(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    member(1982, MON_ORDINARY, 0, true);
    member(1950, MON_NONE, 0, false);
    snapshot(1);
    window(FROM - 4, 2000000);
    window(FROM, 2000000);
    close_q(FROM);
}

/* This year's window lacks July - September 2023. */
static void current_not_covered(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    window(FROM - 4, 1000000);
    months(M(2023, 4), M(2023, 6), 10000);
    months(M(2023, 10), M(2024, 3), 10000);
    close_q(FROM);
}

/* This year's window lacks its first quarter, April - June 2023. */
static void first_quarter_not_covered(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    window(FROM - 4, 1000000);
    months(M(2023, 7), M(2024, 3), 10000);
    close_q(FROM);
}

/* The year-ago window lacks July - September 2022 (1,800,000 in the rest,
 * more than this year's 500,000). */
static void year_ago_not_covered(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    months(M(2022, 4), M(2022, 6), 200000);
    months(M(2022, 10), M(2023, 3), 200000);
    window(FROM, 500000);
    close_q(FROM);
}

/* LOW_INCOME opens at Q1; Q2 and Q3 bring no statement at all. */
static void quarter_without_data(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    window(FROM, 500000);
    close_q(FROM);
    close_q(FROM + 1);
    close_q(FROM + 2);
}

/* A registered household with no statement at all. */
static void no_data(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    close_q(FROM);
}

/* Net income below zero over T12M. */
static void negative_year(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    window(FROM - 4, 1000000);
    window(FROM, 1000000);
    income(NULL, M(2024, 1), MON_EXPENSE, "agri", 1000001, 0);
    close_q(FROM);
}

/* Year-ago T12M(2023Q4) 1,000,000, T12M(2024Q4) a: closes 2024Q4. */
static void jump(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    window(Q(2023, 4), 1000000);
    window(Q(2024, 4), r->a);
    close_q(Q(2024, 4));
}

/* The same figures every month: OPEN; the same again: nothing; a figure
 * changes: UPDATED; the condition stops: CLEARED; it holds again: a new
 * episode (a new warning id). */
static void lifecycle(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    months(M(2022, 4), M(2024, 6), 80000); /* 960,000 a year */
    months(M(2024, 7), M(2024, 9), 70000);
    months(M(2024, 10), M(2024, 12), 300000);
    months(M(2025, 1), M(2025, 9), 0);
    for (zs_quarter_t q = FROM; q <= Q(2025, 3); q++)
        close_q(q);
}

/* -- members, labour and age -- */

/* Migrant months January .. January + a - 1 of 2024, closing Q(2024, b). */
static void migrant(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    for (int64_t i = 0; i < r->a; i++)
        job(0, M(2024, 1) + (zs_month_t)i, MON_MIGRANT_OUT_PROVINCE, false);
    close_q(Q(2024, (int)r->b));
}

/* a active labour (ORDINARY), b active WEAK, c inactive WEAK. */
static void labour(const row_t *r)
{
    for (int64_t i = 0; i < r->a; i++)
        member(1980, MON_ORDINARY, 0, true);
    for (int64_t i = 0; i < r->b; i++)
        member(1980, MON_WEAK, 0, true);
    for (int64_t i = 0; i < r->c; i++)
        member(1980, MON_WEAK, 0, false);
    snapshot(1);
    close_q(FROM);
}

/* Only an inactive member; incomes that would be low. */
static void no_active_member(const row_t *r)
{
    (void)r;
    member(1940, MON_NONE, 2, false);
    snapshot(1);
    window(FROM - 4, 100);
    window(FROM, 100);
    job(0, M(2024, 2), MON_UNEMPLOYED, true);
    close_q(FROM);
}

/* The only member (WEAK) turns inactive at Q2: WEAK_LABOR clears, the
 * income warnings cannot be evaluated and stay open. */
static void last_member_leaves(const row_t *r)
{
    (void)r;
    member(1980, MON_WEAK, 0, true);
    snapshot(1);
    window(FROM, 500000);
    months(M(2024, 4), M(2024, 6), 40000);
    close_q(FROM);
    members[0].active = false;
    snapshot(2);
    close_q(FROM + 1);
}

/* Born a, disability b; c > 0: a PAID of programme c - 1 for the month
 * `year` (as YYYYMM), paid on March 20. */
static void enrolment(const row_t *r)
{
    member((int)r->a, MON_NONE, (int)r->b, true);
    snapshot(1);
    if (r->c > 0)
        subsidy(NULL, "P1", (int)r->c - 1, true, M(r->year / 100, r->year % 100), 50000,
                at(M(2024, 3), 20));
    close_q(FROM);
}

/* Born a; a statement "wants work" of status b for month c (0: February
 * 2024); year > 0: an employed (LOCAL) March. */
static void wants_work(const row_t *r)
{
    member((int)r->a, MON_ORDINARY, 0, true);
    snapshot(1);
    zs_month_t m = r->c ? (zs_month_t)r->c : M(2024, 2);
    job(0, m, (int)r->b, true);
    if (r->year > 0)
        job(0, M(2024, 3), MON_LOCAL, false);
    close_q(FROM);
}

/* At the Q2 close: "wants work" in February only (a = 0), or employed
 * (LOCAL) in February and "wants work" in May (a = 1): only Q's months count. */
static void wants_work_q2(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    job(0, M(2024, 2), r->a ? MON_LOCAL : MON_UNEMPLOYED, !r->a);
    if (r->a)
        job(0, M(2024, 5), MON_UNEMPLOYED, true);
    close_q(Q(2024, 2));
}

/* P1 (44), P2 (70, no pension): NOT_ENROLLED P2 at Q1; then a snapshot
 * where P2 is a = 1: inactive, 2: gone, 3: inactive but older (ignored). */
static void member_changes(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    member(1954, MON_NONE, 0, true);
    expect(snapshot(10) == MON_ADDED, "first snapshot: want MON_ADDED");
    close_q(FROM);
    if (r->a == 1)
        members[1].active = false;
    if (r->a == 2)
        nmembers = 1;
    if (r->a == 3)
        members[1].active = false;
    mon_applied_t a = snapshot(r->a == 3 ? 9 : 11);
    expect(a == (r->a == 3 ? MON_IGNORED : MON_REPLACED), "second snapshot: applied");
    close_q(FROM + 1);
}

/* P2 (aged 65) joins at Q2. */
static void member_joins(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    close_q(FROM);
    member(1959, MON_NONE, 0, true);
    snapshot(2);
    close_q(FROM + 1);
}

/* 1,200,000 a year throughout; a member joins (a = 1: per capita 600,000)
 * or leaves (a = 2: from two members to one) for Q2. */
static void members_per_capita(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    if (r->a == 2)
        member(1982, MON_ORDINARY, 0, true);
    snapshot(1);
    months(M(2023, 4), M(2024, 6), 100000);
    close_q(FROM);
    if (r->a == 1)
        member(1982, MON_ORDINARY, 0, true);
    else
        nmembers = 1;
    snapshot(2);
    close_q(FROM + 1);
}

/* A LOST member's migrant month. */
static void migrant_lost(const row_t *r)
{
    (void)r;
    member(1980, MON_LOST, 0, true);
    snapshot(1);
    job(0, M(2024, 2), MON_MIGRANT_IN_PROVINCE, false);
    close_q(FROM);
}

/* -- hardship costs -- */

/* 10,000,000 a month of net income: only the 2,000,000 floor can make a
 * cost large. A cost of a in February 2024. */
static void expense_floor(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    months(M(2023, 3), M(2024, 2), 10000000);
    cost(NULL, M(2024, 2), r->a);
    close_q(FROM);
}

/* 2,400,000 net income over March 2023 - February 2024, the 12 months
 * ending with the cost's month; big months just outside on either side. */
static void expense_share(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    income(NULL, M(2023, 2), MON_TRANSFER, "civil", 10000000, 0);
    months(M(2023, 3), M(2024, 2), 200000);
    income(NULL, M(2024, 3), MON_TRANSFER, "civil", 10000000, 0);
    cost(NULL, M(2024, 2), r->a);
    close_q(FROM);
}

/* Net income b over the 12 months (b < 0: an EXPENSE), a cost of a. */
static void expense_poor(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    if (r->b < 0)
        income(NULL, M(2024, 1), MON_EXPENSE, "agri", -r->b, 0);
    cost(NULL, M(2024, 2), r->a);
    close_q(FROM);
}

/* Open; a close without news; ACK, a wrong id, RESOLVED of another rule
 * change nothing; RESOLVED of its id clears it (a = 0: in May, a = 1: at
 * the last millisecond of April +08:00, a = 2: at the first of May, still
 * April in UTC); nothing reopens. */
static void expense_follow_up(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    window(FROM, 500000); /* LOW_INCOME opens too */
    cost(NULL, M(2024, 2), 2000000);
    close_q(FROM);
    close_q(FROM + 1);
    expect(!follow("W-H1-LARGE_EXPENSE---202402", false, at(M(2024, 5), 2)), "ACK cleared it");
    expect(!follow("W-H1-LARGE_EXPENSE---202403", true, at(M(2024, 5), 2)),
           "a wrong id cleared it");
    expect(!follow("W-H1-LOW_INCOME---202403", true, at(M(2024, 5), 2)),
           "RESOLVED cleared a LOW_INCOME");
    int64_t when = r->a == 1   ? mon_month_start_ms(M(2024, 5)) - 1
                   : r->a == 2 ? mon_month_start_ms(M(2024, 5))
                               : at(M(2024, 5), 10);
    expect(follow("W-H1-LARGE_EXPENSE---202402", true, when), "RESOLVED did not clear it");
    expect(!follow("W-H1-LARGE_EXPENSE---202402", true, when), "cleared twice");
    close_q(FROM + 2);
}

/* The same cost event twice, then a second large cost while open; then a
 * cost of February arriving after Q1 has closed. */
static void expense_events(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    months(M(2023, 1), M(2024, 6), 10000000);
    if (r->a == 0) {
        expect(cost("H-1", M(2024, 2), 2000000) == MON_ADDED, "cost: want MON_ADDED");
        expect(cost("H-1", M(2024, 2), 2000000) == MON_IGNORED, "repeated cost: want MON_IGNORED");
        cost("H-2", M(2024, 3), 3000000);
        close_q(FROM);
    } else {
        close_q(FROM);
        cost("H-1", M(2024, 2), 2000000);
        close_q(FROM + 1);
    }
}

/* -- subsidies -- */

/* P1 (44) with a PENSION of 100,000 due for May 2024 (or month c). */
static void due_may(zs_month_t m)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    subsidy("D-1", "P1", MON_PROGRAM_PENSION, false, m, 100000, at(m, 1));
}

static int64_t may_deadline(void)
{
    return mon_month_start_ms(M(2024, 7)); /* 2024-07-01T00:00:00+08:00 */
}

/* Paid a (0: nothing) on June 10. */
static void sub_paid(const row_t *r)
{
    due_may(M(2024, 5));
    if (r->a > 0)
        subsidy(NULL, "P1", MON_PROGRAM_PENSION, true, M(2024, 5), r->a, at(M(2024, 6), 10));
    close_q(Q(2024, 2));
}

/* 30,000 on June 10 and 30,000 at the deadline + a ms: SHORT either way,
 * observing what was paid by the deadline. */
static void sub_deadline(const row_t *r)
{
    due_may(M(2024, 5));
    subsidy(NULL, "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 30000, at(M(2024, 6), 10));
    subsidy(NULL, "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 30000, may_deadline() + r->a);
    close_q(Q(2024, 2));
}

/* 60,000 on time; 40,000 more in August clears SHORT at the Q3 close (and,
 * a second payment, opens DUPLICATE). */
static void sub_short_topped_up(const row_t *r)
{
    (void)r;
    due_may(M(2024, 5));
    subsidy(NULL, "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 60000, at(M(2024, 6), 10));
    close_q(Q(2024, 2));
    subsidy(NULL, "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 40000, at(M(2024, 8), 5));
    close_q(Q(2024, 3));
}

/* Nothing by the deadline; a payment at exactly the deadline arrives after
 * the Q2 close and clears MISSING at the Q3 close. */
static void sub_late_payment(const row_t *r)
{
    (void)r;
    due_may(M(2024, 5));
    close_q(Q(2024, 2));
    subsidy(NULL, "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 100000, may_deadline());
    close_q(Q(2024, 3));
}

/* Two payments (distinct event ids): DUPLICATE; ACK and a quarter change
 * nothing; RESOLVED in August clears it; it does not open again. */
static void sub_duplicate(const row_t *r)
{
    (void)r;
    due_may(M(2024, 5));
    subsidy("S-1", "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 100000, at(M(2024, 5), 20));
    subsidy("S-2", "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 100000, at(M(2024, 6), 3));
    close_q(Q(2024, 2));
    expect(!follow("W-H1-SUBSIDY_DUPLICATE-P1_PENSION-202405", false, at(M(2024, 7), 2)),
           "ACK cleared it");
    close_q(Q(2024, 3));
    expect(!follow("W-H1-SUBSIDY_DUPLICATE-P1_PENSION-202406", true, at(M(2024, 8), 2)),
           "a wrong id cleared it");
    expect(follow("W-H1-SUBSIDY_DUPLICATE-P1_PENSION-202405", true, at(M(2024, 8), 2)),
           "RESOLVED did not clear it");
    close_q(Q(2024, 4));
}

/* One PAID event delivered twice counts once: 60,000 of 100,000. */
static void sub_paid_twice(const row_t *r)
{
    (void)r;
    due_may(M(2024, 5));
    expect(subsidy("S-1", "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 60000, at(M(2024, 5), 20)) ==
               MON_ADDED,
           "PAID: want MON_ADDED");
    expect(subsidy("S-1", "P1", MON_PROGRAM_PENSION, true, M(2024, 5), 60000, at(M(2024, 5), 20)) ==
               MON_IGNORED,
           "repeated PAID: want MON_IGNORED");
    close_q(Q(2024, 2));
}

/* A household-level programme (DIBAO) with nothing paid. */
static void sub_household(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    subsidy("D-1", NULL, 0 /* DIBAO */, false, M(2024, 5), 50000, at(M(2024, 5), 1));
    close_q(Q(2024, 2));
}

/* An entitlement of month a, never paid; closes 2024Q1 .. Q3. */
static void sub_checked_when(const row_t *r)
{
    due_may((zs_month_t)r->a);
    for (zs_quarter_t q = Q(2024, 1); q <= Q(2024, 3); q++)
        close_q(q);
}

/* -- statements -- */

/* One member, T12M(2024Q1) 999,999: March's statement "MAR-1" is 83,336. */
static void low_by_one_fen(void)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    months(M(2023, 4), M(2024, 2), 83333);
    income("MAR-1", M(2024, 3), MON_TRANSFER, "civil", 83336, at(M(2024, 4), 5));
}

/* A later correction brings T12M to 1,000,000: the re-run of Q1 clears. */
static void correction(const row_t *r)
{
    (void)r;
    low_by_one_fen();
    close_q(FROM);
    expect(income("MAR-2", M(2024, 3), MON_TRANSFER, "civil", 83337, at(M(2024, 4), 6)) ==
               MON_REPLACED,
           "correction: want MON_REPLACED");
    close_q(FROM);
}

/* An older correction is ignored. */
static void older_correction(const row_t *r)
{
    (void)r;
    low_by_one_fen();
    expect(income("MAR-2", M(2024, 3), MON_TRANSFER, "civil", 83337, at(M(2024, 4), 4)) ==
               MON_IGNORED,
           "older correction: want MON_IGNORED");
    close_q(FROM);
}

/* Two statements of March at the same reported_at: "MAR-b" (999,999 in
 * all) stands over "MAR-a" (1,000,000) in either order (a = 1: b first). */
static void tie(const row_t *r)
{
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    months(M(2023, 4), M(2024, 2), 83333);
    int64_t when = at(M(2024, 4), 5);
    if (r->a == 0) {
        income("MAR-a", M(2024, 3), MON_TRANSFER, "civil", 83337, when);
        expect(income("MAR-b", M(2024, 3), MON_TRANSFER, "civil", 83336, when) == MON_REPLACED,
               "MAR-b after MAR-a: want MON_REPLACED");
    } else {
        income("MAR-b", M(2024, 3), MON_TRANSFER, "civil", 83336, when);
        expect(income("MAR-a", M(2024, 3), MON_TRANSFER, "civil", 83337, when) == MON_IGNORED,
               "MAR-a after MAR-b: want MON_IGNORED");
    }
    close_q(FROM);
}

/* 1,000,001 less a 1-fen EXPENSE delivered twice: 1,000,000, not low. */
static void repeated_event(const row_t *r)
{
    (void)r;
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    window(FROM, 1000001);
    income("EXP-1", M(2024, 3), MON_EXPENSE, "agri", 1, at(M(2024, 4), 5));
    expect(income("EXP-1", M(2024, 3), MON_EXPENSE, "agri", 1, at(M(2024, 4), 5)) == MON_IGNORED,
           "repeated event: want MON_IGNORED");
    close_q(FROM);
}

#define OPEN_Q1(rule)     "2024Q1 OPEN " rule " - 2024-03 2024-03"
#define OPEN_P1_Q1(rule)  "2024Q1 OPEN " rule " P1 2024-03 2024-03"
#define MAY_PENSION(what) "2024Q2 OPEN " what " P1/PENSION 2024-05 2024-05"

static const row_t cases[] = {
    /* LOW_INCOME: per capita T12M < 1,000,000 fen, floor(T12M / members). */
    {"per capita exactly 10,000 yuan is not low", incomes, .a = 1000000, .c = 1000000,
     .rule = MON_LOW_INCOME, .want = ""},
    {"1 fen under 10,000 yuan is low", incomes, .a = 999999, .c = 999999, .rule = MON_LOW_INCOME,
     .want = OPEN_Q1("LOW_INCOME"), .warning_id = "W-H1-LOW_INCOME---202403", .has_observed = true,
     .observed = 999999},
    {"floor(3,000,002 / 3) is 10,000 yuan: not low", incomes, .a = 3000002, .b = 3, .c = 3000002,
     .rule = MON_LOW_INCOME, .want = ""},
    {"floor(2,999,999 / 3) is 9,999.99 yuan: low", incomes, .a = 2999999, .b = 3, .c = 2999999,
     .rule = MON_LOW_INCOME, .want = OPEN_Q1("LOW_INCOME")},
    {"inactive members are not counted", inactive_not_counted, .rule = MON_LOW_INCOME, .want = ""},

    /* POVERTY_RISK: the monitoring line of Q's year, clamped outside the table. */
    {"2024: at the line 690,000", incomes, .c = 690000, .rule = MON_POVERTY_RISK, .want = ""},
    {"2024: 1 fen under the line", incomes, .c = 689999, .rule = MON_POVERTY_RISK,
     .want = OPEN_Q1("POVERTY_RISK")},
    {"2023: at the line 660,000", incomes, .c = 660000, .year = 2023, .rule = MON_POVERTY_RISK,
     .want = ""},
    {"2023: 1 fen under", incomes, .c = 659999, .year = 2023, .rule = MON_POVERTY_RISK,
     .want = "2023Q1 OPEN POVERTY_RISK - 2023-03 2023-03"},
    {"2022: at the line 630,000", incomes, .c = 630000, .year = 2022, .rule = MON_POVERTY_RISK,
     .want = ""},
    {"2022: 1 fen under", incomes, .c = 629999, .year = 2022, .rule = MON_POVERTY_RISK,
     .want = "2022Q1 OPEN POVERTY_RISK - 2022-03 2022-03"},
    {"2021: at the line 600,000", incomes, .c = 600000, .year = 2021, .rule = MON_POVERTY_RISK,
     .want = ""},
    {"2021: 1 fen under", incomes, .c = 599999, .year = 2021, .rule = MON_POVERTY_RISK,
     .want = "2021Q1 OPEN POVERTY_RISK - 2021-03 2021-03"},
    {"2020 takes 2021's line: at it", incomes, .c = 600000, .year = 2020, .rule = MON_POVERTY_RISK,
     .want = ""},
    {"2020 takes 2021's line: 1 fen under", incomes, .c = 599999, .year = 2020,
     .rule = MON_POVERTY_RISK, .want = "2020Q1 OPEN POVERTY_RISK - 2020-03 2020-03"},
    {"2030 takes 2024's line: at it", incomes, .c = 690000, .year = 2030, .rule = MON_POVERTY_RISK,
     .want = ""},
    {"2030 takes 2024's line: 1 fen under", incomes, .c = 689999, .year = 2030,
     .rule = MON_POVERTY_RISK, .want = "2030Q1 OPEN POVERTY_RISK - 2030-03 2030-03"},
    {"above 2023's line but under 2024's", incomes, .c = 689999, .year = 2023,
     .rule = MON_POVERTY_RISK, .want = ""},

    /* SLOW_GROWTH: P > 0, C >= P, floor((C - P) * 10000 / P) < threshold(year). */
    {"2024: growth exactly 650 bp is not slow", incomes, .a = 1000000, .c = 1065000,
     .rule = MON_SLOW_GROWTH, .want = ""},
    {"2024: 649 bp is slow", incomes, .a = 1000000, .c = 1064999, .rule = MON_SLOW_GROWTH,
     .want = OPEN_Q1("SLOW_GROWTH"), .has_observed = true, .observed = 649},
    {"2023: 700 bp", incomes, .a = 1000000, .c = 1070000, .year = 2023, .rule = MON_SLOW_GROWTH,
     .want = ""},
    {"2023: 699 bp", incomes, .a = 1000000, .c = 1069999, .year = 2023, .rule = MON_SLOW_GROWTH,
     .want = "2023Q1 OPEN SLOW_GROWTH - 2023-03 2023-03"},
    {"2022: 610 bp", incomes, .a = 1000000, .c = 1061000, .year = 2022, .rule = MON_SLOW_GROWTH,
     .want = ""},
    {"2022: 609 bp", incomes, .a = 1000000, .c = 1060999, .year = 2022, .rule = MON_SLOW_GROWTH,
     .want = "2022Q1 OPEN SLOW_GROWTH - 2022-03 2022-03"},
    {"2021: 1040 bp", incomes, .a = 1000000, .c = 1104000, .year = 2021, .rule = MON_SLOW_GROWTH,
     .want = ""},
    {"2021: 1039 bp", incomes, .a = 1000000, .c = 1103999, .year = 2021, .rule = MON_SLOW_GROWTH,
     .want = "2021Q1 OPEN SLOW_GROWTH - 2021-03 2021-03"},
    {"2030 takes 2024's 650 bp", incomes, .a = 1000000, .c = 1065000, .year = 2030,
     .rule = MON_SLOW_GROWTH, .want = ""},
    {"2030: 649 bp", incomes, .a = 1000000, .c = 1064999, .year = 2030, .rule = MON_SLOW_GROWTH,
     .want = "2030Q1 OPEN SLOW_GROWTH - 2030-03 2030-03"},
    {"growth 649.99 bp floors to 649: slow", incomes, .a = 1000001, .c = 1065001,
     .rule = MON_SLOW_GROWTH, .want = OPEN_Q1("SLOW_GROWTH"), .has_observed = true,
     .observed = 649},
    {"growth 650.009 bp floors to 650: not slow", incomes, .a = 1000001, .c = 1065002,
     .rule = MON_SLOW_GROWTH, .want = ""},
    {"no growth at all is slow", incomes, .a = 1000000, .c = 1000000, .rule = MON_SLOW_GROWTH,
     .want = OPEN_Q1("SLOW_GROWTH")},
    {"a fall is not slow growth", incomes, .a = 1200000, .c = 1199999, .rule = MON_SLOW_GROWTH,
     .want = ""},
    {"P = 0: no SLOW_GROWTH", incomes, .a = 0, .c = 500000, .rule = MON_SLOW_GROWTH, .want = ""},
    {"P < 0: no SLOW_GROWTH", incomes, .a = -120000, .c = 500000, .rule = MON_SLOW_GROWTH,
     .want = ""},

    /* INCOME_FALL: C strictly below P. */
    {"C = P - 1 falls", incomes, .a = 1200000, .c = 1199999, .rule = MON_INCOME_FALL,
     .want = OPEN_Q1("INCOME_FALL"), .has_risk = true, .risk = MON_RISK_OTHER},
    {"C = P does not fall", incomes, .a = 1200000, .c = 1200000, .rule = MON_INCOME_FALL,
     .want = ""},
    {"P = C = 0 does not fall", incomes, .a = 0, .c = 0, .rule = MON_INCOME_FALL, .want = ""},
    {"floor towards -inf: T12M -1 over 2 members is -1, below P = 0", incomes, .a = 0, .b = 2,
     .c = -1, .rule = MON_INCOME_FALL, .want = "2024Q1 OPEN INCOME_FALL - 2024-03 2024-03"},
    {"below a negative P falls", incomes, .a = -120000, .c = -120012, .rule = MON_INCOME_FALL,
     .want = OPEN_Q1("INCOME_FALL")},

    /* Coverage: a rule that cannot be evaluated changes nothing. */
    {"this year's window not covered: nothing at all", current_not_covered, .rule = ALL, .want = "",
     .findings = ""},
    {"this year's first quarter not covered: nothing at all", first_quarter_not_covered,
     .rule = ALL, .want = "", .findings = ""},
    {"year-ago window not covered: no INCOME_FALL", year_ago_not_covered, .rule = MON_INCOME_FALL,
     .want = ""},
    {"year-ago window not covered: LOW_INCOME still runs", year_ago_not_covered,
     .rule = MON_LOW_INCOME, .want = OPEN_Q1("LOW_INCOME")},
    {"quarters without data: open warnings stay open", quarter_without_data, .rule = ALL,
     .want = OPEN_Q1("LOW_INCOME") "; " OPEN_Q1("POVERTY_RISK"),
     .findings = "NO_INCOME_REPORTED 2024-06; NO_INCOME_REPORTED 2024-09"},
    {"a household with no data", no_data, .rule = ALL, .want = "",
     .findings = "NO_INCOME_REPORTED 2024-03"},

    /* Lifecycle. */
    {"OPEN, same figures, UPDATED, CLEARED, a new episode", lifecycle, .rule = MON_LOW_INCOME,
     .want = "2024Q1 OPEN LOW_INCOME - 2024-03 2024-03; "
             "2024Q3 UPDATED LOW_INCOME - 2024-09 2024-03; "
             "2024Q4 CLEARED LOW_INCOME - 2024-12 2024-03; "
             "2025Q3 OPEN LOW_INCOME - 2025-09 2025-09",
     .warning_id = "W-H1-LOW_INCOME---202403"},

    /* SHORT_WORK: migrant months Jan..Q + months left < 6. */
    {"Q3: 3 migrant months + 3 left = 6: not short", migrant, .a = 3, .b = 3,
     .rule = MON_SHORT_WORK, .want = ""},
    {"Q3: 2 + 3 = 5: short", migrant, .a = 2, .b = 3, .rule = MON_SHORT_WORK,
     .want = "2024Q3 OPEN SHORT_WORK P1 2024-09 2024-09", .has_observed = true, .observed = 5,
     .has_risk = true, .risk = MON_RISK_UNSTABLE_EMPLOYMENT},
    {"Q4: 6 migrant months: not short", migrant, .a = 6, .b = 4, .rule = MON_SHORT_WORK,
     .want = ""},
    {"Q4: 5 migrant months: short", migrant, .a = 5, .b = 4, .rule = MON_SHORT_WORK,
     .want = "2024Q4 OPEN SHORT_WORK P1 2024-12 2024-12"},
    {"Q4: no migrant month at all: not short", migrant, .a = 0, .b = 4, .rule = MON_SHORT_WORK,
     .want = ""},
    {"Q2: 1 migrant month + 6 left: not short", migrant, .a = 1, .b = 2, .rule = MON_SHORT_WORK,
     .want = ""},

    /* WEAK_LABOR: labour * 4 < active members. */
    {"1 labour of 4 active: exactly a quarter, not weak", labour, .a = 1, .b = 3,
     .rule = MON_WEAK_LABOR, .want = ""},
    {"1 labour of 5 active: weak", labour, .a = 1, .b = 4, .rule = MON_WEAK_LABOR,
     .want = OPEN_Q1("WEAK_LABOR"), .has_risk = true, .risk = MON_RISK_LABOR_SHORTAGE},
    {"2 labour of 8: not weak", labour, .a = 2, .b = 6, .rule = MON_WEAK_LABOR, .want = ""},
    {"2 labour of 9: weak", labour, .a = 2, .b = 7, .rule = MON_WEAK_LABOR,
     .want = OPEN_Q1("WEAK_LABOR")},
    {"no labour at all: weak", labour, .a = 0, .b = 1, .rule = MON_WEAK_LABOR,
     .want = OPEN_Q1("WEAK_LABOR")},
    {"inactive members do not count: 1 of 4 active", labour, .a = 1, .b = 3, .c = 2,
     .rule = MON_WEAK_LABOR, .want = ""},
    {"no active member: no rule at all", no_active_member, .rule = ALL, .want = ""},
    {"the last member leaves: WEAK_LABOR clears, income warnings stay", last_member_leaves,
     .rule = ALL,
     .want = "2024Q1 OPEN LOW_INCOME - 2024-03 2024-03; "
             "2024Q1 OPEN POVERTY_RISK - 2024-03 2024-03; "
             "2024Q1 OPEN WEAK_LABOR - 2024-03 2024-03; "
             "2024Q2 CLEARED WEAK_LABOR - 2024-06 2024-03"},

    /* NOT_ENROLLED: 60+ without PENSION, disability without DISABILITY, in Q. */
    {"aged exactly 60, no pension", enrolment, .a = 1964, .rule = MON_NOT_ENROLLED,
     .want = OPEN_P1_Q1("NOT_ENROLLED"), .warning_id = "W-H1-NOT_ENROLLED-P1-202403",
     .has_risk = true, .risk = MON_RISK_OTHER},
    {"aged 59, no pension: not 60+", enrolment, .a = 1965, .rule = MON_NOT_ENROLLED, .want = ""},
    {"aged 60, PENSION paid for February", enrolment, .a = 1964, .c = MON_PROGRAM_PENSION + 1,
     .year = 202402, .rule = MON_NOT_ENROLLED, .want = ""},
    {"aged 60, PENSION paid for December before Q", enrolment, .a = 1964,
     .c = MON_PROGRAM_PENSION + 1, .year = 202312, .rule = MON_NOT_ENROLLED,
     .want = OPEN_P1_Q1("NOT_ENROLLED")},
    {"aged 60, PENSION paid for April after Q", enrolment, .a = 1964, .c = MON_PROGRAM_PENSION + 1,
     .year = 202404, .rule = MON_NOT_ENROLLED, .want = OPEN_P1_Q1("NOT_ENROLLED")},
    {"disability without DISABILITY payment", enrolment, .a = 1980, .b = 2,
     .rule = MON_NOT_ENROLLED, .want = OPEN_P1_Q1("NOT_ENROLLED"), .has_risk = true,
     .risk = MON_RISK_DISABILITY},
    {"disability with DISABILITY paid for March", enrolment, .a = 1980, .b = 2,
     .c = MON_PROGRAM_DISABILITY + 1, .year = 202403, .rule = MON_NOT_ENROLLED, .want = ""},
    {"disability with only a PENSION paid", enrolment, .a = 1950, .b = 1,
     .c = MON_PROGRAM_PENSION + 1, .year = 202403, .rule = MON_NOT_ENROLLED,
     .want = OPEN_P1_Q1("NOT_ENROLLED"), .has_risk = true, .risk = MON_RISK_DISABILITY},

    /* NO_WORK: active, aged 16-59, wants work in a month of Q, no employed month in Q. */
    {"aged 16 wants work", wants_work, .a = 2008, .b = MON_UNEMPLOYED, .rule = MON_NO_WORK,
     .want = OPEN_P1_Q1("NO_WORK"), .has_risk = true, .risk = MON_RISK_UNSTABLE_EMPLOYMENT},
    {"aged 59 wants work", wants_work, .a = 1965, .b = MON_UNEMPLOYED, .rule = MON_NO_WORK,
     .want = OPEN_P1_Q1("NO_WORK")},
    {"aged 15: not of working age", wants_work, .a = 2009, .b = MON_UNEMPLOYED, .rule = MON_NO_WORK,
     .want = ""},
    {"aged 60: not of working age", wants_work, .a = 1964, .b = MON_UNEMPLOYED, .rule = MON_NO_WORK,
     .want = ""},
    {"an employed month in Q", wants_work, .a = 1980, .b = MON_UNEMPLOYED, .year = 1,
     .rule = MON_NO_WORK, .want = ""},
    {"wants work while employed (WORKSHOP)", wants_work, .a = 1980, .b = MON_WORKSHOP,
     .rule = MON_NO_WORK, .want = ""},
    {"wants work only in December before Q", wants_work, .a = 1980, .b = MON_UNEMPLOYED,
     .c = M(2023, 12), .rule = MON_NO_WORK, .want = ""},

    {"Q2: wanting work in February is not in Q", wants_work_q2, .a = 0, .rule = MON_NO_WORK,
     .want = ""},
    {"Q2: employed in February is not in Q", wants_work_q2, .a = 1, .rule = MON_NO_WORK,
     .want = "2024Q2 OPEN NO_WORK P1 2024-06 2024-06"},

    /* Members joining and leaving. */
    {"a member turns inactive: their warning clears", member_changes, .a = 1,
     .rule = MON_NOT_ENROLLED,
     .want = "2024Q1 OPEN NOT_ENROLLED P2 2024-03 2024-03; "
             "2024Q2 CLEARED NOT_ENROLLED P2 2024-06 2024-03"},
    /* ENGINE BUG (reported): mon_rules.c member_rules skips persons that are
     * no longer members, so their open warnings never clear. */
    {"a member leaves the snapshot: their warning clears", member_changes, .a = 2,
     .rule = MON_NOT_ENROLLED,
     .want = "2024Q1 OPEN NOT_ENROLLED P2 2024-03 2024-03; "
             "2024Q2 CLEARED NOT_ENROLLED P2 2024-06 2024-03"},
    {"an older snapshot is ignored", member_changes, .a = 3, .rule = MON_NOT_ENROLLED,
     .want = "2024Q1 OPEN NOT_ENROLLED P2 2024-03 2024-03"},
    {"a member joins", member_joins, .rule = MON_NOT_ENROLLED,
     .want = "2024Q2 OPEN NOT_ENROLLED P2 2024-06 2024-06"},
    {"a member joins: per capita halves", members_per_capita, .a = 1, .rule = MON_LOW_INCOME,
     .want = "2024Q2 OPEN LOW_INCOME - 2024-06 2024-06"},
    {"a member leaves: per capita doubles", members_per_capita, .a = 2, .rule = MON_LOW_INCOME,
     .want = OPEN_Q1("LOW_INCOME") "; 2024Q2 CLEARED LOW_INCOME - 2024-06 2024-03"},

    /* LARGE_EXPENSE. */
    {"a cost of exactly 20,000 yuan", expense_floor, .a = 2000000, .rule = MON_LARGE_EXPENSE,
     .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02",
     .warning_id = "W-H1-LARGE_EXPENSE---202402", .has_risk = true, .risk = MON_RISK_ILLNESS},
    {"1 fen under 20,000 yuan", expense_floor, .a = 1999999, .rule = MON_LARGE_EXPENSE, .want = ""},
    {"exactly 50% of the 12 months' net income", expense_share, .a = 1200000,
     .rule = MON_LARGE_EXPENSE, .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02",
     .has_observed = true, .observed = 5000},
    {"1 fen under 50%", expense_share, .a = 1199999, .rule = MON_LARGE_EXPENSE, .want = ""},
    {"no net income: any cost is large", expense_poor, .a = 1, .rule = MON_LARGE_EXPENSE,
     .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02"},
    {"negative net income: any cost is large", expense_poor, .a = 1, .b = -500000,
     .rule = MON_LARGE_EXPENSE, .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02"},
    {"no net income, a cost of 0", expense_poor, .a = 0, .rule = MON_LARGE_EXPENSE, .want = ""},
    {"cleared only by RESOLVED of its id", expense_follow_up, .rule = MON_LARGE_EXPENSE,
     .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02; "
             "follow CLEARED LARGE_EXPENSE - 2024-05 2024-02"},
    {"RESOLVED at 23:59:59.999 of April 30 (+08:00): April", expense_follow_up, .a = 1,
     .rule = MON_LARGE_EXPENSE,
     .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02; "
             "follow CLEARED LARGE_EXPENSE - 2024-04 2024-02"},
    {"RESOLVED at 00:00:00.000 of May 1 (+08:00): May", expense_follow_up, .a = 2,
     .rule = MON_LARGE_EXPENSE,
     .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02; "
             "follow CLEARED LARGE_EXPENSE - 2024-05 2024-02"},
    {"one event twice counts once; a second cost updates", expense_events, .a = 0,
     .rule = MON_LARGE_EXPENSE,
     .want = "2024Q1 OPEN LARGE_EXPENSE - 2024-02 2024-02; "
             "2024Q1 UPDATED LARGE_EXPENSE - 2024-03 2024-02"},
    {"a cost arriving after its quarter closed", expense_events, .a = 1, .rule = MON_LARGE_EXPENSE,
     .want = "2024Q2 OPEN LARGE_EXPENSE - 2024-02 2024-02"},

    /* Subsidies: a May entitlement, due by 2024-07-01T00:00+08:00, checked at Q2. */
    {"paid in full on time", sub_paid, .a = 100000, .rule = ALL, .want = ""},
    {"paid 1 fen short", sub_paid, .a = 99999, .rule = ALL, .want = MAY_PENSION("SUBSIDY_SHORT"),
     .has_observed = true, .observed = 99999},
    {"paid nothing", sub_paid, .a = 0, .rule = ALL, .want = MAY_PENSION("SUBSIDY_MISSING"),
     .warning_id = "W-H1-SUBSIDY_MISSING-P1_PENSION-202405", .has_risk = true,
     .risk = MON_RISK_OTHER},
    {"the last millisecond before the deadline is on time", sub_deadline, .a = -1,
     .rule = MON_SUBSIDY_SHORT, .want = MAY_PENSION("SUBSIDY_SHORT"), .has_observed = true,
     .observed = 60000},
    {"exactly at the deadline is late", sub_deadline, .a = 0, .rule = MON_SUBSIDY_SHORT,
     .want = MAY_PENSION("SUBSIDY_SHORT"), .has_observed = true, .observed = 30000},
    /* The top-up is a second PAID (another event_id) for the entitlement:
     * RULES.md makes that SUBSIDY_DUPLICATE too. */
    {"a late top-up clears SHORT at a later close", sub_short_topped_up, .rule = ALL,
     .want = "2024Q2 OPEN SUBSIDY_SHORT P1/PENSION 2024-05 2024-05; "
             "2024Q3 CLEARED SUBSIDY_SHORT P1/PENSION 2024-09 2024-05; "
             "2024Q3 OPEN SUBSIDY_DUPLICATE P1/PENSION 2024-05 2024-05"},
    {"a late payment clears MISSING at a later close", sub_late_payment, .rule = ALL,
     .want = "2024Q2 OPEN SUBSIDY_MISSING P1/PENSION 2024-05 2024-05; "
             "2024Q3 CLEARED SUBSIDY_MISSING P1/PENSION 2024-09 2024-05"},
    {"a duplicate, cleared by RESOLVED only", sub_duplicate, .rule = ALL,
     .want = "2024Q2 OPEN SUBSIDY_DUPLICATE P1/PENSION 2024-05 2024-05; "
             "follow CLEARED SUBSIDY_DUPLICATE P1/PENSION 2024-08 2024-05",
     .warning_id = "W-H1-SUBSIDY_DUPLICATE-P1_PENSION-202405", .has_observed = true, .observed = 2},
    {"one PAID event twice counts once", sub_paid_twice, .rule = ALL,
     .want = MAY_PENSION("SUBSIDY_SHORT"), .has_observed = true, .observed = 60000},
    {"a household-level programme: -/DIBAO", sub_household, .rule = ALL,
     .want = "2024Q2 OPEN SUBSIDY_MISSING -/DIBAO 2024-05 2024-05",
     .warning_id = "W-H1-SUBSIDY_MISSING--_DIBAO-202405"},
    {"March's entitlement is checked at Q2 (deadline April 30)", sub_checked_when, .a = M(2024, 3),
     .rule = ALL, .want = "2024Q2 OPEN SUBSIDY_MISSING P1/PENSION 2024-03 2024-03"},
    {"May's entitlement is checked at Q2 (deadline June 30)", sub_checked_when, .a = M(2024, 5),
     .rule = ALL, .want = "2024Q2 OPEN SUBSIDY_MISSING P1/PENSION 2024-05 2024-05"},
    {"June's entitlement is checked at Q3 (deadline July 31)", sub_checked_when, .a = M(2024, 6),
     .rule = ALL, .want = "2024Q3 OPEN SUBSIDY_MISSING P1/PENSION 2024-06 2024-06"},

    /* Statements. */
    {"a correction changes the outcome at the re-run", correction, .rule = MON_LOW_INCOME,
     .want = OPEN_Q1("LOW_INCOME") "; 2024Q1 CLEARED LOW_INCOME - 2024-03 2024-03"},
    {"an older correction is ignored", older_correction, .rule = MON_LOW_INCOME,
     .want = OPEN_Q1("LOW_INCOME")},
    {"a tie on reported_at: the greater event_id (arriving second)", tie, .a = 0,
     .rule = MON_LOW_INCOME, .want = OPEN_Q1("LOW_INCOME")},
    {"a tie on reported_at: the greater event_id (arriving first)", tie, .a = 1,
     .rule = MON_LOW_INCOME, .want = OPEN_Q1("LOW_INCOME")},
    {"a repeated event changes nothing", repeated_event, .rule = MON_LOW_INCOME, .want = ""},

    /* Data-quality findings. */
    {"T12M below zero", negative_year, .rule = MON_INCOME_FALL, .want = OPEN_Q1("INCOME_FALL"),
     .findings = "NEGATIVE_NET_INCOME 2024-03"},
    {"+100% at a Q4 close is a jump", jump, .a = 2000000, .rule = MON_INCOME_FALL, .want = "",
     .findings = "INCOME_JUMP 2024-12"},
    {"1 bp under +100% is not", jump, .a = 1999999, .rule = MON_INCOME_FALL, .want = "",
     .findings = ""},
    {"a LOST member's migrant month", migrant_lost, .rule = MON_NO_WORK, .want = "",
     .findings = "NO_INCOME_REPORTED 2024-03; MIGRANT_WITHOUT_LABOR 2024-02 P1"},
};

static const char *const status_names[] = {"OPEN", "UPDATED", "CLEARED"};

/* What every decision must satisfy whatever the row. */
static void check_decision(const mon_decision_t *d)
{
    char id[65];
    mon_warning_id(hh.id, d->rule, d->subject, d->opened, id);
    expect(strcmp(id, d->warning_id) == 0, "warning_id is not mon_warning_id's");
    const char *slash = strchr(d->subject, '/');
    char person[MON_SUBJECT_SIZE] = "";
    if (d->rule == MON_NO_WORK || d->rule == MON_SHORT_WORK || d->rule == MON_NOT_ENROLLED)
        memcpy(person, d->subject, sizeof(person));
    else if (slash != NULL && d->subject[0] != '-')
        memcpy(person, d->subject, (size_t)(slash - d->subject));
    expect(strcmp(person, d->person_id) == 0, "person_id does not match the subject");
}

static void decision_table(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < NROWS(cases); i++) {
        const row_t *r = &cases[i];
        fresh("H1");
        r->build(r);
        size_t n;
        const mon_decision_t *d = mon_out_decisions(&out, &n);
        char got[2048] = "";
        size_t off = 0;
        const mon_decision_t *first = NULL;
        for (size_t k = 0; k < n; k++) {
            check_decision(&d[k]);
            if (r->rule != ALL && (int)d[k].rule != r->rule)
                continue;
            first = first ? first : &d[k];
            char period[ZS_PERIOD_STR_SIZE], opened[ZS_PERIOD_STR_SIZE];
            zs_month_format(d[k].period, period, sizeof(period));
            zs_month_format(d[k].opened, opened, sizeof(opened));
            off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s %s %s %s %s %s",
                                    off ? "; " : "", tags[k], status_names[d[k].status],
                                    mon_rule_name(d[k].rule), d[k].subject, period, opened);
            assert_true(off < sizeof(got));
        }
        if (strcmp(got, r->want) != 0) {
            print_error("  decisions \"%s\",\n      want \"%s\"\n", got, r->want);
            problems++;
        }
        if (r->findings != NULL) {
            const mon_finding_t *f = mon_out_findings(&out, &n);
            char found[1024] = "";
            off = 0;
            for (size_t k = 0; k < n; k++) {
                char period[ZS_PERIOD_STR_SIZE];
                zs_month_format(f[k].period, period, sizeof(period));
                off += (size_t)snprintf(found + off, sizeof(found) - off, "%s%s %s%s%s",
                                        off ? "; " : "", mon_finding_name(f[k].kind), period,
                                        f[k].person_id[0] ? " " : "", f[k].person_id);
                assert_true(off < sizeof(found));
            }
            if (strcmp(found, r->findings) != 0) {
                print_error("  findings \"%s\", want \"%s\"\n", found, r->findings);
                problems++;
            }
        }
        if (r->warning_id != NULL)
            expect(first != NULL && strcmp(first->warning_id, r->warning_id) == 0,
                   "warning_id of the first decision");
        if (r->has_observed)
            expect(first != NULL && first->evidence.observed == r->observed,
                   "evidence.observed of the first decision");
        if (r->has_risk)
            expect(first != NULL && first->risk == r->risk, "risk of the first decision");
        if (problems > 0) {
            print_error("row %zu \"%s\": %d problem(s) above\n", i, r->name, problems);
            failed++;
        }
    }
    print_message("%zu rows\n", NROWS(cases));
    assert_int_equal(failed, 0);
}

/* ---- how statements stand (mon_apply_income) ---- */

typedef struct stmt {
    const char *event_id;
    int64_t fen;
    int64_t at;
    int want; /* a mon_applied_t; -1: not checked */
} stmt_t;

typedef struct stmt_case {
    const char *name;
    stmt_t s[4];
    int64_t fen;          /* the standing figure after them */
    const char *event_id; /* the standing event */
} stmt_case_t;

static const stmt_case_t stmt_cases[] = {
    {"a new identity", {{"A", 100, 10, MON_ADDED}}, 100, "A"},
    {"a later correction replaces",
     {{"A", 100, 10, MON_ADDED}, {"B", 200, 20, MON_REPLACED}},
     200,
     "B"},
    {"an older correction is ignored",
     {{"A", 100, 20, MON_ADDED}, {"B", 200, 10, MON_IGNORED}},
     100,
     "A"},
    {"a tie: the greater event_id arriving second",
     {{"A", 100, 10, MON_ADDED}, {"B", 200, 10, MON_REPLACED}},
     200,
     "B"},
    {"a tie: the smaller event_id arriving second",
     {{"B", 200, 10, MON_ADDED}, {"A", 100, 10, MON_IGNORED}},
     200,
     "B"},
    {"a tie is byte order: \"I10\" < \"I9\"",
     {{"I9", 200, 10, MON_ADDED}, {"I10", 100, 10, MON_IGNORED}},
     200,
     "I9"},
    {"a repeated event_id", {{"A", 100, 10, MON_ADDED}, {"A", 100, 10, MON_IGNORED}}, 100, "A"},
    {"the replaced statement and its correction delivered again",
     {{"A", 100, 10, MON_ADDED},
      {"B", 200, 20, MON_REPLACED},
      {"A", 100, 10, MON_IGNORED},
      {"B", 200, 20, MON_IGNORED}},
     200,
     "B"},
    {"a correction with the same figure stands",
     {{"A", 100, 10, MON_ADDED}, {"B", 100, 20, -1}},
     100,
     "B"},
};

static void statement_table(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < NROWS(stmt_cases); i++) {
        const stmt_case_t *c = &stmt_cases[i];
        fresh("H1");
        for (size_t k = 0; k < NROWS(c->s) && c->s[k].event_id; k++) {
            /* A statement of another identity in between must not matter. */
            income("OTHER", M(2024, 3), MON_WAGE, "civil", 7, 15);
            mon_applied_t a = income(c->s[k].event_id, M(2024, 3), MON_TRANSFER, "civil",
                                     c->s[k].fen, c->s[k].at);
            if (c->s[k].want >= 0 && (int)a != c->s[k].want) {
                print_error("  statement %zu: applied %d, want %d\n", k, (int)a, c->s[k].want);
                problems++;
            }
        }
        const mon_income_t *s = NULL;
        for (size_t k = 0; k < hh.nincomes; k++)
            if (hh.incomes[k].component == MON_TRANSFER)
                s = s ? NULL : &hh.incomes[k];
        expect(hh.nincomes == 2 && s != NULL, "want one standing TRANSFER statement");
        if (s != NULL)
            expect(s->fen == c->fen && strcmp(s->event_id, c->event_id) == 0,
                   "the standing statement");
        if (problems > 0) {
            print_error("row %zu \"%s\": %d problem(s) above\n", i, c->name, problems);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* ---- warning ids ---- */

typedef struct id_case {
    const char *household_id;
    mon_rule_t rule;
    const char *subject;
    zs_month_t opened;
    const char *want; /* the hashes: CRC-64-AVRO computed apart (Python) */
} id_case_t;

static const id_case_t id_cases[] = {
    {"H1", MON_LOW_INCOME, "-", M(2024, 3), "W-H1-LOW_INCOME---202403"},
    {"H1", MON_SUBSIDY_MISSING, "P1/PENSION", M(2024, 5), "W-H1-SUBSIDY_MISSING-P1_PENSION-202405"},
    {"H1", MON_SUBSIDY_MISSING, "-/DIBAO", M(2024, 5), "W-H1-SUBSIDY_MISSING--_DIBAO-202405"},
    {"H1", MON_NOT_ENROLLED, "a.b c+d/\xc3\xa9", M(2000, 1), "W-H1-NOT_ENROLLED-a_b_c_d___-200001"},
    {"GX-01_a", MON_NO_WORK, "GX-01_a-P2", M(2100, 12), "W-GX-01_a-NO_WORK-GX-01_a-P2-210012"},
    /* Exactly 64 characters: kept. */
    {"H0123456789012345678", MON_SUBSIDY_DUPLICATE, "P012345678/DIBAO", M(2024, 5),
     "W-H0123456789012345678-SUBSIDY_DUPLICATE-P012345678_DIBAO-202405"},
    /* 65: the first 55, '~', 8 hex digits of the whole id's CRC-64-AVRO. */
    {"H0123456789012345678", MON_SUBSIDY_DUPLICATE, "P0123456789/DIBAO", M(2024, 5),
     "W-H0123456789012345678-SUBSIDY_DUPLICATE-P0123456789_DI~1777a6cd"},
    {"GX45010200000000000000000000001", MON_SUBSIDY_DUPLICATE,
     "GX4501020000000000000000000001P3/INDUSTRY_REWARD", M(2024, 12),
     "W-GX45010200000000000000000000001-SUBSIDY_DUPLICATE-GX4~136078d3"},
    /* Replaced characters inside the kept 55 and in the hashed id. */
    {"H1", MON_SUBSIDY_DUPLICATE, "P.2345678901234567890123456789012/INDUSTRY_REWARD", M(2030, 12),
     "W-H1-SUBSIDY_DUPLICATE-P_234567890123456789012345678901~09837bec"},
};

/* The cut form from the definition, for ids longer than 64. */
static void long_id(const char *full, char out[65])
{
    uint64_t crc = zs_crc64_avro(full, strlen(full));
    snprintf(out, 65, "%.55s~%08x", full, (unsigned)(crc & 0xffffffffu));
}

static void warning_ids(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(id_cases); i++) {
        const id_case_t *c = &id_cases[i];
        char got[65];
        memset(got, 'x', sizeof(got));
        mon_warning_id(c->household_id, c->rule, c->subject, c->opened, got);
        if (strcmp(got, c->want) != 0)
            fail_msg("id row %zu: \"%s\", want \"%s\"", i, got, c->want);
        assert_true(strlen(got) <= 64);
    }
    /* The hash is zs_crc64_avro's low 32 bits, in lower-case hex. */
    char want[65];
    long_id("W-H0123456789012345678-SUBSIDY_DUPLICATE-P0123456789_DIBAO-202405", want);
    assert_string_equal(want, id_cases[6].want);
}

/* ---- what a decision rests on (Warning.sources) ---- */

/* The sources of one decision of a build: "<tag> <STATUS> <RULE>" picks
 * the first decision so named; want lists its records, each a letter for
 * its topic (h household, i income, e employment, s subsidy, c hardship,
 * f follow-up) and its offset (the helpers above number the records they
 * apply from 0), and ends in " +" when cut at MON_REFS_MAX. */
typedef struct sources_row {
    const char *name;
    void (*build)(const row_t *r);
    int64_t a, b, c;
    int year;
    const char *decision;
    const char *want;
} sources_row_t;

static const sources_row_t sources_cases[] = {
    {"INCOME_FALL: both windows, newest first", incomes, .a = 2000000, .b = 1, .c = 900000,
     .decision = "2024Q1 OPEN INCOME_FALL",
     .want = "i24 i23 i22 i21 i20 i19 i18 i17 i16 i15 i14 i13 i12 i11 i10 i9 i8 i7 i6 i5 i4 i3 "
             "i2 i1"},
    {"LOW_INCOME: this year's window", incomes, .a = 2000000, .b = 1, .c = 900000,
     .decision = "2024Q1 OPEN LOW_INCOME",
     .want = "i24 i23 i22 i21 i20 i19 i18 i17 i16 i15 i14 i13"},
    {"SUBSIDY_MISSING: the DUE", sub_late_payment, .decision = "2024Q2 OPEN SUBSIDY_MISSING",
     .want = "s1"},
    {"SUBSIDY_MISSING cleared: the DUE and the late PAID", sub_late_payment,
     .decision = "2024Q3 CLEARED SUBSIDY_MISSING", .want = "s1 s2"},
    {"SUBSIDY_MISSING of a household programme", sub_household,
     .decision = "2024Q2 OPEN SUBSIDY_MISSING", .want = "s1"},
    {"SUBSIDY_SHORT: the DUE and the PAID", sub_short_topped_up,
     .decision = "2024Q2 OPEN SUBSIDY_SHORT", .want = "s1 s2"},
    {"SUBSIDY_SHORT cleared: the DUE and both PAIDs", sub_short_topped_up,
     .decision = "2024Q3 CLEARED SUBSIDY_SHORT", .want = "s1 s2 s3"},
    {"SUBSIDY_DUPLICATE: the DUE and both PAIDs", sub_duplicate,
     .decision = "2024Q2 OPEN SUBSIDY_DUPLICATE", .want = "s1 s2 s3"},
    {"SUBSIDY_DUPLICATE resolved: the follow-up", sub_duplicate,
     .decision = "follow CLEARED SUBSIDY_DUPLICATE", .want = "f6"},
    {"LARGE_EXPENSE: the hardship record", expense_floor, .a = 2000000,
     .decision = "2024Q1 OPEN LARGE_EXPENSE", .want = "c13"},
    {"LARGE_EXPENSE resolved: the follow-up", expense_follow_up,
     .decision = "follow CLEARED LARGE_EXPENSE", .want = "f17"},
    {"NO_WORK: the quarter's statements, the snapshot", wants_work, .a = 1980, .b = MON_UNEMPLOYED,
     .decision = "2024Q1 OPEN NO_WORK", .want = "e1 h0"},
    {"NO_WORK: only the quarter's months", wants_work_q2, .a = 1, .decision = "2024Q2 OPEN NO_WORK",
     .want = "e2 h0"},
    {"SHORT_WORK: the year's statements so far", migrant, .a = 2, .b = 3,
     .decision = "2024Q3 OPEN SHORT_WORK", .want = "e2 e1 h0"},
    {"WEAK_LABOR: the snapshot", last_member_leaves, .decision = "2024Q1 OPEN WEAK_LABOR",
     .want = "h0"},
    {"WEAK_LABOR cleared: the new snapshot", last_member_leaves,
     .decision = "2024Q2 CLEARED WEAK_LABOR", .want = "h16"},
    {"NOT_ENROLLED: the snapshot and the quarter's payments", enrolment, .a = 1950, .b = 1,
     .c = MON_PROGRAM_DISABILITY + 1, .year = 202402, .decision = "2024Q1 OPEN NOT_ENROLLED",
     .want = "h0 s1"},
};

static void refs_text(const mon_decision_t *d, char *out, size_t size)
{
    static const char letters[MON_REF_KINDS] = {'h', 'i', 'e', 's', 'c', 'f'};
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->nrefs; i++) {
        assert_true(d->refs[i].kind < MON_REF_KINDS);
        off += (size_t)snprintf(out + off, size - off, "%s%c%lld", off ? " " : "",
                                letters[d->refs[i].kind], (long long)d->refs[i].offset);
        assert_true(off < size);
    }
    if (d->refs_truncated)
        snprintf(out + off, size - off, " +");
}

/* The first decision tagged, with status and rule, as "<tag> <STATUS> <RULE>". */
static const mon_decision_t *decision_named(const char *name)
{
    size_t n;
    const mon_decision_t *d = mon_out_decisions(&out, &n);
    for (size_t k = 0; k < n; k++) {
        char got[128];
        snprintf(got, sizeof(got), "%s %s %s", tags[k], status_names[d[k].status],
                 mon_rule_name(d[k].rule));
        if (strcmp(got, name) == 0)
            return &d[k];
    }
    return NULL;
}

static void sources_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(sources_cases); i++) {
        const sources_row_t *c = &sources_cases[i];
        row_t r = {.name = c->name, .a = c->a, .b = c->b, .c = c->c, .year = c->year};
        fresh("H1");
        c->build(&r);
        const mon_decision_t *d = decision_named(c->decision);
        char got[1024] = "";
        if (d != NULL)
            refs_text(d, got, sizeof(got));
        if (d == NULL || strcmp(got, c->want) != 0) {
            print_error("%s: %s sources \"%s\",\n      want \"%s\"\n", c->name, c->decision,
                        d ? got : "(no such decision)", c->want);
            problems++;
        }
    }
    assert_int_equal(problems, 0);
}

/* Two statements a month over both windows: 48 records, of which the 32
 * newest are named (month by month from the last, TRANSFER before WAGE)
 * and the cut is said; records whose offset is unknown (a state of format
 * 3) are left out without a cut. */
static void sources_bounded(void **state)
{
    (void)state;
    fresh("H1");
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    zs_month_t first, last;
    zs_quarter_t12m(FROM - 4, &first, &last);
    for (zs_month_t m = first; m <= last + 12; m++) {
        income(NULL, m, MON_WAGE, "hrss", m <= last ? 100000 : 50000, 0);
        income(NULL, m, MON_TRANSFER, "civil", 10000, 0);
    }
    close_q(FROM);
    const mon_decision_t *d = decision_named("2024Q1 OPEN INCOME_FALL");
    assert_non_null(d);
    char want[1024] = "", got[1024];
    size_t off = 0;
    for (int k = 0; k < MON_REFS_MAX; k++) { /* month i: WAGE 2i + 1, TRANSFER 2i + 2 */
        int month = 23 - k / 2;
        off += (size_t)snprintf(want + off, sizeof(want) - off, "%si%d", k ? " " : "",
                                2 * month + (k % 2 == 0 ? 2 : 1));
    }
    snprintf(want + off, sizeof(want) - off, " +");
    refs_text(d, got, sizeof(got));
    assert_string_equal(got, want);

    fresh("H1"); /* the same, every record's offset unknown */
    member(1980, MON_ORDINARY, 0, true);
    snapshot(1);
    hh.snapshot_offset = -1;
    for (zs_month_t m = first; m <= last + 12; m++) {
        mon_applied_t a;
        assert_int_equal(mon_apply_income(&hh, "W", m, MON_WAGE, "hrss", m <= last ? 100000 : 50000,
                                          at(m + 1, 5), -1, &a),
                         ZS_OK);
    }
    close_q(FROM);
    d = decision_named("2024Q1 OPEN INCOME_FALL");
    assert_non_null(d);
    assert_int_equal(d->nrefs, 0);
    assert_false(d->refs_truncated);
}

/* ---- the compact form ---- */

/* offsets: whether the records' input offsets must be equal too (b read
 * from a format without them has none). */
static void compare_hh(const mon_hh_t *a, const mon_hh_t *b, bool offsets)
{
    assert_string_equal(a->id, b->id);
    assert_int_equal(offsets ? a->snapshot_offset : -1, b->snapshot_offset);
    assert_int_equal(a->registered, b->registered);
    assert_string_equal(a->county, b->county);
    assert_int_equal(a->category, b->category);
    assert_int_equal(a->updated_at, b->updated_at);
    assert_int_equal(a->nsources, b->nsources);
    for (size_t i = 0; i < a->nsources; i++)
        assert_string_equal(a->sources[i], b->sources[i]);
    assert_int_equal(a->npersons, b->npersons);
    for (size_t i = 0; i < a->npersons; i++) {
        const mon_person_t *x = &a->persons[i], *y = &b->persons[i];
        assert_string_equal(x->id, y->id);
        assert_int_equal(x->birth_year, y->birth_year);
        assert_int_equal(x->labor, y->labor);
        assert_int_equal(x->disability, y->disability);
        assert_int_equal(x->member, y->member);
        assert_int_equal(x->active, y->active);
    }
    assert_int_equal(a->nincomes, b->nincomes);
    for (size_t i = 0; i < a->nincomes; i++) {
        const mon_income_t *x = &a->incomes[i], *y = &b->incomes[i];
        assert_int_equal(x->month, y->month);
        assert_int_equal(x->component, y->component);
        assert_int_equal(x->source, y->source);
        assert_int_equal(x->fen, y->fen);
        assert_int_equal(x->at, y->at);
        assert_int_equal(offsets ? x->offset : -1, y->offset);
        assert_string_equal(x->event_id, y->event_id);
    }
    assert_int_equal(a->njobs, b->njobs);
    for (size_t i = 0; i < a->njobs; i++) {
        const mon_job_t *x = &a->jobs[i], *y = &b->jobs[i];
        assert_int_equal(x->month, y->month);
        assert_int_equal(x->person, y->person);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->wants_work, y->wants_work);
        assert_int_equal(x->at, y->at);
        assert_int_equal(offsets ? x->offset : -1, y->offset);
        assert_string_equal(x->event_id, y->event_id);
    }
    assert_int_equal(a->nsubsidies, b->nsubsidies);
    for (size_t i = 0; i < a->nsubsidies; i++) {
        const mon_subsidy_t *x = &a->subsidies[i], *y = &b->subsidies[i];
        assert_int_equal(x->month, y->month);
        assert_int_equal(x->person, y->person);
        assert_int_equal(x->program, y->program);
        assert_int_equal(x->paid, y->paid);
        assert_int_equal(x->resolved, y->resolved);
        assert_int_equal(x->fen, y->fen);
        assert_int_equal(x->at, y->at);
        assert_int_equal(offsets ? x->offset : -1, y->offset);
        assert_string_equal(x->event_id, y->event_id);
    }
    assert_int_equal(a->ncosts, b->ncosts);
    for (size_t i = 0; i < a->ncosts; i++) {
        const mon_cost_t *x = &a->costs[i], *y = &b->costs[i];
        assert_int_equal(x->month, y->month);
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->judged, y->judged);
        assert_int_equal(x->fen, y->fen);
        assert_int_equal(x->at, y->at);
        assert_int_equal(offsets ? x->offset : -1, y->offset);
        assert_string_equal(x->event_id, y->event_id);
    }
    assert_int_equal(a->nepisodes, b->nepisodes);
    for (size_t i = 0; i < a->nepisodes; i++) {
        const mon_episode_t *x = &a->episodes[i], *y = &b->episodes[i];
        assert_int_equal(x->rule, y->rule);
        assert_string_equal(x->subject, y->subject);
        assert_int_equal(x->opened, y->opened);
        assert_int_equal(x->evidence, y->evidence);
    }
    assert_int_equal(a->nnoted, b->nnoted);
    for (size_t i = 0; i < a->nnoted; i++) {
        assert_int_equal(a->noted[i].kind, b->noted[i].kind);
        assert_int_equal(a->noted[i].period, b->noted[i].period);
        assert_string_equal(a->noted[i].person_id, b->noted[i].person_id);
    }
}

static void assert_same_hh(const mon_hh_t *a, const mon_hh_t *b)
{
    compare_hh(a, b, true);
}

#define HID "GX0101"

/* A state with every kind of record: persons with ids that share the
 * household id's prefix (all of it, part of it, none of it) or not, a
 * non-member, incomes of two sources with negative figures, times with and
 * without milliseconds and before their month, jobs of several persons
 * (months going back between persons), DUE and PAID, person and household
 * subsidies, a resolved duplicate, judged and unjudged costs, and open
 * episodes. */
static int64_t rich_offset(void)
{
    next_offset += 977 + next_offset % 5; /* other records of the partition between */
    return next_offset;
}

static void rich_state(void)
{
    fresh(HID);
    static const char *const ids[] = {HID "-P1", "Q7", "G9", HID};
    mon_member_in_t in[4];
    for (size_t i = 0; i < 4; i++)
        in[i] = (mon_member_in_t){.person_id = ids[i],
                                  .birth_year = 1950 + 20 * (int)i,
                                  .labor = (int)i,
                                  .disability = (int)i % 5,
                                  .active = i != 2};
    mon_applied_t a = MON_IGNORED;
    assert_int_equal(mon_apply_household(&hh, "045010", 3, 1719792000123, in, 4, rich_offset(), &a),
                     ZS_OK);
    for (zs_month_t m = M(2022, 12); m <= M(2024, 8); m++) {
        char id[MON_ID_SIZE];
        snprintf(id, sizeof(id), HID "-I%d", m);
        /* Whole seconds, milliseconds, before the month: in turn. */
        int64_t when = m % 3 == 0   ? at(m + 1, 5)
                       : m % 3 == 1 ? at(m + 1, 5) + 123
                                    : mon_month_start_ms(m) - 1500;
        assert_int_equal(
            mon_apply_income(&hh, id, m, MON_TRANSFER, "civil", 60000 + m, when, rich_offset(), &a),
            ZS_OK);
        snprintf(id, sizeof(id), "%s%d", m % 2 ? "x" : "GX99-", m);
        assert_int_equal(mon_apply_income(&hh, id, m, MON_EXPENSE, "agri", m % 2 ? -7 : 5,
                                          mon_month_start_ms(m) - 2000, rich_offset(), &a),
                         ZS_OK);
    }
    for (int p = 3; p >= 0; p--)
        for (zs_month_t m = M(2024, 1); m <= M(2024, 6); m++) {
            char id[MON_ID_SIZE];
            snprintf(id, sizeof(id), "E%d-%d", p, m);
            assert_int_equal(mon_apply_job(&hh, id, ids[p], m, (m + p) % MON_STATUSES, m % 2,
                                           at(m + 1, 2) + p, rich_offset(), &a),
                             ZS_OK);
        }
    assert_int_equal(mon_apply_job(&hh, "E-9", HID "-P9", M(2024, 2), MON_LOCAL, true,
                                   at(M(2024, 3), 1), -1, &a),
                     ZS_OK);
    /* Subsidies: a duplicate for May (resolved below), a missing household
     * DIBAO for April, an on-time pension in June. */
    assert_int_equal(mon_apply_subsidy(&hh, "D1", ids[0], MON_PROGRAM_PENSION, false, M(2024, 5),
                                       20000, at(M(2024, 5), 1), rich_offset(), &a),
                     ZS_OK);
    assert_int_equal(mon_apply_subsidy(&hh, HID "-S1", ids[0], MON_PROGRAM_PENSION, true,
                                       M(2024, 5), 20000, at(M(2024, 5), 9) + 7, rich_offset(), &a),
                     ZS_OK);
    assert_int_equal(mon_apply_subsidy(&hh, HID "-S2", ids[0], MON_PROGRAM_PENSION, true,
                                       M(2024, 5), 20000, at(M(2024, 6), 9), rich_offset(), &a),
                     ZS_OK);
    assert_int_equal(mon_apply_subsidy(&hh, "D2", NULL, 0, false, M(2024, 4), 50000,
                                       at(M(2024, 4), 1), rich_offset(), &a),
                     ZS_OK);
    assert_int_equal(mon_apply_subsidy(&hh, "D3", ids[1], MON_PROGRAM_DISABILITY, false, M(2024, 2),
                                       9000, at(M(2024, 2), 1), rich_offset(), &a),
                     ZS_OK);
    assert_int_equal(mon_apply_cost(&hh, HID "-C1", M(2024, 2), 1, 5000000, at(M(2024, 2), 3),
                                    rich_offset(), &a),
                     ZS_OK);
    assert_int_equal(
        mon_apply_cost(&hh, "C2", M(2024, 8), 4, 100, at(M(2024, 8), 3), rich_offset(), &a), ZS_OK);
    assert_int_equal(mon_close_quarter(&rules, &hh, Q(2024, 1), &out), ZS_OK);
    assert_int_equal(mon_close_quarter(&rules, &hh, Q(2024, 2), &out), ZS_OK);
    char id[65];
    mon_warning_id(HID, MON_SUBSIDY_DUPLICATE, HID "-P1/PENSION", M(2024, 5), id);
    bool cleared = false;
    assert_int_equal(
        mon_follow_up(&hh, id, true, at(M(2024, 7), 2), "F1", rich_offset(), &out, &cleared),
        ZS_OK);
    assert_true(cleared);
    /* findings written: noted once each, in (period, kind, person) order */
    zs_err_t err = ZS_OK;
    assert_true(mon_hh_note(&hh, MON_INCOME_JUMP, M(2024, 6), NULL, &err));
    assert_true(mon_hh_note(&hh, MON_MIGRANT_WITHOUT_LABOR, M(2024, 3), "Q7", &err));
    assert_true(mon_hh_note(&hh, MON_NO_INCOME_REPORTED, M(2024, 3), NULL, &err));
    assert_false(mon_hh_note(&hh, MON_INCOME_JUMP, M(2024, 6), "", &err));
    assert_int_equal(err, ZS_OK);
    assert_int_equal(hh.nnoted, 3);
    assert_true(hh.noted[0].period == M(2024, 3) && hh.noted[2].period == M(2024, 6));
}

static void state_roundtrip(void **state)
{
    (void)state;
    rich_state();
    /* The state has what the test says it has. */
    bool resolved = false, judged = false, unjudged = false, household = false, ms = false,
         secs = false, nonmember = false;
    for (size_t i = 0; i < hh.nsubsidies; i++) {
        resolved |= hh.subsidies[i].resolved;
        household |= hh.subsidies[i].person < 0;
    }
    for (size_t i = 0; i < hh.ncosts; i++) {
        judged |= hh.costs[i].judged;
        unjudged |= !hh.costs[i].judged;
    }
    for (size_t i = 0; i < hh.nincomes; i++) {
        int64_t d = hh.incomes[i].at - mon_month_start_ms(hh.incomes[i].month);
        ms |= d % 1000 != 0;
        secs |= d % 1000 == 0;
    }
    for (size_t i = 0; i < hh.npersons; i++)
        nonmember |= !hh.persons[i].member;
    assert_true(resolved && judged && unjudged && household && ms && secs && nonmember);
    assert_true(hh.nepisodes >= 3);
    bool back_in_time = false; /* a negative month delta */
    for (size_t i = 1; i < hh.njobs; i++)
        back_in_time |= hh.jobs[i].month < hh.jobs[i - 1].month;
    assert_true(back_in_time);

    zs_buf_reset(&blob);
    assert_int_equal(mon_hh_encode(&hh, &blob), ZS_OK);
    mon_hh_t back;
    mon_hh_init(&back);
    char err[256] = "";
    assert_int_equal(mon_hh_decode(&back, HID, blob.data, blob.len, err, sizeof(err)), ZS_OK);
    assert_same_hh(&hh, &back);
    /* Encoding again gives the same bytes. */
    zs_buf_t again;
    zs_buf_init(&again, (size_t)1 << 20);
    assert_int_equal(mon_hh_encode(&back, &again), ZS_OK);
    assert_int_equal(again.len, blob.len);
    assert_memory_equal(again.data, blob.data, blob.len);
    /* A household with nothing (no snapshot) too. */
    mon_hh_clear(&hh, "H2");
    zs_buf_reset(&blob);
    assert_int_equal(mon_hh_encode(&hh, &blob), ZS_OK);
    assert_int_equal(mon_hh_decode(&back, "H2", blob.data, blob.len, err, sizeof(err)), ZS_OK);
    assert_same_hh(&hh, &back);
    zs_buf_free(&again);
    mon_hh_free(&back);
}

/* The compact form is versioned: format 2 (before the noted findings) and
 * format 3 (before the input offsets) are still read, their records'
 * offsets unknown (-1); a format this build does not know is refused,
 * saying which; so is an offset before -1. */
static void state_formats(void **state)
{
    (void)state;
    rich_state();
    hh.nnoted = 0;
    /* Every offset unknown: the last section is then one byte (a difference
     * of 0) per record and one for the snapshot. */
    hh.snapshot_offset = -1;
    for (size_t i = 0; i < hh.nincomes; i++)
        hh.incomes[i].offset = -1;
    for (size_t i = 0; i < hh.njobs; i++)
        hh.jobs[i].offset = -1;
    for (size_t i = 0; i < hh.nsubsidies; i++)
        hh.subsidies[i].offset = -1;
    for (size_t i = 0; i < hh.ncosts; i++)
        hh.costs[i].offset = -1;
    zs_buf_reset(&blob);
    assert_int_equal(mon_hh_encode(&hh, &blob), ZS_OK);
    unsigned char *b = (unsigned char *)blob.data;
    size_t v3_len = blob.len - (1 + hh.nincomes + hh.njobs + hh.nsubsidies + hh.ncosts);
    assert_int_equal(b[0], 4);
    assert_int_equal(b[v3_len - 1], 0); /* no noted findings */
    mon_hh_t back;
    mon_hh_init(&back);
    char err[256] = "";
    assert_int_equal(mon_hh_decode(&back, HID, blob.data, blob.len, err, sizeof(err)), ZS_OK);
    assert_same_hh(&hh, &back);
    rich_state(); /* offsets known, to see that formats 2 and 3 forget them */
    hh.nnoted = 0;
    zs_buf_t canonical;
    zs_buf_init(&canonical, 1 << 20);
    assert_int_equal(mon_hh_encode(&hh, &canonical), ZS_OK); /* puts hh in canonical order */
    zs_buf_free(&canonical);
    b[0] = 3; /* format 3: the same bytes without the offsets */
    assert_int_equal(mon_hh_decode(&back, HID, blob.data, v3_len, err, sizeof(err)), ZS_OK);
    compare_hh(&hh, &back, false);
    b[0] = 2; /* format 2: without the noted findings either */
    assert_int_equal(mon_hh_decode(&back, HID, blob.data, v3_len - 1, err, sizeof(err)), ZS_OK);
    compare_hh(&hh, &back, false);
    b[0] = 5;
    assert_int_equal(mon_hh_decode(&back, HID, blob.data, blob.len, err, sizeof(err)),
                     ZS_ERR_CORRUPT);
    assert_non_null(strstr(err, "state format 5, this build reads 2-4"));
    b[0] = 4;
    b[blob.len - 1] = 9; /* the last cost's offset: -1 - 5 */
    assert_int_equal(mon_hh_decode(&back, HID, blob.data, blob.len, err, sizeof(err)),
                     ZS_ERR_CORRUPT);
    assert_non_null(strstr(err, "input offset out of range"));
    mon_hh_free(&back);
}

static void expect_corrupt(const void *data, size_t len, const char *what)
{
    mon_hh_t x;
    mon_hh_init(&x);
    /* A copy of exactly len bytes, so that reading past it is caught. */
    unsigned char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, data, len);
    char err[256] = "";
    zs_err_t rc = mon_hh_decode(&x, HID, copy, len, err, sizeof(err));
    if (rc != ZS_ERR_CORRUPT)
        fail_msg("%s: decode gave %d, want ZS_ERR_CORRUPT", what, (int)rc);
    assert_true(err[0] != '\0');
    assert_true(x.npersons == 0 && x.nincomes == 0 && x.njobs == 0 && x.nsubsidies == 0 &&
                x.ncosts == 0 && x.nepisodes == 0 && !x.registered);
    free(copy);
    mon_hh_free(&x);
}

static void state_truncated(void **state)
{
    (void)state;
    rich_state();
    zs_buf_reset(&blob);
    assert_int_equal(mon_hh_encode(&hh, &blob), ZS_OK);
    for (size_t len = 0; len < blob.len; len++) {
        char what[64];
        snprintf(what, sizeof(what), "the first %zu of %zu bytes", len, blob.len);
        expect_corrupt(blob.data, len, what);
    }
    /* One byte too many. */
    assert_int_equal(zs_buf_add(&blob, "", 1), ZS_OK);
    expect_corrupt(blob.data, blob.len, "a byte after the state");
}

/* Hand-made encodings: the empty state with one thing wrong. */
static void put_var(zs_buf_t *b, uint64_t v)
{
    do {
        unsigned char c = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            c |= 0x80;
        assert_int_equal(zs_buf_add(b, &c, 1), ZS_OK);
    } while (v);
}

static void put_sig(zs_buf_t *b, int64_t v)
{
    put_var(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_text(zs_buf_t *b, const char *s)
{
    put_var(b, strlen(s));
    assert_int_equal(zs_buf_add(b, s, strlen(s)), ZS_OK);
}

typedef enum {
    BAD_NONE,
    BAD_VERSION,
    BAD_COUNTY,
    BAD_VARINT,
    BAD_COUNT,
    BAD_SOURCES,
    BAD_COMPONENT,
    BAD_SOURCE,
    BAD_MONTH,
    BAD_PREFIX,
    BAD_ID_LENGTH,
    BAD_JOB_PERSON,
    BAD_STATUS,
    BAD_SUBSIDY_PERSON,
    BAD_PROGRAM,
    BAD_COST_KIND,
    BAD_RULE,
    BAD_SUBJECT_LENGTH,
    BAD_KINDS
} bad_t;

static const char *const bad_names[BAD_KINDS] = {
    "none",
    "format version 3",
    "county 1000000",
    "an 11-byte varint",
    "a count beyond the bytes",
    "33 sources",
    "income component 5",
    "income source 1 of 1",
    "month out of range",
    "id prefix longer than the household id",
    "an id of 33 characters",
    "job of person 1 of 1",
    "employment status 8",
    "subsidy of person 2 of 1",
    "programme 11",
    "cost kind 5",
    "episode rule 12",
    "subject of 64 characters",
};

/* Builds an encoding: one source, one person, one of each record. */
static void build_bad(zs_buf_t *b, bad_t bad)
{
    zs_buf_reset(b);
    put_var(b, bad == BAD_VERSION ? 3 : 2); /* the format version */
    put_var(b, 1);                          /* registered */
    put_var(b, bad == BAD_COUNTY ? 1000000 : 450102);
    put_var(b, 0);
    if (bad == BAD_VARINT) { /* updated_at */
        for (int i = 0; i < 10; i++)
            assert_int_equal(zs_buf_add(b, "\xff", 1), ZS_OK);
        put_var(b, 1);
    } else {
        put_sig(b, 1719792000000);
    }
    if (bad == BAD_SOURCES) {
        put_var(b, 33);
        for (int i = 0; i < 33; i++)
            put_text(b, "s");
    } else {
        put_var(b, 1);
        put_text(b, "civil");
    }
    put_var(b, bad == BAD_COUNT ? 1000 : 1); /* persons */
    put_var(b, 2);                           /* shares "GX" */
    put_text(b, "-P1");
    put_sig(b, 1980);
    put_var(b, 1u << 4 | 1);
    put_var(b, 1);
    put_var(b, 1); /* incomes */
    put_sig(b, bad == BAD_MONTH ? (int64_t)ZS_YEAR_MAX * 12 + 12 : M(2024, 3));
    put_var(b, (uint64_t)(bad == BAD_SOURCE ? 1 : 0) << 3 | (bad == BAD_COMPONENT ? 5 : 3));
    put_sig(b, 1000);
    put_var(b, 2);
    put_var(b, bad == BAD_PREFIX ? 7 : 6);
    put_text(b, bad == BAD_ID_LENGTH ? "-I123456789012345678901234567" : "-I1");
    put_var(b, 1); /* jobs */
    put_var(b, bad == BAD_JOB_PERSON ? 1 : 0);
    put_sig(b, M(2024, 2));
    put_var(b, (uint64_t)(bad == BAD_STATUS ? MON_STATUSES : MON_LOCAL) << 1 | 1);
    put_var(b, 0);
    put_var(b, 0);
    put_text(b, "E1");
    put_var(b, 1); /* subsidies */
    put_sig(b, M(2024, 5));
    put_var(b, bad == BAD_SUBSIDY_PERSON ? 2 : 0);
    put_var(b, (uint64_t)(bad == BAD_PROGRAM ? MON_PROGRAMS : 0) << 2);
    put_sig(b, 5000);
    put_var(b, 0);
    put_var(b, 0);
    put_text(b, "D1");
    put_var(b, 1); /* costs */
    put_sig(b, M(2024, 2));
    put_var(b, (uint64_t)(bad == BAD_COST_KIND ? MON_COST_KINDS : 0) << 1);
    put_sig(b, 100);
    put_var(b, 0);
    put_var(b, 0);
    put_text(b, "C1");
    put_var(b, 1); /* episodes */
    put_var(b, bad == BAD_RULE ? MON_RULES : MON_LOW_INCOME);
    put_text(b, bad == BAD_SUBJECT_LENGTH
                    ? "P1234567890123456789012345678901/INDUSTRY_REWARD0123456789012345"
                    : "-");
    put_sig(b, M(2024, 3));
    put_var(b, 12345);
}

static void state_corrupt(void **state)
{
    (void)state;
    zs_buf_t b;
    zs_buf_init(&b, (size_t)1 << 20);
    mon_hh_t x;
    mon_hh_init(&x);
    char err[256] = "";
    build_bad(&b, BAD_NONE);
    assert_int_equal(mon_hh_decode(&x, HID, b.data, b.len, err, sizeof(err)), ZS_OK);
    assert_int_equal(x.nepisodes, 1);
    assert_string_equal(x.incomes[0].event_id, "GX0101-I1");
    int failed = 0;
    for (int bad = BAD_NONE + 1; bad < BAD_KINDS; bad++) {
        build_bad(&b, (bad_t)bad);
        unsigned char *copy = malloc(b.len);
        assert_non_null(copy);
        memcpy(copy, b.data, b.len);
        zs_err_t rc = mon_hh_decode(&x, HID, copy, b.len, err, sizeof(err));
        free(copy);
        if (rc != ZS_ERR_CORRUPT) {
            /* ENGINE BUG (reported) for "episode rule 12": not checked. */
            print_error("corrupt row \"%s\": decode gave %d, want ZS_ERR_CORRUPT\n", bad_names[bad],
                        (int)rc);
            failed++;
        }
    }
    /* Every byte of a real state flipped in a few ways: an error or a
     * state, never a crash (run under ASan and UBSan). */
    rich_state();
    zs_buf_reset(&blob);
    assert_int_equal(mon_hh_encode(&hh, &blob), ZS_OK);
    static const unsigned char flips[] = {0x01, 0x40, 0x80, 0xff};
    size_t corrupt = 0;
    for (size_t i = 0; i < blob.len; i++)
        for (size_t f = 0; f < NROWS(flips); f++) {
            unsigned char *copy = malloc(blob.len);
            assert_non_null(copy);
            memcpy(copy, blob.data, blob.len);
            copy[i] ^= flips[f];
            zs_err_t rc = mon_hh_decode(&x, HID, copy, blob.len, err, sizeof(err));
            assert_true(rc == ZS_OK || rc == ZS_ERR_CORRUPT);
            corrupt += rc == ZS_ERR_CORRUPT;
            free(copy);
        }
    print_message("%zu of %zu flipped states rejected\n", corrupt, blob.len * NROWS(flips));
    mon_hh_free(&x);
    zs_buf_free(&b);
    assert_int_equal(failed, 0);
}

/* ---- per-year thresholds ---- */

typedef struct year_case {
    const char *text;
    zs_err_t want;
    int years[6];      /* probes (0 ends) */
    int64_t values[6]; /* what mon_by_year gives */
} year_case_t;

static const year_case_t year_cases[] = {
    {MON_SLOW_GROWTH_DEFAULT,
     ZS_OK,
     {2021, 2022, 2023, 2024, 2000, 2100},
     {1040, 610, 700, 650, 1040, 650}},
    {MON_MONITORING_LINE_DEFAULT,
     ZS_OK,
     {2020, 2021, 2022, 2023, 2024, 2025},
     {600000, 600000, 630000, 660000, 690000, 690000}},
    {"2021:5,2024:8", ZS_OK, {2021, 2022, 2023, 2024, 2025, 2020}, {5, 5, 5, 8, 8, 5}},
    {"2024:650", ZS_OK, {2000, 2024, 2100}, {650, 650, 650}},
    {"2021:0,2022:3", ZS_OK, {2021, 2022}, {0, 3}},
    {"", ZS_ERR_INVALID, {0}, {0}},
    {"2022:1,2021:2", ZS_ERR_INVALID, {0}, {0}},
    {"2022:1,2022:2", ZS_ERR_INVALID, {0}, {0}},
    {"2021:-5", ZS_ERR_INVALID, {0}, {0}},
    {"2021:1,2022:-1", ZS_ERR_INVALID, {0}, {0}},
    {"1999:1", ZS_ERR_INVALID, {0}, {0}},
    {"2021:1,2061:2", ZS_ERR_INVALID, {0}, {0}},
    {"2021", ZS_ERR_PARSE, {0}, {0}},
    {"2021:", ZS_ERR_PARSE, {0}, {0}},
    {"x:1", ZS_ERR_PARSE, {0}, {0}},
    {":1", ZS_ERR_PARSE, {0}, {0}},
    {"2021:1;2022:2", ZS_ERR_PARSE, {0}, {0}},
    {"2021:1x", ZS_ERR_PARSE, {0}, {0}},
    {"2021: 5", ZS_ERR_PARSE, {0}, {0}},
    {"2021:5,,2022:6", ZS_ERR_PARSE, {0}, {0}},
    {"2021:99999999999999999999", ZS_ERR_PARSE, {0}, {0}},
};

static void by_year(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(year_cases); i++) {
        const year_case_t *c = &year_cases[i];
        mon_by_year_t t;
        char err[256] = "";
        zs_err_t rc = mon_by_year_parse(c->text, &t, err, sizeof(err));
        if (rc != c->want)
            fail_msg("\"%s\": %d (%s), want %d", c->text, (int)rc, err, (int)c->want);
        if (rc != ZS_OK) {
            assert_true(err[0] != '\0');
            continue;
        }
        for (size_t k = 0; k < NROWS(c->years) && c->years[k]; k++)
            if (mon_by_year(&t, c->years[k]) != c->values[k])
                fail_msg("\"%s\": year %d gives %lld, want %lld", c->text, c->years[k],
                         (long long)mon_by_year(&t, c->years[k]), (long long)c->values[k]);
    }
    /* The defaults are RULES.md's. */
    mon_rules_t r;
    mon_rules_default(&r);
    assert_int_equal(r.low_income_fen, 1000000);
    assert_int_equal(r.migrant_months, 6);
    assert_int_equal(r.labour_share_bp, 2500);
    assert_int_equal(r.large_expense_fen, 2000000);
    assert_int_equal(r.large_expense_share_bp, 5000);
    assert_int_equal(r.jump_bp, 10000);
}

static int setup(void **state)
{
    (void)state;
    mon_rules_default(&rules);
    mon_hh_init(&hh);
    mon_out_init(&out);
    zs_buf_init(&blob, (size_t)1 << 20);
    return 0;
}

/* Regression: signed overflow in the rules. Amounts near INT64_MAX (which
 * zs-monitor now refuses at its door, but the rules must stay defined on
 * anything) wrapped the T12M sum negative: a NEGATIVE_NET_INCOME finding and
 * an INCOME_FALL for the richest household there is, and undefined
 * behaviour in (c - p) * 10000 and a cost's share (UBSan aborts). Now the
 * sums saturate: no income warning, and LARGE_EXPENSE's share is defined. */
static void signed_overflow_in_the_rules(void **state)
{
    (void)state;
    fresh("H1");
    member(1980, MON_ORDINARY, 0, true);
    snapshot(at(M(2022, 1), 1));
    window(FROM - 4, 1200000);
    window(FROM, 1200000);
    income(NULL, M(2023, 6), MON_WAGE, "hrss", INT64_MAX / 2 + 1, 0);
    income(NULL, M(2023, 7), MON_WAGE, "hrss", INT64_MAX / 2 + 1, 0);
    income(NULL, M(2023, 8), MON_OPERATING, "agri", INT64_MAX, 0);
    cost(NULL, M(2024, 2), INT64_MAX / 3);
    close_q(FROM);
    size_t n;
    const mon_decision_t *d = mon_out_decisions(&out, &n);
    bool large = false;
    for (size_t k = 0; k < n; k++) {
        expect(d[k].rule != MON_INCOME_FALL && d[k].rule != MON_SLOW_GROWTH &&
                   d[k].rule != MON_LOW_INCOME,
               "an income warning for a household with saturated income");
        if (d[k].rule == MON_LARGE_EXPENSE) {
            large = true;
            expect(d[k].evidence.observed >= 0, "LARGE_EXPENSE's share below 0");
        }
    }
    expect(large, "no LARGE_EXPENSE for a cost of INT64_MAX / 3");
    const mon_finding_t *f = mon_out_findings(&out, &n);
    for (size_t k = 0; k < n; k++)
        expect(f[k].kind != MON_NEGATIVE_NET_INCOME, "NEGATIVE_NET_INCOME from a wrapped sum");
    assert_int_equal(problems, 0);
}

static int teardown(void **state)
{
    (void)state;
    zs_buf_free(&blob);
    mon_out_free(&out);
    mon_hh_free(&hh);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decision_table),
        cmocka_unit_test(statement_table),
        cmocka_unit_test(warning_ids),
        cmocka_unit_test(sources_table),
        cmocka_unit_test(sources_bounded),
        cmocka_unit_test(state_roundtrip),
        cmocka_unit_test(state_truncated),
        cmocka_unit_test(state_corrupt),
        cmocka_unit_test(state_formats),
        cmocka_unit_test(by_year),
        cmocka_unit_test(signed_overflow_in_the_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
