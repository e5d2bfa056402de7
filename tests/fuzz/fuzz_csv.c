/* fuzz_csv.c: a libFuzzer target that runs the CSV and JSON Lines readers
 * over arbitrary bytes and checks what they promise: no crash, every field
 * within its bounds, NUL-terminated and UTF-8, the same rows whatever the
 * chunk size, a good CSV row read again from its raw text gives the same
 * fields, an input a naive reference reader finds valid gives its records and
 * no error (and only such an input), and every flat object jansson accepts we
 * accept with the same strings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_check.h"
#include "zs_buf.h"
#include "zs_csv.h"
#include "zs_rows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounds to run every input under: the defaults, and tiny ones so that the
 * bound paths are reached by small inputs. */
static const zs_csv_opts_t limits[] = {
    {0},
    {.max_field_bytes = 8, .max_fields = 4, .max_row_bytes = 32},
    {.max_field_bytes = 16, .max_fields = 8, .max_row_bytes = 64},
};

/* Columns for the JSON Lines reader: short names a fuzzer finds. */
static const zs_col_t cols[] = {{"a", false}, {"b", false}, {"c", false}, {"household_id", false}};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static void check_field(const zs_field_t *f, const zs_csv_opts_t *lim)
{
    CHECK(f->data != NULL);
    CHECK(f->data[f->len] == '\0');
    if (!f->present) {
        CHECK(f->len == 0);
        return;
    }
    CHECK(f->len <= lim->max_field_bytes);
    CHECK(memchr(f->data, '\0', f->len) == NULL);
    CHECK(zs_utf8_valid(f->data, f->len, NULL));
}

static bool same_field(const zs_field_t *x, const zs_field_t *y)
{
    return x->present == y->present && x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
}

/* Appends a field (or, with len SIZE_MAX, the end of a record) to out in a
 * form both readers' records are compared in. */
static void put_field(zs_buf_t *out, const char *data, size_t len)
{
    uint32_t n = len == SIZE_MAX ? UINT32_MAX : (uint32_t)len;
    CHECK(zs_buf_add(out, &n, sizeof(n)) == ZS_OK);
    if (len != SIZE_MAX)
        CHECK(zs_buf_add(out, data, len) == ZS_OK);
}

/* Ends a field at s[*i] (end of input, ',', LF, CRLF, or CR at the end);
 * false if something else is there. *more: a ',' (another field follows). */
static bool ref_field_end(const char *s, size_t n, size_t *i, bool *more)
{
    *more = false;
    if (*i == n)
        return true;
    if (s[*i] == ',') {
        (*i)++;
        *more = true;
        return true;
    }
    if (s[*i] == '\n') {
        (*i)++;
        return true;
    }
    if (s[*i] == '\r' && (*i + 1 == n || s[*i + 1] == '\n')) {
        *i += *i + 1 == n ? 1 : 2;
        return true;
    }
    return false;
}

/* A naive whole-input RFC 4180 reader with the same rules (BOM, blank lines,
 * UTF-8, no NUL), written apart from zs_csv: true and the records in out if
 * the whole input is valid. */
static bool ref_csv(const char *s, size_t n, zs_buf_t *out)
{
    size_t i = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (!zs_utf8_valid(s + i, n - i, NULL) || memchr(s, '\0', n) != NULL)
        return false;
    zs_buf_t field;
    zs_buf_init(&field, n + 1);
    bool ok = true;
    while (ok && i < n) {
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] == '\n'))) {
            i += s[i] == '\r' && i + 1 < n ? 2 : 1; /* a blank line */
            continue;
        }
        bool more = true;
        while (ok && more) {
            zs_buf_reset(&field);
            if (i < n && s[i] == '"') {
                for (i++;; i++) {
                    if (i == n) {
                        ok = false;
                        break;
                    }
                    if (s[i] == '"' && i + 1 < n && s[i + 1] == '"')
                        i++;
                    else if (s[i] == '"')
                        break;
                    CHECK(zs_buf_addc(&field, s[i]) == ZS_OK);
                }
                i++;
            } else {
                for (; i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r'; i++) {
                    ok = ok && s[i] != '"';
                    CHECK(zs_buf_addc(&field, s[i]) == ZS_OK);
                }
            }
            ok = ok && ref_field_end(s, n, &i, &more);
            put_field(out, field.data, field.len);
        }
        put_field(out, NULL, SIZE_MAX);
    }
    zs_buf_free(&field);
    return ok;
}

/* Reads raw alone (after a BOM, so a leading U+FEFF stays data) with both
 * readers and checks it is exactly the one row it came from. */
