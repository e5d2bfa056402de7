/* mon_rules.h: the rules of consumers/RULES.md over one household's state
 * (mon_state.h): what a quarter's close, a late payment or a county's
 * follow-up decides. Pure: no Kafka, no I/O, no clock; the same state and
 * the same calls give the same decisions. */
#ifndef MON_RULES_H
#define MON_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mon_state.h"
#include "zs_buf.h"
#include "zs_err.h"
#include "zs_period.h"

/* Warning.rule, in the schema's symbol order. */
typedef enum mon_rule {
    MON_INCOME_FALL,
    MON_SLOW_GROWTH,
    MON_LOW_INCOME,
    MON_POVERTY_RISK,
    MON_NO_WORK,
    MON_SHORT_WORK,
    MON_WEAK_LABOR,
    MON_LARGE_EXPENSE,
    MON_SUBSIDY_MISSING,
    MON_SUBSIDY_SHORT,
    MON_SUBSIDY_DUPLICATE,
    MON_NOT_ENROLLED,
    MON_RULES
} mon_rule_t;

/* Warning.status. */
typedef enum mon_status { MON_OPEN, MON_UPDATED, MON_CLEARED } mon_status_t;

/* Warning.severity. */
typedef enum mon_severity { MON_LOW, MON_MEDIUM, MON_HIGH } mon_severity_t;

/* Warning.risk_type (national risk types). */
typedef enum mon_risk {
    MON_RISK_ILLNESS,
    MON_RISK_DISABILITY,
    MON_RISK_EDUCATION,
    MON_RISK_DISASTER,
    MON_RISK_ACCIDENT,
    MON_RISK_INDUSTRY_FAILURE,
    MON_RISK_UNSTABLE_EMPLOYMENT,
    MON_RISK_LABOR_SHORTAGE,
    MON_RISK_OTHER
} mon_risk_t;

/* AuditRecord.finding (data quality). */
typedef enum mon_finding_kind {
    MON_INCOME_JUMP,
    MON_NEGATIVE_NET_INCOME,
    MON_CLOSED_QUARTER_REWRITTEN,
    MON_MIGRANT_WITHOUT_LABOR,
    MON_NO_INCOME_REPORTED,
    MON_FINDINGS
} mon_finding_kind_t;

/* Evidence.threshold_unit; MON_UNIT_NONE: null. */
typedef enum mon_unit {
    MON_UNIT_FEN,
    MON_UNIT_BASIS_POINTS,
    MON_UNIT_MONTHS,
    MON_UNIT_YEARS,
    MON_UNIT_COUNT,
    MON_UNIT_NONE = -1
} mon_unit_t;

const char *mon_rule_name(mon_rule_t r);            /* "INCOME_FALL"; NULL out of range */
const char *mon_finding_name(mon_finding_kind_t f); /* "INCOME_JUMP" */
zs_err_t mon_rule_parse(const char *name, mon_rule_t *out);

/* A threshold that changes with the year: the value of year y is
 * v[y - first_year], the first one before it, the last one after. */
#define MON_YEARS_MAX 40
typedef struct mon_by_year {
    int first_year;
    int n;
    int64_t v[MON_YEARS_MAX];
} mon_by_year_t;

/* "2021:1040,2022:610,2023:700,2024:650": years in increasing order, a
 * missing year taking the value before it. ZS_ERR_PARSE / ZS_ERR_INVALID
 * naming the entry. */
zs_err_t mon_by_year_parse(const char *text, mon_by_year_t *out, char *errstr, size_t errstr_size);
int64_t mon_by_year(const mon_by_year_t *t, int year);

/* The thresholds (RULES.md defaults, zs.rules.* in the monitor). */
typedef struct mon_rules {
    int64_t low_income_fen;            /* 1,000,000 */
    int64_t migrant_months;            /* 6 */
    int64_t labour_share_bp;           /* 2500 */
    int64_t large_expense_fen;         /* 2,000,000 */
    int64_t large_expense_share_bp;    /* 5000 */
    int64_t jump_bp;                   /* 10000 */
    mon_by_year_t slow_growth_bp;      /* 2021: 1040, 2022: 610, 2023: 700, 2024: 650 */
    mon_by_year_t monitoring_line_fen; /* 600,000 630,000 660,000 690,000 */
} mon_rules_t;

