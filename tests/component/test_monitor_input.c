/* test_monitor_input.c: zs-monitor against the embedded broker (one
 * partition per topic). Input it cannot use (bytes that are not a message,
 * month 13, a key that is not the record's household, another schema than
 * the topic carries) goes to zs.deadletter with its place and bytes, and the
 * valid input after it is still applied: a household with too little income
 * gets exactly one LOW_INCOME warning at the 2024Q1 close. Values the input
 * contract forbids (common/zs_contract.h) are dead letters too: an amount
 * beyond its maximum, a reported_at of INT64_MAX, a source over 100 bytes,
 * a birth year of -5, a county not of the region, a member listed twice, a
 * household without members, a follow-up without a warning_id; a source of
 * 100 bytes, which zs-push accepts, is applied. SIGTERM stops it
 * cleanly with what it read committed; bad usage and a missing topic exit 2.
 * argv[1] is zs-monitor, argv[2] zs-cat (reads zs.audit back). The mock
 * cluster accepts transactions without honouring them: nothing here tests
 * exactly-once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zs_avro.h"
#include "zs_broker.h"
#include "zs_codec.h"

static const char *zs_monitor, *zs_cat;

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

/* Starts zs-monitor with args (NULL-terminated, without argv[0]); its
 * stdout and stderr go to log_path. */
