/* zs_input.c: the registry export contract as tables, one row per column:
 * which field it fills and what it must be. The enum symbols come from the
 * schemas themselves, so the contract's closed sets live in one place. */
#include "zs_input.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_codec.h"
#include "zs_contract.h"
#include "zs_idno.h"
#include "zs_log.h"
#include "zs_money.h"
#include "zs_period.h"

/* What a column must hold; the limits are those of zs_contract.h. */
typedef enum kind {
    K_ID,         /* 1-ZS_CONTRACT_ID_MAX of [0-9A-Za-z_-] */
    K_WARNING_ID, /* 1-ZS_CONTRACT_NAME_MAX of [0-9A-Za-z_-] (the ids zs-monitor makes) */
    K_NAME,       /* text, 1-ZS_CONTRACT_NAME_MAX bytes of valid UTF-8, no control characters */
    K_NOTE,       /* text, 0-ZS_CONTRACT_TEXT_MAX bytes of valid UTF-8 */
    K_YEAR,       /* ZS_CONTRACT_YEAR_MIN-ZS_CONTRACT_YEAR_MAX */
    K_MONTH,      /* 1-12 */
    K_BIRTH_YEAR, /* ZS_CONTRACT_BIRTH_YEAR_MIN-ZS_CONTRACT_BIRTH_YEAR_MAX */
    K_DISABILITY, /* 0 none, 1-4 certified grade */
    K_ENUM,       /* a symbol of the field's enum in the schema */
    K_YN,         /* Y or N, a boolean */
    K_MONEY,      /* yuan, at most two decimals, 0-ZS_CONTRACT_AMOUNT_MAX_FEN; stored in fen */
    K_TIME,       /* ISO 8601 with an offset, in [ZS_CONTRACT_TIME_MIN_MS, ZS_CONTRACT_TIME_MAX_MS);
                     stored as epoch milliseconds */
    K_COUNTY,     /* a county code of the configured region */
    K_IDNO,       /* resident ID number; stored masked (last: sizes takes_literal) */
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
    {"measure", "measure", K_ENUM, true}, /* FollowUp.v2: optional, for MEASURE */
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

/* [0-9A-Za-z_-] as one bit per ASCII character: 0-63, then 64-127. */
#define ID_CHARS_LO ((UINT64_C(0x3FF) << '0') | (UINT64_C(1) << '-'))
#define ID_CHARS_HI                                                                                \
    ((UINT64_C(0x3FFFFFF) << ('A' - 64)) | (UINT64_C(0x3FFFFFF) << ('a' - 64)) |                   \
     (UINT64_C(1) << ('_' - 64)))

/* Whether s holds 1 to max characters of [0-9A-Za-z_-]. Every row checks
 * several ids: a bit set, not strspn, which rebuilds its set on each call. */
static bool is_id_of(const char *s, size_t len, size_t max)
{
    if (len < 1 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 128 || !(((c < 64 ? ID_CHARS_LO : ID_CHARS_HI) >> (c & 63)) & 1))
            return false;
    }
    return true;
}

bool zs_input_is_id(const char *s, size_t len)
{
    return is_id_of(s, len, ZS_CONTRACT_ID_MAX);
}

/* A decimal integer in [lo, hi], nothing else (at most 9 digits). */
static bool parse_int(const char *s, size_t len, long lo, long hi, long *out)
{
    if (len == 0 || len > 9)
        return false;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (s[i] - '0');
    }
    if (n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

/* Reasons below spell these limits out. */
_Static_assert(ZS_CONTRACT_AMOUNT_MAX_FEN == INT64_C(10000000000), "100000000 yuan");
_Static_assert(ZS_CONTRACT_TIME_MIN_MS == INT64_C(946684800000), "2000-01-01T00:00:00Z");
_Static_assert(ZS_CONTRACT_TIME_MAX_MS == INT64_C(4133980800000), "2101-01-01T00:00:00Z");

/* A macro's value as a string literal. */
#define ZS_STR_(x) #x
#define ZS_STR(x)  ZS_STR_(x)

/* Text a person typed: valid UTF-8, no control characters, within bounds. */
static const char *check_text(const char *s, size_t len, size_t min, size_t max)
{
    if (len < min)
        return "empty";
    if (len > max)
        return max == ZS_CONTRACT_NAME_MAX ? "longer than " ZS_STR(ZS_CONTRACT_NAME_MAX) " bytes"
                                           : "longer than " ZS_STR(ZS_CONTRACT_TEXT_MAX) " bytes";
    /* Printable ASCII, the common case, is valid UTF-8 without a control
     * character: only the spaces are left to check. */
    size_t i = 0;
    while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
        i++;
    if (i == len)
        return s[0] == ' ' || s[len - 1] == ' ' ? "leading or trailing space" : NULL;
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
            !parse_int(row->fields[i].data, row->fields[i].len, ZS_CONTRACT_BIRTH_YEAR_MIN,
                       ZS_CONTRACT_BIRTH_YEAR_MAX, &year))
            year = 0;
    return (int)year;
}

