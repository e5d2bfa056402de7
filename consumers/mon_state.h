/* mon_state.h: what zs-monitor knows of one household, and how each input
 * event changes it (consumers/RULES.md "Figures"). Pure: no Kafka, no I/O.
 *
 * A household is held in two forms. Resident, it is a compact byte string
 * (mon_hh_encode: varints, months as deltas, ids sharing the household id's
 * prefix), which is also what the changelog zs.monitor.state stores. While
 * events are applied and rules run it is decoded into a mon_hh_t, whose
 * arrays grow as needed and are reused from household to household. */
#ifndef MON_STATE_H
#define MON_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_contract.h"
#include "zs_err.h"
#include "zs_period.h"

#define MON_ID_SIZE     33                         /* ids: 1-32 characters of [0-9A-Za-z_-], NUL */
#define MON_SOURCE_SIZE (ZS_CONTRACT_NAME_MAX + 1) /* a source's name, NUL */

/* Enumerations in their schema's symbol order (the decoded Avro index). */
enum { MON_SKILLED, MON_ORDINARY, MON_WEAK, MON_LOST, MON_NONE };
enum { MON_WAGE, MON_OPERATING, MON_PROPERTY, MON_TRANSFER, MON_EXPENSE, MON_COMPONENTS };
enum {
    MON_MIGRANT_OUT_PROVINCE,
    MON_MIGRANT_IN_PROVINCE,
    MON_LOCAL,
    MON_PUBLIC_WELFARE_JOB,
    MON_WORKSHOP,
    MON_SELF_EMPLOYED,
    MON_UNEMPLOYED,
    MON_NOT_IN_LABOR_FORCE,
    MON_STATUSES
};
enum { MON_PROGRAM_DISABILITY = 3, MON_PROGRAM_PENSION = 4, MON_PROGRAMS = 11 };
enum { MON_COST_KINDS = 5 };

bool mon_status_employed(int status);
bool mon_status_migrant(int status);

/* A person of the household: a member of its latest snapshot, or someone an
 * event named before (or without) a snapshot listing them. */
typedef struct mon_person {
    char id[MON_ID_SIZE];
    int16_t birth_year;
    uint8_t labor;
    uint8_t disability;
    bool member; /* listed in the latest snapshot */
    bool active;
} mon_person_t;

/* The standing income statement of one identity (month, component, source). */
typedef struct mon_income {
    zs_month_t month;
    uint8_t component;
    uint8_t source; /* index into mon_hh_t.sources */
    int64_t fen;
    int64_t at;     /* reported_at, epoch ms */
    int64_t offset; /* of the record in its input topic partition; -1: unknown */
    char event_id[MON_ID_SIZE];
} mon_income_t;

/* The standing employment statement of (person, month). */
typedef struct mon_job {
    zs_month_t month;
    uint8_t person;
    uint8_t status;
    bool wants_work;
    int64_t at;
    int64_t offset; /* as mon_income_t's */
    char event_id[MON_ID_SIZE];
} mon_job_t;

/* A subsidy record: a standing DUE of (person, program, month), or a PAID
 * transaction (every event_id counts). */
typedef struct mon_subsidy {
    zs_month_t month;
    int16_t person; /* -1: a household-level programme */
    uint8_t program;
    bool paid;
    bool resolved; /* a RESOLVED follow-up settled its duplicate payment */
    int64_t fen;
    int64_t at;
    int64_t offset; /* as mon_income_t's */
    char event_id[MON_ID_SIZE];
} mon_subsidy_t;

/* A hardship cost (a transaction). */
typedef struct mon_cost {
    zs_month_t month;
    uint8_t kind;
    bool judged; /* LARGE_EXPENSE has looked at it (at its quarter's close) */
    int64_t fen;
    int64_t at;
    int64_t offset; /* as mon_income_t's */
    char event_id[MON_ID_SIZE];
} mon_cost_t;

#define MON_SUBJECT_SIZE 64

/* An open warning episode. */
typedef struct mon_episode {
    uint8_t rule;
    char subject[MON_SUBJECT_SIZE]; /* "-", person, "person/PROGRAM", "-/PROGRAM" */
    zs_month_t opened;
    uint64_t evidence; /* a hash of the figures last written for it */
} mon_episode_t;

/* A data-quality finding already written (to zs.audit): each is written
 * once per (kind, period, person), however often its quarter runs. */
typedef struct mon_noted {
    uint8_t kind;
    zs_month_t period;
    char person_id[MON_ID_SIZE]; /* "" for the household */
} mon_noted_t;

#define MON_SOURCES_MAX 32