static pid_t spawn(const char *log_path, const char *const *args)
{
    const char *argv[32] = {zs_monitor};
    int n = 1;
    for (; args[n - 1] != NULL && n < 31; n++)
        argv[n] = args[n - 1];
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

/* Waits for pid at most timeout_ms; its exit status (-1: killed by a
 * signal). A process still running then is killed and the test fails. */
static int wait_exit(pid_t pid, long timeout_ms)
{
    int status = 0;
    int64_t deadline = mono_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        assert_int_equal(r, 0);
        if (mono_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fail_msg("zs-monitor (pid %d) still running after %ld ms", (int)pid, timeout_ms);
        }
        sleep_ms(50);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The whole of a file, NUL-terminated (the caller frees). */
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

/* Waits until the log holds needle, at most timeout_ms. */
static bool log_waits_for(const char *path, const char *needle, long timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    do {
        char *text = slurp(path);
        bool found = strstr(text, needle) != NULL;
        free(text);
        if (found)
            return true;
        sleep_ms(100);
    } while (mono_ms() < deadline);
    return false;
}

static int count_in(const char *text, const char *needle)
{
    int n = 0;
    for (const char *s = text; (s = strstr(s, needle)) != NULL; s += strlen(needle))
        n++;
    return n;
}

/* ---- writing input ---- */

typedef struct input {
    zs_schemas_t *set;
    zs_encoder_t *household, *income, *employment, *subsidy, *close, *followup;
    rd_kafka_t *rk;
    zs_buf_t msg;
    int sent, delivered, failed;
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

/* Delivery: the offset to where the sender asked (rkm->_private). */
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    input_t *in = opaque;
    int64_t *offset = rkm->_private;
    if (rkm->err)
        in->failed++;
    else
        in->delivered++;
    if (offset != NULL)
        *offset = rkm->err ? -2 : rkm->offset;
}

static void input_open(input_t *in, const char *bootstraps)
{
    char errstr[512] = "";
    memset(in, 0, sizeof(*in));
    assert_int_equal(zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &in->set, errstr, sizeof(errstr)),
                     ZS_OK);
    in->household = encoder(in, "Household");
    in->income = encoder(in, "IncomeRecord");
    in->employment = encoder(in, "EmploymentRecord");
    in->subsidy = encoder(in, "SubsidyRecord");
    in->close = encoder(in, "PeriodClose");
    in->followup = encoder(in, "FollowUp");
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

/* Waits until everything sent is delivered (the offsets are then known). */
static void input_flush(input_t *in)
{
    assert_int_equal(rd_kafka_flush(in->rk, 15000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(in->failed, 0);
    assert_int_equal(in->delivered, in->sent);
}

static void input_close(input_t *in)
{
    input_flush(in);
    rd_kafka_destroy(in->rk);
    zs_buf_free(&in->msg);
    zs_encoder_free(in->household);
    zs_encoder_free(in->income);
    zs_encoder_free(in->employment);
    zs_encoder_free(in->subsidy);
    zs_encoder_free(in->close);
    zs_encoder_free(in->followup);
    zs_schemas_free(in->set);
}

/* Sends bytes to partition 0 of topic (the idempotent producer keeps the
 * order); *offset is set on delivery (input_flush) when not NULL. */
static void send_raw(input_t *in, const char *topic, const char *key, const void *bytes, size_t len,
                     int64_t *offset)
{
    if (offset != NULL)
        *offset = -1;
    assert_int_equal(rd_kafka_producev(in->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_KEY(key, strlen(key)),
                                       RD_KAFKA_V_VALUE((void *)bytes, len),
                                       RD_KAFKA_V_OPAQUE(offset), RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    in->sent++;
}

/* Encodes the encoder's filled value and sends it. */
static void send_value(input_t *in, zs_encoder_t *enc, const char *topic, const char *key,
                       int64_t *offset)
{
    char errstr[512] = "";
    assert_int_equal(zs_encoder_encode(enc, &in->msg, errstr, sizeof(errstr)), ZS_OK);
    send_raw(in, topic, key, in->msg.data, in->msg.len, offset);
}

/* A household snapshot of county: nmembers active members P1, P2, ... (all
 * P1 when same), born in birth_year, skilled labour. */
static avro_value_t *fill_household(input_t *in, const char *id, const char *county, int nmembers,
                                    bool same, int birth_year)
{
    avro_value_t *v = zs_encoder_value(in->household), arr = {0}, m = {0};
    set_str(v, "household_id", id);
    set_str(v, "county_code", county);
    set_str(v, "township", "T1");
    set_str(v, "village", "V1");
    set_num(v, "category", 0, "STABLE");
    set_num(v, "updated_at", 1704067200000, NULL);
    assert_int_equal(avro_value_get_by_name(v, "members", &arr, NULL), 0);
    assert_int_equal(avro_value_reset(&arr), 0);
    for (int i = 0; i < nmembers; i++) {
        char person[16];
        snprintf(person, sizeof(person), "P%d", same ? 1 : i + 1);
        assert_int_equal(avro_value_append(&arr, &m, NULL), 0);
        assert_int_equal(zs_codec_null_optionals(&m), ZS_OK);
        set_str(&m, "person_id", person);
        set_num(&m, "relation", 0, i == 0 ? "HEAD" : "CHILD");
        set_num(&m, "birth_year", birth_year, NULL);
        set_num(&m, "sex", 0, "F");
        set_num(&m, "labor_class", 0, "SKILLED");
        set_num(&m, "disability", 0, NULL);
        set_num(&m, "in_school", 0, NULL);
        set_num(&m, "active", 1, NULL);
        set_num(&m, "updated_at", 1704067200000, NULL);
    }
    return v;
}

/* A household snapshot: one active member born in 1980, skilled labour. */
static void send_household(input_t *in, const char *id)
{
    fill_household(in, id, "451227", 1, false, 1980);
    send_value(in, in->household, "zs.household", id, NULL);
}

/* Fills an IncomeRecord (WAGE from hrss); the value, to change a field. */
static avro_value_t *fill_income(input_t *in, const char *event_id, const char *household, int year,
                                 int month, int64_t fen)
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
    return v;
}

/* A registry's name of n bytes: 广西 and x. */
static const char *long_source(size_t n)
{
    static char buf[256];
    size_t len = 0;
    while (len + 6 <= n) {
        memcpy(buf + len, "广西", 6);
        len += 6;
    }
    while (len < n)
        buf[len++] = 'x';
    buf[len] = '\0';
    return buf;
}

/* The close marker of 2024Q1 on partition 0 of topic, as zs-push close. */
/* The close marker of quarter `quarter` of 2024 on topic. */
static void send_close_q(input_t *in, const char *topic, int quarter, int64_t *offset)
{
    avro_value_t *v = zs_encoder_value(in->close);
    set_str(v, "topic", topic);
    set_num(v, "partition", 0, NULL);
    set_num(v, "year", 2024, NULL);
    set_num(v, "quarter", quarter, NULL);
    set_num(v, "closed_at", 1712000000000 + (quarter - 1) * 7862400000LL, NULL);
    set_str(v, "closed_by", "test");
    char key[24];
    snprintf(key, sizeof(key), "#close/2024Q%d", quarter);
    send_value(in, in->close, topic, key, offset);
}

static void send_close(input_t *in, const char *topic, int64_t *offset)
{
    send_close_q(in, topic, 1, offset);
}

static const char *const input_topics[] = {"zs.household", "zs.income",   "zs.employment",
                                           "zs.subsidy",   "zs.hardship", "zs.followup"};

/* ---- reading output ---- */

/* Calls fn for every message of partition 0 of topic, decoded (value NULL
 * for one that does not decode); the number of messages. */
typedef void (*each_fn)(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                        avro_value_t *value);

static int read_topic(const char *bootstraps, const char *topic, each_fn fn, void *ctx)
{
    char errstr[512] = "";
    zs_schemas_t *set = NULL;
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &set, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *props[][2] = {{"bootstrap.servers", bootstraps},
                              {"group.id", "test-monitor-input-reader"},
                              {"enable.auto.commit", "false"},
                              {"enable.partition.eof", "true"}};
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
        assert_int_equal(rd_kafka_conf_set(conf, props[i][0], props[i][1], errstr, sizeof(errstr)),
                         RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(rk, list), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
    int n = 0;
    bool eof = false;
    int64_t deadline = mono_ms() + 15000;
    while (!eof && mono_ms() < deadline) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, 200);
        if (rkm == NULL)
            continue;
        if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eof = true;
        } else if (rkm->err) {
            fprintf(stderr, "reading %s: %s\n", topic, rd_kafka_message_errstr(rkm));
        } else {
            const zs_schema_t *reader = NULL;
            avro_value_t *value = NULL;
            if (zs_decoder_decode(dec, rkm->payload, rkm->len, &reader, &value, errstr,
                                  sizeof(errstr)) != ZS_OK)
                fn(ctx, rkm, NULL, NULL);
            else
                fn(ctx, rkm, zs_schema_name(reader), value);
            n++;
        }
        rd_kafka_message_destroy(rkm);
    }
    assert_true(eof);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    zs_decoder_free(dec);
    zs_schemas_free(set);
    return n;
}

/* A field's value, through a union's non-null branch; false when null. */
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

/* An int, long, boolean or enum (its index); -999 when null. */
static int64_t get_n(avro_value_t *rec, const char *name)
{
    avro_value_t f = {0};
    int32_t i = 0;
    int b = 0;
    int64_t l = 0;
    if (!get(rec, name, &f))
        return -999;
    switch (avro_value_get_type(&f)) {
    case AVRO_INT32:
        assert_int_equal(avro_value_get_int(&f, &i), 0);
        return i;
    case AVRO_ENUM:
        assert_int_equal(avro_value_get_enum(&f, &i), 0);
        return i;
    case AVRO_BOOLEAN:
        assert_int_equal(avro_value_get_boolean(&f, &b), 0);
        return b;
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

static bool bytes_equal(avro_value_t *rec, const char *name, const void *want, size_t len)
{
    avro_value_t f = {0};
    const void *b = NULL;
    size_t n = 0;
    if (!get(rec, name, &f))
        return false;
    assert_int_equal(avro_value_get_bytes(&f, &b, &n), 0);
    return n == len && (len == 0 || memcmp(b, want, len) == 0);
}

/* An embedded broker of one partition per topic and an input writer to it;
 * the bootstrap address. */
static const char *start_broker(zs_broker_t **broker, input_t *in)
{
    char errstr[512] = "";
    assert_int_equal(zs_broker_start(1, "zs.", 1, broker, errstr, sizeof(errstr)), ZS_OK);
    const char *boot = zs_broker_bootstraps(*broker);
    input_open(in, boot);
    return boot;
}

/* Runs zs-monitor on boot to --exit-idle, with the extra arguments (up to
 * 8; NULL: none): exit 0 having handled exactly events input records (its
 * log is printed when not). */
static void run_until_idle(const char *boot, int events, const char *const *extra)
{
    char log_path[] = "/tmp/zs-monitor-idle-XXXXXX";
    int fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    const char *args[16] = {"-b", boot, "-X", "zs.monitor.instance=t1", "--exit-idle", "1500"};
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
        assert_true(i < 8);
        args[6 + i] = extra[i];
    }
    int rc = wait_exit(spawn(log_path, args), 40000);
    char *log = slurp(log_path), want[48];
    snprintf(want, sizeof(want), "final: events %d (", events);
    bool counted = strstr(log, want) != NULL;
    if (rc != 0 || !counted)
        print_log(log_path);
    free(log);
    unlink(log_path);
    assert_int_equal(rc, 0);
    assert_true(counted);
}

/* ---- 1: what it cannot use goes to the dead letters, the rest is applied ---- */

#define NDEAD 12

typedef struct dead_case {
    const char *what;
    const char *topic;
    const char *key;
    char payload[512];
    size_t len;
    int64_t offset;
    const char *reason; /* a substring the reason must hold */
    const char *error;  /* the error field: the zs_err_t name (DeadLetter.v1 "error") */
    int seen;
    char got_error[64];
} dead_case_t;

/* The idle clock of --exit-idle starts once partitions are assigned, and
 * idle also means every partition is at the end the broker reports, so a
 * short idle time cannot stop a run that has not read its input. */
#define EXIT_IDLE "1500"

/* One run of zs-monitor over the input below, shared by the rows of part 1. */
static struct run1 {
    zs_broker_t *broker;
    const char *boot;
    dead_case_t cases[NDEAD];
    int64_t last_income; /* offset of the last valid income record */
    char log_path[64];
    int rc;
} r1;

typedef struct dead_ctx {
    dead_case_t *cases;
    int unmatched;
} dead_ctx_t;

static void on_dead(void *ctx, const rd_kafka_message_t *rkm, const char *schema, avro_value_t *v)
{
    (void)rkm;
    dead_ctx_t *d = ctx;
    assert_non_null(schema);
    assert_string_equal(schema, "zengshou.DeadLetter");
    assert_string_equal(get_s(v, "producer"), "zs-monitor");
    const char *topic = get_s(v, "source_topic");
    if (strcmp(topic, "zs.monitor.state") == 0)
        return; /* restore_of_a_state_that_does_not_decode's */
    assert_int_equal(get_n(v, "source_partition"), 0);
    int64_t offset = get_n(v, "source_offset");
    for (int i = 0; i < NDEAD; i++) {
        dead_case_t *c = &d->cases[i];
        if (c->offset != offset || strcmp(c->topic, topic) != 0)
            continue;
        c->seen++;
        const char *reason = get_s(v, "reason");
        if (strstr(reason, c->reason) == NULL)
            fail_msg("%s: reason \"%s\", wanted it to hold \"%s\"", c->what, reason, c->reason);
        snprintf(c->got_error, sizeof(c->got_error), "%s", get_s(v, "error"));
        if (!bytes_equal(v, "payload", c->payload, c->len))
            fail_msg("%s: the payload is not the bytes sent", c->what);
        if (!bytes_equal(v, "key", c->key, strlen(c->key)))
            fail_msg("%s: the key is not %s", c->what, c->key);
        assert_int_equal(get_n(v, "redacted"), 0);
        return;
    }
    d->unmatched++;
}

typedef struct warn_ctx {
    int count;
    char rule[32], status[16], household[16], warning_id[80];
    int64_t year, month, opened_year, opened_month, t12m, members;
} warn_ctx_t;

static void on_warning(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                       avro_value_t *v)
{
    warn_ctx_t *w = ctx;
    assert_non_null(schema);
    assert_string_equal(schema, "zengshou.Warning");
    assert_int_equal(rkm->key_len, 2);
    assert_memory_equal(rkm->key, "H1", 2);
    w->count++;
    snprintf(w->rule, sizeof(w->rule), "%s", get_enum(v, "rule"));
    snprintf(w->status, sizeof(w->status), "%s", get_enum(v, "status"));
    snprintf(w->household, sizeof(w->household), "%s", get_s(v, "household_id"));
    snprintf(w->warning_id, sizeof(w->warning_id), "%s", get_s(v, "warning_id"));
    w->year = get_n(v, "year");
    w->month = get_n(v, "month");
    w->opened_year = get_n(v, "opened_year");
    w->opened_month = get_n(v, "opened_month");
    avro_value_t ev = {0};
    assert_true(get(v, "evidence", &ev));
    w->t12m = get_n(&ev, "t12m_per_capita_fen");
    w->members = get_n(&ev, "members_active");
}

typedef struct state_ctx {
    int households, partitions, other;
    char ids[8][40];
    int64_t income_next; /* zs.income's next offset in the last partition record */
} state_ctx_t;

static void on_state(void *ctx, const rd_kafka_message_t *rkm, const char *schema, avro_value_t *v)
{
    state_ctx_t *s = ctx;
    if (schema == NULL && rkm->payload == NULL)
        return; /* a tombstone (restore_of_a_state_that_does_not_decode) */
    assert_non_null(schema);
    assert_string_equal(schema, "zengshou.HouseholdState");
    const char *id = get_s(v, "household_id");
    if (strcmp(get_enum(v, "scope"), "PARTITION") == 0) {
        assert_string_equal(id, "#partition/0");
        s->partitions++;
        avro_value_t arr = {0}, item = {0};
        size_t n = 0;
        assert_int_equal(avro_value_get_by_name(v, "input_offsets", &arr, NULL), 0);
        assert_int_equal(avro_value_get_size(&arr, &n), 0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(avro_value_get_by_index(&arr, i, &item, NULL), 0);
            if (strcmp(get_s(&item, "topic"), "zs.income") == 0)
                s->income_next = get_n(&item, "offset");
        }
        return;
    }
    bool known = false;
    for (int i = 0; i < s->households && !known; i++)
        known = strcmp(s->ids[i], id) == 0;
    if (!known && s->households < 8)
        snprintf(s->ids[s->households++], sizeof(s->ids[0]), "%s", id);
    else if (!known)
        s->other++;
}

/* The encoder's filled value as a case's payload. */
static void encode_case(input_t *in, zs_encoder_t *enc, dead_case_t *c)
{
    char errstr[512] = "";
    if (zs_encoder_encode(enc, &in->msg, errstr, sizeof(errstr)) != ZS_OK)
        fail_msg("%s: %s", c->what, errstr);
    assert_true(in->msg.len <= sizeof(c->payload));
    memcpy(c->payload, in->msg.data, in->msg.len);
    c->len = in->msg.len;
}

static void send_bad_state(input_t *in);

/* Group set-up: the input, then one run of zs-monitor to --exit-idle. */
static int run_once(void **state)
{
    (void)state;
    char errstr[512] = "";
    memset(&r1, 0, sizeof(r1));
    r1.rc = -100;
    assert_int_equal(zs_broker_start(1, "zs.", 1, &r1.broker, errstr, sizeof(errstr)), ZS_OK);
    r1.boot = zs_broker_bootstraps(r1.broker);
    input_t in = {0};
    input_open(&in, r1.boot);
    send_bad_state(&in);

    /* The unusable first, each of which would change H1's income (and so
     * lose its warning) were it applied, or make household H3 (named by
     * nothing else) come into being. */
    dead_case_t *cases = r1.cases;
    cases[0] = (dead_case_t){.what = "garbage",
                             .key = "H1",
                             .reason = "does not start with C3 01",
                             .error = "ZS_ERR_BAD_MAGIC"};
    cases[1] = (dead_case_t){.what = "month 13",
                             .key = "H2",
                             .reason = "month 13 is not in 1-12",
                             .error = "ZS_ERR_INVALID"};
    cases[2] = (dead_case_t){.what = "key not the household",
                             .key = "H9",
                             .reason = "key is not the record's household_id",
                             .error = "ZS_ERR_INVALID"};
    cases[3] =
        (dead_case_t){.what = "EmploymentRecord on zs.income",
                      .key = "H1",
                      .reason = "a EmploymentRecord on zs.income, which carries IncomeRecord",
                      .error = "ZS_ERR_INVALID"};
    cases[4] = (dead_case_t){.what = "amount beyond the contract",
                             .key = "H1",
                             .reason = "amount_fen 9223372036854775807: not 0-10000000000",
                             .error = "ZS_ERR_INVALID"};
    cases[5] = (dead_case_t){.what = "reported_at INT64_MAX",
                             .key = "H1",
                             .reason = "reported_at 9223372036854775807: not a time",
                             .error = "ZS_ERR_INVALID"};
    cases[6] = (dead_case_t){.what = "source of 101 bytes",
                             .key = "H1",
                             .reason = "source: not 1-100 bytes",
                             .error = "ZS_ERR_INVALID"};
    cases[7] = (dead_case_t){.what = "birth year -5",
                             .key = "H3",
                             .reason = "member 1: birth_year -5 not in 1900-2100",
                             .error = "ZS_ERR_INVALID"};
    cases[8] = (dead_case_t){.what = "county 999999",
                             .key = "H3",
                             .reason = "county_code: not a county of the region",
                             .error = "ZS_ERR_INVALID"};
    cases[9] = (dead_case_t){.what = "a member listed twice",
                             .key = "H3",
                             .reason = "member 2: the same person as member 1",
                             .error = "ZS_ERR_INVALID"};
    cases[10] = (dead_case_t){.what = "no members",
                              .key = "H3",
                              .reason = "members: not 1-64",
                              .error = "ZS_ERR_INVALID"};
    cases[11] = (dead_case_t){.what = "follow-up without a warning_id",
                              .key = "H3",
                              .reason = "warning_id: not 1-100 bytes",
                              .error = "ZS_ERR_INVALID"};
    for (int i = 0; i < NDEAD; i++)
        cases[i].topic = i < 7 ? "zs.income" : i < 11 ? "zs.household" : "zs.followup";
    /* 1: bytes that are not a message */
    static const char garbage[] = "\x00\xffnot an Avro message at all";
    memcpy(cases[0].payload, garbage, sizeof(garbage) - 1);
    cases[0].len = sizeof(garbage) - 1;
    /* 2: a valid IncomeRecord of month 13 (of a household nothing else
     * names: it must not come into being) */
    fill_income(&in, "E-M13", "H2", 2023, 13, 5000000);
    encode_case(&in, in.income, &cases[1]);
    /* 3: H1's record under key H9 */
    fill_income(&in, "E-KEY", "H1", 2024, 2, 5000000);
    encode_case(&in, in.income, &cases[2]);
    /* 4: an EmploymentRecord of H1 on zs.income */
    avro_value_t *v = zs_encoder_value(in.employment);
    set_str(v, "event_id", "E-JOB");
    set_str(v, "household_id", "H1");
    set_str(v, "person_id", "P1");
    set_num(v, "year", 2024, NULL);
    set_num(v, "month", 2, NULL);
    set_num(v, "status", 0, "LOCAL");
    set_num(v, "wants_work", 1, NULL);
    set_str(v, "source", "hrss");
    set_num(v, "reported_at", 1717200000000, NULL);
    encode_case(&in, in.employment, &cases[3]);
    /* 5-7: H1's income beyond the contract */
    fill_income(&in, "E-BIG", "H1", 2024, 2, INT64_MAX);
    encode_case(&in, in.income, &cases[4]);
    v = fill_income(&in, "E-WHEN", "H1", 2024, 2, 5000000);
    set_num(v, "reported_at", INT64_MAX, NULL);
    encode_case(&in, in.income, &cases[5]);
    v = fill_income(&in, "E-SRC", "H1", 2024, 2, 5000000);
    set_str(v, "source", long_source(101));
    encode_case(&in, in.income, &cases[6]);
    /* 8-11: snapshots of H3 the contract forbids */
    fill_household(&in, "H3", "451227", 1, false, -5);
    encode_case(&in, in.household, &cases[7]);
    fill_household(&in, "H3", "999999", 1, false, 1980);
    encode_case(&in, in.household, &cases[8]);
    fill_household(&in, "H3", "451227", 2, true, 1980);
    encode_case(&in, in.household, &cases[9]);
    fill_household(&in, "H3", "451227", 0, false, 1980);
    encode_case(&in, in.household, &cases[10]);
    /* 12: a follow-up of H3 without a warning_id */
    v = zs_encoder_value(in.followup);
    assert_int_equal(zs_codec_null_optionals(v), ZS_OK);
    set_str(v, "event_id", "F-1");
    set_str(v, "household_id", "H3");
    set_str(v, "warning_id", "");
    set_num(v, "action", 0, "ACK");
    set_str(v, "officer_id", "o1");
    set_num(v, "at", 1717200000000, NULL);
    encode_case(&in, in.followup, &cases[11]);
    for (int i = 0; i < NDEAD; i++)
        send_raw(&in, cases[i].topic, cases[i].key, cases[i].payload, cases[i].len,
                 &cases[i].offset);

    /* Then H1, one member, 2,000 yuan in each quarter of the T12M window of
     * 2024Q1 (April 2023 - March 2024): 800,000 fen per capita, below
     * LOW_INCOME's 1,000,000 and above 2024's monitoring line (690,000). */
    send_household(&in, "H1");
    static const int months[][2] = {{2023, 5}, {2023, 8}, {2023, 11}, {2024, 2}};
    for (int i = 0; i < 4; i++) {
        char id[16] = "";
        snprintf(id, sizeof(id), "E-%d", i);
        v = fill_income(&in, id, "H1", months[i][0], months[i][1], 200000);
        if (i == 0) /* the longest source the contract allows: applied */
            set_str(v, "source", long_source(100));
        send_value(&in, in.income, "zs.income", "H1", &r1.last_income);
    }
    int64_t closed[6] = {0};
    for (size_t t = 0; t < sizeof(input_topics) / sizeof(input_topics[0]); t++)
        send_close(&in, input_topics[t], &closed[t]);
    input_close(&in);
    for (int i = 0; i < NDEAD; i++) /* in order, first on each topic */
        assert_int_equal(cases[i].offset, i < 7 ? i : i < 11 ? i - 7 : 0);
    assert_int_equal(r1.last_income, 7 + 3);
    assert_int_equal(closed[1], r1.last_income + 1); /* zs.income's close */

    snprintf(r1.log_path, sizeof(r1.log_path), "/tmp/zs-monitor-input-XXXXXX");
    int fd = mkstemp(r1.log_path);
    assert_true(fd >= 0);
    close(fd);
    const char *args[] = {"-b",          r1.boot,
                          "-X",          "zs.monitor.instance=t1",
                          "-X",          "zs.monitor.stats.interval=1s",
                          "--exit-idle", EXIT_IDLE,
                          NULL};
    r1.rc = wait_exit(spawn(r1.log_path, args), 40000);
    if (r1.rc != 0)
        print_log(r1.log_path);
    return 0;
}

static int run_once_done(void **state)
{
    (void)state;
    zs_broker_stop(r1.broker);
    if (r1.log_path[0] != '\0')
        unlink(r1.log_path);
    return 0;
}

static void exits_0_once_idle(void **state)
{
    (void)state;
    if (getenv("ZS_TEST_VERBOSE") != NULL)
        print_log(r1.log_path);
    assert_int_equal(r1.rc, 0);
}

/* Every unusable message exactly once, with its reason, place, key and
 * bytes; nothing else on the topic. */
static void each_unusable_message_is_dead_lettered_once(void **state)
{
    (void)state;
    dead_ctx_t d = {.cases = r1.cases};
    for (int i = 0; i < NDEAD; i++)
        r1.cases[i].seen = 0;
    int dead = read_topic(r1.boot, "zs.deadletter", on_dead, &d);
    assert_int_equal(d.unmatched, 0);
    for (int i = 0; i < NDEAD; i++)
        if (r1.cases[i].seen != 1)
            fail_msg("%s (zs.income offset %lld): %d dead letters", r1.cases[i].what,
                     (long long)r1.cases[i].offset, r1.cases[i].seen);
    assert_int_equal(dead, NDEAD + 1); /* and H5's state */
}

/* Regression: DeadLetter.error is "our error code name, the zs_err_t
 * identifier, e.g. 'ZS_ERR_INVALID'" (the schema, and what zs-push writes);
 * for a message that does not decode and for a value the contract forbids
 * the monitor used to write zs_err2str()'s English text ("not an Avro
 * single-object message", "invalid value"). */
static void dead_letter_error_is_the_code_name(void **state)
{
    (void)state;
    dead_ctx_t d = {.cases = r1.cases};
    read_topic(r1.boot, "zs.deadletter", on_dead, &d);
    int wrong = 0;
    for (int i = 0; i < NDEAD; i++)
        if (strcmp(r1.cases[i].got_error, r1.cases[i].error) != 0) {
            fprintf(stderr, "%s: error \"%s\", wanted \"%s\"\n", r1.cases[i].what,
                    r1.cases[i].got_error, r1.cases[i].error);
            wrong++;
        }
    assert_int_equal(wrong, 0);
}

/* The valid input after them is applied: exactly H1's LOW_INCOME. */
static void valid_input_after_them_opens_low_income(void **state)
{
    (void)state;
    warn_ctx_t w = {0};
    assert_int_equal(read_topic(r1.boot, "zs.warnings", on_warning, &w), 1);
    assert_string_equal(w.rule, "LOW_INCOME");
    assert_string_equal(w.status, "OPEN");
    assert_string_equal(w.household, "H1");
    assert_string_equal(w.warning_id, "W-H1-LOW_INCOME---202403");
    assert_int_equal(w.year, 2024);
    assert_int_equal(w.month, 3);
    assert_int_equal(w.opened_year, 2024);
    assert_int_equal(w.opened_month, 3);
    assert_int_equal(w.t12m, 800000);
    assert_int_equal(w.members, 1);
}

/* The changelog holds H1 and the partition read past the close marker. */
static void changelog_holds_h1_and_the_offsets(void **state)
{
    (void)state;
    state_ctx_t s = {.income_next = -1};
    read_topic(r1.boot, "zs.monitor.state", on_state, &s);
    assert_true(s.partitions >= 1);
    assert_int_equal(s.income_next, r1.last_income + 2);
    bool h1 = false;
    for (int i = 0; i < s.households; i++)
        h1 |= strcmp(s.ids[i], "H1") == 0;
    assert_true(h1);
}

/* Lines of zs-cat -e -J over topic that hold needle (-1: zs-cat failed). */
static int cat_lines(const char *topic, const char *needle)
{
    char cmd[2048] = "";
    snprintf(cmd, sizeof(cmd), "%s -b %s -t %s -e -J 2>/dev/null", zs_cat, r1.boot, topic);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    char line[16384] = "";
    int n = 0;
    while (fgets(line, sizeof(line), out) != NULL)
        n += strstr(line, needle) != NULL;
    int status = pclose(out);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? n : -1;
}

/* The monitor's audit chain: exactly H1's LOW_INCOME opened. */
static void audit_holds_the_warning_opened(void **state)
{
    (void)state;
    assert_int_equal(cat_lines("zs.audit", "\"WARNING_OPENED\""), 1);
    assert_int_equal(cat_lines("zs.audit", "W-H1-LOW_INCOME---202403"), 1);
}

/* KNOWN BUG (zs_monitor.c handle/load/store): a record rejected in apply()
 * (here month 13 of H2, which nothing else names) still leaves the
 * household load() created in the transaction's work, so commit() stores an
 * empty H2: a changelog record, "households 2" in the stats, the rules run
 * for it at every close, and a NO_INCOME_REPORTED DATA_QUALITY finding on
 * zs.audit about a household that exists only in a dead letter. Fails until
 * fixed. */
static void rejected_record_makes_no_household(void **state)
{
    (void)state;
    state_ctx_t s = {.income_next = -1};
    read_topic(r1.boot, "zs.monitor.state", on_state, &s);
    int phantom = 0;
    for (int i = 0; i < s.households; i++)
        if (strcmp(s.ids[i], "H1") != 0 && strcmp(s.ids[i], "H5") != 0) {
            fprintf(stderr, "the changelog holds household %s, which only a dead letter names\n",
                    s.ids[i]);
            phantom++;
        }
    int audited = cat_lines("zs.audit", "\"H2\"") + cat_lines("zs.audit", "\"H3\"");
    if (audited != 0)
        fprintf(stderr, "%d audit records name H2 or H3\n", audited);
    char *log = slurp(r1.log_path);
    const char *final = strstr(log, "final: ");
    bool one = final != NULL && strstr(final, "households 1,") != NULL;
    free(log);
    if (!one)
        fprintf(stderr, "the final stats line does not say \"households 1,\"\n");
    assert_int_equal(phantom, 0);
    assert_int_equal(audited, 0);
    assert_true(one);
}

/* The log: each dead letter named with its place, and the final counts. */
static void log_names_each_and_counts(void **state)
{
    (void)state;
    char *log = slurp(r1.log_path);
    for (int i = 0; i < NDEAD; i++) {
        char where[64] = "";
        snprintf(where, sizeof(where), "%s [0] offset %lld: ", r1.cases[i].topic,
                 (long long)r1.cases[i].offset);
        if (strstr(log, where) == NULL)
            fail_msg("the log does not name \"%s\" (%s)", where, r1.cases[i].what);
    }
    assert_int_equal(count_in(log, "(to the dead-letter topic)"), NDEAD + 1); /* and H5's state */
    const char *final = strstr(log, "final: ");
    if (final == NULL)
        print_log(r1.log_path);
    assert_non_null(final);
    char events[32], dead[32];
    snprintf(events, sizeof(events), "events %d (", NDEAD + 1 + 4 + 6);
    snprintf(dead, sizeof(dead), "dead letters %d,", NDEAD + 1);
    const char *want[] = {events,
                          "open warnings 1,",
                          "warnings written 1,",
                          dead,
                          " 0 aborted",
                          "watermark 2024Q1 (closes: household 2024Q1, income 2024Q1, employment "
                          "2024Q1, subsidy 2024Q1, hardship 2024Q1, followup 2024Q1)"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(final, want[i]) == NULL)
            fail_msg("the final line lacks \"%s\": %.400s", want[i], final);
    free(log);
}

/* ---- 2: SIGTERM ---- */

static void sigterm_stops_cleanly_and_commits(void **state)
{
    (void)state;
    zs_broker_t *broker = NULL;
    input_t in = {0};
    const char *boot = start_broker(&broker, &in);
    send_household(&in, "H1");
    fill_income(&in, "E-0", "H1", 2024, 2, 200000);
    send_value(&in, in.income, "zs.income", "H1", NULL);
    input_flush(&in);

    char log_path[] = "/tmp/zs-monitor-term-XXXXXX";
    int fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    /* No --exit-idle, and a transaction left open for a minute: only the
     * signal stops it, and only the shutdown commits what it read. */
    const char *args[] = {"-b", boot,
                          "-X", "zs.monitor.instance=t1",
                          "-X", "zs.monitor.stats.interval=1s",
                          "-X", "zs.monitor.commit.interval=60s",
                          NULL};
    pid_t pid = spawn(log_path, args);
    bool caught_up = log_waits_for(log_path, "events 2 (", 20000);
    if (!caught_up) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        print_log(log_path);
        fail_msg("zs-monitor did not read the 2 input records within 20 s");
    }
    char *log = slurp(log_path);
    assert_null(strstr(log, "final: "));
    assert_null(strstr(log, "transactions 1 committed"));
    free(log);
    assert_int_equal(kill(pid, SIGTERM), 0);
    int rc = wait_exit(pid, 20000);
    log = slurp(log_path);
    if (rc != 0 || strstr(log, "final: ") == NULL)
        print_log(log_path);
    assert_int_equal(rc, 0);
    const char *final = strstr(log, "final: ");
    assert_non_null(final);
    assert_non_null(strstr(final, "events 2 ("));
    assert_non_null(strstr(final, "households 1,"));
    assert_non_null(strstr(final, "dead letters 0,"));
    assert_non_null(strstr(final, "transactions 1 committed 0 aborted"));
    free(log);

    /* What it read is in the changelog: H1 and the partition past both. */
    state_ctx_t s = {.income_next = -1};
    read_topic(boot, "zs.monitor.state", on_state, &s);
    assert_int_equal(s.households, 1);
    assert_string_equal(s.ids[0], "H1");
    assert_int_equal(s.partitions, 1);
    assert_int_equal(s.income_next, 1);
    unlink(log_path);
    input_close(&in);
    zs_broker_stop(broker);
}

/* ---- 3: a quarter is judged on the records before every topic's close ---- */

/* Regression: quarter closes not aligned across topics. zs.household passes
 * its 2024Q1 close and carries, after it, a snapshot of May 2024 adding a
 * second member; zs.income's close comes later. The monitor used to read
 * on past the household close and judge 2024Q1 with two members (800,000
 * fen per capita: LOW_INCOME); held at the close marker, it judges 2024Q1
 * on the snapshot before it (1,600,000 fen: no warning), then applies the
 * new one. */
static void quarter_closes_not_aligned_across_topics(void **state)
{
    (void)state;
    zs_broker_t *broker = NULL;
    input_t in = {0};
    const char *boot = start_broker(&broker, &in);
    send_household(&in, "H1");
    static const int months[][2] = {{2023, 5}, {2023, 8}, {2023, 11}, {2024, 2}};
    for (int i = 0; i < 4; i++) {
        char id[16] = "";
        snprintf(id, sizeof(id), "E-%d", i);
        fill_income(&in, id, "H1", months[i][0], months[i][1], 400000);
        send_value(&in, in.income, "zs.income", "H1", NULL);
    }
    for (size_t t = 0; t < sizeof(input_topics) / sizeof(input_topics[0]); t++)
        if (strcmp(input_topics[t], "zs.income") != 0)
            send_close(&in, input_topics[t], NULL);
    /* after the household topic's close: May 2024, a second member */
    avro_value_t *v = fill_household(&in, "H1", "451227", 2, false, 1980);
    set_num(v, "updated_at", 1714521600000, NULL);
    send_value(&in, in.household, "zs.household", "H1", NULL);
    input_flush(&in);

    char log_path[] = "/tmp/zs-monitor-order-XXXXXX";
    int fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    const char *args[] = {
        "-b",          boot,   "-X", "zs.monitor.instance=t1", "-X", "zs.monitor.stats.interval=1s",
        "--exit-idle", "1500", NULL};
    pid_t pid = spawn(log_path, args);
    /* Every record up to the household's close read (and, without the
     * hold, the snapshot after it), then income's close. */
    bool read = false;
    for (int i = 0; i < 60 && !read; i++)
        read = log_waits_for(log_path, "events 10 (", 250) ||
               log_waits_for(log_path, "events 11 (", 250);
    if (!read) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        print_log(log_path);
        fail_msg("zs-monitor did not read the first 10 records within 30 s");
    }
    send_close(&in, "zs.income", NULL);
    input_flush(&in);
    int rc = wait_exit(pid, 40000);
    char *log = slurp(log_path);
    if (rc != 0 || strstr(log, "final: events 12 (") == NULL)
        print_log(log_path);
    warn_ctx_t w = {0};
    int warnings = read_topic(boot, "zs.warnings", on_warning, &w);
    if (warnings != 0)
        fprintf(stderr, "2024Q1 judged with a snapshot after its close: %s %s of %s\n", w.rule,
                w.status, w.household);
    assert_int_equal(warnings, 0);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(log, "final: events 12 ("));
    /* While it waited, it said for what: a line naming zs.income, which
     * never waits here (its close comes last). */
    const char *line = strstr(log, "partition 0: waiting for the first close of ");
    const char *eol = line ? strchr(line, '\n') : NULL;
    const char *income = line ? strstr(line, "zs.income") : NULL;
    if (line == NULL || eol == NULL || income == NULL || income > eol)
        print_log(log_path);
    assert_non_null(line);
    assert_true(income != NULL && eol != NULL && income < eol);
    free(log);
    unlink(log_path);
    input_close(&in);
    zs_broker_stop(broker);
}

/* Counts DATA_QUALITY audit records of H1 with the finding named in ctx. */
typedef struct finding_ctx {
    const char *finding;
    int count;
} finding_ctx_t;

static void on_finding(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                       avro_value_t *v)
{
    (void)rkm;
    (void)schema;
    finding_ctx_t *c = ctx;
    avro_value_t f = {0};
    const char *hh = get_s(v, "household_id");
    if (strcmp(get_enum(v, "kind"), "DATA_QUALITY") == 0 && hh != NULL && strcmp(hh, "H1") == 0 &&
        get(v, "finding", &f)) {
        int i = 0;
        assert_int_equal(avro_value_get_enum(&f, &i), 0);
        c->count += strcmp(avro_schema_enum_get(avro_value_get_schema(&f), i), c->finding) == 0;
    }
}

/* Regression: data-quality findings repeat on every re-run of a quarter.
 * H1 reports no income for 2024Q1 (NO_INCOME_REPORTED at its close); two
 * employment records of Q1 arrive after the close, and each re-ran Q1 and
 * wrote the finding again. Now each finding is written once per
 * (household, kind, period): the household's state notes it. */
static void data_quality_findings_repeat(void **state)
{
    (void)state;
    zs_broker_t *broker = NULL;
    input_t in = {0};
    const char *boot = start_broker(&broker, &in);
    send_household(&in, "H1");
    static const int months[][2] = {{2023, 5}, {2023, 8}, {2023, 11}};
    for (int i = 0; i < 3; i++) {
        char id[16] = "";
        snprintf(id, sizeof(id), "E-%d", i);
        fill_income(&in, id, "H1", months[i][0], months[i][1], 400000);
        send_value(&in, in.income, "zs.income", "H1", NULL);
    }
    for (size_t t = 0; t < sizeof(input_topics) / sizeof(input_topics[0]); t++)
        send_close(&in, input_topics[t], NULL);
    for (int i = 0; i < 2; i++) { /* late: Q1's, after its close */
        avro_value_t *v = zs_encoder_value(in.employment);
        set_str(v, "event_id", i == 0 ? "J-2" : "J-3");
        set_str(v, "household_id", "H1");
        set_str(v, "person_id", "P1");
        set_num(v, "year", 2024, NULL);
        set_num(v, "month", 2 + i, NULL);
        set_num(v, "status", 0, "LOCAL");
        set_num(v, "wants_work", 0, NULL);
        set_str(v, "source", "hrss");
        set_num(v, "reported_at", 1714521600000, NULL);
        send_value(&in, in.employment, "zs.employment", "H1", NULL);
    }
    input_flush(&in);
    run_until_idle(boot, 12, NULL);
    finding_ctx_t c = {.finding = "NO_INCOME_REPORTED"};
    read_topic(boot, "zs.audit", on_finding, &c);
    if (c.count != 1)
        fprintf(stderr, "NO_INCOME_REPORTED of H1 written %d times\n", c.count);
    assert_int_equal(c.count, 1);
    input_close(&in);
    zs_broker_stop(broker);
}

/* Appends "<STATUS> <RULE> <warning_id>; " for every warning of H1. */
static void on_warning_line(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                            avro_value_t *v)
{
    (void)rkm;
    (void)schema;
    char *lines = ctx;
    size_t len = strlen(lines);
    snprintf(lines + len, 2048 - len, "%s %s %s; ", get_enum(v, "status"), get_enum(v, "rule"),
             get_s(v, "warning_id"));
}

/* Regression: late data re-opens a warning under the same id. H1's
 * LOW_INCOME opens at the close of 2024Q2 (it did not hold in Q1). An
 * employment record of February, arriving after both closes, re-ran Q1
 * and Q2: Q1 cleared the warning opened in June, Q2 opened it again under
 * the same warning_id (and a county got CLEARED, then OPEN again, for a
 * warning the record did not touch). Late data now runs the rules again at
 * the newest closed quarter only: nothing changes, nothing is written. */
static void late_data_reopens_a_warning_under_the_same_id(void **state)
{
    (void)state;
    zs_broker_t *broker = NULL;
    input_t in = {0};
    const char *boot = start_broker(&broker, &in);
    send_household(&in, "H1");
    /* T12M of 2024Q1: 1,800,000 fen (one member); of 2024Q2: 950,000. */
    static const int income[][3] = {{2023, 5, 900000},
                                    {2023, 8, 300000},
                                    {2023, 11, 300000},
                                    {2024, 2, 300000},
                                    {2024, 5, 50000}};
    for (int i = 0; i < 5; i++) {
        char id[16] = "";
        snprintf(id, sizeof(id), "E-%d", i);
        fill_income(&in, id, "H1", income[i][0], income[i][1], income[i][2]);
        send_value(&in, in.income, "zs.income", "H1", NULL);
    }
    for (int q = 1; q <= 2; q++)
        for (size_t t = 0; t < sizeof(input_topics) / sizeof(input_topics[0]); t++)
            send_close_q(&in, input_topics[t], q, NULL);
    avro_value_t *v = zs_encoder_value(in.employment); /* late: February's */
    set_str(v, "event_id", "J-1");
    set_str(v, "household_id", "H1");
    set_str(v, "person_id", "P1");
    set_num(v, "year", 2024, NULL);
    set_num(v, "month", 2, NULL);
    set_num(v, "status", 0, "LOCAL");
    set_num(v, "wants_work", 0, NULL);
    set_str(v, "source", "hrss");
    set_num(v, "reported_at", 1720000000000, NULL);
    send_value(&in, in.employment, "zs.employment", "H1", NULL);
    input_flush(&in);
    run_until_idle(boot, 19, NULL);
    char lines[2048] = "";
    read_topic(boot, "zs.warnings", on_warning_line, lines);
    if (strcmp(lines, "OPEN LOW_INCOME W-H1-LOW_INCOME---202406; ") != 0)
        fprintf(stderr, "warnings of H1: %s\n", lines);
    assert_string_equal(lines, "OPEN LOW_INCOME W-H1-LOW_INCOME---202406; ");
    input_close(&in);
    zs_broker_stop(broker);
}

/* Regression (--exit-idle): exit_idle_before_the_high_watermark. The
 * monitor read H1's first record to the end (a partition EOF), then the
 * broker went slow (every request 3 s) while a second record was produced.
 * Nothing arrived for the idle time and every partition had seen its EOF:
 * it exited 0 with the second record unread. Idle now also means at the high
 * watermark the broker reports now; a broker that does not answer in time
 * is not idle. */
static void exit_idle_before_the_high_watermark(void **state)
{
    (void)state;
    zs_broker_t *broker = NULL;
    input_t in = {0};
    const char *boot = start_broker(&broker, &in);
    send_household(&in, "H1");
    input_flush(&in);
    char log_path[] = "/tmp/zs-monitor-hw-XXXXXX";
    int fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    const char *args[] = {
        "-b",          boot,   "-X", "zs.monitor.instance=t1", "-X", "zs.monitor.stats.interval=1s",
        "--exit-idle", "2500", NULL};
    pid_t pid = spawn(log_path, args);
    if (!log_waits_for(log_path, "events 1 (", 30000)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        print_log(log_path);
        fail_msg("zs-monitor did not read the first record within 30 s");
    }
    sleep_ms(300); /* its EOF */
    rd_kafka_mock_cluster_t *mc = zs_broker_cluster(broker);
    assert_int_equal(rd_kafka_mock_broker_set_rtt(mc, 1, 3000), RD_KAFKA_RESP_ERR_NO_ERROR);
    fill_income(&in, "E-late", "H1", 2024, 2, 100000);
    send_value(&in, in.income, "zs.income", "H1", NULL);
    input_flush(&in); /* 3 s or more: the monitor has been idle for longer */
    assert_int_equal(rd_kafka_mock_broker_set_rtt(mc, 1, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    int rc = wait_exit(pid, 60000);
    char *log = slurp(log_path);
    bool both = strstr(log, "final: events 2 (") != NULL;
    if (rc != 0 || !both)
        print_log(log_path);
    free(log);
    unlink(log_path);
    assert_int_equal(rc, 0);
    assert_true(both);
    input_close(&in);
    zs_broker_stop(broker);
}

typedef struct old_ctx {
    int dead_old, dead_other, audit_old;
} old_ctx_t;

static void on_old_dead(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                        avro_value_t *v)
{
    (void)rkm;
    (void)schema;
    old_ctx_t *c = ctx;
    const char *reason = get_s(v, "reason");
    if (strstr(reason, "RECORD_TOO_OLD: 2022-03 is before the horizon 2022-04") != NULL &&
        strcmp(get_s(v, "error"), "ZS_ERR_TOO_OLD") == 0)
        c->dead_old++;
    else
        c->dead_other++;
}

static void on_old_audit(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                         avro_value_t *v)
{
    (void)rkm;
    (void)schema;
    old_ctx_t *c = ctx;
    if (strcmp(get_enum(v, "kind"), "DATA_QUALITY") == 0 &&
        strstr(get_s(v, "detail"), "RECORD_TOO_OLD") != NULL)
        c->audit_old++;
}

/* Regression: duplicates past the pruning horizon. After 2024Q1 closed,
 * the state holds months from 2022-04 on (seven quarters back); an income
 * record of 2022-03 (a re-pushed old export) was applied to a state that
 * had forgotten that month's statements. Now it is a dead letter and an
 * audit record, RECORD_TOO_OLD with the horizon, and changes nothing; one
 * of 2022-04 is still applied. */
static void duplicates_past_the_pruning_horizon(void **state)
{
    (void)state;
    zs_broker_t *broker = NULL;
    input_t in = {0};
    const char *boot = start_broker(&broker, &in);
    send_household(&in, "H1");
    for (size_t t = 0; t < sizeof(input_topics) / sizeof(input_topics[0]); t++)
        send_close(&in, input_topics[t], NULL);
    fill_income(&in, "OLD-1", "H1", 2022, 3, 400000);
    send_value(&in, in.income, "zs.income", "H1", NULL);
    fill_income(&in, "OLD-2", "H1", 2022, 4, 400000);
    send_value(&in, in.income, "zs.income", "H1", NULL);
    input_flush(&in);
    run_until_idle(boot, 9, NULL);
    old_ctx_t c = {0};
    read_topic(boot, "zs.deadletter", on_old_dead, &c);
    read_topic(boot, "zs.audit", on_old_audit, &c);
    assert_int_equal(c.dead_old, 1);
    assert_int_equal(c.dead_other, 0);
    assert_int_equal(c.audit_old, 1);
    input_close(&in);
    zs_broker_stop(broker);
}

/* ---- 4: what a warning names as its sources ---- */

/* Where the input records of one run landed (partition 0 of each topic). */
typedef struct sources_input {
    int64_t household[2];
    int64_t income[8]; /* H1's, oldest month first */
    int64_t dibao_due, tekun_due, tekun_paid;
} sources_input_t;

static void send_subsidy(input_t *in, const char *event_id, const char *program, const char *kind,
                         int64_t fen, int64_t reported_at, int64_t *offset)
{
    avro_value_t *v = zs_encoder_value(in->subsidy);
    set_str(v, "event_id", event_id);
    set_str(v, "household_id", "H1");
    set_num(v, "program", 0, program);
    set_num(v, "kind", 0, kind);
    set_num(v, "year", 2024, NULL);
    set_num(v, "month", 1, NULL);
    set_num(v, "amount_fen", fen, NULL);
    set_str(v, "source", "civil");
    set_num(v, "reported_at", reported_at, NULL);
    send_value(in, in->subsidy, "zs.subsidy", "H1", offset);
}

/* H1's income falls (1,600,000 fen over the year to 2023Q1, 1,200,000 over
 * the year to 2024Q1: INCOME_FALL at the 2024Q1 close), its DIBAO of
 * January is due and not paid (SUBSIDY_MISSING), its TEKUN of January paid
 * short (SUBSIDY_SHORT); H2's income is flat (SLOW_GROWTH), its records
 * between H1's. Then every topic's 2024Q1 close: 27 records. */
static void send_sources_input(input_t *in, sources_input_t *at)
{
    static const int months[][2] = {{2022, 5}, {2022, 8}, {2022, 11}, {2023, 2},
                                    {2023, 5}, {2023, 8}, {2023, 11}, {2024, 2}};
    for (int h = 0; h < 2; h++) {
        const char *id = h == 0 ? "H1" : "H2";
        fill_household(in, id, "451227", 1, false, 1980);
        send_value(in, in->household, "zs.household", id, &at->household[h]);
    }
    for (int i = 0; i < 8; i++) {
        char id[16];
        snprintf(id, sizeof(id), "I1-%d", i);
        fill_income(in, id, "H1", months[i][0], months[i][1], i < 4 ? 400000 : 300000);
        send_value(in, in->income, "zs.income", "H1", &at->income[i]);
        snprintf(id, sizeof(id), "I2-%d", i);
        fill_income(in, id, "H2", months[i][0], months[i][1], 400000);
        send_value(in, in->income, "zs.income", "H2", NULL);
    }
    send_subsidy(in, "S-DIBAO", "DIBAO", "DUE", 50000, 1704067200000, &at->dibao_due);
    send_subsidy(in, "S-TEKUN", "TEKUN", "DUE", 60000, 1704067200000, &at->tekun_due);
    send_subsidy(in, "S-TEKUN-PAID", "TEKUN", "PAID", 20000, 1705708800000, &at->tekun_paid);
    for (size_t t = 0; t < sizeof(input_topics) / sizeof(input_topics[0]); t++)
        send_close(in, input_topics[t], NULL);
    input_flush(in);
}

/* The warnings of a run as text: one line per warning, in order, with its
 * sources ("topic/partition/offset/event_id") and sources_truncated. */
typedef struct sources_text {
    char text[8192];
    size_t len;
    int warnings;
} sources_text_t;

static void on_sources(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                       avro_value_t *v)
{
    (void)rkm;
    sources_text_t *t = ctx;
    assert_non_null(schema);
    assert_string_equal(schema, "zengshou.Warning");
    t->warnings++;
    char line[1024];
    int n =
        snprintf(line, sizeof(line), "%s %s %s truncated=%d:", get_s(v, "household_id"),
                 get_enum(v, "rule"), get_enum(v, "status"), (int)get_n(v, "sources_truncated"));
    avro_value_t arr = {0}, src = {0};
    size_t count = 0;
    assert_int_equal(avro_value_get_by_name(v, "sources", &arr, NULL), 0);
    assert_int_equal(avro_value_get_size(&arr, &count), 0);
    for (size_t i = 0; i < count && n > 0 && (size_t)n < sizeof(line); i++) {
        assert_int_equal(avro_value_get_by_index(&arr, i, &src, NULL), 0);
        const char *event_id = get_s(&src, "event_id");
        n += snprintf(line + n, sizeof(line) - (size_t)n, " %s/%lld/%lld/%s", get_s(&src, "topic"),
                      (long long)get_n(&src, "partition"), (long long)get_n(&src, "offset"),
                      event_id ? event_id : "-");
    }
    assert_true(n > 0 && (size_t)n < sizeof(line) - 1);
    n += snprintf(line + n, sizeof(line) - (size_t)n, "\n");
    assert_true(t->len + (size_t)n < sizeof(t->text));
    memcpy(t->text + t->len, line, (size_t)n + 1);
    t->len += (size_t)n;
}

/* One run over the input above on a broker of its own, with zs-monitor's
 * extra arguments; its warnings as text. */
static void sources_run(const char *const *extra, sources_input_t *at, sources_text_t *t)
{
    zs_broker_t *broker = NULL;
    input_t in = {0};
    const char *boot = start_broker(&broker, &in);
    send_sources_input(&in, at);
    run_until_idle(boot, 27, extra);
    memset(t, 0, sizeof(*t));
    read_topic(boot, "zs.warnings", on_sources, t);
    input_close(&in);
    zs_broker_stop(broker);
}

/* The line of the warning of household and rule in a run's text, cut at
 * its end into line; false when there is none. */
static bool sources_line(const sources_text_t *t, const char *prefix, char *line, size_t size)
{
    const char *at = strstr(t->text, prefix);
    if (at == NULL)
        return false;
    const char *eol = strchr(at, '\n');
    size_t n = eol ? (size_t)(eol - at) : strlen(at);
    assert_true(n < size);
    memcpy(line, at, n);
    line[n] = '\0';
    return true;
}

static void expect_line(const sources_text_t *t, const char *prefix, const char *want)
{
    char line[1024];
    if (!sources_line(t, prefix, line, sizeof(line)))
        fail_msg("no warning \"%s\" among:\n%s", prefix, t->text);
    if (strcmp(line, want) != 0)
        fail_msg("warning sources:\n got  %s\n want %s", line, want);
}

/* Regression: warning sources named the close marker that completed the
 * quarter (whichever topic's came last, which changes from run to run)
 * instead of the records that decided the warning. Now SUBSIDY_MISSING
 * names its DUE record, SUBSIDY_SHORT the DUE and the PAID record,
 * INCOME_FALL the income statements of both windows compared (newest
 * first), each with its topic, partition and offset; and a run whose
 * transactions are cut after every record and every household gives the
 * same sources. */
static void warning_sources_name_the_deciding_records(void **state)
{
    (void)state;
    sources_input_t at = {0}, at2 = {0};
    sources_text_t one, two;
    sources_run(NULL, &at, &one);
    const char *small[] = {"-X", "zs.monitor.work.max=1", "-X", "zs.monitor.commit.records=1",
                           NULL};
    sources_run(small, &at2, &two);
    assert_memory_equal(&at, &at2, sizeof(at)); /* the same input at the same offsets */

    char want[1024];
    snprintf(want, sizeof(want), "H1 SUBSIDY_MISSING OPEN truncated=0: zs.subsidy/0/%lld/S-DIBAO",
             (long long)at.dibao_due);
    expect_line(&one, "H1 SUBSIDY_MISSING ", want);
    snprintf(want, sizeof(want),
             "H1 SUBSIDY_SHORT OPEN truncated=0: zs.subsidy/0/%lld/S-TEKUN "
             "zs.subsidy/0/%lld/S-TEKUN-PAID",
             (long long)at.tekun_due, (long long)at.tekun_paid);
    expect_line(&one, "H1 SUBSIDY_SHORT ", want);
    int n = snprintf(want, sizeof(want), "H1 INCOME_FALL OPEN truncated=0:");
    for (int i = 7; i >= 0; i--)
        n += snprintf(want + n, sizeof(want) - (size_t)n, " zs.income/0/%lld/I1-%d",
                      (long long)at.income[i], i);
    expect_line(&one, "H1 INCOME_FALL ", want);
    char line[1024];
    assert_true(
        sources_line(&one, "H2 SLOW_GROWTH OPEN truncated=0: zs.income/0/", line, sizeof(line)));
    assert_int_equal(one.warnings, 4);
    if (strcmp(one.text, two.text) != 0)
        fail_msg("sources differ between runs:\n%s---\n%s", one.text, two.text);
}

/* ---- 5: a changelog state that does not decode ---- */

typedef struct bad_state_ctx {
    int dead, audited, states;
    char reason[512], error[64];
    bool last_state_is_garbage, last_is_tombstone;
} bad_state_ctx_t;

static const char garbage_state[] = "\xff\xff\xff not a household state";

/* A changelog record of household H5 whose state does not decode. */
static void send_bad_state(input_t *in)
{
    zs_encoder_t *enc = encoder(in, "HouseholdState");
    avro_value_t *v = zs_encoder_value(enc);
    set_str(v, "household_id", "H5");
    set_num(v, "partition", 0, NULL);
    set_num(v, "state_format", 1, NULL);
    assert_int_equal(zs_avro_set_bytes(v, "state", garbage_state, sizeof(garbage_state) - 1), 0);
    set_num(v, "updated_at", 1717200000000, NULL);
    set_num(v, "scope", 0, "HOUSEHOLD");
    send_value(in, enc, "zs.monitor.state", "H5", NULL);
    zs_encoder_free(enc);
}

static void on_bad_dead(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                        avro_value_t *v)
{
    (void)rkm;
    (void)schema;
    bad_state_ctx_t *c = ctx;
    if (strcmp(get_s(v, "source_topic"), "zs.monitor.state") != 0)
        return;
    c->dead++;
    snprintf(c->reason, sizeof(c->reason), "%s", get_s(v, "reason"));
    snprintf(c->error, sizeof(c->error), "%s", get_s(v, "error"));
}

static void on_bad_audit(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                         avro_value_t *v)
{
    (void)rkm;
    (void)schema;
    bad_state_ctx_t *c = ctx;
    const char *hh = get_s(v, "household_id");
    if (strcmp(get_enum(v, "kind"), "DATA_QUALITY") == 0 && hh != NULL && strcmp(hh, "H5") == 0)
        c->audited++;
}

static void on_bad_state(void *ctx, const rd_kafka_message_t *rkm, const char *schema,
                         avro_value_t *v)
{
    (void)schema;
    bad_state_ctx_t *c = ctx;
    if (rkm->key_len != 2 || memcmp(rkm->key, "H5", 2) != 0)
        return;
    c->states++;
    c->last_is_tombstone = rkm->payload == NULL;
    c->last_state_is_garbage =
        v != NULL && bytes_equal(v, "state", garbage_state, sizeof(garbage_state) - 1);
}

/* Regression: a partial restore treated as complete. A household state in
 * zs.monitor.state that does not decode (run_once writes one for H5) was
 * restored without a word and noticed only when the household was next
 * touched (exit 1, then a restart loop). Now every state is decoded at
 * restore; a bad one is dropped, with a dead letter and an audit record,
 * and an empty state supersedes it in the changelog, so a later start (a
 * second group here, reading the same changelog) reports nothing more. */
static void restore_of_a_state_that_does_not_decode(void **state)
{
    (void)state;
    char *log = slurp(r1.log_path);
    bool said = strstr(log, "the state of household H5 does not decode") != NULL;
    free(log);
    assert_true(said);
    for (int run = 1; run <= 2; run++) {
        bad_state_ctx_t c = {0};
        read_topic(r1.boot, "zs.deadletter", on_bad_dead, &c);
        read_topic(r1.boot, "zs.audit", on_bad_audit, &c);
        read_topic(r1.boot, "zs.monitor.state", on_bad_state, &c);
        assert_int_equal(c.dead, 1);
        assert_string_equal(c.error, "ZS_ERR_CORRUPT");
        assert_non_null(strstr(c.reason, "the state of household H5 does not decode"));
        assert_int_equal(c.audited, 1);
        assert_int_equal(c.states, 2); /* the bad one, then a tombstone */
        assert_false(c.last_state_is_garbage);
        assert_true(c.last_is_tombstone);
        if (run == 2)
            break;
        char log_path[] = "/tmp/zs-monitor-badstate-XXXXXX";
        int fd = mkstemp(log_path);
        assert_true(fd >= 0);
        close(fd);
        const char *args[] = {"-b",          r1.boot,
                              "-X",          "zs.monitor.instance=t2",
                              "-X",          "zs.monitor.group=second",
                              "--exit-idle", EXIT_IDLE,
                              NULL};
        int rc = wait_exit(spawn(log_path, args), 40000);
        log = slurp(log_path);
        said = strstr(log, "does not decode") != NULL;
        if (rc != 0 || said)
            print_log(log_path);
        free(log);
        unlink(log_path);
        assert_int_equal(rc, 0);
        assert_false(said);
    }
}

/* ---- 5: bad usage, a missing topic ---- */

static void run_expecting(const char *const *args, int want_rc, const char *want_msg)
{
    char log_path[] = "/tmp/zs-monitor-usage-XXXXXX";
    int fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    int rc = wait_exit(spawn(log_path, args), 30000);
    char *log = slurp(log_path);
    if (rc != want_rc || strstr(log, want_msg) == NULL) {
        fprintf(stderr, "%s ...: exit %d, wanted %d and \"%s\" in:\n%s\n", args[0], rc, want_rc,
                want_msg, log);
        fail();
    }
    free(log);
    unlink(log_path);
}

static void bad_usage_and_missing_topics_exit_2(void **state)
{
    (void)state;
    char errstr[512] = "";
    const char *no_number[] = {"-b", "127.0.0.1:1", "--exit-idle", "abc", NULL};
    run_expecting(no_number, 2, "--exit-idle abc: want a number of milliseconds above 0");
    const char *zero[] = {"-b", "127.0.0.1:1", "--exit-idle", "0", NULL};
    run_expecting(zero, 2, "--exit-idle 0: want a number of milliseconds above 0");
    const char *unknown[] = {"-b", "127.0.0.1:1", "--no-such-option", NULL};
    run_expecting(unknown, 2, "usage: zs-monitor");
    const char *extra[] = {"-b", "127.0.0.1:1", "surplus", NULL};
    run_expecting(extra, 2, "unexpected argument surplus");

    zs_broker_t *broker = NULL;
    assert_int_equal(zs_broker_start(1, "zs.", 1, &broker, errstr, sizeof(errstr)), ZS_OK);
    const char *missing[] = {
        "-b", zs_broker_bootstraps(broker), "-X",          "zs.monitor.instance=t1",
        "-X", "zs.topic.prefix=nope.",      "--exit-idle", "4000",
        NULL};
    run_expecting(missing, 2, "topic nope.household does not exist");
    zs_broker_stop(broker);
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
    const struct CMUnitTest input[] = {
        cmocka_unit_test(exits_0_once_idle),
        cmocka_unit_test(each_unusable_message_is_dead_lettered_once),
        cmocka_unit_test(valid_input_after_them_opens_low_income),
        cmocka_unit_test(changelog_holds_h1_and_the_offsets),
        cmocka_unit_test(audit_holds_the_warning_opened),
        cmocka_unit_test(log_names_each_and_counts),
        cmocka_unit_test(dead_letter_error_is_the_code_name),
        cmocka_unit_test(rejected_record_makes_no_household),
        cmocka_unit_test(restore_of_a_state_that_does_not_decode),
    };
    const struct CMUnitTest process[] = {
        cmocka_unit_test(sigterm_stops_cleanly_and_commits),
        cmocka_unit_test(quarter_closes_not_aligned_across_topics),
        cmocka_unit_test(data_quality_findings_repeat),
        cmocka_unit_test(late_data_reopens_a_warning_under_the_same_id),
        cmocka_unit_test(exit_idle_before_the_high_watermark),
        cmocka_unit_test(duplicates_past_the_pruning_horizon),
        cmocka_unit_test(warning_sources_name_the_deciding_records),
        cmocka_unit_test(bad_usage_and_missing_topics_exit_2),
    };
    int failed = cmocka_run_group_tests_name("input", input, run_once, run_once_done);
    failed += cmocka_run_group_tests_name("process", process, NULL, NULL);
    return failed;
}
