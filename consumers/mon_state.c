/* mon_state.c: one household's state, its events, and its compact form. */
#include "mon_state.h"
#include "mon_rules.h" /* MON_RULES */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The compact form's version: 4 adds each record's input offset (a last
 * section); 3 (without them: offsets unknown) adds the noted findings; 2
 * (without either) is still read. */
#define FORMAT_VERSION     4
#define FORMAT_VERSION_MIN 2

/* Copies an id (at most MON_ID_SIZE - 1 bytes, cut there) into out. */
static void copy_id(char out[MON_ID_SIZE], const char *id)
{
    size_t n = strnlen(id, MON_ID_SIZE - 1);
    memcpy(out, id, n);
    out[n] = '\0';
}

bool mon_status_employed(int status)
{
    return status >= 0 && status < MON_UNEMPLOYED;
}

bool mon_status_migrant(int status)
{
    return status == MON_MIGRANT_OUT_PROVINCE || status == MON_MIGRANT_IN_PROVINCE;
}

/* The months of ZS_YEAR_MIN..ZS_YEAR_MAX, computed once: the compact form
 * counts every time from its month's start. */
#define CACHED_FIRST  ((zs_month_t)ZS_YEAR_MIN * 12)
#define CACHED_MONTHS ((ZS_YEAR_MAX - ZS_YEAR_MIN + 1) * 12)
static int64_t month_starts[CACHED_MONTHS];
static bool month_starts_ready;

static int64_t month_start_computed(zs_month_t m)
{
    int64_t days = zs_days_from_civil(zs_month_year(m), (unsigned)zs_month_month(m), 1);
    return (days * 86400 - 8 * 3600) * 1000;
}

int64_t mon_month_start_ms(zs_month_t m)
{
    if (m < CACHED_FIRST || m >= CACHED_FIRST + CACHED_MONTHS)
        return month_start_computed(m);
    if (!month_starts_ready) { /* single-threaded users; idempotent anyway */
        for (int i = 0; i < CACHED_MONTHS; i++)
            month_starts[i] = month_start_computed(CACHED_FIRST + i);
        month_starts_ready = true;
    }
    return month_starts[m - CACHED_FIRST];
}

/* ---- arrays ---- */

/* Makes room for one more element of size elem in *v (n used, *cap held). */
static zs_err_t grow(void **v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return ZS_OK;
    size_t want = *cap < 8 ? 8 : *cap * 2;
    void *p = realloc(*v, want * elem);
    if (p == NULL)
        return ZS_ERR_NOMEM;
    *v = p;
    *cap = want;
    return ZS_OK;
}

/* Opens a gap at index i of an array of n elements (room already made). */
static void *insert_at(void *v, size_t n, size_t i, size_t elem)
{
    char *base = v;
    memmove(base + (i + 1) * elem, base + i * elem, (n - i) * elem);
    return base + i * elem;
}

