/* sim_household.h: one synthetic household held in memory, as zs-simulate
 * builds it (sim_gen), writes it (sim_write) and judges it (sim_truth):
 * registry facts, members and every statement and transaction of the span.
 * Plain structs, shared by those three modules; nothing here knows rules. */
#ifndef SIM_HOUSEHOLD_H
#define SIM_HOUSEHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_err.h"
#include "zs_period.h"

/* Identifiers: 1-32 characters of [0-9A-Za-z_-], NUL-terminated. */
#define SIM_ID_SIZE 33

/* Each enum lists the contract's symbols in the schema's order
 * (docs/CONTRACT.md, "The exports"); sim_*_name gives the symbol. */
typedef enum sim_category { SIM_STABLE, SIM_UNSTABLE, SIM_MARGINAL, SIM_HARDSHIP } sim_category_t;
typedef enum sim_relation {
    SIM_HEAD,
    SIM_SPOUSE,
    SIM_CHILD,
    SIM_PARENT,
    SIM_GRANDCHILD,
    SIM_OTHER_RELATION
} sim_relation_t;
typedef enum sim_labor { SIM_SKILLED, SIM_ORDINARY, SIM_WEAK, SIM_LOST, SIM_NONE } sim_labor_t;
typedef enum sim_component {
    SIM_WAGE,
    SIM_OPERATING,
    SIM_PROPERTY,
    SIM_TRANSFER,
    SIM_EXPENSE,
    SIM_COMPONENT__COUNT
} sim_component_t;
typedef enum sim_status {
    SIM_MIGRANT_OUT_PROVINCE,
    SIM_MIGRANT_IN_PROVINCE,
    SIM_LOCAL,
    SIM_PUBLIC_WELFARE_JOB,
    SIM_WORKSHOP,
    SIM_SELF_EMPLOYED,
    SIM_UNEMPLOYED,
    SIM_NOT_IN_LABOR_FORCE
} sim_status_t;
typedef enum sim_program {
    SIM_DIBAO,
    SIM_TEKUN,
    SIM_TEMP_RELIEF,
    SIM_DISABILITY,
    SIM_PENSION,
    SIM_FARMLAND,
    SIM_FOREST,
    SIM_YULU,
    SIM_TRANSPORT,
    SIM_INDUSTRY_REWARD,
    SIM_OTHER_PROGRAM,
    SIM_PROGRAM__COUNT
} sim_program_t;
typedef enum sim_cost_kind {
    SIM_MEDICAL,
    SIM_DISASTER,
    SIM_ACCIDENT,
    SIM_EDUCATION,
    SIM_OTHER_COST
} sim_cost_kind_t;

const char *sim_category_name(sim_category_t c);
const char *sim_relation_name(sim_relation_t r);
const char *sim_labor_name(sim_labor_t l);
const char *sim_component_name(sim_component_t c);
const char *sim_status_name(sim_status_t s);
const char *sim_program_name(sim_program_t p);
const char *sim_cost_kind_name(sim_cost_kind_t k);

/* Employed (RULES.md "Employed month"): every status but UNEMPLOYED and
 * NOT_IN_LABOR_FORCE. Migrant: the two MIGRANT_* statuses. */
bool sim_status_employed(sim_status_t s);
bool sim_status_migrant(sim_status_t s);

typedef struct sim_member {
    char person_id[SIM_ID_SIZE];
    char id_number[19]; /* resident ID number, "" when the registry gave none */
    sim_relation_t relation;
    int birth_year;
    char sex; /* 'M' or 'F' */
    sim_labor_t labor;
    int disability; /* 0 none, 1-4 certified grade */
    bool in_school;
    bool active;
    int leaves; /* > 0: a snapshot of that epoch lists the member inactive */
} sim_member_t;

/* Every statement and transaction carries its epoch: when the monitor
 * reads it relative to the span's closes. 0: before the first close (a
 * batch, every record pushed before any close); k: after the close of the
 * span's quarter k - 1 and before that of quarter k (sim_live.h; k = the
 * number of quarters: after the last close). */

/* An income statement (identity: household, month, component, source). */
typedef struct sim_income {
    char event_id[SIM_ID_SIZE];
    zs_month_t month;
    sim_component_t component;
    const char *source; /* static string, e.g. "hrss" */
    int64_t fen;        /* >= 0 */
    int64_t reported_ms;
    int epoch;
} sim_income_t;

