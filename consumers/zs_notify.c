/* zs_notify.c: zs-notify, the consumer group that delivers every warning
 * record of zs.warnings to its county's channel only (an HTTP webhook or an
 * outbox directory, consumers/NOTIFY.md), at least once, with retries, a dead
 * letter and an audit record when a channel keeps failing.
 *
 * One thread. Each channel (a distinct webhook URL or outbox directory of the
 * route file) has its own FIFO queue and at most one delivery in flight, all
 * webhooks driven together by one curl multi handle; so a channel that fails
 * or hangs waits alone in its backoff while the others go on. Why queues per
 * channel rather than parking a failing record and reading on: it keeps the
 * records of one county in order (OPEN before UPDATED before CLEARED), and
 * one failing county cannot hold up the others until its queue has grown to
 * zs.notify.max.pending records (then consumption pauses). Offsets are
 * committed per partition up to the first record not yet delivered or
 * dead-lettered, after the audit records and dead letters written so far are
 * flushed.
 *
 * `zs-notify report` writes the per-county HTML reports (notify_report.c)
 * from a group-less read of the whole warnings topic; the daemon keeps that
 * read as a view (notify_view.c), refreshes it from where it stopped every
 * zs.notify.report.interval and rewrites the reports of the counties that
 * changed, in a thread of its own so that deliveries go on meanwhile. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "notify_report.h"
#include "notify_route.h"
#include "notify_view.h"
#include "zs_metrics.h"
#include "zs_audit.h"
#include "zs_avro.h"
#include "zs_avrojson.h"
#include "zs_codec.h"
#include "zs_config.h"
#include "zs_county.h"
#include "zs_kafka.h"
#include "zs_log.h"
#include "zs_producer.h"
#include "zs_scan.h"
#include "zs_topics.h"

static const char usage[] =
    "usage: zs-notify -b HOST:PORT -X zs.notify.routes=FILE [options]\n"
    "       zs-notify report --county CODE|all [--out DIR] [--lang zh|en] -b HOST:PORT\n"
    "\n"
    "Consumes the warnings topic as a member of the consumer group zs-notify and\n"
    "delivers each warning record to its county's channel (route file: webhook\n"
    "or outbox), retrying with backoff; a record a channel keeps refusing, or\n"
    "one whose county has no route, goes to the dead-letter topic; every\n"
    "outcome is an audit record. Offsets are committed only past records that\n"
    "were delivered or dead-lettered (at least once).\n"
    "\n"
    "  -b HOST:PORT       bootstrap servers (same as -X bootstrap.servers=...)\n"
    "  -X KEY=VALUE       a zs.* property (zs.notify.*) or a librdkafka property\n"
    "  -F FILE            read properties from a key=value file\n"
    "  --routes FILE      the route file (same as -X zs.notify.routes=FILE)\n"
    "  --check-routes     check the route file (and outbox directories) and exit\n"
    "  --exit-idle MS     exit 0 once partitions were assigned and read to the end the\n"
    "                     broker reports now,\n"
    "                     nothing has arrived for MS milliseconds, every record read\n"
    "                     is delivered or dead-lettered and committed (batch runs,\n"
    "                     tests)\n"
    "  --describe-config  print every property it reads, with its default, and exit\n"
    "                     (--describe-config=markdown: as a table)\n"
    "  -h, --help         this text\n"
    "\n"
    "report: reads the whole warnings topic (read_committed, no consumer group) and\n"
    "writes DIR/CODE.html, the county's report (open warnings with their evidence,\n"
    "counts, income trend, warnings cleared); --county all writes one per county\n"
    "with warnings and DIR/index.html. CODE may be a comma-separated list.\n"
    "  --out DIR          where to write (default zs.notify.report.dir, else ./reports)\n"
    "  --lang zh|en       language (default zs.notify.report.lang: zh)\n"
    "\n"
    "Exit status: 0 stopped cleanly (SIGINT, SIGTERM, --exit-idle) or reports\n"
    "written; 1 an error (Kafka, an audit record, dead letter or report not\n"
    "written); 2 bad usage or configuration (a bad route file, a missing outbox\n"
    "directory or topic, a county not in the region).\n";

static const zs_config_def_t defs[] = {
    {.name = "zs.notify.routes",
     .type = ZS_CONFIG_STRING,
     .dflt = NULL,
     .env = "ZS_NOTIFY_ROUTES",
     .doc = "The route file: lines COUNTY CHANNEL TARGET (consumers/NOTIFY.md)."},
    {.name = "zs.notify.group",
     .type = ZS_CONFIG_STRING,
     .dflt = "zs-notify",
     .doc = "Consumer group id."},
    {.name = "zs.notify.instance",
     .type = ZS_CONFIG_STRING,
     .dflt = NULL,
     .env = "ZS_NOTIFY_INSTANCE",
     .doc = "This instance's name in audit chains and dead letters (default: the host name)."},
    {.name = "zs.notify.retry.initial",
     .type = ZS_CONFIG_MS,
     .dflt = "1s",
     .min = "1ms",
     .max = "1h",
     .doc = "Delay before the first retry; doubled each time (with jitter)."},
    {.name = "zs.notify.retry.max",
     .type = ZS_CONFIG_MS,
     .dflt = "5m",
     .min = "1ms",
     .max = "1d",
     .doc = "Longest delay between retries."},
    {.name = "zs.notify.retry.budget",
     .type = ZS_CONFIG_MS,
     .dflt = "1h",
     .min = "0",
     .max = "30d",
     .doc = "How long a record may wait for its channel, from when it was read; then "
            "dead-lettered."},
    {.name = "zs.notify.http.timeout",
     .type = ZS_CONFIG_MS,
     .dflt = "30s",
     .min = "100ms",
     .max = "10m",
     .doc = "Longest time one webhook request may take."},
    {.name = "zs.notify.http.ca",
     .type = ZS_CONFIG_STRING,
     .dflt = NULL,
     .doc = "A CA bundle for webhook TLS (default: the system's); verification is always on."},
    {.name = "zs.notify.max.pending",
     .type = ZS_CONFIG_INT,
     .dflt = "100000",
     .min = "1",
     .max = "10000000",
     .doc = "Records read but not yet delivered above which consumption pauses."},
    {.name = "zs.notify.commit.interval",
     .type = ZS_CONFIG_MS,
     .dflt = "1s",
     .min = "1ms",
     .max = "10m",
     .doc = "How often delivered offsets are committed."},
    {.name = "zs.notify.report.dir",
     .type = ZS_CONFIG_STRING,
     .dflt = NULL,
     .doc = "Where the per-county HTML reports go (CODE.html); unset: the daemon writes none."},
    {.name = "zs.notify.report.interval",
     .type = ZS_CONFIG_MS,
     .dflt = "1h",
     .min = "0",
     .max = "30d",
     .doc = "How often the daemon reads the warnings written since its last run and rewrites "
            "the reports of the counties that changed; 0 never."},
    {.name = "zs.notify.report.lang",
     .type = ZS_CONFIG_ENUM,
     .dflt = "zh",
     .values = "zh|en",
     .doc = "Language of the reports: zh (Chinese, the plan's words) or en."},
    ZS_METRICS_CONFIG_DEF,
    ZS_CONFIG_DEFS_END,
};

#define MAX_PARTITIONS 1024
#define KEY_MAX        96

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

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One warning record read and not yet passed by its partition's commit. It
 * owns its Kafka message. */
typedef struct job {
    rd_kafka_message_t *rkm;
    struct job *pnext; /* next record of the partition, in offset order */
    struct job *cnext; /* next record of the channel's queue */
    bool done;         /* delivered or dead-lettered (and its audit record sent) */
    int attempts;
    int64_t deadline; /* mono ms: the budget runs out */
    int64_t received; /* mono ms */
    char key[KEY_MAX];
    char warning_id[72], household[40], county[16], person[40];
    bool has_person;
    const char *rule, *status; /* symbols, owned by the schema */
    int year, month;
    char *body; /* the record in Avro's JSON encoding, owned */
    size_t body_len;
    unsigned char digest[ZS_SHA256_SIZE]; /* SHA-256 of body */
} job_t;

/* One channel: a distinct webhook URL or outbox directory. */
typedef struct channel {
    const notify_route_t *route; /* the first route naming it (kind, target, origin) */
    char display[NOTIFY_TARGET_MAX];
    job_t *head, *tail;
    size_t queued;
    bool busy;       /* a webhook request in flight */
    bool down;       /* a record ran out of budget and none succeeded since */
    int64_t next_at; /* mono ms: no attempt before */
    CURL *easy;      /* webhooks: reused, so the connection is kept */
    struct curl_slist *headers;
    char curl_error[CURL_ERROR_SIZE];
    char last_error[256];
    uint64_t sent, dead, retries;
} channel_t;

/* A report run in a thread of its own: the daemon's periodic refresh of its
 * view of the warnings topic (notify_view.c: only the records written since
 * the last run are read) and regeneration of the reports of the counties
 * that changed. */
