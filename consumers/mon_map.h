/* mon_map.h: the resident state of one partition: household id -> its
 * compact state (mon_hh_encode), in one allocation per household and an
 * open-addressing table of 16-byte slots. */
#ifndef MON_MAP_H
#define MON_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "zs_err.h"

typedef struct mon_map mon_map_t;

zs_err_t mon_map_new(mon_map_t **out);
void mon_map_free(mon_map_t *m);

/* The state of id, or NULL; *len its size. Valid until the next put. */
const void *mon_map_get(const mon_map_t *m, const char *id, size_t *len);
/* Sets the state of id (copied). Replacing the state of a known id never
 * moves other households, so it may be done while visiting. */
zs_err_t mon_map_put(mon_map_t *m, const char *id, const void *state, size_t len);

/* Forgets id (nothing when unknown). Moves other households: not while
 * visiting. */
void mon_map_del(mon_map_t *m, const char *id);

size_t mon_map_count(const mon_map_t *m);
/* Bytes held: slots, and per household its id, state and allocation header. */
size_t mon_map_bytes(const mon_map_t *m);

/* Visits every household (in no particular order): *it starts at 0; returns
 * false at the end. */
int mon_map_next(const mon_map_t *m, size_t *it, const char **id, const void **state, size_t *len);

#endif
