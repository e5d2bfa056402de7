/* test_period.c: month and quarter indexes, their text forms, and ISO 8601 timestamps,
 * one table row per case, year boundaries and calendar edges included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "zs_period.h"

/* The index definitions, restated here as the specification. */
#define M(y, m) ((zs_month_t)((y)*12 + (m)-1))
#define Q(y, q) ((zs_quarter_t)((y)*4 + (q)-1))

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

static const int32_t sentinel = -777;

/* ---- making months and quarters ---- */

struct make_case {
    int year;
    int part; /* month or quarter */
    zs_err_t err;
    const char *reason;
};

static const struct make_case month_make_cases[] = {
    {2024, 5, ZS_OK, NULL},
    {2000, 1, ZS_OK, NULL},
    {2100, 12, ZS_OK, NULL},
    {1999, 12, ZS_ERR_INVALID, "year 1999 is not in 2000-2100"},
    {2101, 1, ZS_ERR_INVALID, "year 2101 is not in 2000-2100"},
    {2024, 0, ZS_ERR_INVALID, "month 0 is not in 1-12"},
    {2024, 13, ZS_ERR_INVALID, "month 13 is not in 1-12"},
    {2024, -1, ZS_ERR_INVALID, "month -1 is not in 1-12"},
    {0, 1, ZS_ERR_INVALID, "year 0"},
};

static const struct make_case quarter_make_cases[] = {
    {2024, 2, ZS_OK, NULL},
    {2000, 1, ZS_OK, NULL},
    {2100, 4, ZS_OK, NULL},
    {1999, 4, ZS_ERR_INVALID, "year 1999 is not in 2000-2100"},
    {2101, 1, ZS_ERR_INVALID, "year 2101"},
    {2024, 0, ZS_ERR_INVALID, "quarter 0 is not in 1-4"},
    {2024, 5, ZS_ERR_INVALID, "quarter 5 is not in 1-4"},
};

static void make_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(month_make_cases); i++) {
        const struct make_case *c = &month_make_cases[i];
        zs_month_t m = sentinel;
        char errstr[128] = "";
        zs_err_t err = zs_month_make(c->year, c->part, &m, errstr, sizeof(errstr));
        bool ok = err == c->err && (err == ZS_OK ? m == M(c->year, c->part)
                                                 : m == sentinel && strstr(errstr, c->reason));
        if (!ok)
            fail_msg("month row %zu: got %s, errstr \"%s\"", i, zs_err2str(err), errstr);
        if (err == ZS_OK) {
            assert_int_equal(zs_month_year(m), c->year);
            assert_int_equal(zs_month_month(m), c->part);
        }
    }
    for (size_t i = 0; i < NROWS(quarter_make_cases); i++) {
        const struct make_case *c = &quarter_make_cases[i];
        zs_quarter_t q = sentinel;
        char errstr[128] = "";
        zs_err_t err = zs_quarter_make(c->year, c->part, &q, errstr, sizeof(errstr));
        bool ok = err == c->err && (err == ZS_OK ? q == Q(c->year, c->part)
                                                 : q == sentinel && strstr(errstr, c->reason));
        if (!ok)
            fail_msg("quarter row %zu: got %s, errstr \"%s\"", i, zs_err2str(err), errstr);
        if (err == ZS_OK) {
            assert_int_equal(zs_quarter_year(q), c->year);
            assert_int_equal(zs_quarter_quarter(q), c->part);
        }
    }
}

/* ---- quarter arithmetic ---- */

struct quarter_case {
    zs_quarter_t q;
    zs_month_t first, last; /* first and last month of the quarter */
    zs_month_t t12m_first;  /* the T12M window ends with `last` */
    zs_quarter_t year_ago;
};

