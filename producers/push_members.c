/* push_members.c: members by household, as Avro binary in one arena, found
 * through an open-addressing hash table of household ids. About 60 bytes a
 * member plus 24 a household: six million members fit in half a gigabyte. */
#include "push_members.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_buf.h"

#define NONE UINT32_MAX

/* One household in the table. */
typedef struct slot {
    uint32_t key;   /* arena offset of its NUL-terminated id; NONE: empty slot */
    uint32_t first; /* first member entry, NONE if none */
    uint32_t last;
    uint32_t count;         /* members held */
    uint32_t dup;           /* the entry a later row repeated (same person), NONE if none */
    unsigned long dup_line; /* the line of that later row */
    bool taken;
} slot_t;

/* One member: its Avro bytes in the arena, the next of its household. */
typedef struct entry {
    uint32_t blob, len;
    uint32_t person; /* arena offset of the person id */
    uint32_t next;
    unsigned long line;
} entry_t;

struct push_members {
    zs_buf_t arena;
    slot_t *slots;
    size_t nslots, used;
    entry_t *entries;
    size_t nentries, cap;
    avro_writer_t writer;
    avro_reader_t reader;
};

zs_err_t push_members_new(push_members_t **out)
{
    push_members_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return ZS_ERR_NOMEM;
    zs_buf_init(&m->arena, (size_t)UINT32_MAX - 1);
    m->nslots = 1024;
    m->slots = malloc(m->nslots * sizeof(*m->slots));
    m->writer = avro_writer_memory(NULL, 0);
    m->reader = avro_reader_memory(NULL, 0);
    if (m->slots == NULL || m->writer == NULL || m->reader == NULL) {
        push_members_free(m);
        return ZS_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->nslots; i++)
        m->slots[i].key = NONE;
    *out = m;
    return ZS_OK;
}

void push_members_free(push_members_t *m)
{
    if (m == NULL)
        return;
    zs_buf_free(&m->arena);
    free(m->slots);
    free(m->entries);
    if (m->writer != NULL)
        avro_writer_free(m->writer);
    if (m->reader != NULL)
        avro_reader_free(m->reader);
    free(m);
}

static uint64_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static slot_t *find(push_members_t *m, const char *hh)
{
    size_t mask = m->nslots - 1;
    for (size_t i = hash(hh) & mask;; i = (i + 1) & mask) {
        slot_t *s = &m->slots[i];
        if (s->key == NONE || strcmp(m->arena.data + s->key, hh) == 0)
            return s;
    }
}

static zs_err_t grow(push_members_t *m)
{
    size_t n = m->nslots * 2;
    slot_t *old = m->slots, *slots = malloc(n * sizeof(*slots));
    if (slots == NULL)
        return ZS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        slots[i].key = NONE;
    size_t old_n = m->nslots;
    m->slots = slots;
    m->nslots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i].key != NONE)
            *find(m, m->arena.data + old[i].key) = old[i];
    free(old);
    return ZS_OK;
}

/* Copies a NUL-terminated string into the arena; its offset in *off. */
static zs_err_t intern(push_members_t *m, const char *s, uint32_t *off)
{
    *off = (uint32_t)m->arena.len;
    return zs_buf_add(&m->arena, s, strlen(s) + 1);
}

