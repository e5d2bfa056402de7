/* test_monitor_txn_faults.c: zs-monitor handles transactional errors as
 * librdkafka documents them (consumers/MONITOR.md "Exactly once"). Errors
 * are injected into the embedded broker (librdkafka 2.0.2's mock cluster,
 * rd_kafka_mock_push_request_errors) on Produce, AddPartitionsToTxn,
 * TxnOffsetCommit and EndTxn:
 *
 *  - an abortable error (rd_kafka_error_txn_requires_abort(): from
 *    commit_transaction, send_offsets_to_transaction, producev or failed
 *    deliveries) makes it log "transaction aborted; rewinding to the last
 *    commit", go on, and exit 0 having read every input record;
 *  - such an abort puts back in memory what its transaction changed
 *    ("undid N households of the aborted transaction"), also when the
 *    transaction held a quarter close, without reading the changelog again;
 *    past zs.monitor.undo.max it restores from the changelog instead;
 *  - a fatal one (fenced, an old epoch) makes it exit 3 with an error line,
 *    and a restart of the same instance finishes the work (exit 0).
 *
 * Either way each household's last state record in zs.monitor.state is
 * byte for byte that of an undisturbed run of the same input. The input: 20
 * households on 2 partitions, a snapshot and five income statements each
 * (one a correction), the 2024Q1 close on every partition of every input
 * topic; transactions of at most 20 records, so faults strike mid-stream.
 * Every scenario runs at once on its own broker (~30 s in all).
 *
 * The mock cluster accepts transactions without honouring them: aborted
 * records stay visible (also to the monitor's own restore), so the test
 * compares final states, never record counts, and warnings only one way
 * (none the undisturbed run did not write). It implements no static
 * membership, and a group whose last member left waits session.timeout.ms
 * before taking a new one: every run has static membership off and a 6 s
 * session timeout. argv[1] is zs-monitor, argv[2] zs-cat (only checked). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zs_avro.h"
#include "zs_broker.h"
#include "zs_codec.h"

/* Kafka ApiKeys */
#define API_PRODUCE            0
#define API_ADD_PARTITIONS_TXN 24
#define API_END_TXN            26
#define API_TXN_OFFSET_COMMIT  28

#define NPARTS      2  /* partitions of every topic */
#define NHOUSEHOLDS 20 /* H01..H20, household i on partition i % NPARTS */
#define NINCOMES    5  /* income statements per household */
#define NTOPICS     6
#define MAX_STATES  64

static const char *zs_monitor, *zs_cat;

static const char *const input_topics[NTOPICS] = {"zs.household", "zs.income",   "zs.employment",
                                                  "zs.subsidy",   "zs.hardship", "zs.followup"};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- running zs-monitor ---- */

/* Starts zs-monitor against boot as instance (-X zs.monitor.instance), its
 * stdout and stderr to log_path, with extra arguments (NULL-terminated). */
static pid_t spawn(const char *log_path, const char *boot, const char *instance,
                   const char *const *extra)
{
    char inst[128];
    snprintf(inst, sizeof(inst), "zs.monitor.instance=%s", instance);
    const char *argv[40] = {zs_monitor,
                            "-b",
                            boot,
                            "-X",
                            inst,
                            "-X",
                            "zs.monitor.static_membership=false",
                            "-X",
                            "zs.monitor.commit.interval=50ms",
                            "-X",
                            "zs.monitor.stats.interval=2s",
                            "-X",
                            "session.timeout.ms=6000",
                            "--exit-idle",
                            "1500"};
    int n = 15;
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 39; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(127);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        execv(zs_monitor, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char *text = NULL;
    size_t len = 0, cap = 0, got = 0;
    do {
        if (cap - len < 4096) {
            cap = cap * 2 + 4096;
            text = realloc(text, cap);
            assert_non_null(text);
        }
        got = fread(text + len, 1, cap - len - 1, fp);
        len += got;
    } while (got > 0);
    fclose(fp);
    text[len] = '\0';
    return text;
}

static void print_log(const char *path)
{
    char *text = slurp(path);
    fprintf(stderr, "---- %s ----\n%s---- end ----\n", path, text);
    free(text);
}

static int count_in(const char *text, const char *needle)
{
    int n = 0;
    for (const char *s = text; (s = strstr(s, needle)) != NULL; s += strlen(needle))
        n++;
    return n;
}

/* A fresh log file name (static storage of the caller). */
static void log_file(char *path, size_t size, const char *what)
{
    snprintf(path, size, "/tmp/zs-monitor-txn-%s-XXXXXX", what);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

/* ---- the input ---- */

typedef struct input {
    zs_schemas_t *set;
    zs_encoder_t *household, *income, *close;
    rd_kafka_t *rk;
    zs_buf_t msg;
    int sent, delivered, failed;
    int64_t end[NTOPICS][NPARTS]; /* messages sent per topic and partition */
} input_t;

static void set_str(avro_value_t *rec, const char *name, const char *s)
{
    assert_int_equal(zs_avro_set_str(rec, name, s), 0);
}

/* An int, long, boolean or enum (by symbol when sym is not NULL). */
static void set_num(avro_value_t *rec, const char *name, int64_t n, const char *sym)
{
    if (sym != NULL) {
        avro_value_t f = {0};
        assert_int_equal(zs_avro_field(rec, name, &f), 0);
        n = avro_schema_enum_get_by_name(avro_value_get_schema(&f), sym);
        assert_true(n >= 0);
    }
    assert_int_equal(zs_avro_set_num(rec, name, n), 0);
}

static zs_encoder_t *encoder(input_t *in, const char *message)
{
    char errstr[512] = "";
    zs_encoder_t *enc = NULL;
    const zs_schema_t *schema = zs_schemas_latest(in->set, message);
    assert_non_null(schema);
    assert_int_equal(zs_encoder_new(schema, &enc, errstr, sizeof(errstr)), ZS_OK);
    return enc;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    input_t *in = opaque;
    if (rkm->err)
        in->failed++;
    else
        in->delivered++;
}

static void input_open(input_t *in, const char *bootstraps)
{
    char errstr[512] = "";
    memset(in, 0, sizeof(*in));
    assert_int_equal(zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &in->set, errstr, sizeof(errstr)),
                     ZS_OK);
    in->household = encoder(in, "Household");
    in->income = encoder(in, "IncomeRecord");
    in->close = encoder(in, "PeriodClose");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, errstr, sizeof(errstr)),
        RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "enable.idempotence", "true", errstr, sizeof(errstr)),
                     RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, in);
    in->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(in->rk);
    zs_buf_init(&in->msg, 1 << 20);
}

