/* test_county.c: the county list: the shipped Guangxi file, and one table row per kind of
 * broken file (written to a temporary file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zs_county.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define HEADER   "county_code,county_name,city_code,city_name,key_assistance_county\n"
#define NUL_ROW  HEADER "450102,兴宁\0区,4501,南宁市,N\n"

/* The shipped data file, from ZS_DATA_DIR (set by zs_add_test). */
static void data_path(char *out, size_t size)
{
    const char *dir = getenv("ZS_DATA_DIR");
    if (dir == NULL)
        fail_msg("ZS_DATA_DIR is not set; run through ctest");
    int n = snprintf(out, size, "%s/guangxi-counties.csv", dir);
    assert_true(n > 0 && (size_t)n < size);
}

static void loads_guangxi(void **state)
{
    (void)state;
    char path[4096];
    char errstr[256] = "";
    zs_county_table_t *t = NULL;
    data_path(path, sizeof(path));
    zs_err_t err = zs_county_load(path, &t, errstr, sizeof(errstr));
    if (err != ZS_OK)
        fail_msg("%s", errstr);

    assert_int_equal(zs_county_count(t), 111);
    size_t key = 0;
    for (size_t i = 0; i < zs_county_count(t); i++) {
        const zs_county_t *c = zs_county_at(t, i);
        assert_non_null(c);
        assert_int_equal(strlen(c->code), 6);
        assert_memory_equal(c->code, "45", 2);
        assert_memory_equal(c->code, c->city_code, 4);
        assert_true(strlen(c->name) > 0 && strlen(c->city_name) > 0);
        if (i > 0)
            assert_true(strcmp(zs_county_at(t, i - 1)->code, c->code) < 0);
        assert_ptr_equal(zs_county_find(t, c->code, 6), c);
        key += c->key_assistance;
    }
    assert_int_equal(key, 20);
    assert_null(zs_county_at(t, 111));

    const zs_county_t *c = zs_county_find(t, "450102", 6);
    assert_non_null(c);
    assert_string_equal(c->code, "450102");
    assert_string_equal(c->name, "兴宁区");
    assert_string_equal(c->city_code, "4501");
    assert_string_equal(c->city_name, "南宁市");
    assert_false(c->key_assistance);

    /* lookups by length, not NUL */
    assert_non_null(zs_county_find(t, "450102,兴宁区", 6));
    assert_null(zs_county_find(t, "450101", 6)); /* 市辖区, not a county */
    assert_null(zs_county_find(t, "110105", 6)); /* another province */
    assert_null(zs_county_find(t, "45010", 5));
    assert_null(zs_county_find(t, "4501020", 7));
    assert_null(zs_county_find(t, "", 0));
    assert_null(zs_county_find(NULL, "450102", 6));
    assert_int_equal(zs_county_count(NULL), 0);
    assert_null(zs_county_at(NULL, 0));

    zs_county_table_free(t);
    zs_county_table_free(NULL);
}

