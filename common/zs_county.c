/* zs_county.c: loads and checks the county list, then answers lookups by binary search.
 * A deliberately small line reader for one trusted, unquoted file; registry exports go
 * through the full CSV reader (zs_csv) instead. */
#include "zs_county.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_buf.h"
#include "zs_config.h"

#define MAX_FILE_SIZE (1024 * 1024)
#define NFIELDS       5
#define HEADER        "county_code,county_name,city_code,city_name,key_assistance_county"

typedef struct county_row {
    zs_county_t county;
    size_t line; /* line of the file it came from, for errors found after sorting */
} county_row_t;

struct zs_county_table {
    char *text;         /* the whole file, fields cut in place with NULs; names point here */
    county_row_t *rows; /* sorted by code */
    size_t count;
};

/* Reads the whole file into *text (owned by the caller, NUL-terminated, *size bytes). */
static zs_err_t read_file(const char *path, char **text, size_t *size, char *errstr,
                          size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    zs_buf_t buf;
    char chunk[4096];
    size_t n;

    zs_buf_init(&buf, MAX_FILE_SIZE);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: cannot open: %s", path,
                       strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        err = zs_buf_add(&buf, chunk, n);
        if (err == ZS_ERR_OVERFLOW) {
            zs_fail(errstr, errstr_size, err, "%s: larger than %d bytes", path, MAX_FILE_SIZE);
            goto close_file;
        }
        if (err != ZS_OK) {
            zs_fail(errstr, errstr_size, err, "%s: out of memory reading the file", path);
            goto close_file;
        }
    }
    if (ferror(fp)) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: read error", path);
        goto close_file;
    }
    if (buf.len == 0) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s:1: empty file, expected the header",
                      path);
        goto close_file;
    }
    *text = buf.data;
    *size = buf.len;
    buf.data = NULL;
close_file:
    fclose(fp);
    zs_buf_free(&buf);
    return err;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Whether s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static bool valid_utf8(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

static zs_err_t check_name(const char *path, size_t line, const char *what, const char *s, size_t n,
                           char *errstr, size_t errstr_size)
{
    if (n == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s:%zu: %s is empty", path, line,
                       what);
    if (is_space(s[0]) || is_space(s[n - 1]))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "%s:%zu: %s has leading or trailing space", path, line, what);
    if (!valid_utf8(s, n))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "%s:%zu: %s is not valid UTF-8 (the file must be UTF-8, not GBK)", path,
                       line, what);
    return ZS_OK;
}

/* Cuts one data line (NUL-terminated, n bytes) into fields and checks them into *row. */
static zs_err_t parse_row(const char *path, size_t line, char *s, size_t n, county_row_t *row,
                          char *errstr, size_t errstr_size)
{
    char *field[NFIELDS];
    size_t flen[NFIELDS];
    size_t nfields = 1;
    zs_err_t err;

    if (memchr(s, '"', n) != NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                       "%s:%zu: quoted fields are not supported in this file", path, line);
    field[0] = s;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ',')
            continue;
        if (nfields < NFIELDS) {
            s[i] = '\0';
            field[nfields] = s + i + 1;
        }
        nfields++;
    }
    if (nfields != NFIELDS)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s:%zu: expected %d fields, found %zu",
                       path, line, NFIELDS, nfields);
    for (size_t f = 0; f < NFIELDS; f++)
        flen[f] = strlen(field[f]);

    if (flen[0] != 6 || !all_digits(field[0], 6))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s:%zu: county_code must be 6 digits",
                       path, line);
    err = check_name(path, line, "county_name", field[1], flen[1], errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (flen[2] != 4 || !all_digits(field[2], 4))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s:%zu: city_code must be 4 digits",
                       path, line);
    if (memcmp(field[0], field[2], 4) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "%s:%zu: city_code %s is not a prefix of county_code %s", path, line,
                       field[2], field[0]);
    err = check_name(path, line, "city_name", field[3], flen[3], errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (flen[4] != 1 || (field[4][0] != 'Y' && field[4][0] != 'N'))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "%s:%zu: key_assistance_county must be Y or N", path, line);

    memcpy(row->county.code, field[0], 7);
    memcpy(row->county.city_code, field[2], 5);
    row->county.name = field[1];
    row->county.city_name = field[3];
    row->county.key_assistance = field[4][0] == 'Y';
    row->line = line;
    return ZS_OK;
}

