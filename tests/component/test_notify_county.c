/* test_notify_county.c: zs-notify on the embedded broker, two regressions.
 * - "a warning of county 000000 reaches a county's channel": a warning whose
 *   household's snapshot never arrived carries county 000000; with a `*`
 *   route it went to that route's outbox like any other. Now it goes to the
 *   dead-letter topic with a reason saying its county is unknown, and an
 *   audit record NOTIFICATION_FAILED; a warning of a real county next to it
 *   is still delivered.
 * - "plain http to any host": a route file with an http:// webhook on a host
 *   that is not this machine (under .invalid, which never resolves) is
 *   refused at start, exit 2, with its line, before anything is read or sent.
 * - "a county code from data names a file": `zs-notify report --county
 *   all` wrote CODE.html for every county code on zs.warnings, so a warning
 *   of county "../zse<pid>" (any producer can write one) wrote a file
 *   outside --out. Now a code that is not 6 digits gets no report (a
 *   warning in the log); the real county's report is still written.
 * - "a skipped warning's reason read from uninitialised memory": a county
 *   code too long for the reports was logged with whatever the stack held;
 *   now the log says why.
 * argv[1] is zs-notify, argv[2] zs-cat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zs_avro.h"
#include "zs_broker.h"
#include "zs_codec.h"

static const char *zs_notify, *zs_cat;

/* Produces one warning of county (zeros elsewhere) to zs.warnings. */
static void produce_warning(rd_kafka_t *rk, zs_encoder_t *enc, const char *id, const char *county)
{
    char errstr[512];
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 20);
    avro_value_t *v = zs_encoder_value(enc), evidence;
    assert_int_equal(avro_value_get_by_name(v, "evidence", &evidence, NULL), 0);
    assert_int_equal(zs_codec_null_optionals(&evidence), ZS_OK);
    assert_int_equal(zs_avro_set_str(v, "warning_id", id), 0);
    assert_int_equal(zs_avro_set_str(v, "household_id", "H1"), 0);
    assert_int_equal(zs_avro_set_str(v, "county_code", county), 0);
    assert_int_equal(zs_avro_set_str(v, "ruleset_version", "test"), 0);
    assert_int_equal(zs_avro_set_num(v, "year", 2024), 0);
    assert_int_equal(zs_avro_set_num(v, "month", 6), 0);
    assert_int_equal(zs_avro_set_num(v, "opened_year", 2024), 0);
    assert_int_equal(zs_avro_set_num(v, "opened_month", 6), 0);
    if (zs_encoder_encode(enc, &msg, errstr, sizeof(errstr)) != ZS_OK)
        fail_msg("warning: %s", errstr);
    assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("zs.warnings"),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_KEY("H1", 2), RD_KAFKA_V_VALUE(msg.data, msg.len),
                                       RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    zs_buf_free(&msg);
}

/* Produces n warnings, {warning_id, county_code} each, to zs.warnings of bs. */
static void produce_warnings(const char *bs, const char *const warnings[][2], size_t n)
{
    char errstr[512];
    zs_schemas_t *set = NULL;
    assert_int_equal(zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &set, errstr, sizeof(errstr)), ZS_OK);
    zs_encoder_t *enc = NULL;
    assert_int_equal(
        zs_encoder_new(zs_schemas_latest(set, "Warning"), &enc, errstr, sizeof(errstr)), ZS_OK);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bs, errstr, sizeof(errstr)),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    for (size_t i = 0; i < n; i++)
        produce_warning(rk, enc, warnings[i][0], warnings[i][1]);
    assert_int_equal(rd_kafka_flush(rk, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
    zs_encoder_free(enc);
    zs_schemas_free(set);
}

/* Runs cmd; returns its exit status. */
static int run(const char *cmd)
{
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Reads a whole file into buf (NUL-terminated). */
static void slurp(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

static void unknown_county_is_dead_lettered(void **state)
{
    (void)state;
    char errstr[512], dir[] = "/tmp/zs-notify-county-XXXXXX";
    assert_non_null(mkdtemp(dir));
    zs_broker_t *broker = NULL;
    assert_int_equal(zs_broker_start(1, "zs.", 1, &broker, errstr, sizeof(errstr)), ZS_OK);
    const char *bs = zs_broker_bootstraps(broker);

    static const char *const warnings[][2] = {{"W-unknown", "000000"}, {"W-known", "451227"}};
    produce_warnings(bs, warnings, 2);

    /* Every county to one outbox, through `*`. */
    char routes[1200], outbox[1100], cmd[4096], out[1 << 16];
    snprintf(outbox, sizeof(outbox), "%s/outbox", dir);
    snprintf(cmd, sizeof(cmd), "mkdir %s", outbox);
    assert_int_equal(run(cmd), 0);
    snprintf(routes, sizeof(routes), "%s/routes.conf", dir);
    FILE *fp = fopen(routes, "w");
    assert_non_null(fp);
    fprintf(fp, "* outbox %s\n", outbox);
    fclose(fp);
    snprintf(cmd, sizeof(cmd),
             "%s -b %s --routes %s --exit-idle 1500 -X zs.notify.instance=t "
             "-X session.timeout.ms=6000 2>%s/notify.log",
             zs_notify, bs, routes, dir);
    if (run(cmd) != 0) {
        snprintf(cmd, sizeof(cmd), "%s/notify.log", dir);
        slurp(cmd, out, sizeof(out));
        fail_msg("zs-notify failed: %s", out);
    }
    /* The outbox holds the known county's warning only. */
    DIR *d = opendir(outbox);
    assert_non_null(d);
    int files = 0;
    bool unknown_delivered = false;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char path[2400];
        snprintf(path, sizeof(path), "%s/%s", outbox, e->d_name);
        slurp(path, out, sizeof(out));
        files++;
        unknown_delivered |= strstr(out, "W-unknown") != NULL;
    }
    closedir(d);
    assert_int_equal(files, 1);
    assert_false(unknown_delivered);

    /* The unknown county's warning is a dead letter, with its reason ... */
    snprintf(cmd, sizeof(cmd), "%s -b %s -t zs.deadletter -e >%s/dead.json 2>/dev/null", zs_cat, bs,
             dir);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof(cmd), "%s/dead.json", dir);
    slurp(cmd, out, sizeof(out));
    assert_non_null(strstr(out, "county 000000: the household's snapshot never arrived, so its "
                                "county is unknown; no county channel may get it"));
    assert_null(strstr(strstr(out, "\n") + 1, "\"reason\"")); /* one dead letter only */
    /* ... and audited like any notification that failed. */
    snprintf(cmd, sizeof(cmd), "%s -b %s -t zs.audit -e >%s/audit.json 2>/dev/null", zs_cat, bs,
             dir);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof(cmd), "%s/audit.json", dir);
    slurp(cmd, out, sizeof(out));
    const char *failed = strstr(out, "\"NOTIFICATION_FAILED\"");
    assert_non_null(failed);
    assert_non_null(strstr(out, "reason=county unknown;key=W-unknown"));
    assert_non_null(strstr(out, "\"NOTIFICATION_SENT\""));

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(run(cmd), 0);
    zs_broker_stop(broker);
}

