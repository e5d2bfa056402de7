/* sim_truth.h: the ground truth of zs-simulate: the rules of
 * consumers/RULES.md applied to one household held in memory, quarter by
 * quarter over the simulated span, with the OPEN / UPDATED / CLEARED episode
 * logic, so the warnings a correct zs-monitor opens can be listed before it
 * runs. Pure logic: no I/O, no Kafka, no randomness.
 *
 * When data arrives: every record carries its epoch (sim_household.h). In a
 * batch (every epoch 0) each close sees all of a household's data. With a
 * live feed (sim_live.h) quarter q is judged on the records of the epochs up
 * to q's; a record arriving after the close of the quarter it can change
 * (consumers/RULES.md "When rules run": its month's quarter; a subsidy
 * record the quarter of its deadline, a PENSION or DISABILITY payment its
 * month's) runs the rules again at the newest closed quarter when it
 * arrives, one record after another, as zs-monitor does. Hence:
 * - statements: of one identity the latest reported_at stands, on a tie the
 *   greater event_id (byte order); a repeated event_id is ignored (the first
 *   one stays), for every record type;
 * - quarterly rules run at each span quarter's close; a hardship cost is
 *   judged once, at the first run after it arrived that reaches its month's
 *   quarter; an entitlement at every run from the close of the quarter in
 *   which its deadline (end of the following month, +08:00) passed; only
 *   costs and entitlements whose month lies in the span count;
 * - a payment "arrives" when it is in the data seen: an entitlement is
 *   MISSING when it has no PAID seen, SHORT when payments reported by the
 *   deadline (at least one) and all payments seen both sum to less than due,
 *   DUPLICATE with two or more PAID (distinct event_ids);
 * - a member whose snapshot of epoch e lists them inactive (leaves) counts
 *   as active up to epoch e - 1's runs and as gone from epoch e's;
 * - CLOSED_QUARTER_REWRITTEN: an income statement arriving after its
 *   quarter's close that replaces the standing one with another figure.
 * Several late records of one household in one epoch on different topics
 * would be order-dependent (the monitor reads topics in any order): a live
 * feed gives a household at most one topic with late records per epoch. */
#ifndef SIM_TRUTH_H
#define SIM_TRUTH_H

#include <stddef.h>
#include <stdint.h>

#include "sim_household.h"
#include "zs_err.h"
#include "zs_period.h"

typedef enum sim_rule {
    SIM_INCOME_FALL,
    SIM_SLOW_GROWTH,
    SIM_LOW_INCOME,
    SIM_POVERTY_RISK,
    SIM_NO_WORK,
    SIM_SHORT_WORK,
    SIM_WEAK_LABOR,
    SIM_NOT_ENROLLED,
    SIM_LARGE_EXPENSE,
    SIM_SUBSIDY_MISSING,
    SIM_SUBSIDY_SHORT,
    SIM_SUBSIDY_DUPLICATE,
    SIM_RULE__COUNT
} sim_rule_t;

/* Data-quality findings (to zs.audit, not to counties). */
typedef enum sim_finding {
    SIM_INCOME_JUMP,
    SIM_NEGATIVE_NET_INCOME,
    SIM_MIGRANT_WITHOUT_LABOR,
    SIM_NO_INCOME_REPORTED,
    SIM_CLOSED_QUARTER_REWRITTEN,
    SIM_FINDING__COUNT
} sim_finding_t;

/* "INCOME_FALL", ...; NULL out of range. */
const char *sim_rule_name(sim_rule_t r);
const char *sim_finding_name(sim_finding_t f);
/* Finds a rule or finding by name: ZS_OK or ZS_ERR_NOT_FOUND. */
zs_err_t sim_rule_parse(const char *name, sim_rule_t *out);
zs_err_t sim_finding_parse(const char *name, sim_finding_t *out);

/* The thresholds (RULES.md defaults; zs.rules.* in the monitor). Per-year
 * tables start at SIM_RULES_FIRST_YEAR: earlier years use the first entry,
 * later years the last. */
