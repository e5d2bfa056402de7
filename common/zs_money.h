/* zs_money.h: money as an exact int64 count of fen (1 yuan = 100 fen), parsed from and
 * formatted to yuan text; no floating point anywhere. */
#ifndef ZS_MONEY_H
#define ZS_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_err.h"

/* The largest magnitude accepted by zs_money_parse: 10^12 yuan, in fen. A sane cap far
 * below INT64_MAX, so sums of many amounts cannot overflow either. */
#define ZS_MONEY_MAX_FEN INT64_C(100000000000000)

/* A buffer of this size holds any zs_money_format output, INT64_MIN included. */
#define ZS_MONEY_STR_SIZE 24

/* Parses len bytes of s (need not be NUL-terminated) as yuan into *fen.
 *
 * Accepted: ASCII digits, optionally a '.' and one or two decimals ("7", "0.01",
 * "12.5" and "12.50" are 1250 fen), and a leading '-' only when allow_negative.
 * Leading zeros are accepted ("007" is 700 fen, "00.5" is 50 fen), since exports
 * from fixed-width systems produce them and they are unambiguous.
 * Rejected, with the reason in errstr: empty input, leading or trailing space, '+',
 * a second sign, exponents ("1e3"), thousands separators ("1,000"), more than two
 * decimals ("12.345": never rounded), no digit before the point (".5") or after it
 * ("12."), anything else that is not a number ("0x10"), and magnitudes above
 * 10^12 yuan.
 *
 * Returns ZS_OK, ZS_ERR_PARSE (not a decimal amount), ZS_ERR_INVALID (a negative amount
 * when !allow_negative) or ZS_ERR_OVERFLOW (beyond the cap). errstr never repeats the
 * input: callers add which field and line it came from. *fen is written only on
 * success. */
zs_err_t zs_money_parse(const char *s, size_t len, bool allow_negative, int64_t *fen, char *errstr,
                        size_t errstr_size);

/* Writes fen as yuan with exactly two decimals and no thousands separators: "12.50",
 * "-0.05", "0.00". out is NUL-terminated whenever size > 0 and truncated if too small
 * (ZS_MONEY_STR_SIZE always suffices). */
void zs_money_format(int64_t fen, char *out, size_t size);

#endif
