/* test_sim_truth.c: zs-simulate's ground truth (producers/sim_truth.c) on
 * hand-built households, one table row per boundary of consumers/RULES.md:
 * each row builds a household and lists the months in which episodes of
 * one (rule, subject) open over the span. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim_gen.h"
#include "sim_household.h"
#include "sim_truth.h"
#include "zs_idno.h"

#define M(y, m)  ((zs_month_t)((y)*12 + (m)-1))
#define Q(y, q)  ((zs_quarter_t)((y)*4 + (q)-1))
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* Every row's span starts here: T12M(2024Q1) is April 2023 - March 2024,
 * the year-ago window April 2022 - March 2023. */
#define FROM Q(2024, 1)

static sim_household_t hh;
static unsigned seq;

static void fresh(void)
{
    sim_household_reset(&hh);
    snprintf(hh.household_id, sizeof(hh.household_id), "H1");
    seq = 0;
}

static void auto_id(char *out, char letter)
{
    snprintf(out, SIM_ID_SIZE, "%c%u", letter, ++seq);
}

/* A member P<index+1>. */
static void member(int birth_year, sim_labor_t labor, int disability, bool active)
{
    size_t n;
    sim_members(&hh, &n);
    sim_member_t m = {.birth_year = birth_year,
                      .labor = labor,
                      .disability = disability,
                      .active = active,
                      .sex = 'M'};
    snprintf(m.person_id, sizeof(m.person_id), "P%zu", n + 1);
    assert_int_equal(sim_household_add_member(&hh, &m), ZS_OK);
}

static int64_t at(zs_month_t m, int day)
{
    return sim_time_make(zs_month_year(m), zs_month_month(m), day, 10, 0, 0);
}

/* An income statement; event_id NULL: a new one. Reported on day 5 of the
 * next month unless reported_ms is given. */
static void income_stmt(const char *event_id, zs_month_t m, sim_component_t c, const char *source,
                        int64_t fen, int64_t reported_ms)
{
    sim_income_t x = {.month = m, .component = c, .source = source, .fen = fen};
    x.reported_ms = reported_ms ? reported_ms : at(m + 1, 5);
    if (event_id)
        snprintf(x.event_id, sizeof(x.event_id), "%s", event_id);
    else
        auto_id(x.event_id, 'I');
    assert_int_equal(sim_household_add_income(&hh, &x), ZS_OK);
}

/* Net income `total` over the 12 months of T12M(q), one TRANSFER a month
 * (the remainder in the last). */
static void window(zs_quarter_t q, int64_t total)
{
    zs_month_t first, last;
    zs_quarter_t12m(q, &first, &last);
    for (zs_month_t m = first; m <= last; m++)
        income_stmt(NULL, m, SIM_TRANSFER, "civil",
                    m < last ? total / 12 : total - 11 * (total / 12), 0);
}

static void months(zs_month_t first, zs_month_t last, sim_component_t c, int64_t fen)
{
    for (zs_month_t m = first; m <= last; m++)
        income_stmt(NULL, m, c, "civil", fen, 0);
}

static void job(int member, zs_month_t m, sim_status_t s, bool wants)
{
    sim_job_t j = {.member = member,
                   .month = m,
                   .status = s,
                   .wants_work = wants,
                   .reported_ms = at(m + 1, 3)};
    auto_id(j.event_id, 'E');
    assert_int_equal(sim_household_add_job(&hh, &j), ZS_OK);
}

static void subsidy(const char *event_id, int member, sim_program_t p, bool paid, zs_month_t m,
                    int64_t fen, int64_t reported_ms)
{
    sim_subsidy_t s = {.member = member, .program = p, .paid = paid, .month = m, .fen = fen};
    s.reported_ms = reported_ms ? reported_ms : at(m, paid ? 20 : 1);
    if (event_id)
        snprintf(s.event_id, sizeof(s.event_id), "%s", event_id);
    else
        auto_id(s.event_id, 'S');
    assert_int_equal(sim_household_add_subsidy(&hh, &s), ZS_OK);
}

static void cost(const char *event_id, zs_month_t m, int64_t fen)
{
    sim_cost_t x = {.month = m, .kind = SIM_MEDICAL, .fen = fen, .reported_ms = at(m, 10)};
    if (event_id)
        snprintf(x.event_id, sizeof(x.event_id), "%s", event_id);
    else
        auto_id(x.event_id, 'H');
    assert_int_equal(sim_household_add_cost(&hh, &x), ZS_OK);
}

/* One member, year-ago and current per-capita T12M at 2024Q1. */
static void one_member_growth(int64_t p, int64_t c)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, p);
    window(FROM, c);
}

/* ---- the rows' households ---- */