/* An employment statement (identity: person, month). */
typedef struct sim_job {
    char event_id[SIM_ID_SIZE];
    int member; /* index into the household's members */
    zs_month_t month;
    sim_status_t status;
    bool wants_work;
    int64_t reported_ms;
    int epoch;
} sim_job_t;

/* A subsidy record: a DUE statement (identity: household, person, program,
 * month) or a PAID transaction for that entitlement month. */
typedef struct sim_subsidy {
    char event_id[SIM_ID_SIZE];
    int member; /* index into members, or -1 for a household-level programme */
    sim_program_t program;
    bool paid; /* PAID; else DUE */
    zs_month_t month;
    int64_t fen;
    int64_t reported_ms; /* for PAID: when it was paid */
    int epoch;
} sim_subsidy_t;

/* A hardship cost (a transaction). */
typedef struct sim_cost {
    char event_id[SIM_ID_SIZE];
    zs_month_t month;
    sim_cost_kind_t kind;
    int64_t fen;
    int64_t reported_ms;
    int epoch;
} sim_cost_t;

/* The export files a household writes rows into. */
typedef enum sim_file {
    SIM_FILE_HOUSEHOLDS,
    SIM_FILE_MEMBERS,
    SIM_FILE_INCOME,
    SIM_FILE_EMPLOYMENT,
    SIM_FILE_SUBSIDY,
    SIM_FILE_HARDSHIP,
    SIM_FILE_FOLLOWUP,
    SIM_FILE__COUNT
} sim_file_t;

/* A row the input contract rejects, injected on purpose: written as is after
 * the household's rows of that file, and never part of the household's
 * data (it never reaches the monitor). */
typedef struct sim_bad_row {
    sim_file_t file;
    char event_id[SIM_ID_SIZE];
    char text[224]; /* the CSV row without its line end */
} sim_bad_row_t;

/* One household. The arrays are zs_buf_t of the element type (sim_members,
 * sim_incomes... give typed views); rows are written in array order, so
 * the order of the arrays is the order of arrival. */
typedef struct sim_household {
    char household_id[SIM_ID_SIZE];
    char county_code[7];
    char township[64]; /* UTF-8 */
    char village[64];  /* UTF-8 */
    sim_category_t category;
    int64_t updated_ms;
    zs_buf_t members, incomes, jobs, subsidies, costs, bad_rows;
} sim_household_t;

/* Starts an empty household; allocates nothing. */
void sim_household_init(sim_household_t *hh);
/* Empties it, keeping the memory of its arrays for the next household. */
void sim_household_reset(sim_household_t *hh);
/* Frees its arrays. NULL is fine. */
void sim_household_free(sim_household_t *hh);

/* Appends one element to an array of hh (ZS_ERR_NOMEM / ZS_ERR_OVERFLOW past
 * 256 MiB per array). Pointers from the typed views are invalid afterwards. */
zs_err_t sim_household_add_member(sim_household_t *hh, const sim_member_t *m);
zs_err_t sim_household_add_income(sim_household_t *hh, const sim_income_t *x);
zs_err_t sim_household_add_job(sim_household_t *hh, const sim_job_t *x);
zs_err_t sim_household_add_subsidy(sim_household_t *hh, const sim_subsidy_t *x);
zs_err_t sim_household_add_cost(sim_household_t *hh, const sim_cost_t *x);
zs_err_t sim_household_add_bad_row(sim_household_t *hh, const sim_bad_row_t *x);

/* Typed views of the arrays: the first element and, in *n, the count. */
sim_member_t *sim_members(const sim_household_t *hh, size_t *n);
sim_income_t *sim_incomes(const sim_household_t *hh, size_t *n);
sim_job_t *sim_jobs(const sim_household_t *hh, size_t *n);
sim_subsidy_t *sim_subsidies(const sim_household_t *hh, size_t *n);
sim_cost_t *sim_costs(const sim_household_t *hh, size_t *n);
sim_bad_row_t *sim_bad_rows(const sim_household_t *hh, size_t *n);

/* Removes element i of an array (elem bytes each), keeping the order. */
void sim_array_remove(zs_buf_t *array, size_t elem, size_t i);

/* Wall-clock time in Guangxi (+08:00) as epoch milliseconds, and back as
 * "YYYY-MM-DDTHH:MM:SS+08:00" (out: at least 26 bytes). */
int64_t sim_time_make(int year, int month, int day, int hour, int minute, int second);
void sim_time_format(int64_t ms, char *out);
/* The first instant (+08:00) of month m: "reported by the end of month m-1"
 * means reported_ms < sim_month_start_ms(m). */
int64_t sim_month_start_ms(zs_month_t m);

#endif
