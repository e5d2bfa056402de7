/* test_avrojson.c: Avro's JSON encoding, both ways, with regression cases
 * for what avro-c's own printer gets wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_avrojson.h"
#include "zs_schema.h"

static zs_schemas_t *set;

static int setup(void **state)
{
    (void)state;
    char dir[1024], errstr[256];
    snprintf(dir, sizeof(dir), "%s/schemas", getenv("ZS_TEST_DATA"));
    return zs_schemas_load(dir, &set, errstr, sizeof(errstr)) == ZS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    zs_schemas_free(set);
    return 0;
}

/* A Sample v2 datum in Avro JSON with the given note, blob and tags parts. */
static void sample(char *out, size_t size, const char *count, const char *note, const char *blob,
                   const char *extra)
{
    snprintf(out, size,
             "{\"id\":\"x\",\"count\":%s,\"amount_fen\":-1,\"at\":0,\"ok\":true,\"weight\":1.5,"
             "\"kind\":\"C\",\"note\":%s,\"blob\":%s,\"hash\":\"\\u0000\\u00ff\\u0000a\","
             "\"tags\":{},\"items\":[{\"name\":\"n\",\"kind\":\"A\"}],\"region\":\"r\","
             "\"score\":null%s}",
             count, note, blob, extra);
}

static const struct {
    const char *count, *note, *blob, *extra;
    const char *fails_at; /* NULL: reads, and writes back the same JSON */
} cases[] = {
    {"5", "null", "\"\"", "", NULL},
    /* regression: bytes with zero bytes were cut at the first one */
    {"5", "null", "\"\\u0000\\u0000ab\\u0000\\u00c3\\u0001\\u0000\"", "", NULL},
    /* regression: union branches are named by full name */
    {"5", "{\"string\":\"收入下降\"}", "\"\"", "", NULL},
    /* regression: bytes longer than 4096 were refused */
    {"5", "null", "LONG", "", NULL},
    {"2147483648", "null", "\"\"", "", NULL}, /* long in v2: fine */
    {"5", "\"bare\"", "\"\"", "", "note"},
    {"5", "{\"int\":1}", "\"\"", "", "note"},
    {"5", "null", "\"\\u0100\"", "", "blob"},
    {"5", "{\"string\":\"a\\u0000b\"}", "\"\"", "", "note"},
    {"5", "null", "\"\"", ",\"unknown\":1", "(top)"},
};

static void reads_and_writes_back(void **state)
{
    (void)state;
    const zs_schema_t *schema = zs_schemas_version(set, "Sample", 2);
    static char text[16384], longblob[12000];
    memset(longblob, 'z', sizeof(longblob) - 3);
    longblob[0] = '"';
    longblob[sizeof(longblob) - 3] = '"';
    longblob[sizeof(longblob) - 2] = '\0';
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *blob = strcmp(cases[i].blob, "LONG") == 0 ? longblob : cases[i].blob;
        sample(text, sizeof(text), cases[i].count, cases[i].note, blob, cases[i].extra);
        json_error_t jerr;
        json_t *in = json_loads(text, JSON_ALLOW_NUL, &jerr);
        if (in == NULL)
            fail_msg("case %zu: bad test JSON: %s", i, jerr.text);
        avro_value_t v;
        assert_int_equal(avro_generic_value_new(zs_schema_class(schema), &v), 0);
        char errstr[256] = "";
        zs_err_t err = zs_avrojson_read(&v, zs_schema_avro(schema), in, errstr, sizeof(errstr));
        if (cases[i].fails_at != NULL) {
            if (err == ZS_OK)
                fail_msg("case %zu: accepted", i);
            if (strncmp(errstr, cases[i].fails_at, strlen(cases[i].fails_at)) != 0)
                fail_msg("case %zu: '%s' does not start with %s", i, errstr, cases[i].fails_at);
        } else {
            if (err != ZS_OK)
                fail_msg("case %zu: %s", i, errstr);
            zs_buf_t out;
            zs_buf_init(&out, 1 << 20);
            assert_int_equal(zs_avrojson_write(&v, &out), ZS_OK);
            json_t *back = json_loads(out.data, JSON_ALLOW_NUL, &jerr);
            assert_non_null(back);
            if (!json_equal(in, back))
                fail_msg("case %zu: wrote %s", i, out.data);
            json_decref(back);
            zs_buf_free(&out);
        }
        avro_value_decref(&v);
        json_decref(in);
    }
}

/* regression: an int out of range was wrapped, not refused */
static void int_out_of_range_is_refused(void **state)
{
    (void)state;
    const zs_schema_t *schema = zs_schemas_latest(set, "Other");
    avro_value_t v;
    assert_int_equal(avro_generic_value_new(zs_schema_class(schema), &v), 0);
    json_t *in = json_loads("{\"n\":2147483648}", 0, NULL);
    char errstr[256];
    assert_int_equal(zs_avrojson_read(&v, zs_schema_avro(schema), in, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_string_equal(errstr, "n: not a 32-bit integer");
    json_decref(in);
    avro_value_decref(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_and_writes_back),
        cmocka_unit_test(int_out_of_range_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
