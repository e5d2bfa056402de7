/* sim_live.c: zs-simulate --live, the region as a monthly feed with its
 * close markers (what and why: sim_live.h). */
#include "sim_live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_write.h"

/* Input topics, in the order of zs-push close --topic names. */
enum { T_HOUSEHOLD, T_INCOME, T_EMPLOYMENT, T_SUBSIDY, T_HARDSHIP, T_FOLLOWUP, NTOPICS };

static const char *const topic_names[NTOPICS] = {"household", "income",   "employment",
                                                 "subsidy",   "hardship", "followup"};
/* zs-push's kind for each topic's file; NULL: nothing is exported to it. */
static const char *const push_kinds[NTOPICS] = {"households", "income",   "employment",
                                                "subsidy",    "hardship", NULL};
static const sim_file_t topic_files[NTOPICS] = {SIM_FILE_HOUSEHOLDS, SIM_FILE_INCOME,
                                                SIM_FILE_EMPLOYMENT, SIM_FILE_SUBSIDY,
                                                SIM_FILE_HARDSHIP,   SIM_FILE_FOLLOWUP};

/* Pushes after the span's last month: its closes (up to 3 months later)
 * and late records reported up to 6 months later. */
#define TAIL_SLOTS   8
#define SNAPSHOT_BP  1000 /* share of households pushed again mid-quarter, basis points */
#define MAX_QUARTERS 40

struct sim_live {
    char dir[4096];
    uint64_t seed;
    zs_quarter_t from;
    int quarters, nslots;
    zs_month_t first;      /* the first push's month: the span's first */
    uint32_t late_per_1e6; /* late_share in millionths */
    zs_month_t close_slot[NTOPICS][MAX_QUARTERS];
    sim_writer_t **writers; /* per slot, opened on first use */
    sim_household_t *parts; /* per slot: this household's records of the push */
    sim_live_stats_t stats;
};

/* splitmix64: a stream per (seed, household) independent of sim_gen's. */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
    return n == 0 ? 0 : mix(s) % n;
}

zs_err_t sim_live_open(const char *dir, uint64_t seed, zs_quarter_t from, int quarters,
                       double late_share, sim_live_t **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (quarters < 1 || quarters > MAX_QUARTERS)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--live: 1 to %d quarters",
                       MAX_QUARTERS);
    sim_live_t *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    *out = l;
    snprintf(l->dir, sizeof(l->dir), "%s/live", dir);
    l->seed = seed;
    l->from = from;
    l->quarters = quarters;
    l->first = zs_quarter_first_month(from);
    l->nslots = quarters * 3 + TAIL_SLOTS;
    l->late_per_1e6 = (uint32_t)(late_share * 1e6);
    l->writers = calloc((size_t)l->nslots, sizeof(*l->writers));
    l->parts = calloc((size_t)l->nslots, sizeof(*l->parts));
    if (l->writers == NULL || l->parts == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    for (int s = 0; s < l->nslots; s++)
        sim_household_init(&l->parts[s]);
    uint64_t rng = seed ^ 0x6c697665ull; /* "live" */
    for (int t = 0; t < NTOPICS; t++)
        for (int k = 0; k < quarters; k++)
            l->close_slot[t][k] = zs_quarter_last_month(from + k) + 2 + (zs_month_t)below(&rng, 2);
    if (mkdir(l->dir, 0777) != 0 && errno != EEXIST)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", l->dir, strerror(errno));
    return ZS_OK;
}

/* The month of an instant, +08:00. */
static zs_month_t month_of(int64_t ms)
{
    int64_t shifted = ms + 8 * 3600000LL;
    int64_t days = shifted / 86400000 - (shifted % 86400000 < 0);
    int64_t y;
    unsigned m, d;
    zs_civil_from_days(days, &y, &m, &d);
    zs_month_t out = 0;
    zs_month_make((int)y, (int)m, &out, NULL, 0);
    return out;
}

/* The push (slot index) that carries a record reported at ms. */
static int slot_of(const sim_live_t *l, int64_t ms)
{
    zs_month_t s = month_of(ms) + 1;
    int i = s < l->first ? 0 : (int)(s - l->first);
    return i >= l->nslots ? l->nslots - 1 : i;
}

