/* zs_monitor.c: zs-monitor, the consumer group that keeps each household's
 * state, runs the rules (consumers/RULES.md) and writes warnings, audit
 * records, dead letters and its state changelog with the consumed offsets in
 * one Kafka transaction at a time (exactly once).
 *
 * One thread. A partition number p stands for partition p of every input
 * topic (co-partitioned, eager range assignment keeps them together); its
 * state (households, each input topic's latest closed quarter, the
 * watermark, the next offset of each input topic, its audit chain) is
 * restored from partition p of the changelog before p is read, and written
 * back to it in every transaction that changed it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mon_map.h"
#include "mon_rules.h"
#include "mon_state.h"
#include "zs_audit.h"
#include "zs_avro.h"
#include "zs_codec.h"
#include "zs_config.h"
#include "zs_kafka.h"
#include "zs_log.h"
#include "zs_scan.h"
#include "zs_topics.h"

static const char usage[] =
    "usage: zs-monitor -b HOST:PORT [options]\n"
    "\n"
    "Consumes the input topics as a member of a consumer group, keeps each\n"
    "household's state, runs the rules at every quarter's close and writes\n"
    "warnings, audit records, dead letters and its state, with the consumed\n"
    "offsets, in one transaction at a time.\n"
    "\n"
    "  -b HOST:PORT       bootstrap servers (same as -X bootstrap.servers=...)\n"
    "  -X KEY=VALUE       a zs.* property (zs.monitor.*, zs.rules.*) or any librdkafka\n"
    "                     property (SASL, TLS...), given to both the consumer and the\n"
    "                     transactional producer\n"
    "  -F FILE            read properties from a key=value file\n"
    "  --exit-idle MS     exit 0 once partitions were assigned, every one has been read\n"
    "                     to its end, nothing has arrived for MS milliseconds and\n"
    "                     everything read is committed (batch runs, tests)\n"
    "  --describe-config  print every property it reads, with its default, and exit\n"
    "                     (--describe-config=markdown: as a table)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 stopped cleanly (SIGINT, SIGTERM, --exit-idle); 1 an error;\n"
    "2 bad usage or configuration; 3 a fatal Kafka error (restart: the state\n"
    "and offsets of the last commit are restored).\n";

static const zs_config_def_t defs[] = {
    {.name = "zs.monitor.group",
     .type = ZS_CONFIG_STRING,
     .dflt = "zs-monitor",
     .doc = "Consumer group id of the monitor instances."},
    {.name = "zs.monitor.instance",
     .type = ZS_CONFIG_STRING,
     .dflt = NULL,
     .env = "ZS_MONITOR_INSTANCE",
     .doc = "This instance's name, unique in the group and stable across restarts (default: "
            "the host name); its transactional.id is zs-monitor-<instance>."},
    {.name = "zs.monitor.static_membership",
     .type = ZS_CONFIG_BOOL,
     .dflt = "true",
     .doc = "Join the group as static member zs-monitor-<instance> (group.instance.id): a "
            "restart gets its partitions back at once; a stopped instance's partitions move "
            "only after session.timeout.ms."},
    {.name = "zs.monitor.commit.interval",
     .type = ZS_CONFIG_MS,
     .dflt = "100ms",
     .min = "1ms",
     .max = "60s",
     .doc = "Longest time a transaction stays open."},
    {.name = "zs.monitor.commit.records",
     .type = ZS_CONFIG_INT,
     .dflt = "20000",
     .min = "1",
     .max = "10000000",
     .doc = "Input records after which a transaction is committed."},
    {.name = "zs.monitor.stats.interval",
     .type = ZS_CONFIG_MS,
     .dflt = "30s",
     .min = "0",
     .doc = "How often a stats line is logged (0: never)."},
    {.name = "zs.rules.low_income_fen",
     .type = ZS_CONFIG_INT,
     .dflt = "1000000",
     .min = "0",
     .doc = "LOW_INCOME: per-capita T12M below this (plan items 26, 33)."},
    {.name = "zs.rules.migrant_months",
     .type = ZS_CONFIG_INT,
     .dflt = "6",
     .min = "1",
     .max = "12",
     .doc = "SHORT_WORK: migrant months a year (plan item 33)."},
    {.name = "zs.rules.labour_share_bp",
     .type = ZS_CONFIG_INT,
     .dflt = "2500",
     .min = "0",
     .max = "10000",
     .doc = "WEAK_LABOR: labour share of active members, bp (plan item 29)."},
    {.name = "zs.rules.large_expense_fen",
     .type = ZS_CONFIG_INT,
     .dflt = "2000000",
     .min = "0",
     .doc = "LARGE_EXPENSE: absolute floor of a hardship cost (plan item 32)."},
    {.name = "zs.rules.large_expense_share_bp",
     .type = ZS_CONFIG_INT,
     .dflt = "5000",
     .min = "0",
     .doc = "LARGE_EXPENSE: share of 12-month net income, bp (plan item 32)."},
    {.name = "zs.rules.jump_bp",
     .type = ZS_CONFIG_INT,
     .dflt = "10000",
     .min = "0",
     .doc = "INCOME_JUMP finding: per-capita growth at a Q4 close, bp (plan item 32)."},
    {.name = "zs.rules.slow_growth_bp",
     .type = ZS_CONFIG_STRING,
     .dflt = MON_SLOW_GROWTH_DEFAULT,
     .doc = "SLOW_GROWTH: the year's threshold, YEAR:BP,... (plan item 33)."},
    {.name = "zs.rules.monitoring_line_fen",
     .type = ZS_CONFIG_STRING,
     .dflt = MON_MONITORING_LINE_DEFAULT,
     .doc = "POVERTY_RISK: the year's monitoring line, YEAR:FEN,... (plan item 26)."},
    ZS_CONFIG_DEFS_END,
};

#define RULESET_VERSION "zengshou-rules-1"
#define MAX_PARTITIONS  1024
#define NO_QUARTER      (-1)

/* The input topics in zs_topics() order (household first). */
enum { MAX_INPUTS = 8 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Resident memory of this process, bytes (0 if unknown). */
static size_t rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp == NULL)
        return 0;
    if (fscanf(fp, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(fp);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One partition number's state. */
typedef struct part {
    bool assigned;
    mon_map_t *households;
    zs_quarter_t closed[MAX_INPUTS]; /* each input topic's latest closed quarter */
    zs_quarter_t watermark;          /* the last quarter whose close has run */
    int64_t next[MAX_INPUTS];        /* next offset to read per input topic; -1: none read */
    zs_audit_chain_t chain;
    bool at_end[MAX_INPUTS]; /* read to its end (a partition EOF since its last record) */
    bool dirty;              /* the partition record changed since the last commit */
    size_t open_warnings;
} part_t;

/* A household decoded for the current transaction. */
typedef struct work {
    mon_hh_t hh;
    int32_t partition;
    bool used;
    size_t episodes_before;
} work_t;

#define WORK_MAX   4096
#define WORK_SLOTS 8192 /* a power of two, twice WORK_MAX */

typedef struct monitor {
    zs_config_t *cfg;
    mon_rules_t rules;
    zs_schemas_t *schemas;
    zs_decoder_t *dec;
    zs_encoder_t *warn_enc, *audit_enc, *dead_enc, *state_enc;
    const zs_schema_t *warn_schema, *audit_schema;
    rd_kafka_t *consumer, *producer;
    char prefix[64];
    char inputs[MAX_INPUTS][128];
    const char *input_messages[MAX_INPUTS];
    int ninputs;
    char warnings_topic[128], audit_topic[128], dead_topic[128], state_topic[128];
    char instance[128];
    part_t parts[MAX_PARTITIONS];
    int nparts; /* partition count of the input topics */
    work_t *work;
    size_t nwork;
    uint16_t work_index[WORK_SLOTS]; /* open addressing over work: index + 1, 0 empty */
    mon_out_t out;
    zs_buf_t msg, state;
    char key[128];
    /* the current transaction */
    bool in_txn;
    int64_t txn_started;
    long txn_records;
    /* the message being handled: where outputs say they came from */
    const char *src_topic;
    int32_t src_partition;
    int64_t src_offset;
    /* counters */
    uint64_t events, dead, warnings, commits, aborts, last_events;
    int64_t commit_ms, records_max, stats_ms, last_stats, last_input, exit_idle;
    int64_t first_input; /* when the first input of this run arrived (0: none yet) */
    int64_t last_commit; /* when the last transaction committed */
    int64_t now;         /* mono_ms() read once per poll of the loop */
    int fatal;           /* exit status when set */
    bool assigned_once;  /* partitions were assigned at least once */
} monitor_t;

/* ---- Avro helpers ---- */

static const char *get_str(avro_value_t *rec, const char *name)
{
    avro_value_t f;
    const char *s = NULL;
    size_t n;
    if (zs_avro_field(rec, name, &f) != 0 || avro_value_get_string(&f, &s, &n) != 0)
        return NULL;
    return s;
}

static int64_t get_long(avro_value_t *rec, const char *name, bool *ok)
{
    avro_value_t f;
    int64_t l = 0;
    int32_t i = 0;
    if (zs_avro_field(rec, name, &f) != 0) {
        *ok = false;
        return 0;
    }
    if (avro_value_get_type(&f) == AVRO_INT32) {
        *ok &= avro_value_get_int(&f, &i) == 0;
        return i;
    }
    if (avro_value_get_type(&f) == AVRO_BOOLEAN) {
        int b = 0;
        *ok &= avro_value_get_boolean(&f, &b) == 0;
        return b;
    }
    if (avro_value_get_type(&f) == AVRO_ENUM) {
        *ok &= avro_value_get_enum(&f, &i) == 0;
        return i;
    }
    *ok &= avro_value_get_long(&f, &l) == 0;
    return l;
}

/* ---- producing ---- */

/* Produces one message into the open transaction. */
static zs_err_t produce(monitor_t *m, const char *topic, int32_t partition, const char *key,
                        const void *value, size_t len, char *errstr, size_t errstr_size)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            m->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
            RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return ZS_OK;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "producing to %s: %s", topic,
                           rd_kafka_err2str(err));
        rd_kafka_poll(m->producer, 10);
    }
}

