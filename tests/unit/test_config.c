/* test_config.c: configuration files, -X settings, checks, librdkafka
 * pass-through, masking of secrets and the generated reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zs_config.h"
#include "zs_log.h"

/* A program's own table, one key of each kind. */
static const zs_config_def_t test_defs[] = {
    {.name = "zs.test.count",
     .type = ZS_CONFIG_INT,
     .dflt = "10",
     .min = "1",
     .max = "100",
     .doc = "How many."},
    {.name = "zs.test.offset", .type = ZS_CONFIG_INT, .dflt = "-5", .doc = "Unbounded."},
    {.name = "zs.test.enabled", .type = ZS_CONFIG_BOOL, .dflt = "false", .doc = "On or off."},
    {.name = "zs.test.timeout",
     .type = ZS_CONFIG_MS,
     .dflt = "30s",
     .min = "100ms",
     .max = "1h",
     .doc = "How long."},
    {.name = "zs.test.buffer", .type = ZS_CONFIG_SIZE, .dflt = "64K", .max = "1G", .doc = "Bytes."},
    {.name = "zs.test.mode",
     .type = ZS_CONFIG_ENUM,
     .dflt = "fast",
     .values = "fast|safe|off",
     .doc = "Speed | safety."},
    {.name = "zs.test.token", .type = ZS_CONFIG_STRING, .secret = true, .doc = "A token."},
    {.name = "zs.test.pin", .type = ZS_CONFIG_INT, .dflt = "0", .secret = true, .doc = "A PIN."},
    ZS_CONFIG_DEFS_END,
};

/* Kept out of line: inlined, GCC 12 at -O3 misreads pointers into freed
 * test buffers as dangling. */
__attribute__((noinline)) static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("'%s' does not contain '%s'", hay, needle);
}

__attribute__((noinline)) static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle) != NULL)
        fail_msg("'%s' contains '%s'", hay, needle);
}

