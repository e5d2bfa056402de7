/* zs_rows.c: rows of a registry export by expected column, from CSV (through
 * zs_csv) or JSON Lines (a small strict parser of flat objects
 * that keeps number literals exact, below). */
#include "zs_rows.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zs_buf.h"

/* Where an error concerns the whole row rather than one column. */
#define WHOLE_ROW SIZE_MAX

struct zs_rows {
    const zs_col_t *cols; /* the caller's, see zs_rows_opts_t */
    size_t ncols;
    bool ignore_unknown;
    zs_csv_opts_t limits; /* defaults filled in */
    zs_field_t *fields;   /* owned: ncols entries, what rows point to */
    char reason[200];     /* why the last row was rejected */

    /* CSV only. */
    zs_csv_t *csv;        /* owned; NULL for JSON Lines */
    size_t *map;          /* owned: header position of each expected column */
    size_t header_fields; /* fields in the header row */

    /* JSON Lines only. */
    FILE *fp;              /* the caller's; only read */
    char *chunk;           /* owned: input read ahead, at least 3 bytes (for the BOM) */
    size_t pos, end;       /* unread input is chunk[pos..end) */
    bool eof;              /* fp has nothing past chunk[end] */
    zs_err_t fatal;        /* a read or memory error that ended the file, ZS_OK if none */
    unsigned long line_no; /* number of the next line */
    zs_buf_t line;         /* owned: the current line, at most max_row_bytes + 1 bytes */
    size_t line_total;     /* length of the current line in the file, line end excluded */
    zs_buf_t values;       /* owned: decoded values of the current line, each NUL-ended */
    zs_buf_t name;         /* owned: the member name being decoded */
    size_t *val_off;       /* owned: offset in values of each expected column's value */
    unsigned char *seen;   /* owned: whether each expected column was a member yet */
    bool *literal;         /* owned: whether each expected column's value was not a string */
    size_t *span;          /* owned: 2 per expected column, where its value is in the line
                              (offset, length; quotes excluded), SIZE_MAX if not seen */
};

/* The parse of one line. */
typedef struct jp {
    zs_rows_t *rows;
    const char *s; /* the line */
    size_t len;
    size_t pos;
    size_t err_off; /* offset of the error, WHOLE_ROW for the row as such */
} jp_t;

