/* zs_csv.c: the streaming RFC 4180 CSV reader and its header helpers (see
 * zs_csv.h for what it accepts and how it resynchronizes). */
#include "zs_csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zs_buf.h"

/* Where the reader is within a record. */
enum csv_state {
    ST_REC_START,   /* before a record: a LF here ends a blank line */
    ST_FIELD_START, /* at the first byte of a field */
    ST_UNQUOTED,    /* inside a field that did not start with a quote */
    ST_QUOTED,      /* inside a quoted field */
    ST_QUOTE_SEEN,  /* after a quote inside a quoted field: its end, or the first of "" */
    ST_CR,          /* after a CR outside quotes, which only a LF may follow */
    ST_SKIP,        /* after an error: discarding the rest of the physical line */
};

/* What a byte is to the fast path (csv_fast_record): anything but plain
 * needs a look. */
enum csv_class {
    CL_PLAIN, /* ASCII content that cannot end or break a field */
    CL_HIGH,  /* a byte of a non-ASCII character: content, the line is checked as UTF-8 */
    CL_COMMA,
    CL_QUOTE,
    CL_CR,
    CL_LF,
    CL_NUL,
};

struct zs_csv {
    FILE *fp;               /* the caller's; only read */
    unsigned char cls[256]; /* enum csv_class of every byte value */
    zs_csv_opts_t opts;     /* bounds, defaults filled in */
    char *chunk;            /* owned: input read ahead, at least 3 bytes (for the BOM) */
    size_t pos, end;        /* unread input is chunk[pos..end) */
    bool eof;               /* fp has nothing past chunk[end] */
    zs_err_t fatal;         /* a read or memory error that ended the file, ZS_OK if none */
    char fatal_msg[128];
    unsigned long line;     /* physical line of the next byte */
    unsigned long col;      /* column of the last character started on that line */
    zs_utf8_t utf8;         /* UTF-8 check of the record so far */
    unsigned char lead;     /* first byte of the character being read */
    unsigned long lead_col; /* and its column */

    /* The record being read. */
    enum csv_state state;
    unsigned long rec_line;   /* line of its first byte */
    size_t rec_bytes;         /* its bytes so far, line end not counted */
    size_t field_len;         /* bytes of the current field so far */
    unsigned long quote_line; /* where the quoted field being read opened */
    unsigned long quote_col;
    unsigned long cr_line; /* where the pending CR (ST_CR) is */
    unsigned long cr_col;
    zs_buf_t values; /* owned: contents of the fields, each followed by a NUL */
    zs_buf_t spans;  /* owned: a zs_field_t per field; data is set when the record ends */
    zs_buf_t raw;    /* owned: the record's bytes, at most max_row_bytes + 2 */
    bool raw_full;   /* raw stopped growing before the record ended */
    bool failed;     /* the record is malformed: err_* and reason say why */
    unsigned long err_line;
    unsigned long err_col;
    char reason[160];
};

/* Appends one byte on the hot path without a call while there is room. The
 * buffer is not NUL-terminated until the record ends (csv_rec_end). */
static inline zs_err_t buf_put(zs_buf_t *buf, char c)
{
    if (buf->len + 1 < buf->cap) {
        buf->data[buf->len++] = c;
        return ZS_OK;
    }
    return zs_buf_addc(buf, c);
}

void zs_utf8_init(zs_utf8_t *u)
{
    u->need = 0;
    u->lo = 0x80;
    u->hi = 0xBF;
}