/* An enum's symbols with their lengths, to find a value among them without
 * avro-c's lookup (a hash of the value, then strcmp). */
#define MAX_SYMS 24
typedef struct enum_syms {
    size_t n; /* 0: none kept (more than MAX_SYMS): look up through avro-c */
    const char *name[MAX_SYMS];
    size_t len[MAX_SYMS];
} enum_syms_t;

/* Keeps the symbols of enum_schema (owned by the schema, which outlives
 * the plan that keeps them). */
static void enum_syms_init(enum_syms_t *syms, avro_schema_t enum_schema)
{
    syms->n = 0;
    if (enum_schema == NULL || avro_typeof(enum_schema) != AVRO_ENUM)
        return;
    size_t count = avro_schema_enum_number_of_symbols(enum_schema);
    if (count > MAX_SYMS)
        return;
    for (size_t i = 0; i < count; i++) {
        syms->name[i] = avro_schema_enum_get(enum_schema, (int)i);
        syms->len[i] = strlen(syms->name[i]);
    }
    syms->n = count;
}

/* The index of the symbol s (len bytes, NUL-terminated) of enum_schema, or
 * -1; through syms when it holds them (may be NULL). */
static int enum_find(avro_schema_t enum_schema, const enum_syms_t *syms, const char *s, size_t len)
{
    if (syms == NULL || syms->n == 0)
        return avro_schema_enum_get_by_name(enum_schema, s);
    for (size_t i = 0; i < syms->n; i++)
        if (syms->len[i] == len && memcmp(syms->name[i], s, len) == 0)
            return (int)i;
    return -1;
}

/* The kinds a JSON Lines value may give as a number rather than a string. */
static const bool takes_literal[K_IDNO + 1] = {
    [K_YEAR] = true,       [K_MONTH] = true, [K_BIRTH_YEAR] = true,
    [K_DISABILITY] = true, [K_MONEY] = true, [K_COUNTY] = true,
};

/* A column's value once checked. */
typedef struct parsed {
    enum { P_STR, P_INT, P_LONG, P_BOOL, P_ENUM } type;
    const char *s; /* P_STR: len bytes (s may point at masked) */
    size_t len;
    int64_t n; /* P_INT, P_LONG, P_BOOL (0/1), P_ENUM (symbol index) */
    char masked[64];
} parsed_t;

/* Checks one value (enum_schema: the field's enum, for K_ENUM, and syms its
 * symbols or NULL) into *out; returns a reason or NULL. reason_buf holds
 * reasons that are built. */
