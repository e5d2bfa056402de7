/* mon_undo.c: the undo log of one transaction of zs-monitor: each household
 * it writes, as it was before, in two bounded buffers (the notes, and their
 * ids and old states) and an open-addressing index by (partition, id). */
#include "mon_undo.h"

#include <stdlib.h>
#include <string.h>

#include "zs_buf.h"

/* One household as the transaction found it. */
typedef struct note {
    int32_t p;
    uint32_t hash;
    size_t off;   /* of its id (NUL-terminated) then its old state, in the arena */
    size_t len;   /* old state bytes */
    size_t idlen; /* id bytes */
    bool absent;  /* the map did not hold it */
} note_t;

#define INDEX_MIN  64        /* slots of a fresh index */
#define KEEP_BYTES (1 << 20) /* memory a reset keeps for the next transaction */

struct mon_undo {
    zs_buf_t notes;  /* note_t, in the order noted */
    zs_buf_t arena;  /* ids and old states */
    uint32_t *index; /* note index + 1; 0 empty */
    size_t cap;      /* index slots: 0, or a power of two */
    size_t count;
    size_t max; /* the bound of notes, arena and index together */
    bool whole;
};

static uint32_t hash_of(int32_t p, const char *id)
{
    uint32_t h = 2166136261u ^ (uint32_t)p;
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return h;
}

static note_t *note_at(const mon_undo_t *u, size_t i)
{
    return (note_t *)(void *)u->notes.data + i;
}

zs_err_t mon_undo_new(size_t max_bytes, mon_undo_t **out)
{
    mon_undo_t *u = calloc(1, sizeof(*u));
    *out = u;
    if (u == NULL)
        return ZS_ERR_NOMEM;
    u->max = max_bytes;
    zs_buf_init(&u->notes, max_bytes);
    zs_buf_init(&u->arena, max_bytes);
    u->whole = true;
    return ZS_OK;
}

/* Gives back every byte held. */
static void release(mon_undo_t *u)
{
    zs_buf_free(&u->notes);
    zs_buf_free(&u->arena);
    zs_buf_init(&u->notes, u->max);
    zs_buf_init(&u->arena, u->max);
    free(u->index);
    u->index = NULL;
    u->cap = 0;
    u->count = 0;
}

void mon_undo_free(mon_undo_t *u)
{
    if (u == NULL)
        return;
    release(u);
    free(u);
}

void mon_undo_reset(mon_undo_t *u)
{
    if (u == NULL)
        return;
    if (mon_undo_bytes(u) > KEEP_BYTES) {
        release(u); /* after a quarter close: do not keep a partition's worth */
    } else {
        zs_buf_reset(&u->notes);
        zs_buf_reset(&u->arena);
        if (u->index != NULL)
            memset(u->index, 0, u->cap * sizeof(*u->index));
        u->count = 0;
    }
    u->whole = true;
}

static void give_up(mon_undo_t *u)
{
    release(u);
    u->whole = false;
}

/* The slot of (p, id): its note's or the empty one where it would go. */
static size_t find(const mon_undo_t *u, int32_t p, const char *id, size_t idlen, uint32_t h,
                   bool *found)
{
    for (size_t s = h & (u->cap - 1);; s = (s + 1) & (u->cap - 1)) {
        if (u->index[s] == 0) {
            *found = false;
            return s;
        }
        const note_t *n = note_at(u, u->index[s] - 1);
        if (n->hash == h && n->p == p && n->idlen == idlen &&
            memcmp(u->arena.data + n->off, id, idlen) == 0) {
            *found = true;
            return s;
        }
    }
}

/* What the log holds: notes, ids and old states, index. */
static size_t held(const mon_undo_t *u)
{
    return u->notes.len + u->arena.len + u->cap * sizeof(*u->index);
}

/* Doubles the index (or makes the first one) when one more note would fill
 * it past half. */
static zs_err_t grow_index(mon_undo_t *u)
{
    if ((u->count + 1) * 2 <= u->cap)
        return ZS_OK;
    size_t cap = u->cap ? u->cap * 2 : INDEX_MIN;
    if (cap > UINT32_MAX || held(u) + (cap - u->cap) * sizeof(*u->index) > u->max)
        return ZS_ERR_OVERFLOW;
    uint32_t *index = calloc(cap, sizeof(*index));
    if (index == NULL)
        return ZS_ERR_NOMEM;
    for (size_t i = 0; i < u->count; i++) {
        size_t s = note_at(u, i)->hash & (cap - 1);
        while (index[s] != 0)
            s = (s + 1) & (cap - 1);
        index[s] = (uint32_t)(i + 1);
    }
    free(u->index);
    u->index = index;
    u->cap = cap;
    return ZS_OK;
}

void mon_undo_note(mon_undo_t *u, int32_t p, const char *id, const void *old, size_t len)
{
    if (u == NULL || !u->whole)
        return;
    size_t idlen = strlen(id);
    uint32_t h = hash_of(p, id);
    bool found = false;
    if (u->cap > 0) {
        find(u, p, id, idlen, h, &found);
        if (found)
            return; /* the first note of a transaction is the one that counts */
    }
    if (old == NULL)
        len = 0;
    size_t need = sizeof(note_t) + idlen + 1 + len;
    if (grow_index(u) != ZS_OK || need > u->max || held(u) > u->max - need) {
        give_up(u);
        return;
    }
    note_t n = {
        .p = p, .hash = h, .off = u->arena.len, .len = len, .idlen = idlen, .absent = old == NULL};
    if (zs_buf_add(&u->arena, id, idlen + 1) != ZS_OK ||
        (len > 0 && zs_buf_add(&u->arena, old, len) != ZS_OK) ||
        zs_buf_add(&u->notes, &n, sizeof(n)) != ZS_OK) {
        give_up(u);
        return;
    }
    size_t s = find(u, p, id, idlen, h, &found);
    u->index[s] = (uint32_t)(++u->count);
}

bool mon_undo_whole(const mon_undo_t *u)
{
    return u != NULL && u->whole;
}

size_t mon_undo_count(const mon_undo_t *u)
{
    return u != NULL ? u->count : 0;
}

size_t mon_undo_bytes(const mon_undo_t *u)
{
    return u != NULL ? u->notes.cap + u->arena.cap + u->cap * sizeof(*u->index) : 0;
}

zs_err_t mon_undo_apply(const mon_undo_t *u, mon_map_t *const *maps, int32_t nmaps, size_t *undone)
{
    *undone = 0;
    if (!mon_undo_whole(u))
        return ZS_ERR_INVALID;
    for (size_t i = 0; i < u->count; i++) {
        const note_t *n = note_at(u, i);
        mon_map_t *map = n->p >= 0 && n->p < nmaps ? maps[n->p] : NULL;
        if (map == NULL)
            return ZS_ERR_NOT_FOUND;
        const char *id = u->arena.data + n->off;
        if (n->absent) {
            mon_map_del(map, id);
        } else if (mon_map_put(map, id, id + n->idlen + 1, n->len) != ZS_OK) {
            return ZS_ERR_NOMEM;
        }
        ++*undone;
    }
    return ZS_OK;
}