#define GROW(hh, name)                                                                             \
    grow((void **)&(hh)->name, (hh)->n##name, &(hh)->cap_##name, sizeof(*(hh)->name))

void mon_hh_init(mon_hh_t *hh)
{
    memset(hh, 0, sizeof(*hh));
    hh->snapshot_offset = -1;
}

void mon_hh_clear(mon_hh_t *hh, const char *household_id)
{
    if (household_id != hh->id) /* the same household again keeps its id */
        copy_id(hh->id, household_id);
    hh->registered = false;
    hh->county[0] = '\0';
    hh->category = 0;
    hh->updated_at = 0;
    hh->snapshot_offset = -1;
    hh->nsources = 0;
    hh->npersons = hh->nincomes = hh->njobs = hh->nsubsidies = hh->ncosts = hh->nepisodes = 0;
    hh->nnoted = 0;
}

void mon_hh_free(mon_hh_t *hh)
{
    free(hh->persons);
    free(hh->incomes);
    free(hh->jobs);
    free(hh->subsidies);
    free(hh->costs);
    free(hh->episodes);
    free(hh->noted);
    mon_hh_init(hh);
}

int mon_person_index(mon_hh_t *hh, const char *person_id)
{
    for (size_t i = 0; i < hh->npersons; i++)
        if (strcmp(hh->persons[i].id, person_id) == 0)
            return (int)i;
    if (hh->npersons >= 255 || GROW(hh, persons) != ZS_OK)
        return -1;
    mon_person_t *p = &hh->persons[hh->npersons++];
    memset(p, 0, sizeof(*p));
    copy_id(p->id, person_id);
    return (int)(hh->npersons - 1);
}

static int source_index(mon_hh_t *hh, const char *source)
{
    for (size_t i = 0; i < hh->nsources; i++)
        if (strcmp(hh->sources[i], source) == 0)
            return (int)i;
    if (hh->nsources >= MON_SOURCES_MAX)
        return -1;
    snprintf(hh->sources[hh->nsources], MON_SOURCE_SIZE, "%s", source);
    return (int)hh->nsources++;
}

/* Whether a statement (at, event_id) stands over another of the same
 * identity: the later reported_at; on a tie the greater event_id. */
static bool stands_over(int64_t a_at, const char *a_id, int64_t b_at, const char *b_id)
{
    return a_at != b_at ? a_at > b_at : strcmp(a_id, b_id) > 0;
}

/* ---- events ---- */

zs_err_t mon_apply_household(mon_hh_t *hh, const char *county, int category, int64_t updated_at,
                             const mon_member_in_t *members, size_t nmembers, int64_t offset,
                             mon_applied_t *applied)
{
    *applied = MON_IGNORED;
    if (hh->registered && updated_at < hh->updated_at)
        return ZS_OK;
    bool was = hh->registered;
    hh->registered = true;
    snprintf(hh->county, sizeof(hh->county), "%s", county);
    hh->category = (uint8_t)category;
    hh->updated_at = updated_at;
    hh->snapshot_offset = offset;
    for (size_t i = 0; i < hh->npersons; i++)
        hh->persons[i].member = false;
    for (size_t i = 0; i < nmembers; i++) {
        int p = mon_person_index(hh, members[i].person_id);
        if (p < 0)
            return ZS_ERR_OVERFLOW;
        mon_person_t *m = &hh->persons[p];
        m->member = true;
        m->active = members[i].active;
        m->birth_year = (int16_t)members[i].birth_year;
        m->labor = (uint8_t)members[i].labor;
        m->disability = (uint8_t)members[i].disability;
    }
    *applied = was ? MON_REPLACED : MON_ADDED;
    return ZS_OK;
}

static int cmp_income_identity(const mon_income_t *a, zs_month_t month, int component,
                               const char *source, const mon_hh_t *hh)
{
    if (a->month != month)
        return a->month < month ? -1 : 1;
    if (a->component != component)
        return a->component < component ? -1 : 1;
    return strcmp(hh->sources[a->source], source);
}

zs_err_t mon_apply_income(mon_hh_t *hh, const char *event_id, zs_month_t month, int component,
                          const char *source, int64_t fen, int64_t at, int64_t offset,
                          mon_applied_t *applied)
{
    *applied = MON_IGNORED;
    size_t i = 0;
    int c = 1;
    /* Statements are sorted; most arrive in month order, so look from the end. */
    for (i = hh->nincomes; i > 0; i--) {
        c = cmp_income_identity(&hh->incomes[i - 1], month, component, source, hh);
        if (c <= 0)
            break;
    }
    if (i > 0 && c == 0) {
        mon_income_t *s = &hh->incomes[i - 1];
        if (!stands_over(at, event_id, s->at, s->event_id))
            return ZS_OK;
        bool same = s->fen == fen;
        s->fen = fen;
        s->at = at;
        s->offset = offset;
        copy_id(s->event_id, event_id);
        *applied = same ? MON_ADDED : MON_REPLACED;
        return ZS_OK;
    }
    int src = source_index(hh, source);
    if (src < 0 || GROW(hh, incomes) != ZS_OK)
        return src < 0 ? ZS_ERR_OVERFLOW : ZS_ERR_NOMEM;
    mon_income_t *s = insert_at(hh->incomes, hh->nincomes++, i, sizeof(*s));
    *s = (mon_income_t){.month = month,
                        .component = (uint8_t)component,
                        .source = (uint8_t)src,
                        .fen = fen,
                        .at = at,
                        .offset = offset};
    copy_id(s->event_id, event_id);
    *applied = MON_ADDED;
    return ZS_OK;
}

zs_err_t mon_apply_job(mon_hh_t *hh, const char *event_id, const char *person_id, zs_month_t month,
                       int status, bool wants_work, int64_t at, int64_t offset,
                       mon_applied_t *applied)
{
    *applied = MON_IGNORED;
    int p = mon_person_index(hh, person_id);
    if (p < 0)
        return ZS_ERR_OVERFLOW;
    size_t i;
    for (i = hh->njobs; i > 0; i--) {
        const mon_job_t *j = &hh->jobs[i - 1];
        if (j->person < p || (j->person == p && j->month <= month))
            break;
    }
    if (i > 0 && hh->jobs[i - 1].person == p && hh->jobs[i - 1].month == month) {
        mon_job_t *j = &hh->jobs[i - 1];
        if (!stands_over(at, event_id, j->at, j->event_id))
            return ZS_OK;
        bool same = j->status == status && j->wants_work == wants_work;
        j->status = (uint8_t)status;
        j->wants_work = wants_work;
        j->at = at;
        j->offset = offset;
        copy_id(j->event_id, event_id);
        *applied = same ? MON_ADDED : MON_REPLACED;
        return ZS_OK;
    }
    if (GROW(hh, jobs) != ZS_OK)
        return ZS_ERR_NOMEM;
    mon_job_t *j = insert_at(hh->jobs, hh->njobs++, i, sizeof(*j));
    *j = (mon_job_t){.month = month,
                     .person = (uint8_t)p,
                     .status = (uint8_t)status,
                     .wants_work = wants_work,
                     .at = at,
                     .offset = offset};
    copy_id(j->event_id, event_id);
    *applied = MON_ADDED;
    return ZS_OK;
}

/* Where a record of month goes in a month-sorted array (after its equals). */
#define MONTH_SLOT(arr, n, m, i)                                                                   \
    for (i = (n); i > 0 && (arr)[i - 1].month > (m); i--)                                          \
        ;

zs_err_t mon_apply_subsidy(mon_hh_t *hh, const char *event_id, const char *person_id, int program,
                           bool paid, zs_month_t month, int64_t fen, int64_t at, int64_t offset,
                           mon_applied_t *applied)
{
    *applied = MON_IGNORED;
    int p = -1;
    if (person_id != NULL && (p = mon_person_index(hh, person_id)) < 0)
        return ZS_ERR_OVERFLOW;
    for (size_t i = 0; i < hh->nsubsidies; i++) {
        mon_subsidy_t *s = &hh->subsidies[i];
        if (paid ? (s->paid && strcmp(s->event_id, event_id) == 0)
                 : (!s->paid && s->person == p && s->program == program && s->month == month)) {
            if (paid || !stands_over(at, event_id, s->at, s->event_id))
                return ZS_OK;
            bool same = s->fen == fen;
            s->fen = fen;
            s->at = at;
            s->offset = offset;
            copy_id(s->event_id, event_id);
            *applied = same ? MON_ADDED : MON_REPLACED;
            return ZS_OK;
        }
    }
    if (GROW(hh, subsidies) != ZS_OK)
        return ZS_ERR_NOMEM;
    size_t i;
    MONTH_SLOT(hh->subsidies, hh->nsubsidies, month, i);
    mon_subsidy_t *s = insert_at(hh->subsidies, hh->nsubsidies++, i, sizeof(*s));
    *s = (mon_subsidy_t){.month = month,
                         .person = (int16_t)p,
                         .program = (uint8_t)program,
                         .paid = paid,
                         .fen = fen,
                         .at = at,
                         .offset = offset};
    copy_id(s->event_id, event_id);
    *applied = MON_ADDED;
    return ZS_OK;
}

zs_err_t mon_apply_cost(mon_hh_t *hh, const char *event_id, zs_month_t month, int kind, int64_t fen,
                        int64_t at, int64_t offset, mon_applied_t *applied)
{
    *applied = MON_IGNORED;
    for (size_t i = 0; i < hh->ncosts; i++)
        if (strcmp(hh->costs[i].event_id, event_id) == 0)
            return ZS_OK;
    if (GROW(hh, costs) != ZS_OK)
        return ZS_ERR_NOMEM;
    size_t i;
    MONTH_SLOT(hh->costs, hh->ncosts, month, i);
    mon_cost_t *c = insert_at(hh->costs, hh->ncosts++, i, sizeof(*c));
    *c =
        (mon_cost_t){.month = month, .kind = (uint8_t)kind, .fen = fen, .at = at, .offset = offset};
    copy_id(c->event_id, event_id);
    *applied = MON_ADDED;
    return ZS_OK;
}

bool mon_subsidy_pays(const mon_subsidy_t *p, const mon_subsidy_t *due)
{
    return p->paid && p->person == due->person && p->program == due->program &&
           p->month == due->month;
}

/* Whether an open episode's subject is a subsidy subject of s. */
static bool subsidy_open(const mon_hh_t *hh, const mon_subsidy_t *s)
{
    char subject[MON_SUBJECT_SIZE];
    int n =
        snprintf(subject, sizeof(subject), "%s/", s->person < 0 ? "-" : hh->persons[s->person].id);
    for (size_t i = 0; i < hh->nepisodes; i++)
        if (strncmp(hh->episodes[i].subject, subject, (size_t)n) == 0)
            return true;
    return false;
}

static int cmp_noted(const mon_noted_t *a, int kind, zs_month_t period, const char *person_id)
{
    if (a->period != period)
        return a->period < period ? -1 : 1;
    if (a->kind != kind)
        return a->kind < kind ? -1 : 1;
    return strcmp(a->person_id, person_id);
}

bool mon_hh_note(mon_hh_t *hh, int kind, zs_month_t period, const char *person_id, zs_err_t *err)
{
    person_id = person_id ? person_id : "";
    size_t i = 0;
    int c = 1;
    while (i < hh->nnoted && (c = cmp_noted(&hh->noted[i], kind, period, person_id)) < 0)
        i++;
    if (i < hh->nnoted && c == 0)
        return false;
    if ((*err = GROW(hh, noted)) != ZS_OK)
        return false;
    memmove(&hh->noted[i + 1], &hh->noted[i], (hh->nnoted - i) * sizeof(hh->noted[0]));
    hh->noted[i] = (mon_noted_t){.kind = (uint8_t)kind, .period = period};
    copy_id(hh->noted[i].person_id, person_id);
    hh->nnoted++;
    return true;
}

void mon_hh_prune(mon_hh_t *hh, zs_month_t keep_from)
{
    size_t k = 0;
    for (size_t i = 0; i < hh->nnoted; i++)
        if (hh->noted[i].period >= keep_from)
            hh->noted[k++] = hh->noted[i];
    hh->nnoted = k;
    k = 0;
    for (size_t i = 0; i < hh->nincomes; i++)
        if (hh->incomes[i].month >= keep_from)
            hh->incomes[k++] = hh->incomes[i];
    hh->nincomes = k;
    k = 0;
    for (size_t i = 0; i < hh->njobs; i++)
        if (hh->jobs[i].month >= keep_from)
            hh->jobs[k++] = hh->jobs[i];
    hh->njobs = k;
    k = 0;
    for (size_t i = 0; i < hh->ncosts; i++)
        if (hh->costs[i].month >= keep_from)
            hh->costs[k++] = hh->costs[i];
    hh->ncosts = k;
    k = 0;
    for (size_t i = 0; i < hh->nsubsidies; i++)
        if (hh->subsidies[i].month >= keep_from || subsidy_open(hh, &hh->subsidies[i]))
            hh->subsidies[k++] = hh->subsidies[i];
    hh->nsubsidies = k;
}

/* ---- the compact form ---- */

static zs_err_t put_varint(zs_buf_t *out, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (unsigned char)v;
    return zs_buf_add(out, b, n);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static zs_err_t put_signed(zs_buf_t *out, int64_t v)
{
    return put_varint(out, zigzag(v));
}

static zs_err_t put_str(zs_buf_t *out, const char *s)
{
    size_t n = strlen(s);
    zs_err_t err = put_varint(out, n);
    return err != ZS_OK ? err : zs_buf_add(out, s, n);
}

/* An id that shares a prefix with the household id ("GX01-I7" after "GX01"). */
static zs_err_t put_id(zs_buf_t *out, const char *hh_id, const char *id)
{
    size_t shared = 0;
    while (hh_id[shared] != '\0' && hh_id[shared] == id[shared])
        shared++;
    zs_err_t err = put_varint(out, shared);
    return err != ZS_OK ? err : put_str(out, id + shared);
}

/* A time near the start of a month: whole seconds when it has no milliseconds. */
static zs_err_t put_time(zs_buf_t *out, int64_t at, zs_month_t month)
{
    int64_t d = at - mon_month_start_ms(month);
    return d % 1000 == 0 ? put_varint(out, zigzag(d / 1000) << 1)
                         : put_varint(out, zigzag(d) << 1 | 1);
}

/* The input offsets (-1: unknown) of n records of size bytes each, the
 * offset at byte at of each, as differences from the one before (the
 * first from -1). */
static zs_err_t put_offsets(zs_buf_t *out, const void *records, size_t n, size_t size, size_t at)
{
    int64_t prev = -1;
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        int64_t offset;
        memcpy(&offset, (const char *)records + i * size + at, sizeof(offset));
        err = put_signed(out, (int64_t)((uint64_t)offset - (uint64_t)prev));
        prev = offset;
    }
    return err;
}

/* The size of a record type and where its input offset lies in it. */
#define RECORD_OFFSET(type) sizeof(type), offsetof(type, offset)

/* ---- canonical order ---- */

/* Persons and sources are numbered in order of first mention, which depends
 * on how the input topics interleave; open episodes are listed in order of
 * opening. Sorting them (persons by id, sources by name, episodes by rule
 * and subject) makes two equal states equal byte for byte, whatever the
 * order of arrival, the crashes or the rebalances before. */
static const mon_hh_t *sort_hh; /* qsort has no context argument */

static int cmp_person(const void *a, const void *b)
{
    return strcmp(sort_hh->persons[*(const uint8_t *)a].id,
                  sort_hh->persons[*(const uint8_t *)b].id);
}

static int cmp_source(const void *a, const void *b)
{
    return strcmp(sort_hh->sources[*(const uint8_t *)a], sort_hh->sources[*(const uint8_t *)b]);
}

static int cmp_job(const void *a, const void *b)
{
    const mon_job_t *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return (x->month > y->month) - (x->month < y->month);
}

static int cmp_episode(const void *a, const void *b)
{
    const mon_episode_t *x = a, *y = b;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return strcmp(x->subject, y->subject);
}

static void canonical(mon_hh_t *hh)
{
    uint8_t order[256], to[256];
    sort_hh = hh;
    for (size_t i = 0; i < hh->npersons; i++)
        order[i] = (uint8_t)i;
    qsort(order, hh->npersons, 1, cmp_person);
    bool moved = false;
    for (size_t i = 0; i < hh->npersons; i++) {
        to[order[i]] = (uint8_t)i;
        moved |= order[i] != i;
    }
    if (moved) {
        mon_person_t tmp[256];
        for (size_t i = 0; i < hh->npersons; i++)
            tmp[i] = hh->persons[order[i]];
        memcpy(hh->persons, tmp, hh->npersons * sizeof(tmp[0]));
        for (size_t i = 0; i < hh->njobs; i++)
            hh->jobs[i].person = to[hh->jobs[i].person];
        for (size_t i = 0; i < hh->nsubsidies; i++)
            if (hh->subsidies[i].person >= 0)
                hh->subsidies[i].person = to[hh->subsidies[i].person];
        if (hh->njobs > 1)
            qsort(hh->jobs, hh->njobs, sizeof(hh->jobs[0]), cmp_job);
    }
    for (size_t i = 0; i < hh->nsources; i++)
        order[i] = (uint8_t)i;
    qsort(order, hh->nsources, 1, cmp_source);
    moved = false;
    for (size_t i = 0; i < hh->nsources; i++) {
        to[order[i]] = (uint8_t)i;
        moved |= order[i] != i;
    }
    if (moved) {
        char tmp[MON_SOURCES_MAX][MON_SOURCE_SIZE];
        for (size_t i = 0; i < hh->nsources; i++)
            memcpy(tmp[i], hh->sources[order[i]], MON_SOURCE_SIZE);
        memcpy(hh->sources, tmp, hh->nsources * MON_SOURCE_SIZE);
        for (size_t i = 0; i < hh->nincomes; i++)
            hh->incomes[i].source = to[hh->incomes[i].source];
    }
    if (hh->nepisodes > 1)
        qsort(hh->episodes, hh->nepisodes, sizeof(hh->episodes[0]), cmp_episode);
    sort_hh = NULL;
}

zs_err_t mon_hh_encode(mon_hh_t *hh, zs_buf_t *out)
{
    canonical(hh);
    zs_err_t err = put_varint(out, FORMAT_VERSION);
    err = err ? err : put_varint(out, hh->registered);
    if (hh->registered) {
        err = err ? err : put_varint(out, (uint64_t)strtoul(hh->county, NULL, 10));
        err = err ? err : put_varint(out, hh->category);
        err = err ? err : put_signed(out, hh->updated_at);
    }
    err = err ? err : put_varint(out, hh->nsources);
    for (size_t i = 0; i < hh->nsources && !err; i++)
        err = put_str(out, hh->sources[i]);
    err = err ? err : put_varint(out, hh->npersons);
    for (size_t i = 0; i < hh->npersons && !err; i++) {
        const mon_person_t *p = &hh->persons[i];
        err = put_id(out, hh->id, p->id);
        err = err ? err : put_signed(out, p->birth_year);
        err = err ? err
                  : put_varint(out,
                               (uint64_t)p->labor << 4 | (uint64_t)p->disability << 1 | p->member);
        err = err ? err : put_varint(out, p->active);
    }
    /* Event ids share their prefix with the record before (GX01-I7, GX01-I8). */
    const char *prev_id = hh->id;
    zs_month_t prev = 0;
    err = err ? err : put_varint(out, hh->nincomes);
    for (size_t i = 0; i < hh->nincomes && !err; i++) {
        const mon_income_t *s = &hh->incomes[i];
        err = put_signed(out, s->month - prev);
        prev = s->month;
        err = err ? err : put_varint(out, (uint64_t)s->source << 3 | s->component);
        err = err ? err : put_signed(out, s->fen);
        err = err ? err : put_time(out, s->at, s->month);
        err = err ? err : put_id(out, prev_id, s->event_id);
        prev_id = s->event_id;
    }
    prev = 0;
    err = err ? err : put_varint(out, hh->njobs);
    for (size_t i = 0; i < hh->njobs && !err; i++) {
        const mon_job_t *j = &hh->jobs[i];
        err = put_varint(out, j->person);
        err = err ? err : put_signed(out, j->month - prev);
        prev = j->month;
        err = err ? err : put_varint(out, (uint64_t)j->status << 1 | j->wants_work);
        err = err ? err : put_time(out, j->at, j->month);
        err = err ? err : put_id(out, prev_id, j->event_id);
        prev_id = j->event_id;
    }
    prev = 0;
    err = err ? err : put_varint(out, hh->nsubsidies);
    for (size_t i = 0; i < hh->nsubsidies && !err; i++) {
        const mon_subsidy_t *s = &hh->subsidies[i];
        err = put_signed(out, s->month - prev);
        prev = s->month;
        err = err ? err : put_varint(out, (uint64_t)(s->person + 1));
        err =
            err ? err
                : put_varint(out, (uint64_t)s->program << 2 | (uint64_t)s->resolved << 1 | s->paid);
        err = err ? err : put_signed(out, s->fen);
        err = err ? err : put_time(out, s->at, s->month);
        err = err ? err : put_id(out, prev_id, s->event_id);
        prev_id = s->event_id;
    }
    prev = 0;
    err = err ? err : put_varint(out, hh->ncosts);
    for (size_t i = 0; i < hh->ncosts && !err; i++) {
        const mon_cost_t *c = &hh->costs[i];
        err = put_signed(out, c->month - prev);
        prev = c->month;
        err = err ? err : put_varint(out, (uint64_t)c->kind << 1 | c->judged);
        err = err ? err : put_signed(out, c->fen);
        err = err ? err : put_time(out, c->at, c->month);
        err = err ? err : put_id(out, prev_id, c->event_id);
        prev_id = c->event_id;
    }
    err = err ? err : put_varint(out, hh->nepisodes);
    for (size_t i = 0; i < hh->nepisodes && !err; i++) {
        const mon_episode_t *e = &hh->episodes[i];
        err = put_varint(out, e->rule);
        err = err ? err : put_str(out, e->subject);
        err = err ? err : put_signed(out, e->opened);
        err = err ? err : put_varint(out, e->evidence);
    }
    prev = 0;
    err = err ? err : put_varint(out, hh->nnoted);
    for (size_t i = 0; i < hh->nnoted && !err; i++) {
        const mon_noted_t *f = &hh->noted[i];
        err = put_signed(out, f->period - prev);
        prev = f->period;
        err = err ? err : put_varint(out, f->kind);
        err = err ? err : put_str(out, f->person_id);
    }
    /* Format 4: the input offsets, each from the one before in its array
     * (records of one household arrive near each other), so that the bytes
     * before this section are a format 3 state. */
    err = err ? err : put_offsets(out, &hh->snapshot_offset, 1, sizeof(int64_t), 0);
    err = err ? err : put_offsets(out, hh->incomes, hh->nincomes, RECORD_OFFSET(mon_income_t));
    err = err ? err : put_offsets(out, hh->jobs, hh->njobs, RECORD_OFFSET(mon_job_t));
    err = err ? err : put_offsets(out, hh->subsidies, hh->nsubsidies, RECORD_OFFSET(mon_subsidy_t));
    err = err ? err : put_offsets(out, hh->costs, hh->ncosts, RECORD_OFFSET(mon_cost_t));
    return err;
}

/* A reader of the compact form: the first problem is kept, later reads
 * return zeros. */
typedef struct reader {
    const unsigned char *p, *end;
    const char *what; /* the first problem */
} reader_t;

static uint64_t get_varint(reader_t *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->what = r->what ? r->what : "cut short";
            return 0;
        }
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->what = r->what ? r->what : "varint longer than 10 bytes";
    return 0;
}

