/* zs_input.h: the input contract (docs/CONTRACT.md): the
 * columns of each registry export and the conversion of one row into the
 * Avro message it becomes, every field validated. */
#ifndef ZS_INPUT_H
#define ZS_INPUT_H

#include <avro.h>
#include <stdbool.h>
#include <stddef.h>

#include "zs_county.h"
#include "zs_csv.h"
#include "zs_err.h"
#include "zs_rows.h"
#include "zs_schema.h"
#include "zs_buf.h"

typedef enum zs_input_kind {
    ZS_INPUT_HOUSEHOLDS,
    ZS_INPUT_MEMBERS, /* joined into households, never a message of its own */
    ZS_INPUT_INCOME,
    ZS_INPUT_EMPLOYMENT,
    ZS_INPUT_SUBSIDY,
    ZS_INPUT_HARDSHIP,
    ZS_INPUT_FOLLOWUP,
    ZS_INPUT__COUNT
} zs_input_kind_t;

/* "households", "members", "income", ...: the names zs-push takes. */
const char *zs_input_name(zs_input_kind_t kind);
/* Finds a kind by name; ZS_ERR_NOT_FOUND otherwise. */
zs_err_t zs_input_kind_parse(const char *name, zs_input_kind_t *kind);
/* The expected columns, for zs_rows_opts_t (static). */
const zs_col_t *zs_input_cols(zs_input_kind_t kind, size_t *ncols);
/* The schema the rows become ("Household", "Member", "IncomeRecord"...). */
const char *zs_input_message(zs_input_kind_t kind);
/* The topic suffix the messages go to ("household", "income"...). */
const char *zs_input_topic(zs_input_kind_t kind);
/* Position of household_id among the columns: the key of every message. */
size_t zs_input_key_col(zs_input_kind_t kind);

/* Fills dest, a value of zs_input_message(kind) (for households, members stay
 * empty: the caller joins them), from one row. Every field is checked
 * against the contract; the first bad one fails the row with ZS_ERR_INVALID,
 * *bad_col set to its column (index into zs_input_cols) and errstr to
 * "<column>: <reason>". A resident ID number is checked and stored masked; no
 * message names it. counties may be NULL to skip the county check (tests). */
zs_err_t zs_input_convert(zs_input_kind_t kind, const zs_row_t *row,
                          const zs_county_table_t *counties, avro_value_t *dest, size_t *bad_col,
                          char *errstr, size_t errstr_size);

/* The same for the flat exports (every kind but households and members),
 * straight to a single-object message of schema (zs_input_message's) in out,
 * without avro-c values: the same checks in the same order and errors, the
 * same bytes as zs_input_convert and zs_encoder_encode give (tested), at a
 * fraction of the cost. The per-schema plans are cached in static storage:
 * call it from one thread. */
zs_err_t zs_input_encode(zs_input_kind_t kind, const zs_row_t *row,
                         const zs_county_table_t *counties, const zs_schema_t *schema,
                         zs_buf_t *out, size_t *bad_col, char *errstr, size_t errstr_size);

/* Masks, in row's own field values, every ID-shaped run in the free-text
 * columns of kind (township, village, source, note), as
 * zs_log_mask_idnumbers does, before the row becomes a message: people type
 * ID numbers into free text, and no message may carry one in clear. The
 * field values are the row reader's buffers, rewritten in place (same
 * length). Returns how many runs were masked. */
size_t zs_input_mask_text(zs_input_kind_t kind, const zs_row_t *row);

/* Masks, in text (a copy of row->raw, text_len bytes), the value of every ID
 * number column of kind whatever it holds, found by its position in the row
 * (zs_rows_raw_span); then every ID-shaped run anywhere in it. Returns how
 * many were masked. For what leaves zs-push of a rejected row. */
size_t zs_input_mask_raw(zs_input_kind_t kind, const zs_rows_t *rows, const zs_row_t *row,
                         char *text, size_t text_len);

/* Whether s is a valid identifier (household, person, event): 1 to 32
 * characters of [0-9A-Za-z_-]. */
bool zs_input_is_id(const char *s, size_t len);

#endif
