/* test_money.c: yuan text <-> int64 fen, one table row per case, boundaries included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "zs_money.h"

#define NEG      true /* allow_negative */
#define NONEG    false
#define SENTINEL INT64_C(-777)

struct parse_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    bool allow_negative;
    zs_err_t err;
    int64_t fen;        /* when err == ZS_OK */
    const char *reason; /* a substring of errstr when err != ZS_OK */
};

static const struct parse_case parse_cases[] = {
    /* accepted */
    {"0", 0, NONEG, ZS_OK, 0, NULL},
    {"7", 0, NONEG, ZS_OK, 700, NULL},
    {"0.01", 0, NONEG, ZS_OK, 1, NULL},
    {"0.5", 0, NONEG, ZS_OK, 50, NULL},
    {"12.5", 0, NONEG, ZS_OK, 1250, NULL},
    {"12.50", 0, NONEG, ZS_OK, 1250, NULL},
    {"12.05", 0, NONEG, ZS_OK, 1205, NULL},
    {"0.00", 0, NONEG, ZS_OK, 0, NULL},
    {"10000", 0, NONEG, ZS_OK, 1000000, NULL},
    {"100000000", 0, NONEG, ZS_OK, 10000000000, NULL},
    /* leading zeros are accepted (documented decision) */
    {"007", 0, NONEG, ZS_OK, 700, NULL},
    {"00.5", 0, NONEG, ZS_OK, 50, NULL},
    {"0000000000000000000000001", 0, NONEG, ZS_OK, 100, NULL},
    /* the cap: exactly 10^12 yuan is fine, one fen more is not */
    {"1000000000000", 0, NONEG, ZS_OK, ZS_MONEY_MAX_FEN, NULL},
    {"1000000000000.00", 0, NONEG, ZS_OK, ZS_MONEY_MAX_FEN, NULL},
    {"999999999999.99", 0, NONEG, ZS_OK, ZS_MONEY_MAX_FEN - 1, NULL},
    {"1000000000000.01", 0, NONEG, ZS_ERR_OVERFLOW, 0, "out of range"},
    {"1000000000001", 0, NONEG, ZS_ERR_OVERFLOW, 0, "out of range"},
    {"92233720368547758.07", 0, NONEG, ZS_ERR_OVERFLOW, 0, "out of range"},
    {"9223372036854775808", 0, NONEG, ZS_ERR_OVERFLOW, 0, "out of range"},
    {"99999999999999999999999999999", 0, NONEG, ZS_ERR_OVERFLOW, 0, "out of range"},
    /* negatives only when allowed */
    {"-12.5", 0, NEG, ZS_OK, -1250, NULL},
    {"-0.05", 0, NEG, ZS_OK, -5, NULL},
    {"-0", 0, NEG, ZS_OK, 0, NULL},
    {"-1000000000000", 0, NEG, ZS_OK, -ZS_MONEY_MAX_FEN, NULL},
    {"-1000000000000.01", 0, NEG, ZS_ERR_OVERFLOW, 0, "out of range"},
    {"-12.5", 0, NONEG, ZS_ERR_INVALID, 0, "negative amount not allowed"},
    {"-0", 0, NONEG, ZS_ERR_INVALID, 0, "negative amount not allowed"},
    /* rejected shapes */
    {"", 0, NONEG, ZS_ERR_PARSE, 0, "empty"},
    {"1e3", 0, NONEG, ZS_ERR_PARSE, 0, "exponent not allowed"},
    {"1E3", 0, NONEG, ZS_ERR_PARSE, 0, "exponent not allowed"},
    {"1.5e2", 0, NONEG, ZS_ERR_PARSE, 0, "exponent not allowed"},
    {"12.345", 0, NONEG, ZS_ERR_PARSE, 0, "more than two decimals"},
    {"0.001", 0, NONEG, ZS_ERR_PARSE, 0, "more than two decimals"},
    {"12.500", 0, NONEG, ZS_ERR_PARSE, 0, "more than two decimals"},
    {"1,000", 0, NONEG, ZS_ERR_PARSE, 0, "thousands separator not allowed"},
    {"1,000.50", 0, NONEG, ZS_ERR_PARSE, 0, "thousands separator not allowed"},
    {" 12", 0, NONEG, ZS_ERR_PARSE, 0, "leading or trailing space"},
    {"12 ", 0, NONEG, ZS_ERR_PARSE, 0, "leading or trailing space"},
    {"\t12", 0, NONEG, ZS_ERR_PARSE, 0, "leading or trailing space"},
    {"12\r", 0, NONEG, ZS_ERR_PARSE, 0, "leading or trailing space"},
    {" ", 0, NONEG, ZS_ERR_PARSE, 0, "leading or trailing space"},
    {".5", 0, NONEG, ZS_ERR_PARSE, 0, "digit required before the decimal point"},
    {"-.5", 0, NEG, ZS_ERR_PARSE, 0, "digit required before the decimal point"},
    {"12.", 0, NONEG, ZS_ERR_PARSE, 0, "digit required after the decimal point"},
    {".", 0, NONEG, ZS_ERR_PARSE, 0, "digit required before the decimal point"},
    {"+12", 0, NONEG, ZS_ERR_PARSE, 0, "plus sign not allowed"},
    {"+12", 0, NEG, ZS_ERR_PARSE, 0, "plus sign not allowed"},
    {"--1", 0, NEG, ZS_ERR_PARSE, 0, "not a number"},
    {"-+1", 0, NEG, ZS_ERR_PARSE, 0, "not a number"},
    {"-", 0, NEG, ZS_ERR_PARSE, 0, "not a number"},
    {"1-", 0, NEG, ZS_ERR_PARSE, 0, "not a number"},
    {"0x10", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},
    {"12.5.1", 0, NONEG, ZS_ERR_PARSE, 0, "more than one decimal point"},
    {"1 000", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},
    {"12a", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},
    {"abc", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},
    {"NaN", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},
    {"inf", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},
    {"\xef\xbc\x91\xef\xbc\x92", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"}, /* fullwidth 12 */
    {"12\xc2\xa0", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},               /* no-break space */
    {"12\xe5\x85\x83", 0, NONEG, ZS_ERR_PARSE, 0, "not a number"},           /* 12元 */
    /* len is honoured: an embedded NUL is not a terminator, and the input need not end */
    {"1\0002", 3, NONEG, ZS_ERR_PARSE, 0, "not a number"},
    {"12.50xyz", 5, NONEG, ZS_OK, 1250, NULL},
    {"12.345", 4, NONEG, ZS_OK, 1230, NULL},
};

static void parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        size_t len = c->len != 0 ? c->len : strlen(c->in);
        int64_t fen = SENTINEL;
        char errstr[128] = "";
        zs_err_t err = zs_money_parse(c->in, len, c->allow_negative, &fen, errstr, sizeof(errstr));
        /* On failure *fen is untouched. */
        bool ok = err == c->err &&
                  (c->err == ZS_OK ? fen == c->fen
                                   : fen == SENTINEL && strstr(errstr, c->reason) != NULL);
        if (!ok)
            fail_msg("row %zu \"%s\": got %s, fen %" PRId64 ", errstr \"%s\"", i, c->in,
                     zs_err2str(err), fen, errstr);
    }
}