static const char *parse_column(const column_t *c, const zs_field_t *f, avro_schema_t enum_schema,
                                const enum_syms_t *syms, const column_t *columns,
                                const zs_row_t *row, const zs_county_table_t *counties,
                                parsed_t *out, char *reason_buf, size_t reason_size)
{
    const char *s = f->data;
    size_t len = f->len;
    long n = 0;
    out->type = P_STR;
    out->s = s;
    out->len = len;
    /* JSON Lines: text is a JSON string; "source": true is not the text
     * "true". Numbers may stand for numbers and county codes. */
    if (row->literal != NULL && row->literal[c - columns] && !takes_literal[c->kind])
        return "not a JSON string (text goes in quotes)";
    switch (c->kind) {
    case K_ID:
    case K_WARNING_ID:
        if (!is_id_of(s, len, c->kind == K_ID ? ZS_CONTRACT_ID_MAX : ZS_CONTRACT_NAME_MAX))
            return c->kind == K_ID
                       ? "not 1-" ZS_STR(ZS_CONTRACT_ID_MAX) " characters of 0-9 A-Z a-z _ -"
                       : "not 1-" ZS_STR(ZS_CONTRACT_NAME_MAX) " characters of 0-9 A-Z a-z _ -";
        return NULL;
    case K_NAME:
    case K_NOTE:
        return check_text(s, len, c->kind == K_NAME ? 1 : 0,
                          c->kind == K_NAME ? ZS_CONTRACT_NAME_MAX : ZS_CONTRACT_TEXT_MAX);
    case K_YEAR:
    case K_MONTH:
    case K_BIRTH_YEAR:
    case K_DISABILITY: {
        static const struct {
            long lo, hi;
            const char *why;
        } range[] = {[K_YEAR] = {ZS_CONTRACT_YEAR_MIN, ZS_CONTRACT_YEAR_MAX,
                                 "not a year from " ZS_STR(ZS_CONTRACT_YEAR_MIN) " to " ZS_STR(
                                     ZS_CONTRACT_YEAR_MAX)},
                     [K_MONTH] = {1, 12, "not a month from 1 to 12"},
                     [K_BIRTH_YEAR] =
                         {ZS_CONTRACT_BIRTH_YEAR_MIN, ZS_CONTRACT_BIRTH_YEAR_MAX,
                          "not a birth year from " ZS_STR(ZS_CONTRACT_BIRTH_YEAR_MIN) " to " ZS_STR(
                              ZS_CONTRACT_BIRTH_YEAR_MAX)},
                     [K_DISABILITY] = {0, 4, "not a disability grade 0 (none) to 4"}};
        if (!parse_int(s, len, range[c->kind].lo, range[c->kind].hi, &n))
            return range[c->kind].why;
        out->type = P_INT;
        out->n = n;
        return NULL;
    }
    case K_ENUM: {
        int sym = enum_find(enum_schema, syms, s, len);
        if (sym < 0) {
            int off = snprintf(reason_buf, reason_size, "not one of");
            size_t count = avro_schema_enum_number_of_symbols(enum_schema);
            for (size_t i = 0; i < count && off > 0 && (size_t)off < reason_size; i++)
                off += snprintf(reason_buf + off, reason_size - (size_t)off, "%s %s",
                                i == 0 ? "" : ",", avro_schema_enum_get(enum_schema, (int)i));
            return reason_buf;
        }
        out->type = P_ENUM;
        out->n = sym;
        return NULL;
    }
    case K_YN:
        if (len != 1 || (s[0] != 'Y' && s[0] != 'N'))
            return "not Y or N";
        out->type = P_BOOL;
        out->n = s[0] == 'Y';
        return NULL;
    case K_MONEY:
    case K_TIME:
        out->type = P_LONG;
        if ((c->kind == K_MONEY ? zs_money_parse(s, len, false, &out->n, reason_buf, reason_size)
                                : zs_time_parse(s, len, &out->n, reason_buf, reason_size)) != ZS_OK)
            return reason_buf;
        if (c->kind == K_MONEY && out->n > ZS_CONTRACT_AMOUNT_MAX_FEN)
            return "more than 100000000 yuan, the most one record may carry";
        if (c->kind == K_TIME &&
            (out->n < ZS_CONTRACT_TIME_MIN_MS || out->n >= ZS_CONTRACT_TIME_MAX_MS))
            return "not from 2000-01-01T00:00:00Z to before 2101-01-01T00:00:00Z";
        return NULL;
    case K_COUNTY:
        if (len != 6 || strspn(s, "0123456789") != 6)
            return "not a 6-digit county code";
        if (counties != NULL && zs_county_find(counties, s, len) == NULL)
            return "not a county of the configured region";
        return NULL;
    case K_IDNO:
        if (zs_idno_check(s, len, row_birth_year(columns, row), reason_buf, reason_size) != ZS_OK)
            return reason_buf;
        zs_idno_mask(s, len, out->masked, sizeof(out->masked));
        out->s = out->masked;
        out->len = strlen(out->masked);
        return NULL;
    }
    return "unknown column kind";
}

/* The enum schema behind a field value (through an optional's branch). */
static avro_schema_t enum_of(avro_schema_t field)
{
    if (avro_typeof(field) == AVRO_UNION)
        field = avro_schema_union_branch(field, 1);
    while (avro_typeof(field) == AVRO_LINK)
        field = avro_schema_link_target(field);
    return field;
}

