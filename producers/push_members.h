/* push_members.h: the members of every household, read from a members
 * export and held in memory until the households export is read, so each
 * household travels with its members as one snapshot. */
#ifndef PUSH_MEMBERS_H
#define PUSH_MEMBERS_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_err.h"

typedef struct push_members push_members_t;

/* An empty index; *out is the caller's (push_members_free). */
zs_err_t push_members_new(push_members_t **out);
void push_members_free(push_members_t *m);

/* Adds member (a Member value) of household hh, read at line. Fails with
 * ZS_ERR_INVALID when the household already has that person (errstr names
 * the line it was first seen at). */
zs_err_t push_members_add(push_members_t *m, const char *hh, avro_value_t *member,
                          const char *person_id, unsigned long line, char *errstr,
                          size_t errstr_size);

/* Whether household hh may travel with its members: ZS_ERR_INVALID, errstr
 * "members: <why>", when it has none, more than max, or a person whose row
 * appeared twice (push_members_add refused the second). */
zs_err_t push_members_check(push_members_t *m, const char *hh, size_t max, char *errstr,
                            size_t errstr_size);

/* Marks the members of household hh taken without sending them (their
 * household was refused) and calls fn (may be NULL) for each, with its
 * person id and line. */
void push_members_drop(push_members_t *m, const char *hh,
                       void (*fn)(void *ctx, const char *person_id, unsigned long line), void *ctx);

/* Appends the members of household hh to array (Household.members) and marks
 * them taken; returns how many. */
zs_err_t push_members_take(push_members_t *m, const char *hh, avro_value_t *array, size_t *count,
                           char *errstr, size_t errstr_size);

/* Calls fn for each household whose members were never taken (no household
 * row), with the line of its first member. */
void push_members_orphans(const push_members_t *m,
                          void (*fn)(void *ctx, const char *hh, unsigned long line), void *ctx);

/* Members held, and bytes used. */
size_t push_members_count(const push_members_t *m);
size_t push_members_bytes(const push_members_t *m);

#endif