/* The epoch of a record pushed in slot i on topic t: the first quarter
 * whose close on t comes after it. */
static int epoch_of_slot(const sim_live_t *l, int t, int i)
{
    zs_month_t s = l->first + i;
    for (int k = 0; k < l->quarters; k++)
        if (l->close_slot[t][k] >= s)
            return k;
    return l->quarters;
}

/* ---- the late records ---- */

static int64_t noon_of(zs_month_t m, int day)
{
    return sim_time_make(zs_month_year(m), zs_month_month(m), day, 12, 0, 0);
}

/* An income statement of a quarter before the last replaced, reported 3-5
 * months after the quarter, with half or one and a half its figure. */
static zs_err_t late_correction(sim_live_t *l, sim_household_t *hh, uint64_t *rng, bool *made)
{
    size_t n, cand = 0;
    const sim_income_t *x = sim_incomes(hh, &n);
    zs_month_t lo = l->first, hi = zs_quarter_last_month(l->from + l->quarters - 2);
    for (size_t i = 0; i < n; i++)
        cand += x[i].month >= lo && x[i].month <= hi && x[i].fen >= 2;
    if (cand == 0)
        return ZS_OK;
    size_t pick = (size_t)below(rng, cand), at = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i].month >= lo && x[i].month <= hi && x[i].fen >= 2 && pick-- == 0)
            at = i;
    sim_income_t fix = x[at];
    if (snprintf(fix.event_id, sizeof(fix.event_id), "%s-LC", hh->household_id) >=
        (int)sizeof(fix.event_id))
        return ZS_OK;
    fix.fen = below(rng, 2) ? x[at].fen / 2 : x[at].fen + x[at].fen / 2;
    fix.reported_ms =
        noon_of(zs_quarter_last_month(zs_month_quarter(x[at].month)) + 3 + (int)below(rng, 3), 10);
    *made = true;
    return sim_household_add_income(hh, &fix);
}

/* A payment (not a pension or disability subsidy) of an entitlement checked
 * before the last quarter, made 3-4 months after the quarter of its check. */
static void late_payment(sim_live_t *l, sim_household_t *hh, uint64_t *rng, bool *made)
{
    size_t n, cand = 0;
    sim_subsidy_t *s = sim_subsidies(hh, &n);
    zs_quarter_t last = l->from + l->quarters - 1;
#define LATE_OK(p)                                                                                 \
    ((p).paid && (p).program != SIM_PENSION && (p).program != SIM_DISABILITY &&                    \
     (p).month >= l->first && zs_month_quarter((p).month + 1) < last)
    for (size_t i = 0; i < n; i++)
        cand += LATE_OK(s[i]);
    if (cand == 0)
        return;
    size_t pick = (size_t)below(rng, cand);
    for (size_t i = 0; i < n; i++)
        if (LATE_OK(s[i]) && pick-- == 0) {
            zs_month_t check = zs_quarter_last_month(zs_month_quarter(s[i].month + 1));
            s[i].reported_ms = noon_of(check + 3 + (int)below(rng, 2), 10);
            *made = true;
        }
#undef LATE_OK
}

/* ---- one household ---- */

static zs_err_t writer_of(sim_live_t *l, int i, sim_writer_t **out, char *errstr,
                          size_t errstr_size)
{
    if (l->writers[i] == NULL) {
        char path[4200], month[ZS_PERIOD_STR_SIZE];
        zs_month_format(l->first + i, month, sizeof(month));
        snprintf(path, sizeof(path), "%s/%s", l->dir, month);
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
        zs_err_t err = sim_writer_open(path, &l->writers[i], errstr, errstr_size);
        if (err != ZS_OK)
            return err;
    }
    *out = l->writers[i];
    return ZS_OK;
}

/* Whether a record of epoch k, first changing quarter q, arrives after the
 * close of a quarter it can change. */
static bool late(const sim_live_t *l, int k, zs_quarter_t q)
{
    return k > 0 && q <= l->from + k - 1;
}

