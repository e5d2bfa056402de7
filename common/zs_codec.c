/* zs_codec.c: single-object encoding and a bounds-checked decoder.
 *
 * Decoding does not use avro-c's binary reader: that reader allocates for
 * every string, and leaks when a datum ends inside one (measured with
 * avro-c 1.11.1), which a long-running consumer fed poison messages cannot
 * afford. Nor does it use avro-c's resolver, which refuses a reader field
 * that the writer lacks even when it has a default (avro-c ignores
 * defaults), the one change schema evolution needs most. Instead, for each
 * writer schema met, this file builds a plan: the writer schema's tree, each
 * node saying where its value goes in the reader schema (which field, which
 * enum symbol, which union branch, which promotion, or nowhere) and which
 * reader fields take their defaults. Decoding walks the plan over the bytes,
 * checking every length against what is left, and hands each value to
 * avro-c's setters, which copy into buffers the reused value already has. */
#include "zs_codec.h"

#include "zs_avrojson.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH       64    /* nesting of records, arrays, unions */
#define MAX_EMPTY_ITEMS 65536 /* items of a type that takes no bytes */
#define NONE            (-1)  /* no counterpart in the reader schema */

struct zs_encoder {
    const zs_schema_t *schema;
    avro_value_t value;
    avro_writer_t writer;
};

typedef struct plan plan_t;

/* What a decoder keeps per schema of its set. */
typedef struct slot {
    const zs_schema_t *reader; /* latest version of this schema's message; NULL until used */
    plan_t *plan;              /* how data written with this schema reaches reader */
    plan_t *plans;             /* every node of plan, for freeing (plans may share nodes) */
    avro_value_t value;        /* an instance of this schema, when it is a reader */
    bool has_value;
} slot_t;

struct zs_decoder {
    const zs_schemas_t *set;
    slot_t *slots; /* one per schema, by zs_schema_index */
    zs_buf_t scratch;
};

/* Where a decode is in its input. */
typedef struct cursor {
    const unsigned char *start, *p, *end;
    zs_buf_t *scratch;
    char *errstr;
    size_t errstr_size;
} cursor_t;

zs_err_t zs_codec_peek(const void *msg, size_t len, uint64_t *fingerprint)
{
    const unsigned char *p = msg;
    if (len < 2 || (len >= 2 && (p[0] != 0xC3 || p[1] != 0x01)))
        return len >= 2 || (len == 1 && p[0] != 0xC3) ? ZS_ERR_BAD_MAGIC : ZS_ERR_TRUNCATED;
    if (len < ZS_CODEC_HEADER_SIZE)
        return ZS_ERR_TRUNCATED;
    uint64_t fp = 0;
    for (int i = 7; i >= 0; i--)
        fp = (fp << 8) | p[2 + i];
    *fingerprint = fp;
    return ZS_OK;
}

zs_err_t zs_encoder_new(const zs_schema_t *schema, zs_encoder_t **out, char *errstr,
                        size_t errstr_size)
{
    zs_encoder_t *enc = calloc(1, sizeof(*enc));
    if (enc == NULL)
        return ZS_ERR_NOMEM;
    enc->schema = schema;
    if (avro_generic_value_new(zs_schema_class(schema), &enc->value) != 0) {
        free(enc);
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "%s: %s", zs_schema_name(schema),
                       avro_strerror());
    }
    enc->writer = avro_writer_memory(NULL, 0);
    if (enc->writer == NULL) {
        avro_value_decref(&enc->value);
        free(enc);
        return ZS_ERR_NOMEM;
    }
    *out = enc;
    return ZS_OK;
}

void zs_encoder_free(zs_encoder_t *enc)
{
    if (enc == NULL)
        return;
    avro_value_decref(&enc->value);
    avro_writer_free(enc->writer);
    free(enc);
}

avro_value_t *zs_encoder_value(zs_encoder_t *enc)
{
    /* A reset union keeps its branch with an emptied value, which avro-c
     * cannot write: start every optional field at null instead. */
    avro_value_reset(&enc->value);
    zs_codec_null_optionals(&enc->value);
    return &enc->value;
}

