/* zs_period.c: month and quarter indexes, their text forms, and ISO 8601 timestamps
 * computed with the days-from-civil algorithm (no mktime, timegm or TZ). */
#include "zs_period.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

/* Division and remainder rounding toward minus infinity, so indexes below year 0 (never
 * produced by valid input, but reachable by arithmetic) still map to a real month. */
static int32_t floor_div(int32_t a, int32_t b)
{
    int32_t q = a / b;
    if (a % b != 0 && (a < 0) != (b < 0))
        q--;
    return q;
}

static int32_t floor_mod(int32_t a, int32_t b)
{
    int32_t r = a % b;
    if (r != 0 && (r < 0) != (b < 0))
        r += b;
    return r;
}

/* Reads n ASCII digits at s into *value; false if any is not a digit. */
static bool read_digits(const char *s, size_t n, int *value)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return true;
}

static zs_err_t check_year(int year, char *errstr, size_t errstr_size)
{
    if (year < ZS_YEAR_MIN || year > ZS_YEAR_MAX)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "year %d is not in %d-%d", year,
                       ZS_YEAR_MIN, ZS_YEAR_MAX);
    return ZS_OK;
}

zs_err_t zs_month_make(int year, int month, zs_month_t *out, char *errstr, size_t errstr_size)
{
    zs_err_t err = check_year(year, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (month < 1 || month > 12)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "month %d is not in 1-12", month);
    *out = (zs_month_t)(year * 12 + (month - 1));
    return ZS_OK;
}

zs_err_t zs_quarter_make(int year, int quarter, zs_quarter_t *out, char *errstr, size_t errstr_size)
{
    zs_err_t err = check_year(year, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (quarter < 1 || quarter > 4)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "quarter %d is not in 1-4", quarter);
    *out = (zs_quarter_t)(year * 4 + (quarter - 1));
    return ZS_OK;
}

int zs_month_year(zs_month_t m)
{
    return floor_div(m, 12);
}

int zs_month_month(zs_month_t m)
{
    return floor_mod(m, 12) + 1;
}

int zs_quarter_year(zs_quarter_t q)
{
    return floor_div(q, 4);
}

int zs_quarter_quarter(zs_quarter_t q)
{
    return floor_mod(q, 4) + 1;
}

zs_quarter_t zs_month_quarter(zs_month_t m)
{
    /* year*12 + (month-1), divided by 3, is year*4 + (month-1)/3. */
    return floor_div(m, 3);
}

zs_month_t zs_quarter_first_month(zs_quarter_t q)
{
    return q * 3;
}

zs_month_t zs_quarter_last_month(zs_quarter_t q)
{
    return q * 3 + 2;
}

void zs_quarter_t12m(zs_quarter_t q, zs_month_t *first, zs_month_t *last)
{
    zs_month_t end = zs_quarter_last_month(q);
    if (first != NULL)
        *first = end - 11;
    if (last != NULL)
        *last = end;
}

zs_quarter_t zs_quarter_year_ago(zs_quarter_t q)
{
    return q - 4;
}

zs_err_t zs_quarter_parse(const char *s, size_t len, zs_quarter_t *out, char *errstr,
                          size_t errstr_size)
{
    int year = 0;
    int quarter = 0;
    if (len != 6 || (s[4] != 'Q' && s[4] != 'q') || !read_digits(s, 4, &year) ||
        !read_digits(s + 5, 1, &quarter))
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "expected a quarter like 2024Q2");
    return zs_quarter_make(year, quarter, out, errstr, errstr_size);
}

zs_err_t zs_month_parse(const char *s, size_t len, zs_month_t *out, char *errstr,
                        size_t errstr_size)
{
    int year = 0;
    int month = 0;
    if (len != 7 || s[4] != '-' || !read_digits(s, 4, &year) || !read_digits(s + 5, 2, &month))
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                       "expected a month like 2024-05 (YYYY-MM, two-digit month)");
    return zs_month_make(year, month, out, errstr, errstr_size);
}

void zs_quarter_format(zs_quarter_t q, char *out, size_t size)
{
    snprintf(out, size, "%04dQ%d", zs_quarter_year(q), zs_quarter_quarter(q));
}