/* A delivery report with an error makes the transaction abortable or the
 * producer fatal; librdkafka reports it again at commit, so only log here. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (rkm->err)
        zs_log_warn("delivery to %s [%" PRId32 "] failed: %s", rd_kafka_topic_name(rkm->rkt),
                    rkm->partition, rd_kafka_err2str(rkm->err));
}

static zs_err_t begin(monitor_t *m, char *errstr, size_t errstr_size)
{
    if (m->in_txn)
        return ZS_OK;
    rd_kafka_error_t *e = rd_kafka_begin_transaction(m->producer);
    if (e != NULL) {
        zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "begin transaction: %s",
                rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return ZS_ERR_KAFKA;
    }
    m->in_txn = true;
    m->txn_started = m->now;
    m->txn_records = 0;
    return ZS_OK;
}

/* ---- audit, dead letters, warnings ---- */

static const char *const audit_kinds[] = {"WARNING_OPENED", "WARNING_UPDATED", "WARNING_CLEARED"};

/* Appends one audit record of partition p's chain. fill sets the fields
 * other than chain, seq, prev_hash, kind, actor, at and detail. */
static zs_err_t audit(monitor_t *m, part_t *pt, const char *kind, const char *detail,
                      avro_value_t **rec_out, char *errstr, size_t errstr_size)
{
    (void)pt;
    avro_value_t *v = zs_encoder_value(m->audit_enc), f;
    int sym = avro_schema_enum_get_by_name(
        avro_schema_record_field_get(zs_schema_avro(m->audit_schema), "kind"), kind);
    if (sym < 0 || avro_value_get_by_name(v, "kind", &f, NULL) || avro_value_set_enum(&f, sym) ||
        zs_avro_set_str(v, "actor", "zs-monitor") || zs_avro_set_num(v, "at", now_ms()) ||
        zs_avro_set_str(v, "detail", detail))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
    *rec_out = v;
    return ZS_OK;
}

/* Sets the audit record's source to the message being handled. */
static int audit_source(monitor_t *m, avro_value_t *v, const char *event_id)
{
    avro_value_t f, src;
    return avro_value_get_by_name(v, "source", &f, NULL) || avro_value_set_branch(&f, 1, &src) ||
           zs_codec_null_optionals(&src) != ZS_OK || zs_avro_set_str(&src, "topic", m->src_topic) ||
           zs_avro_set_num(&src, "partition", m->src_partition) ||
           zs_avro_set_num(&src, "offset", m->src_offset) ||
           zs_avro_set_str(&src, "event_id", event_id);
}

static zs_err_t audit_send(monitor_t *m, part_t *pt, avro_value_t *v, char *errstr,
                           size_t errstr_size)
{
    zs_err_t err = zs_audit_chain_append(&pt->chain, m->audit_enc, v, &m->msg, errstr, errstr_size);
    pt->dirty = true;
    return err != ZS_OK ? err
                        : produce(m, m->audit_topic, RD_KAFKA_PARTITION_UA, pt->chain.name,
                                  m->msg.data, m->msg.len, errstr, errstr_size);
}

/* DeadLetter.error: the zs_err_t identifier (schemas/DeadLetter.v1.avsc),
 * as zs-push writes it; zs_err2str() is the English text, for logs. */
static const char *err_name(zs_err_t err)
{
    static const char *const names[ZS_ERR__COUNT] = {
        [ZS_OK] = "ZS_OK",
        [ZS_ERR_NOMEM] = "ZS_ERR_NOMEM",
        [ZS_ERR_IO] = "ZS_ERR_IO",
        [ZS_ERR_INVALID] = "ZS_ERR_INVALID",
        [ZS_ERR_PARSE] = "ZS_ERR_PARSE",
        [ZS_ERR_OVERFLOW] = "ZS_ERR_OVERFLOW",
        [ZS_ERR_NOT_FOUND] = "ZS_ERR_NOT_FOUND",
        [ZS_ERR_UNKNOWN_SCHEMA] = "ZS_ERR_UNKNOWN_SCHEMA",
        [ZS_ERR_BAD_MAGIC] = "ZS_ERR_BAD_MAGIC",
        [ZS_ERR_TRUNCATED] = "ZS_ERR_TRUNCATED",
        [ZS_ERR_CORRUPT] = "ZS_ERR_CORRUPT",
        [ZS_ERR_INCOMPATIBLE] = "ZS_ERR_INCOMPATIBLE",
        [ZS_ERR_AVRO] = "ZS_ERR_AVRO",
        [ZS_ERR_KAFKA] = "ZS_ERR_KAFKA",
        [ZS_ERR_EOF] = "ZS_ERR_EOF",
    };
    return (unsigned)err < ZS_ERR__COUNT && names[err] != NULL ? names[err] : "ZS_ERR_UNKNOWN";
}

/* An input message that cannot be used: to zs.deadletter with its place. */
static zs_err_t dead_letter(monitor_t *m, const rd_kafka_message_t *rkm, const char *reason,
                            const char *error, char *errstr, size_t errstr_size)
{
    avro_value_t *v = zs_encoder_value(m->dead_enc);
    if (zs_avro_set_str(v, "reason", reason) || zs_avro_set_str(v, "error", error) ||
        zs_avro_set_str(v, "producer", "zs-monitor") || zs_avro_set_num(v, "at", now_ms()) ||
        zs_avro_set_str(v, "source_topic", rd_kafka_topic_name(rkm->rkt)) ||
        zs_avro_set_num(v, "source_partition", rkm->partition) ||
        zs_avro_set_num(v, "source_offset", rkm->offset) ||
        zs_avro_set_bytes(v, "key", rkm->key, rkm->key ? rkm->key_len : 0) ||
        zs_avro_set_bytes(v, "payload", rkm->payload, rkm->payload ? rkm->len : 0) ||
        zs_avro_set_num(v, "redacted", 0))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "dead letter: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode(m->dead_enc, &m->msg, errstr, errstr_size);
    m->dead++;
    zs_log_warn("%s [%" PRId32 "] offset %" PRId64 ": %s (to the dead-letter topic)",
                rd_kafka_topic_name(rkm->rkt), rkm->partition, rkm->offset, reason);
    return err != ZS_OK ? err
                        : produce(m, m->dead_topic, RD_KAFKA_PARTITION_UA, NULL, m->msg.data,
                                  m->msg.len, errstr, errstr_size);
}

/* The Warning record of one decision. */
static zs_err_t fill_warning(monitor_t *m, const mon_hh_t *hh, const mon_decision_t *d,
                             avro_value_t *v)
{
    const mon_evidence_t *e = &d->evidence;
    avro_value_t ev, comps, item, f, src;
    int rc = zs_avro_set_str(v, "warning_id", d->warning_id) ||
             zs_avro_set_str(v, "household_id", hh->id) ||
             zs_avro_set_str(v, "county_code", hh->registered ? hh->county : "000000") ||
             zs_avro_set_str(v, "person_id", d->person_id[0] ? d->person_id : NULL) ||
             zs_avro_set_num(v, "rule", d->rule) || zs_avro_set_num(v, "severity", d->severity) ||
             zs_avro_set_num(v, "status", d->status) ||
             zs_avro_set_num(v, "year", zs_month_year(d->period)) ||
             zs_avro_set_num(v, "month", zs_month_month(d->period)) ||
             zs_avro_set_num(v, "opened_year", zs_month_year(d->opened)) ||
             zs_avro_set_num(v, "opened_month", zs_month_month(d->opened)) ||
             zs_avro_set_num(v, "risk_type", d->risk) ||
             zs_avro_set_str(v, "ruleset_version", RULESET_VERSION) ||
             zs_avro_set_num(v, "sources_truncated", 0) ||
             zs_avro_set_num(v, "emitted_at", now_ms());
    rc = rc || avro_value_get_by_name(v, "evidence", &ev, NULL) ||
         zs_codec_null_optionals(&ev) != ZS_OK;
    if (rc == 0) {
        if (e->has_t12m)
            rc |= zs_avro_set_num(&ev, "t12m_per_capita_fen", e->t12m_per_capita);
        if (e->has_prev)
            rc |= zs_avro_set_num(&ev, "t12m_prev_per_capita_fen", e->prev_per_capita);
        if (e->has_growth)
            rc |= zs_avro_set_num(&ev, "growth_bp", e->growth_bp);
        if (e->has_threshold)
            rc |= zs_avro_set_num(&ev, "threshold", e->threshold);
        if (e->unit != MON_UNIT_NONE)
            rc |= zs_avro_set_num(&ev, "threshold_unit", e->unit);
        if (e->has_observed)
            rc |= zs_avro_set_num(&ev, "observed", e->observed);
        if (e->program >= 0)
            rc |= zs_avro_set_num(&ev, "program", e->program);
        if (e->has_amount)
            rc |= zs_avro_set_num(&ev, "amount_fen", e->amount);
        rc |= zs_avro_set_num(&ev, "members_active", e->members_active) ||
              zs_avro_set_str(&ev, "threshold_source",
                              e->threshold_source ? e->threshold_source : "") ||
              zs_avro_set_str(&ev, "detail", e->detail);
        rc |= avro_value_get_by_name(&ev, "components", &comps, NULL);
        for (int c = 0; rc == 0 && e->has_components && c < MON_COMPONENTS; c++) {
            rc = avro_value_append(&comps, &item, NULL) || zs_avro_set_num(&item, "component", c) ||
                 zs_avro_set_num(&item, "current_fen", e->current[c]);
            if (rc == 0)
                rc = e->has_prev_components ? zs_avro_set_num(&item, "previous_fen", e->previous[c])
                                            : zs_avro_set_null(&item, "previous_fen");
        }
    }
    rc = rc || avro_value_get_by_name(v, "sources", &f, NULL) ||
         avro_value_append(&f, &src, NULL) || zs_avro_set_str(&src, "topic", m->src_topic) ||
         zs_avro_set_num(&src, "partition", m->src_partition) ||
         zs_avro_set_num(&src, "offset", m->src_offset) ||
         zs_avro_set_str(&src, "event_id", d->event_id[0] ? d->event_id : NULL);
    return rc ? ZS_ERR_AVRO : ZS_OK;
}

