/* push_rejects.c: the rejects file, whole records only, also after a kill. */
#include "push_rejects.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zs_buf.h"
#include "zs_log.h"

struct push_rejects {
    int fd;
    char path[4096];
    zs_buf_t line; /* the record being built, reused */
};

/* Writes all of len bytes, through short writes and interrupts. */
static zs_err_t write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ZS_ERR_IO;
        s += n;
        len -= (size_t)n;
    }
    return ZS_OK;
}

/* The end of the last whole record of the file open at fd: the offset just
 * after the last line end outside quotes (a quoted field may hold line ends;
 * every field is quoted, a quote inside doubled, so quotes pair up). */
static zs_err_t whole_end(int fd, off_t *end)
{
    char chunk[1 << 16];
    bool quoted = false;
    off_t at = 0;
    *end = 0;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return ZS_ERR_IO;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ZS_ERR_IO;
        if (n == 0)
            return ZS_OK;
        for (ssize_t i = 0; i < n; i++) {
            if (chunk[i] == '"')
                quoted = !quoted;
            else if (chunk[i] == '\n' && !quoted)
                *end = at + i + 1;
        }
        at += n;
    }
}

zs_err_t push_rejects_open(const char *path, bool resume, push_rejects_t **out, char *errstr,
                           size_t errstr_size)
{
    push_rejects_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "%s: out of memory", path);
    snprintf(r->path, sizeof(r->path), "%s", path);
    zs_buf_init(&r->line, (size_t)64 << 20);
    r->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0644);
    if (r->fd < 0) {
        zs_err_t err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
        push_rejects_close(r, NULL, 0);
        return err;
    }
    struct stat st;
    off_t size = 0;
    if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        size = st.st_size;
        off_t end = size;
        if (resume && size > 0 && (whole_end(r->fd, &end) != ZS_OK || ftruncate(r->fd, end) != 0)) {
            zs_err_t err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
            push_rejects_close(r, NULL, 0);
            return err;
        }
        if (end < size)
            zs_log(ZS_LOG_WARN, "%s: cut a torn last record (%lld bytes) an interrupted run left",
                   path, (long long)(size - end));
        size = end;
    }
    /* A new file, or one that held only a torn header, starts with the header. */
    if ((!resume || size == 0) &&
        write_all(r->fd, PUSH_REJECTS_HEADER, strlen(PUSH_REJECTS_HEADER)) != ZS_OK) {
        zs_err_t err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
        push_rejects_close(r, NULL, 0);
        return err;
    }
    *out = r;
    return ZS_OK;
}

/* Appends s as one quoted CSV field and its separator. */
static zs_err_t add_field(zs_buf_t *b, const char *s, size_t len, bool last)
{
    zs_err_t err = zs_buf_addc(b, '"');
    for (size_t i = 0; err == ZS_OK && i < len; i++) {
        const char *q = memchr(s + i, '"', len - i);
        size_t n = q != NULL ? (size_t)(q - (s + i)) + 1 : len - i;
        err = zs_buf_add(b, s + i, n);
        if (err == ZS_OK && q != NULL)
            err = zs_buf_addc(b, '"');
        i += n - 1;
    }
    if (err == ZS_OK)
        err = zs_buf_addc(b, '"');
    return err == ZS_OK ? zs_buf_addc(b, last ? '\n' : ',') : err;
}

zs_err_t push_rejects_add(push_rejects_t *r, const char *file, unsigned long line,
                          const char *column, const char *reason, const char *row, size_t row_len,
                          char *errstr, size_t errstr_size)
{
    char num[32];
    snprintf(num, sizeof(num), "%lu", line);
    zs_buf_reset(&r->line);
    zs_err_t err = add_field(&r->line, file, strlen(file), false);
    if (err == ZS_OK)
        err = add_field(&r->line, num, strlen(num), false);
    if (err == ZS_OK)
        err = add_field(&r->line, column, strlen(column), false);
    if (err == ZS_OK)
        err = add_field(&r->line, reason, strlen(reason), false);
    if (err == ZS_OK)
        err = add_field(&r->line, row, row_len, true);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "%s: record of line %lu: %s", r->path, line,
                       zs_err2str(err));
    /* One write: a kill leaves the record whole or absent (and a short write
     * a torn tail, which the next resumed run cuts). */
    if (write_all(r->fd, r->line.data, r->line.len) != ZS_OK)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", r->path, strerror(errno));
    return ZS_OK;
}

const char *push_rejects_path(const push_rejects_t *r)
{
    return r->path;
}

zs_err_t push_rejects_close(push_rejects_t *r, char *errstr, size_t errstr_size)
{
    if (r == NULL)
        return ZS_OK;
    zs_err_t err = ZS_OK;
    if (r->fd >= 0 && close(r->fd) != 0)
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", r->path, strerror(errno));
    zs_buf_free(&r->line);
    free(r);
    return err;
}