zs_err_t zs_encoder_encode_value(zs_encoder_t *enc, avro_value_t *value, zs_buf_t *out,
                                 char *errstr, size_t errstr_size)
{
    size_t size = 0;
    if (avro_value_sizeof(value, &size) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "%s: %s", zs_schema_name(enc->schema),
                       avro_strerror());
    zs_buf_reset(out);
    zs_err_t err = zs_buf_reserve(out, ZS_CODEC_HEADER_SIZE + size);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "%s: message of %zu bytes: %s",
                       zs_schema_name(enc->schema), size, zs_err2str(err));
    unsigned char *p = (unsigned char *)out->data;
    uint64_t fp = zs_schema_fingerprint(enc->schema);
    p[0] = 0xC3;
    p[1] = 0x01;
    for (int i = 0; i < 8; i++)
        p[2 + i] = (unsigned char)(fp >> (8 * i));
    avro_writer_memory_set_dest(enc->writer, out->data + ZS_CODEC_HEADER_SIZE, (int64_t)size);
    if (avro_value_write(enc->writer, value) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO,
                       "%s: cannot write the value (is every union, bytes and fixed set?) %s",
                       zs_schema_name(enc->schema), avro_strerror());
    out->len = ZS_CODEC_HEADER_SIZE + size;
    out->data[out->len] = '\0';
    return ZS_OK;
}

zs_err_t zs_codec_null_optionals(avro_value_t *record)
{
    size_t n = 0;
    if (avro_value_get_size(record, &n) != 0)
        return ZS_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        avro_value_t f, b;
        if (avro_value_get_by_index(record, i, &f, NULL) != 0)
            return ZS_ERR_AVRO;
        if (avro_value_get_type(&f) != AVRO_UNION)
            continue;
        avro_schema_t first = avro_schema_union_branch(avro_value_get_schema(&f), 0);
        if (avro_typeof(first) == AVRO_NULL &&
            (avro_value_set_branch(&f, 0, &b) != 0 || avro_value_set_null(&b) != 0))
            return ZS_ERR_AVRO;
    }
    return ZS_OK;
}

zs_err_t zs_encoder_encode(zs_encoder_t *enc, zs_buf_t *out, char *errstr, size_t errstr_size)
{
    return zs_encoder_encode_value(enc, &enc->value, out, errstr, errstr_size);
}

/* ---- resolution plans ---- */

/* One node of a plan: a writer schema node and where its value goes. */
struct plan {
    avro_schema_t w; /* writer node, links followed */
    avro_schema_t r; /* reader node, links followed; NULL: read and drop */
    size_t n;        /* kids: record fields, union branches, or 1 item type */
    plan_t **kids;
    int *map;         /* record: writer field -> reader field; enum: symbol -> symbol;
                         union: branch -> reader branch (NONE: no counterpart) */
    int branch;       /* a non-union writer read into a union reader: the branch, else NONE */
    size_t ndefaults; /* record: reader fields the writer lacks */
    int *default_index;
    json_t **default_value; /* borrowed from the reader zs_schema_t */
    plan_t *next;           /* the slot's list of all nodes */
};

typedef struct planner {
    const zs_schema_t *reader;
    plan_t **all; /* list head of every node made */
    char *errstr;
    size_t errstr_size;
} planner_t;

static avro_schema_t follow(avro_schema_t s)
{
    while (s != NULL && avro_typeof(s) == AVRO_LINK)
        s = avro_schema_link_target(s);
    return s;
}

static void full_name_of(avro_schema_t s, char *out, size_t size)
{
    const char *ns = avro_schema_namespace(s);
    if (ns != NULL && ns[0] != '\0')
        snprintf(out, size, "%s.%s", ns, avro_schema_name(s));
    else
        snprintf(out, size, "%s", avro_schema_name(s));
}

static bool is_named(avro_type_t t)
{
    return t == AVRO_RECORD || t == AVRO_ENUM || t == AVRO_FIXED;
}

/* Whether data of writer type w can be read as reader type r (Avro spec,
 * "Schema Resolution": same type and short name, or a promotion). */