static void check_reread(const zs_csv_row_t *row, const zs_csv_opts_t *lim)
{
    size_t len = row->raw_len + 3;
    char *text = malloc(len);
    CHECK(text != NULL);
    memcpy(text, "\xEF\xBB\xBF", 3);
    memcpy(text + 3, row->raw, row->raw_len);
    FILE *fp = fmemopen(text, len, "r");
    CHECK(fp != NULL);
    zs_csv_t *csv = NULL;
    zs_csv_row_t again;
    char errstr[256];
    zs_csv_opts_t opts = *lim;
    opts.chunk_size = 256;
    CHECK(zs_csv_open(fp, &opts, &csv, errstr, sizeof(errstr)) == ZS_OK);
    CHECK(zs_csv_next(csv, &again, errstr, sizeof(errstr)) == ZS_OK);
    CHECK(again.nfields == row->nfields);
    for (size_t i = 0; i < row->nfields; i++)
        CHECK(same_field(&again.fields[i], &row->fields[i]));
    CHECK(zs_csv_next(csv, &again, errstr, sizeof(errstr)) == ZS_ERR_EOF);
    zs_csv_close(csv);
    fclose(fp);

    /* The reference reader finds the same one record in it. */
    zs_buf_t want, got;
    zs_buf_init(&want, (size_t)1 << 30);
    zs_buf_init(&got, (size_t)1 << 30);
    CHECK(ref_csv(text, len, &want));
    for (size_t i = 0; i < row->nfields; i++)
        put_field(&got, row->fields[i].data, row->fields[i].len);
    put_field(&got, NULL, SIZE_MAX);
    CHECK(want.len == got.len && memcmp(want.data, got.data, want.len) == 0);
    zs_buf_free(&want);
    zs_buf_free(&got);
    free(text);
}

/* The CSV reader with two chunk sizes in lockstep. */
static void run_csv(char *text, size_t size, const zs_csv_opts_t *lim)
{
    zs_csv_opts_t o1 = *lim, o2 = *lim;
    o1.chunk_size = 1;
    o2.chunk_size = 4096;
    zs_csv_opts_defaults(&o1);
    FILE *f1 = fmemopen(text, size, "r");
    FILE *f2 = fmemopen(text, size, "r");
    CHECK(f1 != NULL && f2 != NULL);
    zs_csv_t *c1 = NULL, *c2 = NULL;
    char e1[256], e2[256];
    CHECK(zs_csv_open(f1, &o1, &c1, e1, sizeof(e1)) == ZS_OK);
    CHECK(zs_csv_open(f2, &o2, &c2, e2, sizeof(e2)) == ZS_OK);
    unsigned long last_line = 0;
    for (size_t n = 0;; n++) {
        CHECK(n <= size); /* every row takes at least one byte */
        zs_csv_row_t r1, r2;
        zs_err_t err1 = zs_csv_next(c1, &r1, e1, sizeof(e1));
        zs_err_t err2 = zs_csv_next(c2, &r2, e2, sizeof(e2));
        CHECK(err1 == err2);
        if (err1 == ZS_ERR_EOF)
            break;
        CHECK(err1 == ZS_OK || err1 == ZS_ERR_PARSE);
        CHECK(strcmp(e1, e2) == 0 || err1 == ZS_OK);
        CHECK(r1.line == r2.line && r1.line > last_line);
        last_line = r1.line;
        CHECK(r1.raw_len == r2.raw_len && memcmp(r1.raw, r2.raw, r1.raw_len) == 0);
        CHECK(r1.raw_len <= o1.max_row_bytes && r1.raw[r1.raw_len] == '\0');
        CHECK(r1.raw_truncated == r2.raw_truncated);
        CHECK(r1.nfields == r2.nfields);
        if (err1 == ZS_ERR_PARSE) {
            CHECK(r1.nfields == 0 && r1.err_line >= r1.line && r1.err_column >= 1);
            CHECK(r1.reason[0] != '\0' && strncmp(e1, "line ", 5) == 0);
            continue;
        }
        CHECK(!r1.raw_truncated);
        CHECK(r1.nfields >= 1 && r1.nfields <= o1.max_fields);
        for (size_t i = 0; i < r1.nfields; i++) {
            check_field(&r1.fields[i], &o1);
            CHECK(same_field(&r1.fields[i], &r2.fields[i]));
        }
        check_reread(&r1, &o1);
    }
    CHECK(zs_csv_next(c1, &(zs_csv_row_t){0}, e1, sizeof(e1)) == ZS_ERR_EOF);
    zs_csv_close(c1);
    zs_csv_close(c2);
    fclose(f1);
    fclose(f2);
}

