/* zs_codec.h: our messages on the wire: Avro single-object encoding
 * (C3 01, the writer schema's 8-byte little-endian CRC-64-AVRO fingerprint,
 * the Avro binary datum), encoded and decoded without an allocation per
 * message once buffers and values have reached their working size. */
#ifndef ZS_CODEC_H
#define ZS_CODEC_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_err.h"
#include "zs_schema.h"

#define ZS_CODEC_HEADER_SIZE 10

/* Reads the writer fingerprint of a message. ZS_ERR_TRUNCATED if shorter
 * than a header, ZS_ERR_BAD_MAGIC if it does not start with C3 01. */
zs_err_t zs_codec_peek(const void *msg, size_t len, uint64_t *fingerprint);

/* An encoder writes messages of one schema. It owns a generic value of that
 * schema for the caller to fill and reuse. avro-c cannot write a union with
 * no branch chosen, nor bytes or a fixed never set (set empty bytes with
 * avro_value_set_bytes(v, "", 0)): fill every one. Encoding allocates nothing
 * once the output buffer has grown; decoding allocates nothing for flat
 * records, but avro-c makes every map and array entry anew after a reset. */
typedef struct zs_encoder zs_encoder_t;

/* The set must outlive the encoder. *out is the caller's (zs_encoder_free). */
zs_err_t zs_encoder_new(const zs_schema_t *schema, zs_encoder_t **out, char *errstr,
                        size_t errstr_size);
void zs_encoder_free(zs_encoder_t *enc);
/* The encoder's value, reset, its optional fields null: fill it, then
 * zs_encoder_encode. */
avro_value_t *zs_encoder_value(zs_encoder_t *enc);
/* Sets every optional field (a union whose first branch is null) of record to
 * null, so a caller fills only what it has. zs_encoder_value does this for the
 * top level; call it on a nested record right after choosing its branch (a
 * reset union keeps its branch with an emptied value, which avro-c cannot
 * write). */
zs_err_t zs_codec_null_optionals(avro_value_t *record);
/* Writes the encoder's value as one message into out (replacing its content). */
zs_err_t zs_encoder_encode(zs_encoder_t *enc, zs_buf_t *out, char *errstr, size_t errstr_size);
/* Writes value, an instance of the encoder's schema held elsewhere. */
zs_err_t zs_encoder_encode_value(zs_encoder_t *enc, avro_value_t *value, zs_buf_t *out,
                                 char *errstr, size_t errstr_size);

/* A decoder reads messages of any schema in a set: it finds the writer schema
 * by fingerprint and resolves it to the latest version of the same message
 * (schema evolution), into a value it owns and reuses. */
typedef struct zs_decoder zs_decoder_t;

zs_err_t zs_decoder_new(const zs_schemas_t *set, zs_decoder_t **out, char *errstr,
                        size_t errstr_size);
void zs_decoder_free(zs_decoder_t *dec);
/* Decodes one message. On success *reader is the schema of *value (the latest
 * version of the writer's message) and *value belongs to the decoder, valid
 * until its next decode. A message that is not ours, names an unknown schema,
 * or does not decode exactly (truncated, corrupt, trailing bytes) fails with
 * its own code and an errstr naming the byte offset and field. */
zs_err_t zs_decoder_decode(zs_decoder_t *dec, const void *msg, size_t len,
                           const zs_schema_t **reader, avro_value_t **value, char *errstr,
                           size_t errstr_size);

#endif
