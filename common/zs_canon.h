/* zs_canon.h: Avro's Parsing Canonical Form and CRC-64-AVRO fingerprint,
 * implemented from the Avro specification ("Parsing Canonical Form for
 * Schemas", "Schema Fingerprints"), not from any library's schema printer. */
#ifndef ZS_CANON_H
#define ZS_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_err.h"

/* The CRC-64-AVRO fingerprint of len bytes. */
uint64_t zs_crc64_avro(const void *data, size_t len);

/* Writes the Parsing Canonical Form of the schema given as JSON text into out
 * (appending; out keeps ownership of its memory). Fails with ZS_ERR_PARSE on
 * text that is not JSON and ZS_ERR_INVALID on JSON that is not a schema. */
zs_err_t zs_canon_form(const char *json, size_t len, zs_buf_t *out, char *errstr,
                       size_t errstr_size);

/* Canonical form, then its fingerprint. */
zs_err_t zs_canon_fingerprint(const char *json, size_t len, uint64_t *fp, char *errstr,
                              size_t errstr_size);

#endif