zs_err_t sim_live_household(sim_live_t *l, uint64_t index, sim_household_t *hh, bool background,
                            char *errstr, size_t errstr_size)
{
    uint64_t rng = l->seed * 0x100000001b3ull ^ (index + 1) * 0x9e3779b97f4a7c15ull;
    zs_err_t err = ZS_OK;
    bool made = false;
    if (background && below(&rng, 1000000) < l->late_per_1e6) {
        if (below(&rng, 2) == 0) {
            err = late_correction(l, hh, &rng, &made);
            l->stats.late_corrections += made;
        } else {
            late_payment(l, hh, &rng, &made);
            l->stats.late_payments += made;
        }
    }
    for (int s = 0; s < l->nslots; s++)
        sim_household_reset(&l->parts[s]);
    size_t n;
    sim_income_t *inc = sim_incomes(hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        int s = slot_of(l, inc[i].reported_ms);
        inc[i].epoch = epoch_of_slot(l, T_INCOME, s);
        l->stats.late_records += late(l, inc[i].epoch, zs_month_quarter(inc[i].month));
        err = sim_household_add_income(&l->parts[s], &inc[i]);
    }
    sim_job_t *job = sim_jobs(hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        int s = slot_of(l, job[i].reported_ms);
        job[i].epoch = epoch_of_slot(l, T_EMPLOYMENT, s);
        l->stats.late_records += late(l, job[i].epoch, zs_month_quarter(job[i].month));
        err = sim_household_add_job(&l->parts[s], &job[i]);
    }
    sim_subsidy_t *sub = sim_subsidies(hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        int s = slot_of(l, sub[i].reported_ms);
        sub[i].epoch = epoch_of_slot(l, T_SUBSIDY, s);
        l->stats.late_records += late(l, sub[i].epoch, zs_month_quarter(sub[i].month + 1));
        err = sim_household_add_subsidy(&l->parts[s], &sub[i]);
    }
    sim_cost_t *cost = sim_costs(hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        int s = slot_of(l, cost[i].reported_ms);
        cost[i].epoch = epoch_of_slot(l, T_HARDSHIP, s);
        l->stats.late_records += late(l, cost[i].epoch, zs_month_quarter(cost[i].month));
        err = sim_household_add_cost(&l->parts[s], &cost[i]);
    }
    /* Members (for the person ids of the rows) and the household facts. */
    const sim_member_t *mem = sim_members(hh, &n);
    for (int s = 0; s < l->nslots && err == ZS_OK; s++) {
        sim_household_t *p = &l->parts[s];
        memcpy(p->household_id, hh->household_id, sizeof(p->household_id));
        memcpy(p->county_code, hh->county_code, sizeof(p->county_code));
        memcpy(p->township, hh->township, sizeof(p->township));
        memcpy(p->village, hh->village, sizeof(p->village));
        p->category = hh->category;
        p->updated_ms = hh->updated_ms;
        for (size_t i = 0; i < n && err == ZS_OK; i++)
            err = sim_household_add_member(p, &mem[i]);
    }
    /* The first push: the snapshot, the history, the bad rows. */
    sim_writer_t *w = NULL;
    if (err == ZS_OK)
        err = writer_of(l, 0, &w, errstr, errstr_size);
    if (err == ZS_OK)
        err = sim_writer_rows_of(w, hh, SIM_WRITE_SNAPSHOT | SIM_WRITE_BAD, errstr, errstr_size);
    for (int s = 0; s < l->nslots && err == ZS_OK; s++) {
        size_t ni, nj, ns, nc;
        sim_incomes(&l->parts[s], &ni);
        sim_jobs(&l->parts[s], &nj);
        sim_subsidies(&l->parts[s], &ns);
        sim_costs(&l->parts[s], &nc);
        if (ni + nj + ns + nc == 0)
            continue;
        err = writer_of(l, s, &w, errstr, errstr_size);
        if (err == ZS_OK)
            err = sim_writer_rows_of(w, &l->parts[s], SIM_WRITE_EVENTS, errstr, errstr_size);
    }
    /* The snapshot again in the middle of a quarter of the span: in a
     * background household without a late record, sometimes with one
     * active member moved out (listed inactive from then on). */
    if (err == ZS_OK && below(&rng, 10000) < SNAPSHOT_BP) {
        bool change = background && !made && l->quarters >= 3 && below(&rng, 2) == 0;
        int q = change ? 2 + (int)below(&rng, (uint64_t)l->quarters - 2)
                       : (int)below(&rng, (uint64_t)l->quarters);
        int s = q * 3 + 1;
        sim_household_t *p = &l->parts[s];
        p->updated_ms = noon_of(l->first + s - 1, 15);
        sim_member_t *pm = sim_members(p, &n), *hm = sim_members(hh, &n);
        size_t active = 0;
        for (size_t i = 0; i < n; i++)
            active += hm[i].active;
        if (change && active > 0) {
            size_t pick = (size_t)below(&rng, active);
            for (size_t i = 0; i < n; i++)
                if (hm[i].active && pick-- == 0) {
                    pm[i].active = false;
                    hm[i].leaves = epoch_of_slot(l, T_HOUSEHOLD, s);
                }
            l->stats.members_left++;
        }
        err = writer_of(l, s, &w, errstr, errstr_size);
        if (err == ZS_OK)
            err = sim_writer_rows_of(w, p, SIM_WRITE_SNAPSHOT, errstr, errstr_size);
        l->stats.snapshots_again++;
    }
    if (err == ZS_ERR_NOMEM || err == ZS_ERR_OVERFLOW)
        return zs_fail(errstr, errstr_size, err, "household %s: out of memory", hh->household_id);
    return err;
}

