/* zs_avro.h: reading and setting one field of an avro-c record by name, the
 * way every program fills and reads our messages: an optional field (a
 * union whose first branch is null) is set to its value branch, or to null
 * when given NULL, and read through its current branch. */
#ifndef ZS_AVRO_H
#define ZS_AVRO_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

/* The field called name of rec, through a union's current branch: 0 and
 * *out set; 1 when the union holds null; -1 when there is no such field. */
int zs_avro_field(avro_value_t *rec, const char *name, avro_value_t *out);

/* Set a field; each returns 0, or non-zero with avro_strerror() saying why.
 * value NULL sets an optional field to null. */
int zs_avro_set_str(avro_value_t *rec, const char *name, const char *value);
int zs_avro_set_bytes(avro_value_t *rec, const char *name, const void *value, size_t len);
/* An int, long, boolean or enum (by symbol index) field, by its type. */
int zs_avro_set_num(avro_value_t *rec, const char *name, int64_t n);
int zs_avro_set_null(avro_value_t *rec, const char *name);

#endif
