/* test_notify_route.c: zs-notify's route file parser and matcher, the retry
 * delays and the idempotency key (consumers/notify_route.c), case by case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify_route.h"

static notify_routes_t *parse_ok(const char *text)
{
    notify_routes_t *r = NULL;
    char errstr[512] = "";
    zs_err_t err =
        notify_routes_parse(text, strlen(text), "routes.conf", &r, errstr, sizeof(errstr));
    if (err != ZS_OK)
        fail_msg("parse failed: %s", errstr);
    assert_non_null(r);
    return r;
}

static void test_parse_and_match(void **state)
{
    (void)state;
    notify_routes_t *r = parse_ok("# routes of the test region\n"
                                  "\n"
                                  "451227 webhook https://hechi.example/hook?token=s3cret\n"
                                  "  4512   outbox   /var/spool/zs/4512  \r\n"
                                  "450102\twebhook\thttp://127.0.0.1:8080/a\n"
                                  "* outbox /var/spool/zs/default\n"
                                  "451221 outbox /var/spool/zs/4512");
    assert_int_equal(notify_routes_count(r), 5);
    /* 451227 and 451221 are both in city 4512 but 451227 has its own route. */
    const notify_route_t *m = notify_routes_match(r, "451227");
    assert_non_null(m);
    assert_string_equal(m->match, "451227");
    assert_int_equal(m->kind, NOTIFY_WEBHOOK);
    assert_string_equal(m->origin, "routes.conf:3");
    m = notify_routes_match(r, "451225");
    assert_non_null(m);
    assert_string_equal(m->match, "4512");
    assert_int_equal(m->kind, NOTIFY_OUTBOX);
    assert_string_equal(m->target, "/var/spool/zs/4512");
    assert_string_equal(m->origin, "routes.conf:4");
    m = notify_routes_match(r, "450102");
    assert_string_equal(m->target, "http://127.0.0.1:8080/a");
    m = notify_routes_match(r, "450103");
    assert_string_equal(m->match, "*");
    m = notify_routes_match(r, "451221");
    assert_string_equal(m->match, "451221");
    /* Not county codes: never routed, whatever the default. */
    assert_null(notify_routes_match(r, "45122"));
    assert_null(notify_routes_match(r, "4512270"));
    assert_null(notify_routes_match(r, "45122x"));
    assert_null(notify_routes_match(r, ""));
    assert_null(notify_routes_match(r, NULL));
    /* 451221 and 4512 share the outbox /var/spool/zs/4512: 4 channels. */
    assert_int_equal(notify_routes_channels(r), 4);
    assert_int_equal(notify_routes_match(r, "451221")->channel,
                     notify_routes_match(r, "451225")->channel);
    assert_int_not_equal(notify_routes_match(r, "451227")->channel,
                         notify_routes_match(r, "450103")->channel);
    notify_routes_free(r);
}

static void test_no_default(void **state)
{
    (void)state;
    notify_routes_t *r = parse_ok("4512 outbox /tmp/a\n451227 outbox /tmp/b\n");
    assert_string_equal(notify_routes_match(r, "451227")->target, "/tmp/b");
    assert_string_equal(notify_routes_match(r, "451299")->target, "/tmp/a");
    /* No route and no default: NULL (the caller dead-letters). */
    assert_null(notify_routes_match(r, "450102"));
    notify_routes_free(r);
}

