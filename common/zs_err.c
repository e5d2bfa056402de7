/* zs_err.c: names of error codes and the helper that fills errstr. */
#include "zs_err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const names[ZS_ERR__COUNT] = {
    [ZS_OK] = "success",
    [ZS_ERR_NOMEM] = "out of memory",
    [ZS_ERR_IO] = "input/output error",
    [ZS_ERR_INVALID] = "invalid value",
    [ZS_ERR_PARSE] = "parse error",
    [ZS_ERR_OVERFLOW] = "value out of range",
    [ZS_ERR_NOT_FOUND] = "not found",
    [ZS_ERR_UNKNOWN_SCHEMA] = "unknown schema fingerprint",
    [ZS_ERR_BAD_MAGIC] = "not an Avro single-object message",
    [ZS_ERR_TRUNCATED] = "truncated message",
    [ZS_ERR_CORRUPT] = "corrupt datum",
    [ZS_ERR_INCOMPATIBLE] = "incompatible schemas",
    [ZS_ERR_AVRO] = "Avro library error",
    [ZS_ERR_KAFKA] = "Kafka client error",
    [ZS_ERR_EOF] = "end of input",
    [ZS_ERR_ABORT] = "transaction to abort",
    [ZS_ERR_TOO_OLD] = "record older than the state's horizon",
};

#define NAME(e) [e] = #e
static const char *const identifiers[ZS_ERR__COUNT] = {
    NAME(ZS_OK),
    NAME(ZS_ERR_NOMEM),
    NAME(ZS_ERR_IO),
    NAME(ZS_ERR_INVALID),
    NAME(ZS_ERR_PARSE),
    NAME(ZS_ERR_OVERFLOW),
    NAME(ZS_ERR_NOT_FOUND),
    NAME(ZS_ERR_UNKNOWN_SCHEMA),
    NAME(ZS_ERR_BAD_MAGIC),
    NAME(ZS_ERR_TRUNCATED),
    NAME(ZS_ERR_CORRUPT),
    NAME(ZS_ERR_INCOMPATIBLE),
    NAME(ZS_ERR_AVRO),
    NAME(ZS_ERR_KAFKA),
    NAME(ZS_ERR_EOF),
    NAME(ZS_ERR_ABORT),
    NAME(ZS_ERR_TOO_OLD),
};
#undef NAME

const char *zs_err_name(zs_err_t err)
{
    if ((unsigned)err >= ZS_ERR__COUNT || identifiers[err] == NULL)
        return "ZS_ERR_UNKNOWN";
    return identifiers[err];
}

const char *zs_err2str(zs_err_t err)
{
    if ((unsigned)err >= ZS_ERR__COUNT || names[err] == NULL)
        return "unknown error";
    return names[err];
}

zs_err_t zs_fail(char *errstr, size_t errstr_size, zs_err_t err, const char *fmt, ...)
{
    if (errstr != NULL && errstr_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
    }
    return err;
}