typedef struct report_run {
    pthread_t thread;
    bool running;               /* started and not yet joined */
    atomic_bool done;           /* set by the thread as its last act */
    volatile sig_atomic_t stop; /* set to abandon the read (teardown) */
    const zs_config_t *cfg;
    const zs_county_table_t *counties;
    const char *dir;
    notify_lang_t lang;
    notify_view_t *view; /* kept from run to run; only the running run touches it */
    char shown[1024];    /* the counties written, comma-separated (cut), for the log */
    long read;           /* records read by the last refresh */
    zs_err_t err;
    size_t written;
    char errstr[1024];
} report_run_t;

/* One partition of the warnings topic. */
typedef struct part {
    bool assigned;
    bool at_end;        /* read to its end (a partition EOF since its last record) */
    job_t *head, *tail; /* records read, in offset order, until passed by done_upto */
    int64_t done_upto;  /* every record before this offset is done; -1 none yet */
    int64_t committed;  /* the offset last committed; -1 none */
    bool has_chain;
    zs_audit_chain_t chain;
} part_t;

/* Why a record went to the dead-letter topic, for the metrics. */
enum { DEAD_UNDECODABLE, DEAD_NO_ROUTE, DEAD_CHANNEL_FAILED, DEAD_REASONS };
static const char *const dead_reasons[DEAD_REASONS] = {"undecodable", "no_route", "channel_failed"};

typedef struct notify {
    zs_config_t *cfg;
    notify_routes_t *routes;
    zs_county_table_t *counties;
    channel_t *channels;
    size_t nchannels;
    zs_schemas_t *schemas;
    zs_decoder_t *dec;
    zs_encoder_t *audit_enc, *dead_enc;
    const zs_schema_t *audit_schema;
    zs_producer_t *producer;
    uint64_t items; /* items sent with the producer */
    rd_kafka_t *consumer;
    CURLM *multi;
    char warnings_topic[128], audit_topic[128], dead_topic[128];
    char instance[128], actor[160];
    int64_t run_started; /* UTC ms, names this run's audit chains */
    part_t parts[MAX_PARTITIONS];
    int32_t nparts;
    zs_buf_t msg, json, detail;
    int64_t retry_initial, retry_max, budget, http_timeout, commit_ms, max_pending;
    const char *ca;
    size_t pending; /* jobs held */
    bool paused;
    uint64_t rng;
    /* counters */
    uint64_t received, sent, dead, unrouted;
    uint64_t dead_by[DEAD_REASONS]; /* dead letters by reason (dead_reasons) */
    zs_metrics_t *metrics;          /* NULL: zs.metrics.listen unset */
    zs_prom_t prom;
    int64_t last_metrics;
    int64_t last_input, last_commit, exit_idle;
    bool assigned_once;
    int fatal; /* exit status when set */
    /* reports (zs.notify.report.*) */
    const char *report_dir; /* NULL: none */
    int64_t report_interval, last_report;
    notify_lang_t report_lang;
    bool *delivered; /* per county of m->counties (zs_county_at order): delivered to since the
                        last report */
    size_t ndelivered;
    report_run_t report;
} notify_t;

/* ---- Avro helpers ---- */

/* Copies a string field into out; false if missing, null or too long. */
static bool get_str(avro_value_t *rec, const char *name, char *out, size_t size)
{
    avro_value_t f;
    const char *s = NULL;
    size_t n = 0;
    if (zs_avro_field(rec, name, &f) != 0 || avro_value_get_string(&f, &s, &n) != 0 || n == 0 ||
        n > size)
        return false;
    memcpy(out, s, n); /* n counts the NUL */
    return true;
}

static bool get_int(avro_value_t *rec, const char *name, int *out)
{
    avro_value_t f;
    int32_t i = 0;
    if (zs_avro_field(rec, name, &f) != 0 || avro_value_get_int(&f, &i) != 0)
        return false;
    *out = i;
    return true;
}

/* The symbol of an enum field, owned by the schema. */
static const char *get_enum(avro_value_t *rec, const char *name)
{
    avro_value_t f;
    int sym = 0;
    if (zs_avro_field(rec, name, &f) != 0 || avro_value_get_enum(&f, &sym) != 0)
        return NULL;
    return avro_schema_enum_get(avro_value_get_schema(&f), sym);
}

/* Sets an enum field (a union's non-null branch) by symbol. */
static int set_enum(avro_value_t *rec, const char *name, const char *symbol)
{
    avro_value_t f, b;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_UNION) {
        if (avro_value_set_branch(&f, 1, &b) != 0)
            return -1;
        f = b;
    }
    int sym = avro_schema_enum_get_by_name(avro_value_get_schema(&f), symbol);
    return sym < 0 ? -1 : avro_value_set_enum(&f, sym);
}

/* ---- audit records and dead letters ---- */

static zs_err_t produce(notify_t *m, const char *topic, const void *key, size_t key_len,
                        char *errstr, size_t errstr_size)
{
    m->items++;
    return zs_producer_send(m->producer, topic, RD_KAFKA_PARTITION_UA, key, key_len, m->msg.data,
                            m->msg.len, m->items, 0, errstr, errstr_size);
}

/* Appends a NOTIFICATION_SENT or NOTIFICATION_FAILED record about job to
 * its partition's chain (zs-notify/<instance>/p<partition>/<run start>). */
static zs_err_t audit(notify_t *m, job_t *job, const char *kind, const char *detail, char *errstr,
                      size_t errstr_size)
{
    part_t *pt = &m->parts[job->rkm->partition];
    if (!pt->has_chain) {
        char name[128];
        snprintf(name, sizeof(name), "zs-notify/%.60s/p%" PRId32 "/%" PRId64, m->instance,
                 job->rkm->partition, m->run_started);
        zs_audit_chain_init(&pt->chain, name);
        pt->has_chain = true;
    }
    avro_value_t *v = zs_encoder_value(m->audit_enc), f, src;
    bool ok = set_enum(v, "kind", kind) == 0 && zs_avro_set_str(v, "actor", m->actor) == 0 &&
              zs_avro_set_num(v, "at", now_ms()) == 0 && zs_avro_set_str(v, "detail", detail) == 0;
    if (ok && job->warning_id[0] != '\0')
        ok = zs_avro_set_str(v, "household_id", job->household) == 0 &&
             zs_avro_set_str(v, "county_code", job->county) == 0 &&
             zs_avro_set_str(v, "person_id", job->has_person ? job->person : NULL) == 0 &&
             zs_avro_set_str(v, "warning_id", job->warning_id) == 0 &&
             set_enum(v, "rule", job->rule) == 0 && zs_avro_set_num(v, "year", job->year) == 0 &&
             zs_avro_set_num(v, "month", job->month) == 0;
    if (ok && job->body != NULL) {
        avro_value_t b;
        ok = avro_value_get_by_name(v, "digest", &f, NULL) == 0 &&
             avro_value_set_branch(&f, 1, &b) == 0 &&
             avro_value_set_fixed(&b, job->digest, ZS_SHA256_SIZE) == 0;
    }
    ok = ok && avro_value_get_by_name(v, "source", &f, NULL) == 0 &&
         avro_value_set_branch(&f, 1, &src) == 0 && zs_codec_null_optionals(&src) == ZS_OK &&
         zs_avro_set_str(&src, "topic", m->warnings_topic) == 0 &&
         zs_avro_set_num(&src, "partition", job->rkm->partition) == 0 &&
         zs_avro_set_num(&src, "offset", job->rkm->offset) == 0;
    if (!ok)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
    zs_err_t err = zs_audit_chain_append(&pt->chain, m->audit_enc, v, &m->msg, errstr, errstr_size);
    return err != ZS_OK ? err
                        : produce(m, m->audit_topic, pt->chain.name, strlen(pt->chain.name), errstr,
                                  errstr_size);
}

/* The record of job to the dead-letter topic, as it was read. */
static zs_err_t dead_letter(notify_t *m, job_t *job, const char *reason, const char *error,
                            char *errstr, size_t errstr_size)
{
    const rd_kafka_message_t *rkm = job->rkm;
    avro_value_t *v = zs_encoder_value(m->dead_enc);
    if (zs_avro_set_str(v, "reason", reason) || zs_avro_set_str(v, "error", error) ||
        zs_avro_set_str(v, "producer", m->actor) || zs_avro_set_num(v, "at", now_ms()) ||
        zs_avro_set_str(v, "source_topic", m->warnings_topic) ||
        zs_avro_set_num(v, "source_partition", rkm->partition) ||
        zs_avro_set_num(v, "source_offset", rkm->offset) ||
        zs_avro_set_bytes(v, "key", rkm->key, rkm->key != NULL ? rkm->key_len : 0) ||
        zs_avro_set_bytes(v, "payload", rkm->payload, rkm->payload != NULL ? rkm->len : 0) ||
        zs_avro_set_num(v, "redacted", 0))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "dead letter: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode(m->dead_enc, &m->msg, errstr, errstr_size);
    m->dead++;
    zs_log_warn("%s [%" PRId32 "] offset %" PRId64 " %s: %s (to the dead-letter topic)",
                m->warnings_topic, rkm->partition, rkm->offset,
                job->key[0] != '\0' ? job->key : "(not a warning)", reason);
    return err != ZS_OK ? err
                        : produce(m, m->dead_topic, rkm->key, rkm->key != NULL ? rkm->key_len : 0,
                                  errstr, errstr_size);
}

