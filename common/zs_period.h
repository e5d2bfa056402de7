/* zs_period.h: months and quarters as plain integer indexes (so period arithmetic is
 * integer arithmetic), their text forms, and ISO 8601 timestamps as epoch milliseconds. */
#ifndef ZS_PERIOD_H
#define ZS_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "zs_err.h"

/* The years the input contract allows for `year` columns and period names. */
#define ZS_YEAR_MIN 2000
#define ZS_YEAR_MAX 2100

/* A month: year * 12 + (month - 1). Consecutive months are consecutive integers, so
 * "n months later" is + n and months compare with < and ==. */
typedef int32_t zs_month_t;
/* A quarter: year * 4 + (quarter - 1), quarter 1-4. */
typedef int32_t zs_quarter_t;

/* A buffer of this size holds any zs_month_format or zs_quarter_format output. */
#define ZS_PERIOD_STR_SIZE 16
/* A buffer of this size holds any zs_time_format output. */
#define ZS_TIME_STR_SIZE 40

/* Makes a month from year (ZS_YEAR_MIN..ZS_YEAR_MAX) and month (1-12); anything else is
 * ZS_ERR_INVALID with the reason in errstr. *out is written only on success. */
zs_err_t zs_month_make(int year, int month, zs_month_t *out, char *errstr, size_t errstr_size);
/* Makes a quarter from year (ZS_YEAR_MIN..ZS_YEAR_MAX) and quarter (1-4), as above. */
zs_err_t zs_quarter_make(int year, int quarter, zs_quarter_t *out, char *errstr,
                         size_t errstr_size);

/* Accessors. The arithmetic below can step outside ZS_YEAR_MIN..ZS_YEAR_MAX (the T12M
 * window of 2000Q1 starts in 1999); accessors stay correct for any index. */
int zs_month_year(zs_month_t m);
int zs_month_month(zs_month_t m); /* 1-12 */
int zs_quarter_year(zs_quarter_t q);
int zs_quarter_quarter(zs_quarter_t q); /* 1-4 */

/* The quarter a month belongs to. */
zs_quarter_t zs_month_quarter(zs_month_t m);
/* The first and last month of a quarter (2024Q2: 2024-04 and 2024-06). */
zs_month_t zs_quarter_first_month(zs_quarter_t q);
zs_month_t zs_quarter_last_month(zs_quarter_t q);
/* The T12M window of a quarter: the 12 months ending with its last month, inclusive
 * (2024Q1: 2023-04 .. 2024-03). Either pointer may be NULL. */
void zs_quarter_t12m(zs_quarter_t q, zs_month_t *first, zs_month_t *last);
/* The same quarter one year earlier (2024Q1 -> 2023Q1). */
zs_quarter_t zs_quarter_year_ago(zs_quarter_t q);

/* Parses "2024Q2" or "2024q2" (exactly four year digits, Q, one digit). Shape errors are
 * ZS_ERR_PARSE, a year outside ZS_YEAR_MIN..ZS_YEAR_MAX or a quarter outside 1-4 is
 * ZS_ERR_INVALID. s need not be NUL-terminated. *out is written only on success. */
zs_err_t zs_quarter_parse(const char *s, size_t len, zs_quarter_t *out, char *errstr,
                          size_t errstr_size);
/* Parses "2024-05": exactly YYYY-MM, the month always two digits ("2024-5" is a
 * ZS_ERR_PARSE), errors as for zs_quarter_parse. */
zs_err_t zs_month_parse(const char *s, size_t len, zs_month_t *out, char *errstr,
                        size_t errstr_size);

/* Write "2024Q2" / "2024-05" into out, NUL-terminated whenever size > 0, truncated if
 * size is too small (ZS_PERIOD_STR_SIZE always suffices). */
void zs_quarter_format(zs_quarter_t q, char *out, size_t size);
void zs_month_format(zs_month_t m, char *out, size_t size);

/* Parses an RFC 3339 / ISO 8601 extended date-time with a zone offset into milliseconds
 * since 1970-01-01T00:00:00Z, independent of the process time zone:
 *   YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
 * e.g. "2024-05-03T10:00:00+08:00", "2024-05-03T02:00:00.250Z".
 * - The offset is required ("missing time zone offset"); it is at most 14:00 either
 *   way, and "-00:00" (RFC 3339: offset unknown) is rejected like a missing one.
 * - 'T' and 'Z' are upper case; no space separator, no basic format ("+0800").
 * - The fraction has 1 to 9 digits (ms, us, ns, as databases export them); it is
 *   truncated to milliseconds, never rounded. More than 9 digits is rejected.
 * - Dates are proleptic Gregorian with leap years; hour 0-23, minute and second 0-59
 *   (a leap second "60" is rejected).
 * Shape errors are ZS_ERR_PARSE, out-of-range fields and a missing offset
 * ZS_ERR_INVALID; errstr never repeats the input. *epoch_ms is written only on
 * success. */
zs_err_t zs_time_parse(const char *s, size_t len, int64_t *epoch_ms, char *errstr,
                       size_t errstr_size);
/* Writes epoch_ms as UTC with milliseconds, "2024-05-03T02:00:00.000Z", NUL-terminated
 * whenever size > 0 (ZS_TIME_STR_SIZE always suffices). Years outside 0000-9999 are
 * written with more digits or a sign and are then not valid ISO 8601. */
void zs_time_format(int64_t epoch_ms, char *out, size_t size);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back; no time
 * zone, no libc calendar functions. */
int64_t zs_days_from_civil(int64_t y, unsigned m, unsigned d);
void zs_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
