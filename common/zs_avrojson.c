/* zs_avrojson.c: Avro's JSON encoding and default values, by the spec. */
#include "zs_avrojson.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64

static avro_schema_t follow(avro_schema_t s)
{
    while (s != NULL && avro_typeof(s) == AVRO_LINK)
        s = avro_schema_link_target(s);
    return s;
}

/* The name Avro's JSON encoding gives a union branch: a primitive's type
 * name, a named type's full name. */
static void branch_name(avro_schema_t b, char *out, size_t size)
{
    b = follow(b);
    avro_type_t t = avro_typeof(b);
    const char *ns = avro_schema_namespace(b);
    if ((t == AVRO_RECORD || t == AVRO_ENUM || t == AVRO_FIXED) && ns != NULL && ns[0] != '\0')
        snprintf(out, size, "%s.%s", ns, avro_schema_name(b));
    else if (t == AVRO_RECORD || t == AVRO_ENUM || t == AVRO_FIXED)
        snprintf(out, size, "%s", avro_schema_name(b));
    else
        snprintf(out, size, "%s", avro_schema_type_name(b));
}

/* ---- writing ---- */

/* Bytes as a JSON string of code points U+0000-U+00FF. */
static json_t *bytes_json(const unsigned char *p, size_t len, zs_buf_t *tmp)
{
    zs_buf_reset(tmp);
    for (size_t i = 0; i < len; i++) {
        char utf8[2] = {(char)(0xc0 | (p[i] >> 6)), (char)(0x80 | (p[i] & 0x3f))};
        if (zs_buf_add(tmp, p[i] < 0x80 ? (const char *)&p[i] : utf8, p[i] < 0x80 ? 1 : 2) != ZS_OK)
            return NULL;
    }
    return json_stringn_nocheck(tmp->data ? tmp->data : "", tmp->len);
}

/* A write in progress: scratch space and, once it fails, why and where. */
typedef struct writing {
    zs_buf_t tmp;
    const char *why; /* NULL until a value cannot be written */
    char path[256];  /* the field path to it, built from the inside out */
} writing_t;

/* Fails the write at the current value; returns NULL. */
static json_t *write_fail(writing_t *w, const char *why)
{
    if (w->why == NULL) {
        w->why = why;
        w->path[0] = '\0';
    }
    return NULL;
}

/* Puts the name of the value holding the failed one before the path:
 * "name.rest", "name[i]..." (name is a field, a map key or "[i]"). */
static void path_prepend(writing_t *w, const char *name)
{
    char rest[sizeof(w->path)];
    memcpy(rest, w->path, sizeof(rest));
    const char *dot = rest[0] == '\0' || rest[0] == '[' ? "" : ".";
    /* A path too deep to name whole keeps its outer part. */
    snprintf(w->path, sizeof(w->path), "%.100s%s%.150s", name, dot, rest);
}

