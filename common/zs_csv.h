/* zs_csv.h: a streaming RFC 4180 CSV reader for registry exports larger than
 * memory, and the header helpers that map column names to field positions.
 *
 * What the reader accepts (docs/CONTRACT.md, "Files"):
 * - fields separated by ',', records ended by LF or CRLF; the last record may
 *   lack a line end;
 * - quoted fields ("..."), with "" for a quote inside, and CR, LF, ',' kept
 *   verbatim inside quotes (an embedded CRLF stays CRLF);
 * - a UTF-8 byte order mark at the very start of the file, which is skipped;
 * - lines that are completely empty (nothing before their LF or CRLF) are
 *   skipped and never produce a row; they still count as lines. A line holding
 *   only "" is a row with one empty field.
 * What it rejects, each as an error of that one row: a quote inside an
 * unquoted field, anything but ',' or a line end after a closing quote, a CR
 * not followed by LF outside quotes, a NUL byte, bytes that are not UTF-8, a
 * quoted field still open at end of file, and a field, row or field count
 * beyond the bounds in zs_csv_opts_t.
 *
 * Resynchronization after a malformed row: the reader discards the rest of the
 * physical line on which it found the error and starts the next row on the
 * following line. For an error found outside quotes that is exactly where the
 * next record begins. For an error found inside a quoted field (a bound hit
 * there) the following lines may be the rest of that field; they are then read
 * as rows of their own, so one overlong quoted field can cost one more rejected
 * row, never a stopped file. An unterminated quote swallows the lines after it
 * until a quote closes it or the field or row bound is hit.
 *
 * Positions: lines are counted from 1 by LF; a column is the 1-based position
 * of a character on its physical line, counted in UTF-8 characters (a Chinese
 * character is one column), not counting the byte order mark. */
#ifndef ZS_CSV_H
#define ZS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "zs_err.h"

/* Defaults used when a bound in zs_csv_opts_t is 0. */
#define ZS_CSV_DEFAULT_MAX_FIELD_BYTES ((size_t)64 * 1024)
#define ZS_CSV_DEFAULT_MAX_FIELDS      ((size_t)256)
#define ZS_CSV_DEFAULT_MAX_ROW_BYTES   ((size_t)1024 * 1024)
#define ZS_CSV_DEFAULT_CHUNK_SIZE      ((size_t)64 * 1024)

/* Bounds of one reader; 0 in any member means its default. Memory of a reader
 * stays below about chunk_size + 3 * max_row_bytes + 32 * max_fields. */
typedef struct zs_csv_opts {
    size_t max_field_bytes; /* bytes of one field after unquoting */
    size_t max_fields;      /* fields in one row */
    size_t max_row_bytes;   /* bytes of one record as in the file, without its line end */
    size_t chunk_size;      /* bytes asked of fread at a time (tests use tiny ones) */
} zs_csv_opts_t;

/* Replaces every 0 bound in *opts by its default. */
void zs_csv_opts_defaults(zs_csv_opts_t *opts);

/* One field of a row: len bytes at data, followed by a NUL (never inside, the
 * reader rejects NUL bytes). Points into a reader's buffers. */
typedef struct zs_field {
    const char *data;
    size_t len;
    bool present; /* false: the column or member is absent (or JSON null); data is "" */
} zs_field_t;

/* A row as zs_csv_next gives it. Every pointer points into the reader and is
 * valid until the next zs_csv_next or zs_csv_close on that reader; the caller
 * frees nothing. */
typedef struct zs_csv_row {
    size_t nfields;           /* 0 for a malformed row */
    const zs_field_t *fields; /* nfields fields in file order */
    unsigned long line;       /* physical line where the record starts */
    const char *raw;          /* the record's bytes as in the file, without its line end (nor
                                 a BOM), NUL-terminated; may hold any byte if malformed */
    size_t raw_len;           /* at most max_row_bytes */
    bool raw_truncated;       /* the record was longer than max_row_bytes; raw is its start */
    /* Set for a malformed row only (0 and "" otherwise): where the error was
     * found and why, the same words as in errstr. */
    unsigned long err_line;
    unsigned long err_column;
    const char *reason;
} zs_csv_row_t;

