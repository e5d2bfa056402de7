/* desk_store.h: zs-desk's SQLite database (consumers/DESK.md, "Read
 * model"): each warning's current state with its whole history (warning
 * records, follow-ups, escalations), the users, and the next offset of every
 * partition consumed. Rows and the offsets that produced them are written in
 * one transaction, so a crash neither loses nor doubles a record, and every
 * row also has a unique source key (INSERT OR IGNORE), so a record applied
 * twice anyway is one row. */
#ifndef DESK_STORE_H
#define DESK_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "desk_auth.h"
#include "notify_report.h"
#include "zs_buf.h"
#include "zs_err.h"

typedef struct desk_store desk_store_t;

/* Opens (creating if needed) the database at path, WAL mode; checks the
 * stored format number and refuses another with a clear message. *out is
 * the caller's (desk_store_close). Each thread opens its own. */
zs_err_t desk_store_open(const char *path, desk_store_t **out, char *errstr, size_t errstr_size);
void desk_store_close(desk_store_t *st);

/* ---- consuming: call between begin and commit ---- */

zs_err_t desk_store_begin(desk_store_t *st, char *errstr, size_t errstr_size);
/* Commits every row applied since begin together with the offsets set. */
zs_err_t desk_store_commit(desk_store_t *st, char *errstr, size_t errstr_size);
void desk_store_rollback(desk_store_t *st);

/* The next offset to read of topic/partition; -1 when none is stored. */
int64_t desk_store_offset(desk_store_t *st, const char *topic, int32_t partition);
zs_err_t desk_store_set_offset(desk_store_t *st, const char *topic, int32_t partition, int64_t next,
                               char *errstr, size_t errstr_size);

/* A warning record (Warning, any version) read at topic/partition/offset:
 * creates or updates the warning and adds its history line. */
zs_err_t desk_store_apply_warning(desk_store_t *st, const notify_warning_t *w, const char *src,
                                  char *errstr, size_t errstr_size);

/* The follow-up actions, in FollowUpAction order. */
typedef enum desk_action {
    DESK_ACTION_ACK,
    DESK_ACTION_MEASURE,
    DESK_ACTION_RESOLVED,
    DESK_ACTION__COUNT
} desk_action_t;

/* FollowUp.v2's measure (帮扶措施), in schema order. */
typedef enum desk_measure {
    DESK_MEASURE_NONE = -1,  /* null */
    DESK_MEASURE_INDUSTRY,   /* 产业帮扶 */
    DESK_MEASURE_EMPLOYMENT, /* 就业帮扶 */
    DESK_MEASURE_PUBLIC_JOB, /* 公益岗位 */
    DESK_MEASURE_SAFETY_NET, /* 兜底保障 */
    DESK_MEASURE_MEDICAL,    /* 医疗救助 */
    DESK_MEASURE_EDUCATION,  /* 教育帮扶 */
    DESK_MEASURE_OTHER,      /* 其他 */
    DESK_MEASURE__COUNT
} desk_measure_t;

/* A follow-up as on zs.followup. Strings are borrowed. */
typedef struct desk_followup {
    const char *event_id, *household_id, *warning_id, *note, *officer_id;
    desk_action_t action;
    desk_measure_t measure;
    int64_t at; /* ms */
} desk_followup_t;

/* A follow-up read from the topic (or just acknowledged by Kafka): one
 * history line per event_id, and the warning's first ACK/MEASURE/RESOLVED
 * times. */
zs_err_t desk_store_apply_followup(desk_store_t *st, const desk_followup_t *f, char *errstr,
                                   size_t errstr_size);

/* An audit record about a warning (chain/seq is its identity): a history
 * line of kind (the AuditKind symbol) shown to inspectors; an ESCALATION is
 * shown to everyone and marks the warning escalated. */
zs_err_t desk_store_apply_audit(desk_store_t *st, const char *warning_id, const char *household_id,
                                const char *kind, const char *actor, const char *detail, int64_t at,
                                const char *chain, int64_t seq, char *errstr, size_t errstr_size);

/* A household snapshot (Household, from the compacted zs.household): where
 * it lives, for the inbox's township and village filters and the
 * overview's figures per 1,000 households. The latest one read wins.
 * township and village may be NULL. */
zs_err_t desk_store_apply_household(desk_store_t *st, const char *household_id,
                                    const char *county_code, const char *township,
                                    const char *village, char *errstr, size_t errstr_size);

/* ---- users ---- */

typedef struct desk_user {
    char login[33];
    desk_role_t role;
    char scope[7];
    char hash[DESK_PWHASH_MAX];
    bool disabled;
    int64_t created_at;
} desk_user_t;

/* Adds a user; ZS_ERR_INVALID when the login exists. */
zs_err_t desk_store_user_add(desk_store_t *st, const desk_user_t *u, char *errstr,
                             size_t errstr_size);
/* ZS_ERR_NOT_FOUND when there is no such login. */
zs_err_t desk_store_user_disable(desk_store_t *st, const char *login, char *errstr,
                                 size_t errstr_size);
zs_err_t desk_store_user_get(desk_store_t *st, const char *login, desk_user_t *out);
/* Calls fn for each user in login order. */
zs_err_t desk_store_user_each(desk_store_t *st, void (*fn)(const desk_user_t *, void *), void *arg);