/* Splits the text into lines, checks the header and parses every row into t->rows. */
static zs_err_t parse_text(const char *path, zs_county_table_t *t, size_t size, char *errstr,
                           size_t errstr_size)
{
    char *p = t->text;
    char *end = t->text + size;
    size_t line = 0;
    size_t max_rows = 1;

    if (size >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        max_rows++;
    t->rows = calloc(max_rows, sizeof(*t->rows));
    if (t->rows == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "%s: out of memory", path);

    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl != NULL ? nl : end;
        char *next = nl != NULL ? nl + 1 : end;
        line++;
        if (eol > p && eol[-1] == '\r')
            eol--;
        *eol = '\0'; /* at end, this is the NUL zs_buf keeps after the data */
        size_t n = (size_t)(eol - p);
        if (memchr(p, '\0', n) != NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s:%zu: NUL byte in line", path,
                           line);
        if (line == 1) {
            if (n != strlen(HEADER) || memcmp(p, HEADER, n) != 0)
                return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                               "%s:1: header must be exactly '%s'", path, HEADER);
        } else if (n == 0) {
            return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s:%zu: empty line", path, line);
        } else {
            zs_err_t err = parse_row(path, line, p, n, &t->rows[t->count], errstr, errstr_size);
            if (err != ZS_OK)
                return err;
            t->count++;
        }
        p = next;
    }
    if (t->count == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: no counties after the header",
                       path);
    return ZS_OK;
}

static int cmp_rows(const void *a, const void *b)
{
    const county_row_t *ra = a;
    const county_row_t *rb = b;
    return strcmp(ra->county.code, rb->county.code);
}

static int cmp_key(const void *key, const void *row)
{
    const county_row_t *r = row;
    return strcmp(key, r->county.code);
}

/* Checks what needs the whole sorted table: unique codes, one name per city. Since a
 * city code prefixes its counties' codes, a city's counties are adjacent once sorted. */
static zs_err_t check_sorted(const char *path, const zs_county_table_t *t, char *errstr,
                             size_t errstr_size)
{
    for (size_t i = 1; i < t->count; i++) {
        const county_row_t *a = &t->rows[i - 1];
        const county_row_t *b = &t->rows[i];
        size_t first = a->line < b->line ? a->line : b->line;
        size_t later = a->line < b->line ? b->line : a->line;
        if (strcmp(a->county.code, b->county.code) == 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "%s:%zu: duplicate county_code %s (first on line %zu)", path, later,
                           b->county.code, first);
        if (strcmp(a->county.city_code, b->county.city_code) == 0 &&
            strcmp(a->county.city_name, b->county.city_name) != 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "%s:%zu: city_name differs from line %zu for city_code %s", path, later,
                           first, b->county.city_code);
    }
    return ZS_OK;
}

zs_err_t zs_county_load(const char *path, zs_county_table_t **out, char *errstr, size_t errstr_size)
{
    zs_err_t err;
    size_t size = 0;

    *out = NULL;
    zs_county_table_t *t = malloc(sizeof(*t));
    if (t == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "%s: out of memory", path);
    t->text = NULL;
    t->rows = NULL;
    t->count = 0;

    err = read_file(path, &t->text, &size, errstr, errstr_size);
    if (err != ZS_OK)
        goto free_table;
    err = parse_text(path, t, size, errstr, errstr_size);
    if (err != ZS_OK)
        goto free_table;
    qsort(t->rows, t->count, sizeof(*t->rows), cmp_rows);
    err = check_sorted(path, t, errstr, errstr_size);
    if (err != ZS_OK)
        goto free_table;
    *out = t;
    return ZS_OK;

free_table:
    zs_county_table_free(t);
    return err;
}

const zs_county_t *zs_county_find(const zs_county_table_t *t, const char *code, size_t len)
{
    char key[7];
    if (t == NULL || len != 6)
        return NULL;
    memcpy(key, code, 6);
    key[6] = '\0';
    const county_row_t *row = bsearch(key, t->rows, t->count, sizeof(*t->rows), cmp_key);
    return row != NULL ? &row->county : NULL;
}

size_t zs_county_count(const zs_county_table_t *t)
{
    return t != NULL ? t->count : 0;
}

const zs_county_t *zs_county_at(const zs_county_table_t *t, size_t i)
{
    if (t == NULL || i >= t->count)
        return NULL;
    return &t->rows[i].county;
}

void zs_county_table_free(zs_county_table_t *t)
{
    if (t == NULL)
        return;
    free(t->rows);
    free(t->text);
    free(t);
}

zs_err_t zs_county_load_configured(const zs_config_t *cfg, zs_county_table_t **out, char *errstr,
                                   size_t errstr_size)
{
    const char *data_dir = NULL, *region = NULL;
    char path[4096];
    *out = NULL;
    zs_err_t err = zs_config_get_str(cfg, "zs.data.dir", &data_dir, errstr, errstr_size);
    err = err ? err : zs_config_get_str(cfg, "zs.region", &region, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    snprintf(path, sizeof(path), "%s/%s-counties.csv", data_dir, region);
    return zs_county_load(path, out, errstr, errstr_size);
}

bool zs_county_code_ok(const char *code)
{
    for (int i = 0; i < 6; i++)
        if (code == NULL || code[i] < '0' || code[i] > '9')
            return false;
    return code[6] == '\0';
}