/* Writes content to a fresh temporary file; path receives its name. */
static void write_temp(const char *content, size_t len, char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    int n = snprintf(path, size, "%s/zs_county_XXXXXX", dir != NULL ? dir : "/tmp");
    assert_true(n > 0 && (size_t)n < size);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

struct file_case {
    const char *name;
    const char *content;
    size_t len; /* 0: strlen(content) */
    zs_err_t err;
    size_t count;       /* counties, when err == ZS_OK */
    const char *reason; /* a substring of errstr after "path", when err != ZS_OK */
};

static const struct file_case file_cases[] = {
    {"minimal", HEADER "450102,兴宁区,4501,南宁市,N\n", 0, ZS_OK, 1, NULL},
    {"no final newline", HEADER "450102,兴宁区,4501,南宁市,Y", 0, ZS_OK, 1, NULL},
    {"CRLF and BOM",
     "\xEF\xBB\xBF"
     "county_code,county_name,city_code,city_name,"
     "key_assistance_county\r\n450102,兴宁区,4501,南宁市,N\r\n"
     "450103,青秀区,4501,南宁市,Y\r\n",
     0, ZS_OK, 2, NULL},
    {"unsorted is sorted", HEADER "450103,青秀区,4501,南宁市,N\n450102,兴宁区,4501,南宁市,N\n", 0,
     ZS_OK, 2, NULL},
    {"empty file", "", 0, ZS_ERR_PARSE, 0, ":1: empty file"},
    {"header only", HEADER, 0, ZS_ERR_INVALID, 0, ": no counties"},
    {"wrong header", "code,name,city_code,city_name,key\n450102,兴宁区,4501,南宁市,N\n", 0,
     ZS_ERR_PARSE, 0, ":1: header must be exactly"},
    {"reordered header", "county_name,county_code,city_code,city_name,key_assistance_county\n", 0,
     ZS_ERR_PARSE, 0, ":1: header must be"},
    {"blank line", HEADER "450102,兴宁区,4501,南宁市,N\n\n450103,青秀区,4501,南宁市,N\n", 0,
     ZS_ERR_PARSE, 0, ":3: empty line"},
    {"quote", HEADER "450102,\"兴宁区\",4501,南宁市,N\n", 0, ZS_ERR_PARSE, 0,
     ":2: quoted fields are not supported"},
    {"too few fields", HEADER "450102,兴宁区,4501,南宁市\n", 0, ZS_ERR_PARSE, 0,
     ":2: expected 5 fields, found 4"},
    {"too many fields", HEADER "450102,兴宁区,4501,南宁市,N,\n", 0, ZS_ERR_PARSE, 0,
     ":2: expected 5 fields, found 6"},
    {"short code", HEADER "45010,兴宁区,4501,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: county_code must be 6 digits"},
    {"letter in code", HEADER "45010A,兴宁区,4501,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: county_code must be 6 digits"},
    {"empty name", HEADER "450102,,4501,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: county_name is empty"},
    {"spaced name", HEADER "450102, 兴宁区,4501,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: county_name has leading or trailing space"},
    {"GBK name", HEADER "450102,\xd0\xcb\xc4\xfe\xc7\xf8,4501,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: county_name is not valid UTF-8"},
    {"truncated UTF-8", HEADER "450102,兴宁\xe5\x8c,4501,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: county_name is not valid UTF-8"},
    {"overlong UTF-8", HEADER "450102,\xc0\xaf,4501,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: county_name is not valid UTF-8"},
    {"empty city name", HEADER "450102,兴宁区,4501,,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: city_name is empty"},
    {"short city code", HEADER "450102,兴宁区,450,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: city_code must be 4 digits"},
    {"city code not a prefix", HEADER "450102,兴宁区,4502,南宁市,N\n", 0, ZS_ERR_INVALID, 0,
     ":2: city_code 4502 is not a prefix of county_code 450102"},
    {"bad flag", HEADER "450102,兴宁区,4501,南宁市,y\n", 0, ZS_ERR_INVALID, 0,
     ":2: key_assistance_county must be Y or N"},
    {"long flag", HEADER "450102,兴宁区,4501,南宁市,YES\n", 0, ZS_ERR_INVALID, 0,
     ":2: key_assistance_county must be Y or N"},
    {"empty flag", HEADER "450102,兴宁区,4501,南宁市,\n", 0, ZS_ERR_INVALID, 0,
     ":2: key_assistance_county must be Y or N"},
    {"duplicate code",
     HEADER "450102,兴宁区,4501,南宁市,N\n450103,青秀区,4501,南宁市,N\n450102,兴宁区,4501,南宁市,"
            "N\n",
     0, ZS_ERR_INVALID, 0, ":4: duplicate county_code 450102 (first on line 2)"},
    {"two names for a city", HEADER "450102,兴宁区,4501,南宁市,N\n450103,青秀区,4501,南宁,N\n", 0,
     ZS_ERR_INVALID, 0, ":3: city_name differs from line 2 for city_code 4501"},
    {"NUL byte", NUL_ROW, sizeof(NUL_ROW) - 1, ZS_ERR_PARSE, 0, ":2: NUL byte"},
    {"error on a later line", HEADER "450102,兴宁区,4501,南宁市,N\n450103,青秀区,4501,南宁市,X\n",
     0, ZS_ERR_INVALID, 0, ":3: key_assistance_county"},
};

static void bad_files_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(file_cases); i++) {
        const struct file_case *c = &file_cases[i];
        char path[4096];
        char errstr[512] = "";
        size_t len = c->len != 0 ? c->len : strlen(c->content);
        write_temp(c->content, len, path, sizeof(path));
        static char not_null;
        zs_county_table_t *t = (zs_county_table_t *)&not_null; /* a failed load sets NULL */
        zs_err_t err = zs_county_load(path, &t, errstr, sizeof(errstr));
        unlink(path);

        bool ok = err == c->err;
        if (ok && err == ZS_OK)
            ok = t != NULL && zs_county_count(t) == c->count;
        if (ok && err != ZS_OK) {
            /* the message starts with the file name, then says where and why */
            ok = t == NULL && strncmp(errstr, path, strlen(path)) == 0 &&
                 strstr(errstr + strlen(path), c->reason) == errstr + strlen(path);
        }
        if (!ok)
            fail_msg("row %zu (%s): got %s, errstr \"%s\"", i, c->name, zs_err2str(err), errstr);
        zs_county_table_free(t);
    }
}

static void missing_file(void **state)
{
    (void)state;
    char errstr[256] = "";
    zs_county_table_t *t = NULL;
    assert_int_equal(zs_county_load("/nonexistent/zs/counties.csv", &t, errstr, sizeof(errstr)),
                     ZS_ERR_IO);
    assert_null(t);
    assert_non_null(strstr(errstr, "/nonexistent/zs/counties.csv: cannot open"));
}

static void too_large_file(void **state)
{
    (void)state;
    size_t len = 1024 * 1024 + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'a', len);
    char path[4096];
    char errstr[256] = "";
    zs_county_table_t *t = NULL;
    write_temp(big, len, path, sizeof(path));
    free(big);
    zs_err_t err = zs_county_load(path, &t, errstr, sizeof(errstr));
    unlink(path);
    assert_int_equal(err, ZS_ERR_OVERFLOW);
    assert_null(t);
    assert_non_null(strstr(errstr, ": larger than"));
}

/* Only 6 ASCII digits may name a file. */
static void code_shape(void **state)
{
    (void)state;
    assert_true(zs_county_code_ok("451227"));
    assert_true(zs_county_code_ok("000000"));
    static const char *const bad[] = {"",         "45122",  "4512270", "45122a",       "../x",
                                      "../../x",  "45/227", "451227/", "４５１２２７", " 45122",
                                      "451227\n", NULL};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(zs_county_code_ok(bad[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_guangxi),   cmocka_unit_test(code_shape),
        cmocka_unit_test(bad_files_table), cmocka_unit_test(missing_file),
        cmocka_unit_test(too_large_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
