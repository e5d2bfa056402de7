/* mon_service.h: the parts of the zs-monitor service that share its state,
 * one file each (consumers/MONITOR.md):
 *
 *   zs_monitor.c     configuration, set-up, the group's rebalances, the loop
 *   mon_input.c      one input message: decode, check, dispatch by topic,
 *                    apply; quarter closes and the re-runs of late data
 *   mon_txn.c        the transaction cycle: the households it touched, begin,
 *                    commit with the consumed offsets, abort: undo (mon_undo.c)
 *                    and rewind
 *   mon_changelog.c  the changelog zs.monitor.state: writing a household's or
 *                    a partition's record, restoring them
 *   mon_emit.c       what the monitor writes besides its state: warnings,
 *                    audit records, dead letters
 *   mon_stats.c      the stats line and the log of a quarter waiting
 *
 * The rules themselves (mon_rules.c, mon_state.c) are pure and know nothing
 * of these. Everything here runs on the monitor's one thread. */
#ifndef MON_SERVICE_H
#define MON_SERVICE_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "mon_map.h"
#include "mon_rules.h"
#include "mon_state.h"
#include "mon_undo.h"
#include "zs_audit.h"
#include "zs_buf.h"
#include "zs_codec.h"
#include "zs_config.h"
#include "zs_county.h"
#include "zs_err.h"
#include "zs_period.h"

#define RULESET_VERSION "zengshou-rules-1"
#define MAX_PARTITIONS  1024
#define NO_QUARTER      (-1)

/* The input topics in zs_topics() order (household first). */
enum { MAX_INPUTS = 8 };

/* How one input topic's records are read and applied (mon_input.c). */
typedef struct mon_input_kind mon_input_kind_t;

/* One partition number's state: partition p of every input topic, and of
 * the changelog. */
typedef struct part {
    bool assigned;
    mon_map_t *households;
    zs_quarter_t closed[MAX_INPUTS]; /* each input topic's latest closed quarter */
    zs_quarter_t watermark;          /* the last quarter whose close has run */
    int64_t next[MAX_INPUTS];        /* next offset to read per input topic; -1: none read */
    zs_audit_chain_t chain;
    bool at_end[MAX_INPUTS];     /* read to its end (a partition EOF since its last record) */
    bool held[MAX_INPUTS];       /* paused at a close the other input topics have not reached */
    bool retained;               /* revoked with its state committed: kept for a quick return */
    uint64_t events[MAX_INPUTS]; /* input records handled by this process, per topic */
    bool dirty;                  /* the partition record changed since the last commit */
    size_t open_warnings;
} part_t;

/* A partition's record as the open transaction found it: what an abort
 * puts back (mon_txn.c). */
typedef struct part_saved {
    bool valid; /* taken when the transaction began (the partition was assigned) */
    zs_quarter_t closed[MAX_INPUTS];
    zs_quarter_t watermark;
    int64_t next[MAX_INPUTS];
    zs_audit_chain_t chain;
    bool dirty;
    size_t open_warnings;
} part_saved_t;

/* A household decoded for the current transaction. */
typedef struct work {
    mon_hh_t hh;
    int32_t partition;
    bool used;
    size_t episodes_before;
} work_t;

#define WORK_MAX   4096 /* the largest zs.monitor.work.max */
#define WORK_SLOTS 8192 /* a power of two, twice WORK_MAX */