static const struct quarter_case quarter_cases[] = {
    /* Q1: the T12M window starts in April of the previous year */
    {Q(2024, 1), M(2024, 1), M(2024, 3), M(2023, 4), Q(2023, 1)},
    {Q(2024, 2), M(2024, 4), M(2024, 6), M(2023, 7), Q(2023, 2)},
    {Q(2024, 3), M(2024, 7), M(2024, 9), M(2023, 10), Q(2023, 3)},
    /* Q4: the window is exactly the calendar year */
    {Q(2024, 4), M(2024, 10), M(2024, 12), M(2024, 1), Q(2023, 4)},
    /* the first valid quarter: window and year-ago step outside 2000-2100, still exact */
    {Q(2000, 1), M(2000, 1), M(2000, 3), M(1999, 4), Q(1999, 1)},
    {Q(2100, 4), M(2100, 10), M(2100, 12), M(2100, 1), Q(2099, 4)},
};

static void quarter_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(quarter_cases); i++) {
        const struct quarter_case *c = &quarter_cases[i];
        zs_month_t first = sentinel, last = sentinel;
        assert_int_equal(zs_quarter_first_month(c->q), c->first);
        assert_int_equal(zs_quarter_last_month(c->q), c->last);
        zs_quarter_t12m(c->q, &first, &last);
        assert_int_equal(first, c->t12m_first);
        assert_int_equal(last, c->last);
        assert_int_equal(last - first + 1, 12);
        assert_int_equal(zs_quarter_year_ago(c->q), c->year_ago);
        assert_int_equal(zs_month_quarter(c->first), c->q);
        assert_int_equal(zs_month_quarter(c->first + 1), c->q);
        assert_int_equal(zs_month_quarter(c->last), c->q);
        assert_int_equal(zs_month_quarter(c->last + 1), c->q + 1);
        assert_int_equal(zs_month_quarter(c->first - 1), c->q - 1);
    }
    zs_month_t only = sentinel;
    zs_quarter_t12m(Q(2024, 1), NULL, &only);
    assert_int_equal(only, M(2024, 3));
    zs_quarter_t12m(Q(2024, 1), &only, NULL);
    assert_int_equal(only, M(2023, 4));
}

/* Accessors agree with the definition for every month and quarter, and the month
 * index of 1999-12 (outside the contract, reached by arithmetic) still decodes. */
static void accessors_every_month(void **state)
{
    (void)state;
    for (int y = 1999; y <= 2101; y++) {
        for (int mo = 1; mo <= 12; mo++) {
            zs_month_t m = M(y, mo);
            assert_int_equal(zs_month_year(m), y);
            assert_int_equal(zs_month_month(m), mo);
            zs_quarter_t q = zs_month_quarter(m);
            assert_int_equal(zs_quarter_year(q), y);
            assert_int_equal(zs_quarter_quarter(q), (mo - 1) / 3 + 1);
            assert_true(zs_quarter_first_month(q) <= m && m <= zs_quarter_last_month(q));
        }
    }
    /* negative indexes round toward minus infinity */
    assert_int_equal(zs_month_year(-1), -1);
    assert_int_equal(zs_month_month(-1), 12);
    assert_int_equal(zs_month_quarter(-1), -1);
    assert_int_equal(zs_quarter_year(-1), -1);
    assert_int_equal(zs_quarter_quarter(-1), 4);
}

/* ---- parsing and formatting periods ---- */

struct parse_case {
    const char *in;
    zs_err_t err;
    int32_t value;      /* when err == ZS_OK */
    const char *reason; /* a substring of errstr otherwise */
    const char *canon;  /* the formatted value, when err == ZS_OK */
};

