/* test_metrics.c: the Prometheus text of common/zs_metrics.c (families,
 * samples, label escaping) and zs.metrics.listen's checks: unset is off,
 * and every address that is not loopback, or not HOST:PORT, is refused
 * before a socket is opened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "zs_metrics.h"

static const zs_config_def_t defs[] = {ZS_METRICS_CONFIG_DEF, ZS_CONFIG_DEFS_END};

static void test_text(void **state)
{
    (void)state;
    zs_prom_t p;
    zs_prom_init(&p);
    zs_prom_family(&p, "zengshou_x_total", "counter", "Things.");
    zs_prom_sample(&p, "zengshou_x_total", 42, NULL);
    zs_prom_sample(&p, "zengshou_x_total", -7, "channel", "a\"b\\c\nd", "partition", "3", NULL);
    assert_int_equal(p.err, ZS_OK);
    assert_int_equal(zs_buf_add(&p.text, "", 1), ZS_OK); /* a terminating NUL */
    assert_string_equal(p.text.data,
                        "# HELP zengshou_x_total Things.\n"
                        "# TYPE zengshou_x_total counter\n"
                        "zengshou_x_total 42\n"
                        "zengshou_x_total{channel=\"a\\\"b\\\\c\\nd\",partition=\"3\"} -7\n");
    zs_prom_reset(&p);
    zs_prom_one(&p, "zengshou_y_bytes", "gauge", "Bytes.", 5);
    assert_int_equal(zs_buf_add(&p.text, "", 1), ZS_OK);
    assert_string_equal(p.text.data, "# HELP zengshou_y_bytes Bytes.\n"
                                     "# TYPE zengshou_y_bytes gauge\n"
                                     "zengshou_y_bytes 5\n");
    zs_prom_free(&p);
    assert_true(zs_rss_bytes() > 0);
}

/* Attacker's view: a listener on anything but loopback is never opened. */
static void test_listen_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "0.0.0.0:9464",
        "192.0.2.1:9464",
        "[::]:9464",
        "[::ffff:10.0.0.1]:9464",
        "10.0.0.1:9464",
        "metrics.invalid:9464",
        "127.0.0.1",
        "127.0.0.1:",
        ":9464",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:9464x",
        "localhost.invalid:9464",
        "[::1:9464",
        "1.2.3.4:80",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char errstr[512];
        zs_config_t *cfg = NULL;
        assert_int_equal(zs_config_new(&cfg, defs, errstr, sizeof(errstr)), ZS_OK);
        assert_int_equal(
            zs_config_set(cfg, "zs.metrics.listen", bad[i], "-X", true, errstr, sizeof(errstr)),
            ZS_OK);
        zs_metrics_t *m = (zs_metrics_t *)1;
        zs_err_t err = zs_metrics_start(cfg, &m, errstr, sizeof(errstr));
        if (err != ZS_ERR_INVALID || m != NULL || strstr(errstr, bad[i]) == NULL)
            fail_msg("%s: err %d, errstr %s", bad[i], (int)err, errstr);
        zs_config_destroy(cfg);
    }
    /* Unset: off, no error. */
    char errstr[512];
    zs_config_t *cfg = NULL;
    assert_int_equal(zs_config_new(&cfg, defs, errstr, sizeof(errstr)), ZS_OK);
    zs_metrics_t *m = (zs_metrics_t *)1;
    assert_int_equal(zs_metrics_start(cfg, &m, errstr, sizeof(errstr)), ZS_OK);
    assert_null(m);
    assert_int_equal(zs_metrics_publish(m, NULL), ZS_OK);
    zs_metrics_stop(m);
    zs_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_text),
                                       cmocka_unit_test(test_listen_refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
