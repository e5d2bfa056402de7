/* zs_audit.c: zs-audit, the supervisors' side of the audit trail: `archive`
 * keeps every audit record in SQLite, `verify` follows every hash chain (of
 * the topic, or of the archive) and names each broken link, `query` answers
 * inspectors, `sla` escalates warnings left without follow-up
 * (consumers/AUDIT.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit_archive.h"
#include "zs_metrics.h"
#include "audit_sla.h"
#include "zs_audit.h"
#include "zs_config.h"
#include "zs_county.h"
#include "zs_kafka.h"
#include "zs_log.h"
#include "zs_period.h"
#include "zs_producer.h"
#include "zs_scan.h"
#include "zs_topics.h"

static const char usage[] =
    "usage: zs-audit archive [--db FILE] [--once] [-b HOST:PORT] [-t TOPIC] [-X KEY=VALUE]\n"
    "       zs-audit verify [--db FILE] [-b HOST:PORT] [-t TOPIC] [-X KEY=VALUE] [-F FILE]\n"
    "       zs-audit query [--db FILE] (--household ID | --county CODE [--quarter YYYYQN])\n"
    "                      [--format table|csv|json]\n"
    "       zs-audit sla [--db FILE] [-b HOST:PORT] [--now ISO8601] [--ack-days N]\n"
    "                    [--measure-days N] [--report DIR] [--lang zh|en]\n"
    "\n"
    "archive keeps every audit record in the SQLite archive (--db, default\n"
    "        zs.audit.db) with its coordinates and its bytes as written, as a member\n"
    "        of the consumer group zs-audit: offsets are committed only after the\n"
    "        archive has committed, and a replayed record changes nothing. Runs\n"
    "        until SIGTERM, or with --once until the topic is read to its end.\n"
    "verify  reads the whole audit topic (default: the prefix's audit topic) and\n"
    "        follows every hash chain: each record must carry the next seq of its\n"
    "        chain and the SHA-256 of the record before it. Every broken link is\n"
    "        printed with its topic, partition and offset and what broke (a record\n"
    "        removed, edited, repeated or moved); the exit status is then 1.\n"
    "        With --db it checks the archive instead, each record from its\n"
    "        archived bytes, so an edited or deleted row is found.\n"
    "query   prints from the archive one household's whole history in time order;\n"
    "        with --county and --quarter, each of the county's warnings open in the\n"
    "        quarter and how it was handled: notified, followed up, escalated.\n"
    "sla     escalates every warning of the archive with no ACK within --ack-days\n"
    "        (15) of its opening or no MEASURE within --measure-days (30), not\n"
    "        cleared in time: one ESCALATION audit record per missed deadline,\n"
    "        written once (rerunning writes nothing new) on the chain\n"
    "        zs-audit/sla/<host>. --now sets the clock; --report DIR writes\n"
    "        DIR/sla-<county>.html, a supervision report per county.\n";

static const zs_config_def_t defs[] = {
    {.name = "zs.audit.db",
     .type = ZS_CONFIG_STRING,
     .dflt = "zs-audit.db",
     .doc = "The SQLite archive of the audit trail."},
    ZS_METRICS_CONFIG_DEF, /* archive only */
    ZS_CONFIG_DEFS_END,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* What verifying needs. */
typedef struct verifying {
    const char *topic;
    zs_decoder_t *dec;
    zs_audit_check_t *check;
    uint64_t breaks;
} verifying_t;

/* A broken link, printed with its coordinates. */
static void broken(verifying_t *v, const rd_kafka_message_t *rkm, const char *why)
{
    v->breaks++;
    printf("BROKEN %s [%" PRId32 "] offset %" PRId64 ": %s\n", v->topic, rkm->partition,
           rkm->offset, why);
}

static bool verify_one(void *ctx, const rd_kafka_message_t *rkm)
{
    verifying_t *v = ctx;
    char errstr[512];
    const zs_schema_t *reader;
    avro_value_t *rec, f, b;
    if (zs_decoder_decode(v->dec, rkm->payload, rkm->len, &reader, &rec, errstr, sizeof(errstr)) !=
        ZS_OK) {
        broken(v, rkm, errstr);
        return true;
    }
    if (strcmp(zs_schema_name(reader), "zengshou.AuditRecord") != 0) {
        broken(v, rkm, "not an audit record");
        return true;
    }
    const char *chain = NULL;
    size_t size = 0;
    int64_t seq = 0;
    int disc = 0;
    const void *hash = NULL;
    if (avro_value_get_by_name(rec, "chain", &f, NULL) ||
        avro_value_get_string(&f, &chain, &size) || avro_value_get_by_name(rec, "seq", &f, NULL) ||
        avro_value_get_long(&f, &seq) || avro_value_get_by_name(rec, "prev_hash", &f, NULL) ||
        avro_value_get_discriminant(&f, &disc) ||
        (disc == 1 && (avro_value_get_current_branch(&f, &b) ||
                       avro_value_get_fixed(&b, &hash, &size) || size != ZS_SHA256_SIZE))) {
        broken(v, rkm, "an audit record without chain, seq or hash");
        return true;
    }
    if (zs_audit_check_next(v->check, chain, seq, hash, rkm->payload, rkm->len, errstr,
                            sizeof(errstr)) != ZS_OK)
        broken(v, rkm, errstr);
    return true;
}

