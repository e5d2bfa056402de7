/* mon_undo.h: what one transaction of zs-monitor changed in its household
 * maps (mon_map), kept so that an abort can put it back without reading
 * the changelog again: for each household (partition, id) the transaction
 * writes, its bytes before the first write, or that it was absent.
 *
 * Bounded: a note that would take the log past its max_bytes, or one that
 * memory cannot hold, makes it give up (it frees what it holds and is no
 * longer whole until the next reset); the caller then restores from the
 * changelog instead (consumers/MONITOR.md "Aborts"). Pure: no Kafka. */
#ifndef MON_UNDO_H
#define MON_UNDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mon_map.h"
#include "zs_err.h"

typedef struct mon_undo mon_undo_t;

/* A new, empty and whole log that holds at most max_bytes of notes, ids,
 * old states and index (the buffers that hold them may have room for up to
 * twice that); 0 makes every note give up. The caller frees it with
 * mon_undo_free. */
zs_err_t mon_undo_new(size_t max_bytes, mon_undo_t **out);
/* Frees the log and everything it holds. NULL is fine. */
void mon_undo_free(mon_undo_t *u);

/* Forgets every note (a new transaction begins, or the last one ended):
 * the log is empty and whole again. Memory beyond a small working size is
 * given back. */
void mon_undo_reset(mon_undo_t *u);

/* Notes household id of partition p before the transaction writes it:
 * old/len its bytes now (copied), or old NULL when the map does not hold
 * it. Only the first note of a (p, id) counts; later ones do nothing. Does
 * nothing once the log has given up, or when u is NULL. */
void mon_undo_note(mon_undo_t *u, int32_t p, const char *id, const void *old, size_t len);

/* Whether every write since the last reset was noted (the log did not give
 * up). */
bool mon_undo_whole(const mon_undo_t *u);
/* Households noted since the last reset. */
size_t mon_undo_count(const mon_undo_t *u);
/* Bytes the log has allocated now. */
size_t mon_undo_bytes(const mon_undo_t *u);

/* Puts every noted household back into maps[p] (nmaps maps, by partition):
 * its old bytes, or deleted when it was absent. ZS_ERR_NOT_FOUND when a
 * note's partition has no map, ZS_ERR_NOMEM when a map cannot take a
 * state, ZS_ERR_INVALID when the log is not whole; the maps are then partly
 * put back and must be rebuilt otherwise. *undone: households put back. */
zs_err_t mon_undo_apply(const mon_undo_t *u, mon_map_t *const *maps, int32_t nmaps, size_t *undone);

#endif
