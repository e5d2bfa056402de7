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

#include "mon_metrics.h"
#include "mon_service.h"
#include "zs_kafka.h"
#include "zs_log.h"
#include "zs_metrics.h"
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
    "                     to the end the broker reports now, nothing has arrived for\n"
    "                     MS milliseconds and everything read is committed (batch\n"
    "                     runs, tests)\n"
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
    {.name = "zs.monitor.work.max",
     .type = ZS_CONFIG_INT,
     .dflt = "4096",
     .min = "1",
     .max = "4096",
     .doc = "Households one transaction may touch; a transaction that reaches it commits "
            "before the next input record is taken."},
    {.name = "zs.monitor.undo.max",
     .type = ZS_CONFIG_SIZE,
     .dflt = "256M",
     .min = "0",
     .doc = "Memory one transaction may use to keep the former states of the households it "
            "changes, so that an abort puts them back; an aborted transaction that changed "
            "more is undone by restoring the partitions from the changelog (0: always)."},
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
    ZS_METRICS_CONFIG_DEF,
    ZS_CONFIG_DEFS_END,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Resident memory of this process, bytes (0 if unknown). */
size_t mon_rss_bytes(void)
{
    return zs_rss_bytes();
}

/* ---- assignment ---- */

/* Keeps a retained partition's state only if the group's committed offsets
 * are still the ones it holds (nobody else processed it meanwhile). */
static void check_retained(monitor_t *m)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(64);
    for (int32_t p = 0; p < m->nparts; p++)
        for (int t = 0; m->parts[p].retained && t < m->ninputs; t++)
            rd_kafka_topic_partition_list_add(list, m->inputs[t], p);
    if (list->cnt > 0 && rd_kafka_committed(m->consumer, list, 10000) != 0)
        for (int32_t p = 0; p < m->nparts; p++)
            m->parts[p].retained = false; /* not known: restore them all */
    for (int i = 0; i < list->cnt; i++) {
        const rd_kafka_topic_partition_t *e = &list->elems[i];
        part_t *pt = &m->parts[e->partition];
        int t = mon_input_index(m, e->topic);
        int64_t have = t >= 0 ? pt->next[t] : -2;
        int64_t committed = e->err || e->offset < 0 ? -1 : e->offset;
        if (t < 0 || committed != have)
            pt->retained = false;
    }
    rd_kafka_topic_partition_list_destroy(list);
}

