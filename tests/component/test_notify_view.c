/* test_notify_view.c: zs-notify's reports' view of the warnings topic
 * (consumers/notify_view.c) on the embedded broker (3 partitions). A
 * refresh reads only the records written since the previous one (counted),
 * says which counties changed, and the reports it gives equal those of a
 * view built from scratch over the whole topic, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_view.h"
#include "zs_avro.h"
#include "zs_broker.h"
#include "zs_codec.h"

#define GENERATED INT64_C(1735689600000)
enum { LOW_INCOME = 2 };         /* WarningRule */
enum { OPEN, UPDATED, CLEARED }; /* WarningStatus */
static const char *const counties[] = {"451226", "451227", "451228"};

typedef struct producer {
    rd_kafka_t *rk;
    zs_schemas_t *set;
    zs_encoder_t *enc;
} producer_t;

static void producer_new(producer_t *p, const char *bootstraps)
{
    char errstr[512];
    assert_int_equal(zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &p->set, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(
        zs_encoder_new(zs_schemas_latest(p->set, "Warning"), &p->enc, errstr, sizeof(errstr)),
        ZS_OK);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, errstr, sizeof(errstr)),
        RD_KAFKA_CONF_OK);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(p->rk);
}

static void producer_free(producer_t *p)
{
    assert_int_equal(rd_kafka_flush(p->rk, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p->rk);
    zs_encoder_free(p->enc);
    zs_schemas_free(p->set);
}

/* One LOW_INCOME record of household number h (its county: h % 3), keyed by
 * the household, with per-capita figure fen and the given status. */
static void produce(producer_t *p, int h, int status, int64_t fen)
{
    char errstr[512], hh[16], id[64];
    snprintf(hh, sizeof(hh), "H%d", h);
    snprintf(id, sizeof(id), "W-%s-LOW_INCOME---202403", hh);
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 20);
    avro_value_t *v = zs_encoder_value(p->enc), evidence;
    assert_int_equal(avro_value_get_by_name(v, "evidence", &evidence, NULL), 0);
    assert_int_equal(zs_codec_null_optionals(&evidence), ZS_OK);
    assert_int_equal(zs_avro_set_num(&evidence, "t12m_per_capita_fen", fen), 0);
    assert_int_equal(zs_avro_set_num(&evidence, "members_active", 3), 0);
    assert_int_equal(zs_avro_set_str(v, "warning_id", id), 0);
    assert_int_equal(zs_avro_set_str(v, "household_id", hh), 0);
    assert_int_equal(zs_avro_set_str(v, "county_code", counties[h % 3]), 0);
    assert_int_equal(zs_avro_set_num(v, "rule", LOW_INCOME), 0);
    assert_int_equal(zs_avro_set_num(v, "status", status), 0);
    assert_int_equal(zs_avro_set_str(v, "ruleset_version", "test"), 0);
    assert_int_equal(zs_avro_set_num(v, "year", 2024), 0);
    assert_int_equal(zs_avro_set_num(v, "month", status == OPEN ? 3 : 6), 0);
    assert_int_equal(zs_avro_set_num(v, "opened_year", 2024), 0);
    assert_int_equal(zs_avro_set_num(v, "opened_month", 3), 0);
    if (zs_encoder_encode(p->enc, &msg, errstr, sizeof(errstr)) != ZS_OK)
        fail_msg("warning: %s", errstr);
    assert_int_equal(rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC("zs.warnings"),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_KEY(hh, strlen(hh)),
                                       RD_KAFKA_V_VALUE(msg.data, msg.len), RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    zs_buf_free(&msg);
}

static void refresh(notify_view_t *v)
{
    char errstr[1024];
    if (notify_view_refresh(v, NULL, errstr, sizeof(errstr)) != ZS_OK)
        fail_msg("refresh: %s", errstr);
}

/* The counties that changed, comma-separated, into out. */
static const char *changed(notify_view_t *v, char *out, size_t size)
{
    notify_report_t *r = notify_view_report(v);
    out[0] = '\0';
    for (size_t i = 0; i < notify_report_county_count(r); i++)
        if (notify_report_county_changed(r, i)) {
            size_t n = strlen(out);
            snprintf(out + n, size - n, "%s%s", n ? "," : "", notify_report_county_at(r, i));
        }
    return out;
}

/* Every county's page of a and of b, and their indexes, are equal. */
static void same_pages(notify_view_t *a, notify_view_t *b)
{
    notify_report_t *ra = notify_view_report(a), *rb = notify_view_report(b);
    assert_int_equal(notify_report_county_count(ra), notify_report_county_count(rb));
    zs_buf_t pa, pb;
    zs_buf_init(&pa, 1 << 24);
    zs_buf_init(&pb, 1 << 24);
    for (size_t i = 0; i < notify_report_county_count(ra); i++) {
        const char *code = notify_report_county_at(ra, i);
        assert_string_equal(code, notify_report_county_at(rb, i));
        for (int lang = 0; lang < 2; lang++) {
            zs_buf_reset(&pa);
            zs_buf_reset(&pb);
            assert_int_equal(
                notify_report_render(ra, code, NULL, (notify_lang_t)lang, GENERATED, &pa), ZS_OK);
            assert_int_equal(
                notify_report_render(rb, code, NULL, (notify_lang_t)lang, GENERATED, &pb), ZS_OK);
            if (pa.len != pb.len || memcmp(pa.data, pb.data, pa.len) != 0)
                fail_msg("county %s: the incremental page differs from the rebuilt one", code);
        }
    }
    zs_buf_reset(&pa);
    zs_buf_reset(&pb);
    assert_int_equal(notify_report_render_index(ra, NULL, NOTIFY_LANG_ZH, GENERATED, &pa), ZS_OK);
    assert_int_equal(notify_report_render_index(rb, NULL, NOTIFY_LANG_ZH, GENERATED, &pb), ZS_OK);
    assert_true(pa.len == pb.len && memcmp(pa.data, pb.data, pa.len) == 0);
    zs_buf_free(&pa);
    zs_buf_free(&pb);
}

static void second_refresh_reads_only_new_records(void **state)
{
    (void)state;
    char errstr[1024], list[256];
    zs_broker_t *broker = NULL;
    assert_int_equal(zs_broker_start(1, "zs.", 3, &broker, errstr, sizeof(errstr)), ZS_OK);
    zs_config_t *cfg = NULL;
    assert_int_equal(zs_config_new(&cfg, NULL, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_set(cfg, "bootstrap.servers", zs_broker_bootstraps(broker), "test",
                                   true, errstr, sizeof(errstr)),
                     ZS_OK);

    /* 30 households of three counties open a warning; 10 of them update it. */
    producer_t p;
    producer_new(&p, zs_broker_bootstraps(broker));
    for (int h = 0; h < 30; h++)
        produce(&p, h, OPEN, 900000 + h);
    for (int h = 0; h < 30; h += 3)
        produce(&p, h, UPDATED, 800000 + h);
    assert_int_equal(rd_kafka_flush(p.rk, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);

    notify_view_t *v = NULL, *fresh = NULL;
    assert_int_equal(notify_view_new(cfg, NULL, &v, errstr, sizeof(errstr)), ZS_OK);
    refresh(v);
    assert_int_equal(notify_view_records_read(v), 40);
    assert_string_equal(changed(v, list, sizeof(list)), "451226,451227,451228");
    notify_report_changes_clear(notify_view_report(v));

    /* Nothing new: nothing read, nothing changed. */
    refresh(v);
    assert_int_equal(notify_view_records_read(v), 0);
    assert_string_equal(changed(v, list, sizeof(list)), "");

    /* Five more records, all of county 451227 (h % 3 == 1): two clear, one
     * updates, two new households open. */
    produce(&p, 1, CLEARED, 1100000);
    produce(&p, 4, CLEARED, 1200000);
    produce(&p, 7, UPDATED, 700000);
    produce(&p, 31, OPEN, 600000);
    produce(&p, 34, OPEN, 650000);
    producer_free(&p);
    refresh(v);
    assert_int_equal(notify_view_records_read(v), 5);
    assert_string_equal(changed(v, list, sizeof(list)), "451227");

    /* The same as a view built from scratch over the whole topic. */
    assert_int_equal(notify_view_new(cfg, NULL, &fresh, errstr, sizeof(errstr)), ZS_OK);
    refresh(fresh);
    assert_int_equal(notify_view_records_read(fresh), 45);
    same_pages(v, fresh);

    /* A view of one county reads every record but keeps only its own. */
    notify_view_free(fresh);
    assert_int_equal(notify_view_new(cfg, "451226", &fresh, errstr, sizeof(errstr)), ZS_OK);
    refresh(fresh);
    assert_int_equal(notify_view_records_read(fresh), 20); /* 10 opened, 10 updated */
    assert_string_equal(changed(fresh, list, sizeof(list)), "451226");

    notify_view_free(fresh);
    notify_view_free(v);
    zs_config_destroy(cfg);
    zs_broker_stop(broker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(second_refresh_reads_only_new_records)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
