/* desk_feed.c: zs-desk's read model fed from zs.warnings, zs.followup,
 * zs.audit and zs.household (consumers/DESK.md, "Read model"). Partitions are assigned, not
 * subscribed: each starts at the next offset stored in SQLite, and every
 * batch of rows is committed in one SQLite transaction together with the
 * offsets after it, so a crash at any moment neither loses nor doubles a
 * record. Kafka's committed offsets are not used. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "desk_server.h"
#include "zs_avro.h"
#include "zs_kafka.h"
#include "zs_log.h"
#include "zs_topics.h"

/* The fetch and queue settings are zs-monitor's (and bench_consume's, the
 * baseline of tests/bench/desk_bench.sh): keep them equal. */
static const zs_kafka_default_t consumer_defaults[] = {{"group.id", "zs-desk"},
                                                       {"queued.min.messages", "1000000"},
                                                       {"queued.max.messages.kbytes", "262144"},
                                                       {"fetch.max.bytes", "52428800"},
                                                       {"isolation.level", "read_committed"},
                                                       {"enable.auto.commit", "false"},
                                                       {"enable.auto.offset.store", "false"},
                                                       {"enable.partition.eof", "true"},
                                                       {"auto.offset.reset", "earliest"},
                                                       {NULL, NULL}};

/* How many records, or how long, one SQLite transaction takes at most. */
enum { BATCH_RECORDS = 20000, BATCH_MS = 200 };

/* One feed: a consumer, a decoder and a database connection. */
typedef struct feed {
    rd_kafka_t *rk;
    zs_decoder_t *dec;
    desk_store_t *st;
    rd_kafka_topic_partition_list_t *next; /* next offsets of the open batch */
    rd_kafka_topic_partition_list_t *eof;  /* partitions read to their end, none read since */
    size_t in_batch;
    int64_t batch_start;
    uint64_t applied, skipped;
    int partitions;
} feed_t;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *str_field(avro_value_t *v, const char *name)
{
    avro_value_t f;
    const char *s = NULL;
    size_t len;
    if (zs_avro_field(v, name, &f) != 0 || avro_value_get_string(&f, &s, &len) != 0)
        return NULL;
    return s;
}

static int64_t long_field(avro_value_t *v, const char *name, int64_t dflt)
{
    avro_value_t f;
    int64_t l;
    int32_t i;
    int e;
    if (zs_avro_field(v, name, &f) != 0)
        return dflt;
    switch (avro_value_get_type(&f)) {
    case AVRO_INT64:
        return avro_value_get_long(&f, &l) == 0 ? l : dflt;
    case AVRO_INT32:
        return avro_value_get_int(&f, &i) == 0 ? i : dflt;
    case AVRO_ENUM:
        return avro_value_get_enum(&f, &e) == 0 ? e : dflt;
    default:
        return dflt;
    }
}

/* The AuditKind symbol of an audit record. */
static const char *audit_kind(avro_value_t *v)
{
    avro_value_t f;
    int e;
    if (zs_avro_field(v, "kind", &f) != 0 || avro_value_get_enum(&f, &e) != 0)
        return NULL;
    return avro_schema_enum_get(avro_value_get_schema(&f), e);
}

/* Applies one message; false only for a database failure (the batch is
 * then rolled back). A message that does not decode or is not for us is
 * logged with its coordinates and skipped: zs-desk is a reader, the
 * topics' own checks (zs-audit verify, the dead-letter topic) own them. */
