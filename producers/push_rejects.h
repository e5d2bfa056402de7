/* push_rejects.h: zs-push's rejects file (file, line, column, reason, row as
 * RFC 4180 CSV), written so that a run killed at any moment leaves only whole
 * records: each record goes out in one write(2), and a resumed run cuts a
 * torn last record (a disk that filled up, a kill inside a write) before it
 * appends. */
#ifndef PUSH_REJECTS_H
#define PUSH_REJECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "zs_err.h"

typedef struct push_rejects push_rejects_t;

/* The header line of every rejects file. */
#define PUSH_REJECTS_HEADER "file,line,column,reason,row\n"

/* Opens path (copied) for rejects: a new file with its header, or, when
 * resume is set, the file of an earlier run to append to, its torn last
 * record (if any) cut first. *out is the caller's (push_rejects_close). */
zs_err_t push_rejects_open(const char *path, bool resume, push_rejects_t **out, char *errstr,
                           size_t errstr_size);

/* Appends one record; row is row_len bytes (its ID numbers already masked). */
zs_err_t push_rejects_add(push_rejects_t *r, const char *file, unsigned long line,
                          const char *column, const char *reason, const char *row, size_t row_len,
                          char *errstr, size_t errstr_size);

/* The file's path. */
const char *push_rejects_path(const push_rejects_t *r);

/* Closes the file and frees r (NULL is fine); ZS_ERR_IO if closing failed. */
zs_err_t push_rejects_close(push_rejects_t *r, char *errstr, size_t errstr_size);

#endif
