/* bench_state.c: a changelog for the zs-monitor benchmark's memory and
 * restore figures (monitor_bench.sh). It builds T distinct households with
 * zs-simulate's generator, feeds each through the monitor's state and rules
 * (consumers/mon_*.c) over the simulated quarters as zs-monitor would
 * (closes, pruning), and writes N HouseholdState records (household ids
 * GX0000001.., each the compact state of template i % T under its own id;
 * the ids have the templates' length, so every person and event id inside
 * follows) to the state topic, spread over its partitions. zs-monitor
 * restoring that topic then holds N realistic households.
 *
 *   bench_state -b HOST:PORT -t TOPIC -n N [--templates T] [--partitions P]
 * (ZS_SCHEMA_DIR and ZS_DATA_DIR set). Prints one line:
 *   bench_state households=N templates=T state_bytes_mean=B seconds=S */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mon_rules.h"
#include "mon_state.h"
#include "sim_gen.h"
#include "zs_codec.h"
#include "zs_county.h"

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench_state: %s: %s\n", what, why);
    exit(1);
}

/* A whole number from arg, or -1 when it is not one. */
static long number(const char *arg)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(arg, &end, 10);
    return errno != 0 || end == arg || *end != '\0' ? -1 : n;
}

static int set(avro_value_t *rec, const char *name, int64_t n)
{
    avro_value_t f;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_INT32)
        return avro_value_set_int(&f, (int32_t)n);
    if (avro_value_get_type(&f) == AVRO_ENUM)
        return avro_value_set_enum(&f, (int)n);
    return avro_value_set_long(&f, n);
}

/* One generated household, through the monitor's state and rules. Input
 * offsets as a push of every household's records in turn would give them:
 * the household's k-th record of a topic at index + k * stride (stride: the
 * households of a partition). */
static void build(sim_gen_t *g, uint64_t index, sim_household_t *hh, mon_hh_t *st, mon_out_t *out,
                  const mon_rules_t *rules, zs_quarter_t from, int quarters, int64_t stride)
{
    int64_t base = (int64_t)index;
    char err[512];
    sim_injection_t inj;
    if (sim_gen_household(g, index, hh, &inj, err, sizeof(err)) != ZS_OK)
        die("generator", err);
    mon_hh_clear(st, hh->household_id);
    size_t n;
    mon_applied_t a;
    const sim_member_t *m = sim_members(hh, &n);
    mon_member_in_t in[64];
    for (size_t i = 0; i < n && i < 64; i++)
        in[i] = (mon_member_in_t){m[i].person_id, m[i].birth_year, (int)m[i].labor, m[i].disability,
                                  m[i].active};
    mon_apply_household(st, "450102", (int)0, 1, in, n < 64 ? n : 64, base, &a);
    const sim_income_t *x = sim_incomes(hh, &n);
    for (size_t i = 0; i < n; i++)
        mon_apply_income(st, x[i].event_id, x[i].month, (int)x[i].component, x[i].source, x[i].fen,
                         x[i].reported_ms, base + (int64_t)i * stride, &a);
    const sim_job_t *j = sim_jobs(hh, &n);
    for (size_t i = 0; i < n; i++)
        mon_apply_job(st, j[i].event_id, m[j[i].member].person_id, j[i].month, (int)j[i].status,
                      j[i].wants_work, j[i].reported_ms, base + (int64_t)i * stride, &a);
    const sim_subsidy_t *s = sim_subsidies(hh, &n);
    for (size_t i = 0; i < n; i++)
        mon_apply_subsidy(st, s[i].event_id, s[i].member < 0 ? NULL : m[s[i].member].person_id,
                          (int)s[i].program, s[i].paid, s[i].month, s[i].fen, s[i].reported_ms,
                          base + (int64_t)i * stride, &a);
    const sim_cost_t *c = sim_costs(hh, &n);
    for (size_t i = 0; i < n; i++)
        mon_apply_cost(st, c[i].event_id, c[i].month, (int)c[i].kind, c[i].fen, c[i].reported_ms,
                       base + (int64_t)i * stride, &a);
    for (zs_quarter_t q = from; q < from + quarters; q++) {
        mon_close_quarter(rules, st, q, out);
        mon_out_reset(out);
        mon_hh_prune(st, zs_quarter_first_month(q - 7));
    }
}