static void low_exact(void)
{
    one_member_growth(1000000, 1000000);
}
static void low_one_fen(void)
{
    one_member_growth(999999, 999999);
}
static void low_floor_three(void)
{
    /* 3,000,002 / 3 = 1,000,000.67: the floor is exactly 10,000 yuan. */
    member(1980, SIM_ORDINARY, 0, true);
    member(1982, SIM_ORDINARY, 0, true);
    member(2010, SIM_NONE, 0, true);
    window(FROM - 4, 3000002);
    window(FROM, 3000002);
}
static void low_floor_three_below(void)
{
    member(1980, SIM_ORDINARY, 0, true);
    member(1982, SIM_ORDINARY, 0, true);
    member(2010, SIM_NONE, 0, true);
    window(FROM - 4, 2999999);
    window(FROM, 2999999);
}
static void low_inactive_not_counted(void)
{
    /* 2,000,000 over 2 active members is 10,000 each; the inactive third
     * would make it 6,666.66. */
    member(1980, SIM_ORDINARY, 0, true);
    member(1982, SIM_ORDINARY, 0, true);
    member(1950, SIM_NONE, 0, false);
    window(FROM - 4, 2000000);
    window(FROM, 2000000);
}
static void growth_at_threshold(void)
{
    one_member_growth(1000000, 1065000); /* 2024: 650 bp exactly */
}
static void growth_below_threshold(void)
{
    one_member_growth(1000000, 1064999); /* 649 bp */
}
static void fall_one_fen(void)
{
    one_member_growth(1200000, 1199999);
}
static void no_fall_equal(void)
{
    one_member_growth(1200000, 1200000);
}
static void poverty_line(void)
{
    one_member_growth(690000, 690000); /* 2024 monitoring line */
}
static void poverty_below(void)
{
    one_member_growth(689999, 689999);
}
static void year_ago_not_covered(void)
{
    /* The year-ago window lacks July-September 2022: no fall, no growth. */
    member(1980, SIM_ORDINARY, 0, true);
    months(M(2022, 4), M(2022, 6), SIM_TRANSFER, 200000);
    months(M(2022, 10), M(2023, 3), SIM_TRANSFER, 200000);
    window(FROM, 900000);
}
static void window_not_covered(void)
{
    /* Nothing in October-December 2023: no income rule at all. */
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1200000);
    months(M(2023, 4), M(2023, 9), SIM_TRANSFER, 10000);
    months(M(2024, 1), M(2024, 3), SIM_TRANSFER, 10000);
}
static void zero_statement_covers(void)
{
    /* A statement of 0.00 still covers its quarter. */
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1200000);
    months(M(2023, 4), M(2023, 9), SIM_TRANSFER, 10000);
    months(M(2023, 10), M(2023, 12), SIM_TRANSFER, 0);
    months(M(2024, 1), M(2024, 3), SIM_TRANSFER, 10000);
}
static void sources_add_up(void)
{
    /* Two sources of WAGE for one month add up to 10,000 yuan. */
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1000000);
    window(FROM, 900000);
    income_stmt(NULL, M(2024, 3), SIM_WAGE, "hrss", 60000, 0);
    income_stmt(NULL, M(2024, 3), SIM_WAGE, "survey", 40000, 0);
}
static void expense_subtracts(void)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1000000);
    window(FROM, 1000000);
    income_stmt(NULL, M(2024, 2), SIM_EXPENSE, "agri", 1, 0);
}

/* A correction: 5,000 yuan of EXPENSE replaced by 0 reported later, or the
 * other way round. */
static void correction(bool wrong_first, bool tie)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1000000);
    window(FROM, 1000000);
    int64_t t1 = at(M(2024, 4), 5), t2 = tie ? t1 : at(M(2024, 4), 15);
    /* Arrival order is the array order: the replacement comes first. */
    income_stmt("E2", M(2024, 3), SIM_EXPENSE, "agri", wrong_first ? 0 : 500000, t2);
    income_stmt("E1", M(2024, 3), SIM_EXPENSE, "agri", wrong_first ? 500000 : 0, t1);
}
static void correction_replaces(void)
{
    correction(true, false);
}
static void correction_later_stands(void)
{
    correction(false, false);
}
static void correction_tie_greater_id(void)
{
    correction(true, true); /* E2 > E1 stands: 0 */
}
static void repeated_event_id_ignored(void)
{
    /* The same event_id again, even with another figure and a later
     * reported_at, is the same event: the first stays. */
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1000000);
    window(FROM, 1000000);
    income_stmt("X1", M(2024, 3), SIM_EXPENSE, "agri", 0, at(M(2024, 4), 5));
    income_stmt("X1", M(2024, 3), SIM_EXPENSE, "agri", 500000, at(M(2024, 4), 9));
}
static void low_open_update_clear_reopen(void)
{
    /* Low at Q1 and Q2, not at Q3, low again at Q4: two episodes. */
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 900000);
    months(M(2023, 4), M(2024, 6), SIM_TRANSFER, 80000);
    months(M(2024, 7), M(2024, 9), SIM_TRANSFER, 200000);
    months(M(2024, 10), M(2024, 12), SIM_EXPENSE, 100000);
}

