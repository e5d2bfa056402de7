/* test_zs_cat_topic.c: zs-cat reading a topic of the embedded broker: every
 * message printed with its coordinates, a poison message reported with its
 * place while the rest still print. argv[1] is the zs-cat binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zs_broker.h"
#include "zs_codec.h"

static const char *zs_cat;

/* Produces count Other messages (n = 0..count-1) and one that is not ours. */
static void produce(const char *bootstraps, const char *topic, int count)
{
    char errstr[512];
    zs_schemas_t *set = NULL;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/schemas", getenv("ZS_TEST_DATA"));
    assert_int_equal(zs_schemas_load(dir, &set, errstr, sizeof(errstr)), ZS_OK);
    zs_encoder_t *enc = NULL;
    assert_int_equal(zs_encoder_new(zs_schemas_latest(set, "Other"), &enc, errstr, sizeof(errstr)),
                     ZS_OK);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, errstr, sizeof(errstr)),
        RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 16);
    for (int i = 0; i <= count; i++) {
        const char *bytes = "not an Avro message";
        size_t len = strlen(bytes);
        if (i < count) {
            avro_value_t *v = zs_encoder_value(enc), f;
            assert_int_equal(avro_value_get_by_name(v, "n", &f, NULL), 0);
            assert_int_equal(avro_value_set_int(&f, i), 0);
            assert_int_equal(zs_encoder_encode(enc, &msg, errstr, sizeof(errstr)), ZS_OK);
            bytes = msg.data;
            len = msg.len;
        }
        char key[16];
        snprintf(key, sizeof(key), "hh-%d", i);
        assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_KEY(key, strlen(key)),
                                           RD_KAFKA_V_VALUE((void *)bytes, len), RD_KAFKA_V_END),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(rk, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
    zs_buf_free(&msg);
    zs_encoder_free(enc);
    zs_schemas_free(set);
}

static void prints_every_message_and_names_the_poison(void **state)
{
    (void)state;
    char errstr[512];
    zs_broker_t *broker = NULL;
    assert_int_equal(zs_broker_start(1, "zs.", 3, &broker, errstr, sizeof(errstr)), ZS_OK);
    produce(zs_broker_bootstraps(broker), "zs.income", 5);

    char cmd[2048], err_path[] = "/tmp/zs-cat-err-XXXXXX";
    int fd = mkstemp(err_path);
    assert_true(fd >= 0);
    snprintf(cmd, sizeof(cmd), "%s -b %s -t zs.income -e -J --schema-dir %s/schemas 2>%s", zs_cat,
             zs_broker_bootstraps(broker), getenv("ZS_TEST_DATA"), err_path);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    char line[4096];
    int seen[5] = {0}, lines = 0;
    while (fgets(line, sizeof(line), out) != NULL) {
        int n = -1;
        const char *v = strstr(line, "\"value\":");
        assert_non_null(strstr(line, "\"topic\":\"zs.income\""));
        assert_non_null(strstr(line, "\"schema\":\"zengshou.test.Other\""));
        assert_non_null(v);
        assert_int_equal(sscanf(v, "\"value\":{\"n\": %d}", &n), 1);
        assert_true(n >= 0 && n < 5);
        seen[n]++;
        lines++;
    }
    int status = pclose(out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1); /* the poison message */
    assert_int_equal(lines, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen[i], 1);

    FILE *err = fdopen(fd, "r");
    assert_non_null(err);
    int reported = 0;
    while (fgets(line, sizeof(line), err) != NULL)
        if (strstr(line, "zs.income [") && strstr(line, "offset") && strstr(line, "C3 01"))
            reported++;
    fclose(err);
    unlink(err_path);
    assert_int_equal(reported, 1);
    zs_broker_stop(broker);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ZS-CAT\n", argv[0]);
        return 2;
    }
    zs_cat = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prints_every_message_and_names_the_poison),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
