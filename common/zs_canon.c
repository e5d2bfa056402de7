/* zs_canon.c: Parsing Canonical Form and CRC-64-AVRO, per the Avro spec.
 *
 * The spec's transformations, in the order this file applies them while it
 * walks the schema once: PRIMITIVES (a primitive in object form becomes its
 * name), FULLNAMES (every name is written in full, resolved against the
 * enclosing namespace), STRIP (only name, type, fields, symbols, items, values
 * and size survive: doc, aliases, default, order, logicalType go), ORDER
 * (attributes in that order), STRINGS and INTEGERS (we print them anew, so no
 * escapes or leading zeros survive), WHITESPACE (none is written). A named
 * type seen a second time is written as its full name only. */
#include "zs_canon.h"

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#define CRC64_EMPTY 0xc15d213aa4d7a795ULL

uint64_t zs_crc64_avro(const void *data, size_t len)
{
    /* Fingerprints are taken when schemas load, not per message: building the
     * table each time keeps this free of shared state. */
    uint64_t table[256];
    for (int i = 0; i < 256; i++) {
        uint64_t fp = (uint64_t)i;
        for (int j = 0; j < 8; j++)
            fp = (fp >> 1) ^ (CRC64_EMPTY & (0 - (fp & 1)));
        table[i] = fp;
    }
    const unsigned char *p = data;
    uint64_t fp = CRC64_EMPTY;
    for (size_t i = 0; i < len; i++)
        fp = (fp >> 8) ^ table[(fp ^ p[i]) & 0xff];
    return fp;
}

/* State of one walk: output, names already written, error detail. */
typedef struct canon {
    zs_buf_t *out;
    json_t *seen; /* object used as a set of full names */
    char *errstr;
    size_t errstr_size;
} canon_t;

static const char *const primitives[] = {"null",  "boolean", "int",   "long",
                                         "float", "double",  "bytes", "string"};

static bool is_primitive(const char *s)
{
    for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++)
        if (strcmp(s, primitives[i]) == 0)
            return true;
    return false;
}

/* Appends s as a JSON string; names and symbols are plain ASCII by the spec's
 * name rules, but doc-free output must still be valid JSON for any input. */
static zs_err_t put_string(canon_t *c, const char *s)
{
    zs_err_t err = zs_buf_addc(c->out, '"');
    for (const unsigned char *p = (const unsigned char *)s; err == ZS_OK && *p; p++) {
        if (*p == '"' || *p == '\\')
            err = zs_buf_addf(c->out, "\\%c", *p);
        else if (*p < 0x20)
            err = zs_buf_addf(c->out, "\\u%04x", *p);
        else
            err = zs_buf_addc(c->out, (char)*p);
    }
    return err != ZS_OK ? err : zs_buf_addc(c->out, '"');
}

/* The full name of name in namespace ns (a name with a dot is already full). */
static zs_err_t full_name(canon_t *c, const char *name, const char *ns, zs_buf_t *full)
{
    zs_buf_reset(full);
    if (name[0] == '\0')
        return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID, "empty type name");
    if (strchr(name, '.') == NULL && ns != NULL && ns[0] != '\0') {
        zs_err_t err = zs_buf_adds(full, ns);
        if (err == ZS_OK)
            err = zs_buf_addc(full, '.');
        if (err != ZS_OK)
            return err;
    }
    return zs_buf_adds(full, name);
}

static zs_err_t walk(canon_t *c, json_t *schema, const char *ns);

/* A reference by name: a primitive, or a named type defined elsewhere. */
static zs_err_t walk_name(canon_t *c, const char *name, const char *ns)
{
    if (is_primitive(name))
        return put_string(c, name);
    zs_buf_t full;
    zs_buf_init(&full, 4096);
    zs_err_t err = full_name(c, name, ns, &full);
    if (err == ZS_OK)
        err = put_string(c, full.data);
    zs_buf_free(&full);
    return err;
}

static zs_err_t walk_union(canon_t *c, json_t *branches, const char *ns)
{
    zs_err_t err = zs_buf_addc(c->out, '[');
    size_t i;
    json_t *branch;
    json_array_foreach(branches, i, branch)
    {
        if (err == ZS_OK && i > 0)
            err = zs_buf_addc(c->out, ',');
        if (err == ZS_OK)
            err = walk(c, branch, ns);
    }
    return err != ZS_OK ? err : zs_buf_addc(c->out, ']');
}

static zs_err_t walk_fields(canon_t *c, json_t *fields, const char *ns)
{
    if (!json_is_array(fields))
        return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID, "record without a fields array");
    zs_err_t err = zs_buf_adds(c->out, ",\"fields\":[");
    size_t i;
    json_t *field;
    json_array_foreach(fields, i, field)
    {
        const char *name = json_string_value(json_object_get(field, "name"));
        json_t *type = json_object_get(field, "type");
        if (name == NULL || type == NULL)
            return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID,
                           "field %zu has no name or no type", i);
        if (err == ZS_OK && i > 0)
            err = zs_buf_addc(c->out, ',');
        if (err == ZS_OK)
            err = zs_buf_adds(c->out, "{\"name\":");
        if (err == ZS_OK)
            err = put_string(c, name);
        if (err == ZS_OK)
            err = zs_buf_adds(c->out, ",\"type\":");
        if (err == ZS_OK)
            err = walk(c, type, ns);
        if (err == ZS_OK)
            err = zs_buf_addc(c->out, '}');
    }
    return err != ZS_OK ? err : zs_buf_addc(c->out, ']');
}