/* ---- partitions and jobs ---- */

static void job_free(job_t *job)
{
    if (job == NULL)
        return;
    if (job->rkm != NULL)
        rd_kafka_message_destroy(job->rkm);
    free(job->body);
    free(job);
}

/* Marks job done and moves its partition's done_upto past every done record
 * at the front, freeing them. */
static void job_done(notify_t *m, job_t *job)
{
    part_t *pt = &m->parts[job->rkm->partition];
    job->done = true;
    while (pt->head != NULL && pt->head->done) {
        job_t *j = pt->head;
        pt->head = j->pnext;
        if (pt->head == NULL)
            pt->tail = NULL;
        pt->done_upto = j->rkm->offset + 1;
        job_free(j);
        m->pending--;
    }
}

/* Drops every record held (a rebalance took the partitions, or the end):
 * deliveries in flight are abandoned; the records are read again by
 * whichever member gets their partition, from its last commit. */
static void drop_all(notify_t *m)
{
    for (size_t c = 0; c < m->nchannels; c++) {
        channel_t *ch = &m->channels[c];
        if (ch->busy)
            curl_multi_remove_handle(m->multi, ch->easy);
        ch->busy = false;
        ch->head = ch->tail = NULL;
        ch->queued = 0;
    }
    for (int32_t p = 0; p < m->nparts; p++) {
        part_t *pt = &m->parts[p];
        while (pt->head != NULL) {
            job_t *j = pt->head;
            pt->head = j->pnext;
            job_free(j);
        }
        pt->tail = NULL;
        pt->done_upto = pt->committed = -1;
        pt->assigned = false;
    }
    m->pending = 0;
    m->paused = false;
}

/* ---- delivering ---- */

static double jitter(notify_t *m)
{
    /* xorshift64*: spreads retries; not for secrets. */
    m->rng ^= m->rng >> 12;
    m->rng ^= m->rng << 25;
    m->rng ^= m->rng >> 27;
    return (double)((m->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static zs_err_t channel_detail(notify_t *m, const channel_t *ch, const job_t *job, const char *more)
{
    zs_buf_reset(&m->detail);
    return zs_buf_addf(&m->detail, "channel=%s;target=%s;route=%s;key=%s;attempts=%d%s%s",
                       notify_kind_name(ch->route->kind), ch->display, ch->route->origin, job->key,
                       job->attempts, more[0] != '\0' ? ";" : "", more);
}

/* The index of a county of m->counties (ascending codes), or -1. */
static long county_index(const zs_county_table_t *t, const char *code)
{
    size_t lo = 0, hi = zs_county_count(t);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(zs_county_at(t, mid)->code, code);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Remembers that county got a record, for the next report. */
static void mark_delivered(notify_t *m, const char *county)
{
    long i = m->delivered != NULL ? county_index(m->counties, county) : -1;
    if (i >= 0 && !m->delivered[i]) {
        m->delivered[i] = true;
        m->ndelivered++;
    }
}

/* The head of ch is done: delivered (ok) or failed for good. */
static zs_err_t finish_head(notify_t *m, channel_t *ch, bool ok, const char *result, char *errstr,
                            size_t errstr_size)
{
    job_t *job = ch->head;
    zs_err_t err = ZS_OK;
    if (ok) {
        mark_delivered(m, job->county);
        err = channel_detail(m, ch, job, result);
        if (err == ZS_OK)
            err = audit(m, job, "NOTIFICATION_SENT", m->detail.data, errstr, errstr_size);
        ch->sent++;
        m->sent++;
        if (ch->down)
            zs_log_info("channel %s %s (%s) delivers again", notify_kind_name(ch->route->kind),
                        ch->display, ch->route->origin);
        ch->down = false;
    } else {
        char reason[2 * NOTIFY_TARGET_MAX + 512];
        snprintf(reason, sizeof(reason),
                 "channel %s %s (%s) failed %d attempt%s over %" PRId64 " s: %s",
                 notify_kind_name(ch->route->kind), ch->display, ch->route->origin, job->attempts,
                 job->attempts == 1 ? "" : "s", (mono_ms() - job->received) / 1000, ch->last_error);
        m->dead_by[DEAD_CHANNEL_FAILED]++;
        err = dead_letter(m, job, reason, "ZS_ERR_IO", errstr, errstr_size);
        if (err == ZS_OK) {
            char more[320];
            snprintf(more, sizeof(more), "error=%s", ch->last_error);
            for (char *s = more; *s != '\0'; s++)
                if (*s == ';')
                    *s = ',';
            err = channel_detail(m, ch, job, more);
        }
        if (err == ZS_OK)
            err = audit(m, job, "NOTIFICATION_FAILED", m->detail.data, errstr, errstr_size);
        ch->dead++;
        if (!ch->down)
            zs_log_warn("channel %s %s (%s) is down: each record now gets one attempt until one "
                        "succeeds",
                        notify_kind_name(ch->route->kind), ch->display, ch->route->origin);
        ch->down = true;
    }
    ch->head = job->cnext;
    if (ch->head == NULL)
        ch->tail = NULL;
    ch->queued--;
    ch->next_at = 0;
    job_done(m, job);
    return err;
}

/* An attempt at the head of ch failed with why: retry later, or give up. */
static zs_err_t attempt_failed(notify_t *m, channel_t *ch, const char *why, char *errstr,
                               size_t errstr_size)
{
    job_t *job = ch->head;
    int64_t now = mono_ms();
    snprintf(ch->last_error, sizeof(ch->last_error), "%s", why);
    if (now >= job->deadline || ch->down)
        return finish_head(m, ch, false, "", errstr, errstr_size);
    ch->retries++;
    int64_t delay = notify_backoff_ms(m->retry_initial, m->retry_max, job->attempts, jitter(m));
    ch->next_at = now + delay < job->deadline ? now + delay : job->deadline;
    zs_log_info("%s to %s %s: attempt %d failed (%s); next in %" PRId64 " ms", job->key,
                notify_kind_name(ch->route->kind), ch->display, job->attempts, why,
                ch->next_at - now);
    return ZS_OK;
}

/* Writes body (and a newline when newline) into dir/name atomically: a
 * temporary file .name.<pid>.tmp in the same directory, fsync, rename over
 * the final name, fsync of the directory. A reader never sees half a file. */
static zs_err_t write_atomic(const char *dir, const char *name, const char *body, size_t len,
                             bool newline, char *errstr, size_t errstr_size)
{
    char path[4096], tmp[4096 + 32];
    int pn = snprintf(path, sizeof(path), "%s/%s", dir, name);
    int tn = snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.tmp", dir, name, (long)getpid());
    if (pn < 0 || (size_t)pn >= sizeof(path) || tn < 0 || (size_t)tn >= sizeof(tmp))
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s/%s: path too long", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", tmp, strerror(errno));
    const char *what = "write";
    bool ok = true;
    size_t total = len + (newline ? 1 : 0);
    for (size_t off = 0; ok && off < total;) {
        const char *from = off < len ? body + off : "\n";
        size_t n = off < len ? len - off : 1;
        ssize_t w = write(fd, from, n);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    if (ok && fsync(fd) != 0) {
        what = "fsync";
        ok = false;
    }
    int saved = errno;
    if (close(fd) != 0 && ok) {
        what = "close";
        saved = errno;
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        what = "rename";
        saved = errno;
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s %s: %s", what, path, strerror(saved));
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return ZS_OK;
}

/* Writes body into dir/<key>.json atomically (write_atomic). A re-delivery
 * writes the same name with the same content. */
static zs_err_t outbox_write(const char *dir, const char *key, const char *body, size_t len,
                             char *errstr, size_t errstr_size)
{
    char name[KEY_MAX + 8];
    snprintf(name, sizeof(name), "%s.json", key);
    return write_atomic(dir, name, body, len, true, errstr, errstr_size);
}

static size_t discard(char *ptr, size_t size, size_t n, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * n;
}

/* Starts a webhook POST of the head of ch on the multi handle. */
static zs_err_t webhook_start(notify_t *m, channel_t *ch, char *why, size_t why_size)
{
    job_t *job = ch->head;
    char idem[KEY_MAX + 32];
    snprintf(idem, sizeof(idem), "Idempotency-Key: %s", job->key);
    curl_slist_free_all(ch->headers);
    ch->headers = NULL;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (h != NULL)
        ch->headers = h;
    h = h != NULL ? curl_slist_append(h, idem) : NULL;
    h = h != NULL ? curl_slist_append(h, "Expect:") : NULL;
    if (h == NULL)
        return zs_fail(why, why_size, ZS_ERR_NOMEM, "out of memory");
    CURL *e = ch->easy;
    ch->curl_error[0] = '\0';
    if (curl_easy_setopt(e, CURLOPT_HTTPHEADER, h) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)job->body_len) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, job->body) != CURLE_OK)
        return zs_fail(why, why_size, ZS_ERR_IO, "curl setup failed");
    CURLMcode mc = curl_multi_add_handle(m->multi, e);
    if (mc != CURLM_OK)
        return zs_fail(why, why_size, ZS_ERR_IO, "curl: %s", curl_multi_strerror(mc));
    ch->busy = true;
    return ZS_OK;
}

/* Makes the reusable easy handle of a webhook channel. TLS verification on,
 * no redirects followed (a 3xx is a failure), http and https only. */
static zs_err_t webhook_init(notify_t *m, channel_t *ch, char *errstr, size_t errstr_size)
{
    CURL *e = curl_easy_init();
    if (e == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "curl_easy_init failed");
    ch->easy = e;
    bool ok =
        curl_easy_setopt(e, CURLOPT_URL, ch->route->target) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_POST, 1L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)m->http_timeout) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)(m->http_timeout < 10000 ? m->http_timeout : 10000)) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_USERAGENT,
                         "zs-notify/"
                         "0.1") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ch->curl_error) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PRIVATE, ch) == CURLE_OK;
    if (ok && m->ca != NULL && m->ca[0] != '\0')
        ok = curl_easy_setopt(e, CURLOPT_CAINFO, m->ca) == CURLE_OK;
    return ok ? ZS_OK
              : zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: webhook %s: curl refused it",
                        ch->route->origin, ch->display);
}

