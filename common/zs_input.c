/* zs_input.c: the registry export contract as tables, one row per column:
 * which field it fills and what it must be. The enum symbols come from the
 * schemas themselves, so the contract's closed sets live in one place. */
#include "zs_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_idno.h"
#include "zs_money.h"
#include "zs_period.h"

/* What a column must hold. */
typedef enum kind {
    K_ID,         /* 1-32 of [0-9A-Za-z_-] */
    K_WARNING_ID, /* 1-64 of [0-9A-Za-z_-] */
    K_NAME,       /* text, 1-100 bytes of valid UTF-8, no control characters */
    K_NOTE,       /* text, 0-2000 bytes of valid UTF-8 */
    K_YEAR,       /* 2000-2100 */
    K_MONTH,      /* 1-12 */
    K_BIRTH_YEAR, /* 1900-2100 */
    K_DISABILITY, /* 0 none, 1-4 certified grade */
    K_ENUM,       /* a symbol of the field's enum in the schema */
    K_YN,         /* Y or N, a boolean */
    K_MONEY,      /* yuan, at most two decimals, >= 0; stored in fen */
    K_TIME,       /* ISO 8601 with an offset; stored as epoch milliseconds */
    K_COUNTY,     /* a county code of the configured region */
    K_IDNO,       /* resident ID number; stored masked */
} kind_t;

/* One column of an export. */
typedef struct column {
    const char *name;  /* header name */
    const char *field; /* Avro field filled; NULL: used otherwise (the join key) */
    kind_t kind;
    bool optional; /* the column may be missing from the header or empty */
} column_t;

#define END                                                                                        \
    {                                                                                              \
        NULL, NULL, K_ID, false                                                                    \
    }

static const column_t households[] = {
    {"household_id", "household_id", K_ID, false},
    {"county_code", "county_code", K_COUNTY, false},
    {"township", "township", K_NAME, false},
    {"village", "village", K_NAME, false},
    {"category", "category", K_ENUM, false},
    {"updated_at", "updated_at", K_TIME, false},
    END,
};

static const column_t members[] = {
    {"household_id", NULL, K_ID, false},
    {"person_id", "person_id", K_ID, false},
    {"id_number", "id_number_masked", K_IDNO, true},
    {"relation", "relation", K_ENUM, false},
    {"birth_year", "birth_year", K_BIRTH_YEAR, false},
    {"sex", "sex", K_ENUM, false},
    {"labor_class", "labor_class", K_ENUM, false},
    {"disability", "disability", K_DISABILITY, false},
    {"in_school", "in_school", K_YN, false},
    {"active", "active", K_YN, false},
    {"updated_at", "updated_at", K_TIME, false},
    END,
};

static const column_t income[] = {
    {"event_id", "event_id", K_ID, false},
    {"household_id", "household_id", K_ID, false},
    {"year", "year", K_YEAR, false},
    {"month", "month", K_MONTH, false},
    {"component", "component", K_ENUM, false},
    {"amount_yuan", "amount_fen", K_MONEY, false},
    {"source", "source", K_NAME, false},
    {"reported_at", "reported_at", K_TIME, false},
    END,
};

static const column_t employment[] = {
    {"event_id", "event_id", K_ID, false},
    {"household_id", "household_id", K_ID, false},
    {"person_id", "person_id", K_ID, false},
    {"year", "year", K_YEAR, false},
    {"month", "month", K_MONTH, false},
    {"status", "status", K_ENUM, false},
    {"wants_work", "wants_work", K_YN, false},
    {"source", "source", K_NAME, false},
    {"reported_at", "reported_at", K_TIME, false},
    END,
};