/* Writes the decisions and findings of m->out for household hh of p. */
static zs_err_t emit_out(monitor_t *m, part_t *pt, int32_t p, const mon_hh_t *hh, char *errstr,
                         size_t errstr_size)
{
    size_t n;
    const mon_decision_t *d = mon_out_decisions(&m->out, &n);
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        avro_value_t *v = zs_encoder_value(m->warn_enc);
        if (fill_warning(m, hh, &d[i], v) != ZS_OK)
            return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "warning %s: %s", d[i].warning_id,
                           avro_strerror());
        err = zs_encoder_encode(m->warn_enc, &m->msg, errstr, errstr_size);
        if (err == ZS_OK)
            err = produce(m, m->warnings_topic, p, hh->id, m->msg.data, m->msg.len, errstr,
                          errstr_size);
        m->warnings++;
        char detail[400];
        snprintf(detail, sizeof(detail), "%s %s %s: %s", mon_rule_name(d[i].rule), d[i].subject,
                 audit_kinds[d[i].status] + 8, d[i].evidence.detail);
        avro_value_t *a = NULL;
        if (err == ZS_OK)
            err = audit(m, pt, audit_kinds[d[i].status], detail, &a, errstr, errstr_size);
        if (err == ZS_OK &&
            (zs_avro_set_str(a, "household_id", hh->id) ||
             zs_avro_set_str(a, "county_code", hh->registered ? hh->county : NULL) ||
             zs_avro_set_str(a, "person_id", d[i].person_id[0] ? d[i].person_id : NULL) ||
             zs_avro_set_str(a, "warning_id", d[i].warning_id) ||
             zs_avro_set_num(a, "rule", d[i].rule) ||
             zs_avro_set_num(a, "year", zs_month_year(d[i].period)) ||
             zs_avro_set_num(a, "month", zs_month_month(d[i].period)) ||
             audit_source(m, a, d[i].event_id[0] ? d[i].event_id : NULL)))
            err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
        if (err == ZS_OK)
            err = audit_send(m, pt, a, errstr, errstr_size);
    }
    const mon_finding_t *f = mon_out_findings(&m->out, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        avro_value_t *a = NULL;
        char detail[300];
        snprintf(detail, sizeof(detail), "%s: %s", mon_finding_name(f[i].kind), f[i].detail);
        err = audit(m, pt, "DATA_QUALITY", detail, &a, errstr, errstr_size);
        if (err == ZS_OK &&
            (zs_avro_set_str(a, "household_id", hh->id) ||
             zs_avro_set_str(a, "county_code", hh->registered ? hh->county : NULL) ||
             zs_avro_set_str(a, "person_id", f[i].person_id[0] ? f[i].person_id : NULL) ||
             zs_avro_set_num(a, "finding", f[i].kind) ||
             zs_avro_set_num(a, "year", zs_month_year(f[i].period)) ||
             zs_avro_set_num(a, "month", zs_month_month(f[i].period)) || audit_source(m, a, NULL)))
            err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
        if (err == ZS_OK)
            err = audit_send(m, pt, a, errstr, errstr_size);
    }
    mon_out_reset(&m->out);
    return err;
}

/* ---- state ---- */

static size_t count_open(const mon_hh_t *hh)
{
    return hh->nepisodes;
}

/* The household id's decoded state for this transaction (loaded on first
 * use). NULL on a corrupt state (logged) or when out of memory. */
static work_t *load(monitor_t *m, int32_t p, const char *id, char *errstr, size_t errstr_size)
{
    uint32_t h = 2166136261u ^ (uint32_t)p;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    size_t slot = h & (WORK_SLOTS - 1);
    for (; m->work_index[slot] != 0; slot = (slot + 1) & (WORK_SLOTS - 1)) {
        work_t *w = &m->work[m->work_index[slot] - 1];
        if (w->partition == p && strcmp(w->hh.id, id) == 0)
            return w;
    }
    if (m->nwork == WORK_MAX) {
        snprintf(errstr, errstr_size, "too many households in one transaction");
        return NULL; /* the caller commits first */
    }
    work_t *w = &m->work[m->nwork];
    size_t len = 0;
    const void *blob = mon_map_get(m->parts[p].households, id, &len);
    if (blob != NULL) {
        if (mon_hh_decode(&w->hh, id, blob, len, errstr, errstr_size) != ZS_OK)
            return NULL;
    } else {
        mon_hh_clear(&w->hh, id);
    }
    w->partition = p;
    w->used = true;
    w->episodes_before = count_open(&w->hh);
    m->work_index[slot] = (uint16_t)(++m->nwork);
    return w;
}

/* Writes one household's state to the map and, when it changed, to the
 * changelog. */
static zs_err_t store(monitor_t *m, int32_t p, mon_hh_t *hh, size_t episodes_before, char *errstr,
                      size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    zs_buf_reset(&m->state);
    zs_err_t err = mon_hh_encode(hh, &m->state);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "household %s: state too large", hh->id);
    size_t old_len = 0;
    const void *old = mon_map_get(pt->households, hh->id, &old_len);
    pt->open_warnings += count_open(hh);
    pt->open_warnings -= episodes_before;
    if (old != NULL && old_len == m->state.len && memcmp(old, m->state.data, old_len) == 0)
        return ZS_OK;
    /* A household nothing was ever applied to (load() made it for a record
     * that was then dead-lettered) has no state: keep none. */
    if (old == NULL && !hh->registered && hh->npersons == 0 && hh->nincomes == 0 &&
        hh->njobs == 0 && hh->nsubsidies == 0 && hh->ncosts == 0 && hh->nepisodes == 0)
        return ZS_OK;
    err = mon_map_put(pt->households, hh->id, m->state.data, m->state.len);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "household %s: out of memory", hh->id);
    avro_value_t *v = zs_encoder_value(m->state_enc), arr;
    if (zs_avro_set_str(v, "household_id", hh->id) || zs_avro_set_num(v, "partition", p) ||
        zs_avro_set_num(v, "state_format", 1) ||
        zs_avro_set_bytes(v, "state", m->state.data, m->state.len) ||
        zs_avro_set_num(v, "updated_at", now_ms()) || zs_avro_set_num(v, "scope", 0) ||
        avro_value_get_by_name(v, "input_offsets", &arr, NULL))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "state record: %s", avro_strerror());
    avro_value_t item;
    for (int t = 0; t < m->ninputs; t++)
        if (avro_value_append(&arr, &item, NULL) || zs_avro_set_str(&item, "topic", m->inputs[t]) ||
            zs_avro_set_num(&item, "offset", pt->next[t]))
            return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "state record: %s", avro_strerror());
    err = zs_encoder_encode(m->state_enc, &m->msg, errstr, errstr_size);
    return err != ZS_OK ? err
                        : produce(m, m->state_topic, p, hh->id, m->msg.data, m->msg.len, errstr,
                                  errstr_size);
}

/* The partition record: offsets, closes, watermark, audit chain head. Its
 * own compact form inside HouseholdState.state. */
#define PART_KEY_FMT "#partition/%" PRId32

