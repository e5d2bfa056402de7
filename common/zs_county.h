/* zs_county.h: the region's county-level divisions, loaded once from the shipped data
 * file (data/guangxi-counties.csv) and looked up by 6-digit code. */
#ifndef ZS_COUNTY_H
#define ZS_COUNTY_H

#include <stdbool.h>
#include <stddef.h>

#include "zs_err.h"

/* One county-level division (区/县/县级市/自治县). All strings are NUL-terminated
 * UTF-8 and owned by the table the county came from. key_assistance marks the national
 * key assistance counties (国家乡村振兴重点帮扶县). */
typedef struct zs_county {
    char code[7];          /* 6-digit administrative division code, e.g. "450102" */
    char city_code[5];     /* 4-digit prefecture-level city code, a prefix of code */
    const char *name;      /* county name, e.g. "兴宁区" */
    const char *city_name; /* city name, e.g. "南宁市" */
    bool key_assistance;   /* a national key assistance county */
} zs_county_t;

/* An immutable, loaded county list. Opaque; safe to share between threads once loaded. */
typedef struct zs_county_table zs_county_table_t;

/* Loads the county list at path into a new table, owned by the caller and freed with
 * zs_county_table_free. The file is UTF-8 (a leading BOM and CRLF line ends are
 * tolerated) with exactly the header
 *   county_code,county_name,city_code,city_name,key_assistance_county
 * and at least one row. Every row is checked: five unquoted fields (a '"' is an error:
 * this reader does not do CSV quoting), a 6-digit code, non-empty names that are valid
 * UTF-8 without surrounding spaces, a 4-digit city code that prefixes the code, the
 * same city name for every county of a city, a Y/N flag, and no duplicate codes.
 * The first problem is returned (ZS_ERR_IO, ZS_ERR_PARSE, ZS_ERR_INVALID,
 * ZS_ERR_OVERFLOW for a file over 1 MiB, ZS_ERR_NOMEM) with "path:line: why" in
 * errstr, and *out is set to NULL. */
zs_err_t zs_county_load(const char *path, zs_county_table_t **out, char *errstr,
                        size_t errstr_size);

/* Whether code is shaped like a county code: exactly 6 ASCII digits. A
 * program that builds a file name from a code read from data checks it
 * with this first, whatever checked it upstream. */
bool zs_county_code_ok(const char *code);

struct zs_config;
/* Loads the region's table as the configuration names it: zs.data.dir's
 * <zs.region>-counties.csv. Errors as zs_county_load, or the configuration's. */
zs_err_t zs_county_load_configured(const struct zs_config *cfg, zs_county_table_t **out,
                                   char *errstr, size_t errstr_size);

/* The county with that code (len bytes, need not be NUL-terminated), or NULL if the
 * code is unknown, not 6 characters, or t is NULL. The result lives as long as t. */
const zs_county_t *zs_county_find(const zs_county_table_t *t, const char *code, size_t len);

/* The number of counties (0 for NULL). */
size_t zs_county_count(const zs_county_table_t *t);

/* The i-th county in ascending code order, or NULL if i >= zs_county_count(t). The
 * result lives as long as t. */
const zs_county_t *zs_county_at(const zs_county_table_t *t, size_t i);

/* Frees the table and every string in it. NULL is fine. */
void zs_county_table_free(zs_county_table_t *t);

#endif