/* Collects finished webhook requests. */
static zs_err_t webhook_collect(notify_t *m, char *errstr, size_t errstr_size)
{
    CURLMsg *msg = NULL;
    int left = 0;
    zs_err_t err = ZS_OK;
    while (err == ZS_OK && (msg = curl_multi_info_read(m->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        channel_t *ch = (channel_t *)(void *)priv;
        CURLcode res = msg->data.result;
        curl_multi_remove_handle(m->multi, msg->easy_handle);
        if (ch == NULL || !ch->busy || ch->head == NULL)
            continue;
        ch->busy = false;
        long code = 0;
        char why[CURL_ERROR_SIZE + 64];
        if (res == CURLE_OK)
            curl_easy_getinfo(ch->easy, CURLINFO_RESPONSE_CODE, &code);
        if (res == CURLE_OK && code >= 200 && code <= 299) {
            snprintf(why, sizeof(why), "http=%ld", code);
            err = finish_head(m, ch, true, why, errstr, errstr_size);
        } else {
            if (res != CURLE_OK)
                snprintf(why, sizeof(why), "%s",
                         ch->curl_error[0] != '\0' ? ch->curl_error : curl_easy_strerror(res));
            else
                snprintf(why, sizeof(why), "HTTP %ld", code);
            err = attempt_failed(m, ch, why, errstr, errstr_size);
        }
    }
    return err;
}

/* Starts what can start: the head of every idle channel whose backoff has
 * passed. Outboxes are written here and now; webhooks go on the multi. */
static zs_err_t drive(notify_t *m, char *errstr, size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    for (size_t c = 0; c < m->nchannels && err == ZS_OK; c++) {
        channel_t *ch = &m->channels[c];
        while (err == ZS_OK && ch->head != NULL && !ch->busy && mono_ms() >= ch->next_at) {
            job_t *job = ch->head;
            char why[512];
            job->attempts++;
            if (ch->route->kind == NOTIFY_OUTBOX) {
                if (outbox_write(ch->route->target, job->key, job->body, job->body_len, why,
                                 sizeof(why)) == ZS_OK)
                    err = finish_head(m, ch, true, "", errstr, errstr_size);
                else
                    err = attempt_failed(m, ch, why, errstr, errstr_size);
            } else if (webhook_start(m, ch, why, sizeof(why)) != ZS_OK) {
                err = attempt_failed(m, ch, why, errstr, errstr_size);
            }
        }
    }
    return err;
}

/* ---- reading ---- */

/* Takes one record of the warnings topic: decoded, keyed, routed, queued
 * on its channel; or dead-lettered (and audited when it is a warning). */
static zs_err_t take(notify_t *m, rd_kafka_message_t *rkm, char *errstr, size_t errstr_size)
{
    int32_t p = rkm->partition;
    if (p < 0 || p >= m->nparts || !m->parts[p].assigned) {
        rd_kafka_message_destroy(rkm);
        return ZS_OK;
    }
    job_t *job = calloc(1, sizeof(*job));
    if (job == NULL) {
        rd_kafka_message_destroy(rkm);
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    }
    part_t *pt = &m->parts[p];
    job->rkm = rkm;
    if (pt->tail != NULL)
        pt->tail->pnext = job;
    else
        pt->head = job;
    pt->tail = job;
    m->pending++;
    m->received++;
    job->received = mono_ms();
    job->deadline = job->received + m->budget;

    char why[512];
    const zs_schema_t *reader = NULL;
    avro_value_t *v = NULL;
    zs_err_t derr =
        zs_decoder_decode(m->dec, rkm->payload, rkm->len, &reader, &v, why, sizeof(why));
    if (derr == ZS_OK && strcmp(zs_schema_name(reader), "zengshou.Warning") != 0) {
        snprintf(why, sizeof(why), "a %s record, not a warning", zs_schema_name(reader));
        derr = ZS_ERR_INVALID;
    }
    avro_value_t f;
    if (derr == ZS_OK && (!get_str(v, "warning_id", job->warning_id, sizeof(job->warning_id)) ||
                          !get_str(v, "household_id", job->household, sizeof(job->household)) ||
                          !get_str(v, "county_code", job->county, sizeof(job->county)) ||
                          (job->rule = get_enum(v, "rule")) == NULL ||
                          (job->status = get_enum(v, "status")) == NULL ||
                          !get_int(v, "year", &job->year) || !get_int(v, "month", &job->month))) {
        snprintf(why, sizeof(why), "a warning without its identity fields");
        derr = ZS_ERR_INVALID;
    }
    if (derr == ZS_OK && zs_avro_field(v, "person_id", &f) == 0)
        job->has_person = get_str(v, "person_id", job->person, sizeof(job->person));
    if (derr == ZS_OK && notify_idempotency_key(job->warning_id, job->status, job->year, job->month,
                                                job->key, sizeof(job->key)) != ZS_OK) {
        snprintf(why, sizeof(why),
                 "warning_id not 1-64 of [0-9A-Za-z_~-], or its period out of range");
        derr = ZS_ERR_INVALID;
    }
    if (derr != ZS_OK) {
        job->warning_id[0] = '\0';
        job->key[0] = '\0';
        m->dead_by[DEAD_UNDECODABLE]++;
        zs_err_t err = dead_letter(m, job, why, zs_err2str(derr), errstr, errstr_size);
        job_done(m, job);
        return err;
    }
    zs_buf_reset(&m->json);
    char json_err[300];
    zs_err_t err = zs_avrojson_write(v, &m->json, json_err, sizeof(json_err));
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "%s: the warning as JSON: %s", job->key, json_err);
    job->body = malloc(m->json.len + 1);
    if (job->body == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    memcpy(job->body, m->json.data, m->json.len + 1);
    job->body_len = m->json.len;
    zs_sha256(job->body, job->body_len, job->digest);

    const notify_route_t *r = notify_routes_match(m->routes, job->county);
    if (r == NULL) {
        /* Never dropped silently: the record waits in the dead-letter topic,
         * the audit says no county got it. A warning of county 000000 is
         * never routed, not even by `*`: its county is unknown, and sending
         * it to some county would tell one county about another's household. */
        bool unknown = strcmp(job->county, NOTIFY_COUNTY_UNKNOWN) == 0;
        char reason[160];
        snprintf(reason, sizeof(reason),
                 unknown ? "county %.8s: the household's snapshot never arrived, so its county "
                           "is unknown; no county channel may get it"
                         : "no route for county %.8s",
                 job->county);
        m->unrouted++;
        m->dead_by[DEAD_NO_ROUTE]++;
        err = dead_letter(m, job, reason, "ZS_ERR_NOT_FOUND", errstr, errstr_size);
        zs_buf_reset(&m->detail);
        if (err == ZS_OK)
            err = zs_buf_addf(&m->detail, "reason=%s;key=%s",
                              unknown ? "county unknown" : "no route", job->key);
        if (err == ZS_OK)
            err = audit(m, job, "NOTIFICATION_FAILED", m->detail.data, errstr, errstr_size);
        job_done(m, job);
        return err;
    }
    channel_t *ch = &m->channels[r->channel];
    if (ch->tail != NULL)
        ch->tail->cnext = job;
    else
        ch->head = job;
    ch->tail = job;
    ch->queued++;
    return ZS_OK;
}

/* ---- committing ---- */

/* Commits, per partition, the offset up to which every record is done,
 * after every audit record and dead letter written so far is acknowledged
 * (flush), so a crash can repeat a delivery but never lose one. */
static zs_err_t commit(notify_t *m, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = NULL;
    for (int32_t p = 0; p < m->nparts; p++) {
        part_t *pt = &m->parts[p];
        if (!pt->assigned || pt->done_upto <= pt->committed)
            continue;
        if (list == NULL)
            list = rd_kafka_topic_partition_list_new(8);
        rd_kafka_topic_partition_list_add(list, m->warnings_topic, p)->offset = pt->done_upto;
    }
    m->last_commit = mono_ms();
    if (list == NULL)
        return ZS_OK;
    zs_err_t err = zs_producer_flush(m->producer, 60000, errstr, errstr_size);
    if (err == ZS_OK) {
        rd_kafka_resp_err_t kerr = rd_kafka_commit(m->consumer, list, 0);
        if (kerr == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < list->cnt; i++)
                m->parts[list->elems[i].partition].committed = list->elems[i].offset;
        } else {
            /* Not fatal: the records are delivered again after a restart or a
             * rebalance, with the same idempotency keys. */
            zs_log_warn("commit: %s (retried at the next interval)", rd_kafka_err2str(kerr));
        }
    }
    rd_kafka_topic_partition_list_destroy(list);
    return err;
}

/* Pauses consumption while too many records are held, resumes at half. */
static void flow(notify_t *m)
{
    bool want = m->pending >= (size_t)m->max_pending;
    if (want == m->paused || (!want && m->pending > (size_t)m->max_pending / 2))
        return;
    rd_kafka_topic_partition_list_t *asg = NULL;
    if (rd_kafka_assignment(m->consumer, &asg) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    if (want)
        rd_kafka_pause_partitions(m->consumer, asg);
    else
        rd_kafka_resume_partitions(m->consumer, asg);
    rd_kafka_topic_partition_list_destroy(asg);
    m->paused = want;
    zs_log_info("%zu records held: consumption %s", m->pending, want ? "paused" : "resumed");
}

/* @locality: rd_kafka_consumer_poll and rd_kafka_consumer_close, our thread. */
static void rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    notify_t *m = opaque;
    char errstr[512];
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        int mine = 0;
        for (int i = 0; i < parts->cnt; i++) {
            int32_t p = parts->elems[i].partition;
            if (p >= 0 && p < m->nparts) {
                m->parts[p].assigned = true;
                m->parts[p].at_end = false;
                m->parts[p].done_upto = m->parts[p].committed = -1;
                mine++;
            }
        }
        rd_kafka_assign(rk, parts);
        m->assigned_once = true;
        m->last_input = mono_ms();
        zs_log_info("assigned %d partitions of %" PRId32, mine, m->nparts);
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && m->fatal == 0 &&
        commit(m, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("before giving up partitions: %s", errstr);
        m->fatal = 1;
    }
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        zs_log_error("rebalance: %s", rd_kafka_err2str(err));
    drop_all(m);
    rd_kafka_assign(rk, NULL);
    zs_log_info("partitions revoked");
}

/* ---- reports ---- */

/* The region's counties (zs.data.dir, zs.region) into *out. */
static zs_err_t load_counties(const zs_config_t *cfg, zs_county_table_t **out, char *errstr,
                              size_t errstr_size)
{
    const char *data_dir = NULL, *region = NULL;
    zs_err_t err = zs_config_get_str(cfg, "zs.data.dir", &data_dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(cfg, "zs.region", &region, errstr, errstr_size);
    if (err == ZS_OK) {
        char file[1024];
        snprintf(file, sizeof(file), "%s/%s-counties.csv", data_dir, region);
        err = zs_county_load(file, out, errstr, errstr_size);
    }
    return err;
}

/* Makes dir and its parents (mode 0755). */
static zs_err_t make_dirs(const char *dir, char *errstr, size_t errstr_size)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s", dir);
    if (n <= 0 || (size_t)n >= sizeof(path))
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: bad directory name", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return zs_fail(errstr, errstr_size, ZS_ERR_IO, "mkdir %s: %s", path, strerror(errno));
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: not a directory", dir);
    return ZS_OK;
}

/* Checks that every county of codes (comma-separated, or "all") is one of
 * the region's. ZS_ERR_INVALID naming the first that is not. */
static zs_err_t check_codes(const zs_county_table_t *counties, const char *codes, char *errstr,
                            size_t errstr_size)
{
    for (const char *p = codes; strcmp(codes, "all") != 0 && *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (zs_county_find(counties, p, len) == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "county %.*s is not one of the region's (want 6-digit codes, "
                           "comma-separated, or all)",
                           (int)(len < 16 ? len : 16), p);
        p += len + (p[len] == ',');
    }
    return ZS_OK;
}

/* Writes into dir the reports of the counties in codes (comma-separated;
 * "all": every county with warnings, and index.html; NULL: the counties
 * that changed in the view since the last call, whose changes it then
 * forgets), from the view as it stands. *written counts the files written;
 * shown, if not NULL, gets the codes written (comma-separated, cut to its
 * size). */
static zs_err_t report_pages(notify_view_t *view, const zs_county_table_t *counties,
                             const char *codes, const char *dir, notify_lang_t lang,
                             size_t *written, char *shown, size_t shown_size, char *errstr,
                             size_t errstr_size)
{
    notify_report_t *rep = notify_view_report(view);
    bool all = codes != NULL && strcmp(codes, "all") == 0;
    bool changed = codes == NULL;
    *written = 0;
    if (shown != NULL && shown_size > 0)
        shown[0] = '\0';
    zs_buf_t page;
    zs_buf_init(&page, (size_t)1 << 30);
    zs_err_t err = make_dirs(dir, errstr, errstr_size);
    int64_t at = now_ms();
    size_t n = all || changed ? notify_report_county_count(rep) : 0;
    /* The counties asked for, or every (changed) county with warnings. */
    for (const char *p = codes; err == ZS_OK && (all || changed ? n > 0 : *p != '\0');) {
        char code[16];
        if (all || changed) {
            --n;
            if (changed && !notify_report_county_changed(rep, n))
                continue;
            const char *from_data = notify_report_county_at(rep, n);
            if (!zs_county_code_ok(from_data)) { /* it would name a file */
                zs_log_warn("a warning's county code \"%.16s\" is not 6 digits: no report for it",
                            from_data);
                continue;
            }
            snprintf(code, sizeof(code), "%s", from_data);
        } else {
            size_t len = strcspn(p, ",");
            snprintf(code, sizeof(code), "%.*s", (int)(len < 15 ? len : 15), p);
            p += len + (p[len] == ',');
        }
        const zs_county_t *c = zs_county_find(counties, code, strlen(code));
        char name[32];
        snprintf(name, sizeof(name), "%s.html", code);
        zs_buf_reset(&page);
        err = notify_report_render(rep, code, c, lang, at, &page);
        if (err != ZS_OK)
            err = zs_fail(errstr, errstr_size, err, "report of %s: %s", code, zs_err2str(err));
        else
            err = write_atomic(dir, name, page.data, page.len, false, errstr, errstr_size);
        *written += err == ZS_OK;
        size_t used = shown != NULL ? strlen(shown) : 0;
        if (err == ZS_OK && shown != NULL && used + 8 < shown_size)
            snprintf(shown + used, shown_size - used, "%s%s", used ? "," : "", code);
    }
    if (err == ZS_OK && all) {
        zs_buf_reset(&page);
        err = notify_report_render_index(rep, counties, lang, at, &page);
        if (err != ZS_OK)
            err = zs_fail(errstr, errstr_size, err, "index of the reports: %s", zs_err2str(err));
        else
            err = write_atomic(dir, "index.html", page.data, page.len, false, errstr, errstr_size);
        *written += err == ZS_OK;
    }
    if (err == ZS_OK && changed)
        notify_report_changes_clear(rep);
    zs_buf_free(&page);
    return err;
}

/* The report thread's body. @locality: its own thread; shares only the
 * configuration and the county table, both read-only by then. */
static void *report_thread(void *arg)
{
    report_run_t *rr = arg;
    rr->read = 0;
    rr->err = ZS_OK;
    if (rr->view == NULL)
        rr->err = notify_view_new(rr->cfg, NULL, &rr->view, rr->errstr, sizeof(rr->errstr));
    if (rr->err == ZS_OK)
        rr->err = notify_view_refresh(rr->view, &rr->stop, rr->errstr, sizeof(rr->errstr));
    if (rr->err == ZS_OK) {
        rr->read = notify_view_records_read(rr->view);
        rr->err = report_pages(rr->view, rr->counties, NULL, rr->dir, rr->lang, &rr->written,
                               rr->shown, sizeof(rr->shown), rr->errstr, sizeof(rr->errstr));
    }
    atomic_store(&rr->done, true);
    return NULL;
}

/* Logs a finished report run. */
static void report_log(const report_run_t *rr, bool again)
{
    if (rr->err == ZS_OK)
        zs_log_info("reports: %ld new warning records read, %zu written to %s (%s)", rr->read,
                    rr->written, rr->dir, rr->shown[0] ? rr->shown : "none changed");
    else if (!rr->stop)
        zs_log_error("reports: %s%s", rr->errstr, again ? " (the next run tries again)" : "");
}

/* Joins a finished (or, when wait, any) report thread and logs its outcome.
 * A failed report is logged, never fatal: deliveries matter more. */
static void report_join(notify_t *m, bool wait)
{
    report_run_t *rr = &m->report;
    if (!rr->running || (!wait && !atomic_load(&rr->done)))
        return;
    pthread_join(rr->thread, NULL);
    rr->running = false;
    report_log(rr, true);
}

/* Forgets the counties delivered to. */
static void forget_delivered(notify_t *m)
{
    for (size_t i = 0; i < zs_county_count(m->counties); i++)
        m->delivered[i] = false;
    m->ndelivered = 0;
}

/* Every zs.notify.report.interval, when something was delivered since the
 * last run, refreshes the view in a thread and regenerates the reports of
 * the counties that changed; at_exit: now, in this thread, after the one
 * running (an --exit-idle run ends with its reports). */
static void report_tick(notify_t *m, bool at_exit)
{
    if (m->report_dir == NULL || m->report_interval == 0)
        return;
    report_join(m, at_exit);
    int64_t now = mono_ms();
    if (m->report.running || m->ndelivered == 0 ||
        (!at_exit && now - m->last_report < m->report_interval))
        return;
    report_run_t *rr = &m->report;
    forget_delivered(m);
    m->last_report = now;
    rr->cfg = m->cfg;
    rr->counties = m->counties;
    rr->dir = m->report_dir;
    rr->lang = m->report_lang;
    rr->stop = 0;
    rr->err = ZS_OK;
    rr->written = 0;
    atomic_store(&rr->done, false);
    if (at_exit) {
        rr->running = true; /* joined below without a thread: run it here */
        report_thread(rr);
        rr->running = false;
        report_log(rr, false);
        return;
    }
    if (pthread_create(&rr->thread, NULL, report_thread, rr) != 0) {
        zs_log_error("reports: cannot start a thread: %s", strerror(errno));
        return;
    }
    rr->running = true;
}

/* `zs-notify report`: writes the reports and exits (0, 1 or 2). */
static int report_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"county", required_argument, NULL, 'c'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    zs_config_t *cfg = NULL;
    zs_county_table_t *counties = NULL;
    const char *county = NULL, *out = NULL, *lang_text = NULL;
    notify_lang_t lang = NOTIFY_LANG_ZH;
    char errstr[1024];
    int c = 0, rc = 2;
    size_t written = 0;
    if (zs_config_new(&cfg, defs, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("%s", errstr);
        return 2;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "h", longopts, NULL)) != -1) {
        int common = zs_config_take_option(cfg, c, optarg);
        if (common < 0)
            goto done;
        if (common > 0)
            continue;
        switch (c) {
        case 'c':
            county = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'l':
            lang_text = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            rc = 0;
            goto done;
        default:
            fputs(usage, stderr);
            goto done;
        }
    }
    if (optind < argc || county == NULL || county[0] == '\0') {
        zs_log_error(optind < argc ? "report: unexpected argument %s"
                                   : "report: --county CODE or --county all is required%s",
                     optind < argc ? argv[optind] : "");
        fputs(usage, stderr);
        goto done;
    }
    if (zs_config_apply_logging(cfg, "zs-notify", errstr, sizeof(errstr)) != ZS_OK ||
        (lang_text == NULL && zs_config_get_str(cfg, "zs.notify.report.lang", &lang_text, errstr,
                                                sizeof(errstr)) != ZS_OK) ||
        (out == NULL &&
         zs_config_get_str(cfg, "zs.notify.report.dir", &out, errstr, sizeof(errstr)) != ZS_OK)) {
        zs_log_error("%s", errstr);
        goto done;
    }
    if (notify_lang_parse(lang_text, &lang) != ZS_OK) {
        zs_log_error("--lang %s: want zh or en", lang_text);
        goto done;
    }
    if (out == NULL || out[0] == '\0')
        out = "reports";
    notify_view_t *view = NULL;
    zs_err_t err = load_counties(cfg, &counties, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = check_codes(counties, county, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = notify_view_new(cfg, strcmp(county, "all") == 0 ? NULL : county, &view, errstr,
                              sizeof(errstr));
    if (err == ZS_OK) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        err = notify_view_refresh(view, &stop, errstr, sizeof(errstr));
    }
    if (err == ZS_OK) {
        zs_log_info("%ld warning records for the reports (%ld skipped)",
                    notify_view_records_read(view), notify_view_records_skipped(view));
        err = report_pages(view, counties, county, out, lang, &written, NULL, 0, errstr,
                           sizeof(errstr));
    }
    notify_view_free(view);
    if (err != ZS_OK) {
        zs_log_error("%s", errstr);
        rc = err == ZS_ERR_INVALID || err == ZS_ERR_NOT_FOUND || err == ZS_ERR_PARSE ? 2 : 1;
        goto done;
    }
    zs_log_info("%zu report files written to %s", written, out);
    rc = 0;
done:
    zs_county_table_free(counties);
    zs_config_destroy(cfg);
    return rc;
}

