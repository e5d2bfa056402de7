/* test_idno.c: the resident ID check and mask. Check characters are computed here
 * independently, from the ISO 7064 MOD 11-2 formula rather than the GB 11643 tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "zs_idno.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ISO 7064 MOD 11-2: weight of digit i (0-based, of 17) is 2^(17-i) mod 11, and the
 * check value c makes (sum + c) mod 11 == 1; 10 is written X. */
static char iso7064_check(const char *body)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int w = 1;
        for (int k = 0; k < 17 - i; k++)
            w = w * 2 % 11;
        sum += (body[i] - '0') * w;
    }
    int c = (12 - sum % 11) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

/* Expands a row's ID: a final '?' becomes the right check character, a final '!' a wrong
 * one; anything else is taken as written. */
static size_t expand(const char *in, char *out, size_t size)
{
    static const char cycle[] = "0123456789X";
    size_t len = strlen(in);
    assert_true(len < size);
    memcpy(out, in, len + 1);
    if (len == 18 && (in[17] == '?' || in[17] == '!')) {
        char right = iso7064_check(in);
        out[17] = right;
        if (in[17] == '!')
            out[17] = cycle[(strchr(cycle, right) - cycle + 1) % 11];
    }
    return len;
}

struct check_case {
    const char *id;
    int birth_year;
    zs_err_t err;
    const char *reason; /* a substring of errstr when err != ZS_OK */
};

static const struct check_case check_cases[] = {
    /* the public sample, and birth_year handling (<= 0: not compared) */
    {"11010519491231002X", 1949, ZS_OK, NULL},
    {"11010519491231002X", 0, ZS_OK, NULL},
    {"11010519491231002X", -1, ZS_OK, NULL},
    {"11010519491231002X", 1950, ZS_ERR_INVALID, "birth year does not match birth_year 1950"},
    {"11010519491231002X", 1948, ZS_ERR_INVALID, "birth year does not match"},
    /* constructed IDs of the region */
    {"45010219800229123?", 1980, ZS_OK, NULL},
    {"45010220000229001?", 2000, ZS_OK, NULL},
    {"45010220240101999?", 2024, ZS_OK, NULL},
    {"45102119991231000?", 1999, ZS_OK, NULL},
    {"45010220240131999?", 2024, ZS_OK, NULL},
    /* the check character */
    {"45010219800229123!", 1980, ZS_ERR_INVALID, "check character does not match"},
    {"11010519491231002X", 0, ZS_OK, NULL},
    {"110105194912310020", 0, ZS_ERR_INVALID, "check character does not match"},
    {"11010519491231020X", 0, ZS_ERR_INVALID, "check character does not match"}, /* swap */
    {"21010519491231002X", 0, ZS_ERR_INVALID, "check character does not match"},
    /* lower-case x is rejected with its own reason (documented decision) */
    {"11010519491231002x", 1949, ZS_ERR_INVALID, "lower-case x"},
    /* the birth date, with right check characters so that the date check is reached */
    {"45010219000229123?", 0, ZS_ERR_INVALID, "not a calendar date"}, /* 1900: no leap */
    {"45010220230229123?", 0, ZS_ERR_INVALID, "not a calendar date"},
    {"45010220240431123?", 0, ZS_ERR_INVALID, "not a calendar date"},
    {"45010220241301123?", 0, ZS_ERR_INVALID, "not a calendar date"},
    {"45010220240001123?", 0, ZS_ERR_INVALID, "not a calendar date"},
    {"45010220240100123?", 0, ZS_ERR_INVALID, "not a calendar date"},
    {"45010220240132123?", 0, ZS_ERR_INVALID, "not a calendar date"},
    /* length and characters */
    {"", 0, ZS_ERR_INVALID, "has 0 characters, expected 18"},
    {"11010519491231002", 0, ZS_ERR_INVALID, "has 17 characters"},
    {"11010519491231002X0", 0, ZS_ERR_INVALID, "has 19 characters"},
    {"110105491231002", 0, ZS_ERR_INVALID, "has 15 characters"}, /* old 15-digit form */
    {" 11010519491231002X", 0, ZS_ERR_INVALID, "has 19 characters"},
    {"1101051949123100 X", 0, ZS_ERR_INVALID, "character 17 is not a digit"},
    {"X1010519491231002X", 0, ZS_ERR_INVALID, "character 1 is not a digit"},
    {"110105194X1231002X", 0, ZS_ERR_INVALID, "character 10 is not a digit"},
    {"11010519491231002*", 0, ZS_ERR_INVALID, "character 18 is neither a digit nor X"},
    {"11010519491231002\xff", 0, ZS_ERR_INVALID, "character 18 is neither"},
};