/* ---- reading: what the pages show ---- */

/* A warning's current state. Strings are owned by the row. */
typedef struct desk_row {
    char warning_id[80], household_id[40], county_code[8], person_id[40];
    int rule, severity, status, risk;
    int year, month, opened_year, opened_month;
    int64_t opened_at, updated_at;              /* ms */
    int64_t acked_at, measured_at, resolved_at; /* ms; -1 none yet */
    bool escalated;
    char evidence[2048]; /* JSON, desk_store's own evidence form */
} desk_row_t;

/* Inbox filters; NULL or -1 for "any". */
typedef struct desk_filter {
    const char *scope;     /* county-code prefix the user may see */
    const char *county;    /* one county, or NULL */
    int rule, risk;        /* -1 any */
    int state;             /* -1 any; 0 awaiting ACK, 1 awaiting MEASURE, 2 measure taken */
    const char *household; /* exact household id, or NULL */
    const char *township;  /* the household's township (乡镇), exact, or NULL */
    const char *village;   /* the household's village (村), exact, or NULL */
    bool open_only;        /* only warnings neither cleared nor resolved */
    size_t limit;          /* rows at most; 0 for all */
    size_t offset;         /* rows skipped first (a page of the inbox) */
} desk_filter_t;

/* The rows matching f, most urgent first (severity, then the next deadline
 * pending: ACK at opened+ack_ms, MEASURE at opened+measure_ms), from
 * f->offset, at most f->limit. rows is a zs_buf of desk_row_t, replaced;
 * their evidence is left empty (desk_store_row has it). */
zs_err_t desk_store_rows(desk_store_t *st, const desk_filter_t *f, int64_t ack_ms,
                         int64_t measure_ms, zs_buf_t *rows, char *errstr, size_t errstr_size);

/* The inbox's counts, over every warning f matches (limit and offset are
 * ignored): how many, acknowledged, ACK overdue (none by opened+ack_ms at
 * now), MEASURE overdue (none by opened+measure_ms). */
typedef struct desk_counts {
    int64_t open, acked, ack_late, measure_late;
} desk_counts_t;

zs_err_t desk_store_counts(desk_store_t *st, const desk_filter_t *f, int64_t ack_ms,
                           int64_t measure_ms, int64_t now, desk_counts_t *out, char *errstr,
                           size_t errstr_size);

/* One warning by id (any county: the caller authorises); ZS_ERR_NOT_FOUND. */
zs_err_t desk_store_row(desk_store_t *st, const char *warning_id, desk_row_t *out);

/* A line of a warning's history. */
typedef struct desk_event {
    int64_t at;
    char kind[24]; /* OPEN UPDATED CLEARED ACK MEASURE RESOLVED, or an AuditKind symbol */
    char actor[40];
    int measure; /* desk_measure_t */
    char note[600];
    char detail[200];
    char source[160]; /* where it came from: topic/partition/offset, event id, chain/seq */
} desk_event_t;

/* The history of a warning, oldest first; events is a zs_buf of desk_event_t. */
zs_err_t desk_store_history(desk_store_t *st, const char *warning_id, zs_buf_t *events,
                            char *errstr, size_t errstr_size);

/* Per county and quarter (of the opening period): the figures of plan item
 * 35. */
typedef struct desk_stat {
    char county_code[8];
    int year, quarter;
    int64_t warnings, open;
    int64_t acked_in_time;    /* ACK within ack_ms of opening */
    int64_t measured_in_time; /* MEASURE within measure_ms */
    int64_t households;       /* the county's households in the read model (every quarter) */
} desk_stat_t;

/* The figures of the counties under scope; stats is a zs_buf of desk_stat_t
 * ordered by county, then quarter. */
zs_err_t desk_store_stats(desk_store_t *st, const char *scope, int64_t ack_ms, int64_t measure_ms,
                          zs_buf_t *stats, char *errstr, size_t errstr_size);

/* Per county and quarter, the plan's income targets as zs-monitor judged
 * them at each quarter's close (consumers/RULES.md): households whose
 * per-capita 12-month net income was under 10,000 yuan (a LOW_INCOME
 * warning open at the close), and households whose income fell or grew
 * below the year's rural income growth (INCOME_FALL or SLOW_GROWTH open).
 * A warning counts from the quarter it opened up to, not including, the
 * quarter whose record cleared it; a household has at most one of each at
 * a time, so warnings count households. */
typedef struct desk_trend {
    char county_code[8];
    int year, quarter;
    int64_t households;   /* the county's households in the read model */
    int64_t low_income;   /* under 10,000 yuan per capita at the close */
    int64_t below_growth; /* income fell, or grew slower than the region's */
} desk_trend_t;

/* Every county under scope (with households or warnings) and every quarter
 * from the first opened to the last closed one seen (at most the last 64),
 * ordered by county, then quarter; trend is a zs_buf of desk_trend_t,
 * replaced. */
zs_err_t desk_store_trend(desk_store_t *st, const char *scope, zs_buf_t *trend, char *errstr,
                          size_t errstr_size);

#endif