/* Unicode 15, table 3-7 (well-formed UTF-8 byte sequences): no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
bool zs_utf8_step(zs_utf8_t *u, unsigned char c)
{
    if (u->need > 0) {
        if (c < u->lo || c > u->hi)
            return false;
        u->need--;
        u->lo = 0x80;
        u->hi = 0xBF;
        return true;
    }
    if (c < 0x80)
        return true;
    if (c >= 0xC2 && c <= 0xDF) {
        u->need = 1;
    } else if (c == 0xE0) {
        u->need = 2;
        u->lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        u->need = 2;
    } else if (c == 0xED) {
        u->need = 2;
        u->hi = 0x9F;
    } else if (c == 0xF0) {
        u->need = 3;
        u->lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        u->need = 3;
    } else if (c == 0xF4) {
        u->need = 3;
        u->hi = 0x8F;
    } else {
        return false;
    }
    return true;
}

bool zs_utf8_valid(const char *s, size_t len, size_t *bad)
{
    zs_utf8_t u;
    size_t lead = 0;
    size_t i = 0;
    zs_utf8_init(&u);
    for (; i < len; i++) {
        if (u.need == 0 && (unsigned char)s[i] < 0x80)
            continue; /* ASCII, the common case */
        if (u.need == 0)
            lead = i;
        if (!zs_utf8_step(&u, (unsigned char)s[i]))
            break;
    }
    if (i == len && u.need == 0)
        return true;
    if (bad != NULL)
        *bad = lead;
    return false;
}

static zs_err_t csv_fatal(zs_csv_t *csv, zs_err_t err, const char *what)
{
    csv->fatal = err;
    snprintf(csv->fatal_msg, sizeof(csv->fatal_msg), "line %lu: %s", csv->line, what);
    return err;
}