/* ---- set-up ---- */

/* Checks every route's target now, so a typo fails at start (exit 2). */
static zs_err_t check_targets(notify_t *m, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < notify_routes_count(m->routes); i++) {
        const notify_route_t *r = notify_routes_at(m->routes, i);
        if (r->kind == NOTIFY_OUTBOX) {
            struct stat st;
            if (stat(r->target, &st) != 0)
                return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: outbox %s: %s", r->origin,
                               r->target, strerror(errno));
            if (!S_ISDIR(st.st_mode))
                return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                               "%s: outbox %s: not a directory", r->origin, r->target);
            if (access(r->target, W_OK | X_OK) != 0)
                return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                               "%s: outbox %s: not writable: %s", r->origin, r->target,
                               strerror(errno));
        } else {
            CURLU *u = curl_url();
            char display[NOTIFY_TARGET_MAX];
            notify_target_display(r, display, sizeof(display));
            CURLUcode uc =
                u != NULL ? curl_url_set(u, CURLUPART_URL, r->target, 0) : CURLUE_OUT_OF_MEMORY;
            curl_url_cleanup(u);
            if (uc != CURLUE_OK)
                return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: webhook %s: %s", r->origin,
                               display, curl_url_strerror(uc));
            if (strncmp(r->target, "http://", 7) == 0)
                zs_log_info("%s: webhook %s is plain http, on this machine", r->origin, display);
        }
    }
    return ZS_OK;
}

