/* zs_buf.h: a bounded growable byte buffer, the one way zengshou grows memory
 * (after curl's dynbuf). Reused across messages, so hot paths do not allocate
 * once it has reached its working size. */
#ifndef ZS_BUF_H
#define ZS_BUF_H

#include <stddef.h>
#include <string.h>

#include "zs_err.h"

typedef struct zs_buf {
    char *data; /* owned; always NUL-terminated when len > 0 */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
    size_t max; /* growth limit; zs_buf_* fail with ZS_ERR_OVERFLOW past it */
} zs_buf_t;

/* Starts an empty buffer that may grow to max bytes. Allocates nothing. */
void zs_buf_init(zs_buf_t *buf, size_t max);
/* Frees the memory; the buffer may be reused after zs_buf_init. NULL is fine. */
void zs_buf_free(zs_buf_t *buf);
/* Empties the buffer, keeping its memory. */
void zs_buf_reset(zs_buf_t *buf);
/* Makes room for n more bytes. */
zs_err_t zs_buf_reserve(zs_buf_t *buf, size_t n);
/* Appends n bytes (a NUL is kept after them, not counted in len). Inline
 * while there is room: readers call it for every field. */
zs_err_t zs_buf_add_grow(zs_buf_t *buf, const void *mem, size_t n);
static inline zs_err_t zs_buf_add(zs_buf_t *buf, const void *mem, size_t n)
{
    if (buf->cap > 0 && n < buf->cap - buf->len) {
        if (n > 0)
            memcpy(buf->data + buf->len, mem, n);
        buf->len += n;
        buf->data[buf->len] = '\0';
        return ZS_OK;
    }
    return zs_buf_add_grow(buf, mem, n);
}
/* Appends one byte. */
zs_err_t zs_buf_addc(zs_buf_t *buf, char c);
/* Appends a NUL-terminated string. */
zs_err_t zs_buf_adds(zs_buf_t *buf, const char *s);
/* Appends printf-formatted text. */
zs_err_t zs_buf_addf(zs_buf_t *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