#define SIM_RULES_FIRST_YEAR 2021
#define SIM_RULES_YEARS      4
typedef struct sim_rules {
    int64_t low_income_fen;                       /* 1,000,000 */
    int migrant_months;                           /* 6 */
    int64_t labour_share_bp;                      /* 2500 */
    int64_t large_expense_fen;                    /* 2,000,000 */
    int64_t large_expense_share_bp;               /* 5000 */
    int64_t jump_bp;                              /* 10000 */
    int64_t slow_growth_bp[SIM_RULES_YEARS];      /* 2021..2024: 1040, 610, 700, 650 */
    int64_t monitoring_line_fen[SIM_RULES_YEARS]; /* 600,000 .. 690,000 */
} sim_rules_t;

void sim_rules_default(sim_rules_t *r);
int64_t sim_rules_slow_growth_bp(const sim_rules_t *r, int year);
int64_t sim_rules_monitoring_line(const sim_rules_t *r, int year);

/* Subjects: "-" (household rules), a person_id, "person_id/PROGRAM" or
 * "-/PROGRAM" (household-level programme). */
#define SIM_SUBJECT_SIZE 64

typedef enum sim_action { SIM_OPEN, SIM_UPDATED, SIM_CLEARED } sim_action_t;

/* One decision of one run. UPDATED here means "still holds" (the monitor
 * writes an UPDATED record only when a figure in its evidence changed). */
typedef struct sim_transition {
    sim_rule_t rule;
    char subject[SIM_SUBJECT_SIZE];
    sim_action_t action;
    zs_quarter_t quarter; /* the close that decided it */
    zs_month_t period;    /* the record's period: quarter's last month, cost or entitlement month */
    zs_month_t opened;    /* the period the episode opened (its warning_id period) */
} sim_transition_t;

typedef struct sim_found {
    sim_finding_t finding;
    zs_month_t period; /* a quarter's last month; for MIGRANT_WITHOUT_LABOR the month */
} sim_found_t;

/* An evaluator with its scratch memory, reused household after household
 * (memory grows to the largest household seen, never with their number).
 * Opaque; not for concurrent use. */
typedef struct sim_truth sim_truth_t;

/* *out is the caller's, freed with sim_truth_free. */
zs_err_t sim_truth_new(sim_truth_t **out);
/* NULL is fine. */
void sim_truth_free(sim_truth_t *t);

/* Runs the rules over hh for the quarters from .. from + quarters - 1, in
 * order, starting with no open warning. Records outside the months the rules
 * look at (the 7 quarters before from up to the span's end) are ignored; the
 * household's bad rows are never looked at. ZS_ERR_INVALID for a member
 * index out of range or quarters < 1; ZS_ERR_NOMEM. Results stay valid until
 * the next call. */
zs_err_t sim_truth_evaluate(sim_truth_t *t, const sim_household_t *hh, const sim_rules_t *rules,
                            zs_quarter_t from, int quarters, char *errstr, size_t errstr_size);

/* Every decision of the last evaluation, in order of quarters. */
const sim_transition_t *sim_truth_transitions(const sim_truth_t *t, size_t *n);
/* The episodes opened (the OPEN decisions): what expected-warnings.csv lists. */
const sim_transition_t *sim_truth_opened(const sim_truth_t *t, size_t *n);
/* The data-quality findings, one per (finding, period), in order of quarters. */
const sim_found_t *sim_truth_findings(const sim_truth_t *t, size_t *n);

/* Conveniences for checks: whether an episode of (rule, subject) opened, with
 * *opened its period if so (subject NULL: any subject); whether a finding of
 * that period was made (period < 0: any period). */
bool sim_truth_has_opened(const sim_truth_t *t, sim_rule_t rule, const char *subject,
                          zs_month_t *opened);
bool sim_truth_has_finding(const sim_truth_t *t, sim_finding_t finding, zs_month_t period);

#endif