static zs_err_t store_partition(monitor_t *m, int32_t p, char *errstr, size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    avro_value_t *v = zs_encoder_value(m->state_enc), arr, item;
    char key[64];
    snprintf(key, sizeof(key), PART_KEY_FMT, p);
    zs_buf_reset(&m->state);
    zs_buf_addf(&m->state, "v1 %d %" PRId64 " %d", pt->watermark, pt->chain.next_seq,
                pt->chain.has_prev);
    for (int t = 0; t < m->ninputs; t++)
        zs_buf_addf(&m->state, " %d", pt->closed[t]);
    zs_buf_addc(&m->state, ' ');
    for (int i = 0; i < ZS_SHA256_SIZE; i++)
        zs_buf_addf(&m->state, "%02x", pt->chain.prev[i]);
    int rc = zs_avro_set_str(v, "household_id", key) || zs_avro_set_num(v, "partition", p) ||
             zs_avro_set_num(v, "state_format", 1) ||
             zs_avro_set_bytes(v, "state", m->state.data, m->state.len) ||
             zs_avro_set_num(v, "updated_at", now_ms()) || zs_avro_set_num(v, "scope", 1) ||
             avro_value_get_by_name(v, "input_offsets", &arr, NULL);
    for (int t = 0; rc == 0 && t < m->ninputs; t++)
        rc = avro_value_append(&arr, &item, NULL) ||
             zs_avro_set_str(&item, "topic", m->inputs[t]) ||
             zs_avro_set_num(&item, "offset", pt->next[t]);
    if (rc)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "partition record: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode(m->state_enc, &m->msg, errstr, errstr_size);
    pt->dirty = false;
    return err != ZS_OK
               ? err
               : produce(m, m->state_topic, p, key, m->msg.data, m->msg.len, errstr, errstr_size);
}

/* Reads the partition record's text back. */
static bool parse_partition(monitor_t *m, part_t *pt, const char *text, size_t len)
{
    char buf[1024];
    if (len >= sizeof(buf))
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *s = buf, *end;
    if (strncmp(s, "v1 ", 3) != 0)
        return false;
    s += 3;
    long wm = strtol(s, &end, 10);
    long long seq = strtoll(end, &end, 10);
    long has_prev = strtol(end, &end, 10);
    pt->watermark = (zs_quarter_t)wm;
    pt->chain.next_seq = seq;
    pt->chain.has_prev = has_prev != 0;
    for (int t = 0; t < m->ninputs; t++)
        pt->closed[t] = (zs_quarter_t)strtol(end, &end, 10);
    while (*end == ' ')
        end++;
    for (int i = 0; i < ZS_SHA256_SIZE; i++) {
        unsigned b;
        if (sscanf(end + 2 * i, "%2x", &b) != 1)
            return false;
        pt->chain.prev[i] = (unsigned char)b;
    }
    return true;
}

/* ---- restore ---- */

typedef struct restoring {
    monitor_t *m;
    long records, bad;
} restoring_t;

static bool restore_one(void *ctx, const rd_kafka_message_t *rkm)
{
    restoring_t *r = ctx;
    monitor_t *m = r->m;
    char errstr[256];
    const zs_schema_t *reader;
    avro_value_t *v;
    r->records++;
    if (rkm->partition < 0 || rkm->partition >= m->nparts || !m->parts[rkm->partition].assigned)
        return true;
    part_t *pt = &m->parts[rkm->partition];
    if (zs_decoder_decode(m->dec, rkm->payload, rkm->len, &reader, &v, errstr, sizeof(errstr)) !=
        ZS_OK) {
        zs_log_error("%s [%" PRId32 "] offset %" PRId64 ": %s", m->state_topic, rkm->partition,
                     rkm->offset, errstr);
        r->bad++;
        return true;
    }
    bool ok = true;
    const char *id = get_str(v, "household_id");
    int64_t scope = get_long(v, "scope", &ok);
    avro_value_t f;
    const void *blob = NULL;
    size_t len = 0;
    ok = ok && id != NULL && zs_avro_field(v, "state", &f) == 0 &&
         avro_value_get_bytes(&f, &blob, &len) == 0;
    if (!ok || (scope == 1 && !parse_partition(m, pt, blob, len))) {
        zs_log_error("%s [%" PRId32 "] offset %" PRId64 ": a state record that does not read",
                     m->state_topic, rkm->partition, rkm->offset);
        r->bad++;
        return true;
    }
    if (scope == 1) {
        avro_value_t arr, item;
        size_t n = 0;
        if (avro_value_get_by_name(v, "input_offsets", &arr, NULL) == 0)
            avro_value_get_size(&arr, &n);
        for (size_t i = 0; i < n; i++) {
            avro_value_get_by_index(&arr, i, &item, NULL);
            const char *topic = get_str(&item, "topic");
            int64_t off = get_long(&item, "offset", &ok);
            for (int t = 0; topic != NULL && t < m->ninputs; t++)
                if (strcmp(topic, m->inputs[t]) == 0)
                    pt->next[t] = off;
        }
        return true;
    }
    return mon_map_put(pt->households, id, blob, len) == ZS_OK;
}

/* Restores every assigned partition from the changelog (read_committed, to
 * its end) in one pass. */
static zs_err_t restore(monitor_t *m, char *errstr, size_t errstr_size)
{
    int32_t which[MAX_PARTITIONS];
    int n = 0;
    for (int32_t p = 0; p < m->nparts; p++) {
        part_t *pt = &m->parts[p];
        mon_map_free(pt->households);
        pt->households = NULL;
        if (!pt->assigned)
            continue;
        which[n++] = p;
        if (mon_map_new(&pt->households) != ZS_OK)
            return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
        pt->watermark = NO_QUARTER;
        for (int t = 0; t < MAX_INPUTS; t++) {
            pt->closed[t] = NO_QUARTER;
            pt->next[t] = -1;
        }
        char chain[64];
        snprintf(chain, sizeof(chain), "zs-monitor/p%" PRId32, p);
        zs_audit_chain_init(&pt->chain, chain);
        pt->dirty = false;
        pt->open_warnings = 0;
        memset(pt->at_end, 0, sizeof(pt->at_end));
    }
    if (n == 0)
        return ZS_OK;
    restoring_t r = {.m = m};
    zs_scan_opts_t so = {.topic = m->state_topic,
                         .partition = -1,
                         .partitions = which,
                         .npartitions = n,
                         .offset = RD_KAFKA_OFFSET_BEGINNING,
                         .exit_at_end = true};
    int64_t t0 = mono_ms();
    long errors = 0;
    zs_err_t err = zs_scan(m->cfg, &so, restore_one, &r, &errors, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (r.bad > 0 || errors > 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT,
                       "%s: %ld records do not read, %ld read errors: not starting on a state "
                       "that is not whole",
                       m->state_topic, r.bad, errors);
    /* Open warnings, for the stats line. */
    mon_hh_t *hh = &m->work[WORK_MAX - 1].hh; /* scratch: no work is held now */
    size_t households = 0, bytes = 0;
    for (int i = 0; i < n; i++) {
        part_t *pt = &m->parts[which[i]];
        size_t it = 0, len;
        const char *id;
        const void *blob;
        while (mon_map_next(pt->households, &it, &id, &blob, &len))
            if (mon_hh_decode(hh, id, blob, len, errstr, errstr_size) == ZS_OK)
                pt->open_warnings += hh->nepisodes;
        households += mon_map_count(pt->households);
        bytes += mon_map_bytes(pt->households);
    }
    zs_log_info("restored %d partitions: %zu households (%ld changelog records, %zu bytes of "
                "state) in %.2f s; resident memory %zu bytes",
                n, households, r.records, bytes, (double)(mono_ms() - t0) / 1000.0, rss_bytes());
    return ZS_OK;
}

/* ---- the transaction ---- */

static void drop_work(monitor_t *m)
{
    if (m->nwork > 0)
        memset(m->work_index, 0, sizeof(m->work_index));
    m->nwork = 0;
}

/* Writes back every household of the transaction and the partitions'
 * records, then commits with the consumed offsets. */
static zs_err_t commit(monitor_t *m, char *errstr, size_t errstr_size)
{
    if (!m->in_txn)
        return ZS_OK;
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < m->nwork && err == ZS_OK; i++)
        err = store(m, m->work[i].partition, &m->work[i].hh, m->work[i].episodes_before, errstr,
                    errstr_size);
    drop_work(m);
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(64);
    for (int32_t p = 0; p < m->nparts && err == ZS_OK; p++) {
        part_t *pt = &m->parts[p];
        if (!pt->assigned || !pt->dirty)
            continue;
        for (int t = 0; t < m->ninputs; t++)
            if (pt->next[t] >= 0)
                rd_kafka_topic_partition_list_add(offsets, m->inputs[t], p)->offset = pt->next[t];
        err = store_partition(m, p, errstr, errstr_size);
    }
    if (err != ZS_OK) {
        rd_kafka_topic_partition_list_destroy(offsets);
        return err;
    }
    rd_kafka_error_t *e = NULL;
    if (offsets->cnt > 0) {
        rd_kafka_consumer_group_metadata_t *gm = rd_kafka_consumer_group_metadata(m->consumer);
        e = rd_kafka_send_offsets_to_transaction(m->producer, offsets, gm, -1);
        rd_kafka_consumer_group_metadata_destroy(gm);
    }
    rd_kafka_topic_partition_list_destroy(offsets);
    if (e == NULL)
        e = rd_kafka_commit_transaction(m->producer, -1);
    if (e != NULL) {
        bool abortable = rd_kafka_error_txn_requires_abort(e);
        bool fatal = rd_kafka_error_is_fatal(e);
        zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "commit: %s%s", rd_kafka_error_string(e),
                fatal       ? " (fatal)"
                : abortable ? " (abortable)"
                            : "");
        rd_kafka_error_destroy(e);
        m->in_txn = !fatal && !abortable; /* retriable: still open */
        if (abortable)
            return ZS_ERR_IO; /* the caller aborts and rewinds */
        return ZS_ERR_KAFKA;
    }
    m->in_txn = false;
    m->commits++;
    m->last_commit = mono_ms();
    return ZS_OK;
}