static zs_err_t jp_fail(jp_t *jp, zs_err_t err, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static zs_err_t jp_fail(jp_t *jp, zs_err_t err, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(jp->rows->reason, sizeof(jp->rows->reason), fmt, ap);
    va_end(ap);
    jp->err_off = off;
    return err;
}

static bool jp_more(const jp_t *jp)
{
    return jp->pos < jp->len;
}

static char jp_peek(const jp_t *jp)
{
    return jp->pos < jp->len ? jp->s[jp->pos] : '\0';
}

static void jp_ws(jp_t *jp)
{
    while (jp_more(jp)) {
        char c = jp->s[jp->pos];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return;
        jp->pos++;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits of a \u escape starting at s[at] ("\uXXXX"), or -1. */
static long jp_hex4(const jp_t *jp, size_t at)
{
    if (at + 6 > jp->len || jp->s[at] != '\\' || jp->s[at + 1] != 'u')
        return -1;
    long v = 0;
    for (size_t i = at + 2; i < at + 6; i++) {
        int h = hexval(jp->s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape at s[pos] ('\\') into out[0..*n), moving past it. */
static zs_err_t jp_escape(jp_t *jp, char *out, size_t *n)
{
    size_t at = jp->pos;
    if (at + 1 >= jp->len)
        return jp_fail(jp, ZS_ERR_PARSE, at, "string never closed");
    char e = jp->s[at + 1];
    static const char simple_in[] = "\"\\/bfnrt";
    static const char simple_out[] = "\"\\/\b\f\n\r\t";
    const char *p = e != '\0' ? strchr(simple_in, e) : NULL;
    if (p != NULL) {
        out[0] = simple_out[p - simple_in];
        *n = 1;
        jp->pos += 2;
        return ZS_OK;
    }
    if (e != 'u')
        return jp_fail(jp, ZS_ERR_PARSE, at, "invalid escape in a string");
    long cp = jp_hex4(jp, at);
    if (cp < 0)
        return jp_fail(jp, ZS_ERR_PARSE, at, "\\u not followed by 4 hex digits");
    size_t used = 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return jp_fail(jp, ZS_ERR_PARSE, at, "lone low surrogate \\u%04lX", (unsigned long)cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long lo = jp_hex4(jp, at + 6);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return jp_fail(jp, ZS_ERR_PARSE, at,
                           "high surrogate \\u%04lX not followed by a low one", (unsigned long)cp);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        used = 12;
    }
    if (cp == 0)
        return jp_fail(jp, ZS_ERR_PARSE, at, "\\u0000 (NUL) in a string");
    *n = utf8_encode((unsigned long)cp, out);
    jp->pos += used;
    return ZS_OK;
}

/* Decodes the string at s[pos] ('"') onto out, NUL-ended, at most limit
 * bytes (what names the value in the error). The line is valid UTF-8. */
static zs_err_t jp_string(jp_t *jp, zs_buf_t *out, size_t limit, const char *what)
{
    size_t open = jp->pos++;
    size_t n = 0;
    for (;;) {
        size_t run = jp->pos;
        while (run < jp->len && jp->s[run] != '"' && jp->s[run] != '\\' &&
               (unsigned char)jp->s[run] >= 0x20)
            run++;
        const char *bytes = jp->s + jp->pos;
        size_t nbytes = run - jp->pos;
        char esc[4];
        if (nbytes == 0) {
            if (!jp_more(jp))
                return jp_fail(jp, ZS_ERR_PARSE, open, "string never closed");
            char c = jp->s[jp->pos];
            if (c == '"')
                break;
            if (c != '\\')
                return jp_fail(jp, ZS_ERR_PARSE, jp->pos, "control character in a string");
            zs_err_t err = jp_escape(jp, esc, &nbytes);
            if (err != ZS_OK)
                return err;
            bytes = esc;
        } else {
            jp->pos = run;
        }
        if (nbytes > limit - n)
            return jp_fail(jp, ZS_ERR_PARSE, open, "%s longer than %zu bytes", what, limit);
        zs_err_t err = zs_buf_add(out, bytes, nbytes);
        if (err != ZS_OK)
            return err;
        n += nbytes;
    }
    jp->pos++; /* the closing quote */
    return zs_buf_add(out, "", 1);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Checks the number at s[pos] against the JSON grammar and moves past it. */
static zs_err_t jp_number(jp_t *jp)
{
    size_t start = jp->pos;
    if (jp_peek(jp) == '-')
        jp->pos++;
    if (jp_peek(jp) == '0') {
        jp->pos++;
        if (is_digit(jp_peek(jp)))
            return jp_fail(jp, ZS_ERR_PARSE, start, "invalid number (leading zero)");
    } else if (is_digit(jp_peek(jp))) {
        while (is_digit(jp_peek(jp)))
            jp->pos++;
    } else {
        return jp_fail(jp, ZS_ERR_PARSE, start, "invalid number");
    }
    if (jp_peek(jp) == '.') {
        jp->pos++;
        if (!is_digit(jp_peek(jp)))
            return jp_fail(jp, ZS_ERR_PARSE, start, "invalid number (no digit after '.')");
        while (is_digit(jp_peek(jp)))
            jp->pos++;
    }
    if (jp_peek(jp) == 'e' || jp_peek(jp) == 'E') {
        jp->pos++;
        if (jp_peek(jp) == '+' || jp_peek(jp) == '-')
            jp->pos++;
        if (!is_digit(jp_peek(jp)))
            return jp_fail(jp, ZS_ERR_PARSE, start, "invalid number (no digit in exponent)");
        while (is_digit(jp_peek(jp)))
            jp->pos++;
    }
    return ZS_OK;
}

static bool jp_word(jp_t *jp, const char *word)
{
    size_t n = strlen(word);
    if (jp->len - jp->pos < n || memcmp(jp->s + jp->pos, word, n) != 0)
        return false;
    jp->pos += n;
    return true;
}

/* Parses the value at s[pos] onto rows->values (NUL-ended); *is_null for
 * null, which adds nothing. name is the member's, for messages. */
static zs_err_t jp_value(jp_t *jp, const char *name, bool *is_null)
{
    zs_rows_t *rows = jp->rows;
    size_t limit = rows->limits.max_field_bytes;
    size_t start = jp->pos;
    char c = jp_peek(jp);
    *is_null = false;
    if (c == '"')
        return jp_string(jp, &rows->values, limit, "value");
    if (c == '{' || c == '[')
        return jp_fail(jp, ZS_ERR_INVALID, start, "member \"%.64s\" holds an %s", name,
                       c == '{' ? "object" : "array");
    if (jp_word(jp, "null")) {
        *is_null = true;
        return ZS_OK;
    }
    if (!jp_word(jp, "true") && !jp_word(jp, "false")) {
        if (c != '-' && !is_digit(c))
            return jp_fail(jp, ZS_ERR_PARSE, start, "expected a value");
        zs_err_t nerr = jp_number(jp);
        if (nerr != ZS_OK)
            return nerr;
    }
    size_t n = jp->pos - start;
    if (n > limit)
        return jp_fail(jp, ZS_ERR_PARSE, start, "value longer than %zu bytes", limit);
    zs_err_t err = zs_buf_add(&rows->values, jp->s + start, n);
    if (err != ZS_OK)
        return err;
    return zs_buf_add(&rows->values, "", 1);
}

static size_t find_col(const zs_rows_t *rows, const char *name, size_t len)
{
    size_t i = 0;
    while (i < rows->ncols &&
           !(strlen(rows->cols[i].name) == len && memcmp(rows->cols[i].name, name, len) == 0))
        i++;
    return i;
}

/* One member: name, ':', value. *nmembers counts them for the bound. */
static zs_err_t jp_member(jp_t *jp, size_t *nmembers)
{
    zs_rows_t *rows = jp->rows;
    size_t name_off = jp->pos;
    if (jp_peek(jp) != '"')
        return jp_fail(jp, ZS_ERR_PARSE, jp->pos, "expected a member name in quotes");
    zs_buf_reset(&rows->name);
    zs_err_t err = jp_string(jp, &rows->name, rows->limits.max_row_bytes, "member name");
    if (err != ZS_OK)
        return err;
    const char *name = rows->name.data;
    size_t name_len = rows->name.len - 1; /* the NUL jp_string added */
    jp_ws(jp);
    if (jp_peek(jp) != ':')
        return jp_fail(jp, ZS_ERR_PARSE, jp->pos, "expected ':' after a member name");
    jp->pos++;
    jp_ws(jp);
    if (++*nmembers > rows->limits.max_fields)
        return jp_fail(jp, ZS_ERR_PARSE, name_off, "more than %zu members",
                       rows->limits.max_fields);
    size_t i = find_col(rows, name, name_len);
    if (i == rows->ncols && !rows->ignore_unknown)
        return jp_fail(jp, ZS_ERR_INVALID, name_off, "unknown member \"%.64s\"", name);
    if (i < rows->ncols && rows->seen[i])
        return jp_fail(jp, ZS_ERR_INVALID, name_off, "duplicate member \"%.64s\"", name);

    size_t mark = rows->values.len, start = jp->pos;
    bool is_null = false;
    err = jp_value(jp, name, &is_null);
    if (i < rows->ncols) {
        /* Where the value is, even when it is bad: a rejected row is masked by it. */
        bool quoted = jp->s[start] == '"';
        size_t end = err == ZS_OK ? jp->pos - (quoted ? 1 : 0) : jp->len;
        rows->span[2 * i] = start + (quoted ? 1 : 0);
        rows->span[2 * i + 1] = end > rows->span[2 * i] ? end - rows->span[2 * i] : 0;
    }
    if (err != ZS_OK)
        return err;
    if (i == rows->ncols) { /* an ignored member: checked, not kept */
        rows->values.len = mark;
        if (rows->values.data != NULL)
            rows->values.data[mark] = '\0';
        return ZS_OK;
    }
    rows->seen[i] = 1;
    rows->literal[i] = !is_null && jp->s[start] != '"';
    if (!is_null) {
        rows->val_off[i] = mark;
        rows->fields[i].len = rows->values.len - mark - 1;
        rows->fields[i].present = true;
    }
    return ZS_OK;
}

/* Parses a whole line as one flat object into rows->fields. */
static zs_err_t jp_object(jp_t *jp)
{
    zs_rows_t *rows = jp->rows;
    zs_buf_reset(&rows->values);
    for (size_t i = 0; i < rows->ncols; i++) {
        rows->seen[i] = 0;
        rows->fields[i] = (zs_field_t){.data = "", .len = 0, .present = false};
        rows->span[2 * i] = SIZE_MAX;
        rows->literal[i] = false;
    }
    jp_ws(jp);
    if (jp_peek(jp) != '{')
        return jp_fail(jp, ZS_ERR_PARSE, jp->pos, "a line must hold one JSON object");
    jp->pos++;
    jp_ws(jp);
    if (jp_peek(jp) == '}') {
        jp->pos++;
    } else {
        size_t nmembers = 0;
        for (;;) {
            zs_err_t err = jp_member(jp, &nmembers);
            if (err != ZS_OK)
                return err;
            jp_ws(jp);
            char c = jp_peek(jp);
            if (c == '}') {
                jp->pos++;
                break;
            }
            if (c != ',')
                return jp_fail(jp, ZS_ERR_PARSE, jp->pos, "expected ',' or '}' after a value");
            jp->pos++;
            jp_ws(jp);
        }
    }
    jp_ws(jp);
    if (jp_more(jp))
        return jp_fail(jp, ZS_ERR_PARSE, jp->pos, "text after the object");
    for (size_t i = 0; i < rows->ncols; i++) {
        if (rows->cols[i].required && !rows->fields[i].present)
            return jp_fail(jp, ZS_ERR_INVALID, WHOLE_ROW, "missing required member \"%s\"",
                           rows->cols[i].name);
    }
    for (size_t i = 0; i < rows->ncols; i++) {
        if (rows->fields[i].present)
            rows->fields[i].data = rows->values.data + rows->val_off[i];
    }
    return ZS_OK;
}

/* The 1-based column of byte off of a line whose bytes before off are UTF-8. */
static unsigned long column_at(const char *s, size_t off)
{
    unsigned long col = 1;
    for (size_t i = 0; i < off; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    }
    return col;
}

/* Reads the next chunk once the previous one is used up; only fread
 * returning nothing ends the input. */
static zs_err_t jl_fill(zs_rows_t *rows, char *errstr, size_t errstr_size)
{
    rows->pos = 0;
    rows->end = fread(rows->chunk, 1, rows->limits.chunk_size, rows->fp);
    if (rows->end > 0)
        return ZS_OK;
    if (ferror(rows->fp)) {
        rows->fatal = ZS_ERR_IO;
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "line %lu: cannot read: %s", rows->line_no,
                       strerror(errno));
    }
    rows->eof = true;
    return ZS_OK;
}

/* Reads the next physical line into rows->line (at most max_row_bytes + 1 of
 * its bytes, its full length in line_total, the line end dropped). *got is
 * false at the end of input. */
static zs_err_t jl_read_line(zs_rows_t *rows, bool *got, char *errstr, size_t errstr_size)
{
    zs_buf_t *line = &rows->line;
    size_t total = 0;
    char last = '\0';
    *got = false;
    zs_buf_reset(line);
    for (;;) {
        if (rows->pos == rows->end) {
            if (!rows->eof) {
                zs_err_t err = jl_fill(rows, errstr, errstr_size);
                if (err != ZS_OK)
                    return err;
            }
            if (rows->eof)
                break;
        }
        const char *p = rows->chunk + rows->pos;
        size_t avail = rows->end - rows->pos;
        const char *nl = memchr(p, '\n', avail);
        size_t n = nl != NULL ? (size_t)(nl - p) : avail;
        size_t room = line->max - line->len;
        if (zs_buf_add(line, p, n < room ? n : room) != ZS_OK) {
            rows->fatal = ZS_ERR_NOMEM;
            return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "line %lu: no memory for a line",
                           rows->line_no);
        }
        if (n > 0)
            last = p[n - 1];
        total += n;
        *got = true;
        rows->pos += n;
        if (nl != NULL) {
            rows->pos++;
            break;
        }
    }
    if (last == '\r') {
        total--;
        if (line->len > total)
            line->len = total;
    }
    rows->line_total = total;
    return ZS_OK;
}

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    }
    return true;
}

/* Fills the position of a rejected row and says it in errstr. */
static zs_err_t reject(zs_rows_t *rows, zs_row_t *row, zs_err_t err, unsigned long line,
                       unsigned long col, char *errstr, size_t errstr_size)
{
    row->ncols = 0;
    row->err_line = line;
    row->err_column = col;
    row->reason = rows->reason;
    if (col == 0)
        return zs_fail(errstr, errstr_size, err, "line %lu: %s", line, rows->reason);
    return zs_fail(errstr, errstr_size, err, "line %lu, column %lu: %s", line, col, rows->reason);
}

static zs_err_t jl_next(zs_rows_t *rows, zs_row_t *row, char *errstr, size_t errstr_size)
{
    size_t max = rows->limits.max_row_bytes;
    bool got = false;
    unsigned long line_no;
    for (;;) {
        line_no = rows->line_no;
        zs_err_t err = jl_read_line(rows, &got, errstr, errstr_size);
        if (err != ZS_OK)
            return err;
        if (!got)
            return zs_fail(errstr, errstr_size, ZS_ERR_EOF, "end of JSON Lines");
        rows->line_no++;
        if (rows->line_total > max || !is_blank(rows->line.data, rows->line.len))
            break;
    }

    zs_buf_t *line = &rows->line;
    row->line = line_no;
    row->raw = line->data;
    row->raw_len = line->len < max ? line->len : max;
    row->raw_truncated = rows->line_total > max;
    if (rows->line_total > max) {
        /* The column of the character holding the first byte past the bound. */
        size_t off = max;
        while (off > 0 && ((unsigned char)line->data[off] & 0xC0) == 0x80)
            off--;
        line->data[max] = '\0';
        snprintf(rows->reason, sizeof(rows->reason), "line longer than %zu bytes", max);
        return reject(rows, row, ZS_ERR_PARSE, line_no, column_at(line->data, off), errstr,
                      errstr_size);
    }
    line->data[line->len] = '\0'; /* raw ends before the CR a CRLF left */

    size_t bad = 0;
    if (!zs_utf8_valid(line->data, line->len, &bad)) {
        snprintf(rows->reason, sizeof(rows->reason), "invalid UTF-8 byte 0x%02X",
                 (unsigned)(unsigned char)line->data[bad]);
        return reject(rows, row, ZS_ERR_PARSE, line_no, column_at(line->data, bad), errstr,
                      errstr_size);
    }

    jp_t jp = {.rows = rows, .s = line->data, .len = line->len, .pos = 0, .err_off = WHOLE_ROW};
    zs_err_t err = jp_object(&jp);
    if (err != ZS_OK && !zs_rows_is_row_error(err)) {
        rows->fatal = err;
        return zs_fail(errstr, errstr_size, err, "line %lu: no memory for a row", line_no);
    }
    if (err != ZS_OK) {
        unsigned long col = jp.err_off == WHOLE_ROW ? 0 : column_at(line->data, jp.err_off);
        return reject(rows, row, err, line_no, col, errstr, errstr_size);
    }
    row->ncols = rows->ncols;
    row->literal = rows->literal;
    return ZS_OK;
}

static zs_err_t csv_next(zs_rows_t *rows, zs_row_t *row, char *errstr, size_t errstr_size)
{
    zs_csv_row_t crow;
    zs_err_t err = zs_csv_next(rows->csv, &crow, errstr, errstr_size);
    row->line = crow.line;
    row->raw = crow.raw;
    row->raw_len = crow.raw_len;
    row->raw_truncated = crow.raw_truncated;
    row->err_line = crow.err_line;
    row->err_column = crow.err_column;
    row->reason = crow.reason;
    if (err != ZS_OK)
        return err;
    if (crow.nfields != rows->header_fields) {
        snprintf(rows->reason, sizeof(rows->reason), "%zu fields, header has %zu", crow.nfields,
                 rows->header_fields);
        return reject(rows, row, ZS_ERR_INVALID, crow.line, 0, errstr, errstr_size);
    }
    for (size_t i = 0; i < rows->ncols; i++) {
        if (rows->map[i] == ZS_COL_ABSENT)
            rows->fields[i] = (zs_field_t){.data = "", .len = 0, .present = false};
        else
            rows->fields[i] = crow.fields[rows->map[i]];
    }
    row->ncols = rows->ncols;
    return ZS_OK;
}

zs_err_t zs_rows_next(zs_rows_t *rows, zs_row_t *row, char *errstr, size_t errstr_size)
{
    memset(row, 0, sizeof(*row));
    row->fields = rows->fields;
    row->raw = "";
    row->reason = "";
    if (rows->csv != NULL)
        return csv_next(rows, row, errstr, errstr_size);
    if (rows->fatal != ZS_OK)
        return zs_fail(errstr, errstr_size, rows->fatal, "line %lu: reading stopped: %s",
                       rows->line_no, zs_err2str(rows->fatal));
    return jl_next(rows, row, errstr, errstr_size);
}

/* The span of CSV field k (from 0) of a record's text: its bytes without the
 * quotes around them; false if the record has fewer fields or a quote never
 * closes. */
static bool csv_span(const char *s, size_t len, size_t k, size_t *off, size_t *n)
{
    size_t i = 0;
    for (size_t field = 0;; field++) {
        size_t start = i, end;
        bool quoted = i < len && s[i] == '"';
        if (quoted) {
            start = ++i;
            for (;;) {
                if (i >= len)
                    return false;
                if (s[i] == '"' && (i + 1 >= len || s[i + 1] != '"'))
                    break;
                i += s[i] == '"' ? 2 : 1;
            }
            end = i++;
            while (i < len && s[i] != ',')
                i++;
        } else {
            while (i < len && s[i] != ',')
                i++;
            end = i;
        }
        if (field == k) {
            *off = start;
            *n = end - start;
            return true;
        }
        if (i >= len)
            return false;
        i++; /* the comma */
    }
}

bool zs_rows_raw_span(const zs_rows_t *rows, const zs_row_t *row, size_t col, size_t *off,
                      size_t *len)
{
    if (col >= rows->ncols)
        return false;
    if (rows->csv != NULL)
        return rows->map[col] != ZS_COL_ABSENT &&
               csv_span(row->raw, row->raw_len, rows->map[col], off, len);
    if (rows->span[2 * col] == SIZE_MAX || rows->span[2 * col] > row->raw_len)
        return false;
    *off = rows->span[2 * col];
    *len = rows->span[2 * col + 1];
    if (*len > row->raw_len - *off)
        *len = row->raw_len - *off;
    return true;
}

bool zs_rows_is_row_error(zs_err_t err)
{
    return err == ZS_ERR_PARSE || err == ZS_ERR_INVALID;
}

void zs_rows_close(zs_rows_t *rows)
{
    if (rows == NULL)
        return;
    zs_csv_close(rows->csv);
    zs_buf_free(&rows->line);
    zs_buf_free(&rows->values);
    zs_buf_free(&rows->name);
    free(rows->chunk);
    free(rows->fields);
    free(rows->map);
    free(rows->val_off);
    free(rows->seen);
    free(rows->span);
    free(rows->literal);
    free(rows);
}

/* A reader with what both formats need; the caller adds the rest. */
static zs_err_t rows_new(const zs_rows_opts_t *opts, zs_rows_t **out, char *errstr,
                         size_t errstr_size)
{
    if (opts == NULL || (opts->ncols > 0 && opts->cols == NULL))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "no expected columns given");
    for (size_t i = 0; i < opts->ncols; i++) {
        if (opts->cols[i].name == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "expected column %zu has no name",
                           i + 1);
    }
    zs_rows_t *rows = calloc(1, sizeof(*rows));
    if (rows == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "no memory for a row reader");
    rows->cols = opts->cols;
    rows->ncols = opts->ncols;
    rows->ignore_unknown = opts->ignore_unknown;
    rows->limits = opts->limits;
    zs_csv_opts_defaults(&rows->limits);
    rows->line_no = 1;
    size_t n = opts->ncols > 0 ? opts->ncols : 1;
    rows->fields = calloc(n, sizeof(*rows->fields));
    rows->map = calloc(n, sizeof(*rows->map));
    rows->val_off = calloc(n, sizeof(*rows->val_off));
    rows->seen = calloc(n, sizeof(*rows->seen));
    rows->span = calloc(2 * n, sizeof(*rows->span));
    rows->literal = calloc(n, sizeof(*rows->literal));
    if (rows->fields == NULL || rows->map == NULL || rows->val_off == NULL || rows->seen == NULL ||
        rows->span == NULL || rows->literal == NULL) {
        zs_rows_close(rows);
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "no memory for a row reader");
    }
    for (size_t i = 0; i < opts->ncols; i++)
        rows->fields[i] = (zs_field_t){.data = "", .len = 0, .present = false};
    *out = rows;
    return ZS_OK;
}

zs_err_t zs_rows_open_csv(FILE *fp, const zs_rows_opts_t *opts, zs_rows_t **out, char *errstr,
                          size_t errstr_size)
{
    zs_rows_t *rows = NULL;
    zs_csv_row_t header;
    zs_err_t err = rows_new(opts, &rows, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    err = zs_csv_open(fp, &rows->limits, &rows->csv, errstr, errstr_size);
    if (err != ZS_OK)
        goto close_rows;
    err = zs_csv_next(rows->csv, &header, errstr, errstr_size);
    if (err == ZS_ERR_EOF) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "no header row (empty file)");
        goto close_rows;
    }
    if (err == ZS_ERR_PARSE) {
        zs_fail(errstr, errstr_size, err, "header row: line %lu, column %lu: %s", header.err_line,
                header.err_column, header.reason);
        goto close_rows;
    }
    if (err != ZS_OK)
        goto close_rows;
    err = zs_csv_header_map(&header, rows->cols, rows->ncols, rows->ignore_unknown, rows->map,
                            errstr, errstr_size);
    if (err != ZS_OK)
        goto close_rows;
    rows->header_fields = header.nfields;
    *out = rows;
    return ZS_OK;

close_rows:
    zs_rows_close(rows);
    return err;
}

