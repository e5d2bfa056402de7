/* test_mon_risk.c: the risk type of each rule's warnings
 * (consumers/mon_risk.c) against consumers/RULES.md "Risk types", one row
 * per mapping and per tie or window boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mon_risk.h"

#define M(y, m)  ((zs_month_t)((y)*12 + (m)-1))
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define PERIOD   M(2024, 3) /* the T12M window: April 2023 - March 2024 */

enum { MEDICAL, DISASTER, ACCIDENT, EDUCATION, COST_OTHER }; /* HardshipRecord's cause */
enum { DIBAO = 0, YULU = 7 };                                /* SubsidyProgram */

/* A hardship cost of the household. */
typedef struct cost {
    zs_month_t month;
    int kind;
    int64_t fen;
} cost_t;

/* One case: a household (labour of active members, hardship costs), the
 * evidence's household totals now and a year earlier (WAGE, OPERATING,
 * PROPERTY, TRANSFER, EXPENSE), the rule and its cause or programme. */
typedef struct row {
    const char *name;
    mon_rule_t rule;
    int labour, members; /* labour (ORDINARY) among active members; the rest WEAK */
    cost_t costs[3];
    bool has_prev;
    int64_t now[MON_COMPONENTS], prev[MON_COMPONENTS];
    int cause, program;
    mon_risk_t want;
} row_t;

#define GROWN                                                                                      \
    {200, 200, 200, 200, 0},                                                                       \
    {                                                                                              \
        100, 100, 100, 100, 0                                                                      \
    }
#define FLAT                                                                                       \
    {100, 100, 100, 100, 0},                                                                       \
    {                                                                                              \
        100, 100, 100, 100, 0                                                                      \
    }
#define LABOUR .labour = 2, .members = 4
#define NO_COST                                                                                    \
    {                                                                                              \
        {                                                                                          \
            0, 0, 0                                                                                \
        }                                                                                          \
    }