/* Checks one value and sets it; returns a reason or NULL. */
static const char *set_column(const column_t *c, const zs_field_t *f, avro_value_t *field,
                              const column_t *columns, const zs_row_t *row,
                              const zs_county_table_t *counties, char *reason_buf,
                              size_t reason_size)
{
    parsed_t v;
    const char *why = parse_column(c, f, enum_of(avro_value_get_schema(field)), NULL, columns, row,
                                   counties, &v, reason_buf, reason_size);
    if (why != NULL)
        return why;
    avro_value_t branch, *to = field_target(field, &branch);
    int rc = -1;
    if (to != NULL) {
        switch (v.type) {
        case P_STR:
            rc = avro_value_set_string_len(to, v.s, v.len + 1);
            break;
        case P_INT:
            rc = avro_value_set_int(to, (int32_t)v.n);
            break;
        case P_LONG:
            rc = avro_value_set_long(to, v.n);
            break;
        case P_BOOL:
            rc = avro_value_set_boolean(to, (int)v.n);
            break;
        case P_ENUM:
            rc = avro_value_set_enum(to, (int)v.n);
            break;
        }
    }
    return rc != 0 ? "cannot set the field" : NULL;
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

/* How a flat export's row becomes Avro bytes: per schema field, in schema
 * order, the column it comes from and how it is written. Built once per
 * schema. */
typedef struct flat_field {
    size_t col;       /* index into the kind's columns */
    bool optional;    /* a union: null is branch 0, the value branch 1 */
    avro_type_t type; /* of the value */
    avro_schema_t enum_schema;
} flat_field_t;

typedef struct flat_plan {
    const zs_schema_t *schema;
    size_t n;
    flat_field_t fields[16];
    avro_schema_t col_enum[16]; /* per column: the enum of the field it fills, or NULL */
    enum_syms_t col_syms[16];   /* and its symbols */
    unsigned char header[ZS_CODEC_HEADER_SIZE]; /* C3 01 and the fingerprint */
} flat_plan_t;

static zs_err_t flat_plan(zs_input_kind_t kind, const zs_schema_t *schema, flat_plan_t *plan,
                          char *errstr, size_t errstr_size)
{
    avro_schema_t rec = zs_schema_avro(schema);
    const column_t *columns = specs[kind].columns;
    plan->n = avro_schema_record_size(rec);
    if (plan->n > sizeof(plan->fields) / sizeof(plan->fields[0]))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: too many fields",
                       specs[kind].message);
    for (size_t i = 0; i < plan->n; i++) {
        const char *name = avro_schema_record_field_name(rec, (int)i);
        avro_schema_t ft = avro_schema_record_field_get_by_index(rec, (int)i);
        flat_field_t *f = &plan->fields[i];
        f->col = SIZE_MAX;
        for (size_t c = 0; columns[c].name != NULL; c++)
            if (columns[c].field != NULL && strcmp(columns[c].field, name) == 0)
                f->col = c;
        if (f->col == SIZE_MAX)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s.%s: no column fills it",
                           specs[kind].message, name);
        f->optional = avro_typeof(ft) == AVRO_UNION;
        f->enum_schema = enum_of(ft);
        f->type = avro_typeof(f->enum_schema);
    }
    /* Per column, the enum of the (last) field it fills. */
    for (size_t c = 0; columns[c].name != NULL; c++) {
        plan->col_enum[c] = NULL;
        for (size_t k = 0; k < plan->n; k++)
            if (plan->fields[k].col == c)
                plan->col_enum[c] = plan->fields[k].enum_schema;
        enum_syms_init(&plan->col_syms[c], plan->col_enum[c]);
    }
    plan->header[0] = 0xC3;
    plan->header[1] = 0x01;
    uint64_t fp = zs_schema_fingerprint(schema);
    for (int i = 0; i < 8; i++)
        plan->header[2 + i] = (unsigned char)(fp >> (8 * i));
    plan->schema = schema;
    return ZS_OK;
}

/* Appends n as a zig-zag varint, in place while there is room for the
 * longest (10 bytes and the NUL). */
