/* zs_buf.c: the bounded growable byte buffer. */
#include "zs_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zs_buf_init(zs_buf_t *buf, size_t max)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
}

void zs_buf_free(zs_buf_t *buf)
{
    if (buf == NULL)
        return;
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void zs_buf_reset(zs_buf_t *buf)
{
    buf->len = 0;
    if (buf->data != NULL)
        buf->data[0] = '\0';
}

zs_err_t zs_buf_reserve(zs_buf_t *buf, size_t n)
{
    /* One byte more than asked keeps room for the trailing NUL. */
    if (n > buf->max || buf->len > buf->max - n)
        return ZS_ERR_OVERFLOW;
    size_t need = buf->len + n + 1;
    if (need <= buf->cap)
        return ZS_OK;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > buf->max + 1)
        cap = buf->max + 1;
    char *data = realloc(buf->data, cap);
    if (data == NULL)
        return ZS_ERR_NOMEM;
    buf->data = data;
    buf->cap = cap;
    return ZS_OK;
}

zs_err_t zs_buf_add_grow(zs_buf_t *buf, const void *mem, size_t n)
{
    zs_err_t err = zs_buf_reserve(buf, n);
    if (err != ZS_OK)
        return err;
    if (n > 0)
        memcpy(buf->data + buf->len, mem, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return ZS_OK;
}

zs_err_t zs_buf_addc(zs_buf_t *buf, char c)
{
    return zs_buf_add(buf, &c, 1);
}

zs_err_t zs_buf_adds(zs_buf_t *buf, const char *s)
{
    return zs_buf_add(buf, s, strlen(s));
}

zs_err_t zs_buf_addf(zs_buf_t *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ZS_ERR_INVALID;
    zs_err_t err = zs_buf_reserve(buf, (size_t)n);
    if (err != ZS_OK)
        return err;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return ZS_OK;
}