/* ---- the schedule ---- */

zs_err_t sim_live_close(sim_live_t *l, char *errstr, size_t errstr_size)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/schedule.txt", l->dir);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
    fputs("# zs-simulate --live: the pushes and closes in the order they happen.\n"
          "# push MONTH KIND: zs-push KIND live/MONTH/KIND.csv (households: with\n"
          "#     --members live/MONTH/members.csv);\n"
          "# close TOPIC QUARTER: zs-push close --topic TOPIC --period QUARTER.\n",
          fp);
    zs_err_t err = ZS_OK;
    uint64_t rng = l->seed ^ 0x6f72646572ull; /* "order" */
    for (int s = 0; s < l->nslots; s++) {
        if (l->writers[s] != NULL && err == ZS_OK)
            err = sim_writer_close(l->writers[s], errstr, errstr_size);
        int order[NTOPICS];
        for (int t = 0; t < NTOPICS; t++)
            order[t] = t;
        for (int t = NTOPICS - 1; t > 0; t--) { /* the registries' order this month */
            int j = (int)below(&rng, (uint64_t)t + 1), tmp = order[t];
            order[t] = order[j];
            order[j] = tmp;
        }
        char month[ZS_PERIOD_STR_SIZE];
        zs_month_format(l->first + s, month, sizeof(month));
        for (int i = 0; i < NTOPICS; i++) {
            int t = order[i];
            if (l->writers[s] != NULL && push_kinds[t] != NULL &&
                sim_writer_rows(l->writers[s], topic_files[t]) > 0) {
                fprintf(fp, "push %s %s\n", month, push_kinds[t]);
                l->stats.pushes++;
            }
            for (int k = 0; k < l->quarters; k++)
                if (l->close_slot[t][k] == l->first + s) {
                    char q[ZS_PERIOD_STR_SIZE];
                    zs_quarter_format(l->from + k, q, sizeof(q));
                    fprintf(fp, "close %s %s\n", topic_names[t], q);
                    l->stats.closes++;
                }
        }
    }
    bool bad = ferror(fp) != 0;
    bad |= fclose(fp) != 0;
    if (bad && err == ZS_OK)
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: write failed", path);
    return err;
}

const sim_live_stats_t *sim_live_stats(const sim_live_t *l)
{
    return &l->stats;
}

uint64_t sim_live_bytes(const sim_live_t *l)
{
    uint64_t n = 0;
    for (int s = 0; s < l->nslots; s++)
        n += l->writers[s] != NULL ? sim_writer_bytes(l->writers[s]) : 0;
    return n;
}

void sim_live_free(sim_live_t *l)
{
    if (l == NULL)
        return;
    for (int s = 0; l->writers != NULL && s < l->nslots; s++)
        sim_writer_free(l->writers[s]);
    for (int s = 0; l->parts != NULL && s < l->nslots; s++)
        sim_household_free(&l->parts[s]);
    free(l->writers);
    free(l->parts);
    free(l);
}