typedef struct monitor {
    zs_config_t *cfg;
    mon_rules_t rules;
    zs_county_table_t *counties; /* the region's: a snapshot's county must be one */
    zs_schemas_t *schemas;
    zs_decoder_t *dec;
    zs_encoder_t *warn_enc, *audit_enc, *dead_enc, *state_enc;
    const zs_schema_t *warn_schema, *audit_schema;
    rd_kafka_t *consumer, *producer;
    char prefix[64];
    char inputs[MAX_INPUTS][128];
    const char *input_messages[MAX_INPUTS];
    const mon_input_kind_t *kinds[MAX_INPUTS]; /* how each input topic's records apply */
    int ref_topics[MON_REF_KINDS]; /* the input topic of each kind of source record; -1: none */
    int ninputs;
    char warnings_topic[128], audit_topic[128], dead_topic[128], state_topic[128];
    char instance[128];
    part_t parts[MAX_PARTITIONS];
    int nparts; /* partition count of the input topics */
    work_t *work;
    size_t nwork;
    size_t work_max;                 /* zs.monitor.work.max, at most WORK_MAX */
    uint16_t work_index[WORK_SLOTS]; /* open addressing over work: index + 1, 0 empty */
    mon_out_t out;
    zs_buf_t msg, state;
    char key[128];
    /* the current transaction */
    bool in_txn;
    int64_t txn_started;
    long txn_records;
    /* what it changed, for an abort to put back (consumers/MONITOR.md "Aborts") */
    mon_undo_t *undo;                   /* the households it wrote, as they were */
    size_t undo_max;                    /* zs.monitor.undo.max */
    part_saved_t saved[MAX_PARTITIONS]; /* the partitions' records, as they were */
    bool txn_bad_states;                /* it reports states a restore dropped */
    /* the message being handled: where outputs say they came from */
    const char *src_topic;
    int32_t src_partition;
    int64_t src_offset;
    /* counters */
    uint64_t events, dead, warnings, commits, aborts, last_events;
    uint64_t aborts_undone;                /* aborts put back in memory, without a restore */
    uint64_t dead_by_error[ZS_ERR__COUNT]; /* dead letters by their error field */
    int64_t commit_ms, records_max, stats_ms, last_stats, last_input, exit_idle;
    int64_t first_input;   /* when the first input of this run arrived (0: none yet) */
    int64_t last_commit;   /* when the last transaction committed */
    int64_t now;           /* mon_mono_ms() read once per poll of the loop */
    int64_t last_wait_log; /* when a quarter waiting for a close was last logged */
    int fatal;             /* exit status when set */
    bool assigned_once;    /* partitions were assigned at least once */
    /* household states that did not decode at the last restore */
    struct bad_state *bad_states;
    size_t nbad_states;
} monitor_t;

/* ---- clocks ---- */

static inline int64_t mon_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t mon_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Resident memory of this process, bytes (0 if unknown). */
size_t mon_rss_bytes(void);

/* ---- mon_input.c ---- */

/* Handles one input message. Errors returned are the service's (Kafka, out
 * of memory, ZS_ERR_ABORT); a message that cannot be used goes to the
 * dead-letter topic. */
zs_err_t mon_input_handle(monitor_t *m, const rd_kafka_message_t *rkm, char *errstr,
                          size_t errstr_size);
/* Pauses each input topic of partition p that has passed a close marker
 * the others have not reached, and resumes those the watermark caught up
 * with (consumers/MONITOR.md "Quarter closes"). force: tells the consumer
 * every topic's state, not only the changes (after an assign). */
zs_err_t mon_input_hold(monitor_t *m, int32_t p, bool force, char *errstr, size_t errstr_size);
/* Resolves each input topic's kind (m->kinds) from the message it carries;
 * an input topic of a message it does not apply is an error. */
zs_err_t mon_input_kinds(monitor_t *m, char *errstr, size_t errstr_size);
/* The index of an input topic in m->inputs, or -1. */
int mon_input_index(const monitor_t *m, const char *topic);
/* --exit-idle: nothing new for m->exit_idle ms, every assigned partition
 * read to its end or held at a close marker, no transaction open, and the
 * broker agrees now (zs_kafka_read_to_end). */
bool mon_input_idle(monitor_t *m, int64_t now);
/* Field readers for decoded records: NULL / 0 (and *ok false) when the
 * field is missing or of another type. */
const char *mon_avro_str(avro_value_t *rec, const char *name);
int64_t mon_avro_long(avro_value_t *rec, const char *name, bool *ok);

/* ---- mon_txn.c ---- */

/* Produces one message into the open transaction. */
zs_err_t mon_produce(monitor_t *m, const char *topic, int32_t partition, const char *key,
                     const void *value, size_t len, char *errstr, size_t errstr_size);
/* The producer's delivery report callback (@locality: rd_kafka_poll). */
void mon_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque);
/* Begins a transaction unless one is open. */
zs_err_t mon_txn_begin(monitor_t *m, char *errstr, size_t errstr_size);
/* The household id of partition p, decoded for this transaction (loaded on
 * first use). NULL on a corrupt state, or when the work table is full
 * (check mon_txn_full() first). */