/* Marks the record malformed at line/col; the first error of a record wins. */
static void csv_reject(zs_csv_t *csv, unsigned long line, unsigned long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void csv_reject(zs_csv_t *csv, unsigned long line, unsigned long col, const char *fmt, ...)
{
    if (csv->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(csv->reason, sizeof(csv->reason), fmt, ap);
    va_end(ap);
    csv->failed = true;
    csv->err_line = line;
    csv->err_col = col;
    csv->state = ST_SKIP;
}

/* Reads the next chunk once the previous one is used up. A short read is not
 * taken as the end: only fread returning nothing is. */
static zs_err_t csv_fill(zs_csv_t *csv)
{
    csv->pos = 0;
    csv->end = fread(csv->chunk, 1, csv->opts.chunk_size, csv->fp);
    if (csv->end > 0)
        return ZS_OK;
    if (ferror(csv->fp))
        return csv_fatal(csv, ZS_ERR_IO, strerror(errno));
    csv->eof = true;
    return ZS_OK;
}

static void csv_rec_begin(zs_csv_t *csv, unsigned long line)
{
    zs_buf_reset(&csv->values);
    zs_buf_reset(&csv->spans);
    zs_buf_reset(&csv->raw);
    csv->raw_full = false;
    csv->failed = false;
    csv->rec_line = line;
    csv->rec_bytes = 0;
    csv->field_len = 0;
    zs_utf8_init(&csv->utf8);
    csv->state = ST_FIELD_START;
}

static size_t csv_nfields(const zs_csv_t *csv)
{
    return csv->spans.len / sizeof(zs_field_t);
}

/* Ends the current field; more says another one follows (after a ','). */
static zs_err_t csv_field_end(zs_csv_t *csv, bool more, unsigned long line, unsigned long col)
{
    zs_field_t f = {.data = NULL, .len = csv->field_len, .present = true};
    zs_err_t err = buf_put(&csv->values, '\0');
    if (err == ZS_OK)
        err = zs_buf_add(&csv->spans, &f, sizeof(f));
    if (err != ZS_OK)
        return csv_fatal(csv, err, "no memory for a field");
    csv->field_len = 0;
    csv->state = ST_FIELD_START;
    if (more && csv_nfields(csv) == csv->opts.max_fields)
        csv_reject(csv, line, col, "more than %zu fields", csv->opts.max_fields);
    return ZS_OK;
}

static zs_err_t csv_content(zs_csv_t *csv, char c, unsigned long line, unsigned long col)
{
    if (csv->field_len == csv->opts.max_field_bytes) {
        csv_reject(csv, line, col, "field %zu longer than %zu bytes", csv_nfields(csv) + 1,
                   csv->opts.max_field_bytes);
        return ZS_OK;
    }
    zs_err_t err = buf_put(&csv->values, c);
    if (err != ZS_OK)
        return csv_fatal(csv, err, "no memory for a field");
    csv->field_len++;
    return ZS_OK;
}

/* One byte of a record through the RFC 4180 state machine; *done is set when
 * it ends the record (a LF outside quotes). */
static zs_err_t csv_step(zs_csv_t *csv, char c, unsigned long line, unsigned long col, bool *done)
{
    switch (csv->state) {
    case ST_FIELD_START:
        if (c == '"') {
            csv->quote_line = line;
            csv->quote_col = col;
            csv->state = ST_QUOTED;
            return ZS_OK;
        }
        if (c != ',' && c != '\n' && c != '\r')
            csv->state = ST_UNQUOTED;
        /* fall through */
    case ST_UNQUOTED:
        if (c == '"') {
            csv_reject(csv, line, col, "quote inside an unquoted field (field %zu)",
                       csv_nfields(csv) + 1);
            return ZS_OK;
        }
        break;
    case ST_QUOTED:
        if (c == '"')
            csv->state = ST_QUOTE_SEEN;
        else
            return csv_content(csv, c, line, col);
        return ZS_OK;
    case ST_QUOTE_SEEN:
        if (c == '"') {
            csv->state = ST_QUOTED;
            return csv_content(csv, c, line, col);
        }
        if (c != ',' && c != '\n' && c != '\r') {
            csv_reject(csv, line, col, "text after the closing quote of field %zu",
                       csv_nfields(csv) + 1);
            return ZS_OK;
        }
        break;
    case ST_CR:
        if (c == '\n') {
            /* A CRLF with nothing before it is a blank line, not a row. */
            if (csv->rec_bytes == 0)
                csv->state = ST_REC_START;
            else
                *done = true;
        } else {
            csv_reject(csv, csv->cr_line, csv->cr_col,
                       "carriage return not followed by a line feed");
        }
        return ZS_OK;
    case ST_REC_START:
    case ST_SKIP:
        return ZS_OK; /* handled by csv_read */
    }

    /* Outside quotes, after the checks above: structure or content. */
    switch (c) {
    case ',':
        return csv_field_end(csv, true, line, col);
    case '\n':
        *done = true;
        return csv_field_end(csv, false, line, col);
    case '\r': {
        zs_err_t err = csv_field_end(csv, false, line, col);
        csv->state = ST_CR;
        csv->cr_line = line;
        csv->cr_col = col;
        return err;
    }
    default:
        return csv_content(csv, c, line, col);
    }
}

/* The input ended: what that means depends on where the record is. */
static zs_err_t csv_at_eof(zs_csv_t *csv)
{
    switch (csv->state) {
    case ST_REC_START:
        return ZS_ERR_EOF;
    case ST_CR:
        if (csv->rec_bytes == 0) {
            csv->state = ST_REC_START;
            return ZS_ERR_EOF;
        }
        return ZS_OK;
    case ST_SKIP:
        return ZS_OK;
    default:
        break;
    }
    if (csv->utf8.need > 0) {
        csv_reject(csv, csv->line, csv->lead_col, "file ends inside a UTF-8 character");
        return ZS_OK;
    }
    if (csv->state == ST_QUOTED) {
        csv_reject(csv, csv->quote_line, csv->quote_col, "quoted field never closed");
        return ZS_OK;
    }
    return csv_field_end(csv, false, csv->line, csv->col + 1);
}

/* The length of the one well-formed non-ASCII UTF-8 character at p if it
 * lies whole within avail bytes, else 0. */
static size_t utf8_char_len(const char *p, size_t avail)
{
    zs_utf8_t u;
    size_t k = 0;
    zs_utf8_init(&u);
    do {
        if (k == avail || !zs_utf8_step(&u, (unsigned char)p[k]))
            return 0;
        k++;
    } while (u.need > 0);
    return k;
}

/* The fast path: inside a field, takes the run of printable characters that
 * cannot end or break it, up to the bounds (the byte that would pass one goes
 * through csv_read's checks). Such bytes need nothing but copying. */
static zs_err_t csv_plain_run(zs_csv_t *csv)
{
    bool quoted = csv->state == ST_QUOTED;
    if ((!quoted && csv->state != ST_UNQUOTED) || csv->utf8.need > 0)
        return ZS_OK;
    const char *p = csv->chunk + csv->pos;
    size_t lim = csv->end - csv->pos;
    if (lim > csv->opts.max_field_bytes - csv->field_len)
        lim = csv->opts.max_field_bytes - csv->field_len;
    if (lim > csv->opts.max_row_bytes - csv->rec_bytes)
        lim = csv->opts.max_row_bytes - csv->rec_bytes;
    size_t n = 0;
    unsigned long chars = 0;
    while (n < lim) {
        unsigned char c = (unsigned char)p[n];
        size_t k = 1;
        if (c < 0x20 || c == 0x7F || c == '"' || (c == ',' && !quoted))
            break;
        if (c >= 0x80 && (k = utf8_char_len(p + n, lim - n)) == 0)
            break;
        n += k;
        chars++;
    }
    if (n == 0)
        return ZS_OK;
    zs_err_t err = zs_buf_add(&csv->values, p, n);
    if (err == ZS_OK)
        err = zs_buf_add(&csv->raw, p, n);
    if (err != ZS_OK)
        return csv_fatal(csv, err, "no memory for a row");
    csv->pos += n;
    csv->col += chars;
    csv->rec_bytes += n;
    csv->field_len += n;
    return ZS_OK;
}

/* Reads bytes until a record ends. ZS_OK: a record (csv->failed tells
 * whether it is malformed); ZS_ERR_EOF: none left; else a fatal error. */
static zs_err_t csv_read(zs_csv_t *csv)
{
    for (;;) {
        zs_err_t err = csv_plain_run(csv);
        if (err != ZS_OK)
            return err;
        if (csv->pos == csv->end) {
            if (!csv->eof) {
                err = csv_fill(csv);
                if (err != ZS_OK)
                    return err;
            }
            if (csv->eof)
                return csv_at_eof(csv);
        }
        char c = csv->chunk[csv->pos++];
        unsigned char u = (unsigned char)c;

        /* Position of this byte: continuation bytes belong to the character
         * their lead byte started. */
        unsigned long line = csv->line;
        if ((u & 0xC0) != 0x80 || csv->utf8.need == 0)
            csv->col++;
        unsigned long col = csv->col;
        if (csv->utf8.need == 0) {
            csv->lead = u;
            csv->lead_col = col;
        }
        if (c == '\n') {
            csv->line++;
            csv->col = 0;
        }

        if (csv->state == ST_REC_START) {
            if (c == '\n')
                continue; /* a blank line */
            csv_rec_begin(csv, line);
        }
        if (csv->raw.len < csv->raw.max) {
            err = buf_put(&csv->raw, c);
            if (err != ZS_OK)
                return csv_fatal(csv, err, "no memory for a row");
        } else {
            csv->raw_full = true;
        }
        if (csv->state == ST_SKIP) {
            if (c == '\n')
                return ZS_OK;
            continue;
        }

        /* A LF, or a CR, outside quotes may end the record: not counted. */
        bool line_end = (c == '\n' || c == '\r') && csv->state != ST_QUOTED;
        if (!line_end && ++csv->rec_bytes > csv->opts.max_row_bytes)
            csv_reject(csv, line, col, "row longer than %zu bytes", csv->opts.max_row_bytes);
        else if (!zs_utf8_step(&csv->utf8, u))
            csv_reject(csv, line, csv->lead_col, "invalid UTF-8 byte 0x%02X", (unsigned)csv->lead);
        else if (c == '\0')
            csv_reject(csv, line, col, "NUL byte");

        bool done = false;
        if (!csv->failed) {
            err = csv_step(csv, c, line, col, &done);
            if (err != ZS_OK)
                return err;
        }
        /* An error found on a LF leaves nothing of its line to discard. */
        if (done || (csv->failed && c == '\n'))
            return ZS_OK;
    }
}

/* Fills *row from the record just read. */
static void csv_rec_end(zs_csv_t *csv, zs_csv_row_t *row)
{
    zs_buf_t *raw = &csv->raw;
    size_t max = csv->opts.max_row_bytes;
    bool truncated = csv->raw_full;
    /* The line end is not part of the raw text. */
    if (!truncated && raw->len > 0 && raw->data[raw->len - 1] == '\n')
        raw->len--;
    if (!truncated && raw->len > 0 && raw->data[raw->len - 1] == '\r')
        raw->len--;
    if (raw->len > max) {
        raw->len = max;
        truncated = true;
    }
    if (raw->data != NULL)
        raw->data[raw->len] = '\0';

    memset(row, 0, sizeof(*row));
    row->line = csv->rec_line;
    row->raw = raw->data != NULL ? raw->data : "";
    row->raw_len = raw->len;
    row->raw_truncated = truncated;
    row->reason = "";
    row->fields = (const zs_field_t *)csv->spans.data;
    if (csv->failed) {
        row->err_line = csv->err_line;
        row->err_column = csv->err_col;
        row->reason = csv->reason;
        return;
    }
    /* Field contents follow one another in values, each ended by a NUL. */
    zs_field_t *f = (zs_field_t *)csv->spans.data;
    size_t n = csv_nfields(csv);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        f[i].data = csv->values.data + off;
        off += f[i].len + 1;
    }
    row->nfields = n;
}

/* The fast path, for the common record: one that lies whole, its line end
 * included, in the chunk read already, and that has no error and stays
 * within every bound. The byte classes find its fields; the record is copied
 * once, into values, where the fields are cut out; the raw text stays in
 * place in the chunk, the byte after it (its CR or LF, consumed) becoming
 * its NUL. Blank lines before
 * it are skipped here too. For anything else it returns false having changed
 * nothing but skipped blank lines, and csv_read takes the record from its
 * first byte: the same outcome for a good record, and the error (with its
 * line, column and reason) for a bad one. */
static bool csv_fast_record(zs_csv_t *csv, zs_csv_row_t *row)
{
    const zs_csv_opts_t *o = &csv->opts;
    const unsigned char *cls = csv->cls;
    char *s, *nl;
    size_t len;
    for (;;) {
        s = csv->chunk + csv->pos;
        nl = memchr(s, '\n', csv->end - csv->pos);
        if (nl == NULL)
            return false;
        len = (size_t)(nl - s);
        /* A CR before the LF ends the record with it, unless it is inside
         * quotes: then no quote closes before len and the record goes to
         * csv_read. */
        if (len > 0 && s[len - 1] == '\r')
            len--;
        if (len > 0)
            break;
        csv->pos += (size_t)(nl - s) + 1; /* a blank line: never a row, still a line */
        csv->line++;
    }
    if (len > o->max_row_bytes)
        return false;
    /* Contents and their NULs never take more than the record and one byte
     * (a field's NUL takes the place of its ',' or its quotes), nor fields
     * more than its bytes and one. The record is copied whole: until a
     * quoted field shifts them, the fields are in place, and a field's NUL
     * overwrites its ','. */
    size_t max_fields = len + 1 < o->max_fields ? len + 1 : o->max_fields;
    zs_buf_reset(&csv->values);
    zs_buf_reset(&csv->spans);
    if (zs_buf_reserve(&csv->values, len + 1) != ZS_OK ||
        zs_buf_reserve(&csv->spans, max_fields * sizeof(zs_field_t)) != ZS_OK)
        return false;
    char *out = csv->values.data;
    zs_field_t *fields = (zs_field_t *)csv->spans.data;
    memcpy(out, s, len);
    size_t i = 0, w = 0, nfields = 0;
    unsigned char hi = 0; /* whether a non-ASCII byte was seen */
    /* s[len] is a CR or LF: no field runs past it. */
    for (;;) {
        size_t start = w;
        if (s[i] == '"') {
            for (i++;; i++) {
                if (i == len)
                    return false; /* not closed on this line */
                unsigned char k = cls[(unsigned char)s[i]];
                if (k == CL_QUOTE && s[i + 1] != '"')
                    break;
                if (k == CL_QUOTE)
                    i++; /* "" is one quote */
                else if (k == CL_NUL)
                    return false;
                hi |= k == CL_HIGH;
                out[w++] = s[i];
            }
            i++; /* the closing quote */
            if (i < len && s[i] != ',')
                return false; /* text after it */
        } else {
            size_t from = i;
            unsigned char k;
            while ((k = cls[(unsigned char)s[i]]) <= CL_HIGH) {
                hi |= k;
                i++;
            }
            if (i < len && k != CL_COMMA)
                return false; /* a quote, a CR not before the LF, a NUL */
            if (w != from)
                memcpy(out + w, s + from, i - from);
            w += i - from;
        }
        if (w - start > o->max_field_bytes)
            return false;
        fields[nfields].data = out + start;
        fields[nfields].len = w - start;
        fields[nfields].present = true;
        out[w++] = '\0';
        nfields++;
        if (i == len)
            break;
        if (nfields == o->max_fields)
            return false; /* a ',' after the last field allowed */
        i++;
    }
    if (hi && !zs_utf8_valid(s, len, NULL))
        return false;
    out[w] = '\0';
    csv->values.len = w;
    csv->spans.len = nfields * sizeof(zs_field_t);
    s[len] = '\0';
    csv->pos += (size_t)(nl - s) + 1;
    csv->rec_line = csv->line++;
    csv->failed = false;
    row->line = csv->rec_line;
    row->raw = s;
    row->raw_len = len;
    row->fields = (const zs_field_t *)csv->spans.data;
    row->nfields = nfields;
    return true;
}

static size_t or_default(size_t v, size_t def)
{
    return v != 0 ? v : def;
}

void zs_csv_opts_defaults(zs_csv_opts_t *opts)
{
    opts->max_field_bytes = or_default(opts->max_field_bytes, ZS_CSV_DEFAULT_MAX_FIELD_BYTES);
    opts->max_fields = or_default(opts->max_fields, ZS_CSV_DEFAULT_MAX_FIELDS);
    opts->max_row_bytes = or_default(opts->max_row_bytes, ZS_CSV_DEFAULT_MAX_ROW_BYTES);
    opts->chunk_size = or_default(opts->chunk_size, ZS_CSV_DEFAULT_CHUNK_SIZE);
}

zs_err_t zs_csv_open(FILE *fp, const zs_csv_opts_t *opts, zs_csv_t **out, char *errstr,
                     size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    zs_csv_opts_t o = {0};
    if (opts != NULL)
        o = *opts;
    zs_csv_opts_defaults(&o);
    if (o.max_row_bytes > SIZE_MAX / 4 || o.max_fields > SIZE_MAX / 4 / sizeof(zs_field_t))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "CSV bounds too large");

    zs_csv_t *csv = calloc(1, sizeof(*csv));
    if (csv == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "no memory for a CSV reader");
    csv->fp = fp;
    csv->opts = o;
    csv->line = 1;
    csv->state = ST_REC_START;
    zs_utf8_init(&csv->utf8);
    for (int c = 0x80; c < 256; c++)
        csv->cls[c] = CL_HIGH;
    csv->cls['\0'] = CL_NUL;
    csv->cls['\n'] = CL_LF;
    csv->cls['\r'] = CL_CR;
    csv->cls['"'] = CL_QUOTE;
    csv->cls[','] = CL_COMMA;
    zs_buf_init(&csv->values, o.max_row_bytes + o.max_fields + 1);
    zs_buf_init(&csv->spans, o.max_fields * sizeof(zs_field_t));
    zs_buf_init(&csv->raw, o.max_row_bytes + 2);
    csv->chunk = malloc(o.chunk_size < 3 ? 3 : o.chunk_size);
    if (csv->chunk == NULL) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "no memory for a CSV reader");
        goto close_csv;
    }
    /* fread keeps reading until it has the 3 bytes or the file ends. */
    csv->end = fread(csv->chunk, 1, 3, fp);
    if (csv->end < 3 && ferror(fp)) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "cannot read CSV: %s", strerror(errno));
        goto close_csv;
    }
    if (csv->end == 3 && memcmp(csv->chunk, "\xEF\xBB\xBF", 3) == 0)
        csv->pos = 3;
    *out = csv;
    return ZS_OK;