static bool resolvable(avro_schema_t w, avro_schema_t r)
{
    avro_type_t wt = avro_typeof(w), rt = avro_typeof(r);
    if (wt == rt) {
        if (!is_named(wt))
            return true;
        if (strcmp(avro_schema_name(w), avro_schema_name(r)) != 0)
            return false;
        return wt != AVRO_FIXED || avro_schema_fixed_size(w) == avro_schema_fixed_size(r);
    }
    switch (wt) {
    case AVRO_INT32:
        return rt == AVRO_INT64 || rt == AVRO_FLOAT || rt == AVRO_DOUBLE;
    case AVRO_INT64:
        return rt == AVRO_FLOAT || rt == AVRO_DOUBLE;
    case AVRO_FLOAT:
        return rt == AVRO_DOUBLE;
    case AVRO_STRING:
        return rt == AVRO_BYTES;
    case AVRO_BYTES:
        return rt == AVRO_STRING;
    default:
        return false;
    }
}

/* The first branch of union r that w resolves to, or NONE. */
static int matching_branch(avro_schema_t w, avro_schema_t r)
{
    size_t n = avro_schema_union_size(r);
    /* An exact type match wins over a promotion. */
    for (size_t i = 0; i < n; i++) {
        avro_schema_t b = follow(avro_schema_union_branch(r, (int)i));
        if (avro_typeof(b) == avro_typeof(w) && resolvable(w, b))
            return (int)i;
    }
    for (size_t i = 0; i < n; i++)
        if (resolvable(w, follow(avro_schema_union_branch(r, (int)i))))
            return (int)i;
    return NONE;
}

static void plans_free(plan_t *all)
{
    while (all != NULL) {
        plan_t *next = all->next;
        free(all->kids);
        free(all->map);
        free(all->default_index);
        free(all->default_value);
        free(all);
        all = next;
    }
}

static plan_t *plan_alloc(planner_t *p, avro_schema_t w, avro_schema_t r, size_t n)
{
    plan_t *plan = calloc(1, sizeof(*plan));
    if (plan == NULL)
        return NULL;
    plan->next = *p->all;
    *p->all = plan;
    plan->w = w;
    plan->r = r;
    plan->branch = NONE;
    plan->n = n;
    if (n > 0) {
        plan->kids = calloc(n, sizeof(*plan->kids));
        plan->map = calloc(n, sizeof(*plan->map));
        if (plan->kids == NULL || plan->map == NULL)
            return NULL;
    }
    return plan;
}

/* An earlier node for the same pair: recursive types reuse it. */
static plan_t *plan_find(planner_t *p, avro_schema_t w, avro_schema_t r)
{
    for (plan_t *q = *p->all; q != NULL; q = q->next)
        if (q->w == w && q->r == r && q->branch == NONE)
            return q;
    return NULL;
}

static zs_err_t plan_build(planner_t *p, avro_schema_t w, avro_schema_t r, plan_t **out);

static zs_err_t plan_record(planner_t *p, plan_t *plan)
{
    avro_schema_t w = plan->w, r = plan->r;
    for (size_t i = 0; i < plan->n; i++) {
        const char *name = avro_schema_record_field_name(w, (int)i);
        int ri = r != NULL ? avro_schema_record_field_get_index(r, name) : NONE;
        plan->map[i] = ri >= 0 ? ri : NONE;
        zs_err_t err = plan_build(p, avro_schema_record_field_get_by_index(w, (int)i),
                                  ri >= 0 ? avro_schema_record_field_get_by_index(r, ri) : NULL,
                                  &plan->kids[i]);
        if (err != ZS_OK)
            return err;
    }
    if (r == NULL)
        return ZS_OK;
    size_t rn = avro_schema_record_size(r);
    plan->default_index = calloc(rn, sizeof(*plan->default_index));
    plan->default_value = calloc(rn, sizeof(*plan->default_value));
    if (plan->default_index == NULL || plan->default_value == NULL)
        return ZS_ERR_NOMEM;
    char full[1024];
    full_name_of(r, full, sizeof(full));
    for (size_t j = 0; j < rn; j++) {
        const char *name = avro_schema_record_field_name(r, (int)j);
        if (avro_schema_record_field_get_index(w, name) >= 0)
            continue;
        json_t *def = zs_schema_field_default(p->reader, full, name);
        if (def == NULL)
            return zs_fail(p->errstr, p->errstr_size, ZS_ERR_INCOMPATIBLE,
                           "%s.%s is not written and has no default", full, name);
        plan->default_index[plan->ndefaults] = (int)j;
        plan->default_value[plan->ndefaults++] = def;
    }
    return ZS_OK;
}