static const row_t rows[] = {
    /* The income rules: the household total that fell most. */
    {"INCOME_FALL: wage fell most",
     MON_INCOME_FALL,
     LABOUR,
     NO_COST,
     true,
     {50, 90, 100, 100, 0},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_UNSTABLE_EMPLOYMENT},
    {"INCOME_FALL: operating fell most",
     MON_INCOME_FALL,
     LABOUR,
     NO_COST,
     true,
     {90, 50, 100, 100, 0},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_INDUSTRY_FAILURE},
    {"INCOME_FALL: operating expenditure rose most",
     MON_INCOME_FALL,
     LABOUR,
     NO_COST,
     true,
     {90, 100, 100, 100, 60},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_INDUSTRY_FAILURE},
    {"INCOME_FALL: wage and operating tie: wage",
     MON_INCOME_FALL,
     LABOUR,
     NO_COST,
     true,
     {60, 60, 100, 100, 0},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_UNSTABLE_EMPLOYMENT},
    {"INCOME_FALL: transfer fell most, nothing else known",
     MON_INCOME_FALL,
     LABOUR,
     NO_COST,
     true,
     {90, 100, 100, 20, 0},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_OTHER},
    {"INCOME_FALL: transfer fell most, a medical cost",
     MON_INCOME_FALL,
     LABOUR,
     {{M(2023, 9), MEDICAL, 500000}},
     true,
     {90, 100, 100, 20, 0},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_ILLNESS},
    {"SLOW_GROWTH: wage fell, the rest grew",
     MON_SLOW_GROWTH,
     LABOUR,
     NO_COST,
     true,
     {90, 150, 100, 100, 0},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_UNSTABLE_EMPLOYMENT},
    /* Nothing fell: the largest hardship cost of the window, by its cause. */
    {"LOW_INCOME: a disaster cost",
     MON_LOW_INCOME,
     LABOUR,
     {{M(2024, 3), DISASTER, 100}},
     true,
     GROWN,
     -1,
     -1,
     MON_RISK_DISASTER},
    {"LOW_INCOME: the larger cost decides",
     MON_LOW_INCOME,
     LABOUR,
     {{M(2023, 5), MEDICAL, 100}, {M(2023, 6), ACCIDENT, 200}},
     true,
     GROWN,
     -1,
     -1,
     MON_RISK_ACCIDENT},
    {"LOW_INCOME: equal costs: the earlier",
     MON_LOW_INCOME,
     LABOUR,
     {{M(2023, 8), EDUCATION, 200}, {M(2023, 6), ACCIDENT, 200}},
     true,
     GROWN,
     -1,
     -1,
     MON_RISK_ACCIDENT},
    {"POVERTY_RISK: a cost of cause OTHER tells nothing",
     MON_POVERTY_RISK,
     LABOUR,
     {{M(2023, 5), COST_OTHER, 900}, {M(2023, 6), EDUCATION, 100}},
     true,
     GROWN,
     -1,
     -1,
     MON_RISK_EDUCATION},
    {"POVERTY_RISK: the first month of the window counts",
     MON_POVERTY_RISK,
     LABOUR,
     {{M(2023, 4), MEDICAL, 100}},
     true,
     FLAT,
     -1,
     -1,
     MON_RISK_ILLNESS},
    {"POVERTY_RISK: the month before the window does not",
     MON_POVERTY_RISK,
     LABOUR,
     {{M(2023, 3), MEDICAL, 100}},
     true,
     FLAT,
     -1,
     -1,
     MON_RISK_OTHER},
    {"POVERTY_RISK: a cost after the period does not",
     MON_POVERTY_RISK,
     LABOUR,
     {{M(2024, 4), MEDICAL, 100}},
     true,
     FLAT,
     -1,
     -1,
     MON_RISK_OTHER},
    {"LOW_INCOME: no year-earlier figures, a cost",
     MON_LOW_INCOME,
     LABOUR,
     {{M(2023, 12), EDUCATION, 100}},
     false,
     {10, 10, 10, 10, 0},
     {0},
     -1,
     -1,
     MON_RISK_EDUCATION},
    /* Else labour under a quarter of active members (item 29). */
    {"LOW_INCOME: no labour at all", MON_LOW_INCOME, .labour = 0, .members = 3, NO_COST, true,
     GROWN, -1, -1, MON_RISK_LABOR_SHORTAGE},
    {"LOW_INCOME: labour 1 of 5, under a quarter", MON_LOW_INCOME, .labour = 1, .members = 5,
     NO_COST, true, FLAT, -1, -1, MON_RISK_LABOR_SHORTAGE},
    {"LOW_INCOME: labour 1 of 4, exactly a quarter", MON_LOW_INCOME, .labour = 1, .members = 4,
     NO_COST, true, FLAT, -1, -1, MON_RISK_OTHER},
    {"INCOME_FALL: a wage fall before a cost and no labour",
     MON_INCOME_FALL,
     .labour = 0,
     .members = 2,
     {{M(2023, 9), MEDICAL, 500000}},
     true,
     {50, 100, 100, 100, 0},
     {100, 100, 100, 100, 0},
     -1,
     -1,
     MON_RISK_UNSTABLE_EMPLOYMENT},
    {"SLOW_GROWTH: a cost before no labour",
     MON_SLOW_GROWTH,
     .labour = 0,
     .members = 2,
     {{M(2023, 9), DISASTER, 1}},
     true,
     GROWN,
     -1,
     -1,
     MON_RISK_DISASTER},
    /* The other rules. */
    {"NO_WORK", MON_NO_WORK, LABOUR, NO_COST, false, FLAT, -1, -1, MON_RISK_UNSTABLE_EMPLOYMENT},
    {"SHORT_WORK", MON_SHORT_WORK, LABOUR, NO_COST, false, FLAT, -1, -1,
     MON_RISK_UNSTABLE_EMPLOYMENT},
    {"WEAK_LABOR", MON_WEAK_LABOR, .labour = 0, .members = 2, NO_COST, false, FLAT, -1, -1,
     MON_RISK_LABOR_SHORTAGE},
    {"LARGE_EXPENSE: MEDICAL", MON_LARGE_EXPENSE, LABOUR, NO_COST, false, FLAT, MEDICAL, -1,
     MON_RISK_ILLNESS},
    {"LARGE_EXPENSE: DISASTER", MON_LARGE_EXPENSE, LABOUR, NO_COST, false, FLAT, DISASTER, -1,
     MON_RISK_DISASTER},
    {"LARGE_EXPENSE: ACCIDENT", MON_LARGE_EXPENSE, LABOUR, NO_COST, false, FLAT, ACCIDENT, -1,
     MON_RISK_ACCIDENT},
    {"LARGE_EXPENSE: EDUCATION", MON_LARGE_EXPENSE, LABOUR, NO_COST, false, FLAT, EDUCATION, -1,
     MON_RISK_EDUCATION},
    {"LARGE_EXPENSE: OTHER", MON_LARGE_EXPENSE, LABOUR, NO_COST, false, FLAT, COST_OTHER, -1,
     MON_RISK_OTHER},
    {"LARGE_EXPENSE: a cause out of range", MON_LARGE_EXPENSE, LABOUR, NO_COST, false, FLAT, 9, -1,
     MON_RISK_OTHER},
    {"NOT_ENROLLED: disability payment missing", MON_NOT_ENROLLED, LABOUR, NO_COST, false, FLAT,
     MON_PROGRAM_DISABILITY, MON_PROGRAM_PENSION, MON_RISK_DISABILITY},
    {"NOT_ENROLLED: pension missing", MON_NOT_ENROLLED, LABOUR, NO_COST, false, FLAT, -1,
     MON_PROGRAM_PENSION, MON_RISK_OTHER},
    {"SUBSIDY_MISSING: disability subsidy", MON_SUBSIDY_MISSING, LABOUR, NO_COST, false, FLAT, -1,
     MON_PROGRAM_DISABILITY, MON_RISK_DISABILITY},
    {"SUBSIDY_SHORT: Yulu education subsidy", MON_SUBSIDY_SHORT, LABOUR, NO_COST, false, FLAT, -1,
     YULU, MON_RISK_EDUCATION},
    {"SUBSIDY_DUPLICATE: dibao", MON_SUBSIDY_DUPLICATE, LABOUR, NO_COST, false, FLAT, -1, DIBAO,
     MON_RISK_OTHER},
    {"SUBSIDY_MISSING: a cost does not matter",
     MON_SUBSIDY_MISSING,
     LABOUR,
     {{M(2024, 1), MEDICAL, 900}},
     false,
     FLAT,
     -1,
     DIBAO,
     MON_RISK_OTHER},
};