close_csv:
    zs_csv_close(csv);
    return err;
}

zs_err_t zs_csv_next(zs_csv_t *csv, zs_csv_row_t *row, char *errstr, size_t errstr_size)
{
    memset(row, 0, sizeof(*row));
    row->raw = "";
    row->reason = "";
    if (csv->fatal != ZS_OK)
        return zs_fail(errstr, errstr_size, csv->fatal, "%s", csv->fatal_msg);
    if (csv->state == ST_REC_START && csv_fast_record(csv, row))
        return ZS_OK;
    zs_err_t err = csv_read(csv);
    zs_utf8_init(&csv->utf8);
    if (err == ZS_ERR_EOF)
        return zs_fail(errstr, errstr_size, err, "end of CSV");
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "%s", csv->fatal_msg);
    csv->state = ST_REC_START;
    csv_rec_end(csv, row);
    if (csv->failed)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "line %lu, column %lu: %s", csv->err_line,
                       csv->err_col, csv->reason);
    return ZS_OK;
}

void zs_csv_close(zs_csv_t *csv)
{
    if (csv == NULL)
        return;
    zs_buf_free(&csv->values);
    zs_buf_free(&csv->spans);
    zs_buf_free(&csv->raw);
    free(csv->chunk);
    free(csv);
}