static zs_err_t load_routes(notify_t *m, char *errstr, size_t errstr_size)
{
    const char *path = NULL;
    zs_err_t err = zs_config_get_str(m->cfg, "zs.notify.routes", &path, errstr, errstr_size);
    if (err == ZS_OK && (path == NULL || path[0] == '\0'))
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                      "no route file: give --routes FILE or -X zs.notify.routes=FILE");
    if (err == ZS_OK)
        err = notify_routes_load(path, &m->routes, errstr, errstr_size);
    if (err == ZS_OK)
        err = load_counties(m->cfg, &m->counties, errstr, errstr_size);
    if (err == ZS_OK)
        err = notify_routes_check_region(m->routes, m->counties, errstr, errstr_size);
    if (err == ZS_OK)
        err = check_targets(m, errstr, errstr_size);
    if (err != ZS_OK)
        return err == ZS_ERR_NOMEM ? err : ZS_ERR_INVALID;
    m->nchannels = notify_routes_channels(m->routes);
    m->channels = calloc(m->nchannels, sizeof(*m->channels));
    if (m->channels == NULL)
        return ZS_ERR_NOMEM;
    for (size_t i = 0; i < notify_routes_count(m->routes); i++) {
        const notify_route_t *r = notify_routes_at(m->routes, i);
        channel_t *ch = &m->channels[r->channel];
        if (ch->route == NULL) {
            ch->route = r;
            notify_target_display(r, ch->display, sizeof(ch->display));
        }
    }
    return ZS_OK;
}

/* The partition count of the warnings topic; the audit and dead-letter
 * topics must exist too. */
