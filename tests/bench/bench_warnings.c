/* bench_warnings.c: the data of the zs-desk benchmark (desk_bench.sh): N
 * Warning records, as zs-monitor writes them (evidence with every income
 * component, a few source coordinates), for households spread over the
 * region's counties, each warning opened, updated and some cleared, sent to
 * one topic with an idempotent producer. Deterministic for a given N.
 *   bench_warnings -b HOST:PORT TOPIC N */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_avro.h"
#include "zs_codec.h"
#include "zs_schema.h"

static const char *const counties[] = {"450102", "450103", "451227", "451226",
                                       "451081", "450821", "451424", "450329"};

/* Fills the encoder's value as record i. */
static int fill(avro_value_t *v, uint64_t i)
{
    char wid[64], hh[32];
    uint64_t h = i / 3; /* three records per warning: OPEN, UPDATED, CLEARED or UPDATED */
    snprintf(hh, sizeof(hh), "GX%07" PRIu64, h / 2);
    snprintf(wid, sizeof(wid), "W-%s-INCOME_FALL-%" PRIu64 "-202312", hh, h % 2);
    int status = (int)(i % 3);
    if (status == 2 && h % 4 != 0)
        status = 1;
    avro_value_t ev, arr, item;
    int rc = zs_avro_set_str(v, "warning_id", wid) || zs_avro_set_str(v, "household_id", hh) ||
             zs_avro_set_str(v, "county_code", counties[h % 8]) ||
             zs_avro_set_num(v, "rule", (int64_t)(h % 12)) ||
             zs_avro_set_num(v, "severity", (int64_t)(h % 3)) ||
             zs_avro_set_num(v, "status", status) || zs_avro_set_num(v, "year", 2024) ||
             zs_avro_set_num(v, "month", 3 + 3 * (int64_t)(i % 3)) ||
             zs_avro_set_num(v, "opened_year", 2024) || zs_avro_set_num(v, "opened_month", 3) ||
             zs_avro_set_num(v, "risk_type", (int64_t)(h % 9)) ||
             zs_avro_set_str(v, "ruleset_version", "2024.1") ||
             zs_avro_set_num(v, "sources_truncated", 0) ||
             zs_avro_set_num(v, "emitted_at", 1700000000000 + (int64_t)i);
    rc = rc || avro_value_get_by_name(v, "evidence", &ev, NULL) || zs_codec_null_optionals(&ev);
    rc = rc || zs_avro_set_num(&ev, "t12m_per_capita_fen", 950000 + (int64_t)(h % 1000)) ||
         zs_avro_set_num(&ev, "t12m_prev_per_capita_fen", 1000000) ||
         zs_avro_set_num(&ev, "growth_bp", -500) || zs_avro_set_num(&ev, "members_active", 3) ||
         zs_avro_set_str(&ev, "threshold_source", "plan item 33") ||
         zs_avro_set_str(&ev, "detail", "top_fall=WAGE;wage_change_fen=-480000");
    rc = rc || avro_value_get_by_name(&ev, "components", &arr, NULL) || avro_value_reset(&arr);
    for (int c = 0; !rc && c < 5; c++)
        rc = avro_value_append(&arr, &item, NULL) || zs_codec_null_optionals(&item) ||
             zs_avro_set_num(&item, "component", c) ||
             zs_avro_set_num(&item, "current_fen", 100000 * (c + 1)) ||
             zs_avro_set_num(&item, "previous_fen", 110000 * (c + 1));
    rc = rc || avro_value_get_by_name(v, "sources", &arr, NULL) || avro_value_reset(&arr);
    for (int s = 0; !rc && s < 4; s++)
        rc = avro_value_append(&arr, &item, NULL) || zs_codec_null_optionals(&item) ||
             zs_avro_set_str(&item, "topic", "zs.income") ||
             zs_avro_set_num(&item, "partition", (int64_t)(h % 12)) ||
             zs_avro_set_num(&item, "offset", (int64_t)(i * 4 + (uint64_t)s)) ||
             zs_avro_set_str(&item, "event_id", "E123456");
    return rc;
}

int main(int argc, char **argv)
{
    char errstr[512];
    if (argc != 5 || strcmp(argv[1], "-b") != 0) {
        fputs("usage: bench_warnings -b HOST:PORT TOPIC N\n", stderr);
        return 2;
    }
    uint64_t n = strtoull(argv[4], NULL, 10);
    zs_schemas_t *set = NULL;
    zs_encoder_t *enc = NULL;
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 20);
    if (zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &set, errstr, sizeof(errstr)) != ZS_OK ||
        zs_encoder_new(zs_schemas_latest(set, "Warning"), &enc, errstr, sizeof(errstr)) != ZS_OK) {
        fprintf(stderr, "bench_warnings: %s\n", errstr);
        return 1;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[2], errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "enable.idempotence", "true", errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "linger.ms", "20", errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "compression.codec", "lz4", errstr, sizeof(errstr))) {
        fprintf(stderr, "bench_warnings: %s\n", errstr);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "bench_warnings: %s\n", errstr);
        return 1;
    }
    for (uint64_t i = 0; i < n; i++) {
        avro_value_t *v = zs_encoder_value(enc);
        if (fill(v, i) != 0 || zs_encoder_encode(enc, &msg, errstr, sizeof(errstr)) != ZS_OK) {
            fprintf(stderr, "bench_warnings: record %" PRIu64 ": %s %s\n", i, errstr,
                    avro_strerror());
            return 1;
        }
        const char *key = NULL;
        size_t klen = 0;
        avro_value_t hh;
        avro_value_get_by_name(v, "household_id", &hh, NULL);
        avro_value_get_string(&hh, &key, &klen);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[3]), RD_KAFKA_V_KEY(key, klen - 1),
                                      RD_KAFKA_V_VALUE(msg.data, msg.len),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 50);
        if (e) {
            fprintf(stderr, "bench_warnings: %s\n", rd_kafka_err2str(e));
            return 1;
        }
        if (i % 64 == 0)
            rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 120000);
    int left = rd_kafka_outq_len(rk);
    rd_kafka_destroy(rk);
    zs_encoder_free(enc);
    zs_schemas_free(set);
    zs_buf_free(&msg);
    if (left > 0) {
        fprintf(stderr, "bench_warnings: %d not delivered\n", left);
        return 1;
    }
    printf("bench_warnings records=%" PRIu64 "\n", n);
    return 0;
}