static json_t *to_json(avro_value_t *v, writing_t *w, int depth)
{
    zs_buf_t *tmp = &w->tmp;
    if (depth > MAX_DEPTH)
        return write_fail(w, "nested too deep");
    avro_schema_t schema = follow(avro_value_get_schema(v));
    switch (avro_typeof(schema)) {
    case AVRO_NULL:
        return json_null();
    case AVRO_BOOLEAN: {
        int b = 0;
        avro_value_get_boolean(v, &b);
        return json_boolean(b);
    }
    case AVRO_INT32: {
        int32_t n = 0;
        avro_value_get_int(v, &n);
        return json_integer(n);
    }
    case AVRO_INT64: {
        int64_t n = 0;
        avro_value_get_long(v, &n);
        return json_integer(n);
    }
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
        double d = 0;
        float f = 0;
        if (avro_typeof(schema) == AVRO_FLOAT && avro_value_get_float(v, &f) == 0)
            d = f;
        else
            avro_value_get_double(v, &d);
        /* JSON has no NaN or infinity; Java's encoder writes them as strings. */
        if (isnan(d))
            return json_string("NaN");
        if (isinf(d))
            return json_string(d > 0 ? "Infinity" : "-Infinity");
        return json_real(d);
    }
    case AVRO_STRING: {
        const char *s = NULL;
        size_t size = 0;
        avro_value_get_string(v, &s, &size);
        json_t *str = json_stringn(s ? s : "", size > 0 ? size - 1 : 0);
        return str != NULL ? str : write_fail(w, "a string that is not valid UTF-8");
    }
    case AVRO_BYTES:
    case AVRO_FIXED: {
        const void *p = NULL;
        size_t size = 0;
        if (avro_typeof(schema) == AVRO_BYTES)
            avro_value_get_bytes(v, &p, &size);
        else
            avro_value_get_fixed(v, &p, &size);
        return bytes_json(p, size, tmp);
    }
    case AVRO_ENUM: {
        int i = 0;
        avro_value_get_enum(v, &i);
        const char *sym = avro_schema_enum_get(schema, i);
        return sym ? json_string(sym) : write_fail(w, "an enum index with no symbol");
    }
    case AVRO_UNION: {
        avro_value_t branch;
        int disc = -1;
        if (avro_value_get_discriminant(v, &disc) != 0 || disc < 0 ||
            avro_value_get_current_branch(v, &branch) != 0)
            return write_fail(w, "a union with no branch set");
        avro_schema_t b = follow(avro_schema_union_branch(schema, disc));
        if (avro_typeof(b) == AVRO_NULL)
            return json_null();
        char name[512];
        branch_name(b, name, sizeof(name));
        json_t *inner = to_json(&branch, w, depth + 1);
        json_t *obj = inner ? json_object() : NULL;
        if (obj == NULL || json_object_set_new(obj, name, inner) != 0) {
            json_decref(obj);
            return NULL;
        }
        return obj;
    }
    case AVRO_RECORD: {
        json_t *obj = json_object();
        size_t n = avro_schema_record_size(schema);
        for (size_t i = 0; obj != NULL && i < n; i++) {
            avro_value_t f;
            json_t *fj = NULL;
            if (avro_value_get_by_index(v, i, &f, NULL) == 0)
                fj = to_json(&f, w, depth + 1);
            if (fj == NULL)
                path_prepend(w, avro_schema_record_field_name(schema, (int)i));
            if (fj == NULL ||
                json_object_set_new(obj, avro_schema_record_field_name(schema, (int)i), fj) != 0) {
                json_decref(obj);
                obj = NULL;
            }
        }
        return obj;
    }
    case AVRO_ARRAY:
    case AVRO_MAP: {
        bool is_map = avro_typeof(schema) == AVRO_MAP;
        json_t *out = is_map ? json_object() : json_array();
        size_t n = 0;
        avro_value_get_size(v, &n);
        for (size_t i = 0; out != NULL && i < n; i++) {
            avro_value_t e;
            const char *key = NULL;
            json_t *ej = NULL;
            if (avro_value_get_by_index(v, i, &e, &key) == 0)
                ej = to_json(&e, w, depth + 1);
            if (ej == NULL) {
                char at[64];
                snprintf(at, sizeof(at), "[%zu]", i);
                path_prepend(w, is_map ? (key ? key : "") : at);
            }
            int rc = ej == NULL ? -1
                     : is_map   ? json_object_set_new(out, key ? key : "", ej)
                                : json_array_append_new(out, ej);
            if (rc != 0) {
                json_decref(out);
                out = NULL;
            }
        }
        return out;
    }
    case AVRO_LINK:
        return NULL;
    }
    return NULL;
}

zs_err_t zs_avrojson_write(avro_value_t *value, zs_buf_t *out, char *errstr, size_t errstr_size)
{
    writing_t w = {.why = NULL};
    zs_buf_init(&w.tmp, (size_t)64 << 20);
    json_t *json = to_json(value, &w, 0);
    zs_buf_free(&w.tmp);
    if (json == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s", w.path[0] ? w.path : "(top)",
                       w.why ? w.why : "cannot be written as JSON");
    char *text = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(json);
    if (text == NULL)
        return ZS_ERR_NOMEM;
    zs_err_t err = zs_buf_adds(out, text);
    free(text);
    return err;
}

/* ---- reading ---- */

/* Where a read is, for error messages. */
typedef struct reading {
    bool wrapped; /* Avro JSON encoding (true) or a default value (false) */
    char *errstr;
    size_t errstr_size;
    zs_buf_t bytes;
} reading_t;

static zs_err_t bad(reading_t *r, const char *path, const char *what)
{
    return zs_fail(r->errstr, r->errstr_size, ZS_ERR_INVALID, "%s: %s", path[0] ? path : "(top)",
                   what);
}

