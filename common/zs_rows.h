/* zs_rows.h: zs_rows, the one reader of registry exports, CSV or JSON Lines,
 * that gives fields by expected column, so a producer handles both formats
 * the same way.
 *
 * What a JSON Lines export is (docs/CONTRACT.md, "Files"):
 * - UTF-8 text, one JSON object per line, its members named like the CSV
 *   columns; LF or CRLF line ends; a byte order mark at the start is skipped;
 *   lines that are empty or hold only whitespace are skipped (they still
 *   count as lines); the last line may lack a line end;
 * - member values are strings, numbers, true, false or null. A number keeps
 *   its literal text ("amount_yuan": 12.50 gives "12.50", as does
 *   "amount_yuan": "12.50"); true and false give the text "true" and "false";
 *   null is the same as an absent member. Objects and arrays as values are
 *   rejected: the contract is flat;
 * - strings are decoded: every JSON escape, \uXXXX with surrogate pairs to
 *   UTF-8. A lone surrogate and \u0000 are rejected, so a field never holds a
 *   NUL.
 * A malformed line is an error of that row only: an object cannot span lines,
 * so the next line is read normally. */
#ifndef ZS_ROWS_H
#define ZS_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "zs_csv.h"
#include "zs_err.h"

/* What a row reader expects. Copied at open, except cols. */
typedef struct zs_rows_opts {
    const zs_col_t *cols; /* expected columns; not copied: must outlive the reader */
    size_t ncols;
    bool ignore_unknown;  /* skip unexpected columns or members instead of rejecting */
    zs_csv_opts_t limits; /* bounds (0: default); for JSON Lines, max_fields bounds the
                             members of an object and max_row_bytes a line */
} zs_rows_opts_t;

/* A row by expected column. Every pointer points into the reader and is valid
 * until the next zs_rows_next or zs_rows_close on it; the caller frees
 * nothing. */
typedef struct zs_row {
    size_t ncols;             /* opts.ncols for a row, 0 for a rejected one */
    const zs_field_t *fields; /* fields[i] is the value of cols[i]; present is false when the
                                 column or member is absent or JSON null */
    unsigned long line;       /* physical line where the row starts */
    const char *raw;          /* the row as in the file, without its line end, NUL-terminated;
                                 may hold any byte if rejected */
    size_t raw_len;           /* at most limits.max_row_bytes */
    bool raw_truncated;       /* the row was longer; raw is its start */
    const bool *literal;      /* JSON Lines: literal[i] is true when cols[i] was a number, true
                                 or false rather than a string; NULL for CSV (all text) */
    /* For a rejected row (0 and "" otherwise): where and why, the same words
     * as in errstr. err_column is 0 when the error concerns the whole row. */
    unsigned long err_line;
    unsigned long err_column;
    const char *reason;
} zs_row_t;

/* A row reader over one export file. Opaque. */
typedef struct zs_rows zs_rows_t;

/* Opens a CSV export and reads its header row now, mapping it to opts->cols
 * (see zs_csv_header_map). fp stays the caller's; the reader only freads from
 * it. Errors: ZS_ERR_INVALID for no header row or a header that does not map,
 * ZS_ERR_PARSE for a malformed header row, ZS_ERR_IO, ZS_ERR_NOMEM. On
 * success *out is a reader the caller frees with zs_rows_close. */
zs_err_t zs_rows_open_csv(FILE *fp, const zs_rows_opts_t *opts, zs_rows_t **out, char *errstr,
                          size_t errstr_size);

/* Opens a JSON Lines export (reads at most 3 bytes now, for a byte order
 * mark). Ownership as zs_rows_open_csv. */
zs_err_t zs_rows_open_jsonl(FILE *fp, const zs_rows_opts_t *opts, zs_rows_t **out, char *errstr,
                            size_t errstr_size);

/* Reads the next row into *row. Returns
 * - ZS_OK: row->fields holds the row's values by expected column;
 * - ZS_ERR_EOF: no more rows (and again on every later call);
 * - a row error (zs_rows_is_row_error): the row is rejected and errstr says
 *   "line L, column C: reason" (or "line L: reason"); row holds its line, raw
 *   text and position; the next call goes on with the following row.
 *   ZS_ERR_PARSE: the text is malformed or beyond a bound. ZS_ERR_INVALID:
 *   well-formed but not the expected shape (CSV: a field count other than the
 *   header's; JSON: an unknown, duplicate or nested member, or a required one
 *   absent or null);
 * - ZS_ERR_IO or ZS_ERR_NOMEM: the file cannot be read further.
 * No allocation once the reader's buffers have grown to the largest row. */
zs_err_t zs_rows_next(zs_rows_t *rows, zs_row_t *row, char *errstr, size_t errstr_size);

/* Where the value of expected column col lies in row->raw, row being the
 * last row zs_rows_next gave (a rejected one too): its bytes as written in
 * the file, quotes around them excluded, at raw[*off..*off + *len). False if
 * the column is absent from the row or the row is too malformed to tell.
 * For masking one column of a rejected row's text whatever it holds. */
bool zs_rows_raw_span(const zs_rows_t *rows, const zs_row_t *row, size_t col, size_t *off,
                      size_t *len);

/* Whether zs_rows_next's err rejects one row only (the file goes on). */
bool zs_rows_is_row_error(zs_err_t err);

/* Frees the reader and everything its rows point to; not fp. NULL is fine. */
void zs_rows_close(zs_rows_t *rows);

#endif