static int64_t get_signed(reader_t *r)
{
    return unzigzag(get_varint(r));
}

/* A count of items at least min_bytes each, bounded by what is left. */
static size_t get_count(reader_t *r, size_t min_bytes)
{
    uint64_t n = get_varint(r);
    if (n > (uint64_t)(r->end - r->p) / min_bytes) {
        r->what = r->what ? r->what : "count larger than the bytes left";
        return 0;
    }
    return (size_t)n;
}

static void get_str(reader_t *r, char *out, size_t size, size_t prefix_len, const char *prefix)
{
    uint64_t n = get_varint(r);
    if (prefix_len >= size || n >= size - prefix_len || n > (uint64_t)(r->end - r->p)) {
        r->what = r->what ? r->what : "string too long";
        out[0] = '\0';
        return;
    }
    memcpy(out, prefix, prefix_len);
    memcpy(out + prefix_len, r->p, (size_t)n);
    out[prefix_len + n] = '\0';
    r->p += n;
}

static void get_id(reader_t *r, const char *hh_id, char *out)
{
    uint64_t shared = get_varint(r);
    if (shared > strlen(hh_id)) {
        r->what = r->what ? r->what : "id prefix longer than the household id";
        shared = 0;
    }
    get_str(r, out, MON_ID_SIZE, (size_t)shared, hh_id);
}