/* One bad file per row: the error code and where errstr points. */
static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        zs_err_t err;
        const char *want; /* a part of errstr */
    } cases[] = {
        {"", ZS_ERR_INVALID, "routes.conf: no routes"},
        {"# only a comment\n\n", ZS_ERR_INVALID, "no routes"},
        {"451227 webhook\n", ZS_ERR_PARSE, "routes.conf:1: want 3 fields"},
        {"* outbox /a\n451227 webhook https://x/ extra\n", ZS_ERR_PARSE, "routes.conf:2: want 3"},
        {"45122 outbox /a\n", ZS_ERR_INVALID, "routes.conf:1: county '45122'"},
        {"45a227 outbox /a\n", ZS_ERR_INVALID, "6-digit county code"},
        {"4512270 outbox /a\n", ZS_ERR_INVALID, "county '4512270'"},
        {"** outbox /a\n", ZS_ERR_INVALID, "county '**'"},
        {"451227 email a@b\n", ZS_ERR_INVALID, "channel 'email': want webhook or outbox"},
        {"451227 Webhook https://x/\n", ZS_ERR_INVALID, "channel 'Webhook'"},
        {"451227 webhook ftp://x/\n", ZS_ERR_INVALID, "must start with https://"},
        {"451227 webhook x.example/hook\n", ZS_ERR_INVALID, "must start with https://"},
        {"451227 webhook https:///path\n", ZS_ERR_INVALID, "names no host"},
        {"451227 outbox spool/4512\n", ZS_ERR_INVALID,
         "routes.conf:1: an outbox directory must "
         "be an absolute path"},
        {"# c\n451227 outbox /a\n\n451227 outbox /b\n", ZS_ERR_INVALID,
         "routes.conf:4: 451227 is routed twice (first at routes.conf:2)"},
        {"* outbox /a\n* webhook https://x/\n", ZS_ERR_INVALID, "routes.conf:2: * is routed twice"},
        /* Regression, "plain http to any host": only this machine may get
         * warnings in clear; hosts under .invalid never resolve. */
        {"451227 webhook http://hook.invalid/w\n", ZS_ERR_INVALID,
         "routes.conf:1: a plain http:// webhook must be on this machine"},
        {"451227 webhook http://127.0.0.1.hook.invalid/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://localhost.invalid/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://127.0.0.1@hook.invalid/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://127.0.0.1:80@hook.invalid/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://128.0.0.1/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://127.0.0.256/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://127.0.1/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://127.00.0.1/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://[::2]/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://[::1].hook.invalid/w\n", ZS_ERR_INVALID, "on this machine"},
        {"451227 webhook http://0x7f000001/w\n", ZS_ERR_INVALID, "on this machine"},
        /* Regression (fuzz_routes), "a password holding @ shown in the
         * log": the display cut the first user:password@ only, and showed
         * the rest of the credential. Two @ before the host, or a byte that
         * is not printable ASCII, are refused. */
        {"451227 webhook https://user:p@ss@hook.example/w\n", ZS_ERR_INVALID,
         "routes.conf:1: the webhook URL's host part holds more than one @"},
        {"451227 webhook http://a@b@127.0.0.1/w\n", ZS_ERR_INVALID, "more than one @"},
        {"451227 webhook https://hook.example/\xe5\x8e\xbf\n", ZS_ERR_INVALID,
         "not printable ASCII"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        notify_routes_t *r = NULL;
        char errstr[512] = "";
        zs_err_t err = notify_routes_parse(cases[i].text, strlen(cases[i].text), "routes.conf", &r,
                                           errstr, sizeof(errstr));
        if (err != cases[i].err || strstr(errstr, cases[i].want) == NULL)
            fail_msg("case %zu (%s): got %d '%s', want %d '%s'", i, cases[i].text, err, errstr,
                     cases[i].err, cases[i].want);
        assert_null(r);
    }
}

/* Plain http to this machine is fine; https anywhere. */
static void test_loopback_http(void **state)
{
    (void)state;
    notify_routes_t *r = parse_ok("451227 webhook http://localhost/a\n"
                                  "451221 webhook http://LocalHost:8080/a\n"
                                  "451222 webhook http://[::1]:8080/a\n"
                                  "451223 webhook http://127.255.0.1/a\n"
                                  "451224 webhook http://user:pw@127.0.0.1:9/a?x=1\n"
                                  "451225 webhook https://hook.invalid/a\n");
    assert_int_equal(notify_routes_count(r), 6);
    notify_routes_free(r);
    assert_true(notify_host_is_loopback("127.0.0.1", 9));
    assert_false(notify_host_is_loopback("127.0.0.1.", 10));
    assert_false(notify_host_is_loopback("127.0.0.", 8));
    assert_false(notify_host_is_loopback("", 0));
}