/* Waits until everything sent is delivered, then closes. */
static void input_close(input_t *in)
{
    assert_int_equal(rd_kafka_flush(in->rk, 15000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(in->failed, 0);
    assert_int_equal(in->delivered, in->sent);
    rd_kafka_destroy(in->rk);
    zs_buf_free(&in->msg);
    zs_encoder_free(in->household);
    zs_encoder_free(in->income);
    zs_encoder_free(in->close);
    zs_schemas_free(in->set);
}

/* Encodes the encoder's value and sends it to partition p of topic t. */
static void send_value(input_t *in, zs_encoder_t *enc, int t, int32_t p, const char *key)
{
    char errstr[512] = "";
    assert_int_equal(zs_encoder_encode(enc, &in->msg, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(rd_kafka_producev(
                         in->rk, RD_KAFKA_V_TOPIC(input_topics[t]), RD_KAFKA_V_PARTITION(p),
                         RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, strlen(key)),
                         RD_KAFKA_V_VALUE(in->msg.data, in->msg.len), RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    in->sent++;
    in->end[t][p]++;
}

/* A household snapshot: members active persons born in 1980, skilled. */
static void send_household(input_t *in, const char *id, int32_t p, int members)
{
    avro_value_t *v = zs_encoder_value(in->household), arr = {0}, m = {0};
    set_str(v, "household_id", id);
    set_str(v, "county_code", "451227");
    set_str(v, "township", "T1");
    set_str(v, "village", "V1");
    set_num(v, "category", 0, "STABLE");
    set_num(v, "updated_at", 1704067200000, NULL);
    assert_int_equal(avro_value_get_by_name(v, "members", &arr, NULL), 0);
    for (int i = 0; i < members; i++) {
        char person[16];
        snprintf(person, sizeof(person), "P%d", i + 1);
        assert_int_equal(avro_value_append(&arr, &m, NULL), 0);
        assert_int_equal(zs_codec_null_optionals(&m), ZS_OK);
        set_str(&m, "person_id", person);
        set_num(&m, "relation", 0, i == 0 ? "HEAD" : "SPOUSE");
        set_num(&m, "birth_year", 1980, NULL);
        set_num(&m, "sex", 0, i % 2 ? "M" : "F");
        set_num(&m, "labor_class", 0, "SKILLED");
        set_num(&m, "disability", 0, NULL);
        set_num(&m, "in_school", 0, NULL);
        set_num(&m, "active", 1, NULL);
        set_num(&m, "updated_at", 1704067200000, NULL);
    }
    send_value(in, in->household, 0, p, id);
}

static void send_income(input_t *in, const char *event_id, const char *household, int32_t p,
                        int year, int month, int64_t fen)
{
    avro_value_t *v = zs_encoder_value(in->income);
    set_str(v, "event_id", event_id);
    set_str(v, "household_id", household);
    set_num(v, "year", year, NULL);
    set_num(v, "month", month, NULL);
    set_num(v, "component", 0, "WAGE");
    set_num(v, "amount_fen", fen, NULL);
    set_str(v, "source", "hrss");
    set_num(v, "reported_at", 1717200000000, NULL);
    send_value(in, in->income, 1, p, household);
}

/* The close marker of 2024Q1 on partition p of topic t, as zs-push close. */
static void send_close(input_t *in, int t, int32_t p)
{
    avro_value_t *v = zs_encoder_value(in->close);
    set_str(v, "topic", input_topics[t]);
    set_num(v, "partition", p, NULL);
    set_num(v, "year", 2024, NULL);
    set_num(v, "quarter", 1, NULL);
    set_num(v, "closed_at", 1712000000000, NULL);
    set_str(v, "closed_by", "test");
    send_value(in, in->close, t, p, "#close/2024Q1");
}

/* The input of every run: NHOUSEHOLDS snapshots and NINCOMES income
 * statements each (incomes from far below LOW_INCOME's line to well above
 * it, one a correction of an earlier statement, one after the quarter),
 * then the 2024Q1 close on every partition of every input topic. *end gets
 * the end offset of each input partition. */
static void write_input(const char *boot, int64_t end[NTOPICS][NPARTS])
{
    input_t in;
    input_open(&in, boot);
    static const int months[NINCOMES - 1][2] = {{2023, 5}, {2023, 8}, {2023, 11}, {2024, 2}};
    for (int h = 1; h <= NHOUSEHOLDS; h++) {
        char id[16], ev[32];
        int32_t p = h % NPARTS;
        snprintf(id, sizeof(id), "H%02d", h);
        send_household(&in, id, p, 1 + h % 3);
        int64_t fen = 60000 + 40000 * h; /* a quarter's wage */
        for (int i = 0; i < NINCOMES - 1; i++) {
            snprintf(ev, sizeof(ev), "E-%s-%d", id, i);
            send_income(&in, ev, id, p, months[i][0], months[i][1], fen);
        }
        /* A correction of the first statement (same identity, later). */
        snprintf(ev, sizeof(ev), "E-%s-0", id);
        send_income(&in, ev, id, p, 2023, 5, fen + 10000 * (h % 4));
    }
    for (int t = 0; t < NTOPICS; t++)
        for (int32_t p = 0; p < NPARTS; p++)
            send_close(&in, t, p);
    memcpy(end, in.end, sizeof(in.end));
    input_close(&in);
}

/* ---- reading the outcome ---- */

typedef struct outcome {
    int nstates;
    struct {
        char id[40];
        unsigned char *bytes;
        size_t len;
    } states[MAX_STATES];          /* the last state record per household */
    int64_t next[NPARTS][NTOPICS]; /* the last partition record's next offsets */
    int nwarnings;                 /* distinct warning_id/status pairs */
    char warnings[MAX_STATES * 4][96];
} outcome_t;

static void outcome_free(outcome_t *o)
{
    for (int i = 0; i < o->nstates; i++)
        free(o->states[i].bytes);
    memset(o, 0, sizeof(*o));
}

static bool get(avro_value_t *rec, const char *name, avro_value_t *out)
{
    avro_value_t f = {0};
    assert_int_equal(avro_value_get_by_name(rec, name, &f, NULL), 0);
    if (avro_value_get_type(&f) == AVRO_UNION) {
        int disc = -1;
        assert_int_equal(avro_value_get_discriminant(&f, &disc), 0);
        if (disc == 0)
            return false;
        assert_int_equal(avro_value_get_current_branch(&f, out), 0);
        return true;
    }
    *out = f;
    return true;
}

static const char *get_s(avro_value_t *rec, const char *name)
{
    avro_value_t f = {0};
    const char *s = NULL;
    size_t n = 0;
    if (!get(rec, name, &f))
        return NULL;
    assert_int_equal(avro_value_get_string(&f, &s, &n), 0);
    return s;
}

static int64_t get_n(avro_value_t *rec, const char *name)
{
    avro_value_t f = {0};
    int32_t i = 0;
    int64_t l = 0;
    assert_true(get(rec, name, &f));
    switch (avro_value_get_type(&f)) {
    case AVRO_INT32:
        assert_int_equal(avro_value_get_int(&f, &i), 0);
        return i;
    case AVRO_ENUM:
        assert_int_equal(avro_value_get_enum(&f, &i), 0);
        return i;
    default:
        assert_int_equal(avro_value_get_long(&f, &l), 0);
        return l;
    }
}

static const char *get_enum(avro_value_t *rec, const char *name)
{
    avro_value_t f = {0};
    int i = 0;
    assert_true(get(rec, name, &f));
    assert_int_equal(avro_value_get_enum(&f, &i), 0);
    return avro_schema_enum_get(avro_value_get_schema(&f), i);
}

static void on_state(outcome_t *o, avro_value_t *v)
{
    const char *id = get_s(v, "household_id");
    assert_non_null(id);
    int32_t p = (int32_t)get_n(v, "partition");
    assert_true(p >= 0 && p < NPARTS);
    if (strcmp(get_enum(v, "scope"), "PARTITION") == 0) {
        avro_value_t arr = {0}, item = {0};
        size_t n = 0;
        assert_int_equal(avro_value_get_by_name(v, "input_offsets", &arr, NULL), 0);
        assert_int_equal(avro_value_get_size(&arr, &n), 0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(avro_value_get_by_index(&arr, i, &item, NULL), 0);
            for (int t = 0; t < NTOPICS; t++)
                if (strcmp(get_s(&item, "topic"), input_topics[t]) == 0)
                    o->next[p][t] = get_n(&item, "offset");
        }
        return;
    }
    avro_value_t f = {0};
    const void *b = NULL;
    size_t len = 0;
    assert_true(get(v, "state", &f));
    assert_int_equal(avro_value_get_bytes(&f, &b, &len), 0);
    int i = 0;
    while (i < o->nstates && strcmp(o->states[i].id, id) != 0)
        i++;
    if (i == o->nstates) {
        assert_true(o->nstates < MAX_STATES);
        snprintf(o->states[o->nstates++].id, sizeof(o->states[0].id), "%s", id);
    }
    free(o->states[i].bytes);
    o->states[i].bytes = malloc(len ? len : 1);
    assert_non_null(o->states[i].bytes);
    memcpy(o->states[i].bytes, b, len);
    o->states[i].len = len;
}

static void on_warning(outcome_t *o, avro_value_t *v)
{
    char w[96];
    snprintf(w, sizeof(w), "%s %s", get_s(v, "warning_id"), get_enum(v, "status"));
    for (int i = 0; i < o->nwarnings; i++)
        if (strcmp(o->warnings[i], w) == 0)
            return;
    assert_true(o->nwarnings < (int)(sizeof(o->warnings) / sizeof(o->warnings[0])));
    snprintf(o->warnings[o->nwarnings++], sizeof(o->warnings[0]), "%s", w);
}

/* Reads zs.monitor.state and zs.warnings of every scenario's broker to
 * their ends (in offset order per partition) into outs[i], all at once. */
static void read_outcomes(const char *const *boots, outcome_t *outs, int n)
{
    static const char *const topics[] = {"zs.monitor.state", "zs.warnings"};
    char errstr[512] = "";
    zs_schemas_t *set = NULL;
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &set, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    rd_kafka_t **rk = calloc((size_t)n, sizeof(*rk));
    int *eofs = calloc((size_t)n, sizeof(*eofs));
    assert_non_null(rk);
    assert_non_null(eofs);
    for (int i = 0; i < n; i++) {
        memset(&outs[i], 0, sizeof(outs[i]));
        for (int32_t p = 0; p < NPARTS; p++)
            for (int t = 0; t < NTOPICS; t++)
                outs[i].next[p][t] = -1;
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        const char *props[][2] = {{"bootstrap.servers", boots[i]},
                                  {"group.id", "test-monitor-txn-faults-reader"},
                                  {"enable.auto.commit", "false"},
                                  {"enable.partition.eof", "true"}};
        for (size_t k = 0; k < sizeof(props) / sizeof(props[0]); k++)
            assert_int_equal(
                rd_kafka_conf_set(conf, props[k][0], props[k][1], errstr, sizeof(errstr)),
                RD_KAFKA_CONF_OK);
        rk[i] = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        assert_non_null(rk[i]);
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(2 * NPARTS);
        for (int t = 0; t < 2; t++)
            for (int32_t p = 0; p < NPARTS; p++)
                rd_kafka_topic_partition_list_add(list, topics[t], p)->offset =
                    RD_KAFKA_OFFSET_BEGINNING;
        assert_int_equal(rd_kafka_assign(rk[i], list), RD_KAFKA_RESP_ERR_NO_ERROR);
        rd_kafka_topic_partition_list_destroy(list);
    }
    int64_t deadline = mono_ms() + 20000;
    for (bool more = true; more && mono_ms() < deadline;) {
        more = false;
        for (int i = 0; i < n; i++) {
            if (eofs[i] == 2 * NPARTS)
                continue;
            more = true;
            rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk[i], 5);
            if (rkm == NULL)
                continue;
            if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                eofs[i]++;
            } else if (rkm->err) {
                fprintf(stderr, "reading %s: %s\n", boots[i], rd_kafka_message_errstr(rkm));
            } else {
                const zs_schema_t *reader = NULL;
                avro_value_t *value = NULL;
                assert_int_equal(zs_decoder_decode(dec, rkm->payload, rkm->len, &reader, &value,
                                                   errstr, sizeof(errstr)),
                                 ZS_OK);
                if (strcmp(rd_kafka_topic_name(rkm->rkt), topics[0]) == 0)
                    on_state(&outs[i], value);
                else
                    on_warning(&outs[i], value);
            }
            rd_kafka_message_destroy(rkm);
        }
    }
    for (int i = 0; i < n; i++) {
        assert_int_equal(eofs[i], 2 * NPARTS);
        rd_kafka_destroy(rk[i]);
    }
    free(rk);
    free(eofs);
    zs_decoder_free(dec);
    zs_schemas_free(set);
}

/* Every input record was read: each partition record is past the end of
 * its input partitions. */
static void assert_all_read(const outcome_t *o, int64_t end[NTOPICS][NPARTS])
{
    int short_of = 0;
    for (int32_t p = 0; p < NPARTS; p++)
        for (int t = 0; t < NTOPICS; t++)
            if (o->next[p][t] != end[t][p]) {
                fprintf(stderr, "%s [%d]: next offset %lld in the changelog, the end is %lld\n",
                        input_topics[t], (int)p, (long long)o->next[p][t], (long long)end[t][p]);
                short_of++;
            }
    assert_int_equal(short_of, 0);
}

/* ---- the scenarios ---- */

/* One run of the input on its own broker, with errors pushed onto one
 * request type before zs-monitor starts. errs are consumed one per request
 * of that type, in order (0: answered normally), so "0,0,90" fails the
 * third. */
typedef struct scenario {
    const char *name;   /* also the monitor's instance */
    int16_t api;        /* the Kafka ApiKey the errors answer (-1: none) */
    const char *errs;   /* comma-separated rd_kafka_resp_err_t codes */
    int repeat;         /* the list this many times */
    const char *extra;  /* one more -X KEY=VALUE, or NULL */
    const char *extra2; /* and another (with extra), or NULL */
    bool fatal;         /* expected: exit 3, then a restart */
    /* the run */
    zs_broker_t *broker;
    const char *boot;
    int64_t end[NTOPICS][NPARTS];
    char log[2][64];
    pid_t pid[2];
    int rc[2];
    outcome_t out;
} scenario_t;

static scenario_t scenarios[] = {
    {.name = "txn-base", .api = -1},
    /* abortable: commit_transaction() fails (EndTxn), requires abort */
    {.name = "txn-endtxn-unknown-pid", .api = API_END_TXN, .errs = "0,0,59"},
    /* abortable: send_offsets_to_transaction() fails (TxnOffsetCommit) */
    {.name = "txn-offsets-group-auth", .api = API_TXN_OFFSET_COMMIT, .errs = "0,0,30"},
    /* abortable, surfacing in producev() (AddPartitionsToTxn) */
    {.name = "txn-addparts-topic-auth", .api = API_ADD_PARTITIONS_TXN, .errs = "0,0,0,0,29"},
    /* abortable: a permanent produce error fails messages' delivery */
    {.name = "txn-produce-too-large", .api = API_PRODUCE, .errs = "0,0,0,0,0,0,10"},
    /* abortable: a persistent retriable produce error times messages out */
    {.name = "txn-produce-timeout",
     .api = API_PRODUCE,
     .errs = "19",
     .repeat = 60,
     .extra = "message.timeout.ms=1000"},
    /* abortable, the whole input and its quarter close in one transaction:
     * the first commit fails (EndTxn UNKNOWN_PRODUCER_ID) */
    {.name = "txn-undo-close",
     .api = API_END_TXN,
     .errs = "59",
     .extra = "zs.monitor.commit.records=100000",
     .extra2 = "zs.monitor.commit.interval=4s"},
    /* abortable as txn-endtxn-unknown-pid, with no room to undo in memory */
    {.name = "txn-undo-bound",
     .api = API_END_TXN,
     .errs = "0,0,59",
     .extra = "zs.monitor.undo.max=0"},
    /* fatal: fenced at the third commit (EndTxn PRODUCER_FENCED) */
    {.name = "txn-endtxn-fenced", .api = API_END_TXN, .errs = "0,0,90", .fatal = true},
    /* fatal: an old epoch on TxnOffsetCommit */
    {.name = "txn-offsets-old-epoch",
     .api = API_TXN_OFFSET_COMMIT,
     .errs = "0,0,47",
     .fatal = true},
    /* fatal: an old epoch on AddPartitionsToTxn (fenced) */
    {.name = "txn-addparts-old-epoch",
     .api = API_ADD_PARTITIONS_TXN,
     .errs = "0,0,47",
     .fatal = true},
};

#define NSCENARIOS ((int)(sizeof(scenarios) / sizeof(scenarios[0])))

static scenario_t *base = &scenarios[0];

static scenario_t *scenario(const char *name)
{
    for (int i = 0; i < NSCENARIOS; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    fail_msg("no scenario %s", name);
    return NULL;
}

static bool verbose(void)
{
    return getenv("ZS_TEST_VERBOSE") != NULL;
}

/* The embedded broker takes seconds to start and to stop: all at once,
 * one thread each. */
static void *broker_start(void *arg)
{
    scenario_t *s = arg;
    char errstr[512] = "";
    if (zs_broker_start(1, "zs.", NPARTS, &s->broker, errstr, sizeof(errstr)) != ZS_OK)
        fprintf(stderr, "%s: %s\n", s->name, errstr);
    return NULL;
}

static void *broker_stop(void *arg)
{
    zs_broker_stop(((scenario_t *)arg)->broker);
    return NULL;
}

static void each_in_thread(void *(*fn)(void *))
{
    pthread_t th[sizeof(scenarios) / sizeof(scenarios[0])];
    for (int i = 0; i < NSCENARIOS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, fn, &scenarios[i]), 0);
    for (int i = 0; i < NSCENARIOS; i++)
        pthread_join(th[i], NULL);
}

/* The scenario's broker (started) gets the input, then the errors. */
static void scenario_prepare(scenario_t *s)
{
    s->rc[0] = s->rc[1] = -100;
    assert_non_null(s->broker);
    s->boot = zs_broker_bootstraps(s->broker);
    write_input(s->boot, s->end);
    if (s->api < 0)
        return;
    rd_kafka_resp_err_t errs[256];
    size_t n = 0;
    for (int r = 0; r < (s->repeat > 0 ? s->repeat : 1); r++)
        for (const char *c = s->errs; *c != '\0';) {
            char *end = NULL;
            assert_true(n < sizeof(errs) / sizeof(errs[0]));
            errs[n++] = (rd_kafka_resp_err_t)strtol(c, &end, 10);
            c = *end == ',' ? end + 1 : end;
        }
    rd_kafka_mock_push_request_errors_array(zs_broker_cluster(s->broker), s->api, n, errs);
}

static void scenario_spawn(scenario_t *s, int run)
{
    const char *extra[] = {"-X", "zs.monitor.commit.records=20", "-X", s->extra, "-X", s->extra2,
                           NULL};
    if (s->extra == NULL)
        extra[2] = NULL;
    else if (s->extra2 == NULL)
        extra[4] = NULL;
    log_file(s->log[run], sizeof(s->log[run]), s->name + 4);
    s->pid[run] = spawn(s->log[run], s->boot, s->name, extra);
}

/* Waits for every zs-monitor started, starting the restart of a fatal
 * scenario as soon as its first run exits 3; one still running after
 * timeout_ms is killed (rc -2). */
static void wait_all(long timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    for (;;) {
        bool running = false;
        for (int i = 0; i < NSCENARIOS; i++)
            for (int run = 0; run < 2; run++) {
                scenario_t *s = &scenarios[i];
                int status = 0;
                if (s->pid[run] <= 0 || s->rc[run] != -100)
                    continue;
                pid_t r = waitpid(s->pid[run], &status, WNOHANG);
                assert_true(r == 0 || r == s->pid[run]);
                if (r == 0 && mono_ms() > deadline) {
                    kill(s->pid[run], SIGKILL);
                    waitpid(s->pid[run], &status, 0);
                    s->rc[run] = -2;
                } else if (r == 0) {
                    running = true;
                } else {
                    s->rc[run] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
                    if (run == 0 && s->fatal && s->rc[0] == 3) {
                        scenario_spawn(s, 1);
                        running = true;
                    }
                }
            }
        if (!running)
            return;
        sleep_ms(50);
    }
}

/* Group set-up: every scenario at once, each on its own broker (the
 * restarts of the fatal ones as soon as they exit), then what each left
 * behind. */
static int run_all(void **state)
{
    (void)state;
    int64_t t0 = mono_ms();
    each_in_thread(broker_start);
    for (int i = 0; i < NSCENARIOS; i++)
        scenario_prepare(&scenarios[i]);
    if (verbose())
        fprintf(stderr, "prepared in %lld ms\n", (long long)(mono_ms() - t0));
    for (int i = 0; i < NSCENARIOS; i++)
        scenario_spawn(&scenarios[i], 0);
    wait_all(50000);
    if (verbose())
        fprintf(stderr, "runs done at %lld ms\n", (long long)(mono_ms() - t0));
    const char *boots[sizeof(scenarios) / sizeof(scenarios[0])];
    outcome_t *outs = calloc(NSCENARIOS, sizeof(*outs));
    assert_non_null(outs);
    for (int i = 0; i < NSCENARIOS; i++)
        boots[i] = scenarios[i].boot;
    read_outcomes(boots, outs, NSCENARIOS);
    for (int i = 0; i < NSCENARIOS; i++)
        scenarios[i].out = outs[i];
    free(outs);
    if (verbose()) {
        for (int i = 0; i < NSCENARIOS; i++)
            for (int run = 0; run < 2; run++)
                if (scenarios[i].log[run][0] != '\0')
                    print_log(scenarios[i].log[run]);
        fprintf(stderr, "read at %lld ms\n", (long long)(mono_ms() - t0));
    }
    return 0;
}

static int run_all_done(void **state)
{
    (void)state;
    for (int i = 0; i < NSCENARIOS; i++) {
        scenario_t *s = &scenarios[i];
        for (int run = 0; run < 2; run++)
            if (s->log[run][0] != '\0')
                unlink(s->log[run]);
        outcome_free(&s->out);
    }
    each_in_thread(broker_stop);
    return 0;
}

/* The number right after text in the log (from the final line on), or -1
 * when there is none or it does not read as a number. */
static long number_after(const char *log, const char *text)
{
    const char *final = strstr(log, "final: events ");
    const char *at = final != NULL ? strstr(final, text) : NULL;
    if (at == NULL)
        return -1;
    char *end = NULL;
    errno = 0;
    long n = strtol(at + strlen(text), &end, 10);
    return errno != 0 || end == at + strlen(text) ? -1 : n;
}

/* The aborted transactions of "final: ... N committed M aborted". */
static int aborts_counted(const char *log)
{
    return (int)number_after(log, " committed ");
}

/* The final line's event count. */
static long events_counted(const char *log)
{
    return number_after(log, "final: events ");
}

/* An ERROR line of zs-monitor itself (not librdkafka's, "ERROR kafka"). */
static bool own_error_line(const char *log)
{
    for (const char *s = log; (s = strstr(s, " zs-monitor ERROR ")) != NULL; s++)
        if (strncmp(s + strlen(" zs-monitor ERROR "), "kafka ", 6) != 0)
            return true;
    return false;
}

/* The final household states equal the undisturbed run's, byte for byte;
 * every warning written is one the undisturbed run wrote. (Not the
 * converse: the mock cluster shows an aborted transaction's state records
 * to the restore, so a rewind can skip input whose warnings were never
 * delivered; on Kafka those records are invisible and the input is redone.
 * The states are the whole outcome either way.) */
static void assert_same_outcome(const scenario_t *s)
{
    const outcome_t *o = &s->out, *b = &base->out;
    int differ = 0;
    if (o->nstates != b->nstates) {
        fprintf(stderr, "%s: %d households in the changelog, %d in the undisturbed run\n", s->name,
                o->nstates, b->nstates);
        differ++;
    }
    for (int i = 0; i < b->nstates; i++) {
        int j = 0;
        while (j < o->nstates && strcmp(o->states[j].id, b->states[i].id) != 0)
            j++;
        if (j == o->nstates) {
            fprintf(stderr, "%s: household %s has no state\n", s->name, b->states[i].id);
            differ++;
        } else if (o->states[j].len != b->states[i].len ||
                   memcmp(o->states[j].bytes, b->states[i].bytes, o->states[j].len) != 0) {
            fprintf(stderr,
                    "%s: household %s: its final state differs from the undisturbed run's\n",
                    s->name, b->states[i].id);
            differ++;
        }
    }
    for (int j = 0; j < o->nwarnings; j++) {
        bool found = false;
        for (int i = 0; i < b->nwarnings && !found; i++)
            found = strcmp(o->warnings[j], b->warnings[i]) == 0;
        if (!found) {
            fprintf(stderr, "%s: warning %s, which the undisturbed run did not write\n", s->name,
                    o->warnings[j]);
            differ++;
        }
    }
    assert_int_equal(differ, 0);
}

/* ---- 0: the undisturbed run ---- */

static void undisturbed_run_is_the_reference(void **state)
{
    (void)state;
    if (base->rc[0] != 0)
        print_log(base->log[0]);
    assert_int_equal(base->rc[0], 0);
    char *log = slurp(base->log[0]);
    assert_null(strstr(log, "transaction aborted"));
    assert_int_equal(aborts_counted(log), 0);
    free(log);
    assert_all_read(&base->out, base->end);
    /* A reference worth comparing with: every household has a state, and
     * the 2024Q1 close opened warnings for the poorer ones. */
    assert_int_equal(base->out.nstates, NHOUSEHOLDS);
    assert_true(base->out.nwarnings >= 3);
}

/* ---- 1: abortable errors: abort, rewind, go on, exit 0 ---- */

static void check_abortable(const char *name)
{
    scenario_t *s = scenario(name);
    char *log = slurp(s->log[0]);
    int rewinds = count_in(log, "transaction aborted; rewinding to the last commit");
    int aborts = aborts_counted(log);
    if (s->rc[0] != 0 || rewinds < 1 || aborts < 1)
        print_log(s->log[0]);
    free(log);
    assert_int_equal(s->rc[0], 0);
    assert_true(rewinds >= 1);
    assert_int_equal(aborts, rewinds); /* the final line counts them */
    assert_all_read(&s->out, s->end);
    assert_same_outcome(s);
}

/* EndTxn UNKNOWN_PRODUCER_ID: commit_transaction() says "requires abort". */
static void endtxn_abortable_rewinds_and_finishes(void **state)
{
    (void)state;
    check_abortable("txn-endtxn-unknown-pid");
}

/* TxnOffsetCommit GROUP_AUTHORIZATION_FAILED: send_offsets_to_transaction()
 * says "requires abort". */
static void offsets_abortable_rewinds_and_finishes(void **state)
{
    (void)state;
    check_abortable("txn-offsets-group-auth");
}

/* AddPartitionsToTxn TOPIC_AUTHORIZATION_FAILED: the transaction turns
 * abortable while the batch is produced (producev: "Erroneous state"). */
static void addparts_abortable_rewinds_and_finishes(void **state)
{
    (void)state;
    check_abortable("txn-addparts-topic-auth");
}

/* Produce MSG_SIZE_TOO_LARGE: messages fail delivery, the commit says
 * "requires abort". */
static void produce_error_rewinds_and_finishes(void **state)
{
    (void)state;
    check_abortable("txn-produce-too-large");
}

/* A persistent NOT_ENOUGH_REPLICAS with message.timeout.ms=1000: messages
 * time out, the transaction is abortable (with an epoch bump), as often as
 * it happens. */
static void produce_timeouts_rewind_and_finish(void **state)
{
    (void)state;
    check_abortable("txn-produce-timeout");
}

/* ---- 2: an abort undoes its own transaction, nothing more ---- */

/* Restores from the changelog: "restored N partitions: ..." lines. */
static int restores_counted(const char *log)
{
    int n = 0;
    for (const char *s = log; (s = strstr(s, "restored ")) != NULL; s++)
        n += s[strlen("restored ")] >= '0' && s[strlen("restored ")] <= '9';
    return n;
}

/* The households the aborts put back: the sum of "undid N households"; -1
 * when no abort was undone. */
static long households_undone(const char *log)
{
    long sum = -1;
    for (const char *s = log; (s = strstr(s, "undid ")) != NULL; s++) {
        char *end = NULL;
        long n = strtol(s + strlen("undid "), &end, 10);
        if (end != s + strlen("undid ") && strncmp(end, " households", 11) == 0)
            sum = (sum < 0 ? 0 : sum) + n;
    }
    return sum;
}

/* Every warning the undisturbed run wrote was written here too (the
 * converse is assert_same_outcome's). */
static void assert_every_warning_written(const scenario_t *s)
{
    int missing = 0;
    for (int i = 0; i < base->out.nwarnings; i++) {
        bool found = false;
        for (int j = 0; j < s->out.nwarnings && !found; j++)
            found = strcmp(s->out.warnings[j], base->out.warnings[i]) == 0;
        if (!found) {
            fprintf(stderr, "%s: warning %s of the undisturbed run was not written\n", s->name,
                    base->out.warnings[i]);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
}

/* An abort puts back what its transaction changed in memory (households,
 * the partitions' offsets, closes, watermark and audit chains), rewinds
 * the consumer to the last commit and goes on: the changelog is read once,
 * at the assignment, not again at every abort. min_undone: the households
 * the aborts put back, at least. */
static void check_undone(const char *name, long min_undone)
{
    scenario_t *s = scenario(name);
    char *log = slurp(s->log[0]);
    int rewinds = count_in(log, "transaction aborted; rewinding to the last commit");
    int undone = count_in(log, " households of the aborted transaction");
    int restores = restores_counted(log);
    long households = households_undone(log);
    long counted = number_after(log, " aborted (");
    if (s->rc[0] != 0 || rewinds < 1 || undone != rewinds || counted != rewinds || restores != 1 ||
        households < min_undone)
        print_log(s->log[0]);
    free(log);
    assert_int_equal(s->rc[0], 0);
    assert_true(rewinds >= 1);
    assert_int_equal(undone, rewinds);  /* every abort undone in memory */
    assert_int_equal(counted, rewinds); /* and the final line counts them */
    assert_int_equal(restores, 1);      /* the assignment's restore only */
    assert_true(households >= min_undone);
    assert_all_read(&s->out, s->end);
    /* As if the aborted transaction had never been: the same states, and
     * the same warnings both ways (its input was redone, not skipped). */
    assert_same_outcome(s);
    assert_every_warning_written(s);
}

/* Regression (issue 11, item 6): an abort re-read the whole changelog of
 * every assigned partition. Now it undoes its own transaction: mid-stream
 * (households that had a committed state get it back) and at the quarter
 * close, whose transaction wrote every household (all new: deleted). */
static void abort_rereads_the_whole_changelog(void **state)
{
    (void)state;
    check_undone("txn-endtxn-unknown-pid", 1);
    check_undone("txn-undo-close", NHOUSEHOLDS);
}

/* An undo log past zs.monitor.undo.max (here 0): the abort falls back to
 * the restore from the changelog, says so, and the outcome is the same. */
static void abort_past_the_undo_bound_restores(void **state)
{
    (void)state;
    check_abortable("txn-undo-bound");
    scenario_t *s = scenario("txn-undo-bound");
    char *log = slurp(s->log[0]);
    int rewinds = count_in(log, "transaction aborted; rewinding to the last commit");
    int fallbacks = count_in(log, "restoring from the changelog");
    int restores = restores_counted(log);
    bool undone = strstr(log, " households of the aborted transaction") != NULL;
    long counted = number_after(log, " aborted (");
    if (fallbacks != rewinds || restores != 1 + rewinds || undone || counted != 0)
        print_log(s->log[0]);
    free(log);
    assert_int_equal(fallbacks, rewinds);
    assert_int_equal(restores, 1 + rewinds);
    assert_false(undone);
    assert_int_equal(counted, 0);
}

/* ---- 3: fatal errors: exit 3, the restart finishes ---- */

static void check_fatal(const char *name)
{
    scenario_t *s = scenario(name);
    char *log = slurp(s->log[0]);
    bool error_line = own_error_line(log);
    bool rewound = strstr(log, "transaction aborted") != NULL;
    if (s->rc[0] != 3 || !error_line || rewound)
        print_log(s->log[0]);
    free(log);
    assert_int_equal(s->rc[0], 3);
    assert_true(error_line);
    assert_false(rewound); /* a fatal error is not aborted and retried */
    /* The restart, same instance: from the last commit to the end. */
    if (s->rc[1] != 0)
        print_log(s->log[1]);
    assert_int_equal(s->rc[1], 0);
    log = slurp(s->log[1]);
    long events = events_counted(log);
    bool clean = strstr(log, " zs-monitor ERROR ") == NULL;
    free(log);
    assert_true(events > 0); /* the fault struck before the end: the restart had work */
    assert_true(clean);
    assert_all_read(&s->out, s->end);
    assert_same_outcome(s);
}

/* EndTxn PRODUCER_FENCED at the third commit. */
static void fenced_commit_exits_3_and_a_restart_finishes(void **state)
{
    (void)state;
    check_fatal("txn-endtxn-fenced");
}

/* TxnOffsetCommit INVALID_PRODUCER_EPOCH at the third commit. */
static void old_epoch_offsets_exit_3_and_a_restart_finishes(void **state)
{
    (void)state;
    check_fatal("txn-offsets-old-epoch");
}

/* AddPartitionsToTxn INVALID_PRODUCER_EPOCH (librdkafka: fenced). */
static void old_epoch_addparts_exits_3_and_a_restart_finishes(void **state)
{
    (void)state;
    check_fatal("txn-addparts-old-epoch");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ZS-MONITOR ZS-CAT\n", argv[0]);
        return 2;
    }
    zs_monitor = argv[1];
    zs_cat = argv[2];
    if (access(zs_monitor, X_OK) != 0 || access(zs_cat, X_OK) != 0) {
        fprintf(stderr, "%s or %s: not executable\n", zs_monitor, zs_cat);
        return 2;
    }
    if (getenv("ZS_SCHEMA_DIR") == NULL) {
        fprintf(stderr, "ZS_SCHEMA_DIR is not set\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(undisturbed_run_is_the_reference),
        cmocka_unit_test(endtxn_abortable_rewinds_and_finishes),
        cmocka_unit_test(offsets_abortable_rewinds_and_finishes),
        cmocka_unit_test(addparts_abortable_rewinds_and_finishes),
        cmocka_unit_test(produce_error_rewinds_and_finishes),
        cmocka_unit_test(produce_timeouts_rewind_and_finish),
        cmocka_unit_test(abort_rereads_the_whole_changelog),
        cmocka_unit_test(abort_past_the_undo_bound_restores),
        cmocka_unit_test(fenced_commit_exits_3_and_a_restart_finishes),
        cmocka_unit_test(old_epoch_offsets_exit_3_and_a_restart_finishes),
        cmocka_unit_test(old_epoch_addparts_exits_3_and_a_restart_finishes),
    };
    return cmocka_run_group_tests_name("txn_faults", tests, run_all, run_all_done);
}