static int64_t get_time(reader_t *r, zs_month_t month)
{
    uint64_t v = get_varint(r);
    int64_t d = unzigzag(v >> 1);
    return mon_month_start_ms(month) + ((v & 1) ? d : d * 1000);
}

/* The input offsets of n records as put_offsets wrote them, each -1
 * (unknown) or more; present: false (a format before 4) sets them to -1. */
static void get_offsets(reader_t *r, bool present, void *records, size_t n, size_t size, size_t at)
{
    int64_t prev = -1;
    for (size_t i = 0; i < n; i++) {
        int64_t offset = -1;
        if (present)
            offset = (int64_t)((uint64_t)prev + (uint64_t)get_signed(r));
        if (offset < -1) {
            r->what = r->what ? r->what : "input offset out of range";
            offset = -1;
        }
        memcpy((char *)records + i * size + at, &offset, sizeof(offset));
        prev = offset;
    }
}

static zs_month_t get_month(reader_t *r, zs_month_t *prev)
{
    int64_t d = get_signed(r);
    int64_t m = *prev + d;
    if (m < 0 || m > (int64_t)ZS_YEAR_MAX * 12 + 11) {
        r->what = r->what ? r->what : "month out of range";
        m = 0;
    }
    *prev = (zs_month_t)m;
    return (zs_month_t)m;
}