static bool apply(feed_t *fd, const rd_kafka_message_t *m, char *errstr, size_t errstr_size)
{
    const zs_schema_t *reader;
    avro_value_t *v;
    const char *topic = rd_kafka_topic_name(m->rkt);
    if (zs_decoder_decode(fd->dec, m->payload, m->len, &reader, &v, errstr, errstr_size) != ZS_OK) {
        zs_log(ZS_LOG_WARN, "%s [%" PRId32 "] offset %" PRId64 ": skipped: %s", topic, m->partition,
               m->offset, errstr);
        fd->skipped++;
        return true;
    }
    const char *name = zs_schema_name(reader);
    zs_err_t err = ZS_OK;
    if (strcmp(name, "zengshou.Warning") == 0) {
        notify_warning_t w;
        char src[200];
        if (notify_warning_from_avro(v, &w, errstr, errstr_size) != ZS_OK) {
            zs_log(ZS_LOG_WARN, "%s [%" PRId32 "] offset %" PRId64 ": skipped: %s", topic,
                   m->partition, m->offset, errstr);
            fd->skipped++;
            return true;
        }
        snprintf(src, sizeof(src), "%s/%" PRId32 "/%" PRId64, topic, m->partition, m->offset);
        err = desk_store_apply_warning(fd->st, &w, src, errstr, errstr_size);
    } else if (strcmp(name, "zengshou.FollowUp") == 0) {
        desk_followup_t f = {.event_id = str_field(v, "event_id"),
                             .household_id = str_field(v, "household_id"),
                             .warning_id = str_field(v, "warning_id"),
                             .note = str_field(v, "note"),
                             .officer_id = str_field(v, "officer_id"),
                             .action = (desk_action_t)long_field(v, "action", 0),
                             .measure = (desk_measure_t)long_field(v, "measure", -1),
                             .at = long_field(v, "at", 0)};
        if (f.event_id == NULL || f.warning_id == NULL) {
            fd->skipped++;
            return true;
        }
        err = desk_store_apply_followup(fd->st, &f, errstr, errstr_size);
    } else if (strcmp(name, "zengshou.Household") == 0) {
        const char *id = str_field(v, "household_id"), *county = str_field(v, "county_code");
        if (id == NULL || county == NULL) {
            fd->skipped++;
            return true;
        }
        err = desk_store_apply_household(fd->st, id, county, str_field(v, "township"),
                                         str_field(v, "village"), errstr, errstr_size);
    } else if (strcmp(name, "zengshou.AuditRecord") == 0) {
        const char *wid = str_field(v, "warning_id"), *kind = audit_kind(v);
        if (wid != NULL && kind != NULL) {
            char detail[200];
            snprintf(detail, sizeof(detail), "%s",
                     str_field(v, "detail") ? str_field(v, "detail") : "");
            err = desk_store_apply_audit(fd->st, wid, str_field(v, "household_id"), kind,
                                         str_field(v, "actor"), detail, long_field(v, "at", 0),
                                         str_field(v, "chain"), long_field(v, "seq", -1), errstr,
                                         errstr_size);
        }
    }
    if (err != ZS_OK)
        return false;
    fd->applied++;
    return true;
}

/* Commits the open batch with the offsets after it. */
static bool commit(feed_t *fd, char *errstr, size_t errstr_size)
{
    if (fd->in_batch == 0)
        return true;
    for (int i = 0; i < fd->next->cnt; i++) {
        rd_kafka_topic_partition_t *p = &fd->next->elems[i];
        if (desk_store_set_offset(fd->st, p->topic, p->partition, p->offset, errstr, errstr_size) !=
            ZS_OK)
            return false;
    }
    if (desk_store_commit(fd->st, errstr, errstr_size) != ZS_OK)
        return false;
    rd_kafka_topic_partition_list_destroy(fd->next);
    fd->next = rd_kafka_topic_partition_list_new(16);
    fd->in_batch = 0;
    return true;
}

/* Sets up fd and assigns every partition of the topics, each at its
 * stored next offset (the beginning when none is stored). */
static zs_err_t feed_open(feed_t *fd, const zs_config_t *cfg, const zs_schemas_t *schemas,
                          const char *db, const char *const *topics, size_t ntopics, char *errstr,
                          size_t errstr_size)
{
    zs_err_t err = desk_store_open(db, &fd->st, errstr, errstr_size);
    err = err ? err : zs_decoder_new(schemas, &fd->dec, errstr, errstr_size);
    err =
        err ? err
            : zs_kafka_new(cfg, RD_KAFKA_CONSUMER, consumer_defaults, &fd->rk, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    rd_kafka_poll_set_consumer(fd->rk);
    fd->next = rd_kafka_topic_partition_list_new(16);
    fd->eof = rd_kafka_topic_partition_list_new(16);
    rd_kafka_topic_partition_list_t *asg = rd_kafka_topic_partition_list_new(64);
    for (size_t t = 0; err == ZS_OK && t < ntopics; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(fd->rk, topics[t], NULL);
        const rd_kafka_metadata_t *md = NULL;
        rd_kafka_resp_err_t kerr = rd_kafka_metadata(fd->rk, 0, rkt, &md, 10000);
        if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err) {
            err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "%s: no metadata: %s", topics[t],
                          rd_kafka_err2str(kerr ? kerr : md->topics[0].err));
        } else {
            for (int p = 0; p < md->topics[0].partition_cnt; p++) {
                int32_t id = md->topics[0].partitions[p].id;
                int64_t next = desk_store_offset(fd->st, topics[t], id);
                rd_kafka_topic_partition_list_add(asg, topics[t], id)->offset =
                    next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
            }
        }
        if (md != NULL)
            rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }
    fd->partitions = asg->cnt;
    if (err == ZS_OK && rd_kafka_assign(fd->rk, asg) != RD_KAFKA_RESP_ERR_NO_ERROR)
        err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot assign partitions");
    rd_kafka_topic_partition_list_destroy(asg);
    return err;
}

static void feed_close(feed_t *fd)
{
    if (fd->rk != NULL) {
        rd_kafka_consumer_close(fd->rk);
        rd_kafka_destroy(fd->rk);
    }
    if (fd->next != NULL)
        rd_kafka_topic_partition_list_destroy(fd->next);
    if (fd->eof != NULL)
        rd_kafka_topic_partition_list_destroy(fd->eof);
    zs_decoder_free(fd->dec);
    desk_store_close(fd->st);
}