static const struct parse_case quarter_parse_cases[] = {
    {"2024Q2", ZS_OK, Q(2024, 2), NULL, "2024Q2"},
    {"2024q2", ZS_OK, Q(2024, 2), NULL, "2024Q2"},
    {"2000Q1", ZS_OK, Q(2000, 1), NULL, "2000Q1"},
    {"2100Q4", ZS_OK, Q(2100, 4), NULL, "2100Q4"},
    {"2024Q5", ZS_ERR_INVALID, 0, "quarter 5 is not in 1-4", NULL},
    {"2024Q0", ZS_ERR_INVALID, 0, "quarter 0 is not in 1-4", NULL},
    {"2024Q9", ZS_ERR_INVALID, 0, "quarter 9", NULL},
    {"1999Q4", ZS_ERR_INVALID, 0, "year 1999 is not in 2000-2100", NULL},
    {"2101Q1", ZS_ERR_INVALID, 0, "year 2101", NULL},
    {"2024Q", ZS_ERR_PARSE, 0, "expected a quarter like 2024Q2", NULL},
    {"2024Q10", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"2024Q-1", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"24Q2", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"2024-Q2", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"2024 Q2", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {" 2024Q2", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"2024Q2 ", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"2024S2", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"20a4Q2", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
    {"", ZS_ERR_PARSE, 0, "expected a quarter", NULL},
};

static const struct parse_case month_parse_cases[] = {
    {"2024-05", ZS_OK, M(2024, 5), NULL, "2024-05"},
    {"2000-01", ZS_OK, M(2000, 1), NULL, "2000-01"},
    {"2100-12", ZS_OK, M(2100, 12), NULL, "2100-12"},
    {"2024-12", ZS_OK, M(2024, 12), NULL, "2024-12"},
    {"2024-13", ZS_ERR_INVALID, 0, "month 13 is not in 1-12", NULL},
    {"2024-00", ZS_ERR_INVALID, 0, "month 0 is not in 1-12", NULL},
    {"1999-12", ZS_ERR_INVALID, 0, "year 1999 is not in 2000-2100", NULL},
    {"2101-01", ZS_ERR_INVALID, 0, "year 2101", NULL},
    /* the month is always two digits (documented decision) */
    {"2024-5", ZS_ERR_PARSE, 0, "two-digit month", NULL},
    {"2024-005", ZS_ERR_PARSE, 0, "expected a month like 2024-05", NULL},
    {"2024/05", ZS_ERR_PARSE, 0, "expected a month", NULL},
    {"202405", ZS_ERR_PARSE, 0, "expected a month", NULL},
    {"2024-05-01", ZS_ERR_PARSE, 0, "expected a month", NULL},
    {"2024-1a", ZS_ERR_PARSE, 0, "expected a month", NULL},
    {"2024-+5", ZS_ERR_PARSE, 0, "expected a month", NULL},
    {"2024Q2", ZS_ERR_PARSE, 0, "expected a month", NULL},
    {"", ZS_ERR_PARSE, 0, "expected a month", NULL},
};

typedef zs_err_t (*parse_fn)(const char *, size_t, int32_t *, char *, size_t);
typedef void (*format_fn)(int32_t, char *, size_t);

static void run_parse_table(const char *what, const struct parse_case *cases, size_t n,
                            parse_fn parse, format_fn format)
{
    for (size_t i = 0; i < n; i++) {
        const struct parse_case *c = &cases[i];
        int32_t v = sentinel;
        char errstr[128] = "";
        zs_err_t err = parse(c->in, strlen(c->in), &v, errstr, sizeof(errstr));
        bool ok = err == c->err &&
                  (err == ZS_OK ? v == c->value : v == sentinel && strstr(errstr, c->reason));
        if (!ok)
            fail_msg("%s row %zu \"%s\": got %s, errstr \"%s\"", what, i, c->in, zs_err2str(err),
                     errstr);
        if (err == ZS_OK) {
            char out[ZS_PERIOD_STR_SIZE];
            format(v, out, sizeof(out));
            assert_string_equal(out, c->canon);
        }
    }
}

static void parse_tables(void **state)
{
    (void)state;
    run_parse_table("quarter", quarter_parse_cases, NROWS(quarter_parse_cases), zs_quarter_parse,
                    zs_quarter_format);
    run_parse_table("month", month_parse_cases, NROWS(month_parse_cases), zs_month_parse,
                    zs_month_format);
}

/* Every valid month and quarter formats to text that parses back to itself. */
static void period_round_trip(void **state)
{
    (void)state;
    for (zs_month_t m = M(2000, 1); m <= M(2100, 12); m++) {
        char out[ZS_PERIOD_STR_SIZE];
        zs_month_t back = sentinel;
        zs_month_format(m, out, sizeof(out));
        assert_int_equal(strlen(out), 7);
        assert_int_equal(zs_month_parse(out, strlen(out), &back, NULL, 0), ZS_OK);
        assert_int_equal(back, m);
    }
    for (zs_quarter_t q = Q(2000, 1); q <= Q(2100, 4); q++) {
        char out[ZS_PERIOD_STR_SIZE];
        zs_quarter_t back = sentinel;
        zs_quarter_format(q, out, sizeof(out));
        assert_int_equal(zs_quarter_parse(out, strlen(out), &back, NULL, 0), ZS_OK);
        assert_int_equal(back, q);
    }
    /* len is honoured: the input need not be NUL-terminated */
    zs_quarter_t q = sentinel;
    assert_int_equal(zs_quarter_parse("2024Q2xyz", 6, &q, NULL, 0), ZS_OK);
    assert_int_equal(q, Q(2024, 2));
    /* formatting outside the contract still works, and truncation terminates */
    char out[ZS_PERIOD_STR_SIZE];
    zs_month_format(M(1999, 4), out, sizeof(out));
    assert_string_equal(out, "1999-04");
    zs_quarter_format(Q(2024, 2), out, 5);
    assert_string_equal(out, "2024");
}

/* ---- timestamps ---- */

struct time_case {
    const char *in;
    zs_err_t err;
    int64_t ms;         /* when err == ZS_OK (expected values computed with Python) */
    const char *reason; /* a substring of errstr otherwise */
};

static const struct time_case time_cases[] = {
    {"1970-01-01T00:00:00Z", ZS_OK, 0, NULL},
    {"1970-01-01T00:00:00+00:00", ZS_OK, 0, NULL},
    {"2024-05-03T10:00:00+08:00", ZS_OK, INT64_C(1714701600000), NULL},
    {"2024-05-03T02:00:00Z", ZS_OK, INT64_C(1714701600000), NULL},
    {"2024-05-02T21:00:00-05:00", ZS_OK, INT64_C(1714701600000), NULL},
    {"2024-05-03T10:00:00+05:45", ZS_OK, INT64_C(1714709700000), NULL},
    /* fractions: 1-9 digits, truncated (not rounded) to milliseconds */
    {"2024-05-03T02:00:00.5Z", ZS_OK, INT64_C(1714701600500), NULL},
    {"2024-05-03T02:00:00.05Z", ZS_OK, INT64_C(1714701600050), NULL},
    {"2024-05-03T02:00:00.123Z", ZS_OK, INT64_C(1714701600123), NULL},
    {"2024-05-03T02:00:00.1239Z", ZS_OK, INT64_C(1714701600123), NULL},
    {"2024-05-03T02:00:00.999999999Z", ZS_OK, INT64_C(1714701600999), NULL},
    {"2024-05-03T02:00:00.000+00:00", ZS_OK, INT64_C(1714701600000), NULL},
    {"2024-05-03T02:00:00.1234567890Z", ZS_ERR_PARSE, 0, "more than 9 fractional digits"},
    {"2024-05-03T02:00:00.Z", ZS_ERR_PARSE, 0, "digit required after the decimal point"},
    {"2024-05-03T02:00:00,5Z", ZS_ERR_PARSE, 0, "bad time zone offset"},
    /* year boundary across the offset; before 1970; far years */
    {"2024-01-01T07:59:59.999+08:00", ZS_OK, INT64_C(1704067199999), NULL},
    {"1969-12-31T23:59:59.999Z", ZS_OK, -1, NULL},
    {"1970-01-01T08:00:00+08:00", ZS_OK, 0, NULL},
    {"1900-01-01T00:00:00Z", ZS_OK, INT64_C(-2208988800000), NULL},
    {"0001-01-01T00:00:00Z", ZS_OK, INT64_C(-62135596800000), NULL},
    {"0000-01-01T00:00:00Z", ZS_OK, INT64_C(-62167219200000), NULL},
    {"9999-12-31T23:59:59.999Z", ZS_OK, INT64_C(253402300799999), NULL},
    /* leap years */
    {"2024-02-29T12:00:00-05:30", ZS_OK, INT64_C(1709227800000), NULL},
    {"2000-02-29T00:00:00Z", ZS_OK, INT64_C(951782400000), NULL},
    {"2023-02-29T00:00:00Z", ZS_ERR_INVALID, 0, "day 29 does not exist in 2023-02"},
    {"1900-02-29T00:00:00Z", ZS_ERR_INVALID, 0, "day 29 does not exist in 1900-02"},
    {"2100-02-29T00:00:00Z", ZS_ERR_INVALID, 0, "day 29 does not exist"},
    {"2024-02-30T00:00:00Z", ZS_ERR_INVALID, 0, "day 30 does not exist"},
    {"2024-04-31T00:00:00Z", ZS_ERR_INVALID, 0, "day 31 does not exist in 2024-04"},
    {"2024-01-32T00:00:00Z", ZS_ERR_INVALID, 0, "day 32"},
    {"2024-01-00T00:00:00Z", ZS_ERR_INVALID, 0, "day 0"},
    {"2024-00-10T00:00:00Z", ZS_ERR_INVALID, 0, "month 0 is not in 1-12"},
    {"2024-13-01T00:00:00Z", ZS_ERR_INVALID, 0, "month 13 is not in 1-12"},
    /* time of day */
    {"2024-12-31T23:59:59Z", ZS_OK, INT64_C(1735689599000), NULL},
    {"2024-05-03T24:00:00Z", ZS_ERR_INVALID, 0, "hour 24 is not in 0-23"},
    {"2024-05-03T10:60:00Z", ZS_ERR_INVALID, 0, "minute 60 is not in 0-59"},
    {"2024-12-31T23:59:60Z", ZS_ERR_INVALID, 0, "second 60 is not in 0-59"},
    /* offsets: required, at most 14:00, -00:00 means unknown */
    {"2024-05-03T10:00:00", ZS_ERR_INVALID, 0, "missing time zone offset"},
    {"2024-05-03T10:00:00.123", ZS_ERR_INVALID, 0, "missing time zone offset"},
    {"2024-12-31T23:30:00-14:00", ZS_OK, INT64_C(1735738200000), NULL},
    {"2025-01-01T00:00:00+14:00", ZS_OK, INT64_C(1735639200000), NULL},
    {"2024-05-03T10:00:00+14:01", ZS_ERR_INVALID, 0, "beyond +-14:00"},
    {"2024-05-03T10:00:00-15:00", ZS_ERR_INVALID, 0, "beyond +-14:00"},
    {"2024-05-03T10:00:00+99:00", ZS_ERR_INVALID, 0, "beyond +-14:00"},
    {"2024-05-03T10:00:00+05:60", ZS_ERR_INVALID, 0, "offset minute 60"},
    {"2024-05-03T10:00:00-00:00", ZS_ERR_INVALID, 0, "-00:00 means unknown"},
    {"2024-05-03T10:00:00+0800", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00+08", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00+08:00:00", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00+8:00", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00z", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00ZZ", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00 +08:00", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00Z ", ZS_ERR_PARSE, 0, "bad time zone offset"},
    {"2024-05-03T10:00:00UTC", ZS_ERR_PARSE, 0, "bad time zone offset"},
    /* shape */
    {"", ZS_ERR_PARSE, 0, "expected an ISO 8601 date-time"},
    {"2024-05-03", ZS_ERR_PARSE, 0, "expected an ISO 8601 date-time"},
    {"2024-05-03 10:00:00+08:00", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
    {"2024-05-03t10:00:00+08:00", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
    {"2024-5-03T10:00:00+08:00", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
    {"2024-05-03T10:00+08:00", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
    {"20240503T100000Z", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
    {" 2024-05-03T10:00:00Z", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
    {"+2024-05-03T10:00:00Z", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
    {"2024-05-03T1:00:00+08:00", ZS_ERR_PARSE, 0, "expected an ISO 8601"},
};

static void time_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(time_cases); i++) {
        const struct time_case *c = &time_cases[i];
        int64_t ms = INT64_MIN;
        char errstr[128] = "";
        zs_err_t err = zs_time_parse(c->in, strlen(c->in), &ms, errstr, sizeof(errstr));
        bool ok = err == c->err &&
                  (err == ZS_OK ? ms == c->ms : ms == INT64_MIN && strstr(errstr, c->reason));
        if (!ok)
            fail_msg("row %zu \"%s\": got %s, ms %" PRId64 ", errstr \"%s\"", i, c->in,
                     zs_err2str(err), ms, errstr);
    }
    /* len is honoured: a longer buffer is cut where len says */
    int64_t ms = 0;
    assert_int_equal(zs_time_parse("1970-01-01T00:00:01Zjunk", 20, &ms, NULL, 0), ZS_OK);
    assert_int_equal(ms, 1000);
    assert_int_equal(zs_time_parse("1970-01-01T00:00:01Z", 19, &ms, NULL, 0), ZS_ERR_INVALID);
}

struct time_format_case {
    int64_t ms;
    const char *out;
};

static const struct time_format_case time_format_cases[] = {
    {0, "1970-01-01T00:00:00.000Z"},
    {-1, "1969-12-31T23:59:59.999Z"},
    {1, "1970-01-01T00:00:00.001Z"},
    {INT64_C(1714701600000), "2024-05-03T02:00:00.000Z"},
    {INT64_C(1714701600123), "2024-05-03T02:00:00.123Z"},
    {INT64_C(1704067199999), "2023-12-31T23:59:59.999Z"},
    {INT64_C(1709164800000), "2024-02-29T00:00:00.000Z"},
    {INT64_C(951782400000), "2000-02-29T00:00:00.000Z"},
    {INT64_C(-2208988800000), "1900-01-01T00:00:00.000Z"},
    {INT64_C(-62167219200000), "0000-01-01T00:00:00.000Z"},
    {INT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
};

static void time_format_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROWS(time_format_cases); i++) {
        char out[ZS_TIME_STR_SIZE];
        zs_time_format(time_format_cases[i].ms, out, sizeof(out));
        assert_string_equal(out, time_format_cases[i].out);
    }
    /* the extremes must not overflow (the sanitizer build checks) and still end in Z */
    char out[ZS_TIME_STR_SIZE];
    zs_time_format(INT64_MAX, out, sizeof(out));
    assert_int_equal(out[strlen(out) - 1], 'Z');
    zs_time_format(INT64_MIN, out, sizeof(out));
    assert_int_equal(out[strlen(out) - 1], 'Z');
    zs_time_format(0, out, 11);
    assert_string_equal(out, "1970-01-01");
}

static bool test_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* An independent check of days-from-civil: walk the calendar a day at a time from 1970
 * forward to 2101 and backward to 1900, comparing with parse, and round-trip format. */
static void time_every_day(void **state)
{
    (void)state;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int dir = 1; dir >= -1; dir -= 2) {
        int y = 1970, m = 1, d = 1;
        for (int64_t day = 0; y >= 1900 && y <= 2101; day += dir) {
            char text[ZS_TIME_STR_SIZE];
            char back[ZS_TIME_STR_SIZE];
            int64_t ms = 0;
            snprintf(text, sizeof(text), "%04d-%02d-%02dT12:34:56.789Z", y, m, d);
            assert_int_equal(zs_time_parse(text, strlen(text), &ms, NULL, 0), ZS_OK);
            assert_true(ms == day * 86400000 + 45296789);
            zs_time_format(ms, back, sizeof(back));
            assert_string_equal(back, text);
            int dim = m == 2 && test_leap(y) ? 29 : mdays[m - 1];
            if (dir > 0 && ++d > dim) {
                d = 1;
                if (++m > 12) {
                    m = 1;
                    y++;
                }
            } else if (dir < 0 && --d < 1) {
                if (--m < 1) {
                    m = 12;
                    y--;
                }
                d = m == 2 && test_leap(y) ? 29 : mdays[m - 1];
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(make_table),
        cmocka_unit_test(quarter_table),
        cmocka_unit_test(accessors_every_month),
        cmocka_unit_test(parse_tables),
        cmocka_unit_test(period_round_trip),
        cmocka_unit_test(time_parse_table),
        cmocka_unit_test(time_format_table),
        cmocka_unit_test(time_every_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
