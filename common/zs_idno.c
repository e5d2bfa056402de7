/* zs_idno.c: the GB 11643 resident ID check (ISO 7064 MOD 11-2) and its log mask.
 * Nothing here may copy the ID number, or a piece of it, into errstr. */
#include "zs_idno.h"

#include <stdbool.h>

#define BODY_LEN  17 /* the digits the check character is computed over */
#define MASK_KEEP 4  /* characters left visible by zs_idno_mask */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool is_calendar_date(int y, int m, int d)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    return d <= (m == 2 && is_leap(y) ? 29 : days[m - 1]);
}

/* The check character of 17 digits: ISO 7064 MOD 11-2 as tabulated in GB 11643. */
static char check_char(const char *body)
{
    static const int weights[BODY_LEN] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    int sum = 0;
    for (size_t i = 0; i < BODY_LEN; i++)
        sum += (body[i] - '0') * weights[i];
    return map[sum % 11];
}

zs_err_t zs_idno_check(const char *s, size_t len, int birth_year, char *errstr, size_t errstr_size)
{
    if (len != ZS_IDNO_LEN)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "ID number has %zu characters, expected %d", len, ZS_IDNO_LEN);
    for (size_t i = 0; i < BODY_LEN; i++) {
        if (!is_digit(s[i]))
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "ID number character %zu is not a digit", i + 1);
    }
    char last = s[BODY_LEN];
    if (last == 'x')
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "ID number check character is a lower-case x; GB 11643 requires X");
    if (!is_digit(last) && last != 'X')
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "ID number character 18 is neither a digit nor X");
    if (check_char(s) != last)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "ID number check character does not match (mistyped digit?)");

    int year = digits_value(s + 6, 4);
    int month = digits_value(s + 10, 2);
    int day = digits_value(s + 12, 2);
    if (!is_calendar_date(year, month, day))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "ID number birth date (characters 7-14) is not a calendar date");
    if (birth_year > 0 && year != birth_year)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "ID number birth year does not match birth_year %d", birth_year);
    return ZS_OK;
}

size_t zs_idno_mask_inplace(char *s, size_t len)
{
    size_t keep_from = len > MASK_KEEP ? len - MASK_KEEP : len;
    for (size_t i = 0; i < len; i++) {
        bool printable = s[i] > ' ' && s[i] <= '~';
        if (i < keep_from || !printable)
            s[i] = '*';
    }
    return len > 0 ? 1 : 0;
}

void zs_idno_mask(const char *s, size_t len, char *out, size_t size)
{
    if (size == 0)
        return;
    size_t keep_from = len > MASK_KEEP ? len - MASK_KEEP : len; /* short: mask all */
    size_t n = len < size - 1 ? len : size - 1;
    for (size_t i = 0; i < n; i++) {
        bool printable = s[i] > ' ' && s[i] <= '~';
        out[i] = i >= keep_from && printable ? s[i] : '*';
    }
    out[n] = '\0';
}