typedef struct mon_hh {
    char id[MON_ID_SIZE];
    bool registered; /* a snapshot has been seen */
    char county[7];
    uint8_t category;
    int64_t updated_at;      /* the snapshot's */
    int64_t snapshot_offset; /* the snapshot's offset in its topic partition; -1: unknown */
    char sources[MON_SOURCES_MAX][MON_SOURCE_SIZE];
    size_t nsources;
#define MON_ARRAY(type, name)                                                                      \
    type *name;                                                                                    \
    size_t n##name, cap_##name
    MON_ARRAY(mon_person_t, persons);
    MON_ARRAY(mon_income_t, incomes); /* sorted by (month, component, source) */
    MON_ARRAY(mon_job_t, jobs);       /* sorted by (person, month) */
    MON_ARRAY(mon_subsidy_t, subsidies);
    MON_ARRAY(mon_cost_t, costs);
    MON_ARRAY(mon_episode_t, episodes);
    MON_ARRAY(mon_noted_t, noted); /* sorted by (period, kind, person) */
#undef MON_ARRAY
} mon_hh_t;

/* An empty household (no memory yet); mon_hh_clear(hh, id) readies it for
 * another household keeping its arrays; mon_hh_free releases them. */
void mon_hh_init(mon_hh_t *hh);
void mon_hh_clear(mon_hh_t *hh, const char *household_id);
void mon_hh_free(mon_hh_t *hh);

/* Each event below comes with offset, the record's offset in its input
 * topic partition (the household's partition: input topics are
 * co-partitioned), kept with what it decided so that a warning can name
 * its records (Warning.sources); -1 when unknown. */

/* What an event did. */
typedef enum mon_applied {
    MON_IGNORED,  /* a repeat of an event already held, or older than the standing statement */
    MON_ADDED,    /* a new identity or transaction */
    MON_REPLACED, /* a correction: the statement of that identity changed */
} mon_applied_t;

/* A member as the snapshot lists them. */
typedef struct mon_member_in {
    const char *person_id;
    int birth_year;
    int labor;
    int disability;
    bool active;
} mon_member_in_t;

/* A Household snapshot: replaces the facts and the member list unless it is
 * older (updated_at) than the one held. */
zs_err_t mon_apply_household(mon_hh_t *hh, const char *county, int category, int64_t updated_at,
                             const mon_member_in_t *members, size_t nmembers, int64_t offset,
                             mon_applied_t *applied);
zs_err_t mon_apply_income(mon_hh_t *hh, const char *event_id, zs_month_t month, int component,
                          const char *source, int64_t fen, int64_t at, int64_t offset,
                          mon_applied_t *applied);
zs_err_t mon_apply_job(mon_hh_t *hh, const char *event_id, const char *person_id, zs_month_t month,
                       int status, bool wants_work, int64_t at, int64_t offset,
                       mon_applied_t *applied);
/* person_id NULL: a household-level programme. */
zs_err_t mon_apply_subsidy(mon_hh_t *hh, const char *event_id, const char *person_id, int program,
                           bool paid, zs_month_t month, int64_t fen, int64_t at, int64_t offset,
                           mon_applied_t *applied);
zs_err_t mon_apply_cost(mon_hh_t *hh, const char *event_id, zs_month_t month, int kind, int64_t fen,
                        int64_t at, int64_t offset, mon_applied_t *applied);

/* Whether p is a PAID record for the entitlement of DUE due. */
bool mon_subsidy_pays(const mon_subsidy_t *p, const mon_subsidy_t *due);

/* Notes that a finding was written; false if it already was (then it is
 * not written again). ZS_ERR_NOMEM in *err. */
bool mon_hh_note(mon_hh_t *hh, int kind, zs_month_t period, const char *person_id, zs_err_t *err);

/* Forgets statements and transactions of months before keep_from (they can
 * no longer change a rule's outcome), except what an open episode rests on,
 * and the findings noted for those months. */
void mon_hh_prune(mon_hh_t *hh, zs_month_t keep_from);

/* The index of a person, added (not a member) if unknown; -1 when the
 * household already has 255 persons. */
int mon_person_index(mon_hh_t *hh, const char *person_id);

/* The compact form, appended to out. Puts hh in its canonical order first
 * (persons by id, sources by name, open episodes by rule and subject; the
 * indexes that refer to them follow), so that equal states, however they
 * came about, have equal bytes. */
zs_err_t mon_hh_encode(mon_hh_t *hh, zs_buf_t *out);
/* Reads the compact form of household_id back (hh is cleared first).
 * ZS_ERR_CORRUPT naming what is wrong when the bytes are not one. */
zs_err_t mon_hh_decode(mon_hh_t *hh, const char *household_id, const void *data, size_t len,
                       char *errstr, size_t errstr_size);

/* The first instant of a month in China Standard Time (+08:00), epoch ms:
 * deadlines ("by the end of the following month") are counted in it. */
int64_t mon_month_start_ms(zs_month_t m);

#endif