zs_err_t zs_rows_open_jsonl(FILE *fp, const zs_rows_opts_t *opts, zs_rows_t **out, char *errstr,
                            size_t errstr_size)
{
    zs_rows_t *rows = NULL;
    zs_err_t err = rows_new(opts, &rows, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    size_t max = rows->limits.max_row_bytes;
    if (max > SIZE_MAX / 4) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "JSON Lines bounds too large");
        goto close_rows;
    }
    rows->fp = fp;
    /* Decoded text is never longer than the line it comes from. */
    zs_buf_init(&rows->line, max + 1);
    zs_buf_init(&rows->values, max + rows->ncols + 2);
    zs_buf_init(&rows->name, max + 1);
    size_t cap = rows->limits.chunk_size < 3 ? 3 : rows->limits.chunk_size;
    rows->chunk = malloc(cap);
    if (rows->chunk == NULL) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "no memory for a JSON Lines reader");
        goto close_rows;
    }
    /* fread keeps reading until it has the 3 bytes or the file ends. */
    rows->end = fread(rows->chunk, 1, 3, fp);
    if (rows->end < 3 && ferror(fp)) {
        err =
            zs_fail(errstr, errstr_size, ZS_ERR_IO, "cannot read JSON Lines: %s", strerror(errno));
        goto close_rows;
    }
    if (rows->end == 3 && memcmp(rows->chunk, "\xEF\xBB\xBF", 3) == 0)
        rows->pos = 3;
    *out = rows;
    return ZS_OK;

close_rows:
    zs_rows_close(rows);
    return err;
}
