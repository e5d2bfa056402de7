/* zs_framed.h: files of length-prefixed messages (each a 4-byte big-endian
 * length, then that many bytes), how tools and tests store raw messages. */
#ifndef ZS_FRAMED_H
#define ZS_FRAMED_H

#include <stdio.h>

#include "zs_buf.h"
#include "zs_err.h"

/* The largest message a framed file may hold. */
#define ZS_FRAMED_MAX ((size_t)16 << 20)

/* Reads the next message into msg (replacing its content). ZS_ERR_EOF at a
 * clean end; ZS_ERR_TRUNCATED if the file ends inside a length or a message;
 * ZS_ERR_OVERFLOW for a length beyond ZS_FRAMED_MAX or msg's limit. */
zs_err_t zs_framed_read(FILE *fp, zs_buf_t *msg, char *errstr, size_t errstr_size);
/* Writes one message. */
zs_err_t zs_framed_write(FILE *fp, const void *msg, size_t len, char *errstr, size_t errstr_size);

#endif
