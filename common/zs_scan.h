/* zs_scan.h: reading a topic from given offsets, without a consumer group's
 * commits: how tools (zs-cat, zs-audit verify) look at a topic. */
#ifndef ZS_SCAN_H
#define ZS_SCAN_H

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdbool.h>

#include "zs_config.h"
#include "zs_err.h"

typedef struct zs_scan_opts {
    const char *topic;
    int32_t partition;         /* -1: every partition */
    const int32_t *partitions; /* if not NULL: only these (npartitions of them) */
    int npartitions;
    int64_t offset;              /* RD_KAFKA_OFFSET_BEGINNING/END, a number, or
                                    RD_KAFKA_OFFSET_TAIL(n) */
    long count;                  /* stop after this many messages; 0: no limit */
    bool exit_at_end;            /* stop when every partition has been read to its end */
    volatile sig_atomic_t *stop; /* stop when it becomes non-zero; may be NULL */
    /* If not NULL, for each partition p < npositions: in, where to start
     * (a negative value: offset above); out, the next offset to read there,
     * as far as the scan got (past the last message given to fn, or the
     * partition's end when it reached it). A reader that keeps positions
     * reads each record once across scans. */
    int64_t *positions;
    int32_t npositions;
} zs_scan_opts_t;

/* Called for each message (never for an error or an end of partition); the
 * message is valid during the call only. Returns false to stop the scan. */
typedef bool zs_scan_fn(void *ctx, const rd_kafka_message_t *rkm);

/* Reads opts->topic with the librdkafka properties of cfg (read_committed
 * unless they say otherwise) and calls fn for each message. A consumer error
 * is logged, counted in *errors and reading goes on. Fails with ZS_ERR_KAFKA
 * when the topic or partition does not exist or cannot be read. */
zs_err_t zs_scan(const zs_config_t *cfg, const zs_scan_opts_t *opts, zs_scan_fn *fn, void *ctx,
                 long *errors, char *errstr, size_t errstr_size);

#endif
