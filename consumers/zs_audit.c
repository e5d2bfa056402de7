/* zs_audit.c: zs-audit, the supervisors' side of the audit trail: `archive`
 * keeps every audit record in SQLite, `verify` follows every hash chain (of
 * the topic, or of the archive) and names each broken link. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_archive.h"
#include "zs_audit.h"
#include "zs_kafka.h"
#include "zs_config.h"
#include "zs_log.h"
#include "zs_period.h"
#include "zs_scan.h"
#include "zs_topics.h"

static const char usage[] =
    "usage: zs-audit archive [--db FILE] [--once] [-b HOST:PORT] [-t TOPIC] [-X KEY=VALUE]\n"
    "       zs-audit verify [--db FILE] [-b HOST:PORT] [-t TOPIC] [-X KEY=VALUE] [-F FILE]\n"
    "       zs-audit query [--db FILE] (--household ID | --county CODE [--quarter YYYYQN])\n"
    "                      [--format table|csv|json]\n"
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
    "query   prints from the archive one household's whole history, or a county's\n"
    "        records (of a quarter), in time order.\n";

static const zs_config_def_t defs[] = {
    {.name = "zs.audit.db",
     .type = ZS_CONFIG_STRING,
     .dflt = "zs-audit.db",
     .doc = "The SQLite archive of the audit trail."},
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
    uint64_t rows = 0;
    int rc = 1;
    if (audit_archive_open(db, &a, errstr, sizeof(errstr)) != ZS_OK ||
        audit_archive_query(a, q, stdout, &rows, errstr, sizeof(errstr)) != ZS_OK)
        zs_log(ZS_LOG_ERROR, "%s", errstr);
    else
        rc = 0;
    if (rc == 0 && q->format == AUDIT_TABLE)
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
    uint64_t added = 0, rejected = 0;
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
        ok = archive_batch(a, dec, msgs, n, &added, &rejected);
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
           added, rejected);
    rc = ok ? (rejected ? 1 : 0) : 1;
done:
    if (rk != NULL) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    audit_archive_close(a);
    zs_decoder_free(dec);
    zs_schemas_free(set);
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
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL;
    bool once = false;
    audit_query_t q = {.format = AUDIT_TABLE};
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
    if (strcmp(what, "verify") != 0 && strcmp(what, "archive") != 0 && strcmp(what, "query") != 0) {
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
    if (strcmp(what, "query") == 0)
        rc = query(db, &q);
    else if (strcmp(what, "archive") == 0)
        rc = archive(cfg, topic, db, once);
    else
        rc = db != NULL ? verify_archive(cfg, db) : verify(cfg, topic);
done:
    zs_config_destroy(cfg);
    return rc;
}