/* Regression, "a warning of county 000000 reaches a county's channel": its
 * household's snapshot never arrived, so its county is unknown; no route
 * takes it, `*` included (zs-notify dead-letters and audits it). */
static void test_unknown_county(void **state)
{
    (void)state;
    notify_routes_t *r = parse_ok("* outbox /var/spool/zs\n0000 outbox /tmp/x\n");
    assert_null(notify_routes_match(r, NOTIFY_COUNTY_UNKNOWN));
    assert_null(notify_routes_match(r, "000000"));
    assert_non_null(notify_routes_match(r, "000001"));
    notify_routes_free(r);
}

static void test_long_target(void **state)
{
    (void)state;
    char *text = malloc(NOTIFY_TARGET_MAX + 64);
    assert_non_null(text);
    int n = snprintf(text, 64, "* outbox /");
    memset(text + n, 'a', NOTIFY_TARGET_MAX);
    text[n + NOTIFY_TARGET_MAX] = '\0';
    notify_routes_t *r = NULL;
    char errstr[512] = "";
    assert_int_equal(notify_routes_parse(text, strlen(text), "r", &r, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_non_null(strstr(errstr, "r:1: target longer than"));
    free(text);
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_notify_routeXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "4512 outbox /tmp\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    notify_routes_t *r = NULL;
    char errstr[512] = "";
    assert_int_equal(notify_routes_load(path, &r, errstr, sizeof(errstr)), ZS_OK);
    char want[600];
    snprintf(want, sizeof(want), "%s:1", path);
    assert_string_equal(notify_routes_at(r, 0)->origin, want);
    assert_null(notify_routes_at(r, 1));
    notify_routes_free(r);
    unlink(path);
    assert_int_equal(notify_routes_load(path, &r, errstr, sizeof(errstr)), ZS_ERR_IO);
    assert_null(r);
    assert_non_null(strstr(errstr, path));
}

static void test_region(void **state)
{
    (void)state;
    const char *data = getenv("ZS_DATA_DIR");
    assert_non_null(data);
    char path[1024];
    snprintf(path, sizeof(path), "%s/guangxi-counties.csv", data);
    zs_county_table_t *counties = NULL;
    char errstr[512] = "";
    if (zs_county_load(path, &counties, errstr, sizeof(errstr)) != ZS_OK)
        fail_msg("%s", errstr);
    /* The first county and its city, from the table itself. */
    const zs_county_t *c = zs_county_at(counties, 0);
    char text[256];
    snprintf(text, sizeof(text), "%s outbox /a\n%s outbox /b\n* outbox /c\n", c->code,
             c->city_code);
    notify_routes_t *r = parse_ok(text);
    assert_int_equal(notify_routes_check_region(r, counties, errstr, sizeof(errstr)), ZS_OK);
    notify_routes_free(r);
    r = parse_ok("* outbox /c\n459999 outbox /a\n");
    assert_int_equal(notify_routes_check_region(r, counties, errstr, sizeof(errstr)),
                     ZS_ERR_NOT_FOUND);
    assert_non_null(strstr(errstr, "routes.conf:2: 459999 is not a county of the region"));
    notify_routes_free(r);
    r = parse_ok("1100 outbox /a\n");
    assert_int_equal(notify_routes_check_region(r, counties, errstr, sizeof(errstr)),
                     ZS_ERR_NOT_FOUND);
    assert_non_null(strstr(errstr, "routes.conf:1: 1100 is not a city of the region"));
    notify_routes_free(r);
    zs_county_table_free(counties);
}

static void test_display(void **state)
{
    (void)state;
    notify_routes_t *r = parse_ok("451227 webhook https://user:pw@hook.example:8443/p/q?token=x#f\n"
                                  "4512 webhook http://127.0.0.1\n"
                                  "* outbox /var/spool/zs\n");
    char out[256];
    notify_target_display(notify_routes_at(r, 0), out, sizeof(out));
    assert_string_equal(out, "https://hook.example:8443/p/q");
    notify_target_display(notify_routes_at(r, 1), out, sizeof(out));
    assert_string_equal(out, "http://127.0.0.1");
    notify_target_display(notify_routes_at(r, 2), out, sizeof(out));
    assert_string_equal(out, "/var/spool/zs");
    notify_routes_free(r);
}

static void test_backoff(void **state)
{
    (void)state;
    static const struct {
        int64_t initial, max;
        int attempt;
        double jitter;
        int64_t want;
    } cases[] = {
        {1000, 60000, 1, 0.0, 500}, /* half fixed, half jitter */
        {1000, 60000, 1, 0.5, 750},
        {1000, 60000, 1, 0.999, 999},
        {1000, 60000, 2, 0.0, 1000}, /* doubles */
        {1000, 60000, 3, 0.0, 2000},
        {1000, 60000, 6, 0.0, 16000},
        {1000, 60000, 7, 0.0, 30000}, /* capped at max */
        {1000, 60000, 7, 0.999, 59970},
        {1000, 60000, 1000, 0.0, 30000}, /* no overflow */
        {100, 50, 1, 0.0, 50},           /* max below initial: initial */
        {0, 0, 1, 0.0, 1},               /* never 0 */
        {1000, 60000, 1, -1.0, 500},     /* jitter clamped */
        {1000, 60000, 1, 7.0, 999},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got =
            notify_backoff_ms(cases[i].initial, cases[i].max, cases[i].attempt, cases[i].jitter);
        if (got != cases[i].want)
            fail_msg("case %zu: got %lld, want %lld", i, (long long)got, (long long)cases[i].want);
    }
}

static void test_idempotency_key(void **state)
{
    (void)state;
    char key[96];
    assert_int_equal(
        notify_idempotency_key("W-H001-INCOME_FALL---202403", "OPEN", 2024, 6, key, sizeof(key)),
        ZS_OK);
    assert_string_equal(key, "W-H001-INCOME_FALL---202403-OPEN-202406");
    assert_int_equal(notify_idempotency_key("W-x~1a2b3c4d", "CLEARED", 2025, 12, key, sizeof(key)),
                     ZS_OK);
    assert_string_equal(key, "W-x~1a2b3c4d-CLEARED-202512");
    char longest[65];
    memset(longest, 'w', 64);
    longest[64] = '\0';
    assert_int_equal(notify_idempotency_key(longest, "UPDATED", 2024, 1, key, sizeof(key)), ZS_OK);
    longest[63] = '\0';
    char too_long[66];
    memset(too_long, 'w', 65);
    too_long[65] = '\0';
    assert_int_equal(notify_idempotency_key(too_long, "OPEN", 2024, 1, key, sizeof(key)),
                     ZS_ERR_INVALID);
    /* Anything that could leave the outbox directory or forge a header. */
    assert_int_equal(notify_idempotency_key("../etc", "OPEN", 2024, 1, key, sizeof(key)),
                     ZS_ERR_INVALID);
    assert_int_equal(notify_idempotency_key("a/b", "OPEN", 2024, 1, key, sizeof(key)),
                     ZS_ERR_INVALID);
    assert_int_equal(notify_idempotency_key("a\r\nX: y", "OPEN", 2024, 1, key, sizeof(key)),
                     ZS_ERR_INVALID);
    assert_int_equal(notify_idempotency_key("", "OPEN", 2024, 1, key, sizeof(key)), ZS_ERR_INVALID);
    assert_int_equal(notify_idempotency_key("W1", "open", 2024, 1, key, sizeof(key)),
                     ZS_ERR_INVALID);
    assert_int_equal(notify_idempotency_key("W1", "OPEN", 2024, 13, key, sizeof(key)),
                     ZS_ERR_INVALID);
    assert_int_equal(notify_idempotency_key("W1", "OPEN", 2024, 0, key, sizeof(key)),
                     ZS_ERR_INVALID);
    assert_int_equal(notify_idempotency_key("W1", "OPEN", 2024, 1, key, 8), ZS_ERR_OVERFLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_match), cmocka_unit_test(test_no_default),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_long_target),
        cmocka_unit_test(test_load_file),       cmocka_unit_test(test_region),
        cmocka_unit_test(test_display),         cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_idempotency_key), cmocka_unit_test(test_loopback_http),
        cmocka_unit_test(test_unknown_county),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
