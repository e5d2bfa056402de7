/* notify_report.h: zs-notify's per-county reports (consumers/NOTIFY.md,
 * "Reports"): warning records in, a self-contained HTML page per county out,
 * as pure logic without Kafka or files, so unit tests take it case by case.
 * Chinese by default, in the plan's own words; English on request. */
#ifndef NOTIFY_REPORT_H
#define NOTIFY_REPORT_H

#include <avro.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_county.h"
#include "zs_err.h"

/* The language of a report. */
typedef enum notify_lang {
    NOTIFY_LANG_ZH, /* Chinese, the default: what county officials read */
    NOTIFY_LANG_EN, /* English, on request */
} notify_lang_t;

/* The enums of schemas/Warning.v1.avsc, in the schema's symbol order. A
 * symbol this code does not know (a later schema version) reads as the
 * enum's UNKNOWN/OTHER value, as the schema's own defaults do. */
typedef enum notify_rule {
    NOTIFY_RULE_INCOME_FALL,
    NOTIFY_RULE_SLOW_GROWTH,
    NOTIFY_RULE_LOW_INCOME,
    NOTIFY_RULE_POVERTY_RISK,
    NOTIFY_RULE_NO_WORK,
    NOTIFY_RULE_SHORT_WORK,
    NOTIFY_RULE_WEAK_LABOR,
    NOTIFY_RULE_LARGE_EXPENSE,
    NOTIFY_RULE_SUBSIDY_MISSING,
    NOTIFY_RULE_SUBSIDY_SHORT,
    NOTIFY_RULE_SUBSIDY_DUPLICATE,
    NOTIFY_RULE_NOT_ENROLLED,
    NOTIFY_RULE_UNKNOWN,
    NOTIFY_RULE__COUNT
} notify_rule_t;

typedef enum notify_severity {
    NOTIFY_SEVERITY_LOW,
    NOTIFY_SEVERITY_MEDIUM,
    NOTIFY_SEVERITY_HIGH,
    NOTIFY_SEVERITY__COUNT
} notify_severity_t;

typedef enum notify_status {
    NOTIFY_STATUS_OPEN,
    NOTIFY_STATUS_UPDATED,
    NOTIFY_STATUS_CLEARED,
    NOTIFY_STATUS_UNKNOWN,
    NOTIFY_STATUS__COUNT
} notify_status_t;

typedef enum notify_risk {
    NOTIFY_RISK_ILLNESS,
    NOTIFY_RISK_DISABILITY,
    NOTIFY_RISK_EDUCATION,
    NOTIFY_RISK_DISASTER,
    NOTIFY_RISK_ACCIDENT,
    NOTIFY_RISK_INDUSTRY_FAILURE,
    NOTIFY_RISK_UNSTABLE_EMPLOYMENT,
    NOTIFY_RISK_LABOR_SHORTAGE,
    NOTIFY_RISK_OTHER,
    NOTIFY_RISK__COUNT
} notify_risk_t;

typedef enum notify_unit {
    NOTIFY_UNIT_NONE = -1, /* threshold_unit null */
    NOTIFY_UNIT_FEN,
    NOTIFY_UNIT_BASIS_POINTS,
    NOTIFY_UNIT_MONTHS,
    NOTIFY_UNIT_YEARS,
    NOTIFY_UNIT_COUNT,
    NOTIFY_UNIT_UNKNOWN,
    NOTIFY_UNIT__COUNT
} notify_unit_t;

typedef enum notify_component_kind {
    NOTIFY_COMPONENT_WAGE,
    NOTIFY_COMPONENT_OPERATING,
    NOTIFY_COMPONENT_PROPERTY,
    NOTIFY_COMPONENT_TRANSFER,
    NOTIFY_COMPONENT_EXPENSE,
    NOTIFY_COMPONENT__COUNT
} notify_component_kind_t;

typedef enum notify_program {
    NOTIFY_PROGRAM_NONE = -1, /* program null */
    NOTIFY_PROGRAM_DIBAO,
    NOTIFY_PROGRAM_TEKUN,
    NOTIFY_PROGRAM_TEMP_RELIEF,
    NOTIFY_PROGRAM_DISABILITY,
    NOTIFY_PROGRAM_PENSION,
    NOTIFY_PROGRAM_FARMLAND,
    NOTIFY_PROGRAM_FOREST,
    NOTIFY_PROGRAM_YULU,
    NOTIFY_PROGRAM_TRANSPORT,
    NOTIFY_PROGRAM_INDUSTRY_REWARD,
    NOTIFY_PROGRAM_OTHER,
    NOTIFY_PROGRAM__COUNT
} notify_program_t;

/* One income component's change (Evidence.components). */
typedef struct notify_component {
    notify_component_kind_t component;
    int64_t current_fen;  /* household total over the T12M window */
    bool has_previous;    /* previous_fen not null */
    int64_t previous_fen; /* the same a year earlier */
} notify_component_t;

/* One warning record, decoded: the fields of schemas/Warning.v1.avsc a
 * report shows (not sources). Strings are borrowed (NUL-terminated, owned
 * by whoever filled the struct); person_id is NULL when the record has
 * none. A has_* flag false means the field is null. */
