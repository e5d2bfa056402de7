/* zs_framed.c: reading and writing length-prefixed message files. */
#include "zs_framed.h"

#include <errno.h>
#include <string.h>

zs_err_t zs_framed_read(FILE *fp, zs_buf_t *msg, char *errstr, size_t errstr_size)
{
    unsigned char len_bytes[4];
    size_t got = fread(len_bytes, 1, sizeof(len_bytes), fp);
    if (got == 0 && !ferror(fp))
        return ZS_ERR_EOF;
    if (got < sizeof(len_bytes))
        return zs_fail(errstr, errstr_size, ferror(fp) ? ZS_ERR_IO : ZS_ERR_TRUNCATED,
                       "file ends inside a length prefix");
    size_t len = (size_t)len_bytes[0] << 24 | (size_t)len_bytes[1] << 16 |
                 (size_t)len_bytes[2] << 8 | len_bytes[3];
    if (len > ZS_FRAMED_MAX)
        return zs_fail(errstr, errstr_size, ZS_ERR_OVERFLOW,
                       "message of %zu bytes is larger than %zu", len, ZS_FRAMED_MAX);
    zs_buf_reset(msg);
    zs_err_t err = zs_buf_reserve(msg, len);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "message of %zu bytes: %s", len, zs_err2str(err));
    if (fread(msg->data, 1, len, fp) != len)
        return zs_fail(errstr, errstr_size, ferror(fp) ? ZS_ERR_IO : ZS_ERR_TRUNCATED,
                       "file ends inside a message of %zu bytes", len);
    msg->len = len;
    msg->data[len] = '\0';
    return ZS_OK;
}

zs_err_t zs_framed_write(FILE *fp, const void *msg, size_t len, char *errstr, size_t errstr_size)
{
    if (len > ZS_FRAMED_MAX)
        return zs_fail(errstr, errstr_size, ZS_ERR_OVERFLOW, "message of %zu bytes is too large",
                       len);
    unsigned char len_bytes[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                                  (unsigned char)(len >> 8), (unsigned char)len};
    if (fwrite(len_bytes, 1, 4, fp) != 4 || (len > 0 && fwrite(msg, 1, len, fp) != len))
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "write failed: %s", strerror(errno));
    return ZS_OK;
}