static zs_err_t plan_enum(planner_t *p, plan_t *plan)
{
    char full[1024];
    full_name_of(plan->r, full, sizeof(full));
    const char *def = zs_schema_enum_default(p->reader, full);
    int def_index = def != NULL ? avro_schema_enum_get_by_name(plan->r, def) : NONE;
    for (size_t i = 0; i < plan->n; i++) {
        int ri = avro_schema_enum_get_by_name(plan->r, avro_schema_enum_get(plan->w, (int)i));
        plan->map[i] = ri >= 0 ? ri : def_index;
    }
    return ZS_OK;
}

static zs_err_t plan_build(planner_t *p, avro_schema_t w, avro_schema_t r, plan_t **out)
{
    w = follow(w);
    r = follow(r);
    avro_type_t wt = avro_typeof(w);
    plan_t *plan = plan_find(p, w, r);
    if (plan != NULL) {
        *out = plan;
        return ZS_OK;
    }
    /* A writer that is not a union read into a reader union: pick the branch. */
    if (r != NULL && wt != AVRO_UNION && avro_typeof(r) == AVRO_UNION) {
        int b = matching_branch(w, r);
        if (b == NONE)
            return zs_fail(p->errstr, p->errstr_size, ZS_ERR_INCOMPATIBLE,
                           "a %s cannot be read into a union without it", avro_schema_type_name(w));
        plan = plan_alloc(p, w, r, 1);
        if (plan == NULL)
            return ZS_ERR_NOMEM;
        plan->branch = b;
        *out = plan;
        return plan_build(p, w, avro_schema_union_branch(r, b), &plan->kids[0]);
    }
    if (r != NULL && wt != AVRO_UNION && !resolvable(w, r))
        return zs_fail(p->errstr, p->errstr_size, ZS_ERR_INCOMPATIBLE,
                       "a written %s %s cannot be read as %s %s", avro_schema_type_name(w),
                       is_named(wt) ? avro_schema_name(w) : "", avro_schema_type_name(r),
                       is_named(avro_typeof(r)) ? avro_schema_name(r) : "");
    size_t n = 0;
    if (wt == AVRO_RECORD)
        n = avro_schema_record_size(w);
    else if (wt == AVRO_ENUM)
        n = avro_schema_enum_number_of_symbols(w);
    else if (wt == AVRO_UNION)
        n = avro_schema_union_size(w);
    else if (wt == AVRO_ARRAY || wt == AVRO_MAP)
        n = 1;
    plan = plan_alloc(p, w, r, n);
    if (plan == NULL)
        return ZS_ERR_NOMEM;
    *out = plan;
    switch (wt) {
    case AVRO_RECORD:
        return plan_record(p, plan);
    case AVRO_ENUM:
        return r != NULL ? plan_enum(p, plan) : ZS_OK;
    case AVRO_ARRAY:
        return plan_build(p, avro_schema_array_items(w), r ? avro_schema_array_items(r) : NULL,
                          &plan->kids[0]);
    case AVRO_MAP:
        return plan_build(p, avro_schema_map_values(w), r ? avro_schema_map_values(r) : NULL,
                          &plan->kids[0]);
    case AVRO_UNION:
        for (size_t i = 0; i < n; i++) {
            avro_schema_t wb = follow(avro_schema_union_branch(w, (int)i));
            avro_schema_t rb = NULL;
            plan->map[i] = NONE;
            if (r != NULL && avro_typeof(r) == AVRO_UNION) {
                plan->map[i] = matching_branch(wb, r);
                rb = plan->map[i] != NONE ? avro_schema_union_branch(r, plan->map[i]) : NULL;
            } else if (r != NULL && resolvable(wb, r)) {
                plan->map[i] = 0;
                rb = r;
            }
            /* A branch with no counterpart is planned as dropped; reading it
             * is an error (below), as the spec says. */
            zs_err_t err = plan_build(p, wb, rb, &plan->kids[i]);
            if (err != ZS_OK)
                return err;
        }
        return ZS_OK;
    default:
        return ZS_OK;
    }
}