static void rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    monitor_t *m = opaque;
    char errstr[512];
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        /* Commit what was done; if the transaction can only be aborted,
         * abort it: the partitions' next owner resumes from the last commit.
         * A lost assignment (the session timed out: another member may
         * already own them) is never committed to. */
        bool lost = rd_kafka_assignment_lost(rk) != 0;
        zs_err_t cerr = ZS_OK;
        if (lost && m->in_txn)
            cerr = zs_fail(errstr, sizeof(errstr), ZS_ERR_ABORT, "the assignment was lost");
        else if (m->fatal == 0)
            cerr = mon_txn_commit(m, errstr, sizeof(errstr));
        if (cerr != ZS_OK && !rd_kafka_fatal_error(m->producer, NULL, 0)) {
            zs_log_warn("before giving up partitions: %s; aborting", errstr);
            rd_kafka_error_t *e = rd_kafka_abort_transaction(m->producer, -1);
            m->in_txn = false;
            m->aborts++;
            mon_undo_reset(m->undo); /* nothing is kept of these partitions */
            if (e != NULL) {
                zs_log_error("abort: %s", rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
                m->fatal = 3;
            }
        } else if (cerr != ZS_OK) {
            zs_log_error("before giving up partitions: %s", errstr);
            m->fatal = 3;
        }
        /* What was committed is kept: a partition that comes straight back
         * needs no restore (checked against the group's committed offsets
         * at the next assignment). */
        for (int32_t p = 0; p < m->nparts; p++) {
            part_t *pt = &m->parts[p];
            pt->retained = pt->assigned && cerr == ZS_OK && !lost && pt->households != NULL;
            pt->assigned = false;
        }
        rd_kafka_assign(rk, NULL);
        zs_log_info("partitions revoked%s", lost ? " (the assignment was lost)" : "");
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
    for (int32_t p = 0; p < m->nparts; p++) {
        m->parts[p].retained &= mine[p];
        if (mine[p]) {
            m->parts[p].assigned = true;
            nmine++;
        }
    }
    check_retained(m);
    if (mon_changelog_restore_assigned(m, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("restoring state: %s", errstr);
        m->fatal = 1;
        return;
    }
    m->last_input = mon_mono_ms(); /* --exit-idle counts from here: joining takes a while */
    m->assigned_once = true;
    zs_log_info("assigned %d partitions of %d", nmine, m->nparts);
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
    int64_t work_max = WORK_MAX;
    if (err == ZS_OK)
        err = zs_config_get_int(m->cfg, "zs.monitor.work.max", &work_max, errstr, errstr_size);
    m->work_max = (size_t)work_max;
    if (err == ZS_OK)
        err = zs_config_get_size(m->cfg, "zs.monitor.undo.max", &m->undo_max, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.monitor.stats.interval", &m->stats_ms, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = setup_rules(m, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_county_load_configured(m->cfg, &m->counties, errstr, errstr_size);
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
    if ((err = mon_input_kinds(m, errstr, errstr_size)) != ZS_OK)
        return err;
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
    err = zs_kafka_new_with(m->cfg, RD_KAFKA_PRODUCER, producer_defaults, mon_on_delivery, m,
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
    if (m->work == NULL || mon_undo_new(m->undo_max, &m->undo) != ZS_OK)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
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
    mon_undo_free(m->undo);
    mon_out_free(&m->out);
    zs_buf_free(&m->msg);
    zs_buf_free(&m->state);
    zs_encoder_free(m->warn_enc);
    zs_encoder_free(m->audit_enc);
    zs_encoder_free(m->dead_enc);
    zs_encoder_free(m->state_enc);
    zs_decoder_free(m->dec);
    zs_schemas_free(m->schemas);
    zs_county_table_free(m->counties);
    mon_bad_states_free(m);
}

/* ---- the loop ---- */

static int run(monitor_t *m)
{
    char errstr[1024];
    m->last_stats = m->last_input = mon_mono_ms();
    while (!stop && m->fatal == 0) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(m->consumer, 100);
        zs_err_t err = ZS_OK;
        m->now = mon_mono_ms();
        if (rkm != NULL) {
            if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                int t = mon_input_index(m, rd_kafka_topic_name(rkm->rkt));
                if (t >= 0 && rkm->partition >= 0 && rkm->partition < m->nparts)
                    m->parts[rkm->partition].at_end[t] = true;
            } else if (rkm->err) {
                zs_log_warn("consumer: %s", rd_kafka_message_errstr(rkm));
                if (rkm->err == RD_KAFKA_RESP_ERR__FATAL)
                    m->fatal = 3;
            } else {
                err = mon_input_handle(m, rkm, errstr, sizeof(errstr));
            }
            rd_kafka_message_destroy(rkm);
        }
        int64_t now = m->now;
        if (err == ZS_OK && m->in_txn &&
            (now - m->txn_started >= m->commit_ms || m->txn_records >= m->records_max))
            err = mon_txn_commit(m, errstr, sizeof(errstr));
        if (err == ZS_ERR_ABORT || (err != ZS_OK && m->in_txn && err == ZS_ERR_KAFKA &&
                                    !rd_kafka_fatal_error(m->producer, NULL, 0))) {
            zs_log_warn("%s", errstr);
            err = mon_txn_abort(m, errstr, sizeof(errstr));
        }
        if (err != ZS_OK) {
            zs_log_error("%s", errstr);
            m->fatal = err == ZS_ERR_KAFKA ? 3 : 1;
            break;
        }
        if (m->stats_ms > 0 && now - m->last_stats >= m->stats_ms)
            mon_stats_log(m, false);
        mon_stats_waiting(m);
        mon_metrics_tick(m);
        if (mon_input_idle(m, now)) {
            zs_log_info("nothing new for %" PRId64 " ms: stopping", m->exit_idle);
            break;
        }
    }
    if (m->fatal == 0 && m->in_txn && mon_txn_commit(m, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("final commit: %s", errstr);
        rd_kafka_error_t *e = rd_kafka_abort_transaction(m->producer, 10000);
        if (e != NULL)
            rd_kafka_error_destroy(e);
        m->fatal = 1;
    }
    mon_stats_log(m, true);
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
    zs_err_t err = mon_metrics_start(m.cfg, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = setup(&m, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log_error("%s", errstr);
        rc = err == ZS_ERR_INVALID || err == ZS_ERR_NOT_FOUND ? 2 : err == ZS_ERR_KAFKA ? 3 : 1;
        goto done;
    }
    rc = run(&m);
done:
    teardown(&m);
    mon_metrics_stop();
    zs_config_destroy(m.cfg);
    return rc;
}