int main(int argc, char **argv)
{
    const char *bootstrap = NULL, *topic = NULL;
    long households = 1000000, templates = 20000, partitions = 6;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-b") == 0)
            bootstrap = argv[i + 1];
        else if (strcmp(argv[i], "-t") == 0)
            topic = argv[i + 1];
        else if (strcmp(argv[i], "-n") == 0)
            households = number(argv[i + 1]);
        else if (strcmp(argv[i], "--templates") == 0)
            templates = number(argv[i + 1]);
        else if (strcmp(argv[i], "--partitions") == 0)
            partitions = number(argv[i + 1]);
        else
            die(argv[i], "unknown option");
    }
    if (bootstrap == NULL || topic == NULL || households < 1 || households > 9999999 ||
        templates < 1 || partitions < 1)
        die("usage", "bench_state -b HOST:PORT -t TOPIC -n N [--templates T] [--partitions P]");
    if (templates > households)
        templates = households;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char err[512], path[4096];
    snprintf(path, sizeof(path), "%s/guangxi-counties.csv", getenv("ZS_DATA_DIR"));
    zs_county_table_t *counties = NULL;
    if (zs_county_load(path, &counties, err, sizeof(err)) != ZS_OK)
        die(path, err);
    zs_quarter_t from = 2023 * 4;
    int quarters = 8;
    sim_gen_opts_t opts = {.seed = 1, .from = from, .quarters = quarters, .inject_share = 0.05};
    sim_gen_t *g = NULL;
    if (sim_gen_new(counties, &opts, &g, err, sizeof(err)) != ZS_OK)
        die("generator", err);
    mon_rules_t rules;
    mon_rules_default(&rules);
    sim_household_t hh;
    sim_household_init(&hh);
    mon_hh_t st;
    mon_hh_init(&st);
    mon_out_t out;
    mon_out_init(&out);
    zs_buf_t *blobs = calloc((size_t)templates, sizeof(zs_buf_t));
    size_t total = 0;
    for (long t = 0; t < templates; t++) {
        build(g, (uint64_t)t, &hh, &st, &out, &rules, from, quarters, households / partitions + 1);
        zs_buf_init(&blobs[t], (size_t)1 << 24);
        if (mon_hh_encode(&st, &blobs[t]) != ZS_OK)
            die("encode", hh.household_id);
        total += blobs[t].len;
    }

    zs_schemas_t *schemas = NULL;
    zs_encoder_t *enc = NULL;
    if (zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &schemas, err, sizeof(err)) != ZS_OK ||
        zs_encoder_new(zs_schemas_latest(schemas, "HouseholdState"), &enc, err, sizeof(err)) !=
            ZS_OK)
        die("schemas", err);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err)) ||
        rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof(err)) ||
        rd_kafka_conf_set(conf, "linger.ms", "50", err, sizeof(err)) ||
        rd_kafka_conf_set(conf, "compression.codec", "lz4", err, sizeof(err)))
        die("config", err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk == NULL)
        die("producer", err);
    zs_buf_t msg;
    zs_buf_init(&msg, (size_t)1 << 24);
    for (long i = 0; i < households; i++) {
        char id[32];
        snprintf(id, sizeof(id), "GX%07ld", i + 1);
        const zs_buf_t *b = &blobs[i % templates];
        avro_value_t *v = zs_encoder_value(enc), f, arr;
        if (avro_value_get_by_name(v, "household_id", &f, NULL) || avro_value_set_string(&f, id) ||
            set(v, "partition", i % partitions) || set(v, "state_format", 1) ||
            avro_value_get_by_name(v, "state", &f, NULL) ||
            avro_value_set_bytes(&f, b->data, b->len) || set(v, "updated_at", 0) ||
            set(v, "scope", 0) || avro_value_get_by_name(v, "input_offsets", &arr, NULL))
            die("record", avro_strerror());
        if (zs_encoder_encode(enc, &msg, err, sizeof(err)) != ZS_OK)
            die("encode", err);
        while (rd_kafka_producev(
                   rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION((int32_t)(i % partitions)),
                   RD_KAFKA_V_KEY(id, strlen(id)), RD_KAFKA_V_VALUE(msg.data, msg.len),
                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                   RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        if (i % 1024 == 0)
            rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 600000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        die("flush", "not every record was delivered");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("bench_state households=%ld templates=%ld state_bytes_mean=%zu seconds=%.1f\n",
           households, templates, total / (size_t)templates,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    rd_kafka_destroy(rk);
    zs_buf_free(&msg);
    for (long t = 0; t < templates; t++)
        zs_buf_free(&blobs[t]);
    free(blobs);
    zs_encoder_free(enc);
    zs_schemas_free(schemas);
    mon_out_free(&out);
    mon_hh_free(&st);
    sim_household_free(&hh);
    sim_gen_free(g);
    zs_county_table_free(counties);
    return 0;
}