static void test_rows(void **state)
{
    (void)state;
    static const char *const ids[] = {"P1", "P2", "P3", "P4", "P5", "P6"};
    int failures = 0;
    for (size_t i = 0; i < NROWS(rows); i++) {
        const row_t *r = &rows[i];
        mon_hh_t hh;
        mon_hh_init(&hh);
        mon_hh_clear(&hh, "H1");
        mon_member_in_t m[6];
        for (int k = 0; k < r->members; k++)
            m[k] = (mon_member_in_t){.person_id = ids[k],
                                     .birth_year = 1980,
                                     .labor = k < r->labour ? MON_ORDINARY : MON_WEAK,
                                     .active = true};
        mon_applied_t applied;
        assert_int_equal(
            mon_apply_household(&hh, "451227", 0, 1, m, (size_t)r->members, -1, &applied), ZS_OK);
        for (int k = 0; k < 3 && r->costs[k].fen > 0; k++) {
            char id[16];
            snprintf(id, sizeof(id), "c%d", k);
            assert_int_equal(mon_apply_cost(&hh, id, r->costs[k].month, r->costs[k].kind,
                                            r->costs[k].fen, 1, -1, &applied),
                             ZS_OK);
        }
        mon_evidence_t e = {.has_components = true,
                            .has_prev_components = r->has_prev,
                            .members_active = r->members,
                            .unit = MON_UNIT_NONE,
                            .program = r->program};
        memcpy(e.current, r->now, sizeof(e.current));
        memcpy(e.previous, r->prev, sizeof(e.previous));
        mon_risk_t got = mon_risk_of(r->rule, &hh, &e, PERIOD, 2500, r->cause);
        if (got != r->want) {
            print_error("%s: risk %d, want %d\n", r->name, (int)got, (int)r->want);
            failures++;
        }
        mon_hh_free(&hh);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