/* ---- decoding ---- */

static zs_err_t at(cursor_t *c, zs_err_t err, const char *field, const char *what)
{
    return zs_fail(c->errstr, c->errstr_size, err, "byte %td, field %s: %s",
                   c->p - c->start + ZS_CODEC_HEADER_SIZE, field ? field : "(top)", what);
}

static zs_err_t read_varint(cursor_t *c, const char *field, int64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
        if (c->p == c->end)
            return at(c, ZS_ERR_TRUNCATED, field, "data ends inside a number");
        if (shift > 63)
            return at(c, ZS_ERR_CORRUPT, field, "number longer than 10 bytes");
        unsigned char b = *c->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    *out = (int64_t)((v >> 1) ^ (0 - (v & 1)));
    return ZS_OK;
}

/* A length (of a string, bytes, or a block) that must fit in what is left. */
static zs_err_t read_length(cursor_t *c, const char *field, int64_t *len)
{
    zs_err_t err = read_varint(c, field, len);
    if (err != ZS_OK)
        return err;
    if (*len < 0)
        return at(c, ZS_ERR_CORRUPT, field, "negative length");
    if (*len > c->end - c->p)
        return at(c, ZS_ERR_TRUNCATED, field, "length beyond the end of the data");
    return ZS_OK;
}

static zs_err_t avro_failed(cursor_t *c, const char *field)
{
    return at(c, ZS_ERR_AVRO, field, avro_strerror());
}

/* A NUL-terminated copy of the next len bytes, in the decoder's scratch. */
static zs_err_t take_string(cursor_t *c, const char *field, int64_t len, const char **s)
{
    if (memchr(c->p, '\0', (size_t)len) != NULL)
        return at(c, ZS_ERR_CORRUPT, field, "NUL byte inside a string");
    zs_buf_reset(c->scratch);
    zs_err_t err = zs_buf_add(c->scratch, c->p, (size_t)len);
    if (err != ZS_OK)
        return at(c, err, field, "string too long");
    c->p += len;
    *s = c->scratch->data != NULL ? c->scratch->data : "";
    return ZS_OK;
}

/* Whether a value of this schema can take zero bytes (bounds item counts). */
static bool can_be_empty(avro_schema_t s)
{
    s = follow(s);
    switch (avro_typeof(s)) {
    case AVRO_NULL:
        return true;
    case AVRO_FIXED:
        return avro_schema_fixed_size(s) == 0;
    case AVRO_RECORD:
        for (size_t i = 0; i < avro_schema_record_size(s); i++)
            if (!can_be_empty(avro_schema_record_field_get_by_index(s, (int)i)))
                return false;
        return true;
    default:
        return false;
    }
}

/* Sets a number read from the writer into the reader's type (promotions). */
static int set_number(avro_value_t *dest, avro_schema_t r, int64_t n, double d, bool is_int)
{
    switch (avro_typeof(r)) {
    case AVRO_INT32:
        return avro_value_set_int(dest, (int32_t)n);
    case AVRO_INT64:
        return avro_value_set_long(dest, n);
    case AVRO_FLOAT:
        return avro_value_set_float(dest, is_int ? (float)n : (float)d);
    default:
        return avro_value_set_double(dest, is_int ? (double)n : d);
    }
}

static zs_err_t read_plan(cursor_t *c, const plan_t *plan, avro_value_t *dest, const char *field,
                          int depth);