static zs_err_t walk_symbols(canon_t *c, json_t *symbols)
{
    if (!json_is_array(symbols))
        return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID, "enum without a symbols array");
    zs_err_t err = zs_buf_adds(c->out, ",\"symbols\":[");
    size_t i;
    json_t *sym;
    json_array_foreach(symbols, i, sym)
    {
        if (!json_is_string(sym))
            return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID,
                           "enum symbol %zu is not a string", i);
        if (err == ZS_OK && i > 0)
            err = zs_buf_addc(c->out, ',');
        if (err == ZS_OK)
            err = put_string(c, json_string_value(sym));
    }
    return err != ZS_OK ? err : zs_buf_addc(c->out, ']');
}

/* record, error, enum, fixed: types with a name that may be referred to. */
static zs_err_t walk_named(canon_t *c, json_t *schema, const char *type, const char *ns)
{
    const char *name = json_string_value(json_object_get(schema, "name"));
    if (name == NULL)
        return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID, "%s without a name", type);
    json_t *ns_json = json_object_get(schema, "namespace");
    if (strchr(name, '.') == NULL && json_is_string(ns_json))
        ns = json_string_value(ns_json);

    zs_buf_t full;
    zs_buf_init(&full, 4096);
    zs_err_t err = full_name(c, name, ns, &full);
    if (err != ZS_OK)
        goto free_full;
    if (json_object_get(c->seen, full.data) != NULL) {
        err = put_string(c, full.data);
        goto free_full;
    }
    if (json_object_set_new(c->seen, full.data, json_true()) != 0) {
        err = ZS_ERR_NOMEM;
        goto free_full;
    }
    /* The namespace of what this type encloses is that of its full name. */
    char *dot = strrchr(full.data, '.');
    zs_buf_t inner_ns;
    zs_buf_init(&inner_ns, 4096);
    if (dot != NULL)
        err = zs_buf_add(&inner_ns, full.data, (size_t)(dot - full.data));

    const char *canon_type = strcmp(type, "error") == 0 ? "record" : type;
    if (err == ZS_OK)
        err = zs_buf_adds(c->out, "{\"name\":");
    if (err == ZS_OK)
        err = put_string(c, full.data);
    if (err == ZS_OK)
        err = zs_buf_addf(c->out, ",\"type\":\"%s\"", canon_type);
    if (err == ZS_OK && strcmp(canon_type, "record") == 0)
        err = walk_fields(c, json_object_get(schema, "fields"), dot ? inner_ns.data : "");
    else if (err == ZS_OK && strcmp(canon_type, "enum") == 0)
        err = walk_symbols(c, json_object_get(schema, "symbols"));
    else if (err == ZS_OK) {
        json_t *size = json_object_get(schema, "size");
        if (!json_is_integer(size) || json_integer_value(size) < 0)
            err = zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID,
                          "fixed %s without a valid size", full.data);
        else
            err = zs_buf_addf(c->out, ",\"size\":%lld", (long long)json_integer_value(size));
    }
    if (err == ZS_OK)
        err = zs_buf_addc(c->out, '}');
    zs_buf_free(&inner_ns);
free_full:
    zs_buf_free(&full);
    return err;
}

static zs_err_t walk(canon_t *c, json_t *schema, const char *ns)
{
    if (json_is_string(schema))
        return walk_name(c, json_string_value(schema), ns);
    if (json_is_array(schema))
        return walk_union(c, schema, ns);
    if (!json_is_object(schema))
        return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID,
                       "a schema must be a string, an array or an object");

    json_t *type_json = json_object_get(schema, "type");
    if (json_is_object(type_json) || json_is_array(type_json))
        return walk(c, type_json, ns);
    const char *type = json_string_value(type_json);
    if (type == NULL)
        return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID, "schema object without a type");
    if (strcmp(type, "record") == 0 || strcmp(type, "error") == 0 || strcmp(type, "enum") == 0 ||
        strcmp(type, "fixed") == 0)
        return walk_named(c, schema, type, ns);

    const char *child = strcmp(type, "array") == 0 ? "items"
                        : strcmp(type, "map") == 0 ? "values"
                                                   : NULL;
    if (child == NULL)
        return walk_name(c, type, ns);
    json_t *inner = json_object_get(schema, child);
    if (inner == NULL)
        return zs_fail(c->errstr, c->errstr_size, ZS_ERR_INVALID, "%s without %s", type, child);
    zs_err_t err = zs_buf_addf(c->out, "{\"type\":\"%s\",\"%s\":", type, child);
    if (err == ZS_OK)
        err = walk(c, inner, ns);
    return err != ZS_OK ? err : zs_buf_addc(c->out, '}');
}

zs_err_t zs_canon_form(const char *json, size_t len, zs_buf_t *out, char *errstr,
                       size_t errstr_size)
{
    json_error_t jerr;
    json_t *schema = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (schema == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "line %d, column %d: %s", jerr.line,
                       jerr.column, jerr.text);
    canon_t c = {.out = out, .seen = json_object(), .errstr = errstr, .errstr_size = errstr_size};
    zs_err_t err = c.seen != NULL ? walk(&c, schema, "") : ZS_ERR_NOMEM;
    json_decref(c.seen);
    json_decref(schema);
    return err;
}

zs_err_t zs_canon_fingerprint(const char *json, size_t len, uint64_t *fp, char *errstr,
                              size_t errstr_size)
{
    zs_buf_t canon;
    zs_buf_init(&canon, (size_t)1 << 24);
    zs_err_t err = zs_canon_form(json, len, &canon, errstr, errstr_size);
    if (err == ZS_OK)
        *fp = zs_crc64_avro(canon.data, canon.len);
    zs_buf_free(&canon);
    return err;
}