/* Writes text (n bytes) to a new temporary file whose name goes to path. */
static void write_temp_n(char *path, size_t size, const char *text, size_t n)
{
    snprintf(path, size, "/tmp/zs_test_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static void write_temp(char *path, size_t size, const char *text)
{
    write_temp_n(path, size, text, strlen(text));
}

static zs_config_t *new_config(void)
{
    zs_config_t *cfg = NULL;
    char errstr[512] = "";
    zs_err_t err = zs_config_new(&cfg, test_defs, errstr, sizeof(errstr));
    if (err != ZS_OK)
        fail_msg("zs_config_new: %s", errstr);
    return cfg;
}

static const char *get_str(const zs_config_t *cfg, const char *key)
{
    const char *value = NULL;
    char errstr[256];
    assert_int_equal(zs_config_get_str(cfg, key, &value, errstr, sizeof(errstr)), ZS_OK);
    return value;
}

/* The dump of cfg as a string; free() it. Out of line for GCC 12 at -O3 too. */
__attribute__((noinline)) static char *dump(const zs_config_t *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(zs_config_dump(cfg, out), ZS_OK);
    assert_int_equal(fclose(out), 0);
    return text;
}

static void defaults(void **state)
{
    (void)state;
    zs_config_t *cfg = new_config();
    char errstr[256];
    int64_t i64;
    bool b;
    size_t size;
    int index;

    assert_string_equal(get_str(cfg, "zs.topic.prefix"), "zs.");
    assert_string_equal(get_str(cfg, "zs.region"), "guangxi");
    assert_string_equal(get_str(cfg, "zs.log.level"), "info");
    assert_string_equal(get_str(cfg, "zs.log.format"), "text");
    assert_null(get_str(cfg, "zs.test.token"));
    assert_string_equal(zs_config_origin(cfg, "zs.region"), "default");
    assert_int_equal(zs_config_get_int(cfg, "zs.test.count", &i64, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(i64, 10);
    assert_int_equal(zs_config_get_int(cfg, "zs.test.offset", &i64, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(i64, -5);
    assert_int_equal(zs_config_get_bool(cfg, "zs.test.enabled", &b, errstr, sizeof(errstr)), ZS_OK);
    assert_false(b);
    assert_int_equal(zs_config_get_ms(cfg, "zs.test.timeout", &i64, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(i64, 30000);
    assert_int_equal(zs_config_get_size(cfg, "zs.test.buffer", &size, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(size, 65536);
    assert_int_equal(zs_config_get_enum(cfg, "zs.log.level", &index, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(index, 1);
    assert_null(zs_config_origin(cfg, "bootstrap.servers"));
    zs_config_destroy(cfg);
    zs_config_destroy(NULL);
}

/* zs.schema.dir and zs.data.dir: the environment replaces the compiled-in
 * default, an empty variable does not. */
static void directory_defaults_from_env(void **state)
{
    (void)state;
    char *saved_schema = getenv("ZS_SCHEMA_DIR") ? strdup(getenv("ZS_SCHEMA_DIR")) : NULL;
    char *saved_data = getenv("ZS_DATA_DIR") ? strdup(getenv("ZS_DATA_DIR")) : NULL;

    setenv("ZS_SCHEMA_DIR", "/srv/zs/schemas", 1);
    setenv("ZS_DATA_DIR", "", 1);
    zs_config_t *cfg = new_config();
    assert_string_equal(get_str(cfg, "zs.schema.dir"), "/srv/zs/schemas");
    assert_string_equal(zs_config_origin(cfg, "zs.schema.dir"), "$ZS_SCHEMA_DIR");
    const char *data = get_str(cfg, "zs.data.dir");
    assert_true(strlen(data) > 5 && strcmp(data + strlen(data) - 5, "/data") == 0);
    assert_string_equal(zs_config_origin(cfg, "zs.data.dir"), "default");
    char *text = dump(cfg);
    assert_contains(text, "# default ($ZS_SCHEMA_DIR)");
    free(text);
    zs_config_destroy(cfg);

    unsetenv("ZS_SCHEMA_DIR");
    cfg = new_config();
    const char *schemas = get_str(cfg, "zs.schema.dir");
    assert_true(strlen(schemas) > 8 && strcmp(schemas + strlen(schemas) - 8, "/schemas") == 0);
    zs_config_destroy(cfg);

    if (saved_schema != NULL)
        setenv("ZS_SCHEMA_DIR", saved_schema, 1);
    if (saved_data != NULL)
        setenv("ZS_DATA_DIR", saved_data, 1);
    else
        unsetenv("ZS_DATA_DIR");
    free(saved_schema);
    free(saved_data);
}

static void env_value_is_checked(void **state)
{
    (void)state;
    static const zs_config_def_t defs[] = {
        {.name = "zs.test.envint", .type = ZS_CONFIG_INT, .dflt = "1", .env = "ZS_TEST_ENVINT"},
        ZS_CONFIG_DEFS_END,
    };
    zs_config_t *cfg = NULL;
    char errstr[256];
    int64_t v = 0;

    setenv("ZS_TEST_ENVINT", "abc", 1);
    assert_int_equal(zs_config_new(&cfg, defs, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_null(cfg);
    assert_string_equal(errstr, "$ZS_TEST_ENVINT: zs.test.envint: 'abc' is not a 64-bit integer");
    setenv("ZS_TEST_ENVINT", "7", 1);
    assert_int_equal(zs_config_new(&cfg, defs, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_get_int(cfg, "zs.test.envint", &v, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(v, 7);
    zs_config_destroy(cfg);
    unsetenv("ZS_TEST_ENVINT");
}

static void parses_files(void **state)
{
    (void)state;
    char path[64], origin[96], errstr[256];
    /* BOM, CRLF, comments, blank lines, whitespace, '=' and '#' inside values,
     * a later line overriding an earlier one. */
    write_temp(path, sizeof(path),
               "\xEF\xBB\xBF# zengshou test\r\n"
               "\n"
               "   # indented comment\n"
               "zs.region = guangdong\r\n"
               "\tzs.topic.prefix\t=\tprod.zs.  \n"
               "zs.test.count=5\n"
               "zs.test.count = 7\n"
               "sasl.jaas.like = a=b=c\n"
               "zs.test.token=x#y\n"
               "client.id=\n"
               "zs.log.level=WARN");
    zs_config_t *cfg = new_config();
    int64_t count = 0;

    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_OK);
    assert_string_equal(get_str(cfg, "zs.region"), "guangdong");
    assert_string_equal(get_str(cfg, "zs.topic.prefix"), "prod.zs.");
    assert_int_equal(zs_config_get_int(cfg, "zs.test.count", &count, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(count, 7);
    assert_string_equal(get_str(cfg, "zs.test.token"), "x#y");
    /* Enum values are matched without case and kept as declared. */
    assert_string_equal(get_str(cfg, "zs.log.level"), "warn");
    snprintf(origin, sizeof(origin), "%s:7", path);
    assert_string_equal(zs_config_origin(cfg, "zs.test.count"), origin);
    snprintf(origin, sizeof(origin), "%s:4", path);
    assert_string_equal(zs_config_origin(cfg, "zs.region"), origin);
    snprintf(origin, sizeof(origin), "%s:8", path);
    assert_string_equal(zs_config_origin(cfg, "sasl.jaas.like"), origin);
    char *text = dump(cfg);
    assert_contains(text, "sasl.jaas.like=a=b=c");
    assert_contains(text, "client.id=");
    free(text);
    zs_config_destroy(cfg);
    unlink(path);
}

/* -X wins over files whatever the order of the calls; later -X wins. */
static void command_line_overrides_files(void **state)
{
    (void)state;
    char path[64], errstr[256];
    write_temp(path, sizeof(path), "zs.region=guangdong\nzs.log.level=debug\nclient.id=file\n");
    zs_config_t *cfg = new_config();

    assert_int_equal(zs_config_set_arg(cfg, "zs.region=yunnan", errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_set_arg(cfg, "client.id=first", errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_set_arg(cfg, " client.id = cli ", errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_OK);
    assert_string_equal(get_str(cfg, "zs.region"), "yunnan");
    assert_string_equal(zs_config_origin(cfg, "zs.region"), "-X");
    assert_string_equal(get_str(cfg, "zs.log.level"), "debug");
    assert_string_equal(zs_config_origin(cfg, "client.id"), "-X");
    assert_int_equal(zs_config_set_arg(cfg, "zs.log.level=error", errstr, sizeof(errstr)), ZS_OK);
    assert_string_equal(get_str(cfg, "zs.log.level"), "error");

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char value[64];
    size_t size = sizeof(value);
    assert_int_equal(zs_config_kafka_conf(cfg, conf, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(rd_kafka_conf_get(conf, "client.id", value, &size), RD_KAFKA_CONF_OK);
    assert_string_equal(value, "cli");
    rd_kafka_conf_destroy(conf);

    /* A bad value in a file is still reported, even where -X wins. */
    assert_int_equal(zs_config_set(cfg, "zs.region", "x", "f:1", false, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(
        zs_config_set(cfg, "zs.log.level", "loud", "f:2", false, errstr, sizeof(errstr)),
        ZS_ERR_INVALID);
    zs_config_destroy(cfg);
    unlink(path);
}

/* One row per bad file: the error code and the message, after "path:". */
typedef struct bad_file_case {
    const char *text;
    zs_err_t err;
    const char *message; /* expected errstr without the leading path */
    const char *hidden;  /* must not appear in errstr, or NULL */
} bad_file_case_t;

static const bad_file_case_t bad_files[] = {
    {"just words\n", ZS_ERR_PARSE, ":1: expected key=value", "words"},
    {"# c\n= value\n", ZS_ERR_PARSE, ":2: expected key=value", NULL},
    {"bad key=1\n", ZS_ERR_PARSE, ":1: a key is letters, digits, '.', '_' and '-', not 'bad key'",
     NULL},
    {"\n\nzs.log.levle=debug\n", ZS_ERR_INVALID,
     ":3: unknown key zs.log.levle (did you mean zs.log.level?)", NULL},
    {"zs.regoin=x\n", ZS_ERR_INVALID, ":1: unknown key zs.regoin (did you mean zs.region?)", NULL},
    {"zs.nothing.like.this=1\n", ZS_ERR_INVALID, ":1: unknown key zs.nothing.like.this", NULL},
    {"zs.log.level=loud\n", ZS_ERR_INVALID,
     ":1: zs.log.level: 'loud' is not one of debug, info, warn, error", NULL},
    {"zs.log.format=xml\n", ZS_ERR_INVALID, ":1: zs.log.format: 'xml' is not one of text, json",
     NULL},
    {"zs.test.count=abc\n", ZS_ERR_INVALID, ":1: zs.test.count: 'abc' is not a 64-bit integer",
     NULL},
    {"zs.test.count=12x\n", ZS_ERR_INVALID, ":1: zs.test.count: '12x' is not a 64-bit integer",
     NULL},
    {"zs.test.count=\n", ZS_ERR_INVALID, ":1: zs.test.count: '' is not a 64-bit integer", NULL},
    {"zs.test.offset=9223372036854775808\n", ZS_ERR_INVALID,
     ":1: zs.test.offset: '9223372036854775808' is not a 64-bit integer", NULL},
    {"zs.test.count=0\n", ZS_ERR_INVALID, ":1: zs.test.count: '0' is not between 1 and 100", NULL},
    {"zs.test.count=101\n", ZS_ERR_INVALID, ":1: zs.test.count: '101' is not between 1 and 100",
     NULL},
    {"zs.test.count=-1\n", ZS_ERR_INVALID, ":1: zs.test.count: '-1' is not between 1 and 100",
     NULL},
    {"zs.test.enabled=maybe\n", ZS_ERR_INVALID,
     ":1: zs.test.enabled: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)", NULL},
    {"zs.test.timeout=5 parsecs\n", ZS_ERR_INVALID,
     ":1: zs.test.timeout: '5 parsecs' is not a duration (a number with ms, s, m, h or d; bare "
     "numbers are ms)",
     NULL},
    {"zs.test.timeout=-5s\n", ZS_ERR_INVALID, ":1: zs.test.timeout: '-5s' is not a duration", NULL},
    {"zs.test.timeout=99ms\n", ZS_ERR_INVALID,
     ":1: zs.test.timeout: '99ms' is not between 100ms and 1h", NULL},
    {"zs.test.timeout=61m\n", ZS_ERR_INVALID,
     ":1: zs.test.timeout: '61m' is not between 100ms and 1h", NULL},
    {"zs.test.buffer=lots\n", ZS_ERR_INVALID, ":1: zs.test.buffer: 'lots' is not a size", NULL},
    {"zs.test.buffer=2G\n", ZS_ERR_INVALID, ":1: zs.test.buffer: '2G' is more than the maximum 1G",
     NULL},
    {"zs.test.buffer=99999999999T\n", ZS_ERR_INVALID,
     ":1: zs.test.buffer: '99999999999T' is not a size", NULL},
    /* Secret values are never echoed, the rule still is. */
    {"zs.test.pin=12ab34\n", ZS_ERR_INVALID, ":1: zs.test.pin: value is not a 64-bit integer",
     "12ab34"},
    {"zs.test.pin=hunter2\nzs.region=x\n", ZS_ERR_INVALID, ":1: zs.test.pin: value is not",
     "hunter2"},
};

static void rejects_bad_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
        const bad_file_case_t *c = &bad_files[i];
        char path[64], errstr[512] = "", expected[600];
        write_temp(path, sizeof(path), c->text);
        zs_config_t *cfg = new_config();
        zs_err_t err = zs_config_load_file(cfg, path, errstr, sizeof(errstr));
        snprintf(expected, sizeof(expected), "%s%s", path, c->message);
        if (err != c->err || strncmp(errstr, expected, strlen(expected)) != 0)
            fail_msg("case %zu: got %s '%s', want %s '%s'", i, zs_err2str(err), errstr,
                     zs_err2str(c->err), expected);
        if (c->hidden != NULL)
            assert_lacks(errstr, c->hidden);
        if (strstr(c->message, "did you mean") == NULL)
            assert_lacks(errstr, "did you mean");
        zs_config_destroy(cfg);
        unlink(path);
    }
}

static void file_errors(void **state)
{
    (void)state;
    char path[64], errstr[256];
    zs_config_t *cfg = new_config();

    assert_int_equal(zs_config_load_file(cfg, "/nonexistent/zs/app.conf", errstr, sizeof(errstr)),
                     ZS_ERR_IO);
    assert_string_equal(errstr, "/nonexistent/zs/app.conf: cannot open: No such file or directory");

    /* A NUL byte inside a line. */
    write_temp_n(path, sizeof(path), "zs.region=a\0b\n", 14);
    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_ERR_PARSE);
    assert_contains(errstr, ":1: line contains a NUL byte");
    unlink(path);

    /* Lines before a bad one stay set. */
    write_temp(path, sizeof(path), "zs.region=guangdong\nzs.log.level=loud\n");
    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_string_equal(get_str(cfg, "zs.region"), "guangdong");
    unlink(path);

    /* -X errors: no '=', no key, unknown key, bad value; never the argument. */
    assert_int_equal(zs_config_set_arg(cfg, "hunter2", errstr, sizeof(errstr)), ZS_ERR_PARSE);
    assert_string_equal(errstr, "-X: expected key=value");
    assert_int_equal(zs_config_set_arg(cfg, "=1", errstr, sizeof(errstr)), ZS_ERR_PARSE);
    assert_int_equal(zs_config_set_arg(cfg, "zs.log.lvl=debug", errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_string_equal(errstr, "-X: unknown key zs.log.lvl (did you mean zs.log.level?)");
    assert_int_equal(zs_config_set_arg(cfg, "zs.test.enabled=2", errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_string_equal(errstr, "-X: zs.test.enabled: '2' is not a boolean (true/false, yes/no, "
                                "on/off, 1/0)");
    zs_config_destroy(cfg);
}

/* One row per accepted value: key, text, number read back by the typed getter. */
typedef struct good_value_case {
    const char *key;
    const char *text;
    int64_t num;
} good_value_case_t;

static const good_value_case_t good_values[] = {
    {"zs.test.count", "1", 1},
    {"zs.test.count", "100", 100},
    {"zs.test.count", "+42", 42},
    {"zs.test.offset", "-9223372036854775807", -INT64_MAX},
    {"zs.test.offset", "0", 0},
    {"zs.test.enabled", "true", 1},
    {"zs.test.enabled", "YES", 1},
    {"zs.test.enabled", "On", 1},
    {"zs.test.enabled", "1", 1},
    {"zs.test.enabled", "false", 0},
    {"zs.test.enabled", "no", 0},
    {"zs.test.enabled", "OFF", 0},
    {"zs.test.enabled", "0", 0},
    {"zs.test.timeout", "100ms", 100},
    {"zs.test.timeout", "250", 250},
    {"zs.test.timeout", "30s", 30000},
    {"zs.test.timeout", "2 S", 2000},
    {"zs.test.timeout", "5m", 300000},
    {"zs.test.timeout", "5min", 300000},
    {"zs.test.timeout", "1h", 3600000},
    {"zs.test.buffer", "0", 0},
    {"zs.test.buffer", "512", 512},
    {"zs.test.buffer", "512B", 512},
    {"zs.test.buffer", "1k", 1024},
    {"zs.test.buffer", "64KiB", 65536},
    {"zs.test.buffer", "1 MB", 1048576},
    {"zs.test.buffer", "1G", 1073741824},
    {"zs.test.mode", "fast", 0},
    {"zs.test.mode", "Safe", 1},
    {"zs.test.mode", "OFF", 2},
};

/* Reads a declared key back with whichever typed getter fits its type. */
static int64_t read_num(const zs_config_t *cfg, const char *key)
{
    char errstr[256];
    int64_t num;
    bool b;
    size_t size;
    int index;
    if (zs_config_get_int(cfg, key, &num, errstr, sizeof(errstr)) == ZS_OK)
        return num;
    if (zs_config_get_ms(cfg, key, &num, errstr, sizeof(errstr)) == ZS_OK)
        return num;
    if (zs_config_get_bool(cfg, key, &b, errstr, sizeof(errstr)) == ZS_OK)
        return b;
    if (zs_config_get_size(cfg, key, &size, errstr, sizeof(errstr)) == ZS_OK)
        return (int64_t)size;
    if (zs_config_get_enum(cfg, key, &index, errstr, sizeof(errstr)) == ZS_OK)
        return index;
    fail_msg("%s: no getter reads it", key);
    return -1;
}

static void accepts_values(void **state)
{
    (void)state;
    zs_config_t *cfg = new_config();
    for (size_t i = 0; i < sizeof(good_values) / sizeof(good_values[0]); i++) {
        const good_value_case_t *c = &good_values[i];
        char errstr[256] = "";
        zs_err_t err = zs_config_set(cfg, c->key, c->text, "test", false, errstr, sizeof(errstr));
        if (err != ZS_OK)
            fail_msg("case %zu %s=%s: %s", i, c->key, c->text, errstr);
        int64_t num = read_num(cfg, c->key);
        if (num != c->num)
            fail_msg("case %zu %s=%s: read %lld, want %lld", i, c->key, c->text, (long long)num,
                     (long long)c->num);
    }
    assert_string_equal(get_str(cfg, "zs.test.mode"), "off");
    zs_config_destroy(cfg);
}

static void getter_misuse(void **state)
{
    (void)state;
    zs_config_t *cfg = new_config();
    char errstr[256];
    int64_t v = 99;
    bool b = true;
    const char *s = "untouched";

    assert_int_equal(zs_config_get_int(cfg, "zs.no.such", &v, errstr, sizeof(errstr)),
                     ZS_ERR_NOT_FOUND);
    assert_string_equal(errstr, "zs.no.such is not a declared key");
    assert_int_equal(v, 99);
    assert_int_equal(zs_config_get_str(cfg, "client.id", &s, errstr, sizeof(errstr)),
                     ZS_ERR_NOT_FOUND);
    assert_string_equal(s, "untouched");
    assert_int_equal(zs_config_get_int(cfg, "zs.log.level", &v, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_string_equal(errstr, "zs.log.level is an enum, not an integer");
    assert_int_equal(zs_config_get_bool(cfg, "zs.test.count", &b, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_int_equal(zs_config_get_ms(cfg, "zs.test.count", &v, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_int_equal(v, 99);
    /* get_str reads any type as its text. */
    assert_string_equal(get_str(cfg, "zs.test.timeout"), "30s");
    zs_config_destroy(cfg);
}

static void kafka_pass_through(void **state)
{
    (void)state;
    char path[64], errstr[512], value[128];
    size_t size;
    zs_config_t *cfg = new_config();
    rd_kafka_conf_t *conf = rd_kafka_conf_new();

    write_temp(path, sizeof(path),
               "bootstrap.servers=127.0.0.1:9092\nzs.log.level=debug\nacks=all\n");
    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_set_arg(cfg, "client.id=x", errstr, sizeof(errstr)), ZS_OK);
    /* zs. keys stay ours: librdkafka would reject zs.log.level. */
    assert_int_equal(zs_config_kafka_conf(cfg, conf, errstr, sizeof(errstr)), ZS_OK);
    size = sizeof(value);
    assert_int_equal(rd_kafka_conf_get(conf, "client.id", value, &size), RD_KAFKA_CONF_OK);
    assert_string_equal(value, "x");
    size = sizeof(value);
    assert_int_equal(rd_kafka_conf_get(conf, "bootstrap.servers", value, &size), RD_KAFKA_CONF_OK);
    assert_string_equal(value, "127.0.0.1:9092");
    rd_kafka_conf_destroy(conf);
    zs_config_destroy(cfg);
    unlink(path);

    /* An unknown property, named with its origin. */
    cfg = new_config();
    conf = rd_kafka_conf_new();
    write_temp(path, sizeof(path), "client.id=ok\nno.such.property=1\n");
    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_kafka_conf(cfg, conf, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    char expected[128];
    snprintf(expected, sizeof(expected), "%s:2: no.such.property: rejected by librdkafka: ", path);
    assert_contains(errstr, expected);
    rd_kafka_conf_destroy(conf);
    zs_config_destroy(cfg);
    unlink(path);

    /* A bad value, with librdkafka's message. */
    cfg = new_config();
    conf = rd_kafka_conf_new();
    assert_int_equal(zs_config_set_arg(cfg, "compression.codec=zip", errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(zs_config_kafka_conf(cfg, conf, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_contains(errstr, "-X: compression.codec: rejected by librdkafka: ");
    assert_contains(errstr, "zip");
    rd_kafka_conf_destroy(conf);
    zs_config_destroy(cfg);

    /* A rejected secret-looking property does not echo its value. */
    cfg = new_config();
    conf = rd_kafka_conf_new();
    assert_int_equal(zs_config_set_arg(cfg, "my.secret.thing=hunter2", errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(zs_config_kafka_conf(cfg, conf, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_contains(errstr, "my.secret.thing");
    assert_lacks(errstr, "hunter2");
    rd_kafka_conf_destroy(conf);
    zs_config_destroy(cfg);
}

static void secrets_masked_in_dump(void **state)
{
    (void)state;
    char path[64], errstr[256];
    zs_config_t *cfg = new_config();
    write_temp(path, sizeof(path),
               "sasl.password=hunter2\n"
               "ssl.key.pem=PEMDATA\n"
               "sasl.oauthbearer.config=principal=abc\n"
               "ssl.keystore.password=ksPASS\n"
               "sasl.oauthbearer.client.secret=clientSEC\n"
               "client.id=myclient\n"
               "zs.test.token=tok123\n"
               "zs.test.pin=4321\n");
    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_config_set_arg(cfg, "zs.log.level=debug", errstr, sizeof(errstr)), ZS_OK);
    char *text = dump(cfg);

    static const char *const hidden[] = {"hunter2",   "PEMDATA", "principal=abc", "ksPASS",
                                         "clientSEC", "tok123",  "4321"};
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
        assert_lacks(text, hidden[i]);
    assert_contains(text, "\nsasl.password=********");
    assert_contains(text, "\nssl.key.pem=********");
    assert_contains(text, "\nzs.test.token=********");
    assert_contains(text, "\nclient.id=myclient ");
    assert_contains(text, "\nzs.log.level=debug ");
    assert_contains(text, "# -X\n");
    /* Our keys first, defaults marked, then librdkafka's. */
    char *region = strstr(text, "\nzs.region=guangxi ");
    char *kafka = strstr(text, "# librdkafka properties\n");
    assert_non_null(region);
    assert_non_null(kafka);
    assert_true(region < kafka);
    assert_true(strstr(text, "\nclient.id=") > kafka);
    char *eol = strchr(region + 1, '\n');
    assert_non_null(eol);
    *eol = '\0';
    assert_contains(region, "# default");
    free(text);
    zs_config_destroy(cfg);
    unlink(path);
}

/* A secret given with -X is in every process listing: the program says so,
 * naming the key and never the value; a file's secret is not warned about. */
static void secret_on_the_command_line_warned(void **state)
{
    (void)state;
    char errstr[256], *out = NULL, path[64];
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    assert_non_null(mem);
    zs_log_set_output(mem);
    zs_config_t *cfg = new_config();
    assert_int_equal(zs_config_set_arg(cfg, "sasl.password=hunter2", errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(zs_config_set_arg(cfg, "client.id=c1", errstr, sizeof(errstr)), ZS_OK);
    write_temp(path, sizeof(path), "ssl.key.password=fromfile\n");
    assert_int_equal(zs_config_load_file(cfg, path, errstr, sizeof(errstr)), ZS_OK);
    zs_config_destroy(cfg);
    unlink(path);
    fflush(mem);
    zs_log_set_output(stderr);
    fclose(mem);
    assert_contains(out, "-X sasl.password: a secret on the command line is visible");
    assert_lacks(out, "hunter2");
    assert_lacks(out, "client.id");
    assert_lacks(out, "ssl.key.password");
    free(out);
}

static void secret_names(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        bool secret;
    } cases[] = {
        {"sasl.password", true},
        {"SASL.PASSWORD", true},
        {"ssl.key.password", true},
        {"ssl.keystore.password", true},
        {"sasl.oauthbearer.client.secret", true},
        {"sasl.oauthbearer.config", true},
        {"ssl.key.pem", true},
        {"ssl_key", true},
        {"zs.notify.smtp.password", true},
        {"sasl.username", false},
        {"ssl.key.location", false},
        {"ssl.certificate.pem", false},
        {"client.id", false},
        {"bootstrap.servers", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (zs_config_is_secret_name(cases[i].key) != cases[i].secret)
            fail_msg("%s: secret should be %d", cases[i].key, cases[i].secret);
    }
}

static char *doc(const zs_config_def_t *defs, zs_config_doc_format_t format)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(zs_config_doc(defs, out, format), ZS_OK);
    assert_int_equal(fclose(out), 0);
    return text;
}

static void doc_table(void **state)
{
    (void)state;
    char *md = doc(test_defs, ZS_CONFIG_DOC_MARKDOWN);
    size_t lines = 0;
    for (const char *p = md; *p != '\0'; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 2 + sizeof(test_defs) / sizeof(test_defs[0]) - 1);
    assert_true(strncmp(md, "| name | default | meaning |\n|---|---|---|\n", 42) == 0);
    assert_contains(md, "| `zs.test.count` | `10` | How many. Integer from 1 to 100. |\n");
    assert_contains(md, "| `zs.test.mode` | `fast` | Speed \\| safety. One of `fast`, `safe`, "
                        "`off`. |\n");
    assert_contains(md, "| `zs.test.buffer` | `64K` | Bytes. Size in bytes");
    assert_contains(md, ", at most 1G. |\n");
    assert_contains(md, "| `zs.test.token` | (none) | A token. Secret: never printed. |\n");
    assert_contains(md, "| `zs.test.pin` | `********` |");
    assert_lacks(md, "zs.region");
    free(md);

    md = doc(zs_config_common_defs(), ZS_CONFIG_DOC_MARKDOWN);
    assert_contains(md, "| `zs.topic.prefix` | `zs.` |");
    assert_contains(md, "| `zs.region` | `guangxi` |");
    assert_contains(md, "/schemas` | ");
    assert_contains(md, "Environment variable `ZS_SCHEMA_DIR` replaces the default.");
    assert_contains(md, "| `zs.log.level` | `info` | ");
    assert_contains(md, "One of `debug`, `info`, `warn`, `error`.");
    free(md);

    char *text = doc(test_defs, ZS_CONFIG_DOC_TEXT);
    assert_contains(text, "zs.test.mode (default fast)\n    Speed | safety. One of fast, safe, "
                          "off.\n");
    free(text);
    assert_int_equal(zs_config_doc(test_defs, stdout, (zs_config_doc_format_t)7), ZS_ERR_INVALID);
}

/* Programming errors in a definitions table are found by zs_config_new. */
static void rejects_bad_definitions(void **state)
{
    (void)state;
    static const struct {
        zs_config_def_t def;
        const char *message;
    } cases[] = {
        {{.name = "test.count", .type = ZS_CONFIG_INT, .dflt = "1"},
         "definition test.count: a name must start with zs."},
        {{.name = "zs.region", .type = ZS_CONFIG_STRING, .dflt = "x"},
         "definition zs.region: declared twice"},
        {{.name = "zs.t.int", .type = ZS_CONFIG_INT},
         "definition zs.t.int: only strings may lack a default"},
        {{.name = "zs.t.int", .type = ZS_CONFIG_INT, .dflt = "0", .min = "1"},
         "definition zs.t.int: default '0' is less than the minimum 1"},
        {{.name = "zs.t.int", .type = ZS_CONFIG_INT, .dflt = "5", .min = "9", .max = "1"},
         "definition zs.t.int: min above max"},
        {{.name = "zs.t.ms", .type = ZS_CONFIG_MS, .dflt = "1s", .max = "soon"},
         "definition zs.t.ms: a bound does not parse as its type"},
        {{.name = "zs.t.enum", .type = ZS_CONFIG_ENUM, .dflt = "a"},
         "definition zs.t.enum: an enum needs its values"},
        {{.name = "zs.t.enum", .type = ZS_CONFIG_ENUM, .dflt = "c", .values = "a|b"},
         "definition zs.t.enum: default 'c' is not one of a, b"},
        {{.name = "zs.t.str", .type = ZS_CONFIG_STRING, .min = "1"},
         "definition zs.t.str: only integers, durations and sizes have bounds"},
        {{.name = "zs.t.type", .type = (zs_config_type_t)42, .dflt = "1"},
         "definition zs.t.type: unknown type 42"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        zs_config_def_t defs[2] = {cases[i].def, ZS_CONFIG_DEFS_END};
        zs_config_t *cfg = (zs_config_t *)1;
        char errstr[256] = "";
        assert_int_equal(zs_config_new(&cfg, defs, errstr, sizeof(errstr)), ZS_ERR_INVALID);
        assert_null(cfg);
        if (strncmp(errstr, cases[i].message, strlen(cases[i].message)) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, errstr, cases[i].message);
    }
    /* A duplicate inside the program's own table. */
    zs_config_def_t twice[] = {
        {.name = "zs.t.a", .type = ZS_CONFIG_STRING},
        {.name = "zs.t.a", .type = ZS_CONFIG_STRING},
        ZS_CONFIG_DEFS_END,
    };
    zs_config_t *cfg = NULL;
    char errstr[256];
    assert_int_equal(zs_config_new(&cfg, twice, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_string_equal(errstr, "definition zs.t.a: declared twice");
    /* No table of its own is fine. */
    assert_int_equal(zs_config_new(&cfg, NULL, errstr, sizeof(errstr)), ZS_OK);
    zs_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(directory_defaults_from_env),
        cmocka_unit_test(env_value_is_checked),
        cmocka_unit_test(parses_files),
        cmocka_unit_test(command_line_overrides_files),
        cmocka_unit_test(rejects_bad_files),
        cmocka_unit_test(file_errors),
        cmocka_unit_test(accepts_values),
        cmocka_unit_test(getter_misuse),
        cmocka_unit_test(kafka_pass_through),
        cmocka_unit_test(secrets_masked_in_dump),
        cmocka_unit_test(secret_names),
        cmocka_unit_test(secret_on_the_command_line_warned),
        cmocka_unit_test(doc_table),
        cmocka_unit_test(rejects_bad_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
