/* zs_err.h: the one error enum of zengshou, and its names. */
#ifndef ZS_ERR_H
#define ZS_ERR_H

#include <stddef.h>

/* 0 is success; every function that acts returns one of these and writes
 * detail (what, where) into a caller-supplied errstr buffer. */
typedef enum zs_err {
    ZS_OK = 0,
    ZS_ERR_NOMEM,          /* an allocation failed */
    ZS_ERR_IO,             /* a file could not be read or written */
    ZS_ERR_INVALID,        /* a value breaks the input contract */
    ZS_ERR_PARSE,          /* text (JSON, CSV, config) does not parse */
    ZS_ERR_OVERFLOW,       /* a number or buffer would exceed its bound */
    ZS_ERR_NOT_FOUND,      /* a named thing (schema, key, county) does not exist */
    ZS_ERR_UNKNOWN_SCHEMA, /* a message names a schema fingerprint we do not have */
    ZS_ERR_BAD_MAGIC,      /* a message does not start with the single-object marker */
    ZS_ERR_TRUNCATED,      /* a message ends before its datum does */
    ZS_ERR_CORRUPT,        /* a datum does not decode against its schema */
    ZS_ERR_INCOMPATIBLE,   /* a writer schema cannot be resolved to the reader's */
    ZS_ERR_AVRO,           /* avro-c reported an error */
    ZS_ERR_KAFKA,          /* librdkafka reported an error */
    ZS_ERR_EOF,            /* no more input (not a failure) */
    ZS_ERR_ABORT,          /* the open Kafka transaction must be aborted and its input read again */
    ZS_ERR_TOO_OLD,        /* a record of a month the state no longer holds (RECORD_TOO_OLD) */
    ZS_ERR__COUNT
} zs_err_t;

/* A short English name for an error code, never NULL. */
const char *zs_err2str(zs_err_t err);

/* The code's identifier ("ZS_ERR_INVALID"), as records carry it (a dead
 * letter's error field); "ZS_ERR_UNKNOWN" for a value outside the enum. */
const char *zs_err_name(zs_err_t err);

/* Writes a formatted message into errstr (if not NULL) and returns err, so a
 * failing path reads `return zs_fail(errstr, size, ZS_ERR_X, "...", ...)`. */
zs_err_t zs_fail(char *errstr, size_t errstr_size, zs_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