/* One poll: applies a message or notes an end of partition, committing the
 * batch when it is full or old. false on a failure (logged). */
static bool feed_step(feed_t *fd, int timeout_ms)
{
    char errstr[512];
    rd_kafka_message_t *m = rd_kafka_consumer_poll(fd->rk, timeout_ms);
    bool ok = true;
    if (m != NULL && m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (!rd_kafka_topic_partition_list_find(fd->eof, rd_kafka_topic_name(m->rkt), m->partition))
            rd_kafka_topic_partition_list_add(fd->eof, rd_kafka_topic_name(m->rkt), m->partition);
    } else if (m != NULL && m->err) {
        zs_log(ZS_LOG_WARN, "consumer: %s", rd_kafka_message_errstr(m));
    } else if (m != NULL) {
        if (fd->in_batch == 0) {
            ok = desk_store_begin(fd->st, errstr, sizeof(errstr)) == ZS_OK;
            fd->batch_start = mono_ms();
        }
        ok = ok && apply(fd, m, errstr, sizeof(errstr));
        rd_kafka_topic_partition_list_del(fd->eof, rd_kafka_topic_name(m->rkt), m->partition);
        if (ok) {
            rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(
                fd->next, rd_kafka_topic_name(m->rkt), m->partition);
            if (p == NULL)
                p = rd_kafka_topic_partition_list_add(fd->next, rd_kafka_topic_name(m->rkt),
                                                      m->partition);
            p->offset = m->offset + 1;
            fd->in_batch++;
        }
    }
    if (m != NULL)
        rd_kafka_message_destroy(m);
    if (ok && fd->in_batch > 0 &&
        (fd->in_batch >= BATCH_RECORDS || mono_ms() - fd->batch_start >= BATCH_MS || m == NULL))
        ok = commit(fd, errstr, sizeof(errstr));
    if (!ok) {
        zs_log(ZS_LOG_ERROR, "read model: %s", errstr);
        desk_store_rollback(fd->st);
    }
    return ok;
}

static void *feed_main(void *arg)
{
    desk_server_t *srv = arg;
    char errstr[512];
    feed_t fd = {0};
    const char *topics[] = {srv->topic_warnings, srv->topic_followup, srv->topic_audit,
                            srv->topic_household};
    if (feed_open(&fd, srv->cfg, srv->schemas, srv->db_path, topics, 4, errstr, sizeof(errstr)) !=
        ZS_OK) {
        zs_log(ZS_LOG_ERROR, "read model: %s", errstr);
        srv->feed_rc = 1;
        *srv->stop = 1;
        goto done;
    }
    srv->feed_ready = 1;
    while (!*srv->stop)
        if (!feed_step(&fd, 100)) {
            srv->feed_rc = 1;
            *srv->stop = 1;
        }
    if (srv->feed_rc == 0 && !commit(&fd, errstr, sizeof(errstr)))
        srv->feed_rc = 1;
done:
    feed_close(&fd);
    return NULL;
}

zs_err_t desk_feed_start(desk_server_t *srv, char *errstr, size_t errstr_size)
{
    if (pthread_create(&srv->feed_thread, NULL, feed_main, srv) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "cannot start the feed thread");
    srv->feed_started = true;
    return ZS_OK;
}

int desk_feed_join(desk_server_t *srv)
{
    if (srv->feed_started)
        pthread_join(srv->feed_thread, NULL);
    srv->feed_started = false;
    return srv->feed_rc;
}

zs_err_t desk_feed_sync(const zs_config_t *cfg, const zs_schemas_t *schemas, const char *db,
                        uint64_t *records, char *errstr, size_t errstr_size)
{
    feed_t fd = {0};
    char names[4][128];
    const char *prefix = "zs.";
    zs_config_get_str(cfg, "zs.topic.prefix", &prefix, NULL, 0);
    zs_topic_name(prefix, "warnings", names[0], sizeof(names[0]));
    zs_topic_name(prefix, "followup", names[1], sizeof(names[1]));
    zs_topic_name(prefix, "audit", names[2], sizeof(names[2]));
    zs_topic_name(prefix, "household", names[3], sizeof(names[3]));
    const char *topics[] = {names[0], names[1], names[2], names[3]};
    zs_err_t err = feed_open(&fd, cfg, schemas, db, topics, 4, errstr, errstr_size);
    /* Until every partition has reported its end with nothing read after. */
    while (err == ZS_OK && (fd.eof == NULL || fd.eof->cnt < fd.partitions || fd.in_batch > 0))
        if (!feed_step(&fd, 1000))
            err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "read model: see the log");
    *records = fd.applied;
    feed_close(&fd);
    return err;
}