static void county_code_from_data_names_a_file(void **state)
{
    (void)state;
    char errstr[512], dir[] = "/tmp/zs-notify-escape-XXXXXX", crafted[64], escaped[128];
    assert_non_null(mkdtemp(dir));
    /* --out is dir/reports: "../NAME" would land in dir itself. */
    snprintf(crafted, sizeof(crafted), "../zse%d", (int)getpid());
    snprintf(escaped, sizeof(escaped), "%s/zse%d.html", dir, (int)getpid());
    zs_broker_t *broker = NULL;
    assert_int_equal(zs_broker_start(1, "zs.", 1, &broker, errstr, sizeof(errstr)), ZS_OK);
    const char *bs = zs_broker_bootstraps(broker);
    const char *const warnings[][2] = {
        {"W-escape", crafted}, {"W-long", "../../../../../../tmp/x"}, {"W-known", "451227"}};
    produce_warnings(bs, warnings, 3);

    char cmd[4096], out[1 << 16];
    snprintf(cmd, sizeof(cmd), "%s report --county all --out %s/reports -b %s 2>%s/report.log",
             zs_notify, dir, bs, dir);
    int rc = run(cmd);
    snprintf(cmd, sizeof(cmd), "%s/report.log", dir);
    slurp(cmd, out, sizeof(out));
    if (rc != 0)
        fail_msg("zs-notify report: exit %d: %s", rc, out);
    if (strstr(out, "is not 6 digits: no report for it") == NULL)
        fail_msg("no warning for the crafted code; escaped: %d; log: %s", access(escaped, F_OK),
                 out);
    assert_int_equal(access(escaped, F_OK), -1); /* nothing outside --out */
    assert_non_null(strstr(out, "not in the reports: warning_id, household_id or county_code"));
    snprintf(cmd, sizeof(cmd), "%s/reports/451227.html", dir);
    assert_int_equal(access(cmd, F_OK), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(run(cmd), 0);
    zs_broker_stop(broker);
}

static void plain_http_to_another_host_is_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/zs-notify-http-XXXXXX", routes[1100], cmd[4096], out[4096];
    assert_non_null(mkdtemp(dir));
    snprintf(routes, sizeof(routes), "%s/routes.conf", dir);
    FILE *fp = fopen(routes, "w");
    assert_non_null(fp);
    fprintf(fp, "# a county's receiver\n451227 webhook http://hook.invalid:8080/w\n");
    fclose(fp);
    /* No broker at all: the refusal comes before any connection. */
    snprintf(cmd, sizeof(cmd), "%s -b 127.0.0.1:9 --routes %s 2>%s/err", zs_notify, routes, dir);
    assert_int_equal(run(cmd), 2);
    snprintf(cmd, sizeof(cmd), "%s/err", dir);
    slurp(cmd, out, sizeof(out));
    if (strstr(out, "routes.conf:2: a plain http:// webhook must be on this machine") == NULL)
        fail_msg("not refused with its line: %s", out);
    /* The same receiver on this machine is fine (checked, not contacted). */
    fp = fopen(routes, "w");
    assert_non_null(fp);
    fprintf(fp, "451227 webhook http://127.0.0.1:8080/w\n");
    fclose(fp);
    snprintf(cmd, sizeof(cmd), "%s --routes %s --check-routes 2>%s/err", zs_notify, routes, dir);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(run(cmd), 0);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ZS-NOTIFY ZS-CAT\n", argv[0]);
        return 2;
    }
    zs_notify = argv[1];
    zs_cat = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_http_to_another_host_is_refused),
        cmocka_unit_test(unknown_county_is_dead_lettered),
        cmocka_unit_test(county_code_from_data_names_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
