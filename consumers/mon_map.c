/* mon_map.c: household id -> compact state, open addressing (linear probing). */
#include "mon_map.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One allocation per household: [id length][id][state]. */
typedef struct slot {
    unsigned char *entry; /* NULL: empty */
    uint32_t len;         /* state bytes */
    uint32_t hash;
} slot_t;

struct mon_map {
    slot_t *slots;
    size_t cap; /* a power of two */
    size_t count;
    size_t bytes; /* ids and states */
};

static uint32_t hash_of(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

zs_err_t mon_map_new(mon_map_t **out)
{
    mon_map_t *m = calloc(1, sizeof(*m));
    if (m != NULL && (m->slots = calloc(1024, sizeof(slot_t))) == NULL) {
        free(m);
        m = NULL;
    }
    *out = m;
    if (m == NULL)
        return ZS_ERR_NOMEM;
    m->cap = 1024;
    return ZS_OK;
}

void mon_map_free(mon_map_t *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].entry);
    free(m->slots);
    free(m);
}

static size_t find(const mon_map_t *m, const char *id, uint32_t h, bool *found)
{
    size_t idlen = strlen(id);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const slot_t *s = &m->slots[i];
        if (s->entry == NULL) {
            *found = false;
            return i;
        }
        if (s->hash == h && s->entry[0] == idlen && memcmp(s->entry + 1, id, idlen) == 0) {
            *found = true;
            return i;
        }
    }
}

const void *mon_map_get(const mon_map_t *m, const char *id, size_t *len)
{
    bool found;
    size_t i = find(m, id, hash_of(id), &found);
    if (!found)
        return NULL;
    *len = m->slots[i].len;
    return m->slots[i].entry + 1 + m->slots[i].entry[0];
}

static zs_err_t grow(mon_map_t *m)
{
    size_t cap = m->cap * 2;
    slot_t *slots = calloc(cap, sizeof(slot_t));
    if (slots == NULL)
        return ZS_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        slot_t s = m->slots[i];
        if (s.entry == NULL)
            continue;
        size_t k = s.hash & (cap - 1);
        while (slots[k].entry != NULL)
            k = (k + 1) & (cap - 1);
        slots[k] = s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return ZS_OK;
}

zs_err_t mon_map_put(mon_map_t *m, const char *id, const void *state, size_t len)
{
    size_t idlen = strlen(id);
    if (idlen > 255 || len > UINT32_MAX)
        return ZS_ERR_OVERFLOW;
    uint32_t h = hash_of(id);
    bool found;
    size_t i = find(m, id, h, &found);
    if (!found && (m->count + 1) * 4 > m->cap * 3) { /* only a new id moves slots */
        if (grow(m) != ZS_OK)
            return ZS_ERR_NOMEM;
        i = find(m, id, h, &found);
    }
    slot_t *s = &m->slots[i];
    unsigned char *e = found && s->len == len ? s->entry : malloc(1 + idlen + len);
    if (e == NULL)
        return ZS_ERR_NOMEM;
    if (e != s->entry) {
        e[0] = (unsigned char)idlen;
        memcpy(e + 1, id, idlen);
        if (found) {
            m->bytes -= 1 + idlen + s->len;
            free(s->entry);
        } else {
            m->count++;
        }
        m->bytes += 1 + idlen + len;
    }
    memcpy(e + 1 + idlen, state, len);
    *s = (slot_t){.entry = e, .len = (uint32_t)len, .hash = h};
    return ZS_OK;
}

void mon_map_del(mon_map_t *m, const char *id)
{
    bool found;
    size_t mask = m->cap - 1, i = find(m, id, hash_of(id), &found);
    if (!found)
        return;
    m->bytes -= 1 + m->slots[i].entry[0] + m->slots[i].len;
    m->count--;
    free(m->slots[i].entry);
    m->slots[i].entry = NULL;
    /* Backward shift: an entry after the hole that may sit in it (its home
     * is not between the hole and itself) moves into it. */
    for (size_t k = (i + 1) & mask; m->slots[k].entry != NULL; k = (k + 1) & mask) {
        size_t home = m->slots[k].hash & mask;
        if (((k - home) & mask) >= ((k - i) & mask)) {
            m->slots[i] = m->slots[k];
            m->slots[k].entry = NULL;
            i = k;
        }
    }
}

size_t mon_map_count(const mon_map_t *m)
{
    return m->count;
}

size_t mon_map_bytes(const mon_map_t *m)
{
    /* malloc's header and rounding: 8 bytes and up to 16 on glibc. */
    return m->cap * sizeof(slot_t) + m->bytes + m->count * 16;
}

int mon_map_next(const mon_map_t *m, size_t *it, const char **id, const void **state, size_t *len)
{
    static char name[256];
    for (; *it < m->cap; ++*it) {
        const slot_t *s = &m->slots[*it];
        if (s->entry == NULL)
            continue;
        memcpy(name, s->entry + 1, s->entry[0]);
        name[s->entry[0]] = '\0';
        *id = name;
        *state = s->entry + 1 + s->entry[0];
        *len = s->len;
        ++*it;
        return 1;
    }
    return 0;
}