/* Migrant months in 2024 for member P1 (aged 40): pattern[i] for month i+1:
 * 'M' migrant, 'L' local, '.' no statement. */
static void migrant_pattern(const char *pattern)
{
    member(1984, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1500000);
    window(FROM, 1700000);
    months(M(2024, 4), M(2024, 12), SIM_TRANSFER, 150000);
    for (int i = 0; i < 12; i++)
        if (pattern[i] != '.')
            job(0, M(2024, i + 1), pattern[i] == 'M' ? SIM_MIGRANT_OUT_PROVINCE : SIM_LOCAL, true);
}
static void migrant_exactly_six(void)
{
    migrant_pattern("MMMLLLLLLMMM");
}
static void migrant_two_then_home(void)
{
    migrant_pattern("MMLLLLLLLLLL");
}
static void migrant_four_then_home(void)
{
    migrant_pattern("MMMMLLLLLLLL");
}
static void migrant_none(void)
{
    migrant_pattern("LLLLLLLLLLLL");
}
static void migrant_late_start(void)
{
    migrant_pattern("LLLLLLLMMMMM"); /* August-September + 3 left = 5 at Q3 */
}

static void labour(int active, int labour_members, bool inactive_extra)
{
    for (int i = 0; i < active; i++)
        member(i == 0 ? 1980 : 2012, i < labour_members ? SIM_ORDINARY : SIM_NONE, 0, true);
    if (inactive_extra)
        member(1940, SIM_NONE, 0, false);
    window(FROM - 4, 5000000);
    window(FROM, 5500000);
}
static void labour_exactly_quarter(void)
{
    labour(4, 1, false);
}
static void labour_under_quarter(void)
{
    labour(5, 1, false);
}
static void labour_inactive_not_counted(void)
{
    labour(4, 1, true);
}
static void labour_none(void)
{
    labour(1, 0, false);
}

static void aged(int birth_year, bool pension_in_q1)
{
    member(birth_year, SIM_WEAK, 0, true);
    window(FROM - 4, 1500000);
    window(FROM, 1700000);
    if (pension_in_q1) {
        subsidy(NULL, 0, SIM_PENSION, false, M(2024, 2), 20000, 0);
        subsidy(NULL, 0, SIM_PENSION, true, M(2024, 2), 20000, 0);
    }
}
static void age_sixty(void)
{
    aged(1964, false);
}
static void age_fifty_nine(void)
{
    aged(1965, false);
}
static void age_sixty_paid(void)
{
    aged(1964, true);
}
static void disabled_unpaid(void)
{
    member(1980, SIM_WEAK, 3, true);
    window(FROM - 4, 1500000);
    window(FROM, 1700000);
}

static void unemployed(int birth_year, bool local_in_february, bool wants)
{
    member(birth_year, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1500000);
    window(FROM, 1700000);
    for (int m = 1; m <= 3; m++)
        job(0, M(2024, m), local_in_february && m == 2 ? SIM_LOCAL : SIM_UNEMPLOYED, wants);
}
static void no_work(void)
{
    unemployed(1990, false, true);
}
static void no_work_one_month_employed(void)
{
    unemployed(1990, true, true);
}
static void no_work_not_wanted(void)
{
    unemployed(1990, false, false);
}
static void no_work_aged_sixty(void)
{
    unemployed(1964, false, true);
}
static void no_work_correction(void)
{
    /* UNEMPLOYED in February is corrected to LOCAL (later reported_at). */
    unemployed(1990, false, true);
    sim_job_t j = {.member = 0,
                   .month = M(2024, 2),
                   .status = SIM_LOCAL,
                   .wants_work = true,
                   .reported_ms = at(M(2024, 3), 20)};
    snprintf(j.event_id, sizeof(j.event_id), "EFIX");
    assert_int_equal(sim_household_add_job(&hh, &j), ZS_OK);
}