static void check_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(check_cases); i++) {
        const struct check_case *c = &check_cases[i];
        char id[32];
        size_t len = expand(c->id, id, sizeof(id));
        char errstr[160] = "";
        zs_err_t err = zs_idno_check(id, len, c->birth_year, errstr, sizeof(errstr));
        bool ok = err == c->err && (err == ZS_OK || strstr(errstr, c->reason) != NULL);
        if (!ok)
            fail_msg("row %zu (%s): got %s, errstr \"%s\"", i, c->id, zs_err2str(err), errstr);
        /* errstr never carries the ID or a telling piece of it */
        if (len >= 14) {
            char date[9];
            memcpy(date, id + 6, 8);
            date[8] = '\0';
            assert_null(strstr(errstr, date));
            assert_null(strstr(errstr, id));
            char region[7];
            memcpy(region, id, 6);
            region[6] = '\0';
            assert_null(strstr(errstr, region));
        }
    }
}

/* The test's own check agrees with the public sample, and the module agrees with the
 * test on many constructed IDs: every check value 0-10 occurs. */
static void check_agrees_with_formula(void **state)
{
    (void)state;
    assert_int_equal(iso7064_check("11010519491231002"), 'X');
    bool seen[11] = {false};
    char id[19];
    memcpy(id, "45010219800101000?", 19);
    for (int seq = 0; seq < 1000; seq++) {
        id[14] = (char)('0' + seq / 100);
        id[15] = (char)('0' + seq / 10 % 10);
        id[16] = (char)('0' + seq % 10);
        id[17] = iso7064_check(id);
        seen[id[17] == 'X' ? 10 : id[17] - '0'] = true;
        assert_int_equal(zs_idno_check(id, 18, 1980, NULL, 0), ZS_OK);
        /* any single wrong check character is caught */
        const char *all = "0123456789X";
        for (const char *p = all; *p != '\0'; p++) {
            char saved = id[17];
            if (*p == saved)
                continue;
            id[17] = *p;
            assert_int_equal(zs_idno_check(id, 18, 1980, NULL, 0), ZS_ERR_INVALID);
            id[17] = saved;
        }
    }
    for (int v = 0; v < 11; v++)
        assert_true(seen[v]);
}

struct mask_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *out;
};

static const struct mask_case mask_cases[] = {
    {"11010519491231002X", 0, "**************002X"},
    {"", 0, ""},
    {"1", 0, "*"},
    {"1234", 0, "****"},
    {"12345", 0, "*2345"},
    {"11010519491231002", 0, "*************1002"},
    {"11010519491231002X0", 0, "***************02X0"},
    /* the visible tail never shows control bytes, spaces or broken UTF-8 */
    {"ab\ncd", 0, "*b*cd"},
    {"12345 67", 0, "****5*67"},
    {"\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81", 0, "*********"}, /* 身份证 */
    {"1234\0005678", 9, "*****5678"},
};

static void mask_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(mask_cases); i++) {
        const struct mask_case *c = &mask_cases[i];
        size_t len = c->len != 0 ? c->len : strlen(c->in);
        char out[32];
        zs_idno_mask(c->in, len, out, sizeof(out));
        if (strcmp(out, c->out) != 0)
            fail_msg("row %zu: got \"%s\", want \"%s\"", i, out, c->out);
    }
}

/* In place: the same mask as zs_idno_mask, whatever the value holds. */
static void mask_inplace_agrees(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(mask_cases); i++) {
        const struct mask_case *c = &mask_cases[i];
        size_t len = c->len != 0 ? c->len : strlen(c->in);
        char buf[32];
        memcpy(buf, c->in, len);
        buf[len] = '\0';
        assert_int_equal(zs_idno_mask_inplace(buf, len), len > 0 ? 1 : 0);
        if (strcmp(buf, c->out) != 0)
            fail_msg("row %zu: got \"%s\", want \"%s\"", i, buf, c->out);
    }
    /* Regression, "malformed ID numbers in rejected rows stay in clear": 17
     * and 19 characters, a bad check character, all masked but the last 4. */
    char seventeen[] = "11010519491231002", nineteen[] = "1101051949123100212",
         badcheck[] = "110105194912310029";
    zs_idno_mask_inplace(seventeen, strlen(seventeen));
    zs_idno_mask_inplace(nineteen, strlen(nineteen));
    zs_idno_mask_inplace(badcheck, strlen(badcheck));
    assert_string_equal(seventeen, "*************1002");
    assert_string_equal(nineteen, "***************0212");
    assert_string_equal(badcheck, "**************0029");
}

static void mask_truncates(void **state)
{
    (void)state;
    const char *id = "11010519491231002X";
    char out[19];
    zs_idno_mask(id, 18, out, sizeof(out)); /* exactly enough */
    assert_string_equal(out, "**************002X");
    zs_idno_mask(id, 18, out, 5); /* too small: still nothing of the ID shows */
    assert_string_equal(out, "****");
    zs_idno_mask(id, 18, out, 1);
    assert_string_equal(out, "");
    out[0] = 'z';
    zs_idno_mask(id, 18, out, 0);
    assert_int_equal(out[0], 'z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_table),         cmocka_unit_test(check_agrees_with_formula),
        cmocka_unit_test(mask_table),          cmocka_unit_test(mask_truncates),
        cmocka_unit_test(mask_inplace_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