static zs_err_t check_topics(notify_t *m, char *errstr, size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t kerr =
        rd_kafka_metadata(zs_producer_handle(m->producer), 1, NULL, &md, 30000);
    if (kerr)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "metadata: %s", rd_kafka_err2str(kerr));
    const char *need[] = {m->warnings_topic, m->audit_topic, m->dead_topic};
    zs_err_t err = ZS_OK;
    for (size_t n = 0; n < 3 && err == ZS_OK; n++) {
        const struct rd_kafka_metadata_topic *t = NULL;
        for (int i = 0; i < md->topic_cnt && t == NULL; i++)
            if (strcmp(md->topics[i].topic, need[n]) == 0 && md->topics[i].err == 0)
                t = &md->topics[i];
        if (t == NULL)
            err = zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND,
                          "topic %s does not exist (create the topics with zs-topics)", need[n]);
        else if (n == 0)
            m->nparts = t->partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
    if (err == ZS_OK && (m->nparts < 1 || m->nparts > MAX_PARTITIONS))
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                      "%s has %" PRId32 " partitions (at most %d)", m->warnings_topic, m->nparts,
                      MAX_PARTITIONS);
    return err;
}

static const zs_kafka_default_t consumer_defaults[] = {
    {"enable.auto.commit", "false"},
    {"enable.auto.offset.store", "false"},
    {"isolation.level", "read_committed"},
    {"auto.offset.reset", "earliest"},
    {"partition.assignment.strategy", "range"},
    {"enable.partition.eof", "true"}, /* --exit-idle stops only once caught up */
    {NULL, NULL},
};

/* librdkafka's log lines go through ours. @locality: librdkafka threads. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    zs_log(zs_log_level_from_syslog(level), "kafka %s: %s", fac, buf);
}

static zs_err_t setup(notify_t *m, char *errstr, size_t errstr_size)
{
    const char *schema_dir = NULL, *prefix = NULL, *group = NULL, *instance = NULL, *lang = NULL;
    zs_err_t err = zs_config_get_str(m->cfg, "zs.schema.dir", &schema_dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(m->cfg, "zs.topic.prefix", &prefix, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(m->cfg, "zs.notify.group", &group, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(m->cfg, "zs.notify.instance", &instance, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(m->cfg, "zs.notify.http.ca", &m->ca, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.notify.retry.initial", &m->retry_initial, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.notify.retry.max", &m->retry_max, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.notify.retry.budget", &m->budget, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.notify.http.timeout", &m->http_timeout, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.notify.commit.interval", &m->commit_ms, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_int(m->cfg, "zs.notify.max.pending", &m->max_pending, errstr,
                                errstr_size);
    if (err == ZS_OK)
        err =
            zs_config_get_str(m->cfg, "zs.notify.report.dir", &m->report_dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(m->cfg, "zs.notify.report.interval", &m->report_interval, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(m->cfg, "zs.notify.report.lang", &lang, errstr, errstr_size);
    if (err == ZS_OK && notify_lang_parse(lang, &m->report_lang) != ZS_OK)
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "zs.notify.report.lang %s", lang);
    if (err == ZS_OK)
        err = load_routes(m, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_schemas_load(schema_dir, &m->schemas, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (m->report_dir != NULL && m->report_dir[0] == '\0')
        m->report_dir = NULL;
    if (m->report_dir != NULL && m->report_interval > 0) {
        m->delivered = calloc(zs_county_count(m->counties) + 1, sizeof(*m->delivered));
        if (m->delivered == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
        err = make_dirs(m->report_dir, errstr, errstr_size);
        if (err != ZS_OK)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "zs.notify.report.dir: %s", errstr);
        zs_log_info("reports of the counties delivered to: every %" PRId64 " ms into %s",
                    m->report_interval, m->report_dir);
    }
    m->last_report = mono_ms();
    if (instance == NULL || instance[0] == '\0')
        gethostname(m->instance, sizeof(m->instance) - 1);
    else
        snprintf(m->instance, sizeof(m->instance), "%s", instance);
    snprintf(m->actor, sizeof(m->actor), "zs-notify@%s/pid %ld", m->instance, (long)getpid());
    m->run_started = now_ms();
    m->rng = (uint64_t)m->run_started ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
    zs_topic_name(prefix, "warnings", m->warnings_topic, sizeof(m->warnings_topic));
    zs_topic_name(prefix, "audit", m->audit_topic, sizeof(m->audit_topic));
    zs_topic_name(prefix, "deadletter", m->dead_topic, sizeof(m->dead_topic));
    m->audit_schema = zs_schemas_latest(m->schemas, "AuditRecord");
    const zs_schema_t *dead_schema = zs_schemas_latest(m->schemas, "DeadLetter");
    if (m->audit_schema == NULL || dead_schema == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND,
                       "%s: no AuditRecord or DeadLetter schema", schema_dir);
    err = zs_decoder_new(m->schemas, &m->dec, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_encoder_new(m->audit_schema, &m->audit_enc, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_encoder_new(dead_schema, &m->dead_enc, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_producer_new(m->cfg, &m->producer, errstr, errstr_size);
    if (err == ZS_OK)
        err = check_topics(m, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    for (int32_t p = 0; p < MAX_PARTITIONS; p++)
        m->parts[p].done_upto = m->parts[p].committed = -1;

    m->multi = curl_multi_init();
    if (m->multi == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "curl_multi_init failed");
    for (size_t c = 0; c < m->nchannels && err == ZS_OK; c++)
        if (m->channels[c].route->kind == NOTIFY_WEBHOOK)
            err = webhook_init(m, &m->channels[c], errstr, errstr_size);
    if (err != ZS_OK)
        return err;

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char kerr[512];
    rd_kafka_conf_set_log_cb(conf, on_log);
    for (const zs_kafka_default_t *d = consumer_defaults; d->name != NULL; d++)
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
    rd_kafka_conf_set_rebalance_cb(conf, rebalance);
    rd_kafka_conf_set_opaque(conf, m);
    m->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, kerr, sizeof(kerr));
    if (m->consumer == NULL) {
        rd_kafka_conf_destroy(conf);
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "consumer: %s", kerr);
    }
    rd_kafka_poll_set_consumer(m->consumer);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, m->warnings_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t serr = rd_kafka_subscribe(m->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (serr)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "subscribe: %s", rd_kafka_err2str(serr));
    zs_log_info("instance %s, group %s, %s (%" PRId32 " partitions), %zu routes to %zu channels",
                m->instance, group, m->warnings_topic, m->nparts, notify_routes_count(m->routes),
                m->nchannels);
    return ZS_OK;
}

static void log_channels(const notify_t *m)
{
    for (size_t c = 0; c < m->nchannels; c++) {
        const channel_t *ch = &m->channels[c];
        zs_log_info("channel %s %s (%s): %" PRIu64 " sent, %" PRIu64 " dead-lettered, %zu queued",
                    notify_kind_name(ch->route->kind), ch->display, ch->route->origin, ch->sent,
                    ch->dead, ch->queued);
    }
    zs_log_info("%" PRIu64 " records read, %" PRIu64 " delivered, %" PRIu64
                " dead-lettered (%" PRIu64 " without a route)",
                m->received, m->sent, m->dead, m->unrouted);
}

static void teardown(notify_t *m)
{
    if (m->report.running) {
        m->report.stop = 1;
        report_join(m, true);
    }
    notify_view_free(m->report.view);
    zs_metrics_stop(m->metrics);
    zs_prom_free(&m->prom);
    free(m->delivered);
    /* Messages go back before the consumer closes; the final commit is done. */
    drop_all(m);
    if (m->consumer != NULL) {
        rd_kafka_consumer_close(m->consumer);
        rd_kafka_destroy(m->consumer);
    }
    if (m->producer != NULL) {
        char errstr[512];
        if (zs_producer_flush(m->producer, 30000, errstr, sizeof(errstr)) != ZS_OK)
            zs_log_error("%s", errstr);
        zs_producer_free(m->producer);
    }
    for (size_t c = 0; c < m->nchannels; c++) {
        if (m->channels[c].easy != NULL)
            curl_easy_cleanup(m->channels[c].easy);
        curl_slist_free_all(m->channels[c].headers);
    }
    if (m->multi != NULL)
        curl_multi_cleanup(m->multi);
    free(m->channels);
    zs_buf_free(&m->msg);
    zs_buf_free(&m->json);
    zs_buf_free(&m->detail);
    zs_encoder_free(m->audit_enc);
    zs_encoder_free(m->dead_enc);
    zs_decoder_free(m->dec);
    zs_schemas_free(m->schemas);
    notify_routes_free(m->routes);
    zs_county_table_free(m->counties);
}

/* ---- the loop ---- */

static bool all_done(const notify_t *m)
{
    if (m->pending > 0)
        return false;
    for (int32_t p = 0; p < m->nparts; p++)
        if (m->parts[p].assigned &&
            (!m->parts[p].at_end || m->parts[p].done_upto > m->parts[p].committed))
            return false;
    return true;
}

/* The broker agrees that every partition was read to its end (partition
 * EOFs seen before a broker went away say nothing of what came since); if
 * not, asks again in a second. */