/* An entitlement of household DIBAO in January 2024, 300 yuan. */
static void dibao(void)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1500000);
    window(FROM, 1700000);
    subsidy(NULL, -1, SIM_DIBAO, false, M(2024, 1), 30000, 0);
}
static void subsidy_missing(void)
{
    dibao();
}
static void subsidy_paid(void)
{
    dibao();
    subsidy(NULL, -1, SIM_DIBAO, true, M(2024, 1), 30000, 0);
}
static void subsidy_short(void)
{
    dibao();
    subsidy(NULL, -1, SIM_DIBAO, true, M(2024, 1), 29999, 0);
}
static void subsidy_short_topped_up(void)
{
    dibao();
    subsidy(NULL, -1, SIM_DIBAO, true, M(2024, 1), 20000, 0);
    subsidy(NULL, -1, SIM_DIBAO, true, M(2024, 1), 10000, at(M(2024, 5), 2));
}
static void subsidy_duplicate(void)
{
    dibao();
    subsidy("PAY1", -1, SIM_DIBAO, true, M(2024, 1), 30000, 0);
    subsidy("PAY2", -1, SIM_DIBAO, true, M(2024, 1), 30000, 0);
}
static void subsidy_same_event_twice(void)
{
    dibao();
    subsidy("PAY1", -1, SIM_DIBAO, true, M(2024, 1), 30000, 0);
    subsidy("PAY1", -1, SIM_DIBAO, true, M(2024, 1), 30000, 0);
}
static void subsidy_due_corrected_to_zero(void)
{
    dibao();
    subsidy("DFIX", -1, SIM_DIBAO, false, M(2024, 1), 0, at(M(2024, 1), 2));
}
static void subsidy_deadline_in_next_quarter(void)
{
    /* March's deadline is April 30: checked at the Q2 close. */
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1500000);
    window(FROM, 1700000);
    months(M(2024, 4), M(2024, 6), SIM_TRANSFER, 150000);
    subsidy(NULL, -1, SIM_DIBAO, false, M(2024, 3), 30000, 0);
}
static void subsidy_person(void)
{
    member(1960, SIM_WEAK, 0, true);
    window(FROM - 4, 1500000);
    window(FROM, 1700000);
    for (int m = 1; m <= 3; m++) {
        subsidy(NULL, 0, SIM_PENSION, false, M(2024, m), 20000, 0);
        if (m != 1)
            subsidy(NULL, 0, SIM_PENSION, true, M(2024, m), 20000, 0);
    }
}

static void expense(int64_t yearly, int64_t fen, int64_t second)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, yearly);
    window(FROM, yearly);
    months(M(2024, 4), M(2024, 12), SIM_TRANSFER, yearly / 12);
    cost(NULL, M(2024, 3), fen);
    if (second)
        cost(NULL, M(2024, 8), second);
}
static void expense_floor(void)
{
    expense(10000000, 2000000, 0);
}
static void expense_under_floor(void)
{
    expense(10000000, 1999999, 0);
}
static void expense_half(void)
{
    expense(3000000, 1500000, 0); /* net 30,000: 15,000 is 50% */
}
static void expense_under_half(void)
{
    expense(3000000, 1499999, 0);
}
static void expense_second_updates(void)
{
    expense(10000000, 2000000, 2500000);
}
static void expense_no_income(void)
{
    member(1980, SIM_ORDINARY, 0, true);
    cost(NULL, M(2024, 3), 1);
}
static void expense_same_event_twice(void)
{
    /* The second copy of C1 (another figure) is the same event: ignored. */
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 3000000);
    window(FROM, 3000000);
    cost("C1", M(2024, 3), 800000);
    cost("C1", M(2024, 3), 2000000);
}

/* -- a live feed: records arriving after a close (their epoch) -- */

static void last_income_arrives(int epoch)
{
    size_t n;
    sim_incomes(&hh, &n)[n - 1].epoch = epoch;
}

static void last_subsidy_arrives(int epoch)
{
    size_t n;
    sim_subsidies(&hh, &n)[n - 1].epoch = epoch;
}

/* January's DIBAO paid on time, but pushed after the Q1 close that checks
 * it: MISSING at the close, cleared when the payment arrives. */
static void subsidy_paid_after_the_close(void)
{
    subsidy_paid();
    last_subsidy_arrives(1);
}

/* The same payment pushed before the close (epoch 0): nothing. */
static void subsidy_paid_before_the_close(void)
{
    subsidy_paid();
    last_subsidy_arrives(0);
}

/* Two labour members of six (a third: not WEAK_LABOR); the second labour
 * member moves out with the snapshot of epoch `leaves` (1 in 5: weak). */
static void labour_member_leaves(int leaves)
{
    member(1980, SIM_ORDINARY, 0, true);
    member(1982, SIM_ORDINARY, 0, true);
    for (int i = 0; i < 4; i++)
        member(2015, SIM_NONE, 0, true);
    size_t n;
    sim_members(&hh, &n)[1].leaves = leaves;
    window(FROM - 4, 6000000);
    window(FROM, 6000000);
    months(M(2024, 4), M(2024, 6), SIM_TRANSFER, 500000);
}
static void labour_leaves_mid_span(void)
{
    labour_member_leaves(1);
}
static void labour_leaves_after_the_last_close(void)
{
    labour_member_leaves(2);
}

