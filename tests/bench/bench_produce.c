/* bench_produce.c: the baseline of the zs-push benchmark (push_bench.sh): a
 * plain librdkafka producer sending pre-encoded messages with the settings of
 * zengshou's producer, so that zs-push's rows/s can be read as a ratio of
 * what librdkafka alone does on the same machine, broker and topic.
 *
 * No zengshou code: the values come from a framed file (each message a 4-byte
 * big-endian length, then its bytes; gen_income.py or zs-cat --encode writes
 * it), the keys from the household_id column of the CSV export the same rows
 * came from (zs-push's key). Both are read into memory before the clock
 * starts; the clock runs from the first produce to the end of the flush.
 * Every delivery report is checked: exit 0 only if all N were delivered.
 *
 * Output, one line on stdout (push_bench.sh parses it):
 *   bench_produce rows=N seconds=S rows_per_s=R setup_s=T value_bytes=V key_bytes=K
 * setup_s is client creation (rd_kafka_new), outside the timed span. */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: bench_produce -b HOST:PORT -t TOPIC --values FRAMED --keys CSV [-n N] [-X K=V]...\n"
    "\n"
    "Produces the messages of FRAMED (4-byte big-endian length, then the message),\n"
    "keyed by the household_id column of CSV (line k+1 keys message k), with the\n"
    "settings of common/zs_producer.c, and prints rows/s from the first produce\n"
    "to the end of the flush. -n N sends the first N (default: all). -X sets\n"
    "any librdkafka property after the defaults (for experiments only: the\n"
    "benchmark's baseline uses none).\n";

/* The settings of zengshou's producer. THEY MUST MATCH the defaults table of
 * zs_producer_new() in common/zs_producer.c (the baseline is only a baseline
 * if librdkafka is asked for the same thing); zs-push adds nothing else but
 * bootstrap.servers. Also as there: RD_KAFKA_MSG_F_COPY, the unassigned
 * partition (the default partitioner on the key), rd_kafka_poll(rk, 0) after
 * every 64th produce, a poll and retry on QUEUE_FULL. */
static const char *const settings[][2] = {
    {"enable.idempotence", "true"},
    {"acks", "all"},
    {"linger.ms", "20"},
    {"batch.size", "1000000"},
    {"queue.buffering.max.messages", "200000"},
    {"compression.codec", "lz4"},
};

#define FLUSH_MS 300000

typedef struct counts {
    uint64_t delivered, failed;
    rd_kafka_resp_err_t first_err;
} counts_t;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    counts_t *c = opaque;
    if (rkm->err) {
        if (c->failed++ == 0)
            c->first_err = rkm->err;
        return;
    }
    c->delivered++;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_produce: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* The whole file, in memory. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        die("%s: cannot open", path);
    if (fseek(fp, 0, SEEK_END) != 0)
        die("%s: cannot seek", path);
    long size = ftell(fp);
    if (size < 0 || fseek(fp, 0, SEEK_SET) != 0)
        die("%s: cannot seek", path);
    unsigned char *data = malloc((size_t)size + 1);
    if (data == NULL)
        die("%s: out of memory", path);
    if (fread(data, 1, (size_t)size, fp) != (size_t)size)
        die("%s: short read", path);
    fclose(fp);
    *len = (size_t)size;
    return data;
}

/* Offsets of the messages of a framed file: value k is data[off[k]+4 ..]. */
static size_t *index_framed(const unsigned char *data, size_t len, size_t *count)
{
    size_t cap = 1 << 20, n = 0, off = 0;
    size_t *offs = malloc(cap * sizeof(*offs));
    while (offs != NULL && off < len) {
        if (len - off < 4)
            die("%s", "values: the file ends inside a length");
        size_t m = (size_t)data[off] << 24 | (size_t)data[off + 1] << 16 |
                   (size_t)data[off + 2] << 8 | (size_t)data[off + 3];
        if (m > len - off - 4)
            die("%s", "values: the file ends inside a message");
        if (n == cap) {
            cap *= 2;
            size_t *grown = realloc(offs, cap * sizeof(*offs));
            if (grown == NULL)
                free(offs);
            offs = grown;
            if (offs == NULL)
                break;
        }
        offs[n++] = off;
        off += 4 + m;
    }
    if (offs == NULL)
        die("%s", "values: out of memory");
    *count = n;
    return offs;
}

/* The household_id column of a CSV export without quoted fields, in place:
 * keys[k] points into text, NUL-terminated, for data line k. */
static char **csv_keys(char *text, size_t len, size_t want, size_t *count)
{
    char *p = text, *end = text + len;
    char *eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == NULL)
        die("%s", "keys: no header line");
    *eol = '\0';
    int col = -1, i = 0;
    for (char *tok = p, *next; tok != NULL; tok = next, i++) {
        next = strchr(tok, ',');
        if (next != NULL)
            *next++ = '\0';
        if (strcmp(tok, "household_id") == 0)
            col = i;
    }
    if (col < 0)
        die("%s", "keys: no household_id column in the header");
    p = eol + 1;
    char **keys = malloc((want ? want : 1) * sizeof(*keys));
    if (keys == NULL)
        die("%s", "keys: out of memory");
    size_t n = 0;
    while (n < want && p < end) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        *eol = '\0';
        if (memchr(p, '"', (size_t)(eol - p)) != NULL)
            die("keys: data line %zu has a quoted field; not supported", n + 1);
        char *f = p;
        for (int c = 0; c < col && f != NULL; c++) {
            f = strchr(f, ',');
            if (f != NULL)
                f++;
        }
        if (f == NULL)
            die("%s", "keys: a line has too few fields");
        char *comma = strchr(f, ',');
        if (comma != NULL)
            *comma = '\0';
        keys[n++] = f;
        p = eol + 1;
    }
    *count = n;
    return keys;
}