/* A JSON string of code points U+0000-U+00FF into r->bytes. */
static zs_err_t string_bytes(reading_t *r, json_t *json, const char *path)
{
    const unsigned char *s = (const unsigned char *)json_string_value(json);
    size_t len = json_string_length(json);
    zs_buf_reset(&r->bytes);
    for (size_t i = 0; i < len; i++) {
        unsigned cp = s[i];
        if (cp >= 0x80) {
            if ((cp & 0xe0) != 0xc0 || i + 1 >= len || (s[i + 1] & 0xc0) != 0x80)
                return bad(r, path, "bytes must be code points U+0000 to U+00FF");
            cp = ((cp & 0x1f) << 6) | (s[++i] & 0x3f);
            if (cp > 0xff)
                return bad(r, path, "bytes must be code points U+0000 to U+00FF");
        }
        if (zs_buf_addc(&r->bytes, (char)cp) != ZS_OK)
            return bad(r, path, "bytes too long");
    }
    return ZS_OK;
}

static zs_err_t read_json(reading_t *r, avro_value_t *dest, avro_schema_t schema, json_t *json,
                          char *path, size_t path_len, int depth);

/* path += "." + name while reading a child; restored by the caller. */
static size_t path_push(char *path, size_t path_len, const char *name)
{
    size_t n = strlen(path);
    snprintf(path + n, path_len - n, "%s%s", n ? "." : "", name);
    return n;
}

static zs_err_t read_union(reading_t *r, avro_value_t *dest, avro_schema_t schema, json_t *json,
                           char *path, size_t path_len, int depth)
{
    avro_value_t branch;
    if (!r->wrapped) {
        if (avro_value_set_branch(dest, 0, &branch) != 0)
            return bad(r, path, "cannot choose the union's first branch");
        return read_json(r, &branch, avro_schema_union_branch(schema, 0), json, path, path_len,
                         depth + 1);
    }
    const char *key = NULL;
    json_t *inner = json;
    if (json_is_object(json) && json_object_size(json) == 1) {
        void *it = json_object_iter(json);
        key = json_object_iter_key(it);
        inner = json_object_iter_value(it);
    } else if (!json_is_null(json)) {
        return bad(r, path, "a union is null or {\"<branch>\": value}");
    }
    for (size_t i = 0; i < avro_schema_union_size(schema); i++) {
        avro_schema_t b = avro_schema_union_branch(schema, (int)i);
        char name[512];
        branch_name(b, name, sizeof(name));
        if (key != NULL ? strcmp(key, name) != 0 : avro_typeof(follow(b)) != AVRO_NULL)
            continue;
        if (avro_value_set_branch(dest, (int)i, &branch) != 0)
            return bad(r, path, "cannot choose the branch");
        return read_json(r, &branch, b, inner, path, path_len, depth + 1);
    }
    return bad(r, path, key ? "no such branch in the union" : "the union has no null branch");
}

static zs_err_t read_record(reading_t *r, avro_value_t *dest, avro_schema_t schema, json_t *json,
                            char *path, size_t path_len, int depth)
{
    if (!json_is_object(json))
        return bad(r, path, "a record must be a JSON object");
    size_t n = avro_schema_record_size(schema), matched = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = avro_schema_record_field_name(schema, (int)i);
        json_t *fj = json_object_get(json, name);
        size_t at = path_push(path, path_len, name);
        avro_value_t fv;
        zs_err_t err = ZS_OK;
        if (fj == NULL)
            err = bad(r, path, "missing");
        else if (avro_value_get_by_index(dest, i, &fv, NULL) != 0)
            err = bad(r, path, "cannot set the field");
        else
            err = read_json(r, &fv, avro_schema_record_field_get_by_index(schema, (int)i), fj, path,
                            path_len, depth + 1);
        if (err != ZS_OK)
            return err;
        path[at] = '\0';
        matched++;
    }
    if (matched != json_object_size(json))
        return bad(r, path, "a member that is no field of the record");
    return ZS_OK;
}