/* 85,000 fen a month (T12M 1,020,000: not low); February 2024 corrected to
 * 0 (T12M 935,000: low). */
static void february_corrected(int epoch)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1020000);
    window(FROM, 1020000);
    months(M(2024, 4), M(2024, 6), SIM_TRANSFER, 85000);
    income_stmt("IFIX", M(2024, 2), SIM_TRANSFER, "civil", 0, at(M(2024, 7), 5));
    last_income_arrives(epoch);
}
static void correction_in_time(void)
{
    february_corrected(0);
}
static void correction_after_q1(void)
{
    february_corrected(1);
}
static void correction_after_q2(void)
{
    february_corrected(2);
}

typedef struct truth_case {
    const char *name;
    void (*build)(void);
    int quarters;
    sim_rule_t rule;
    const char *subject;
    const char *opened; /* every OPEN of (rule, subject), "YYYY-MM" joined by ','; "" none */
} truth_case_t;

static const truth_case_t cases[] = {
    {"10,000.00 yuan per capita is not low", low_exact, 1, SIM_LOW_INCOME, "-", ""},
    {"9,999.99 yuan per capita is low", low_one_fen, 1, SIM_LOW_INCOME, "-", "2024-03"},
    {"per capita is floored: 3,000,002 / 3 not low", low_floor_three, 1, SIM_LOW_INCOME, "-", ""},
    {"2,999,999 / 3 is 9,999.99: low", low_floor_three_below, 1, SIM_LOW_INCOME, "-", "2024-03"},
    {"inactive members are not counted", low_inactive_not_counted, 1, SIM_LOW_INCOME, "-", ""},
    {"growth exactly at the threshold is not slow", growth_at_threshold, 1, SIM_SLOW_GROWTH, "-",
     ""},
    {"growth 1 bp under the threshold is slow", growth_below_threshold, 1, SIM_SLOW_GROWTH, "-",
     "2024-03"},
    {"a fall of 1 fen is a fall", fall_one_fen, 1, SIM_INCOME_FALL, "-", "2024-03"},
    {"the same figure is no fall", no_fall_equal, 1, SIM_INCOME_FALL, "-", ""},
    {"the same figure is slow growth (0 bp)", no_fall_equal, 1, SIM_SLOW_GROWTH, "-", "2024-03"},
    {"the monitoring line itself is no risk", poverty_line, 1, SIM_POVERTY_RISK, "-", ""},
    {"1 fen under the monitoring line is a risk", poverty_below, 1, SIM_POVERTY_RISK, "-",
     "2024-03"},
    {"year-ago window not covered: no fall", year_ago_not_covered, 1, SIM_INCOME_FALL, "-", ""},
    {"year-ago window not covered: LOW_INCOME still runs", year_ago_not_covered, 1, SIM_LOW_INCOME,
     "-", "2024-03"},
    {"window not covered: no low income", window_not_covered, 1, SIM_LOW_INCOME, "-", ""},
    {"window not covered: no fall", window_not_covered, 1, SIM_INCOME_FALL, "-", ""},
    {"a 0.00 statement covers its quarter", zero_statement_covers, 1, SIM_LOW_INCOME, "-",
     "2024-03"},
    {"sources add up", sources_add_up, 1, SIM_LOW_INCOME, "-", ""},
    {"EXPENSE is subtracted", expense_subtracts, 1, SIM_LOW_INCOME, "-", "2024-03"},
    {"a correction reported later replaces the figure", correction_replaces, 1, SIM_LOW_INCOME, "-",
     ""},
    {"whatever the arrival order, the later reported_at stands", correction_later_stands, 1,
     SIM_LOW_INCOME, "-", "2024-03"},
    {"same reported_at: the greater event_id stands", correction_tie_greater_id, 1, SIM_LOW_INCOME,
     "-", ""},
    {"a repeated event_id is ignored", repeated_event_id_ignored, 1, SIM_LOW_INCOME, "-", ""},
    {"open, updated, cleared, opened again: two episodes", low_open_update_clear_reopen, 4,
     SIM_LOW_INCOME, "-", "2024-03,2024-12"},
    {"exactly 6 migrant months reachable is not short", migrant_exactly_six, 4, SIM_SHORT_WORK,
     "P1", ""},
    {"2 migrant months, home from March: short at Q3", migrant_two_then_home, 4, SIM_SHORT_WORK,
     "P1", "2024-09"},
    {"4 migrant months: 7 reachable at Q3, short at Q4", migrant_four_then_home, 4, SIM_SHORT_WORK,
     "P1", "2024-12"},
    {"no migrant month: never short", migrant_none, 4, SIM_SHORT_WORK, "P1", ""},
    {"migrant from August: 2 + 3 short at Q3", migrant_late_start, 4, SIM_SHORT_WORK, "P1",
     "2024-09"},
    {"labour exactly a quarter is not weak", labour_exactly_quarter, 1, SIM_WEAK_LABOR, "-", ""},
    {"labour under a quarter is weak", labour_under_quarter, 1, SIM_WEAK_LABOR, "-", "2024-03"},
    {"an inactive member does not count", labour_inactive_not_counted, 1, SIM_WEAK_LABOR, "-", ""},
    {"no labour at all is weak", labour_none, 1, SIM_WEAK_LABOR, "-", "2024-03"},
    {"age 60 counts as 60+", age_sixty, 1, SIM_NOT_ENROLLED, "P1", "2024-03"},
    {"age 59 needs no pension", age_fifty_nine, 1, SIM_NOT_ENROLLED, "P1", ""},
    {"a pension paid for one month of the quarter enrols", age_sixty_paid, 1, SIM_NOT_ENROLLED,
     "P1", ""},
    {"a disability with no DISABILITY payment", disabled_unpaid, 1, SIM_NOT_ENROLLED, "P1",
     "2024-03"},
    {"wants work, no employed month", no_work, 1, SIM_NO_WORK, "P1", "2024-03"},
    {"one employed month in the quarter", no_work_one_month_employed, 1, SIM_NO_WORK, "P1", ""},
    {"does not want work", no_work_not_wanted, 1, SIM_NO_WORK, "P1", ""},
    {"aged 60: outside 16-59", no_work_aged_sixty, 1, SIM_NO_WORK, "P1", ""},
    {"an employment correction stands", no_work_correction, 1, SIM_NO_WORK, "P1", ""},
    {"a DUE never paid is missing", subsidy_missing, 1, SIM_SUBSIDY_MISSING, "-/DIBAO", "2024-01"},
    {"paid in full on time", subsidy_paid, 1, SIM_SUBSIDY_MISSING, "-/DIBAO", ""},
    {"paid in full on time: not short", subsidy_paid, 1, SIM_SUBSIDY_SHORT, "-/DIBAO", ""},
    {"1 fen short", subsidy_short, 1, SIM_SUBSIDY_SHORT, "-/DIBAO", "2024-01"},
    {"short on time, topped up later", subsidy_short_topped_up, 2, SIM_SUBSIDY_SHORT, "-/DIBAO",
     ""},
    {"two payments with distinct event_ids", subsidy_duplicate, 1, SIM_SUBSIDY_DUPLICATE, "-/DIBAO",
     "2024-01"},
    {"the same payment event twice is one payment", subsidy_same_event_twice, 1,
     SIM_SUBSIDY_DUPLICATE, "-/DIBAO", ""},
    {"a DUE corrected to 0 is no entitlement", subsidy_due_corrected_to_zero, 1,
     SIM_SUBSIDY_MISSING, "-/DIBAO", ""},
    {"March's DUE is not checked at the Q1 close", subsidy_deadline_in_next_quarter, 1,
     SIM_SUBSIDY_MISSING, "-/DIBAO", ""},
    {"March's DUE is checked at the Q2 close", subsidy_deadline_in_next_quarter, 2,
     SIM_SUBSIDY_MISSING, "-/DIBAO", "2024-03"},
    {"a person's programme: person_id/PROGRAM", subsidy_person, 1, SIM_SUBSIDY_MISSING,
     "P1/PENSION", "2024-01"},
    {"a cost at the 20,000-yuan floor is large", expense_floor, 1, SIM_LARGE_EXPENSE, "-",
     "2024-03"},
    {"1 fen under the floor is not", expense_under_floor, 1, SIM_LARGE_EXPENSE, "-", ""},
    {"exactly 50% of 12-month net income is large", expense_half, 1, SIM_LARGE_EXPENSE, "-",
     "2024-03"},
    {"1 fen under 50% is not", expense_under_half, 1, SIM_LARGE_EXPENSE, "-", ""},
    {"a second large cost while open updates the episode", expense_second_updates, 4,
     SIM_LARGE_EXPENSE, "-", "2024-03"},
    {"no income: any cost is large", expense_no_income, 1, SIM_LARGE_EXPENSE, "-", "2024-03"},
    {"one cost event pushed twice counts once", expense_same_event_twice, 1, SIM_LARGE_EXPENSE, "-",
     ""},
    {"live: a labour member moves out mid-span: WEAK_LABOR at the next close",
     labour_leaves_mid_span, 2, SIM_WEAK_LABOR, "-", "2024-06"},
    {"live: moving out after the last close changes nothing", labour_leaves_after_the_last_close, 2,
     SIM_WEAK_LABOR, "-", ""},
    {"live: a payment pushed after the close that checks it: MISSING", subsidy_paid_after_the_close,
     2, SIM_SUBSIDY_MISSING, "-/DIBAO", "2024-01"},
    {"live: the same payment pushed before that close", subsidy_paid_before_the_close, 2,
     SIM_SUBSIDY_MISSING, "-/DIBAO", ""},
    {"live: a correction in time opens at the first close", correction_in_time, 2, SIM_LOW_INCOME,
     "-", "2024-03"},
    {"live: arriving after Q1's close it opens at Q1, the watermark", correction_after_q1, 2,
     SIM_LOW_INCOME, "-", "2024-03"},
    {"live: arriving after Q2's close it opens at Q2, not back in Q1", correction_after_q2, 2,
     SIM_LOW_INCOME, "-", "2024-06"},
};

