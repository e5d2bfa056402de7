/* sim_gen.h: zs-simulate's generator: one synthetic Guangxi household at a
 * time, deterministic in (seed, household number), with its members, monthly
 * income statements, employment statuses, subsidies and hardship costs, and
 * for a share of households one injected case (a known rule firing, a
 * boundary that must not fire, a data-quality anomaly, a correction, a
 * repeated event, a bad row), checked against sim_truth before it is kept. */
#ifndef SIM_GEN_H
#define SIM_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_household.h"
#include "sim_truth.h"
#include "zs_county.h"
#include "zs_err.h"
#include "zs_period.h"

/* The longest span (quarters) the generator takes. */
#define SIM_GEN_MAX_QUARTERS 40
/* Income statements start this many quarters before the span, so T12M of the
 * span's first quarter and of the quarter a year earlier are both covered. */
#define SIM_GEN_HISTORY_QUARTERS 7

typedef enum sim_case {
    SIM_CASE_NONE,
    SIM_CASE_INCOME_FALL,
    SIM_CASE_SLOW_GROWTH,
    SIM_CASE_LOW_INCOME,
    SIM_CASE_POVERTY_RISK,
    SIM_CASE_NO_WORK,
    SIM_CASE_SHORT_WORK,
    SIM_CASE_WEAK_LABOR,
    SIM_CASE_LARGE_EXPENSE_FLOOR,
    SIM_CASE_LARGE_EXPENSE_SHARE,
    SIM_CASE_SUBSIDY_MISSING,
    SIM_CASE_SUBSIDY_SHORT,
    SIM_CASE_SUBSIDY_DUPLICATE,
    SIM_CASE_NOT_ENROLLED_PENSION,
    SIM_CASE_NOT_ENROLLED_DISABILITY,
    SIM_CASE_INCOME_JUMP,
    SIM_CASE_NEGATIVE_NET_INCOME,
    SIM_CASE_MIGRANT_WITHOUT_LABOR,
    SIM_CASE_NO_INCOME_REPORTED,
    SIM_CASE_CORRECTION,
    SIM_CASE_CORRECTION_TIE,
    SIM_CASE_DUPLICATE_EVENT,
    SIM_CASE_BAD_ROW,
    SIM_CASE_BOUNDARY_LOW_INCOME,
    SIM_CASE_BOUNDARY_GROWTH,
    SIM_CASE_BOUNDARY_MIGRANT,
    SIM_CASE_BOUNDARY_LABOUR,
    SIM_CASE_BOUNDARY_EXPENSE,
    SIM_CASE_BOUNDARY_AGE,
    SIM_CASE__COUNT
} sim_case_t;

/* What an injected case promises about the ground truth. */
typedef enum sim_expect {
    SIM_EXPECT_OPEN,    /* an episode of (rule, subject) opens at period */
    SIM_EXPECT_ABSENT,  /* no episode of (rule, subject) opens in the span */
    SIM_EXPECT_FINDING, /* the finding is made at period */
    SIM_EXPECT_REJECT,  /* zs-push rejects the row with event_id in file */
} sim_expect_t;

typedef struct sim_injection {
    sim_case_t kase; /* SIM_CASE_NONE: a background household */
    sim_expect_t expect;
    sim_rule_t rule;       /* OPEN, ABSENT */
    sim_finding_t finding; /* FINDING */
    sim_file_t file;       /* REJECT */
    char subject[SIM_SUBJECT_SIZE];
    char event_id[SIM_ID_SIZE]; /* REJECT */
    zs_month_t period;
    char detail[240]; /* for people: what was done, with the figures */
    bool verified;    /* the truth agrees with the promise */
} sim_injection_t;

/* "INCOME_FALL", "BOUNDARY_LOW_INCOME", ... */
const char *sim_case_name(sim_case_t c);

typedef struct sim_gen_opts {
    uint64_t seed;
    zs_quarter_t from;   /* the span's first quarter */
    int quarters;        /* 1..SIM_GEN_MAX_QUARTERS */
    double inject_share; /* 0..1: share of households with an injected case */
} sim_gen_opts_t;

typedef struct sim_gen sim_gen_t;

/* A generator over the region's counties (which must outlive it). Checks
 * the options (ZS_ERR_INVALID: a span reaching outside the years the
 * contract allows). *out is the caller's: sim_gen_free. */
zs_err_t sim_gen_new(const zs_county_table_t *counties, const sim_gen_opts_t *opts, sim_gen_t **out,
                     char *errstr, size_t errstr_size);
void sim_gen_free(sim_gen_t *g);

/* The cases the span allows (SHORT_WORK needs a Q3 or Q4, INCOME_JUMP a Q4):
 * injected households go through them in turn. */
size_t sim_gen_cases(const sim_gen_t *g, const sim_case_t **cases);

/* Builds household number index (0-based; its id is GX + index+1 in 7
 * digits) into hh, which is reset first, and says what was injected.
 * Households must be asked for in order 0, 1, 2...: injected cases take
 * their turn in that order. An injected case is built again with other
 * draws (up to 20 times) until the truth confirms it; inj->verified says
 * whether it did. */
zs_err_t sim_gen_household(sim_gen_t *g, uint64_t index, sim_household_t *hh, sim_injection_t *inj,
                           char *errstr, size_t errstr_size);

/* The check digit of an 18-character resident ID number from its first 17
 * digits (ISO 7064 MOD 11-2, as common/zs_idno.c checks it). */
char sim_idno_check_char(const char *body17);

#endif