/* The CSV reader with default bounds against the reference reader. */
static void run_csv_reference(char *text, size_t size)
{
    zs_buf_t want, got;
    zs_buf_init(&want, (size_t)1 << 30);
    zs_buf_init(&got, (size_t)1 << 30);
    bool valid = ref_csv(text, size, &want);
    FILE *fp = fmemopen(text, size, "r");
    CHECK(fp != NULL);
    zs_csv_t *csv = NULL;
    zs_csv_row_t row;
    char errstr[256];
    zs_err_t err;
    bool rejected = false;
    CHECK(zs_csv_open(fp, NULL, &csv, errstr, sizeof(errstr)) == ZS_OK);
    while ((err = zs_csv_next(csv, &row, errstr, sizeof(errstr))) != ZS_ERR_EOF) {
        if (err != ZS_OK) {
            rejected = true;
            continue;
        }
        for (size_t i = 0; i < row.nfields; i++)
            put_field(&got, row.fields[i].data, row.fields[i].len);
        put_field(&got, NULL, SIZE_MAX);
    }
    if (valid == rejected)
        fprintf(stderr, "reference says %s, zs_csv rejected %s\n", valid ? "valid" : "invalid",
                rejected ? "a row" : "nothing");
    CHECK(valid != rejected);
    if (valid)
        CHECK(want.len == got.len && (want.len == 0 || memcmp(want.data, got.data, want.len) == 0));
    zs_csv_close(csv);
    fclose(fp);
    zs_buf_free(&want);
    zs_buf_free(&got);
}

/* Whether a bounds error, which jansson has no counterpart for. */
static bool bound_error(const char *reason)
{
    return strstr(reason, "longer than") != NULL || strstr(reason, "more than") != NULL;
}

/* Differential check of one line against jansson: a flat object it accepts
 * (duplicates rejected) we accept too, with the same strings. */
static void check_against_jansson(const zs_row_t *row, zs_err_t err)
{
    /* jansson reads past a NUL byte as if it were not there; we reject it. */
    if (memchr(row->raw, '\0', row->raw_len) != NULL)
        return;
    json_error_t jerr;
    json_t *obj = json_loadb(row->raw, row->raw_len, JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL)
        return;
    bool flat = json_is_object(obj);
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        if (json_is_object(value) || json_is_array(value))
            flat = false;
    }
    if (!flat || (err != ZS_OK && bound_error(row->reason))) {
        json_decref(obj);
        return;
    }
    if (err != ZS_OK)
        fprintf(stderr, "jansson accepts, we reject: %s\n", row->reason);
    CHECK(err == ZS_OK);
    for (size_t i = 0; i < NCOLS; i++) {
        json_t *v = json_object_get(obj, cols[i].name);
        const zs_field_t *f = &row->fields[i];
        if (v == NULL || json_is_null(v)) {
            CHECK(!f->present);
        } else if (json_is_string(v)) {
            CHECK(f->present && f->len == json_string_length(v));
            CHECK(memcmp(f->data, json_string_value(v), f->len) == 0);
        } else if (json_is_true(v) || json_is_false(v)) {
            CHECK(f->present && strcmp(f->data, json_is_true(v) ? "true" : "false") == 0);
        } else {
            CHECK(f->present && json_is_number(v));
        }
    }
    json_decref(obj);
}

/* A zs_rows reader over text in one format, checking each row. */
static void run_rows(char *text, size_t size, const zs_csv_opts_t *lim, bool jsonl,
                     bool ignore_unknown)
{
    zs_rows_opts_t opts = {
        .cols = cols, .ncols = NCOLS, .ignore_unknown = ignore_unknown, .limits = *lim};
    opts.limits.chunk_size = 3;
    zs_csv_opts_t full = opts.limits;
    zs_csv_opts_defaults(&full);
    FILE *fp = fmemopen(text, size, "r");
    CHECK(fp != NULL);
    zs_rows_t *rows = NULL;
    char errstr[256];
    zs_err_t err = jsonl ? zs_rows_open_jsonl(fp, &opts, &rows, errstr, sizeof(errstr))
                         : zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        CHECK(!jsonl && (err == ZS_ERR_PARSE || err == ZS_ERR_INVALID));
        CHECK(rows == NULL);
        fclose(fp);
        return;
    }
    unsigned long last_line = 0;
    for (size_t n = 0;; n++) {
        CHECK(n <= size);
        zs_row_t row;
        err = zs_rows_next(rows, &row, errstr, sizeof(errstr));
        if (err == ZS_ERR_EOF)
            break;
        CHECK(err == ZS_OK || zs_rows_is_row_error(err));
        CHECK(row.line > last_line);
        last_line = row.line;
        CHECK(row.raw != NULL && row.raw_len <= full.max_row_bytes);
        if (jsonl && ignore_unknown && !row.raw_truncated && lim == &limits[0])
            check_against_jansson(&row, err);
        if (err != ZS_OK) {
            CHECK(row.ncols == 0 && row.err_line >= row.line && row.reason[0] != '\0');
            continue;
        }
        CHECK(row.ncols == NCOLS && !row.raw_truncated);
        for (size_t i = 0; i < NCOLS; i++)
            check_field(&row.fields[i], &full);
    }
    zs_rows_close(rows);
    fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* fmemopen wants a writable buffer; the fuzzer's is not. */
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    if (size > 0)
        memcpy(text, data, size);
    run_csv_reference(text, size);
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        run_csv(text, size, &limits[i]);
        run_rows(text, size, &limits[i], false, i % 2 == 0);
        run_rows(text, size, &limits[i], true, true);
        run_rows(text, size, &limits[i], true, false);
    }
    free(text);
    return 0;
}