/* The months in which (rule, subject) opened, joined by ','. */
static void opened_months(const sim_truth_t *t, sim_rule_t rule, const char *subject, char *out,
                          size_t size)
{
    size_t n, off = 0;
    const sim_transition_t *o = sim_truth_opened(t, &n);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (o[i].rule != rule || strcmp(o[i].subject, subject) != 0)
            continue;
        char m[ZS_PERIOD_STR_SIZE];
        zs_month_format(o[i].opened, m, sizeof(m));
        off += (size_t)snprintf(out + off, size - off, "%s%s", off ? "," : "", m);
    }
}

static void truth_table(void **state)
{
    (void)state;
    sim_truth_t *t = NULL;
    sim_rules_t rules;
    sim_rules_default(&rules);
    assert_int_equal(sim_truth_new(&t), ZS_OK);
    sim_household_init(&hh);
    int failed = 0;
    for (size_t i = 0; i < NROWS(cases); i++) {
        const truth_case_t *c = &cases[i];
        char errstr[256] = "", got[256];
        fresh();
        c->build();
        assert_int_equal(
            sim_truth_evaluate(t, &hh, &rules, FROM, c->quarters, errstr, sizeof(errstr)), ZS_OK);
        opened_months(t, c->rule, c->subject, got, sizeof(got));
        if (strcmp(got, c->opened) != 0) {
            print_error("row %zu \"%s\": %s %s opened \"%s\", want \"%s\"\n", i, c->name,
                        sim_rule_name(c->rule), c->subject, got, c->opened);
            failed++;
        }
    }
    sim_household_free(&hh);
    sim_truth_free(t);
    assert_int_equal(failed, 0);
}