/* ---- handling one message ---- */

static int input_index(const monitor_t *m, const char *topic)
{
    for (int t = 0; t < m->ninputs; t++)
        if (strcmp(m->inputs[t], topic) == 0)
            return t;
    return -1;
}

static bool valid_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Runs the quarterly rules again for late data of month (first quarter
 * whose outcome it can change: from). */
static zs_err_t rerun(monitor_t *m, part_t *pt, mon_hh_t *hh, zs_quarter_t from)
{
    if (pt->watermark == NO_QUARTER || from > pt->watermark)
        return ZS_OK;
    if (from < pt->watermark - 7)
        from = pt->watermark - 7;
    zs_err_t err = ZS_OK;
    for (zs_quarter_t q = from; q <= pt->watermark && err == ZS_OK; q++)
        err = mon_close_quarter(&m->rules, hh, q, &m->out);
    return err;
}

/* The close of quarter q for every household of partition p. */
static zs_err_t close_quarter(monitor_t *m, int32_t p, zs_quarter_t q, char *errstr,
                              size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    /* Households decoded in this transaction go back to the map first. */
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < m->nwork && err == ZS_OK; i++)
        err = store(m, m->work[i].partition, &m->work[i].hh, m->work[i].episodes_before, errstr,
                    errstr_size);
    drop_work(m);
    mon_hh_t *hh = &m->work[0].hh;
    size_t it = 0, len, n = 0;
    const char *id;
    const void *blob;
    int64_t t0 = mono_ms();
    while (err == ZS_OK && mon_map_next(pt->households, &it, &id, &blob, &len)) {
        char hid[MON_ID_SIZE];
        snprintf(hid, sizeof(hid), "%s", id);
        err = mon_hh_decode(hh, hid, blob, len, errstr, errstr_size);
        size_t before = hh->nepisodes;
        if (err == ZS_OK)
            err = mon_close_quarter(&m->rules, hh, q, &m->out);
        if (err == ZS_OK)
            mon_hh_prune(hh, zs_quarter_first_month(q - 7));
        if (err == ZS_OK)
            err = emit_out(m, pt, p, hh, errstr, errstr_size);
        if (err == ZS_OK)
            err = store(m, p, hh, before, errstr, errstr_size);
        n++;
    }
    char qs[ZS_PERIOD_STR_SIZE];
    zs_quarter_format(q, qs, sizeof(qs));
    zs_log_info("partition %" PRId32 ": %s closed, rules run for %zu households in %.2f s", p, qs,
                n, (double)(mono_ms() - t0) / 1000.0);
    pt->watermark = q;
    pt->dirty = true;
    return err;
}

static zs_err_t on_close(monitor_t *m, int t, int32_t p, avro_value_t *v, char *errstr,
                         size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    bool ok = true;
    int64_t year = get_long(v, "year", &ok), quarter = get_long(v, "quarter", &ok);
    zs_quarter_t q;
    char why[128];
    if (!ok || zs_quarter_make((int)year, (int)quarter, &q, why, sizeof(why)) != ZS_OK)
        return ZS_ERR_INVALID;
    if (q > pt->closed[t])
        pt->closed[t] = q;
    pt->dirty = true;
    zs_quarter_t wm = pt->closed[0];
    for (int i = 1; i < m->ninputs; i++)
        wm = pt->closed[i] < wm ? pt->closed[i] : wm;
    if (wm == NO_QUARTER || wm <= pt->watermark)
        return ZS_OK;
    /* Closing a quarter closes any earlier one not closed yet; the first
     * close a partition sees runs that quarter only. */
    zs_quarter_t from = pt->watermark == NO_QUARTER ? wm : pt->watermark + 1;
    zs_err_t err = ZS_OK;
    for (zs_quarter_t x = from; x <= wm && err == ZS_OK; x++)
        err = close_quarter(m, p, x, errstr, errstr_size);
    return err;
}

/* Applies one decoded input record of household hh. Returns ZS_ERR_INVALID
 * with why for a record that breaks the contract. */
static zs_err_t apply(monitor_t *m, part_t *pt, mon_hh_t *hh, const char *name, avro_value_t *v,
                      char *why, size_t why_size)
{
    bool ok = true;
    mon_applied_t a = MON_IGNORED;
    zs_err_t err = ZS_OK;
    zs_quarter_t from = NO_QUARTER; /* the first quarter late data can change */
    zs_month_t month = 0;
    const char *event_id = get_str(v, "event_id");
    if (strcmp(name, "zengshou.Household") != 0 && strcmp(name, "zengshou.FollowUp") != 0) {
        int64_t year = get_long(v, "year", &ok), mo = get_long(v, "month", &ok);
        if (!ok || zs_month_make((int)year, (int)mo, &month, why, why_size) != ZS_OK)
            return ZS_ERR_INVALID;
        int64_t amount =
            strcmp(name, "zengshou.EmploymentRecord") == 0 ? 0 : get_long(v, "amount_fen", &ok);
        if (!ok || amount < 0)
            return zs_fail(why, why_size, ZS_ERR_INVALID, "amount_fen %lld: below 0",
                           (long long)amount);
        if (!valid_id(event_id))
            return zs_fail(why, why_size, ZS_ERR_INVALID, "event_id: not 1-32 of [0-9A-Za-z_-]");
    }
    if (strcmp(name, "zengshou.Household") == 0) {
        const char *county = get_str(v, "county_code");
        int64_t category = get_long(v, "category", &ok), updated = get_long(v, "updated_at", &ok);
        avro_value_t arr, item;
        size_t n = 0;
        if (!ok || county == NULL || strlen(county) != 6 ||
            avro_value_get_by_name(v, "members", &arr, NULL) || avro_value_get_size(&arr, &n) ||
            n > 64)
            return zs_fail(why, why_size, ZS_ERR_INVALID,
                           "household snapshot: county_code or members not usable");
        mon_member_in_t members[64];
        for (size_t i = 0; i < n; i++) {
            avro_value_get_by_index(&arr, i, &item, NULL);
            members[i] = (mon_member_in_t){.person_id = get_str(&item, "person_id"),
                                           .birth_year = (int)get_long(&item, "birth_year", &ok),
                                           .labor = (int)get_long(&item, "labor_class", &ok),
                                           .disability = (int)get_long(&item, "disability", &ok),
                                           .active = get_long(&item, "active", &ok) != 0};
            if (!ok || !valid_id(members[i].person_id) || members[i].disability < 0 ||
                members[i].disability > 4)
                return zs_fail(why, why_size, ZS_ERR_INVALID, "member %zu: not usable", i + 1);
        }
        err = mon_apply_household(hh, county, (int)category, updated, members, n, &a);
    } else if (strcmp(name, "zengshou.IncomeRecord") == 0) {
        const char *source = get_str(v, "source");
        if (source == NULL || source[0] == '\0' || strlen(source) > 32)
            return zs_fail(why, why_size, ZS_ERR_INVALID, "source: 1-32 characters");
        err = mon_apply_income(hh, event_id, month, (int)get_long(v, "component", &ok), source,
                               get_long(v, "amount_fen", &ok), get_long(v, "reported_at", &ok), &a);
        from = zs_month_quarter(month);
    } else if (strcmp(name, "zengshou.EmploymentRecord") == 0) {
        const char *person = get_str(v, "person_id");
        if (!valid_id(person))
            return zs_fail(why, why_size, ZS_ERR_INVALID, "person_id: not 1-32 of [0-9A-Za-z_-]");
        err =
            mon_apply_job(hh, event_id, person, month, (int)get_long(v, "status", &ok),
                          get_long(v, "wants_work", &ok) != 0, get_long(v, "reported_at", &ok), &a);
        from = zs_month_quarter(month);
    } else if (strcmp(name, "zengshou.SubsidyRecord") == 0) {
        const char *person = get_str(v, "person_id");
        if (person != NULL && !valid_id(person))
            return zs_fail(why, why_size, ZS_ERR_INVALID, "person_id: not 1-32 of [0-9A-Za-z_-]");
        int64_t program = get_long(v, "program", &ok);
        bool paid = get_long(v, "kind", &ok) == 1;
        err =
            mon_apply_subsidy(hh, event_id, person, (int)program, paid, month,
                              get_long(v, "amount_fen", &ok), get_long(v, "reported_at", &ok), &a);
        /* A payment enrols (NOT_ENROLLED) in its own quarter; entitlements
         * are checked from the quarter of their deadline. */
        from = zs_month_quarter(month + 1);
        if (paid && (program == MON_PROGRAM_PENSION || program == MON_PROGRAM_DISABILITY))
            from = zs_month_quarter(month);
    } else if (strcmp(name, "zengshou.HardshipRecord") == 0) {
        err = mon_apply_cost(hh, event_id, month, (int)get_long(v, "kind", &ok),
                             get_long(v, "amount_fen", &ok), get_long(v, "reported_at", &ok), &a);
        from = zs_month_quarter(month);
    } else if (strcmp(name, "zengshou.FollowUp") == 0) {
        const char *warning_id = get_str(v, "warning_id");
        int64_t action = get_long(v, "action", &ok), at = get_long(v, "at", &ok);
        if (!ok || warning_id == NULL || !valid_id(event_id))
            return zs_fail(why, why_size, ZS_ERR_INVALID, "follow-up: not usable");
        bool cleared = false;
        err = mon_follow_up(hh, warning_id, action == 2, at, &m->out, &cleared);
        static const char *const actions[] = {"ACK", "MEASURE", "RESOLVED"};
        char detail[300];
        snprintf(detail, sizeof(detail), "%s by %s%s", actions[action % 3],
                 get_str(v, "officer_id") ? get_str(v, "officer_id") : "?",
                 action == 2 ? (cleared ? ": warning cleared" : ": no open warning it clears")
                             : "");
        avro_value_t *rec = NULL;
        if (err == ZS_OK)
            err = audit(m, pt, "FOLLOWUP_RECORDED", detail, &rec, why, why_size);
        if (err == ZS_OK &&
            (zs_avro_set_str(rec, "household_id", hh->id) ||
             zs_avro_set_str(rec, "county_code", hh->registered ? hh->county : NULL) ||
             zs_avro_set_str(rec, "warning_id", warning_id) ||
             zs_avro_set_num(rec, "action", action) || audit_source(m, rec, event_id)))
            err = ZS_ERR_AVRO;
        if (err == ZS_OK)
            err = audit_send(m, pt, rec, why, why_size);
        return err;
    }
    if (!ok)
        return zs_fail(why, why_size, ZS_ERR_INVALID, "a field does not read");
    if (err != ZS_OK)
        return err;
    if (a == MON_REPLACED && pt->watermark != NO_QUARTER &&
        zs_month_quarter(month) <= pt->watermark && strcmp(name, "zengshou.Household") != 0) {
        char detail[160];
        snprintf(detail, sizeof(detail), "%s replaces a statement of %04d-%02d, a closed quarter",
                 event_id, zs_month_year(month), zs_month_month(month));
        err = mon_out_finding(&m->out, MON_CLOSED_QUARTER_REWRITTEN, month, NULL, detail);
    }
    if (err == ZS_OK && a != MON_IGNORED && from != NO_QUARTER)
        err = rerun(m, pt, hh, from);
    return err;
}