static inline zs_err_t put_long(zs_buf_t *out, int64_t n)
{
    uint64_t z = ((uint64_t)n << 1) ^ (uint64_t)(n >> 63);
    char b[10];
    char *p = out->cap > 0 && out->cap - out->len > sizeof(b) ? out->data + out->len : b;
    size_t len = 0;
    do {
        p[len++] = (char)((z & 0x7f) | (z > 0x7f ? 0x80 : 0));
        z >>= 7;
    } while (z != 0);
    if (p == b)
        return zs_buf_add(out, b, len);
    out->len += len;
    out->data[out->len] = '\0';
    return ZS_OK;
}

zs_err_t zs_input_encode(zs_input_kind_t kind, const zs_row_t *row,
                         const zs_county_table_t *counties, const zs_schema_t *schema,
                         zs_buf_t *out, size_t *bad_col, char *errstr, size_t errstr_size)
{
    static flat_plan_t plans[ZS_INPUT__COUNT];
    flat_plan_t *plan = &plans[kind];
    if (kind == ZS_INPUT_HOUSEHOLDS || kind == ZS_INPUT_MEMBERS)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s are not flat", specs[kind].name);
    if (plan->schema != schema) {
        zs_err_t err = flat_plan(kind, schema, plan, errstr, errstr_size);
        if (err != ZS_OK)
            return err;
    }
    /* Check every column first, in column order, as zs_input_convert does. */
    const column_t *columns = specs[kind].columns;
    parsed_t values[16];
    bool empty[16];
    char reason[256];
    for (size_t i = 0; columns[i].name != NULL; i++) {
        const column_t *c = &columns[i];
        const zs_field_t *f = &row->fields[i];
        const char *why = NULL;
        empty[i] = !f->present || f->len == 0;
        if (empty[i] && !c->optional)
            why = "empty";
        else if (!empty[i])
            why = parse_column(c, f, plan->col_enum[i], &plan->col_syms[i], columns, row, counties,
                               &values[i], reason, sizeof(reason));
        if (why != NULL) {
            *bad_col = i;
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s", c->name, why);
        }
    }
    /* Then write the fields in schema order. */
    zs_buf_reset(out);
    zs_err_t err = zs_buf_add(out, plan->header, sizeof(plan->header));
    for (size_t k = 0; err == ZS_OK && k < plan->n; k++) {
        const flat_field_t *f = &plan->fields[k];
        const parsed_t *v = &values[f->col];
        if (f->optional) {
            err = put_long(out, empty[f->col] ? 0 : 1);
            if (empty[f->col] || err != ZS_OK)
                continue;
        } else if (empty[f->col]) {
            /* An optional column for a required string field: empty text. */
            err = put_long(out, 0);
            continue;
        }
        switch (v->type) {
        case P_STR:
            err = put_long(out, (int64_t)v->len);
            if (err == ZS_OK)
                err = zs_buf_add(out, v->s, v->len);
            break;
        case P_BOOL:
            err = zs_buf_addc(out, (char)v->n);
            break;
        default: /* int, long and enum index are all zig-zag varints */
            err = put_long(out, v->n);
        }
    }
    return err == ZS_OK
               ? ZS_OK
               : zs_fail(errstr, errstr_size, err, "%s: %s", specs[kind].message, zs_err2str(err));
}

size_t zs_input_mask_text(zs_input_kind_t kind, const zs_row_t *row)
{
    size_t count = 0;
    const column_t *columns = specs[kind].columns;
    for (size_t i = 0; columns[i].name != NULL && i < row->ncols; i++) {
        const zs_field_t *f = &row->fields[i];
        if ((columns[i].kind == K_NAME || columns[i].kind == K_NOTE) && f->present && f->len > 0)
            /* The reader's own buffer (zs_rows.h): writable until its next row. */
            count += zs_log_mask_idnumbers((char *)f->data, f->len);
    }
    return count;
}

size_t zs_input_mask_raw(zs_input_kind_t kind, const zs_rows_t *rows, const zs_row_t *row,
                         char *text, size_t text_len)
{
    size_t count = 0;
    const column_t *columns = specs[kind].columns;
    for (size_t i = 0; rows != NULL && columns[i].name != NULL; i++) {
        size_t off, len;
        if (columns[i].kind == K_IDNO && zs_rows_raw_span(rows, row, i, &off, &len) &&
            off <= text_len && len <= text_len - off)
            count += zs_idno_mask_inplace(text + off, len);
    }
    return count + zs_log_mask_idnumbers(text, text_len);
}