/* The decisions behind "open, updated, cleared, opened again". */
static void transitions(void **state)
{
    (void)state;
    sim_truth_t *t = NULL;
    sim_rules_t rules;
    sim_rules_default(&rules);
    assert_int_equal(sim_truth_new(&t), ZS_OK);
    sim_household_init(&hh);
    fresh();
    low_open_update_clear_reopen();
    char errstr[256];
    assert_int_equal(sim_truth_evaluate(t, &hh, &rules, FROM, 4, errstr, sizeof(errstr)), ZS_OK);
    size_t n;
    const sim_transition_t *d = sim_truth_transitions(t, &n);
    static const sim_action_t want[] = {SIM_OPEN, SIM_UPDATED, SIM_CLEARED, SIM_OPEN};
    static const zs_month_t opened[] = {M(2024, 3), M(2024, 3), M(2024, 3), M(2024, 12)};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i].rule != SIM_LOW_INCOME)
            continue;
        assert_true(k < NROWS(want));
        assert_int_equal(d[i].action, want[k]);
        assert_int_equal(d[i].opened, opened[k]);
        assert_int_equal(d[i].period, zs_quarter_last_month(FROM + (zs_quarter_t)k));
        k++;
    }
    assert_int_equal(k, NROWS(want));
    sim_household_free(&hh);
    sim_truth_free(t);
}

typedef struct finding_case {
    const char *name;
    void (*build)(void);
    int quarters;
    sim_finding_t finding;
    const char *periods; /* "YYYY-MM" joined by ','; "" none */
} finding_case_t;