static const column_t subsidy[] = {
    {"event_id", "event_id", K_ID, false},
    {"household_id", "household_id", K_ID, false},
    {"person_id", "person_id", K_ID, true},
    {"program", "program", K_ENUM, false},
    {"kind", "kind", K_ENUM, false},
    {"year", "year", K_YEAR, false},
    {"month", "month", K_MONTH, false},
    {"amount_yuan", "amount_fen", K_MONEY, false},
    {"source", "source", K_NAME, false},
    {"reported_at", "reported_at", K_TIME, false},
    END,
};

static const column_t hardship[] = {
    {"event_id", "event_id", K_ID, false},
    {"household_id", "household_id", K_ID, false},
    {"year", "year", K_YEAR, false},
    {"month", "month", K_MONTH, false},
    {"kind", "kind", K_ENUM, false},
    {"amount_yuan", "amount_fen", K_MONEY, false},
    {"source", "source", K_NAME, false},
    {"reported_at", "reported_at", K_TIME, false},
    END,
};

static const column_t followup[] = {
    {"event_id", "event_id", K_ID, false},
    {"household_id", "household_id", K_ID, false},
    {"warning_id", "warning_id", K_WARNING_ID, false},
    {"action", "action", K_ENUM, false},
    {"note", "note", K_NOTE, true},
    {"officer_id", "officer_id", K_ID, false},
    {"at", "at", K_TIME, false},
    END,
};

/* Per kind: name, columns, message, topic. */
static const struct spec {
    const char *name;
    const column_t *columns;
    const char *message;
    const char *topic;
} specs[ZS_INPUT__COUNT] = {
    [ZS_INPUT_HOUSEHOLDS] = {"households", households, "Household", "household"},
    [ZS_INPUT_MEMBERS] = {"members", members, "Member", "household"},
    [ZS_INPUT_INCOME] = {"income", income, "IncomeRecord", "income"},
    [ZS_INPUT_EMPLOYMENT] = {"employment", employment, "EmploymentRecord", "employment"},
    [ZS_INPUT_SUBSIDY] = {"subsidy", subsidy, "SubsidyRecord", "subsidy"},
    [ZS_INPUT_HARDSHIP] = {"hardship", hardship, "HardshipRecord", "hardship"},
    [ZS_INPUT_FOLLOWUP] = {"followup", followup, "FollowUp", "followup"},
};

/* zs_col_t views of the tables, built once (they are what the row readers
 * take); a table has at most 16 columns. */
static zs_col_t cols[ZS_INPUT__COUNT][16];
static size_t ncols[ZS_INPUT__COUNT];

static void cols_init(void)
{
    if (ncols[0] != 0)
        return;
    for (int k = 0; k < ZS_INPUT__COUNT; k++) {
        size_t n = 0;
        for (const column_t *c = specs[k].columns; c->name != NULL; c++, n++)
            cols[k][n] = (zs_col_t){.name = c->name, .required = !c->optional};
        ncols[k] = n;
    }
}

const char *zs_input_name(zs_input_kind_t kind)
{
    return specs[kind].name;
}

zs_err_t zs_input_kind_parse(const char *name, zs_input_kind_t *kind)
{
    for (int k = 0; k < ZS_INPUT__COUNT; k++)
        if (strcmp(specs[k].name, name) == 0) {
            *kind = (zs_input_kind_t)k;
            return ZS_OK;
        }
    return ZS_ERR_NOT_FOUND;
}

const zs_col_t *zs_input_cols(zs_input_kind_t kind, size_t *n)
{
    cols_init();
    *n = ncols[kind];
    return cols[kind];
}

const char *zs_input_message(zs_input_kind_t kind)
{
    return specs[kind].message;
}

const char *zs_input_topic(zs_input_kind_t kind)
{
    return specs[kind].topic;
}

size_t zs_input_key_col(zs_input_kind_t kind)
{
    /* Households and members start with household_id, events with event_id. */
    return kind == ZS_INPUT_HOUSEHOLDS || kind == ZS_INPUT_MEMBERS ? 0 : 1;
}