/* Handles one input message. Errors returned are the service's (Kafka, out
 * of memory); a message that cannot be used goes to the dead-letter topic. */
static zs_err_t handle(monitor_t *m, const rd_kafka_message_t *rkm, char *errstr,
                       size_t errstr_size)
{
    const char *topic = rd_kafka_topic_name(rkm->rkt);
    int t = input_index(m, topic);
    int32_t p = rkm->partition;
    if (t < 0 || p < 0 || p >= m->nparts || !m->parts[p].assigned)
        return ZS_OK; /* not ours (a revoked partition's leftovers) */
    part_t *pt = &m->parts[p];
    zs_err_t err = begin(m, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    m->src_topic = topic;
    m->src_partition = p;
    m->src_offset = rkm->offset;
    pt->next[t] = rkm->offset + 1;
    pt->at_end[t] = false;
    pt->dirty = true;
    m->events++;
    m->txn_records++;
    m->last_input = m->now;
    if (m->first_input == 0)
        m->first_input = m->last_input;

    char why[512];
    const zs_schema_t *reader;
    avro_value_t *v;
    zs_err_t derr =
        zs_decoder_decode(m->dec, rkm->payload, rkm->len, &reader, &v, why, sizeof(why));
    if (derr != ZS_OK)
        return dead_letter(m, rkm, why, err_name(derr), errstr, errstr_size);
    const char *name = zs_schema_name(reader);
    if (strcmp(name, "zengshou.PeriodClose") == 0) {
        err = on_close(m, t, p, v, errstr, errstr_size);
        if (err == ZS_ERR_INVALID)
            return dead_letter(m, rkm, "period close: year/quarter out of range", err_name(err),
                               errstr, errstr_size);
        return err;
    }
    if (strcmp(name + 9, m->input_messages[t]) != 0) {
        snprintf(why, sizeof(why), "a %s on %s, which carries %s", name + 9, topic,
                 m->input_messages[t]);
        return dead_letter(m, rkm, why, "ZS_ERR_INVALID", errstr, errstr_size);
    }
    const char *id = get_str(v, "household_id");
    if (!valid_id(id))
        return dead_letter(m, rkm, "household_id: not 1-32 of [0-9A-Za-z_-]", "ZS_ERR_INVALID",
                           errstr, errstr_size);
    if (rkm->key == NULL || rkm->key_len != strlen(id) || memcmp(rkm->key, id, rkm->key_len) != 0)
        return dead_letter(m, rkm, "key is not the record's household_id", "ZS_ERR_INVALID", errstr,
                           errstr_size);
    if (m->nwork == WORK_MAX && (err = commit(m, errstr, errstr_size)) != ZS_OK)
        return err;
    if ((err = begin(m, errstr, errstr_size)) != ZS_OK)
        return err;
    work_t *w = load(m, p, id, why, sizeof(why));
    if (w == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT, "%s", why);
    err = apply(m, pt, &w->hh, name, v, why, sizeof(why));
    if (err == ZS_ERR_INVALID) {
        mon_out_reset(&m->out);
        return dead_letter(m, rkm, why, err_name(err), errstr, errstr_size);
    }
    if (err == ZS_ERR_OVERFLOW) {
        mon_out_reset(&m->out);
        return dead_letter(m, rkm, "household holds too many persons or sources", err_name(err),
                           errstr, errstr_size);
    }
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "household %s: %s", id, why);
    return emit_out(m, pt, p, &w->hh, errstr, errstr_size);
}

/* ---- assignment ---- */

/* Rewinds after an abort: every assigned partition's state and position
 * as of the last commit. */
static zs_err_t restore_assigned(monitor_t *m, char *errstr, size_t errstr_size);

static void rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    monitor_t *m = opaque;
    char errstr[512];
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        /* Commit what was done; if the transaction can only be aborted,
         * abort it: the partitions' next owner resumes from the last commit. */
        zs_err_t cerr = m->fatal == 0 ? commit(m, errstr, sizeof(errstr)) : ZS_OK;
        if (cerr != ZS_OK && !rd_kafka_fatal_error(m->producer, NULL, 0)) {
            zs_log_warn("before giving up partitions: %s; aborting", errstr);
            rd_kafka_error_t *e = rd_kafka_abort_transaction(m->producer, -1);
            m->in_txn = false;
            m->aborts++;
            if (e != NULL) {
                zs_log_error("abort: %s", rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
                m->fatal = 3;
            }
        } else if (cerr != ZS_OK) {
            zs_log_error("before giving up partitions: %s", errstr);
            m->fatal = 3;
        }
        for (int32_t p = 0; p < m->nparts; p++) {
            m->parts[p].assigned = false;
            mon_map_free(m->parts[p].households);
            m->parts[p].households = NULL;
        }
        rd_kafka_assign(rk, NULL);
        zs_log_info("partitions revoked");
        return;
    }
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        zs_log_error("rebalance: %s", rd_kafka_err2str(err));
        rd_kafka_assign(rk, NULL);
        return;
    }
    /* Every input topic's partition p must come together. */
    bool mine[MAX_PARTITIONS] = {false};
    for (int i = 0; i < parts->cnt; i++)
        if (parts->elems[i].partition < m->nparts)
            mine[parts->elems[i].partition] = true;
    for (int32_t p = 0; p < m->nparts; p++) {
        if (!mine[p])
            continue;
        int have = 0;
        for (int i = 0; i < parts->cnt; i++)
            have += parts->elems[i].partition == p;
        if (have != m->ninputs) {
            zs_log_error("partition %" PRId32 " assigned for %d of %d input topics: the group "
                         "must use partition.assignment.strategy=range",
                         p, have, m->ninputs);
            m->fatal = 2;
            return;
        }
    }
    int nmine = 0;
    for (int32_t p = 0; p < m->nparts; p++)
        if (mine[p]) {
            m->parts[p].assigned = true;
            nmine++;
        }
    if (restore_assigned(m, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("restoring state: %s", errstr);
        m->fatal = 1;
        return;
    }
    m->last_input = mono_ms(); /* --exit-idle counts from here: joining takes a while */
    m->assigned_once = true;
    zs_log_info("assigned %d partitions of %d", nmine, m->nparts);
}

