/* zs_idno.h: checks and masks 18-character Chinese resident ID numbers (GB 11643-1999),
 * which are personal data and must never reach logs, warnings or reports in clear. */
#ifndef ZS_IDNO_H
#define ZS_IDNO_H

#include <stddef.h>

#include "zs_err.h"

/* The length of a resident ID number. */
#define ZS_IDNO_LEN 18

/* Checks len bytes of s (need not be NUL-terminated) as a resident ID number:
 * - exactly 18 characters: 17 ASCII digits, then a digit or upper-case 'X'. A
 *   lower-case 'x' is rejected with its own reason: GB 11643 writes 'X', and accepting
 *   both would let one person appear under two spellings downstream;
 * - the ISO 7064 MOD 11-2 check character matches;
 * - characters 7-14 (YYYYMMDD) are a real Gregorian date, leap years included;
 * - that year equals birth_year, unless birth_year <= 0 (then it is not compared).
 * Returns ZS_OK or ZS_ERR_INVALID. errstr never contains the ID number or any part of it
 * (not even the birth date): it says only which check failed and where. */
zs_err_t zs_idno_check(const char *s, size_t len, int birth_year, char *errstr, size_t errstr_size);

/* Writes a masked copy of len bytes of s into out: every character but the last 4
 * becomes '*', whatever the length (4 or fewer characters become all '*'). A byte in
 * the last 4 that is not printable ASCII also becomes '*', so a malformed value cannot
 * put control characters or broken UTF-8 into a log. out is NUL-terminated whenever
 * size > 0 and truncated if size <= len (a truncated mask shows no more than a full one). */
void zs_idno_mask(const char *s, size_t len, char *out, size_t size);

/* The same mask in place over s[0..len), whatever s holds (a malformed ID
 * number of 17 or 19 characters, letters, nothing at all): for the id_number
 * column of a rejected row, masked by position. Returns 1 if anything was
 * there to mask, 0 for len 0. */
size_t zs_idno_mask_inplace(char *s, size_t len);

#endif