/* Arrays and maps: blocks of items until a zero count. */
static zs_err_t read_blocks(cursor_t *c, const plan_t *plan, avro_value_t *dest, const char *field,
                            int depth)
{
    bool is_map = avro_typeof(plan->w) == AVRO_MAP;
    avro_schema_t item =
        is_map ? avro_schema_map_values(plan->w) : avro_schema_array_items(plan->w);
    bool empty_items = can_be_empty(item);
    int64_t total = 0;
    for (;;) {
        int64_t count;
        zs_err_t err = read_varint(c, field, &count);
        if (err != ZS_OK)
            return err;
        if (count == 0)
            return ZS_OK;
        if (count < 0) {
            int64_t block_bytes;
            if (count == INT64_MIN)
                return at(c, ZS_ERR_CORRUPT, field, "bad block count");
            count = -count;
            err = read_length(c, field, &block_bytes);
            if (err != ZS_OK)
                return err;
        }
        /* Checked before adding: a second block of INT64_MAX items must not
         * overflow the total (found by fuzz_decode). */
        if (empty_items ? count > MAX_EMPTY_ITEMS - total : count > c->end - c->p)
            return at(c, ZS_ERR_TRUNCATED, field, "more items than the data can hold");
        total += count;
        for (int64_t i = 0; i < count; i++) {
            avro_value_t elem, *to = NULL;
            if (is_map) {
                int64_t len;
                const char *key;
                err = read_length(c, field, &len);
                if (err == ZS_OK)
                    err = take_string(c, field, len, &key);
                if (err != ZS_OK)
                    return err;
                if (dest != NULL && avro_value_add(dest, key, &elem, NULL, NULL) != 0)
                    return avro_failed(c, field);
            } else if (dest != NULL && avro_value_append(dest, &elem, NULL) != 0) {
                return avro_failed(c, field);
            }
            if (dest != NULL)
                to = &elem;
            err = read_plan(c, plan->kids[0], to, field, depth + 1);
            if (err != ZS_OK)
                return err;
        }
    }
}

static zs_err_t read_record(cursor_t *c, const plan_t *plan, avro_value_t *dest, int depth)
{
    for (size_t i = 0; i < plan->n; i++) {
        avro_value_t fv, *to = NULL;
        const char *name = avro_schema_record_field_name(plan->w, (int)i);
        if (dest != NULL && plan->map[i] != NONE) {
            if (avro_value_get_by_index(dest, (size_t)plan->map[i], &fv, NULL) != 0)
                return avro_failed(c, name);
            to = &fv;
        }
        zs_err_t err = read_plan(c, plan->kids[i], to, name, depth + 1);
        if (err != ZS_OK)
            return err;
    }
    for (size_t j = 0; dest != NULL && j < plan->ndefaults; j++) {
        avro_value_t fv;
        int ri = plan->default_index[j];
        const char *name = avro_schema_record_field_name(plan->r, ri);
        if (avro_value_get_by_index(dest, (size_t)ri, &fv, NULL) != 0)
            return avro_failed(c, name);
        if (zs_avrojson_set_default(&fv, avro_schema_record_field_get_by_index(plan->r, ri),
                                    plan->default_value[j]) != ZS_OK)
            return at(c, ZS_ERR_INCOMPATIBLE, name, "default does not fit the field's type");
    }
    return ZS_OK;
}

