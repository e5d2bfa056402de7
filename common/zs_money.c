/* zs_money.c: exact yuan text <-> int64 fen, by hand, without floating point or strtod. */
#include "zs_money.h"

#include <inttypes.h>
#include <stdio.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The reason for a character that cannot follow the digits read so far. */
static zs_err_t fail_char(char c, char *errstr, size_t errstr_size)
{
    const char *why = "not a number";
    if (c == 'e' || c == 'E')
        why = "exponent not allowed";
    else if (c == ',')
        why = "thousands separator not allowed";
    else if (c == '.')
        why = "more than one decimal point";
    return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s", why);
}

zs_err_t zs_money_parse(const char *s, size_t len, bool allow_negative, int64_t *fen, char *errstr,
                        size_t errstr_size)
{
    size_t i = 0;
    bool negative = false;
    int64_t yuan = 0;
    int64_t frac = 0; /* the first two decimals, scaled to fen at the end */
    size_t ndec = 0;  /* decimals seen, including any beyond two */
    bool point = false;

    if (len == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "empty");
    if (is_space(s[0]) || is_space(s[len - 1]))
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "leading or trailing space");
    if (s[0] == '+')
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "plus sign not allowed");
    if (s[0] == '-') {
        if (!allow_negative)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "negative amount not allowed");
        negative = true;
        i++;
    }

    size_t int_start = i;
    for (; i < len && is_digit(s[i]); i++) {
        yuan = yuan * 10 + (s[i] - '0');
        if (yuan > ZS_MONEY_MAX_FEN / 100)
            return zs_fail(errstr, errstr_size, ZS_ERR_OVERFLOW,
                           "out of range (more than %" PRId64 " yuan)", ZS_MONEY_MAX_FEN / 100);
    }
    if (i == int_start) {
        if (i < len && s[i] == '.')
            return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                           "digit required before the decimal point");
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "not a number");
    }

    if (i < len && s[i] == '.') {
        point = true;
        for (i++; i < len && is_digit(s[i]); i++) {
            if (ndec < 2)
                frac = frac * 10 + (s[i] - '0');
            ndec++;
        }
    }
    if (i < len)
        return fail_char(s[i], errstr, errstr_size);
    if (point && ndec == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "digit required after the decimal point");
    if (ndec > 2)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "more than two decimals");

    int64_t total = yuan * 100 + (ndec == 1 ? frac * 10 : frac);
    if (total > ZS_MONEY_MAX_FEN)
        return zs_fail(errstr, errstr_size, ZS_ERR_OVERFLOW,
                       "out of range (more than %" PRId64 " yuan)", ZS_MONEY_MAX_FEN / 100);
    *fen = negative ? -total : total;
    return ZS_OK;
}

void zs_money_format(int64_t fen, char *out, size_t size)
{
    /* The magnitude in unsigned arithmetic, so INT64_MIN formats too. */
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(out, size, "%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", mag / 100, (unsigned)(mag % 100));
}
