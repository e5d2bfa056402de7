/* test_audit_verify.c: zs-audit verify on the embedded broker: whole chains
 * hold; a record produced twice, a record left out and an edited record are
 * each named with their partition and offset. argv[1] is zs-audit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "zs_audit.h"
#include "zs_broker.h"

static const char *zs_audit;

/* Writes a chain of n records; skip leaves one out, repeat sends one twice
 * (at the end), edit changes one's detail after it was hashed. */
static void write_chain(rd_kafka_t *rk, zs_encoder_t *enc, const char *name, int n, int skip,
                        int repeat, int edit)
{
    char errstr[512];
    zs_audit_chain_t chain;
    zs_audit_chain_init(&chain, name);
    zs_buf_t msg, again;
    zs_buf_init(&msg, 1 << 16);
    zs_buf_init(&again, 1 << 16);
    for (int i = 0; i < n; i++) {
        avro_value_t *v = zs_encoder_value(enc), f;
        assert_int_equal(avro_value_get_by_name(v, "kind", &f, NULL), 0);
        assert_int_equal(avro_value_set_enum(&f, 1), 0);
        assert_int_equal(avro_value_get_by_name(v, "actor", &f, NULL), 0);
        assert_int_equal(avro_value_set_string(&f, "test"), 0);
        assert_int_equal(avro_value_get_by_name(v, "detail", &f, NULL), 0);
        assert_int_equal(avro_value_set_string(&f, "row rejected"), 0);
        assert_int_equal(zs_codec_null_optionals(v), ZS_OK);
        assert_int_equal(zs_audit_chain_append(&chain, enc, v, &msg, errstr, sizeof(errstr)),
                         ZS_OK);
        if (i == edit)
            msg.data[msg.len - 1] ^= 1;
        if (i == repeat)
            assert_int_equal(zs_buf_add(&again, msg.data, msg.len), ZS_OK);
        if (i == skip)
            continue;
        assert_int_equal(
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("zs.audit"), RD_KAFKA_V_KEY(name, strlen(name)),
                              RD_KAFKA_V_VALUE(msg.data, msg.len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            0);
    }
    if (repeat >= 0)
        assert_int_equal(
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("zs.audit"), RD_KAFKA_V_KEY(name, strlen(name)),
                              RD_KAFKA_V_VALUE(again.data, again.len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            0);
    assert_int_equal(rd_kafka_flush(rk, 10000), 0);
    zs_buf_free(&msg);
    zs_buf_free(&again);
}

/* Runs zs-audit verify; returns its exit status and fills out (static). */
static int verify(const char *bootstraps, const char **out)
{
    static char text[8192];
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s verify -b %s 2>&1", zs_audit, bootstraps);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    size_t n = fread(text, 1, sizeof(text) - 1, fp);
    text[n] = '\0';
    int status = pclose(fp);
    *out = text;
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void chains_hold_and_breaks_are_named(void **state)
{
    (void)state;
    char errstr[512];
    zs_broker_t *broker = NULL;
    assert_int_equal(zs_broker_start(1, "zs.", 3, &broker, errstr, sizeof(errstr)), ZS_OK);
    zs_schemas_t *set = NULL;
    assert_int_equal(zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &set, errstr, sizeof(errstr)), ZS_OK);
    zs_encoder_t *enc = NULL;
    assert_int_equal(
        zs_encoder_new(zs_schemas_latest(set, "AuditRecord"), &enc, errstr, sizeof(errstr)), ZS_OK);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", zs_broker_bootstraps(broker), NULL, 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);

    const char *out;
    write_chain(rk, enc, "good-1", 5, -1, -1, -1);
    write_chain(rk, enc, "good-2", 3, -1, -1, -1);
    assert_int_equal(verify(zs_broker_bootstraps(broker), &out), 0);
    assert_non_null(strstr(out, "8 records in 2 chains; every link holds"));

    write_chain(rk, enc, "gap", 5, 2, -1, -1);
    write_chain(rk, enc, "twice", 4, -1, 1, -1);
    write_chain(rk, enc, "edited", 4, -1, -1, 1);
    assert_int_equal(verify(zs_broker_bootstraps(broker), &out), 1);
    const char *want[] = {
        "chain gap: seq 3 follows 1: 1 records are missing",
        "chain twice: seq 1 after 3: a record repeated or moved",
        "chain edited: seq 2 does not carry the hash of seq 1",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(out, want[i]) == NULL)
            fail_msg("'%s' not in:\n%s", want[i], out);
    assert_non_null(strstr(out, "BROKEN zs.audit ["));
    assert_non_null(strstr(out, "] offset "));

    rd_kafka_destroy(rk);
    zs_encoder_free(enc);
    zs_schemas_free(set);
    zs_broker_stop(broker);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ZS-AUDIT\n", argv[0]);
        return 2;
    }
    zs_audit = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chains_hold_and_breaks_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
