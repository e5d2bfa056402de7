/* zs_schema.h: the set of our Avro schemas, every version of every message,
 * loaded from a directory of <Name>.v<N>.avsc files and found by fingerprint. */
#ifndef ZS_SCHEMA_H
#define ZS_SCHEMA_H

#include <avro.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_err.h"

typedef struct zs_schema zs_schema_t;
typedef struct zs_schemas zs_schemas_t;

/* Loads every *.avsc in dir. Each file must be named <Name>.v<N>.avsc, hold a
 * named schema whose short name is <Name>, and parse in avro-c; two files with
 * the same canonical form, or the same name and version, are an error. On
 * success *out is owned by the caller (zs_schemas_free). */
zs_err_t zs_schemas_load(const char *dir, zs_schemas_t **out, char *errstr, size_t errstr_size);
/* Frees the set and every schema in it; NULL is fine. */
void zs_schemas_free(zs_schemas_t *set);

/* Schemas sorted by full name, then version. The set owns them. */
size_t zs_schemas_count(const zs_schemas_t *set);
const zs_schema_t *zs_schemas_at(const zs_schemas_t *set, size_t i);
/* The schema whose canonical form has this fingerprint, or NULL. */
const zs_schema_t *zs_schemas_find(const zs_schemas_t *set, uint64_t fingerprint);
/* The highest version of a message by full or short name ("Warning",
 * "zengshou.Warning"), or NULL: what a reader reads into, what a writer writes. */
const zs_schema_t *zs_schemas_latest(const zs_schemas_t *set, const char *name);
/* A given version of a message, or NULL. Writers pin a version during a
 * rolling upgrade, until every reader knows the next one. */
const zs_schema_t *zs_schemas_version(const zs_schemas_t *set, const char *name, int version);
/* Position of a schema in its set (0 <= index < count). */
size_t zs_schema_index(const zs_schema_t *schema);

const char *zs_schema_name(const zs_schema_t *schema);      /* full name */
const char *zs_schema_file(const zs_schema_t *schema);      /* file name, no directory */
const char *zs_schema_canonical(const zs_schema_t *schema); /* Parsing Canonical Form */
int zs_schema_version(const zs_schema_t *schema);
uint64_t zs_schema_fingerprint(const zs_schema_t *schema);
/* The avro-c schema; the set keeps the reference. */
avro_schema_t zs_schema_avro(const zs_schema_t *schema);
/* The default value (JSON) the schema declares for field of the record type
 * record_name (full name) inside it, or NULL. avro-c does not keep defaults;
 * schema resolution needs them. The schema owns the JSON. */
json_t *zs_schema_field_default(const zs_schema_t *schema, const char *record_name,
                                const char *field);
/* The default symbol of the enum type enum_name (full name), or NULL. */
const char *zs_schema_enum_default(const zs_schema_t *schema, const char *enum_name);
/* The avro-c generic class of the schema; the set keeps the reference. */
avro_value_iface_t *zs_schema_class(const zs_schema_t *schema);

#endif