struct format_case {
    int64_t fen;
    const char *out;
};

static const struct format_case format_cases[] = {
    {0, "0.00"},
    {1, "0.01"},
    {5, "0.05"},
    {-5, "-0.05"},
    {99, "0.99"},
    {100, "1.00"},
    {-100, "-1.00"},
    {1250, "12.50"},
    {-1250, "-12.50"},
    {1205, "12.05"},
    {100000000, "1000000.00"},
    {ZS_MONEY_MAX_FEN, "1000000000000.00"},
    {INT64_MAX, "92233720368547758.07"},
    {INT64_MIN, "-92233720368547758.08"},
};

static void format_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
        char out[ZS_MONEY_STR_SIZE];
        zs_money_format(format_cases[i].fen, out, sizeof(out));
        assert_string_equal(out, format_cases[i].out);
    }
}

static void format_truncates_and_terminates(void **state)
{
    (void)state;
    char out[8];
    memset(out, 'z', sizeof(out));
    zs_money_format(1234567, out, 5);
    assert_string_equal(out, "1234");
    zs_money_format(1234567, out, 1);
    assert_string_equal(out, "");
    out[0] = 'z';
    zs_money_format(1234567, out, 0);
    assert_int_equal(out[0], 'z');
}

/* Every accepted value formats back to text that parses to the same fen. */
static void round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        if (c->err != ZS_OK)
            continue;
        char out[ZS_MONEY_STR_SIZE];
        int64_t fen = SENTINEL;
        zs_money_format(c->fen, out, sizeof(out));
        assert_int_equal(zs_money_parse(out, strlen(out), true, &fen, NULL, 0), ZS_OK);
        assert_true(fen == c->fen);
    }
    for (int64_t fen = -2000; fen <= 2000; fen++) {
        char out[ZS_MONEY_STR_SIZE];
        int64_t back = SENTINEL;
        zs_money_format(fen, out, sizeof(out));
        assert_int_equal(zs_money_parse(out, strlen(out), true, &back, NULL, 0), ZS_OK);
        assert_true(back == fen);
    }
}

static void null_errstr_is_fine(void **state)
{
    (void)state;
    int64_t fen = SENTINEL;
    assert_int_equal(zs_money_parse("1e3", 3, false, &fen, NULL, 0), ZS_ERR_PARSE);
    char small[4];
    assert_int_equal(zs_money_parse("12.345", 6, false, &fen, small, sizeof(small)), ZS_ERR_PARSE);
    assert_string_equal(small, "mor");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_table),
        cmocka_unit_test(format_table),
        cmocka_unit_test(format_truncates_and_terminates),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(null_errstr_is_fine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