static void negative_year(void)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1000000);
    window(FROM, 1000000);
    income_stmt(NULL, M(2024, 1), SIM_EXPENSE, "agri", 1000001, 0);
}
static void doubled(int64_t c)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(Q(2023, 4), 1000000);
    window(Q(2024, 4), c);
}
static void doubled_exactly(void)
{
    doubled(2000000);
}
static void doubled_less_one(void)
{
    doubled(1999999);
}
static void quarter_silent(void)
{
    member(1980, SIM_ORDINARY, 0, true);
    window(FROM - 4, 1000000);
    months(M(2023, 4), M(2024, 3), SIM_TRANSFER, 90000);
    months(M(2024, 7), M(2024, 9), SIM_TRANSFER, 90000);
}
static void migrant_lost(void)
{
    member(1980, SIM_ORDINARY, 0, true);
    member(1985, SIM_LOST, 0, true);
    window(FROM - 4, 2000000);
    window(FROM, 2200000);
    job(1, M(2024, 2), SIM_MIGRANT_IN_PROVINCE, true);
    job(0, M(2024, 2), SIM_MIGRANT_IN_PROVINCE, true);
}

static const finding_case_t finding_cases[] = {
    {"T12M below zero", negative_year, 1, SIM_NEGATIVE_NET_INCOME, "2024-03"},
    {"a positive T12M is not negative", low_exact, 1, SIM_NEGATIVE_NET_INCOME, ""},
    {"+100% at a Q4 close is a jump", doubled_exactly, 4, SIM_INCOME_JUMP, "2024-12"},
    {"1 bp under +100% is not", doubled_less_one, 4, SIM_INCOME_JUMP, ""},
    {"a quarter with no statement", quarter_silent, 2, SIM_NO_INCOME_REPORTED, "2024-06"},
    {"a LOST member's migrant month", migrant_lost, 1, SIM_MIGRANT_WITHOUT_LABOR, "2024-02"},
    {"live: a closed quarter's figure replaced", correction_after_q1, 2,
     SIM_CLOSED_QUARTER_REWRITTEN, "2024-02"},
    {"live: replaced before its close", correction_in_time, 2, SIM_CLOSED_QUARTER_REWRITTEN, ""},
};

static void finding_table(void **state)
{
    (void)state;
    sim_truth_t *t = NULL;
    sim_rules_t rules;
    sim_rules_default(&rules);
    assert_int_equal(sim_truth_new(&t), ZS_OK);
    sim_household_init(&hh);
    int failed = 0;
    for (size_t i = 0; i < NROWS(finding_cases); i++) {
        const finding_case_t *c = &finding_cases[i];
        char errstr[256], got[256] = "";
        size_t n, off = 0;
        fresh();
        c->build();
        assert_int_equal(
            sim_truth_evaluate(t, &hh, &rules, FROM, c->quarters, errstr, sizeof(errstr)), ZS_OK);
        const sim_found_t *f = sim_truth_findings(t, &n);
        for (size_t k = 0; k < n; k++)
            if (f[k].finding == c->finding) {
                char m[ZS_PERIOD_STR_SIZE];
                zs_month_format(f[k].period, m, sizeof(m));
                off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s", off ? "," : "", m);
            }
        if (strcmp(got, c->periods) != 0) {
            print_error("row %zu \"%s\": %s at \"%s\", want \"%s\"\n", i, c->name,
                        sim_finding_name(c->finding), got, c->periods);
            failed++;
        }
    }
    sim_household_free(&hh);
    sim_truth_free(t);
    assert_int_equal(failed, 0);
}

/* A member index out of range is an error, not a crash. */
static void bad_member(void **state)
{
    (void)state;
    sim_truth_t *t = NULL;
    sim_rules_t rules;
    sim_rules_default(&rules);
    assert_int_equal(sim_truth_new(&t), ZS_OK);
    sim_household_init(&hh);
    fresh();
    member(1980, SIM_ORDINARY, 0, true);
    job(3, M(2024, 1), SIM_LOCAL, true);
    char errstr[256] = "";
    assert_int_equal(sim_truth_evaluate(t, &hh, &rules, FROM, 1, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_non_null(strstr(errstr, "out of range"));
    sim_household_free(&hh);
    sim_truth_free(t);
}

/* The generator's ID numbers pass the contract's check (check digit, birth year). */
static void idno_check_char(void)
{
    /* GB 11643's example. */
    assert_int_equal(sim_idno_check_char("11010519491231002"), 'X');
    char id[19] = "45102219800101001";
    id[17] = sim_idno_check_char(id);
    id[18] = '\0';
    char errstr[128];
    assert_int_equal(zs_idno_check(id, 18, 1980, errstr, sizeof(errstr)), ZS_OK);
}

static void idno(void **state)
{
    (void)state;
    idno_check_char();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truth_table),   cmocka_unit_test(transitions),
        cmocka_unit_test(finding_table), cmocka_unit_test(bad_member),
        cmocka_unit_test(idno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