int main(int argc, char **argv)
{
    const char *bootstrap = NULL, *topic = NULL, *values_path = NULL, *keys_path = NULL;
    size_t limit = 0;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char kerr[512];
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], kerr, sizeof(kerr)) !=
            RD_KAFKA_CONF_OK)
            die("%s", kerr);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (v == NULL) {
            fputs(usage, stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "-b") == 0)
            bootstrap = v;
        else if (strcmp(a, "-t") == 0)
            topic = v;
        else if (strcmp(a, "--values") == 0)
            values_path = v;
        else if (strcmp(a, "--keys") == 0)
            keys_path = v;
        else if (strcmp(a, "-n") == 0) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(v, &end, 10);
            if (errno != 0 || end == v || *end != '\0')
                die("-n %s: not a number", v);
            limit = (size_t)n;
        } else if (strcmp(a, "-X") == 0) {
            char kv[1024];
            snprintf(kv, sizeof(kv), "%s", v);
            char *eq = strchr(kv, '=');
            if (eq == NULL)
                die("-X %s: want KEY=VALUE", v);
            *eq = '\0';
            if (rd_kafka_conf_set(conf, kv, eq + 1, kerr, sizeof(kerr)) != RD_KAFKA_CONF_OK)
                die("%s", kerr);
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (bootstrap == NULL || topic == NULL || values_path == NULL || keys_path == NULL) {
        fputs(usage, stderr);
        return 2;
    }

    /* Everything into memory before the clock starts. */
    size_t vlen = 0, klen = 0, nvalues = 0, nkeys = 0;
    unsigned char *values = slurp(values_path, &vlen);
    size_t *offs = index_framed(values, vlen, &nvalues);
    size_t n = limit > 0 && limit < nvalues ? limit : nvalues;
    char *ktext = (char *)slurp(keys_path, &klen);
    char **keys = csv_keys(ktext, klen, n, &nkeys);
    if (nkeys < n)
        die("%s: fewer data lines than messages", keys_path);
    uint64_t value_bytes = 0, key_bytes = 0;
    size_t *key_lens = malloc((n ? n : 1) * sizeof(*key_lens));
    if (key_lens == NULL)
        die("%s", "out of memory");
    for (size_t k = 0; k < n; k++) {
        const unsigned char *d = values + offs[k];
        value_bytes += (size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3];
        key_lens[k] = strlen(keys[k]);
        key_bytes += key_lens[k];
    }

    counts_t counts = {0};
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, kerr, sizeof(kerr)) !=
        RD_KAFKA_CONF_OK)
        die("%s", kerr);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &counts);
    double t_setup = now_s();
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof(kerr));
    if (rk == NULL)
        die("%s", kerr);
    double t0 = now_s();

    for (size_t k = 0; k < n; k++) {
        const unsigned char *d = values + offs[k];
        size_t m = (size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3];
        for (;;) {
            rd_kafka_resp_err_t err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
                RD_KAFKA_V_KEY(keys[k], key_lens[k]), RD_KAFKA_V_VALUE((void *)(d + 4), m),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
                break;
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die("produce: %s", rd_kafka_err2str(err));
            rd_kafka_poll(rk, 100);
        }
        if (k % 64 == 0)
            rd_kafka_poll(rk, 0);
        if (counts.failed > 0)
            break;
    }
    rd_kafka_resp_err_t ferr = rd_kafka_flush(rk, FLUSH_MS);
    double t1 = now_s();

    char reason[512];
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, reason, sizeof(reason));
    int rc = 0;
    if (fatal != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "bench_produce: fatal producer error: %s\n", reason);
        rc = 1;
    }
    if (ferr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "bench_produce: flush: %s, %d still queued\n", rd_kafka_err2str(ferr),
                rd_kafka_outq_len(rk));
        rc = 1;
    }
    if (counts.failed > 0 || counts.delivered != n) {
        fprintf(stderr, "bench_produce: %" PRIu64 " of %zu delivered, %" PRIu64 " failed%s%s\n",
                counts.delivered, n, counts.failed, counts.failed ? ", the first: " : "",
                counts.failed ? rd_kafka_err2str(counts.first_err) : "");
        rc = 1;
    }
    double secs = t1 - t0;
    printf("bench_produce rows=%zu seconds=%.3f rows_per_s=%.0f setup_s=%.3f value_bytes=%" PRIu64
           " key_bytes=%" PRIu64 "\n",
           n, secs, secs > 0 ? (double)n / secs : 0.0, t0 - t_setup, value_bytes, key_bytes);
    rd_kafka_destroy(rk);
    free(key_lens);
    free(keys);
    free(ktext);
    free(offs);
    free(values);
    return rc;
}
