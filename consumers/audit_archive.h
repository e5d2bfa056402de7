/* audit_archive.h: zs-audit's archive: every audit record kept in SQLite
 * with its Kafka coordinates and its bytes as written, so chains can be
 * checked again from the archive alone and inspectors can query it. */
#ifndef AUDIT_ARCHIVE_H
#define AUDIT_ARCHIVE_H

#include <avro.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit_sla.h"
#include "zs_audit.h"
#include "zs_buf.h"
#include "zs_err.h"

typedef struct audit_archive audit_archive_t;

/* Opens (creating and migrating as needed) the archive at path. *out is the
 * caller's (audit_archive_close). */
zs_err_t audit_archive_open(const char *path, audit_archive_t **out, char *errstr,
                            size_t errstr_size);
void audit_archive_close(audit_archive_t *a);

/* Batches: begin, add records, commit. A record already archived (same
 * topic, partition and offset) is left as it is, so replays change nothing. */
zs_err_t audit_archive_begin(audit_archive_t *a, char *errstr, size_t errstr_size);
zs_err_t audit_archive_commit(audit_archive_t *a, char *errstr, size_t errstr_size);
/* rec is the decoded AuditRecord of msg. *added is false for a replayed one. */
zs_err_t audit_archive_add(audit_archive_t *a, const char *topic, int32_t partition, int64_t offset,
                           avro_value_t *rec, const void *msg, size_t len, bool *added,
                           char *errstr, size_t errstr_size);

/* Follows every chain in the archive in seq order, each record decoded from
 * its own archived bytes (dec), calling broken for each broken link with its
 * coordinates; counts the records and chains checked. */
typedef void audit_archive_broken_fn(void *ctx, const char *topic, int32_t partition,
                                     int64_t offset, const char *why);
zs_err_t audit_archive_verify(audit_archive_t *a, zs_decoder_t *dec,
                              audit_archive_broken_fn *broken, void *ctx, uint64_t *records,
                              uint64_t *chains, char *errstr, size_t errstr_size);

/* Batches that write: like audit_archive_begin, but taking the archive's
 * write lock at once (BEGIN IMMEDIATE), so that what is read in the batch
 * stays true until commit or rollback. */
zs_err_t audit_archive_lock(audit_archive_t *a, char *errstr, size_t errstr_size);
void audit_archive_rollback(audit_archive_t *a);

/* One warning as the archive tells it: the WARNING_OPENED records of its
 * warning_id and what became of it. Escalations count both the archived
 * ESCALATION records and those zs-audit sla recorded in its own table. */
typedef struct audit_warning {
    char warning_id[72], household[40], county[8], person[40], rule[24];
    int year, month; /* the period of the (latest) opening */
    int64_t opened;  /* at of its latest WARNING_OPENED, UTC ms */
    int64_t cleared; /* at of the first WARNING_CLEARED after it, or AUDIT_SLA_NEVER */
    int cleared_year, cleared_month;       /* its period, if cleared */
    int updates;                           /* WARNING_UPDATED records */
    uint64_t records;                      /* archived records about it, of every kind above */
    int64_t notified;                      /* at of the first NOTIFICATION_SENT, 0 if none */
    int64_t notify_failed;                 /* at of the last NOTIFICATION_FAILED, 0 if none */
    const audit_sla_followup_t *followups; /* FOLLOWUP_RECORDED, in time order */
    size_t nfollowups;
    int64_t escalated[AUDIT_SLA_STEPS];      /* at of the step's escalation, 0 if none */
    int64_t escalated_days[AUDIT_SLA_STEPS]; /* its days_overdue */
} audit_warning_t;

/* Called for each warning; w lives for the call only. A non-zero return
 * stops the walk and is returned. */
typedef zs_err_t audit_warning_fn(void *ctx, const audit_warning_t *w, char *errstr,
                                  size_t errstr_size);

/* Calls fn for every warning of county (NULL: every county) that has a
 * WARNING_OPENED record, in warning_id order. */
zs_err_t audit_archive_warnings(audit_archive_t *a, const char *county, audit_warning_fn *fn,
                                void *ctx, char *errstr, size_t errstr_size);

/* The head of the chain called chain->name as the archive knows it: the
 * further of the last record of it that zs-audit sla recorded
 * (audit_archive_escalated) and the last archived record of that chain.
 * chain is left as zs_audit_chain_init made it when neither exists. */
zs_err_t audit_archive_chain_head(audit_archive_t *a, zs_audit_chain_t *chain, char *errstr,
                                  size_t errstr_size);

/* Records that the escalation of step for warning_id was written at at, as
 * record seq of chain with SHA-256 hash (of its bytes as written), days
 * overdue. Inside a batch (audit_archive_lock). */
zs_err_t audit_archive_escalated(audit_archive_t *a, const char *warning_id, audit_sla_step_t step,
                                 int64_t at, int64_t days, const char *chain, int64_t seq,
                                 const unsigned char hash[ZS_SHA256_SIZE], char *errstr,
                                 size_t errstr_size);

/* What an inspector asks: one household's whole history, or a county's
 * records of a quarter. Rows come in time order. */
typedef enum audit_query_format { AUDIT_TABLE, AUDIT_CSV, AUDIT_JSON } audit_query_format_t;

typedef struct audit_query {
    const char *household; /* or NULL */
    const char *county;    /* or NULL; with year and quarter */
    int year, quarter;     /* 0: any */
    audit_query_format_t format;
} audit_query_t;

/* Writes the matching records to out; *rows counts them. A county's
 * quarter (county with year and quarter) is shown warning by warning
 * instead: each warning of the county open at some time in the quarter (its
 * opening period at or before the quarter's end and not cleared before the
 * quarter's start), with its notification, follow-ups and escalations;
 * *rows counts the warnings and *records the archived records about them
 * (for the records view, *records = *rows). */
zs_err_t audit_archive_query(audit_archive_t *a, const audit_query_t *q, FILE *out, uint64_t *rows,
                             uint64_t *records, char *errstr, size_t errstr_size);

#endif