typedef struct notify_warning {
    const char *warning_id, *household_id, *county_code, *person_id;
    notify_rule_t rule;
    notify_severity_t severity;
    notify_status_t status;
    notify_risk_t risk;
    int year, month;               /* the record's period */
    int opened_year, opened_month; /* the period the episode opened */
    bool has_t12m, has_t12m_prev, has_growth, has_threshold, has_observed, has_amount;
    int64_t t12m_fen;      /* per-capita T12M net income, fen */
    int64_t t12m_prev_fen; /* the same a year earlier, fen */
    int32_t growth_bp;     /* growth, basis points */
    int32_t members_active;
    notify_component_t components[NOTIFY_COMPONENT__COUNT];
    size_t ncomponents;
    int64_t threshold;
    notify_unit_t threshold_unit;
    int64_t observed;
    const char *threshold_source; /* "" when no threshold */
    notify_program_t program;
    int64_t amount_fen;
    const char *detail;
    const char *ruleset_version;
    int64_t emitted_at; /* UTC ms */
} notify_warning_t;

/* Reads a decoded Warning record (the latest schema version, as
 * zs_decoder_decode gives it) into *w. The strings of *w point into v and
 * live until v changes. ZS_ERR_INVALID with the field's name in errstr when
 * a field is missing or of the wrong type. */
zs_err_t notify_warning_from_avro(avro_value_t *v, notify_warning_t *w, char *errstr,
                                  size_t errstr_size);

/* A collection of warning records for reports: the latest record of each
 * warning (by warning_id, the one added last), and the per-capita T12M
 * figures of every record, per household and quarter, for the trends.
 * Opaque; owned by its creator (notify_report_free). */
typedef struct notify_report notify_report_t;

/* A new empty collection in *out. ZS_ERR_NOMEM. */
zs_err_t notify_report_new(notify_report_t **out);
/* Frees the collection and every copy it holds. NULL is fine. */
void notify_report_free(notify_report_t *r);
/* Adds one record (copied): it replaces an earlier record of the same
 * warning_id. Records must come in the order they were written (per
 * household: a topic's partition order). ZS_ERR_INVALID for a record without
 * warning_id, household_id or county_code; ZS_ERR_NOMEM. */
zs_err_t notify_report_add(notify_report_t *r, const notify_warning_t *w);
/* The number of counties with at least one warning, and the i-th of their
 * codes in ascending order (NULL past the end); valid until the next add. */
size_t notify_report_county_count(const notify_report_t *r);
const char *notify_report_county_at(const notify_report_t *r, size_t i);
/* Whether the i-th county got a record (or lost a warning to another
 * county) since the collection was made or notify_report_changes_clear was
 * last called: the reports to write again. */
bool notify_report_county_changed(const notify_report_t *r, size_t i);
void notify_report_changes_clear(notify_report_t *r);

/* Writes the report of one county into out (appended): a self-contained
 * HTML page (inline CSS, inline SVG charts, no script, no external file)
 * showing only the warnings whose county_code is county_code. county gives
 * the county and city names (NULL: the code alone). generated_at is the
 * time shown (UTC ms; shown in Beijing time). Every text from the data is
 * HTML-escaped after resident ID numbers in it are masked
 * (zs_log_mask_idnumbers), and the page is masked once more as a whole.
 * ZS_ERR_NOMEM or ZS_ERR_OVERFLOW (out's bound). */
zs_err_t notify_report_render(const notify_report_t *r, const char *county_code,
                              const zs_county_t *county, notify_lang_t lang, int64_t generated_at,
                              zs_buf_t *out);

/* Writes index.html: one line per county with warnings (code, names, open
 * and cleared counts) linking to CODE.html. counties may be NULL. */
zs_err_t notify_report_render_index(const notify_report_t *r, const zs_county_table_t *counties,
                                    notify_lang_t lang, int64_t generated_at, zs_buf_t *out);

/* The pure function: the report of county_code over a list of warning
 * records (in the order written), as notify_report_render. */
zs_err_t notify_report_html(const notify_warning_t *list, size_t n, const char *county_code,
                            const zs_county_t *county, notify_lang_t lang, int64_t generated_at,
                            zs_buf_t *out);

/* A rule's name as the plan words it (NOTIFY_LANG_ZH: "收入不增反降") or in
 * English; never NULL. */
const char *notify_rule_name(notify_rule_t rule, notify_lang_t lang);
/* A risk type's name (因病 / Illness ...); never NULL. */
const char *notify_risk_name(notify_risk_t risk, notify_lang_t lang);

/* Reads "zh" or "en" (any case). ZS_ERR_INVALID otherwise. */
zs_err_t notify_lang_parse(const char *s, notify_lang_t *out);

/* Writes fen as yuan with two decimals and thousands separators
 * ("-12,345.60"); out holds at least 32 bytes. */
void notify_report_yuan(int64_t fen, char *out, size_t size);
/* Writes basis points as a percentage with two decimals ("-2.50%"). */
void notify_report_percent(int64_t bp, char *out, size_t size);

/* What a rule compares with (预警依据), in lang, from the rule and the unit
 * of its threshold alone; "" for an unknown rule. A page shows this, never
 * Evidence.threshold_source, which is the monitor's English (notify_evidence.c). */
const char *notify_evidence_basis(notify_rule_t rule, notify_unit_t unit, notify_lang_t lang);
/* One sentence in lang explaining w (说明), written from its structured
 * fields (rule, period, members_active, threshold, observed, amount, program),
 * never from Evidence.detail; out[0] == '\0' when there is nothing to say.
 * out holds at least 200 bytes. */
void notify_evidence_note(const notify_warning_t *w, notify_lang_t lang, char *out, size_t size);

#endif
