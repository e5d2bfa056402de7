/* audit_archive.h: zs-audit's archive: every audit record kept in SQLite
 * with its Kafka coordinates and its bytes as written, so chains can be
 * checked again from the archive alone and inspectors can query it. */
#ifndef AUDIT_ARCHIVE_H
#define AUDIT_ARCHIVE_H

#include <avro.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "zs_audit.h"
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

/* What an inspector asks: one household's whole history, or a county's
 * records of a quarter. Rows come in time order. */
typedef enum audit_query_format { AUDIT_TABLE, AUDIT_CSV, AUDIT_JSON } audit_query_format_t;

typedef struct audit_query {
    const char *household; /* or NULL */
    const char *county;    /* or NULL; with year and quarter */
    int year, quarter;     /* 0: any */
    audit_query_format_t format;
} audit_query_t;

/* Writes the matching records to out; *rows counts them. */
zs_err_t audit_archive_query(audit_archive_t *a, const audit_query_t *q, FILE *out, uint64_t *rows,
                             char *errstr, size_t errstr_size);

#endif