zs_err_t push_members_add(push_members_t *m, const char *hh, avro_value_t *member,
                          const char *person_id, unsigned long line, char *errstr,
                          size_t errstr_size)
{
    if (m->used * 2 >= m->nslots && grow(m) != ZS_OK)
        return ZS_ERR_NOMEM;
    slot_t *s = find(m, hh);
    for (uint32_t e = s->key != NONE ? s->first : NONE; e != NONE; e = m->entries[e].next)
        if (strcmp(m->arena.data + m->entries[e].person, person_id) == 0) {
            /* The household is refused too: which of the two rows is right
             * is for the registry to say. */
            if (s->dup == NONE) {
                s->dup = e;
                s->dup_line = line;
            }
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "person_id: %s is already a member of %s (line %lu)", person_id, hh,
                           m->entries[e].line);
        }
    if (m->nentries == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4096;
        entry_t *entries = realloc(m->entries, cap * sizeof(*entries));
        if (entries == NULL)
            return ZS_ERR_NOMEM;
        m->entries = entries;
        m->cap = cap;
    }
    size_t size = 0;
    if (avro_value_sizeof(member, &size) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "member: %s", avro_strerror());
    entry_t *e = &m->entries[m->nentries];
    zs_err_t err = ZS_OK;
    if (s->key == NONE) {
        err = intern(m, hh, &s->key);
        s->first = s->last = s->dup = NONE;
        s->count = 0;
        s->taken = false;
        m->used++;
    }
    if (err == ZS_OK)
        err = intern(m, person_id, &e->person);
    if (err == ZS_OK) {
        e->blob = (uint32_t)m->arena.len;
        err = zs_buf_reserve(&m->arena, size);
    }
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "members index: %s", zs_err2str(err));
    avro_writer_memory_set_dest(m->writer, m->arena.data + e->blob, (int64_t)size);
    if (avro_value_write(m->writer, member) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "member: %s", avro_strerror());
    m->arena.len += size;
    e->len = (uint32_t)size;
    e->next = NONE;
    e->line = line;
    uint32_t index = (uint32_t)m->nentries++;
    if (s->first == NONE)
        s->first = index;
    else
        m->entries[s->last].next = index;
    s->last = index;
    s->count++;
    return ZS_OK;
}

zs_err_t push_members_check(push_members_t *m, const char *hh, size_t max, char *errstr,
                            size_t errstr_size)
{
    const slot_t *s = find(m, hh);
    if (s->key == NONE || s->count == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "members: none in the members file (a household has 1 to %zu)", max);
    if (s->dup != NONE)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "members: person %s is listed twice (members file lines %lu and %lu)",
                       m->arena.data + m->entries[s->dup].person, m->entries[s->dup].line,
                       s->dup_line);
    if (s->count > max)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "members: %" PRIu32 " in the members file, more than %zu", s->count, max);
    return ZS_OK;
}

void push_members_drop(push_members_t *m, const char *hh,
                       void (*fn)(void *ctx, const char *person_id, unsigned long line), void *ctx)
{
    slot_t *s = find(m, hh);
    if (s->key == NONE)
        return;
    s->taken = true;
    for (uint32_t i = s->first; fn != NULL && i != NONE; i = m->entries[i].next)
        fn(ctx, m->arena.data + m->entries[i].person, m->entries[i].line);
}

zs_err_t push_members_take(push_members_t *m, const char *hh, avro_value_t *array, size_t *count,
                           char *errstr, size_t errstr_size)
{
    *count = 0;
    slot_t *s = find(m, hh);
    if (s->key == NONE)
        return ZS_OK;
    s->taken = true;
    for (uint32_t i = s->first; i != NONE; i = m->entries[i].next) {
        avro_value_t elem;
        if (avro_value_append(array, &elem, NULL) != 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "members: %s", avro_strerror());
        /* Bytes this process wrote itself: avro-c's reader is safe on them. */
        avro_reader_memory_set_source(m->reader, m->arena.data + m->entries[i].blob,
                                      m->entries[i].len);
        if (avro_value_read(m->reader, &elem) != 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "members: %s", avro_strerror());
        (*count)++;
    }
    return ZS_OK;
}

void push_members_orphans(const push_members_t *m,
                          void (*fn)(void *ctx, const char *hh, unsigned long line), void *ctx)
{
    for (size_t i = 0; i < m->nslots; i++) {
        const slot_t *s = &m->slots[i];
        if (s->key != NONE && !s->taken)
            fn(ctx, m->arena.data + s->key, m->entries[s->first].line);
    }
}

size_t push_members_count(const push_members_t *m)
{
    return m->nentries;
}

size_t push_members_bytes(const push_members_t *m)
{
    return m->arena.cap + m->nslots * sizeof(slot_t) + m->cap * sizeof(entry_t);
}
