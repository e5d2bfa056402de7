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
            assert_int_equal(zs_avrojson_write(&v, &out, errstr, sizeof(errstr)), ZS_OK);
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

/* Regression, "zs-cat says invalid value without naming the field": a value
 * JSON cannot hold is refused with its field path. */
static void write_names_the_field(void **state)
{
    (void)state;
    static const char json[] =
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
        "{\"name\":\"members\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\","
        "\"name\":\"M\",\"fields\":[{\"name\":\"note\",\"type\":[\"null\",\"string\"]}]}}}]}";
    avro_schema_t schema = NULL;
    assert_int_equal(avro_schema_from_json_length(json, strlen(json), &schema), 0);
    avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
    avro_value_t v, f, members, m, note, branch;
    assert_int_equal(avro_generic_value_new(iface, &v), 0);
    assert_int_equal(avro_value_get_by_name(&v, "id", &f, NULL), 0);
    assert_int_equal(avro_value_set_string(&f, "x"), 0);
    assert_int_equal(avro_value_get_by_name(&v, "members", &members, NULL), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(avro_value_append(&members, &m, NULL), 0);
        assert_int_equal(avro_value_get_by_name(&m, "note", &note, NULL), 0);
        assert_int_equal(avro_value_set_branch(&note, 1, &branch), 0);
        assert_int_equal(avro_value_set_string(&branch, i == 2 ? "bad \xff" : "ok"), 0);
    }
    zs_buf_t out;
    zs_buf_init(&out, 1 << 16);
    char errstr[256] = "";
    assert_int_equal(zs_avrojson_write(&v, &out, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_string_equal(errstr, "members[2].note: a string that is not valid UTF-8");
    zs_buf_free(&out);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_and_writes_back),
        cmocka_unit_test(int_out_of_range_is_refused),
        cmocka_unit_test(write_names_the_field),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