static zs_err_t read_plan(cursor_t *c, const plan_t *plan, avro_value_t *dest, const char *field,
                          int depth)
{
    if (depth > MAX_DEPTH)
        return at(c, ZS_ERR_CORRUPT, field, "nested too deeply");
    if (plan->branch != NONE) {
        avro_value_t branch, *to = NULL;
        if (dest != NULL) {
            if (avro_value_set_branch(dest, plan->branch, &branch) != 0)
                return avro_failed(c, field);
            to = &branch;
        }
        return read_plan(c, plan->kids[0], to, field, depth + 1);
    }
    avro_schema_t w = plan->w;
    int64_t n = 0;
    zs_err_t err = ZS_OK;
    int rc = 0;
    switch (avro_typeof(w)) {
    case AVRO_NULL:
        rc = dest ? avro_value_set_null(dest) : 0;
        break;
    case AVRO_BOOLEAN:
        if (c->p == c->end)
            return at(c, ZS_ERR_TRUNCATED, field, "data ends before a boolean");
        if (*c->p > 1)
            return at(c, ZS_ERR_CORRUPT, field, "boolean byte is neither 0 nor 1");
        rc = dest ? avro_value_set_boolean(dest, *c->p) : 0;
        c->p++;
        break;
    case AVRO_INT32:
    case AVRO_INT64:
        err = read_varint(c, field, &n);
        if (err == ZS_OK && avro_typeof(w) == AVRO_INT32 && (n < INT32_MIN || n > INT32_MAX))
            return at(c, ZS_ERR_CORRUPT, field, "int out of range");
        if (err == ZS_OK && dest != NULL)
            rc = set_number(dest, plan->r, n, 0, true);
        break;
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
        size_t size = avro_typeof(w) == AVRO_FLOAT ? 4 : 8;
        if ((size_t)(c->end - c->p) < size)
            return at(c, ZS_ERR_TRUNCATED, field, "data ends inside a floating-point number");
        uint64_t bits = 0;
        for (size_t i = 0; i < size; i++)
            bits |= (uint64_t)c->p[i] << (8 * i);
        c->p += size;
        double d;
        if (size == 4) {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, sizeof(f));
            d = f;
        } else {
            memcpy(&d, &bits, sizeof(d));
        }
        if (dest != NULL)
            rc = set_number(dest, plan->r, 0, d, false);
        break;
    }
    case AVRO_STRING:
    case AVRO_BYTES:
        err = read_length(c, field, &n);
        if (err != ZS_OK || dest == NULL) {
            c->p += err == ZS_OK ? n : 0;
        } else if (avro_typeof(plan->r) == AVRO_STRING) {
            const char *str;
            err = take_string(c, field, n, &str);
            if (err == ZS_OK)
                rc = avro_value_set_string_len(dest, str, (size_t)n + 1);
        } else {
            rc = avro_value_set_bytes(dest, (void *)c->p, (size_t)n);
            c->p += n;
        }
        break;
    case AVRO_FIXED: {
        int64_t size = avro_schema_fixed_size(w);
        if (size > c->end - c->p)
            return at(c, ZS_ERR_TRUNCATED, field, "data ends inside a fixed");
        rc = dest ? avro_value_set_fixed(dest, (void *)c->p, (size_t)size) : 0;
        c->p += size;
        break;
    }
    case AVRO_ENUM:
        err = read_varint(c, field, &n);
        if (err == ZS_OK && (n < 0 || n >= (int64_t)plan->n))
            return at(c, ZS_ERR_CORRUPT, field, "enum index out of range");
        if (err == ZS_OK && dest != NULL && plan->map[n] == NONE)
            return at(c, ZS_ERR_INCOMPATIBLE, field, "symbol unknown to the reader, no default");
        if (err == ZS_OK && dest != NULL)
            rc = avro_value_set_enum(dest, plan->map[n]);
        break;
    case AVRO_UNION: {
        avro_value_t branch, *to = NULL;
        err = read_varint(c, field, &n);
        if (err == ZS_OK && (n < 0 || n >= (int64_t)plan->n))
            return at(c, ZS_ERR_CORRUPT, field, "union branch out of range");
        if (err != ZS_OK)
            break;
        if (dest != NULL && plan->map[n] == NONE)
            return at(c, ZS_ERR_INCOMPATIBLE, field, "union branch unknown to the reader");
        if (dest != NULL && avro_typeof(plan->r) == AVRO_UNION) {
            if (avro_value_set_branch(dest, plan->map[n], &branch) != 0)
                return avro_failed(c, field);
            to = &branch;
        } else {
            to = dest;
        }
        err = read_plan(c, plan->kids[n], to, field, depth + 1);
        break;
    }
    case AVRO_RECORD:
        err = read_record(c, plan, dest, depth);
        break;
    case AVRO_ARRAY:
    case AVRO_MAP:
        err = read_blocks(c, plan, dest, field, depth);
        break;
    case AVRO_LINK:
        return at(c, ZS_ERR_CORRUPT, field, "unresolved link");
    }
    if (err == ZS_OK && rc != 0)
        return avro_failed(c, field);
    return err;
}