static bool read_to_end(notify_t *m)
{
    char why[512];
    if (zs_kafka_read_to_end(m->consumer, NULL, 5000, why, sizeof(why)))
        return true;
    zs_log_info("not idle yet: %s", why);
    m->last_input = mono_ms() - m->exit_idle + 1000;
    return false;
}

/* ---- metrics ---- */

/* Publishes the figures for zs.metrics.listen, at most once a second:
 * records read and lag per partition, deliveries and retries per channel,
 * dead letters by reason, records held, resident memory. */
static void metrics_tick(notify_t *m)
{
    int64_t now = mono_ms();
    if (m->metrics == NULL || (m->last_metrics != 0 && now - m->last_metrics < 1000))
        return;
    m->last_metrics = now;
    zs_prom_t *p = &m->prom;
    zs_prom_reset(p);
    zs_prom_one(p, "zengshou_notify_records_read_total", "counter",
                "Warning records read from the warnings topic.", (int64_t)m->received);
    zs_prom_family(p, "zengshou_notify_lag_records", "gauge",
                   "Records of an assigned partition not yet done (high watermark - done).");
    for (int32_t i = 0; i < m->nparts; i++) {
        int64_t lo = 0, hi = 0, lag = 0;
        const part_t *pt = &m->parts[i];
        if (!pt->assigned)
            continue;
        if (rd_kafka_get_watermark_offsets(m->consumer, m->warnings_topic, i, &lo, &hi) == 0)
            lag = hi - (pt->done_upto < 0 ? lo : pt->done_upto);
        char ps[16];
        snprintf(ps, sizeof(ps), "%d", (int)i);
        zs_prom_sample(p, "zengshou_notify_lag_records", lag > 0 ? lag : 0, "partition", ps, NULL);
    }
    zs_prom_family(p, "zengshou_notify_deliveries_total", "counter",
                   "Records a channel accepted (webhook 2xx, outbox file written).");
    for (size_t c = 0; c < m->nchannels; c++)
        zs_prom_sample(p, "zengshou_notify_deliveries_total", (int64_t)m->channels[c].sent, "kind",
                       notify_kind_name(m->channels[c].route->kind), "channel",
                       m->channels[c].display, NULL);
    zs_prom_family(p, "zengshou_notify_retries_total", "counter",
                   "Failed attempts followed by another attempt, per channel.");
    for (size_t c = 0; c < m->nchannels; c++)
        zs_prom_sample(p, "zengshou_notify_retries_total", (int64_t)m->channels[c].retries, "kind",
                       notify_kind_name(m->channels[c].route->kind), "channel",
                       m->channels[c].display, NULL);
    zs_prom_family(p, "zengshou_notify_dead_letters_total", "counter",
                   "Records sent to the dead-letter topic, by reason.");
    for (int r = 0; r < DEAD_REASONS; r++)
        zs_prom_sample(p, "zengshou_notify_dead_letters_total", (int64_t)m->dead_by[r], "reason",
                       dead_reasons[r], NULL);
    zs_prom_one(p, "zengshou_notify_pending_records", "gauge",
                "Records read and not yet delivered or dead-lettered.", (int64_t)m->pending);
    zs_prom_one(p, "zengshou_notify_resident_memory_bytes", "gauge",
                "Resident memory of the process.", (int64_t)zs_rss_bytes());
    zs_err_t err = zs_metrics_publish(m->metrics, p);
    if (err != ZS_OK)
        zs_log_warn("metrics: %s", zs_err2str(err));
}

static int run(notify_t *m)
{
    char errstr[1024];
    m->last_input = m->last_commit = mono_ms();
    while (!stop && m->fatal == 0) {
        zs_err_t err = ZS_OK;
        int running = 0;
        /* Read what is there (a batch at most), waiting only when idle. */
        for (int n = 0; n < 1000 && err == ZS_OK && m->fatal == 0; n++) {
            bool busy = curl_multi_perform(m->multi, &running) == CURLM_OK && running > 0;
            rd_kafka_message_t *rkm =
                rd_kafka_consumer_poll(m->consumer, n > 0 || busy || m->pending > 0 ? 0 : 100);
            if (rkm == NULL)
                break;
            if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (rkm->partition >= 0 && rkm->partition < m->nparts)
                    m->parts[rkm->partition].at_end = true;
                rd_kafka_message_destroy(rkm);
                continue;
            }
            if (rkm->err) {
                zs_log_warn("consumer: %s", rd_kafka_message_errstr(rkm));
                if (rkm->err == RD_KAFKA_RESP_ERR__FATAL ||
                    rkm->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                    m->fatal = 1;
                rd_kafka_message_destroy(rkm);
                continue;
            }
            m->last_input = mono_ms();
            if (rkm->partition >= 0 && rkm->partition < m->nparts)
                m->parts[rkm->partition].at_end = false;
            err = take(m, rkm, errstr, sizeof(errstr));
        }
        if (err == ZS_OK)
            err = drive(m, errstr, sizeof(errstr));
        if (err == ZS_OK) {
            curl_multi_perform(m->multi, &running);
            err = webhook_collect(m, errstr, sizeof(errstr));
        }
        if (err == ZS_OK && running > 0)
            curl_multi_poll(m->multi, NULL, 0, 20, NULL);
        else if (err == ZS_OK && m->pending > 0)
            nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL); /* a backoff to pass */
        zs_producer_poll(m->producer, 0);
        flow(m);
        report_tick(m, false);
        metrics_tick(m);
        int64_t now = mono_ms();
        if (err == ZS_OK && now - m->last_commit >= m->commit_ms)
            err = commit(m, errstr, sizeof(errstr));
        if (err != ZS_OK) {
            zs_log_error("%s", errstr);
            m->fatal = 1;
            break;
        }
        if (m->exit_idle > 0 && m->assigned_once && now - m->last_input >= m->exit_idle &&
            all_done(m) && read_to_end(m)) {
            zs_log_info("nothing new for %" PRId64 " ms and everything delivered: stopping",
                        m->exit_idle);
            report_tick(m, true);
            break;
        }
    }
    if (m->fatal == 0 && commit(m, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("final commit: %s", errstr);
        m->fatal = 1;
    }
    log_channels(m);
    return m->fatal;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"routes", required_argument, NULL, 'r'},
                                             {"check-routes", no_argument, NULL, 'C'},
                                             {"exit-idle", required_argument, NULL, 'I'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    static notify_t m;
    char errstr[1024];
    int c = 0, rc = 2;
    bool check_only = false;
    zs_log_init("zs-notify", ZS_LOG_INFO, ZS_LOG_TEXT);
    if (zs_config_describe_if_asked(argc, argv, defs, stdout))
        return 0;
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return report_main(argc - 1, argv + 1);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        zs_log_error("curl_global_init failed");
        return 1;
    }
    zs_buf_init(&m.msg, (size_t)16 << 20);
    zs_buf_init(&m.json, (size_t)16 << 20);
    zs_buf_init(&m.detail, (size_t)1 << 16);
    if (zs_config_new(&m.cfg, defs, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("%s", errstr);
        goto done;
    }
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "h", longopts, NULL)) != -1) {
        int common = zs_config_take_option(m.cfg, c, optarg);
        if (common < 0)
            goto done;
        if (common > 0)
            continue;
        switch (c) {
        case 'r':
            if (zs_config_set(m.cfg, "zs.notify.routes", optarg, "--routes", true, errstr,
                              sizeof(errstr)) != ZS_OK) {
                zs_log_error("%s", errstr);
                goto done;
            }
            break;
        case 'C':
            check_only = true;
            break;
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
    if (zs_config_apply_logging(m.cfg, "zs-notify", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log_error("%s", errstr);
        goto done;
    }
    if (check_only) {
        zs_err_t err = load_routes(&m, errstr, sizeof(errstr));
        if (err != ZS_OK) {
            zs_log_error("%s", errstr);
            rc = err == ZS_ERR_NOMEM ? 1 : 2;
        } else {
            for (size_t i = 0; i < notify_routes_count(m.routes); i++) {
                const notify_route_t *r = notify_routes_at(m.routes, i);
                char display[NOTIFY_TARGET_MAX];
                notify_target_display(r, display, sizeof(display));
                printf("%-6s %-7s %s (channel %d, %s)\n", r->match, notify_kind_name(r->kind),
                       display, r->channel, r->origin);
            }
            rc = 0;
        }
        goto done;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    zs_prom_init(&m.prom);
    zs_err_t err = zs_metrics_start(m.cfg, &m.metrics, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = setup(&m, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log_error("%s", errstr);
        rc = err == ZS_ERR_INVALID || err == ZS_ERR_NOT_FOUND ? 2 : 1;
        goto done;
    }
    rc = run(&m);
done:
    teardown(&m);
    zs_config_destroy(m.cfg);
    curl_global_cleanup();
    return rc;
}