static zs_err_t restore_assigned(monitor_t *m, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(64);
    zs_err_t err = ZS_OK;
    drop_work(m);
    mon_out_reset(&m->out);
    err = restore(m, errstr, errstr_size);
    for (int32_t p = 0; p < m->nparts && err == ZS_OK; p++) {
        if (!m->parts[p].assigned)
            continue;
        for (int t = 0; t < m->ninputs && err == ZS_OK; t++) {
            int64_t next = m->parts[p].next[t];
            rd_kafka_topic_partition_list_add(list, m->inputs[t], p)->offset =
                next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
        }
    }
    if (err == ZS_OK) {
        rd_kafka_resp_err_t kerr = rd_kafka_assign(m->consumer, list);
        if (kerr)
            err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "assign: %s", rd_kafka_err2str(kerr));
    }
    rd_kafka_topic_partition_list_destroy(list);
    return err;
}

/* After an abortable error: abort, then start again from the last commit. */
static zs_err_t abort_and_rewind(monitor_t *m, char *errstr, size_t errstr_size)
{
    rd_kafka_error_t *e = rd_kafka_abort_transaction(m->producer, -1);
    m->in_txn = false;
    m->aborts++;
    if (e != NULL) {
        zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "abort: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return ZS_ERR_KAFKA;
    }
    zs_log_warn("transaction aborted; rewinding to the last commit");
    return restore_assigned(m, errstr, errstr_size);
}

/* ---- set-up ---- */

static zs_err_t setup_rules(monitor_t *m, char *errstr, size_t errstr_size)
{
    mon_rules_t *r = &m->rules;
    mon_rules_default(r);
    struct {
        const char *key;
        int64_t *dst;
    } ints[] = {{"zs.rules.low_income_fen", &r->low_income_fen},
                {"zs.rules.migrant_months", &r->migrant_months},
                {"zs.rules.labour_share_bp", &r->labour_share_bp},
                {"zs.rules.large_expense_fen", &r->large_expense_fen},
                {"zs.rules.large_expense_share_bp", &r->large_expense_share_bp},
                {"zs.rules.jump_bp", &r->jump_bp}};
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]) && err == ZS_OK; i++)
        err = zs_config_get_int(m->cfg, ints[i].key, ints[i].dst, errstr, errstr_size);
    const char *text;
    char why[256];
    if (err == ZS_OK &&
        (err = zs_config_get_str(m->cfg, "zs.rules.slow_growth_bp", &text, errstr, errstr_size)) ==
            ZS_OK &&
        (err = mon_by_year_parse(text, &r->slow_growth_bp, why, sizeof(why))) != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "zs.rules.slow_growth_bp: %s", why);
    if (err == ZS_OK &&
        (err = zs_config_get_str(m->cfg, "zs.rules.monitoring_line_fen", &text, errstr,
                                 errstr_size)) == ZS_OK &&
        (err = mon_by_year_parse(text, &r->monitoring_line_fen, why, sizeof(why))) != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "zs.rules.monitoring_line_fen: %s", why);
    return err;
}

/* The input topics must exist with one partition count. */
static zs_err_t check_topics(monitor_t *m, char *errstr, size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t kerr = rd_kafka_metadata(m->producer, 1, NULL, &md, 30000);
    if (kerr)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot read the cluster's topics: %s",
                       rd_kafka_err2str(kerr));
    zs_err_t err = ZS_OK;
    m->nparts = -1;
    const char *need[MAX_INPUTS + 4];
    int nneed = 0;
    for (int t = 0; t < m->ninputs; t++)
        need[nneed++] = m->inputs[t];
    need[nneed++] = m->state_topic;
    need[nneed++] = m->warnings_topic;
    need[nneed++] = m->audit_topic;
    need[nneed++] = m->dead_topic;
    for (int t = 0; t < nneed && err == ZS_OK; t++) {
        int count = -1;
        for (int i = 0; i < md->topic_cnt; i++)
            if (strcmp(md->topics[i].topic, need[t]) == 0 && md->topics[i].err == 0)
                count = md->topics[i].partition_cnt;
        if (count < 0)
            err = zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND,
                          "topic %s does not exist (zs-topics creates the topics)", need[t]);
        else if (t < m->ninputs + 2 && m->nparts >= 0 && count != m->nparts)
            err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                          "%s has %d partitions, %s %d: the input topics and %s must be "
                          "co-partitioned (one partition count)",
                          need[t], count, need[0], m->nparts, m->state_topic);
        else if (t < m->ninputs + 2)
            m->nparts = count;
    }
    rd_kafka_metadata_destroy(md);
    if (err == ZS_OK && m->nparts > MAX_PARTITIONS)
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%d partitions: at most %d", m->nparts,
                      MAX_PARTITIONS);
    return err;
}

static void log_stats(monitor_t *m, bool final)
{
    int64_t now = mono_ms();
    double secs = (double)(now - m->last_stats) / 1000.0;
    size_t households = 0, bytes = 0, open = 0;
    int64_t lag = 0;
    for (int32_t p = 0; p < m->nparts; p++) {
        part_t *pt = &m->parts[p];
        if (!pt->assigned || pt->households == NULL)
            continue;
        households += mon_map_count(pt->households);
        bytes += mon_map_bytes(pt->households);
        open += pt->open_warnings;
        for (int t = 0; t < m->ninputs; t++) {
            int64_t lo = 0, hi = 0;
            if (rd_kafka_get_watermark_offsets(m->consumer, m->inputs[t], p, &lo, &hi) == 0 &&
                hi > pt->next[t])
                lag += hi - (pt->next[t] < 0 ? lo : pt->next[t]);
        }
    }
    zs_log_info("%sevents %" PRIu64 " (%.0f/s), lag %" PRId64 ", households %zu, state %zu bytes "
                "(%.0f per household), resident %zu bytes, open warnings %zu, warnings written "
                "%" PRIu64 ", dead letters %" PRIu64 ", transactions %" PRIu64 " committed %" PRIu64
                " aborted",
                final ? "final: " : "", m->events,
                secs > 0 ? (double)(m->events - m->last_events) / secs : 0.0, lag, households,
                bytes, households ? (double)bytes / (double)households : 0.0, rss_bytes(), open,
                m->warnings, m->dead, m->commits, m->aborts);
    if (final && m->first_input > 0)
        zs_log_info("final: %" PRIu64 " events from the first input to the last commit in %.3f s",
                    m->events,
                    (double)((m->last_commit > m->last_input ? m->last_commit : m->last_input) -
                             m->first_input) /
                        1000.0);
    m->last_stats = now;
    m->last_events = m->events;
}

static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    (void)rk;
    (void)opaque;
    zs_log_info("librdkafka statistics: %.*s", (int)len, json);
    return 0;
}

static const zs_kafka_default_t consumer_defaults[] = {
    {"enable.auto.commit", "false"},
    {"enable.auto.offset.store", "false"},
    {"isolation.level", "read_committed"},
    {"auto.offset.reset", "earliest"},
    {"partition.assignment.strategy", "range"},
    /* docs/TOPICS.md "Measured limits": the default queue settings are the
     * bottleneck of a consumer on this librdkafka. */
    {"queued.min.messages", "1000000"},
    {"queued.max.messages.kbytes", "262144"},
    {"fetch.max.bytes", "52428800"},
    {"enable.partition.eof", "true"}, /* --exit-idle stops only once caught up */
    {NULL, NULL},
};

