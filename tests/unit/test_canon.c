/* test_canon.c: Parsing Canonical Form and CRC-64-AVRO against Avro's
 * published vectors (tests/data/avro-schema-tests.txt) and our own cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_canon.h"

/* Reads the vectors file and checks every case; returns the number checked. */
static int check_vectors(const char *path)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[4096];
    zs_buf_t input, canon;
    zs_buf_init(&input, 1 << 20);
    zs_buf_init(&canon, 1 << 20);
    int cases = 0, fingerprints = 0;
    int multiline = 0;
    char errstr[256];
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (multiline) {
            if (strcmp(line, "INPUT") == 0)
                multiline = 0;
            else
                assert_int_equal(zs_buf_adds(&input, line), ZS_OK);
        } else if (strncmp(line, "<<INPUT", 7) == 0) {
            zs_buf_reset(&input);
            if (line[7] == '\0')
                multiline = 1;
            else
                assert_int_equal(zs_buf_adds(&input, line + 8), ZS_OK);
        } else if (strncmp(line, "<<canonical ", 12) == 0) {
            zs_buf_reset(&canon);
            zs_err_t err = zs_canon_form(input.data, input.len, &canon, errstr, sizeof(errstr));
            if (err != ZS_OK)
                fail_msg("%s: %s", input.data, errstr);
            assert_string_equal(canon.data, line + 12);
            cases++;
        } else if (strncmp(line, "<<fingerprint ", 14) == 0) {
            int64_t want = strtoll(line + 14, NULL, 10);
            uint64_t got = zs_crc64_avro(canon.data, canon.len);
            assert_int_equal(got, (uint64_t)want);
            fingerprints++;
        }
    }
    fclose(fp);
    zs_buf_free(&input);
    zs_buf_free(&canon);
    assert_true(fingerprints > 10);
    return cases;
}

static void published_vectors(void **state)
{
    (void)state;
    const char *dir = getenv("ZS_TEST_DATA");
    assert_non_null(dir);
    char path[1024];
    snprintf(path, sizeof(path), "%s/avro-schema-tests.txt", dir);
    assert_int_equal(check_vectors(path), 34);
}

static const struct {
    const char *input;
    const char *canonical; /* NULL: the input must be refused */
} cases[] = {
    /* logicalType is not part of the canonical form */
    {"{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", "\"long\""},
    /* a nested record inherits the namespace; a second use is by name */
    {"{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.b\",\"fields\":["
     "{\"name\":\"x\",\"type\":{\"type\":\"record\",\"name\":\"S\",\"fields\":[]}},"
     "{\"name\":\"y\",\"type\":\"S\"},"
     "{\"name\":\"z\",\"type\":{\"type\":\"enum\",\"name\":\"c.E\",\"symbols\":[\"A\"]}},"
     "{\"name\":\"w\",\"type\":[\"null\",\"c.E\"],\"default\":null}]}",
     "{\"name\":\"a.b.R\",\"type\":\"record\",\"fields\":["
     "{\"name\":\"x\",\"type\":{\"name\":\"a.b.S\",\"type\":\"record\",\"fields\":[]}},"
     "{\"name\":\"y\",\"type\":\"a.b.S\"},"
     "{\"name\":\"z\",\"type\":{\"name\":\"c.E\",\"type\":\"enum\",\"symbols\":[\"A\"]}},"
     "{\"name\":\"w\",\"type\":[\"null\",\"c.E\"]}]}"},
    /* a record named with a dot sets the namespace of what it encloses */
    {"{\"type\":\"record\",\"name\":\"p.R\",\"namespace\":\"q\",\"fields\":["
     "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":4}}]}",
     "{\"name\":\"p.R\",\"type\":\"record\",\"fields\":["
     "{\"name\":\"f\",\"type\":{\"name\":\"p.F\",\"type\":\"fixed\",\"size\":4}}]}"},
    {"{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":\"bytes\"}}",
     "{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":\"bytes\"}}"},
    {"{\"type\":{\"type\":\"string\"}}", "\"string\""},
    {"{\"type\":\"string\",\"avro.java.string\":\"String\"}", "\"string\""},
    {"not json", NULL},
    {"{\"name\":\"x\"}", NULL},
    {"{\"type\":\"record\",\"fields\":[]}", NULL},
    {"{\"type\":\"record\",\"name\":\"R\"}", NULL},
    {"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\"}]}", NULL},
    {"{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[1]}", NULL},
    {"{\"type\":\"fixed\",\"name\":\"F\"}", NULL},
    {"{\"type\":\"array\"}", NULL},
    {"42", NULL},
};

static void own_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        zs_buf_t out;
        zs_buf_init(&out, 1 << 16);
        char errstr[256] = "";
        zs_err_t err =
            zs_canon_form(cases[i].input, strlen(cases[i].input), &out, errstr, sizeof(errstr));
        if (cases[i].canonical == NULL) {
            if (err == ZS_OK)
                fail_msg("case %zu accepted: %s", i, out.data);
            assert_true(errstr[0] != '\0');
        } else {
            if (err != ZS_OK)
                fail_msg("case %zu refused: %s", i, errstr);
            assert_string_equal(out.data, cases[i].canonical);
        }
        zs_buf_free(&out);
    }
}

static void crc_of_nothing_is_the_seed(void **state)
{
    (void)state;
    assert_int_equal(zs_crc64_avro("", 0), 0xc15d213aa4d7a795ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(published_vectors),
        cmocka_unit_test(own_cases),
        cmocka_unit_test(crc_of_nothing_is_the_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