/* A reader over one file. Opaque. */
typedef struct zs_csv zs_csv_t;

/* Starts a reader over fp, which stays the caller's: the reader only freads
 * from it and never closes it. opts may be NULL (all defaults); it is copied.
 * Reads at most the first 3 bytes (to skip a byte order mark). On success
 * *out is a new reader the caller frees with zs_csv_close. */
zs_err_t zs_csv_open(FILE *fp, const zs_csv_opts_t *opts, zs_csv_t **out, char *errstr,
                     size_t errstr_size);

/* Reads the next record into *row. Returns
 * - ZS_OK: row holds a record;
 * - ZS_ERR_EOF: no more records (and again on every later call);
 * - ZS_ERR_PARSE: the record is malformed or beyond a bound; errstr says
 *   "line L, column C: reason", row holds its line, raw text and position and
 *   no fields; the next call goes on with the following row (see the top of
 *   this file);
 * - ZS_ERR_IO or ZS_ERR_NOMEM: the file cannot be read further; later calls
 *   return the same error.
 * No allocation once the reader's buffers have grown to the file's largest
 * record. */
zs_err_t zs_csv_next(zs_csv_t *csv, zs_csv_row_t *row, char *errstr, size_t errstr_size);

/* Frees the reader and everything its rows point to; not fp. NULL is fine. */
void zs_csv_close(zs_csv_t *csv);

/* An expected column, for mapping a header or a JSON object's members. */
typedef struct zs_col {
    const char *name; /* as written in the header, e.g. "household_id"; case matters */
    bool required;    /* a header or object without it is an error */
} zs_col_t;

/* The value zs_csv_header_map stores for an expected column the header lacks. */
#define ZS_COL_ABSENT ((size_t)-1)

/* Maps the header row to the ncols expected columns: map[i] becomes the field
 * position of cols[i] in the header, or ZS_COL_ABSENT for an optional column
 * the header lacks. map is the caller's, ncols entries. Header names must
 * match exactly (no trimming, case-sensitive). Errors (ZS_ERR_INVALID, errstr
 * naming the column): a header field that is no expected column unless
 * ignore_unknown, a required column the header lacks, an expected column that
 * appears twice. */
zs_err_t zs_csv_header_map(const zs_csv_row_t *header, const zs_col_t *cols, size_t ncols,
                           bool ignore_unknown, size_t *map, char *errstr, size_t errstr_size);

/* Checks that a data row has as many fields as the header: ZS_ERR_INVALID
 * with "line 7: 5 fields, header has 8" otherwise. */
zs_err_t zs_csv_check_width(const zs_csv_row_t *row, size_t header_fields, char *errstr,
                            size_t errstr_size);

/* UTF-8 checking shared by the CSV and JSON Lines readers: well-formed UTF-8
 * only (Unicode table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF). A zs_utf8_t follows a text a byte at a time, across chunks. */
typedef struct zs_utf8 {
    unsigned need;        /* continuation bytes still expected */
    unsigned char lo, hi; /* the range the next continuation byte must be in */
} zs_utf8_t;

/* Starts a check at a character boundary. */
void zs_utf8_init(zs_utf8_t *u);
/* Takes the next byte; false if it cannot continue well-formed UTF-8 (the
 * state is then unchanged). A text is complete when u->need is 0. */
bool zs_utf8_step(zs_utf8_t *u, unsigned char c);
/* Whether len bytes at s are well-formed UTF-8; if not and bad is not NULL,
 * *bad is the offset of the first byte that breaks it (or of the unfinished
 * character's first byte when the text ends inside one). */
bool zs_utf8_valid(const char *s, size_t len, size_t *bad);

#endif