void mon_rules_default(mon_rules_t *r);
#define MON_SLOW_GROWTH_DEFAULT     "2021:1040,2022:610,2023:700,2024:650"
#define MON_MONITORING_LINE_DEFAULT "2021:600000,2022:630000,2023:660000,2024:690000"

/* The figures a warning rests on (Warning.evidence). */
typedef struct mon_evidence {
    bool has_t12m, has_prev, has_growth, has_components, has_prev_components;
    int64_t t12m_per_capita, prev_per_capita;
    int32_t growth_bp;
    int32_t members_active;
    int64_t current[MON_COMPONENTS], previous[MON_COMPONENTS];
    bool has_threshold, has_observed, has_amount;
    int64_t threshold, observed, amount;
    mon_unit_t unit;
    const char *threshold_source; /* static text */
    int program;                  /* -1: none */
    char detail[160];
} mon_evidence_t;

/* The input topic of a record a decision rests on, by the message it
 * carries (the partition is the household's: input topics are
 * co-partitioned). */
typedef enum mon_ref_kind {
    MON_REF_HOUSEHOLD,
    MON_REF_INCOME,
    MON_REF_EMPLOYMENT,
    MON_REF_SUBSIDY,
    MON_REF_HARDSHIP,
    MON_REF_FOLLOWUP,
    MON_REF_KINDS
} mon_ref_kind_t;

/* One input record a decision rests on (an entry of Warning.sources). */
typedef struct mon_ref {
    mon_ref_kind_t kind;
    int64_t offset;
    char event_id[MON_ID_SIZE]; /* "" for a household snapshot */
} mon_ref_t;

/* At most this many records per decision (consumers/RULES.md "Sources"). */
#define MON_REFS_MAX 32

/* One decision about one warning episode. */
typedef struct mon_decision {
    mon_rule_t rule;
    mon_status_t status;
    mon_severity_t severity;
    mon_risk_t risk;
    char subject[MON_SUBJECT_SIZE];
    char person_id[MON_ID_SIZE]; /* "" for household rules and -/PROGRAM */
    zs_month_t period;           /* this record's period */
    zs_month_t opened;
    char warning_id[65];
    char event_id[MON_ID_SIZE]; /* the event behind it when one is ("" otherwise) */
    mon_evidence_t evidence;
    /* The records that decided it, in the order of RULES.md "Sources";
     * records whose offset the state does not know are left out. */
    mon_ref_t refs[MON_REFS_MAX];
    size_t nrefs;
    bool refs_truncated; /* more than MON_REFS_MAX: the rest were cut */
} mon_decision_t;

/* One data-quality finding (to zs.audit only). */
typedef struct mon_finding {
    mon_finding_kind_t kind;
    zs_month_t period;
    char person_id[MON_ID_SIZE];
    char detail[160];
} mon_finding_t;

/* The decisions and findings of the calls since the last mon_out_reset, in
 * order. */
typedef struct mon_out {
    zs_buf_t decisions; /* mon_decision_t */
    zs_buf_t findings;  /* mon_finding_t */
} mon_out_t;

void mon_out_init(mon_out_t *out);
void mon_out_reset(mon_out_t *out);
void mon_out_free(mon_out_t *out);
const mon_decision_t *mon_out_decisions(const mon_out_t *out, size_t *n);
const mon_finding_t *mon_out_findings(const mon_out_t *out, size_t *n);
zs_err_t mon_out_finding(mon_out_t *out, mon_finding_kind_t kind, zs_month_t period,
                         const char *person_id, const char *detail);

/* RULES.md "Identity of a warning": W-<household>-<rule>-<subject>-<YYYYMM>. */
void mon_warning_id(const char *household_id, mon_rule_t rule, const char *subject,
                    zs_month_t opened, char out[65]);

/* The close of quarter q for one household: every quarterly rule, the
 * entitlements whose deadline has passed, the hardship costs of q, and the
 * data-quality findings. */
zs_err_t mon_close_quarter(const mon_rules_t *rules, mon_hh_t *hh, zs_quarter_t q, mon_out_t *out);

/* A county's follow-up (event_id, at offset of its topic partition): a
 * RESOLVED one clears the open LARGE_EXPENSE or SUBSIDY_DUPLICATE episode
 * it names (period: the month of at, +08:00); *cleared says whether it
 * did. Other actions change nothing here. */
zs_err_t mon_follow_up(mon_hh_t *hh, const char *warning_id, bool resolved, int64_t at,
                       const char *event_id, int64_t offset, mon_out_t *out, bool *cleared);

#endif