#define READ_ARRAY(hh, name, n)                                                                    \
    do {                                                                                           \
        if ((n) > (hh)->cap_##name) {                                                              \
            void *p_ = realloc((hh)->name, (n) * sizeof(*(hh)->name));                             \
            if (p_ == NULL)                                                                        \
                return ZS_ERR_NOMEM;                                                               \
            (hh)->name = p_;                                                                       \
            (hh)->cap_##name = (n);                                                                \
        }                                                                                          \
        (hh)->n##name = (n);                                                                       \
    } while (0)

zs_err_t mon_hh_decode(mon_hh_t *hh, const char *household_id, const void *data, size_t len,
                       char *errstr, size_t errstr_size)
{
    mon_hh_clear(hh, household_id);
    reader_t r = {.p = data, .end = (const unsigned char *)data + len};
    uint64_t version = get_varint(&r);
    if ((version < FORMAT_VERSION_MIN || version > FORMAT_VERSION) && r.what == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT,
                       "household %s: state format %llu, this build reads %d-%d", household_id,
                       (unsigned long long)version, FORMAT_VERSION_MIN, FORMAT_VERSION);
    hh->registered = get_varint(&r) != 0;
    if (hh->registered) {
        uint64_t county = get_varint(&r);
        if (county > 999999)
            r.what = r.what ? r.what : "county code out of range";
        snprintf(hh->county, sizeof(hh->county), "%06llu", (unsigned long long)(county % 1000000));
        hh->category = (uint8_t)get_varint(&r);
        hh->updated_at = get_signed(&r);
    }
    size_t n = get_count(&r, 1);
    if (n > MON_SOURCES_MAX)
        r.what = r.what ? r.what : "too many sources";
    hh->nsources = r.what ? 0 : n;
    for (size_t i = 0; i < hh->nsources; i++)
        get_str(&r, hh->sources[i], MON_SOURCE_SIZE, 0, "");
    n = get_count(&r, 4);
    if (n > 255)
        r.what = r.what ? r.what : "too many persons";
    n = r.what ? 0 : n;
    READ_ARRAY(hh, persons, n);
    for (size_t i = 0; i < n; i++) {
        mon_person_t *p = &hh->persons[i];
        get_id(&r, household_id, p->id);
        p->birth_year = (int16_t)get_signed(&r);
        uint64_t bits = get_varint(&r);
        p->labor = (uint8_t)(bits >> 4 & 0xf);
        p->disability = (uint8_t)(bits >> 1 & 0x7);
        p->member = bits & 1;
        p->active = get_varint(&r) != 0;
    }
    const char *prev_id = household_id;
    zs_month_t prev = 0;
    n = r.what ? 0 : get_count(&r, 5);
    READ_ARRAY(hh, incomes, n);
    for (size_t i = 0; i < n; i++) {
        mon_income_t *s = &hh->incomes[i];
        s->month = get_month(&r, &prev);
        uint64_t bits = get_varint(&r);
        s->component = (uint8_t)(bits & 7);
        s->source = (uint8_t)(bits >> 3);
        if (s->component >= MON_COMPONENTS || s->source >= hh->nsources)
            r.what = r.what ? r.what : "income component or source out of range";
        s->fen = get_signed(&r);
        s->at = get_time(&r, s->month);
        get_id(&r, prev_id, s->event_id);
        prev_id = s->event_id;
    }
    prev = 0;
    n = r.what ? 0 : get_count(&r, 5);
    READ_ARRAY(hh, jobs, n);
    for (size_t i = 0; i < n; i++) {
        mon_job_t *j = &hh->jobs[i];
        uint64_t person = get_varint(&r);
        if (person >= hh->npersons)
            r.what = r.what ? r.what : "job of an unknown person";
        j->person = (uint8_t)(person < hh->npersons ? person : 0);
        j->month = get_month(&r, &prev);
        uint64_t bits = get_varint(&r);
        j->status = (uint8_t)(bits >> 1);
        j->wants_work = bits & 1;
        if (j->status >= MON_STATUSES)
            r.what = r.what ? r.what : "employment status out of range";
        j->at = get_time(&r, j->month);
        get_id(&r, prev_id, j->event_id);
        prev_id = j->event_id;
    }
    prev = 0;
    n = r.what ? 0 : get_count(&r, 6);
    READ_ARRAY(hh, subsidies, n);
    for (size_t i = 0; i < n; i++) {
        mon_subsidy_t *s = &hh->subsidies[i];
        s->month = get_month(&r, &prev);
        uint64_t person = get_varint(&r);
        if (person > hh->npersons)
            r.what = r.what ? r.what : "subsidy of an unknown person";
        s->person = (int16_t)(person <= hh->npersons ? (int)person - 1 : -1);
        uint64_t bits = get_varint(&r);
        s->paid = bits & 1;
        s->resolved = bits >> 1 & 1;
        s->program = (uint8_t)(bits >> 2);
        if (s->program >= MON_PROGRAMS)
            r.what = r.what ? r.what : "programme out of range";
        s->fen = get_signed(&r);
        s->at = get_time(&r, s->month);
        get_id(&r, prev_id, s->event_id);
        prev_id = s->event_id;
    }
    prev = 0;
    n = r.what ? 0 : get_count(&r, 5);
    READ_ARRAY(hh, costs, n);
    for (size_t i = 0; i < n; i++) {
        mon_cost_t *c = &hh->costs[i];
        c->month = get_month(&r, &prev);
        uint64_t bits = get_varint(&r);
        c->judged = bits & 1;
        c->kind = (uint8_t)(bits >> 1);
        if (c->kind >= MON_COST_KINDS)
            r.what = r.what ? r.what : "cost kind out of range";
        c->fen = get_signed(&r);
        c->at = get_time(&r, c->month);
        get_id(&r, prev_id, c->event_id);
        prev_id = c->event_id;
    }
    n = r.what ? 0 : get_count(&r, 4);
    READ_ARRAY(hh, episodes, n);
    for (size_t i = 0; i < n; i++) {
        mon_episode_t *e = &hh->episodes[i];
        uint64_t rule = get_varint(&r);
        if (rule >= MON_RULES)
            r.what = r.what ? r.what : "episode rule out of range";
        e->rule = (uint8_t)(rule < MON_RULES ? rule : 0);
        get_str(&r, e->subject, MON_SUBJECT_SIZE, 0, "");
        e->opened = (zs_month_t)get_signed(&r);
        e->evidence = get_varint(&r);
    }
    prev = 0;
    n = r.what || version < 3 ? 0 : get_count(&r, 3);
    READ_ARRAY(hh, noted, n);
    for (size_t i = 0; i < n; i++) {
        mon_noted_t *f = &hh->noted[i];
        f->period = get_month(&r, &prev);
        uint64_t kind = get_varint(&r);
        if (kind > 255)
            r.what = r.what ? r.what : "finding kind out of range";
        f->kind = (uint8_t)kind;
        get_str(&r, f->person_id, MON_ID_SIZE, 0, "");
    }
    /* Before format 4 the offsets are unknown: those records are not
     * named in warnings' sources. */
    bool offsets = version >= 4 && r.what == NULL;
    get_offsets(&r, offsets, &hh->snapshot_offset, 1, sizeof(int64_t), 0);
    get_offsets(&r, offsets, hh->incomes, hh->nincomes, RECORD_OFFSET(mon_income_t));
    get_offsets(&r, offsets, hh->jobs, hh->njobs, RECORD_OFFSET(mon_job_t));
    get_offsets(&r, offsets, hh->subsidies, hh->nsubsidies, RECORD_OFFSET(mon_subsidy_t));
    get_offsets(&r, offsets, hh->costs, hh->ncosts, RECORD_OFFSET(mon_cost_t));
    if (r.what == NULL && r.p != r.end)
        r.what = "bytes left after the state";
    if (r.what != NULL) {
        mon_hh_clear(hh, household_id);
        return zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT, "household %s: state: %s", household_id,
                       r.what);
    }
    return ZS_OK;
}