zs_err_t zs_decoder_new(const zs_schemas_t *set, zs_decoder_t **out, char *errstr,
                        size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    zs_decoder_t *dec = calloc(1, sizeof(*dec));
    if (dec == NULL)
        return ZS_ERR_NOMEM;
    dec->slots = calloc(zs_schemas_count(set), sizeof(*dec->slots));
    if (dec->slots == NULL) {
        free(dec);
        return ZS_ERR_NOMEM;
    }
    dec->set = set;
    zs_buf_init(&dec->scratch, (size_t)64 << 20);
    *out = dec;
    return ZS_OK;
}

void zs_decoder_free(zs_decoder_t *dec)
{
    if (dec == NULL)
        return;
    for (size_t i = 0; i < zs_schemas_count(dec->set); i++) {
        slot_t *s = &dec->slots[i];
        plans_free(s->plans);
        if (s->has_value)
            avro_value_decref(&s->value);
    }
    free(dec->slots);
    zs_buf_free(&dec->scratch);
    free(dec);
}

/* The reader's reused value, made on first use. */
static zs_err_t reader_value(zs_decoder_t *dec, const zs_schema_t *reader, avro_value_t **value,
                             char *errstr, size_t errstr_size)
{
    slot_t *r = &dec->slots[zs_schema_index(reader)];
    if (!r->has_value) {
        if (avro_generic_value_new(zs_schema_class(reader), &r->value) != 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "%s: %s", zs_schema_name(reader),
                           avro_strerror());
        r->has_value = true;
    }
    *value = &r->value;
    return ZS_OK;
}

/* Plans decoding of messages written with schema writer. */
static zs_err_t slot_prepare(zs_decoder_t *dec, const zs_schema_t *writer, char *errstr,
                             size_t errstr_size)
{
    slot_t *w = &dec->slots[zs_schema_index(writer)];
    const zs_schema_t *reader = zs_schemas_latest(dec->set, zs_schema_name(writer));
    avro_value_t *value;
    zs_err_t err = reader_value(dec, reader, &value, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    char detail[256] = "";
    planner_t p = {
        .reader = reader, .all = &w->plans, .errstr = detail, .errstr_size = sizeof(detail)};
    err = plan_build(&p, zs_schema_avro(writer), zs_schema_avro(reader), &w->plan);
    if (err != ZS_OK) {
        plans_free(w->plans);
        w->plans = NULL;
        return zs_fail(errstr, errstr_size, err, "%s cannot be read as %s: %s",
                       zs_schema_file(writer), zs_schema_file(reader),
                       detail[0] ? detail : zs_err2str(err));
    }
    w->reader = reader;
    return ZS_OK;
}

zs_err_t zs_decoder_decode(zs_decoder_t *dec, const void *msg, size_t len,
                           const zs_schema_t **reader, avro_value_t **value, char *errstr,
                           size_t errstr_size)
{
    uint64_t fp;
    zs_err_t err = zs_codec_peek(msg, len, &fp);
    if (err == ZS_ERR_BAD_MAGIC)
        return zs_fail(errstr, errstr_size, err, "message does not start with C3 01");
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "message of %zu bytes is shorter than a header",
                       len);
    const zs_schema_t *writer = zs_schemas_find(dec->set, fp);
    if (writer == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_UNKNOWN_SCHEMA,
                       "writer schema fingerprint %016" PRIx64 " is none of our %zu schemas", fp,
                       zs_schemas_count(dec->set));
    slot_t *w = &dec->slots[zs_schema_index(writer)];
    if (w->reader == NULL) {
        err = slot_prepare(dec, writer, errstr, errstr_size);
        if (err != ZS_OK)
            return err;
    }
    avro_value_t *target = &dec->slots[zs_schema_index(w->reader)].value;
    avro_value_reset(target);

    const unsigned char *start = (const unsigned char *)msg + ZS_CODEC_HEADER_SIZE;
    cursor_t c = {.start = start,
                  .p = start,
                  .end = (const unsigned char *)msg + len,
                  .scratch = &dec->scratch,
                  .errstr = errstr,
                  .errstr_size = errstr_size};
    err = read_plan(&c, w->plan, target, NULL, 0);
    if (err != ZS_OK)
        return err;
    if (c.p != c.end)
        return at(&c, ZS_ERR_CORRUPT, NULL, "bytes left after the datum");
    *reader = w->reader;
    *value = target;
    return ZS_OK;
}