work_t *mon_txn_load(monitor_t *m, int32_t p, const char *id, char *errstr, size_t errstr_size);
/* Writes back every household of the transaction (to the map and, when it
 * changed, the changelog) and forgets them. */
zs_err_t mon_txn_store_all(monitor_t *m, char *errstr, size_t errstr_size);
/* Writes back the work, the partitions' records, and commits with the
 * consumed offsets. ZS_ERR_ABORT: the transaction must be aborted
 * (mon_txn_abort); ZS_ERR_KAFKA: fatal. */
zs_err_t mon_txn_commit(monitor_t *m, char *errstr, size_t errstr_size);
/* Aborts the open transaction and rewinds every assigned partition to its
 * last commit: puts back in memory what the transaction changed (the undo
 * log, the partitions' saved records), or, when it cannot, restores the
 * partitions from the changelog. */
zs_err_t mon_txn_abort(monitor_t *m, char *errstr, size_t errstr_size);
/* Forgets the households of the transaction without writing them. */
void mon_txn_drop_work(monitor_t *m);

/* ---- mon_changelog.c ---- */

/* Writes one household's state to the map and, when it changed, to the
 * changelog. */
zs_err_t mon_changelog_store(monitor_t *m, int32_t p, mon_hh_t *hh, size_t episodes_before,
                             char *errstr, size_t errstr_size);
/* Writes partition p's record: offsets, closes, watermark, audit chain. */
zs_err_t mon_changelog_store_partition(monitor_t *m, int32_t p, char *errstr, size_t errstr_size);
/* Restores every assigned partition from the changelog and positions the
 * consumer at the offsets it records. Every household state is decoded; one
 * that does not is dropped (an empty household takes its place) and
 * reported: a dead letter and an audit record in a transaction it opens. A
 * restore that cannot finish is an error. */
zs_err_t mon_changelog_restore_assigned(monitor_t *m, char *errstr, size_t errstr_size);
/* Positions the consumer at the next offsets of every assigned partition's
 * state (the beginning when none) and works out the holds again. */
zs_err_t mon_changelog_seek_assigned(monitor_t *m, char *errstr, size_t errstr_size);
/* Frees what a restore kept of states that did not decode. */
void mon_bad_states_free(monitor_t *m);

/* ---- mon_stats.c ---- */

/* Logs the stats line ("final: " first when final) and starts the next
 * interval. */
void mon_stats_log(monitor_t *m, bool final);
/* Once a minute while a partition holds topics at a close: which topics'
 * close it waits for. */
void mon_stats_waiting(monitor_t *m);

/* ---- mon_emit.c ---- */

/* Starts an audit record of kind in the audit encoder's value (*rec_out);
 * the caller sets the other fields, then mon_emit_audit_send. */
zs_err_t mon_emit_audit(monitor_t *m, const char *kind, const char *detail, avro_value_t **rec_out,
                        char *errstr, size_t errstr_size);
/* Sets an audit record's source to the message being handled. */
int mon_emit_audit_source(monitor_t *m, avro_value_t *v, const char *event_id);
/* Appends the record to partition pt's chain and produces it. */
zs_err_t mon_emit_audit_send(monitor_t *m, part_t *pt, avro_value_t *v, char *errstr,
                             size_t errstr_size);
/* An input message that cannot be used: to zs.deadletter with its place,
 * the reason and error (a zs_err_t identifier). */
zs_err_t mon_emit_dead_letter(monitor_t *m, const rd_kafka_message_t *rkm, const char *reason,
                              const char *error, char *errstr, size_t errstr_size);
/* A household state of partition p that did not decode at restore: to
 * zs.deadletter (the blob, capped) and the audit trail, with why. */
zs_err_t mon_emit_bad_state(monitor_t *m, int32_t p, const char *id, const void *blob, size_t len,
                            const char *why, char *errstr, size_t errstr_size);
/* Writes the decisions and findings of m->out for household hh of p; a
 * finding hh has noted before is not written again (mon_hh_note). */
zs_err_t mon_emit_out(monitor_t *m, part_t *pt, int32_t p, mon_hh_t *hh, char *errstr,
                      size_t errstr_size);

#endif