static bool field_is(const zs_field_t *f, const char *name)
{
    return strlen(name) == f->len && memcmp(f->data, name, f->len) == 0;
}

zs_err_t zs_csv_header_map(const zs_csv_row_t *header, const zs_col_t *cols, size_t ncols,
                           bool ignore_unknown, size_t *map, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < ncols; i++)
        map[i] = ZS_COL_ABSENT;
    for (size_t f = 0; f < header->nfields; f++) {
        const zs_field_t *name = &header->fields[f];
        size_t i = 0;
        while (i < ncols && !field_is(name, cols[i].name))
            i++;
        if (i == ncols) {
            if (ignore_unknown)
                continue;
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "line %lu: unknown column \"%.*s\" (field %zu of the header)",
                           header->line, (int)(name->len > 64 ? 64 : name->len), name->data, f + 1);
        }
        if (map[i] != ZS_COL_ABSENT)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "line %lu: duplicate column \"%s\" (fields %zu and %zu of the header)",
                           header->line, cols[i].name, map[i] + 1, f + 1);
        map[i] = f;
    }
    for (size_t i = 0; i < ncols; i++) {
        if (cols[i].required && map[i] == ZS_COL_ABSENT)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "line %lu: missing required column \"%s\"", header->line, cols[i].name);
    }
    return ZS_OK;
}

zs_err_t zs_csv_check_width(const zs_csv_row_t *row, size_t header_fields, char *errstr,
                            size_t errstr_size)
{
    if (row->nfields == header_fields)
        return ZS_OK;
    return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "line %lu: %zu fields, header has %zu",
                   row->line, row->nfields, header_fields);
}