/* Whether s holds 1 to max characters of [0-9A-Za-z_-]. Every row checks
 * several ids: ranges, not strspn, which rebuilds its set on each call. */
static bool is_id_of(const char *s, size_t len, size_t max)
{
    if (len < 1 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool zs_input_is_id(const char *s, size_t len)
{
    return is_id_of(s, len, 32);
}

/* A decimal integer in [lo, hi], nothing else. */
static bool parse_int(const char *s, size_t len, long lo, long hi, long *out)
{
    if (len == 0 || len > 9 || strspn(s, "0123456789") != len)
        return false;
    long n = strtol(s, NULL, 10);
    if (n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

/* Text a person typed: valid UTF-8, no control characters, within bounds. */
static const char *check_text(const char *s, size_t len, size_t min, size_t max)
{
    if (len < min)
        return "empty";
    if (len > max)
        return max == 100 ? "longer than 100 bytes" : "longer than 2000 bytes";
    size_t bad;
    if (!zs_utf8_valid(s, len, &bad))
        return "not valid UTF-8";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return "contains a control character";
    if (s[0] == ' ' || s[len - 1] == ' ')
        return "leading or trailing space";
    return NULL;
}

/* Sets an Avro field, through the union's non-null branch if optional. */
static avro_value_t *field_target(avro_value_t *field, avro_value_t *branch)
{
    if (avro_value_get_type(field) != AVRO_UNION)
        return field;
    return avro_value_set_branch(field, 1, branch) == 0 ? branch : NULL;
}

/* The birth year written in the same row, for the ID number check; 0 if none. */
static int row_birth_year(const column_t *columns, const zs_row_t *row)
{
    long year = 0;
    for (size_t i = 0; columns[i].name != NULL; i++)
        if (columns[i].kind == K_BIRTH_YEAR &&
            !parse_int(row->fields[i].data, row->fields[i].len, 1900, 2100, &year))
            year = 0;
    return (int)year;
}

/* Checks one value and sets it; returns a reason or NULL. reason_buf holds
 * reasons that are built. */
static const char *set_column(const column_t *c, const zs_field_t *f, avro_value_t *field,
                              const column_t *columns, const zs_row_t *row,
                              const zs_county_table_t *counties, char *reason_buf,
                              size_t reason_size)
{
    const char *s = f->data;
    size_t len = f->len;
    avro_value_t branch, *to = field_target(field, &branch);
    long n = 0;
    int64_t fen = 0, ms = 0;
    if (to == NULL)
        return "cannot set the field";
    switch (c->kind) {
    case K_ID:
    case K_WARNING_ID:
        if (!is_id_of(s, len, c->kind == K_ID ? 32 : 64))
            return c->kind == K_ID ? "not 1-32 characters of 0-9 A-Z a-z _ -"
                                   : "not 1-64 characters of 0-9 A-Z a-z _ -";
        return avro_value_set_string_len(to, s, len + 1) ? "cannot set the field" : NULL;
    case K_NAME:
    case K_NOTE: {
        const char *why =
            check_text(s, len, c->kind == K_NAME ? 1 : 0, c->kind == K_NAME ? 100 : 2000);
        if (why != NULL)
            return why;
        return avro_value_set_string_len(to, s, len + 1) ? "cannot set the field" : NULL;
    }
    case K_YEAR:
    case K_MONTH:
    case K_BIRTH_YEAR:
    case K_DISABILITY: {
        static const struct {
            long lo, hi;
            const char *why;
        } range[] = {[K_YEAR] = {2000, 2100, "not a year from 2000 to 2100"},
                     [K_MONTH] = {1, 12, "not a month from 1 to 12"},
                     [K_BIRTH_YEAR] = {1900, 2100, "not a birth year from 1900 to 2100"},
                     [K_DISABILITY] = {0, 4, "not a disability grade 0 (none) to 4"}};
        if (!parse_int(s, len, range[c->kind].lo, range[c->kind].hi, &n))
            return range[c->kind].why;
        return avro_value_set_int(to, (int32_t)n) ? "cannot set the field" : NULL;
    }
    case K_ENUM: {
        avro_schema_t schema = avro_value_get_schema(to);
        int sym = avro_schema_enum_get_by_name(schema, s);
        if (sym < 0) {
            int off = snprintf(reason_buf, reason_size, "not one of");
            size_t n = avro_schema_enum_number_of_symbols(schema);
            for (size_t i = 0; i < n && off > 0 && (size_t)off < reason_size; i++)
                off += snprintf(reason_buf + off, reason_size - (size_t)off, "%s %s",
                                i == 0 ? "" : ",", avro_schema_enum_get(schema, (int)i));
            return reason_buf;
        }
        return avro_value_set_enum(to, sym) ? "cannot set the field" : NULL;
    }
    case K_YN:
        if (len != 1 || (s[0] != 'Y' && s[0] != 'N'))
            return "not Y or N";
        return avro_value_set_boolean(to, s[0] == 'Y') ? "cannot set the field" : NULL;
    case K_MONEY:
        if (zs_money_parse(s, len, false, &fen, reason_buf, reason_size) != ZS_OK)
            return reason_buf;
        return avro_value_set_long(to, fen) ? "cannot set the field" : NULL;
    case K_TIME:
        if (zs_time_parse(s, len, &ms, reason_buf, reason_size) != ZS_OK)
            return reason_buf;
        return avro_value_set_long(to, ms) ? "cannot set the field" : NULL;
    case K_COUNTY:
        if (len != 6 || strspn(s, "0123456789") != 6)
            return "not a 6-digit county code";
        if (counties != NULL && zs_county_find(counties, s, len) == NULL)
            return "not a county of the configured region";
        return avro_value_set_string_len(to, s, len + 1) ? "cannot set the field" : NULL;
    case K_IDNO: {
        char masked[64];
        if (zs_idno_check(s, len, row_birth_year(columns, row), reason_buf, reason_size) != ZS_OK)
            return reason_buf;
        zs_idno_mask(s, len, masked, sizeof(masked));
        return avro_value_set_string(to, masked) ? "cannot set the field" : NULL;
    }
    }
    return "unknown column kind";
}

zs_err_t zs_input_convert(zs_input_kind_t kind, const zs_row_t *row,
                          const zs_county_table_t *counties, avro_value_t *dest, size_t *bad_col,
                          char *errstr, size_t errstr_size)
{
    const column_t *columns = specs[kind].columns;
    char reason[256];
    for (size_t i = 0; columns[i].name != NULL; i++) {
        const column_t *c = &columns[i];
        const zs_field_t *f = &row->fields[i];
        if (c->field == NULL)
            continue;
        avro_value_t field;
        if (avro_value_get_by_name(dest, c->field, &field, NULL) != 0) {
            *bad_col = i;
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: no field %s in %s", c->name,
                           c->field, specs[kind].message);
        }
        const char *why = NULL;
        if (!f->present || f->len == 0) {
            if (!c->optional)
                why = "empty";
            else if (avro_value_get_type(&field) == AVRO_UNION) {
                avro_value_t branch;
                if (avro_value_set_branch(&field, 0, &branch) != 0)
                    why = "cannot set the field";
            } else if (avro_value_set_string(&field, "") != 0) {
                why = "cannot set the field";
            }
        } else {
            why = set_column(c, f, &field, columns, row, counties, reason, sizeof(reason));
        }
        if (why != NULL) {
            *bad_col = i;
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s", c->name, why);
        }
    }
    /* The join key of a member must be an identifier too. */
    if (kind == ZS_INPUT_MEMBERS && !zs_input_is_id(row->fields[0].data, row->fields[0].len)) {
        *bad_col = 0;
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "household_id: not 1-32 characters of 0-9 A-Z a-z _ -");
    }
    return ZS_OK;
}