static zs_err_t read_json(reading_t *r, avro_value_t *dest, avro_schema_t schema, json_t *json,
                          char *path, size_t path_len, int depth)
{
    schema = follow(schema);
    if (depth > MAX_DEPTH)
        return bad(r, path, "nested too deeply");
    int rc = 0;
    switch (avro_typeof(schema)) {
    case AVRO_NULL:
        if (!json_is_null(json))
            return bad(r, path, "not null");
        rc = avro_value_set_null(dest);
        break;
    case AVRO_BOOLEAN:
        if (!json_is_boolean(json))
            return bad(r, path, "not true or false");
        rc = avro_value_set_boolean(dest, json_is_true(json));
        break;
    case AVRO_INT32:
        if (!json_is_integer(json) || json_integer_value(json) < INT32_MIN ||
            json_integer_value(json) > INT32_MAX)
            return bad(r, path, "not a 32-bit integer");
        rc = avro_value_set_int(dest, (int32_t)json_integer_value(json));
        break;
    case AVRO_INT64:
        if (!json_is_integer(json))
            return bad(r, path, "not a 64-bit integer");
        rc = avro_value_set_long(dest, json_integer_value(json));
        break;
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
        double d;
        const char *s = json_string_value(json);
        if (json_is_number(json))
            d = json_number_value(json);
        else if (s != NULL && strcmp(s, "NaN") == 0)
            d = NAN;
        else if (s != NULL && (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0))
            d = s[0] == '-' ? -INFINITY : INFINITY;
        else
            return bad(r, path, "not a number");
        rc = avro_typeof(schema) == AVRO_FLOAT ? avro_value_set_float(dest, (float)d)
                                               : avro_value_set_double(dest, d);
        break;
    }
    case AVRO_STRING:
        if (!json_is_string(json))
            return bad(r, path, "not a string");
        if (memchr(json_string_value(json), '\0', json_string_length(json)) != NULL)
            return bad(r, path, "a string may not hold U+0000");
        rc = avro_value_set_string_len(dest, json_string_value(json), json_string_length(json) + 1);
        break;
    case AVRO_BYTES:
    case AVRO_FIXED: {
        if (!json_is_string(json))
            return bad(r, path, "bytes must be a string");
        zs_err_t err = string_bytes(r, json, path);
        if (err != ZS_OK)
            return err;
        void *p = r->bytes.data ? r->bytes.data : "";
        if (avro_typeof(schema) == AVRO_BYTES) {
            rc = avro_value_set_bytes(dest, p, r->bytes.len);
        } else {
            if ((int64_t)r->bytes.len != avro_schema_fixed_size(schema))
                return bad(r, path, "not the fixed size");
            rc = avro_value_set_fixed(dest, p, r->bytes.len);
        }
        break;
    }
    case AVRO_ENUM: {
        int i = json_is_string(json) ? avro_schema_enum_get_by_name(schema, json_string_value(json))
                                     : -1;
        if (i < 0)
            return bad(r, path, "not a symbol of the enum");
        rc = avro_value_set_enum(dest, i);
        break;
    }
    case AVRO_UNION:
        return read_union(r, dest, schema, json, path, path_len, depth);
    case AVRO_RECORD:
        return read_record(r, dest, schema, json, path, path_len, depth);
    case AVRO_ARRAY: {
        size_t i;
        json_t *item;
        if (!json_is_array(json))
            return bad(r, path, "not an array");
        json_array_foreach(json, i, item)
        {
            avro_value_t elem;
            if (avro_value_append(dest, &elem, NULL) != 0)
                return bad(r, path, "cannot append");
            zs_err_t err = read_json(r, &elem, avro_schema_array_items(schema), item, path,
                                     path_len, depth + 1);
            if (err != ZS_OK)
                return err;
        }
        return ZS_OK;
    }
    case AVRO_MAP: {
        const char *key;
        json_t *item;
        if (!json_is_object(json))
            return bad(r, path, "not an object");
        json_object_foreach(json, key, item)
        {
            avro_value_t elem;
            if (avro_value_add(dest, key, &elem, NULL, NULL) != 0)
                return bad(r, path, "cannot add");
            zs_err_t err = read_json(r, &elem, avro_schema_map_values(schema), item, path, path_len,
                                     depth + 1);
            if (err != ZS_OK)
                return err;
        }
        return ZS_OK;
    }
    case AVRO_LINK:
        return bad(r, path, "unresolved link");
    }
    return rc == 0 ? ZS_OK : bad(r, path, "cannot set the value");
}

static zs_err_t read_top(avro_value_t *dest, avro_schema_t schema, json_t *json, bool wrapped,
                         char *errstr, size_t errstr_size)
{
    reading_t r = {.wrapped = wrapped, .errstr = errstr, .errstr_size = errstr_size};
    zs_buf_init(&r.bytes, (size_t)64 << 20);
    char path[1024] = "";
    zs_err_t err = read_json(&r, dest, schema, json, path, sizeof(path), 0);
    zs_buf_free(&r.bytes);
    return err;
}

zs_err_t zs_avrojson_read(avro_value_t *dest, avro_schema_t schema, json_t *json, char *errstr,
                          size_t errstr_size)
{
    return read_top(dest, schema, json, true, errstr, errstr_size);
}

zs_err_t zs_avrojson_set_default(avro_value_t *dest, avro_schema_t schema, json_t *json)
{
    return read_top(dest, schema, json, false, NULL, 0);
}
