/* zs_avrojson.h: Avro values to and from JSON: Avro's JSON encoding (how
 * tools print and read messages) and schema default values. avro-c's own
 * printer is not used: it cuts bytes at the first zero byte and names union
 * branches by short name, against the spec. */
#ifndef ZS_AVROJSON_H
#define ZS_AVROJSON_H

#include <avro.h>
#include <jansson.h>

#include "zs_buf.h"
#include "zs_err.h"

/* Appends value in Avro's JSON encoding, one line, to out: a union is null or
 * {"<type or full name>": value}, bytes and fixed are strings of code points
 * U+0000-U+00FF, an enum is its symbol. Fails (ZS_ERR_INVALID, errstr naming
 * the field path and why, e.g. "members[2].relation: ...") on a value JSON
 * cannot hold: a string that is not valid UTF-8, an enum index past its
 * symbols. */
zs_err_t zs_avrojson_write(avro_value_t *value, zs_buf_t *out, char *errstr, size_t errstr_size);

/* Sets dest, an instance of schema, from a datum in Avro's JSON encoding.
 * Fails (ZS_ERR_INVALID, errstr naming the field path) on anything the schema
 * does not allow: a missing or unknown record field, a number out of range, a
 * string with a NUL, an unknown enum symbol or union branch. */
zs_err_t zs_avrojson_read(avro_value_t *dest, avro_schema_t schema, json_t *json, char *errstr,
                          size_t errstr_size);

/* Sets dest from a schema default value (a union's default is a value of its
 * first branch, unwrapped). */
zs_err_t zs_avrojson_set_default(avro_value_t *dest, avro_schema_t schema, json_t *json);

#endif