static int verify(zs_config_t *cfg, const char *topic)
{
    char errstr[512];
    const char *dir = NULL;
    zs_schemas_t *set = NULL;
    verifying_t v = {.topic = topic};
    int rc = 1;
    if (zs_config_get_str(cfg, "zs.schema.dir", &dir, errstr, sizeof(errstr)) != ZS_OK ||
        zs_schemas_load(dir, &set, errstr, sizeof(errstr)) != ZS_OK ||
        zs_decoder_new(set, &v.dec, errstr, sizeof(errstr)) != ZS_OK ||
        zs_audit_check_new(&v.check) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    zs_scan_opts_t so = {.topic = topic,
                         .partition = -1,
                         .offset = RD_KAFKA_OFFSET_BEGINNING,
                         .exit_at_end = true,
                         .stop = &stop};
    long errors = 0;
    if (zs_scan(cfg, &so, verify_one, &v, &errors, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (stop || errors > 0) {
        zs_log(ZS_LOG_ERROR, "%s: not read to its end (%s)", topic,
               stop ? "interrupted" : "read errors");
        goto done;
    }
    printf("%s: %" PRIu64 " records in %zu chains; %s\n", topic, zs_audit_check_records(v.check),
           zs_audit_check_chains(v.check), v.breaks ? "BROKEN LINKS ABOVE" : "every link holds");
    rc = v.breaks ? 1 : 0;
done:
    zs_audit_check_free(v.check);
    zs_decoder_free(v.dec);
    zs_schemas_free(set);
    return rc;
}

static void on_broken(void *ctx, const char *topic, int32_t partition, int64_t offset,
                      const char *why)
{
    uint64_t *breaks = ctx;
    (*breaks)++;
    printf("BROKEN %s [%" PRId32 "] offset %" PRId64 " (archived): %s\n", topic, partition, offset,
           why);
}

/* Loads the schemas and a decoder over them. */
static zs_err_t decoder(zs_config_t *cfg, zs_schemas_t **set, zs_decoder_t **dec, char *errstr,
                        size_t errstr_size)
{
    const char *dir = NULL;
    zs_err_t err = zs_config_get_str(cfg, "zs.schema.dir", &dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_schemas_load(dir, set, errstr, errstr_size);
    return err != ZS_OK ? err : zs_decoder_new(*set, dec, errstr, errstr_size);
}

static int query(const char *db, const audit_query_t *q)
{
    char errstr[512];
    audit_archive_t *a = NULL;
    uint64_t rows = 0, records = 0;
    int rc = 1;
    if (audit_archive_open(db, &a, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_query(a, q, stdout, &rows, &records, errstr, sizeof(errstr)) != ZS_OK)
        zs_log(ZS_LOG_ERROR, "%s", errstr);
    else
        rc = 0;
    /* A county's quarter counts its warnings and the records behind them. */
    if (rc == 0 && q->format == AUDIT_TABLE && q->county != NULL && q->year > 0)
        printf("%" PRIu64 " warnings (%" PRIu64 " records)\n", rows, records);
    else if (rc == 0 && q->format == AUDIT_TABLE)
        printf("(%" PRIu64 " records)\n", rows);
    audit_archive_close(a);
    return rc;
}

static int verify_archive(zs_config_t *cfg, const char *db)
{
    char errstr[512];
    zs_schemas_t *set = NULL;
    zs_decoder_t *dec = NULL;
    audit_archive_t *a = NULL;
    uint64_t records = 0, chains = 0, breaks = 0;
    int rc = 1;
    if (decoder(cfg, &set, &dec, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_open(db, &a, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_verify(a, dec, on_broken, &breaks, &records, &chains, errstr,
                             sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    printf("%s: %" PRIu64 " records in %" PRIu64 " chains; %s\n", db, records, chains,
           breaks ? "BROKEN LINKS ABOVE" : "every link holds");
    rc = breaks ? 1 : 0;
done:
    audit_archive_close(a);
    zs_decoder_free(dec);
    zs_schemas_free(set);
    return rc;
}

/* Whether every assigned partition has been read to its end. */
static bool all_at_end(rd_kafka_t *rk, const bool *at_end, int max)
{
    rd_kafka_topic_partition_list_t *asg = NULL;
    bool all = rd_kafka_assignment(rk, &asg) == 0 && asg->cnt > 0;
    for (int i = 0; all && i < asg->cnt; i++)
        all = asg->elems[i].partition < max && at_end[asg->elems[i].partition];
    if (asg != NULL)
        rd_kafka_topic_partition_list_destroy(asg);
    return all;
}

/* Archives one batch of consumed messages; false on a failure. */
static bool archive_batch(audit_archive_t *a, zs_decoder_t *dec, rd_kafka_message_t **msgs,
                          size_t n, uint64_t *added, uint64_t *rejected)
{
    char errstr[512];
    if (audit_archive_begin(a, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_message_t *m = msgs[i];
        const zs_schema_t *reader;
        avro_value_t *rec;
        bool fresh = false;
        if (zs_decoder_decode(dec, m->payload, m->len, &reader, &rec, errstr, sizeof(errstr)) !=
                ZS_OK ||
            strcmp(zs_schema_name(reader), "zengshou.AuditRecord") != 0) {
            /* Kept out of the archive but never silently: verify names it too. */
            zs_log(ZS_LOG_ERROR, "%s [%" PRId32 "] offset %" PRId64 ": not an audit record: %s",
                   rd_kafka_topic_name(m->rkt), m->partition, m->offset, errstr);
            (*rejected)++;
            continue;
        }
        if (audit_archive_add(a, rd_kafka_topic_name(m->rkt), m->partition, m->offset, rec,
                              m->payload, m->len, &fresh, errstr, sizeof(errstr)) != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            return false;
        }
        *added += fresh;
    }
    if (audit_archive_commit(a, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return false;
    }
    return true;
}

/* What zs-audit archive has done, for its metrics. */
typedef struct archive_stats {
    uint64_t added, rejected; /* records archived; records that were not audit records */
    uint64_t batches, failed; /* archive transactions committed; batches that failed */
    int64_t last;             /* when last published, monotonic ms */
} archive_stats_t;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Publishes the archive's figures (zs.metrics.listen), at most once a
 * second: records archived, dead records by reason, batches by outcome, lag
 * per assigned partition (high watermark - position), resident memory. */
static void archive_metrics(zs_metrics_t *metrics, zs_prom_t *p, rd_kafka_t *rk,
                            archive_stats_t *st)
{
    int64_t now = mono_ms();
    if (metrics == NULL || (st->last != 0 && now - st->last < 1000))
        return;
    st->last = now;
    zs_prom_reset(p);
    zs_prom_one(p, "zengshou_audit_records_archived_total", "counter",
                "Audit records added to the archive (replays not counted).", (int64_t)st->added);
    zs_prom_family(p, "zengshou_audit_records_rejected_total", "counter",
                   "Records of the audit topic kept out of the archive, by reason.");
    zs_prom_sample(p, "zengshou_audit_records_rejected_total", (int64_t)st->rejected, "reason",
                   "not_an_audit_record", NULL);
    zs_prom_family(p, "zengshou_audit_transactions_total", "counter",
                   "Archive transactions (one per batch), by outcome (committed, aborted).");
    zs_prom_sample(p, "zengshou_audit_transactions_total", (int64_t)st->batches, "outcome",
                   "committed", NULL);
    zs_prom_sample(p, "zengshou_audit_transactions_total", (int64_t)st->failed, "outcome",
                   "aborted", NULL);
    zs_prom_family(
        p, "zengshou_audit_lag_records", "gauge",
        "Records of an assigned partition not archived yet (high watermark - position).");
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(rk, &parts) == RD_KAFKA_RESP_ERR_NO_ERROR && parts != NULL &&
        rd_kafka_position(rk, parts) == RD_KAFKA_RESP_ERR_NO_ERROR)
        for (int i = 0; i < parts->cnt; i++) {
            const rd_kafka_topic_partition_t *tp = &parts->elems[i];
            int64_t lo = 0, hi = 0;
            if (rd_kafka_get_watermark_offsets(rk, tp->topic, tp->partition, &lo, &hi) != 0)
                continue;
            int64_t pos = tp->offset >= 0 ? tp->offset : lo;
            char ps[16];
            snprintf(ps, sizeof(ps), "%d", (int)tp->partition);
            zs_prom_sample(p, "zengshou_audit_lag_records", hi > pos ? hi - pos : 0, "topic",
                           tp->topic, "partition", ps, NULL);
        }
    if (parts != NULL)
        rd_kafka_topic_partition_list_destroy(parts);
    zs_prom_one(p, "zengshou_audit_resident_memory_bytes", "gauge",
                "Resident memory of the process.", (int64_t)zs_rss_bytes());
    zs_err_t err = zs_metrics_publish(metrics, p);
    if (err != ZS_OK)
        zs_log(ZS_LOG_WARN, "metrics: %s", zs_err2str(err));
}

static int archive(zs_config_t *cfg, const char *topic, const char *db, bool once)
{
    static const zs_kafka_default_t defaults[] = {{"group.id", "zs-audit"},
                                                  {"isolation.level", "read_committed"},
                                                  {"enable.auto.commit", "false"},
                                                  {"auto.offset.reset", "earliest"},
                                                  {"enable.partition.eof", "true"},
                                                  {"partition.assignment.strategy", "range"},
                                                  {NULL, NULL}};
    char errstr[512];
    zs_schemas_t *set = NULL;
    zs_decoder_t *dec = NULL;
    audit_archive_t *a = NULL;
    rd_kafka_t *rk = NULL;
    int rc = 1;
    enum { BATCH = 1000 };
    rd_kafka_message_t *msgs[BATCH];
    size_t n = 0;
    archive_stats_t st = {0};
    zs_metrics_t *metrics = NULL;
    zs_prom_t prom;
    zs_prom_init(&prom);
    if (zs_metrics_start(cfg, &metrics, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        rc = 2;
        goto done;
    }
    if (decoder(cfg, &set, &dec, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_open(db, &a, errstr, sizeof(errstr)) != ZS_OK ||
        zs_kafka_new(cfg, RD_KAFKA_CONSUMER, defaults, &rk, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t kerr = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (kerr) {
        zs_log(ZS_LOG_ERROR, "cannot subscribe to %s: %s", topic, rd_kafka_err2str(kerr));
        goto done;
    }
    /* Partitions read to their end (by partition id), for --once. */
    enum { MAX_PARTITIONS = 4096 };
    static bool at_end[MAX_PARTITIONS];
    bool ok = true;
    while (ok && !stop) {
        archive_metrics(metrics, &prom, rk, &st);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        bool flush_now = m == NULL || n == BATCH - 1;
        if (m != NULL && m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->partition >= 0 && m->partition < MAX_PARTITIONS)
                at_end[m->partition] = true;
            rd_kafka_message_destroy(m);
            m = NULL;
            flush_now = true;
        } else if (m != NULL && m->err) {
            zs_log(ZS_LOG_ERROR, "%s: %s", topic, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            m = NULL;
        } else if (m != NULL) {
            if (m->partition >= 0 && m->partition < MAX_PARTITIONS)
                at_end[m->partition] = false;
            msgs[n++] = m;
        }
        if (!flush_now || n == 0) {
            if (once && n == 0 && m == NULL)
                stop = all_at_end(rk, at_end, MAX_PARTITIONS);
            continue;
        }
        /* Archive first, then commit the offsets: a crash in between only
         * replays records the archive already has. */
        ok = archive_batch(a, dec, msgs, n, &st.added, &st.rejected);
        st.batches += ok;
        st.failed += !ok;
        if (ok && rd_kafka_commit_message(rk, msgs[n - 1], 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new((int)n);
            for (size_t i = 0; i < n; i++)
                rd_kafka_topic_partition_list_add(offs, topic, msgs[i]->partition)->offset =
                    msgs[i]->offset + 1;
            ok = rd_kafka_commit(rk, offs, 0) == RD_KAFKA_RESP_ERR_NO_ERROR;
            rd_kafka_topic_partition_list_destroy(offs);
        }
        for (size_t i = 0; i < n; i++)
            rd_kafka_message_destroy(msgs[i]);
        n = 0;
    }
    for (size_t i = 0; i < n; i++)
        rd_kafka_message_destroy(msgs[i]);
    zs_log(ZS_LOG_INFO, "%s: %" PRIu64 " records archived, %" PRIu64 " not audit records", db,
           st.added, st.rejected);
    rc = ok ? (st.rejected ? 1 : 0) : 1;
done:
    zs_metrics_stop(metrics);
    zs_prom_free(&prom);
    if (rk != NULL) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    audit_archive_close(a);
    zs_decoder_free(dec);
    zs_schemas_free(set);
    return rc;
}

/* ---- sla: escalations (plan item 35) ---- */

/* What zs-audit sla is asked. */
typedef struct sla_opts {
    int64_t now;
    audit_sla_limits_t limits;
    const char *report; /* directory, or NULL */
    audit_sla_lang_t lang;
} sla_opts_t;

/* An escalation to write, and once written its place in the chain. */
typedef struct sla_pending {
    char warning_id[72], household[40], county[8], person[40], rule[24];
    int year, month;
    int64_t opened;
    audit_sla_step_t step;
    audit_sla_due_t due;
    int64_t seq;
    unsigned char hash[ZS_SHA256_SIZE];
} sla_pending_t;

/* A warning overdue now, for the reports. */
typedef struct sla_overdue {
    char county[8], warning_id[72], rule[24], household[40];
    int64_t opened;
    int64_t days[AUDIT_SLA_STEPS];
} sla_overdue_t;

typedef struct sla_run {
    const sla_opts_t *o;
    zs_buf_t pending;  /* sla_pending_t[] */
    zs_buf_t overdue;  /* sla_overdue_t[] */
    zs_buf_t counties; /* char[8][], every county with a warning */
    uint64_t warnings, due;
} sla_run_t;

static zs_err_t sla_one(void *ctx, const audit_warning_t *w, char *errstr, size_t errstr_size)
{
    sla_run_t *r = ctx;
    audit_sla_due_t due[AUDIT_SLA_STEPS] = {{0}};
    audit_sla_check(w->opened, w->followups, w->nfollowups, w->cleared, r->o->now, &r->o->limits,
                    due);
    r->warnings++;
    zs_err_t err = zs_buf_add(&r->counties, w->county, sizeof(w->county));
    sla_overdue_t od = {.opened = w->opened, .days = {-1, -1}};
    bool any = false;
    for (int s = 0; s < AUDIT_SLA_STEPS && err == ZS_OK; s++) {
        if (!due[s].due)
            continue;
        any = true;
        r->due++;
        od.days[s] = audit_sla_days_without(&due[s], w->opened);
        if (w->escalated[s] != 0)
            continue; /* written before: once only */
        sla_pending_t p = {.year = w->year,
                           .month = w->month,
                           .opened = w->opened,
                           .step = (audit_sla_step_t)s,
                           .due = due[s]};
        memcpy(p.warning_id, w->warning_id, sizeof(p.warning_id));
        memcpy(p.household, w->household, sizeof(p.household));
        memcpy(p.county, w->county, sizeof(p.county));
        memcpy(p.person, w->person, sizeof(p.person));
        memcpy(p.rule, w->rule, sizeof(p.rule));
        err = zs_buf_add(&r->pending, &p, sizeof(p));
    }
    if (err == ZS_OK && any) {
        memcpy(od.county, w->county, sizeof(od.county));
        memcpy(od.warning_id, w->warning_id, sizeof(od.warning_id));
        memcpy(od.rule, w->rule, sizeof(od.rule));
        memcpy(od.household, w->household, sizeof(od.household));
        err = zs_buf_add(&r->overdue, &od, sizeof(od));
    }
    return err == ZS_OK ? ZS_OK
                        : zs_fail(errstr, errstr_size, err, "sla: too many warnings to hold");
}

/* Sets field name of rec (through an optional's branch): a string, a number or
 * an enum symbol. */
static int set_field(avro_value_t *rec, const char *name, const char *str, int64_t n)
{
    avro_value_t f, b;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_UNION) {
        if (str == NULL && n < 0)
            return avro_value_set_branch(&f, 0, &b) || avro_value_set_null(&b);
        if (avro_value_set_branch(&f, 1, &b) != 0)
            return -1;
        f = b;
    }
    switch (avro_value_get_type(&f)) {
    case AVRO_STRING:
        return avro_value_set_string(&f, str != NULL ? str : "");
    case AVRO_INT32:
        return avro_value_set_int(&f, (int32_t)n);
    case AVRO_INT64:
        return avro_value_set_long(&f, n);
    case AVRO_ENUM: {
        int sym = avro_schema_enum_get_by_name(avro_value_get_schema(&f), str ? str : "");
        return sym < 0 ? -1 : avro_value_set_enum(&f, sym);
    }
    default:
        return -1;
    }
}

static const char *or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

/* Writes the pending escalations to topic on chain, in order, and waits for
 * them; *written is how many are in Kafka for sure (all of them on success,
 * the first *written otherwise). */
static zs_err_t sla_write(zs_config_t *cfg, const char *topic, zs_encoder_t *enc,
                          zs_audit_chain_t *chain, const char *actor, const sla_opts_t *o,
                          sla_pending_t *p, size_t n, size_t *written, char *errstr,
                          size_t errstr_size)
{
    zs_producer_t *producer = NULL;
    zs_buf_t msg = {0}, detail = {0};
    zs_buf_init(&msg, (size_t)1 << 20);
    zs_buf_init(&detail, 4096);
    *written = 0;
    zs_err_t err = zs_producer_new(cfg, &producer, errstr, errstr_size);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        avro_value_t *v = zs_encoder_value(enc);
        zs_buf_reset(&detail);
        err = audit_sla_detail(p[i].step, p[i].opened, o->limits.ms[p[i].step], &p[i].due, &detail);
        if (err == ZS_OK &&
            (set_field(v, "kind", "ESCALATION", 0) || set_field(v, "actor", actor, 0) ||
             set_field(v, "at", NULL, o->now) || set_field(v, "household_id", p[i].household, 0) ||
             set_field(v, "county_code", or_null(p[i].county), -1) ||
             set_field(v, "person_id", or_null(p[i].person), -1) ||
             set_field(v, "warning_id", p[i].warning_id, 0) ||
             set_field(v, "rule", or_null(p[i].rule), -1) ||
             set_field(v, "year", NULL, p[i].year) || set_field(v, "month", NULL, p[i].month) ||
             set_field(v, "action", audit_sla_step_name(p[i].step), 0) ||
             set_field(v, "detail", detail.data, 0)))
            err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "escalation of %s: %s", p[i].warning_id,
                          avro_strerror());
        if (err == ZS_OK)
            err = zs_audit_chain_append(chain, enc, v, &msg, errstr, errstr_size);
        if (err != ZS_OK)
            break;
        p[i].seq = chain->next_seq - 1;
        memcpy(p[i].hash, chain->prev, ZS_SHA256_SIZE);
        err =
            zs_producer_send(producer, topic, RD_KAFKA_PARTITION_UA, chain->name,
                             strlen(chain->name), msg.data, msg.len, i + 1, 0, errstr, errstr_size);
    }
    if (producer != NULL) {
        char ferr[512] = "";
        zs_err_t flushed = zs_producer_flush(producer, 30000, ferr, sizeof(ferr));
        if (err == ZS_OK && flushed != ZS_OK) {
            err = flushed;
            snprintf(errstr, errstr_size, "%s", ferr);
        }
        uint64_t tag = 0;
        *written = err == ZS_OK ? n : (size_t)zs_producer_done_upto(producer, &tag);
        zs_producer_free(producer);
    }
    zs_buf_free(&msg);
    zs_buf_free(&detail);
    return err;
}

static int cmp_overdue(const void *x, const void *y)
{
    const sla_overdue_t *a = x, *b = y;
    int c = strcmp(a->county, b->county);
    return c != 0 ? c : strcmp(a->warning_id, b->warning_id);
}

static int cmp_county(const void *x, const void *y)
{
    return strcmp(x, y);
}

/* Writes dir/sla-<county>.html for every county with a warning, atomically. */
static zs_err_t sla_reports(zs_config_t *cfg, sla_run_t *r, char *errstr, size_t errstr_size)
{
    const char *data_dir = NULL, *region = NULL;
    zs_county_table_t *counties = NULL;
    char path[4096] = "", tmp[4200] = "";
    if (zs_config_get_str(cfg, "zs.data.dir", &data_dir, errstr, errstr_size) == ZS_OK &&
        zs_config_get_str(cfg, "zs.region", &region, errstr, errstr_size) == ZS_OK) {
        snprintf(path, sizeof(path), "%s/%s-counties.csv", data_dir, region);
        if (zs_county_load(path, &counties, errstr, errstr_size) != ZS_OK)
            zs_log(ZS_LOG_WARN, "reports without county names: %s", errstr);
    }
    if (mkdir(r->o->report, 0755) != 0 && errno != EEXIST) {
        zs_county_table_free(counties);
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", r->o->report, strerror(errno));
    }
    sla_overdue_t *od = (sla_overdue_t *)r->overdue.data;
    size_t nod = r->overdue.len / sizeof(*od), i = 0;
    char(*cs)[8] = (char(*)[8])r->counties.data;
    size_t ncs = r->counties.len / sizeof(*cs);
    if (nod > 0)
        qsort(od, nod, sizeof(*od), cmp_overdue);
    if (ncs > 0)
        qsort(cs, ncs, sizeof(*cs), cmp_county);
    zs_buf_t html = {0}, rows = {0};
    zs_buf_init(&html, (size_t)1 << 28);
    zs_buf_init(&rows, (size_t)1 << 28);
    zs_err_t err = ZS_OK;
    for (size_t c = 0; c < ncs && err == ZS_OK; c++) {
        if ((c > 0 && strcmp(cs[c], cs[c - 1]) == 0) || cs[c][0] == '\0')
            continue;
        zs_buf_reset(&rows);
        zs_buf_reset(&html);
        for (; i < nod && strcmp(od[i].county, cs[c]) < 0; i++)
            ;
        for (; i < nod && strcmp(od[i].county, cs[c]) == 0 && err == ZS_OK; i++) {
            audit_sla_row_t row = {.county = od[i].county,
                                   .warning_id = od[i].warning_id,
                                   .rule = od[i].rule,
                                   .household = od[i].household,
                                   .opened = od[i].opened};
            memcpy(row.days, od[i].days, sizeof(row.days));
            err = zs_buf_add(&rows, &row, sizeof(row));
        }
        const zs_county_t *county = zs_county_find(counties, cs[c], strlen(cs[c]));
        if (err == ZS_OK)
            err = audit_sla_report_html(cs[c], county ? county->name : NULL, r->o->now,
                                        &r->o->limits, (const audit_sla_row_t *)rows.data,
                                        rows.len / sizeof(audit_sla_row_t), r->o->lang, &html);
        if (err != ZS_OK) {
            err = zs_fail(errstr, errstr_size, err, "report of %s: too large", cs[c]);
            break;
        }
        if (!zs_county_code_ok(cs[c])) { /* it would name a file */
            zs_log(ZS_LOG_WARN, "county code \"%.16s\" is not 6 digits: no report for it", cs[c]);
            continue;
        }
        snprintf(path, sizeof(path), "%s/sla-%s.html", r->o->report, cs[c]);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        bool ok = f != NULL && fwrite(html.data, 1, html.len, f) == html.len;
        ok = f != NULL && fclose(f) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) {
            err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
            remove(tmp);
        }
    }
    zs_buf_free(&html);
    zs_buf_free(&rows);
    zs_county_table_free(counties);
    return err;
}

static int sla(zs_config_t *cfg, const char *topic, const char *db, const sla_opts_t *o)
{
    char errstr[512], host[64] = "", name[128], actor[128];
    zs_schemas_t *set = NULL;
    zs_encoder_t *enc = NULL;
    audit_archive_t *a = NULL;
    const char *dir = NULL;
    zs_audit_chain_t chain = {0};
    sla_run_t r = {.o = o};
    size_t written = 0;
    bool locked = false;
    int rc = 1;
    zs_buf_init(&r.pending, (size_t)1 << 30);
    zs_buf_init(&r.overdue, (size_t)1 << 30);
    zs_buf_init(&r.counties, (size_t)1 << 26);
    if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
        snprintf(host, sizeof(host), "localhost");
    snprintf(name, sizeof(name), "zs-audit/sla/%.100s", host);
    snprintf(actor, sizeof(actor), "zs-audit@%.100s", host);
    zs_audit_chain_init(&chain, name);
    const zs_schema_t *schema = NULL;
    if (zs_config_get_str(cfg, "zs.schema.dir", &dir, errstr, sizeof(errstr)) != ZS_OK ||
        zs_schemas_load(dir, &set, errstr, sizeof(errstr)) != ZS_OK ||
        (schema = zs_schemas_latest(set, "AuditRecord")) == NULL ||
        zs_encoder_new(schema, &enc, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_open(db, &a, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_lock(a, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s",
               schema == NULL && set != NULL ? "no AuditRecord schema" : errstr);
        goto done;
    }
    locked = true;
    if (audit_archive_chain_head(a, &chain, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_warnings(a, NULL, sla_one, &r, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    sla_pending_t *p = (sla_pending_t *)r.pending.data;
    size_t n = r.pending.len / sizeof(*p);
    int64_t first_seq = chain.next_seq;
    zs_err_t err = ZS_OK;
    if (n > 0)
        err = sla_write(cfg, topic, enc, &chain, actor, o, p, n, &written, errstr, sizeof(errstr));
    if (err != ZS_OK)
        zs_log(ZS_LOG_ERROR, "%s", errstr);
    /* What is in Kafka is recorded, so that it is never written again and
     * the chain goes on from it. */
    for (size_t i = 0; i < written; i++)
        if (audit_archive_escalated(a, p[i].warning_id, p[i].step, o->now,
                                    audit_sla_overdue_days(&p[i].due), chain.name, p[i].seq,
                                    p[i].hash, errstr, sizeof(errstr)) != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            goto done;
        }
    if (audit_archive_commit(a, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    locked = false;
    printf("%s: %" PRIu64 " warnings, %" PRIu64 " deadlines passed; %zu escalations written", db,
           r.warnings, r.due, written);
    if (written > 0)
        printf(" (%s seq %" PRId64 "-%" PRId64 ")", chain.name, first_seq,
               first_seq + (int64_t)written - 1);
    printf("\n");
    if (err != ZS_OK)
        goto done;
    if (o->report != NULL && sla_reports(cfg, &r, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    rc = 0;
done:
    if (locked)
        audit_archive_rollback(a);
    audit_archive_close(a);
    zs_encoder_free(enc);
    zs_schemas_free(set);
    zs_buf_free(&r.pending);
    zs_buf_free(&r.overdue);
    zs_buf_free(&r.counties);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"once", no_argument, NULL, 'o'},
                                             {"household", required_argument, NULL, 'H'},
                                             {"county", required_argument, NULL, 'C'},
                                             {"quarter", required_argument, NULL, 'Q'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"now", required_argument, NULL, 'N'},
                                             {"ack-days", required_argument, NULL, 'A'},
                                             {"measure-days", required_argument, NULL, 'M'},
                                             {"report", required_argument, NULL, 'R'},
                                             {"lang", required_argument, NULL, 'L'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL;
    bool once = false;
    audit_query_t q = {.format = AUDIT_TABLE};
    /* Plan item 35 and the national checks: ACK in 15 days, MEASURE in 30. */
    sla_opts_t so = {.now = -1,
                     .limits = {.ms = {15 * AUDIT_SLA_DAY_MS, 30 * AUDIT_SLA_DAY_MS}},
                     .lang = AUDIT_SLA_ZH};
    char errstr[512], topic[256] = "";
    zs_config_t *cfg = NULL;
    int rc = 2, c;
    zs_log_init("zs-audit", ZS_LOG_INFO, ZS_LOG_TEXT);
    if (zs_config_describe_if_asked(argc, argv, defs, stdout))
        return 0;
    if (zs_config_new(&cfg, defs, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 2;
    }
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "t:h", longopts, NULL)) != -1) {
        int common = zs_config_take_option(cfg, c, optarg);
        if (common < 0)
            goto done;
        if (common > 0)
            continue;
        if (c == 't') {
            snprintf(topic, sizeof(topic), "%s", optarg);
        } else if (c == 'd') {
            db = optarg;
        } else if (c == 'o') {
            once = true;
        } else if (c == 'H') {
            q.household = optarg;
        } else if (c == 'C') {
            q.county = optarg;
        } else if (c == 'Q') {
            zs_quarter_t quarter;
            if (zs_quarter_parse(optarg, strlen(optarg), &quarter, errstr, sizeof(errstr)) !=
                ZS_OK) {
                zs_log(ZS_LOG_ERROR, "--quarter %s: %s", optarg, errstr);
                goto done;
            }
            q.year = zs_quarter_year(quarter);
            q.quarter = zs_quarter_quarter(quarter);
        } else if (c == 'f') {
            if (strcmp(optarg, "csv") == 0)
                q.format = AUDIT_CSV;
            else if (strcmp(optarg, "json") == 0)
                q.format = AUDIT_JSON;
            else if (strcmp(optarg, "table") != 0) {
                zs_log(ZS_LOG_ERROR, "--format %s: give table, csv or json", optarg);
                goto done;
            }
        } else if (c == 'N') {
            if (zs_time_parse(optarg, strlen(optarg), &so.now, errstr, sizeof(errstr)) != ZS_OK) {
                zs_log(ZS_LOG_ERROR, "--now %s: %s", optarg, errstr);
                goto done;
            }
        } else if (c == 'A' || c == 'M') {
            char *end = NULL;
            errno = 0;
            long days = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || days < 1 || days > 3650) {
                zs_log(ZS_LOG_ERROR, "--%s %s: give whole days, 1 to 3650",
                       c == 'A' ? "ack-days" : "measure-days", optarg);
                goto done;
            }
            so.limits.ms[c == 'A' ? AUDIT_SLA_ACK : AUDIT_SLA_MEASURE] = days * AUDIT_SLA_DAY_MS;
        } else if (c == 'R') {
            so.report = optarg;
        } else if (c == 'L') {
            if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "en") != 0) {
                zs_log(ZS_LOG_ERROR, "--lang %s: give zh or en", optarg);
                goto done;
            }
            so.lang = strcmp(optarg, "en") == 0 ? AUDIT_SLA_EN : AUDIT_SLA_ZH;
        } else if (c == 'h') {
            fputs(usage, stdout);
            rc = 0;
            goto done;
        } else {
            fputs(usage, stderr);
            goto done;
        }
    }
    if (zs_config_apply_logging(cfg, "zs-audit", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    const char *what = optind == argc - 1 ? argv[optind] : "";
    if (strcmp(what, "verify") != 0 && strcmp(what, "archive") != 0 && strcmp(what, "query") != 0 &&
        strcmp(what, "sla") != 0) {
        fputs(usage, stderr);
        goto done;
    }
    const char *prefix = NULL;
    if (topic[0] == '\0') {
        if (zs_config_get_str(cfg, "zs.topic.prefix", &prefix, errstr, sizeof(errstr)) != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            goto done;
        }
        zs_topic_name(prefix, "audit", topic, sizeof(topic));
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (strcmp(what, "query") == 0 && (q.household == NULL) == (q.county == NULL)) {
        zs_log(ZS_LOG_ERROR, "query: give --household or --county (one of them)");
        goto done;
    }
    if (db == NULL && strcmp(what, "verify") != 0 &&
        zs_config_get_str(cfg, "zs.audit.db", &db, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (so.now < 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        so.now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    if (strcmp(what, "query") == 0)
        rc = query(db, &q);
    else if (strcmp(what, "sla") == 0)
        rc = sla(cfg, topic, db, &so);
    else if (strcmp(what, "archive") == 0)
        rc = archive(cfg, topic, db, once);
    else
        rc = db != NULL ? verify_archive(cfg, db) : verify(cfg, topic);
done:
    zs_config_destroy(cfg);
    return rc;
}