void zs_month_format(zs_month_t m, char *out, size_t size)
{
    snprintf(out, size, "%04d-%02d", zs_month_year(m), zs_month_month(m));
}

/* ---- timestamps ---- */

#define MS_PER_DAY          INT64_C(86400000)
#define MAX_OFFSET_MIN      (14 * 60)
#define MAX_FRACTION_DIGITS 9

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * days_from_civil. */
int64_t zs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Same source, civil_from_days. */
void zs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Whether s[0..n) has the shape of the fixed part "YYYY-MM-DDTHH:MM:SS". */
static bool fixed_shape(const char *s, size_t n)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:dd";
    if (n < sizeof(pattern) - 1)
        return false;
    for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
        bool ok = pattern[i] == 'd' ? s[i] >= '0' && s[i] <= '9' : s[i] == pattern[i];
        if (!ok)
            return false;
    }
    return true;
}

zs_err_t zs_time_parse(const char *s, size_t len, int64_t *epoch_ms, char *errstr,
                       size_t errstr_size)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int ms = 0;
    int off_sign = 0, off_hour = 0, off_minute = 0;

    if (!fixed_shape(s, len))
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                       "expected an ISO 8601 date-time like 2024-05-03T10:00:00+08:00");
    read_digits(s, 4, &year);
    read_digits(s + 5, 2, &month);
    read_digits(s + 8, 2, &day);
    read_digits(s + 11, 2, &hour);
    read_digits(s + 14, 2, &minute);
    read_digits(s + 17, 2, &second);

    size_t i = 19;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (i - start < 3)
                ms = ms * 10 + (s[i] - '0');
        }
        size_t ndigits = i - start;
        if (ndigits == 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                           "digit required after the decimal point of the seconds");
        if (ndigits > MAX_FRACTION_DIGITS)
            return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                           "more than %d fractional digits of a second", MAX_FRACTION_DIGITS);
        for (size_t k = ndigits; k < 3; k++)
            ms *= 10;
    }

    if (i == len)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "missing time zone offset");
    if (s[i] == 'Z' && i + 1 == len) {
        off_sign = 1;
    } else if ((s[i] == '+' || s[i] == '-') && len - i == 6 && s[i + 3] == ':' &&
               read_digits(s + i + 1, 2, &off_hour) && read_digits(s + i + 4, 2, &off_minute)) {
        off_sign = s[i] == '+' ? 1 : -1;
    } else {
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                       "bad time zone offset: expected Z, +HH:MM or -HH:MM at the end");
    }

    if (month < 1 || month > 12)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "month %d is not in 1-12", month);
    if (day < 1 || day > days_in_month(year, month))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "day %d does not exist in %04d-%02d",
                       day, year, month);
    if (hour > 23)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "hour %d is not in 0-23", hour);
    if (minute > 59)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "minute %d is not in 0-59", minute);
    if (second > 59)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "second %d is not in 0-59 (no leap seconds)", second);
    if (off_minute > 59)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "time zone offset minute %d is not in 0-59", off_minute);
    int offset_min = off_hour * 60 + off_minute;
    if (offset_min > MAX_OFFSET_MIN)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "time zone offset beyond +-14:00");
    if (off_sign < 0 && offset_min == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "time zone offset -00:00 means unknown; give Z or the real offset");

    int64_t days = zs_days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t secs =
        (int64_t)hour * 3600 + minute * 60 + second - (int64_t)off_sign * offset_min * 60;
    *epoch_ms = days * MS_PER_DAY + secs * 1000 + ms;
    return ZS_OK;
}

void zs_time_format(int64_t epoch_ms, char *out, size_t size)
{
    /* Floor division without forming days * MS_PER_DAY, which could overflow. */
    int64_t rem = epoch_ms % MS_PER_DAY;
    int64_t days = epoch_ms / MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int64_t year = 0;
    unsigned month = 0, day = 0;
    zs_civil_from_days(days, &year, &month, &day);
    unsigned ms_of_day = (unsigned)rem;
    snprintf(out, size, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", year, month, day,
             ms_of_day / 3600000, ms_of_day / 60000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
}