static zs_err_t setup(monitor_t *m, char *errstr, size_t errstr_size)
{
    const char *schema_dir, *prefix, *group, *instance;
    zs_err_t err = zs_config_get_str(m->cfg, "zs.schema.dir", &schema_dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(m->cfg, "zs.topic.prefix", &prefix, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(m->cfg, "zs.monitor.group", &group, errstr, errstr_size);
    if (err == ZS_OK &&
        zs_config_get_str(m->cfg, "zs.monitor.instance", &instance, errstr, errstr_size) != ZS_OK)
        instance = NULL;
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.monitor.commit.interval", &m->commit_ms, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_int(m->cfg, "zs.monitor.commit.records", &m->records_max, errstr,
                                errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.monitor.stats.interval", &m->stats_ms, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = setup_rules(m, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_schemas_load(schema_dir, &m->schemas, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (instance == NULL || instance[0] == '\0') {
        gethostname(m->instance, sizeof(m->instance) - 1);
    } else {
        snprintf(m->instance, sizeof(m->instance), "%s", instance);
    }
    snprintf(m->prefix, sizeof(m->prefix), "%s", prefix);
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++)
        if (t->input && m->ninputs < MAX_INPUTS) {
            zs_topic_name(prefix, t->suffix, m->inputs[m->ninputs], sizeof(m->inputs[0]));
            m->input_messages[m->ninputs++] = t->message;
        }
    zs_topic_name(prefix, "warnings", m->warnings_topic, sizeof(m->warnings_topic));
    zs_topic_name(prefix, "audit", m->audit_topic, sizeof(m->audit_topic));
    zs_topic_name(prefix, "deadletter", m->dead_topic, sizeof(m->dead_topic));
    zs_topic_name(prefix, "monitor.state", m->state_topic, sizeof(m->state_topic));
    err = zs_decoder_new(m->schemas, &m->dec, errstr, errstr_size);
    m->warn_schema = zs_schemas_latest(m->schemas, "Warning");
    m->audit_schema = zs_schemas_latest(m->schemas, "AuditRecord");
    if (err == ZS_OK)
        err = zs_encoder_new(m->warn_schema, &m->warn_enc, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_encoder_new(m->audit_schema, &m->audit_enc, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_encoder_new(zs_schemas_latest(m->schemas, "DeadLetter"), &m->dead_enc, errstr,
                             errstr_size);
    if (err == ZS_OK)
        err = zs_encoder_new(zs_schemas_latest(m->schemas, "HouseholdState"), &m->state_enc, errstr,
                             errstr_size);
    if (err != ZS_OK)
        return err;

    char txn_id[160];
    snprintf(txn_id, sizeof(txn_id), "zs-monitor-%s", m->instance);
    const zs_kafka_default_t producer_defaults[] = {{"transactional.id", txn_id},
                                                    {"linger.ms", "20"},
                                                    {"compression.codec", "lz4"},
                                                    {"queue.buffering.max.messages", "1000000"},
                                                    {NULL, NULL}};
    err = zs_kafka_new_with(m->cfg, RD_KAFKA_PRODUCER, producer_defaults, on_delivery, m,
                            &m->producer, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    err = check_topics(m, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    rd_kafka_error_t *e = rd_kafka_init_transactions(m->producer, 60000);
    if (e != NULL) {
        zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "init transactions (%s): %s", txn_id,
                rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return ZS_ERR_KAFKA;
    }
    /* The consumer: zs_kafka_new's defaults, our rebalance callback. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char kerr[256];
    const zs_kafka_default_t *d;
    for (d = consumer_defaults; d->name != NULL; d++)
        rd_kafka_conf_set(conf, d->name, d->value, kerr, sizeof(kerr));
    if (rd_kafka_conf_set(conf, "group.id", group, kerr, sizeof(kerr)) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "group.id: %s", kerr);
    }
    err = zs_config_kafka_conf(m->cfg, conf, errstr, errstr_size);
    if (err != ZS_OK) {
        rd_kafka_conf_destroy(conf);
        return err;
    }
    /* Static membership: a restarted instance gets its partitions back at
     * once instead of after the session timeout. */
    char member[160];
    snprintf(member, sizeof(member), "zs-monitor-%s", m->instance);
    bool is_static = true;
    if (zs_config_get_bool(m->cfg, "zs.monitor.static_membership", &is_static, errstr,
                           errstr_size) != ZS_OK) {
        rd_kafka_conf_destroy(conf);
        return ZS_ERR_INVALID;
    }
    size_t got = sizeof(kerr);
    bool given = rd_kafka_conf_get(conf, "group.instance.id", kerr, &got) == RD_KAFKA_CONF_OK &&
                 kerr[0] != '\0';
    if (is_static && !given)
        rd_kafka_conf_set(conf, "group.instance.id", member, kerr, sizeof(kerr));
    rd_kafka_conf_set_rebalance_cb(conf, rebalance);
    rd_kafka_conf_set_stats_cb(conf, stats_cb);
    rd_kafka_conf_set_opaque(conf, m);
    m->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, kerr, sizeof(kerr));
    if (m->consumer == NULL) {
        rd_kafka_conf_destroy(conf);
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "consumer: %s", kerr);
    }
    rd_kafka_poll_set_consumer(m->consumer);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(m->ninputs);
    for (int t = 0; t < m->ninputs; t++)
        rd_kafka_topic_partition_list_add(topics, m->inputs[t], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t serr = rd_kafka_subscribe(m->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (serr)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "subscribe: %s", rd_kafka_err2str(serr));
    m->work = calloc(WORK_MAX, sizeof(work_t));
    if (m->work == NULL)
        return ZS_ERR_NOMEM;
    for (size_t i = 0; i < WORK_MAX; i++)
        mon_hh_init(&m->work[i].hh);
    zs_log_info("instance %s (transactional.id %s), group %s, %d input topics of %d partitions",
                m->instance, txn_id, group, m->ninputs, m->nparts);
    return ZS_OK;
}

static void teardown(monitor_t *m)
{
    if (m->consumer != NULL) {
        rd_kafka_consumer_close(m->consumer);
        rd_kafka_destroy(m->consumer);
    }
    if (m->producer != NULL) {
        rd_kafka_flush(m->producer, 10000);
        rd_kafka_destroy(m->producer);
    }
    for (int32_t p = 0; p < MAX_PARTITIONS; p++)
        mon_map_free(m->parts[p].households);
    if (m->work != NULL)
        for (size_t i = 0; i < WORK_MAX; i++)
            mon_hh_free(&m->work[i].hh);
    free(m->work);
    mon_out_free(&m->out);
    zs_buf_free(&m->msg);
    zs_buf_free(&m->state);
    zs_encoder_free(m->warn_enc);
    zs_encoder_free(m->audit_enc);
    zs_encoder_free(m->dead_enc);
    zs_encoder_free(m->state_enc);
    zs_decoder_free(m->dec);
    zs_schemas_free(m->schemas);
}

/* ---- the loop ---- */

/* Whether every assigned input partition has been read to its end. */
static bool caught_up(const monitor_t *m)
{
    for (int32_t p = 0; p < m->nparts; p++)
        for (int t = 0; m->parts[p].assigned && t < m->ninputs; t++)
            if (!m->parts[p].at_end[t])
                return false;
    return true;
}

static int run(monitor_t *m)
{
    char errstr[1024];
    m->last_stats = m->last_input = mono_ms();
    while (!stop && m->fatal == 0) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(m->consumer, 100);
        zs_err_t err = ZS_OK;
        m->now = mono_ms();
        if (rkm != NULL) {
            if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                int t = input_index(m, rd_kafka_topic_name(rkm->rkt));
                if (t >= 0 && rkm->partition >= 0 && rkm->partition < m->nparts)
                    m->parts[rkm->partition].at_end[t] = true;
            } else if (rkm->err) {
                zs_log_warn("consumer: %s", rd_kafka_message_errstr(rkm));
                if (rkm->err == RD_KAFKA_RESP_ERR__FATAL)
                    m->fatal = 3;
            } else {
                err = handle(m, rkm, errstr, sizeof(errstr));
            }
            rd_kafka_message_destroy(rkm);
        }
        int64_t now = m->now;
        if (err == ZS_OK && m->in_txn &&
            (now - m->txn_started >= m->commit_ms || m->txn_records >= m->records_max))
            err = commit(m, errstr, sizeof(errstr));
        if (err == ZS_ERR_IO || (err != ZS_OK && m->in_txn && err == ZS_ERR_KAFKA &&
                                 !rd_kafka_fatal_error(m->producer, NULL, 0))) {
            zs_log_warn("%s", errstr);
            err = abort_and_rewind(m, errstr, sizeof(errstr));
        }
        if (err != ZS_OK) {
            zs_log_error("%s", errstr);
            m->fatal = err == ZS_ERR_KAFKA ? 3 : 1;
            break;
        }
        if (m->stats_ms > 0 && now - m->last_stats >= m->stats_ms)
            log_stats(m, false);
        if (m->exit_idle > 0 && m->assigned_once && !m->in_txn &&
            now - m->last_input >= m->exit_idle && caught_up(m)) {
            zs_log_info("nothing new for %" PRId64 " ms: stopping", m->exit_idle);
            break;
        }
    }
    if (m->fatal == 0 && m->in_txn && commit(m, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("final commit: %s", errstr);
        rd_kafka_error_t *e = rd_kafka_abort_transaction(m->producer, 10000);
        if (e != NULL)
            rd_kafka_error_destroy(e);
        m->fatal = 1;
    }
    log_stats(m, true);
    return m->fatal;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"exit-idle", required_argument, NULL, 'I'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    static monitor_t m;
    char errstr[1024];
    int c, rc = 2;
    zs_log_init("zs-monitor", ZS_LOG_INFO, ZS_LOG_TEXT);
    if (zs_config_describe_if_asked(argc, argv, defs, stdout))
        return 0;
    if (zs_config_new(&m.cfg, defs, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("%s", errstr);
        return 2;
    }
    mon_out_init(&m.out);
    zs_buf_init(&m.msg, (size_t)64 << 20);
    zs_buf_init(&m.state, (size_t)64 << 20);
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "h", longopts, NULL)) != -1) {
        int common = zs_config_take_option(m.cfg, c, optarg);
        if (common < 0)
            goto done;
        if (common > 0)
            continue;
        switch (c) {
        case 'I': {
            char *end = NULL;
            errno = 0;
            long long v = strtoll(optarg, &end, 10);
            if (errno || end == optarg || *end != '\0' || v < 1) {
                zs_log_error("--exit-idle %s: want a number of milliseconds above 0", optarg);
                goto done;
            }
            m.exit_idle = v;
            break;
        }
        case 'h':
            fputs(usage, stdout);
            rc = 0;
            goto done;
        default:
            fputs(usage, stderr);
            goto done;
        }
    }
    if (optind < argc) {
        zs_log_error("unexpected argument %s", argv[optind]);
        fputs(usage, stderr);
        goto done;
    }
    if (zs_config_apply_logging(m.cfg, "zs-monitor", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("%s", errstr);
        goto done;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    zs_err_t err = setup(&m, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log_error("%s", errstr);
        rc = err == ZS_ERR_INVALID || err == ZS_ERR_NOT_FOUND ? 2 : err == ZS_ERR_KAFKA ? 3 : 1;
        goto done;
    }
    rc = run(&m);
done:
    teardown(&m);
    zs_config_destroy(m.cfg);
    return rc;
}
