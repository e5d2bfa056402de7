/* sim_truth.c: consumers/RULES.md over one household in memory, quarter by
 * quarter, as zs-simulate's ground truth (assumptions in sim_truth.h). */
#include "sim_truth.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Months before the span the rules can look at: T12M of the quarter a year
 * before the span's first (plan item 33: year-on-year comparison). */
#define HISTORY_QUARTERS 7
#define SCRATCH_MAX      ((size_t)256 << 20)
#define NO_STATUS        (-1)

static const char *const rule_names[SIM_RULE__COUNT] = {
    "INCOME_FALL",   "SLOW_GROWTH",     "LOW_INCOME",    "POVERTY_RISK",
    "NO_WORK",       "SHORT_WORK",      "WEAK_LABOR",    "NOT_ENROLLED",
    "LARGE_EXPENSE", "SUBSIDY_MISSING", "SUBSIDY_SHORT", "SUBSIDY_DUPLICATE",
};

static const char *const finding_names[SIM_FINDING__COUNT] = {
    "INCOME_JUMP",        "NEGATIVE_NET_INCOME",      "MIGRANT_WITHOUT_LABOR",
    "NO_INCOME_REPORTED", "CLOSED_QUARTER_REWRITTEN",
};

const char *sim_rule_name(sim_rule_t r)
{
    return (unsigned)r < SIM_RULE__COUNT ? rule_names[r] : NULL;
}

const char *sim_finding_name(sim_finding_t f)
{
    return (unsigned)f < SIM_FINDING__COUNT ? finding_names[f] : NULL;
}

zs_err_t sim_rule_parse(const char *name, sim_rule_t *out)
{
    for (int r = 0; r < SIM_RULE__COUNT; r++)
        if (strcmp(rule_names[r], name) == 0) {
            *out = (sim_rule_t)r;
            return ZS_OK;
        }
    return ZS_ERR_NOT_FOUND;
}

zs_err_t sim_finding_parse(const char *name, sim_finding_t *out)
{
    for (int f = 0; f < SIM_FINDING__COUNT; f++)
        if (strcmp(finding_names[f], name) == 0) {
            *out = (sim_finding_t)f;
            return ZS_OK;
        }
    return ZS_ERR_NOT_FOUND;
}

void sim_rules_default(sim_rules_t *r)
{
    static const sim_rules_t defaults = {
        .low_income_fen = 1000000,
        .migrant_months = 6,
        .labour_share_bp = 2500,
        .large_expense_fen = 2000000,
        .large_expense_share_bp = 5000,
        .jump_bp = 10000,
        .slow_growth_bp = {1040, 610, 700, 650},
        .monitoring_line_fen = {600000, 630000, 660000, 690000},
    };
    *r = defaults;
}

static int year_slot(int year)
{
    int i = year - SIM_RULES_FIRST_YEAR;
    return i < 0 ? 0 : i >= SIM_RULES_YEARS ? SIM_RULES_YEARS - 1 : i;
}

int64_t sim_rules_slow_growth_bp(const sim_rules_t *r, int year)
{
    return r->slow_growth_bp[year_slot(year)];
}

int64_t sim_rules_monitoring_line(const sim_rules_t *r, int year)
{
    return r->monitoring_line_fen[year_slot(year)];
}

/* An open episode of the household. */
typedef struct episode {
    sim_rule_t rule;
    char subject[SIM_SUBJECT_SIZE];
    zs_month_t opened;
} episode_t;

/* A standing DUE with an amount, and the payments for it. */
typedef struct entitlement {
    int member;
    sim_program_t program;
    zs_month_t month;
    int64_t due;
    zs_quarter_t checked; /* the close at which its deadline has passed */
    int paid_count;       /* distinct PAID event_ids, any time */
    int64_t paid_sum;
    int ontime_count; /* reported before the end of the following month */
    int64_t ontime_sum;
} entitlement_t;

/* A record's place for sorting: its event_id or identity, and its position. */
typedef struct sortkey {
    const void *rec;
    size_t pos;
} sortkey_t;

struct sim_truth {
    const sim_rules_t *rules;
    const sim_household_t *hh;
    zs_month_t lo, hi;           /* the months looked at */
    zs_month_t span_lo, span_hi; /* the span's months */
    size_t nmonths, nmembers;
    zs_buf_t keys;      /* sortkey_t */
    zs_buf_t keep;      /* uint8_t per record: not a repeated event_id */
    zs_buf_t net;       /* int64_t per month: net income of the standing statements */
    zs_buf_t has;       /* uint8_t per month: some income statement */
    zs_buf_t status;    /* int8_t per (member, month): standing employment status */
    zs_buf_t wants;     /* uint8_t per (member, month): its wants_work */
    zs_buf_t pays;      /* uint8_t per (member, month): PENSION (1), DISABILITY (2) paid */
    zs_buf_t ents;      /* entitlement_t */
    zs_buf_t open;      /* episode_t */
    zs_buf_t decisions; /* sim_transition_t */
    zs_buf_t opened;    /* sim_transition_t */
    zs_buf_t findings;  /* sim_found_t */
    /* uint8_t per record: arrived (seen by the runs from now on) */
    zs_buf_t seen_inc, seen_job, seen_sub, seen_cost;
    zs_buf_t judged; /* uint8_t per cost: judged (LARGE_EXPENSE) */
    bool stale;      /* records arrived since the figures were worked out */
    int epoch;       /* the epoch whose records are arriving */
};

#define NBUFS 17

/* Every scratch buffer of t, into out[NBUFS]. */
static void buffers(sim_truth_t *t, zs_buf_t *out[NBUFS])
{
    zs_buf_t *list[NBUFS] = {&t->keys,      &t->keep,     &t->net,      &t->has,      &t->status,
                             &t->wants,     &t->pays,     &t->ents,     &t->open,     &t->decisions,
                             &t->opened,    &t->findings, &t->seen_inc, &t->seen_job, &t->seen_sub,
                             &t->seen_cost, &t->judged};
    memcpy(out, list, sizeof(list));
}

zs_err_t sim_truth_new(sim_truth_t **out)
{
    sim_truth_t *t = calloc(1, sizeof(*t));
    *out = t;
    if (t == NULL)
        return ZS_ERR_NOMEM;
    zs_buf_t *bufs[NBUFS];
    buffers(t, bufs);
    for (size_t i = 0; i < NBUFS; i++)
        zs_buf_init(bufs[i], SCRATCH_MAX);
    return ZS_OK;
}

void sim_truth_free(sim_truth_t *t)
{
    if (t == NULL)
        return;
    zs_buf_t *bufs[NBUFS];
    buffers(t, bufs);
    for (size_t i = 0; i < NBUFS; i++)
        zs_buf_free(bufs[i]);
    free(t);
}

/* Sizes buf to n zeroed elements of elem bytes. */
static zs_err_t zeroed(zs_buf_t *buf, size_t n, size_t elem)
{
    zs_buf_reset(buf);
    zs_err_t err = zs_buf_reserve(buf, n * elem + 1);
    if (err != ZS_OK)
        return err;
    memset(buf->data, 0, n * elem);
    buf->len = n * elem;
    return ZS_OK;
}

/* floor(a / b) for b > 0, towards minus infinity. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* ---- repeated event_ids ---- */

static int cmp_event_id(const void *a, const void *b)
{
    const sortkey_t *x = a, *y = b;
    /* Every record type starts with its event_id. */
    int c = strcmp((const char *)x->rec, (const char *)y->rec);
    return c != 0 ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Marks in t->keep which of n records (elem bytes each, event_id first) are
 * not a repeat of an earlier record's event_id. */
static zs_err_t mark_repeats(sim_truth_t *t, const void *recs, size_t n, size_t elem)
{
    zs_err_t err = zeroed(&t->keys, n, sizeof(sortkey_t));
    if (err == ZS_OK)
        err = zeroed(&t->keep, n, 1);
    if (err != ZS_OK)
        return err;
    sortkey_t *k = (sortkey_t *)(void *)t->keys.data;
    for (size_t i = 0; i < n; i++)
        k[i] = (sortkey_t){(const char *)recs + i * elem, i};
    qsort(k, n, sizeof(*k), cmp_event_id);
    uint8_t *keep = (uint8_t *)t->keep.data;
    for (size_t i = 0; i < n; i++)
        keep[k[i].pos] = i == 0 || strcmp((const char *)k[i - 1].rec, (const char *)k[i].rec) != 0;
    return ZS_OK;
}

/* Whether statement a stands over b of the same identity: the later
 * reported_at, on a tie the greater event_id. */
static bool stands_over(int64_t a_ms, const char *a_id, int64_t b_ms, const char *b_id)
{
    return a_ms != b_ms ? a_ms > b_ms : strcmp(a_id, b_id) > 0;
}

/* ---- income ---- */

static int cmp_income_identity(const void *a, const void *b)
{
    const sim_income_t *x = ((const sortkey_t *)a)->rec, *y = ((const sortkey_t *)b)->rec;
    if (x->month != y->month)
        return x->month < y->month ? -1 : 1;
    if (x->component != y->component)
        return x->component < y->component ? -1 : 1;
    int c = strcmp(x->source, y->source);
    if (c != 0)
        return c;
    /* The standing statement first. */
    if (stands_over(x->reported_ms, x->event_id, y->reported_ms, y->event_id))
        return -1;
    if (stands_over(y->reported_ms, y->event_id, x->reported_ms, x->event_id))
        return 1;
    return 0;
}

/* Net income and "some statement" per month from the standing statements. */
static zs_err_t income_months(sim_truth_t *t)
{
    size_t n;
    const sim_income_t *inc = sim_incomes(t->hh, &n);
    zs_err_t err = mark_repeats(t, inc, n, sizeof(*inc));
    if (err == ZS_OK)
        err = zeroed(&t->net, t->nmonths, sizeof(int64_t));
    if (err == ZS_OK)
        err = zeroed(&t->has, t->nmonths, 1);
    if (err != ZS_OK)
        return err;
    const uint8_t *keep = (const uint8_t *)t->keep.data;
    sortkey_t *k = (sortkey_t *)(void *)t->keys.data;
    size_t nk = 0;
    const uint8_t *seen = (const uint8_t *)t->seen_inc.data;
    for (size_t i = 0; i < n; i++)
        if (keep[i] && seen[i] && inc[i].month >= t->lo && inc[i].month <= t->hi)
            k[nk++] = (sortkey_t){&inc[i], i};
    qsort(k, nk, sizeof(*k), cmp_income_identity);
    int64_t *net = (int64_t *)(void *)t->net.data;
    uint8_t *has = (uint8_t *)t->has.data;
    for (size_t i = 0; i < nk; i++) {
        const sim_income_t *x = k[i].rec;
        if (i > 0) {
            const sim_income_t *p = k[i - 1].rec;
            if (p->month == x->month && p->component == x->component &&
                strcmp(p->source, x->source) == 0)
                continue; /* replaced by the standing statement */
        }
        size_t m = (size_t)(x->month - t->lo);
        net[m] += x->component == SIM_EXPENSE ? -x->fen : x->fen;
        has[m] = 1;
    }
    return ZS_OK;
}

static int64_t net_between(const sim_truth_t *t, zs_month_t first, zs_month_t last)
{
    const int64_t *net = (const int64_t *)(const void *)t->net.data;
    int64_t sum = 0;
    for (zs_month_t m = first; m <= last; m++)
        if (m >= t->lo && m <= t->hi)
            sum += net[m - t->lo];
    return sum;
}

static bool quarter_has_income(const sim_truth_t *t, zs_quarter_t q)
{
    const uint8_t *has = (const uint8_t *)t->has.data;
    for (zs_month_t m = zs_quarter_first_month(q); m <= zs_quarter_last_month(q); m++)
        if (m >= t->lo && m <= t->hi && has[m - t->lo])
            return true;
    return false;
}

/* RULES.md "Covered": each of the window's four quarters has a statement. */
static bool covered(const sim_truth_t *t, zs_quarter_t q)
{
    for (zs_quarter_t i = q - 3; i <= q; i++)
        if (!quarter_has_income(t, i))
            return false;
    return true;
}

static int64_t t12m(const sim_truth_t *t, zs_quarter_t q)
{
    zs_month_t first, last;
    zs_quarter_t12m(q, &first, &last);
    return net_between(t, first, last);
}

/* ---- employment and payments per member and month ---- */

static zs_err_t member_months(sim_truth_t *t, char *errstr, size_t errstr_size)
{
    size_t n, cells = t->nmembers * t->nmonths;
    const sim_job_t *jobs = sim_jobs(t->hh, &n);
    zs_err_t err = mark_repeats(t, jobs, n, sizeof(*jobs));
    if (err == ZS_OK)
        err = zeroed(&t->status, cells, 1);
    if (err == ZS_OK)
        err = zeroed(&t->wants, cells, 1);
    if (err == ZS_OK)
        err = zeroed(&t->pays, cells, 1);
    if (err != ZS_OK)
        return err;
    int8_t *status = (int8_t *)t->status.data;
    memset(status, NO_STATUS, cells);
    /* The standing statement's job index per cell, in the keys buffer. */
    err = zeroed(&t->keys, cells, sizeof(sortkey_t));
    if (err != ZS_OK)
        return err;
    sortkey_t *best = (sortkey_t *)(void *)t->keys.data;
    const uint8_t *keep = (const uint8_t *)t->keep.data;
    for (size_t i = 0; i < n; i++) {
        const sim_job_t *j = &jobs[i];
        if (j->member < 0 || (size_t)j->member >= t->nmembers)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "employment %s: member %d out of range", j->event_id, j->member);
        if (!keep[i] || !((const uint8_t *)t->seen_job.data)[i] || j->month < t->lo ||
            j->month > t->hi)
            continue;
        sortkey_t *b = &best[(size_t)j->member * t->nmonths + (size_t)(j->month - t->lo)];
        const sim_job_t *o = b->rec;
        if (o == NULL || stands_over(j->reported_ms, j->event_id, o->reported_ms, o->event_id))
            b->rec = j;
    }
    uint8_t *wants = (uint8_t *)t->wants.data;
    for (size_t c = 0; c < cells; c++)
        if (best[c].rec != NULL) {
            const sim_job_t *j = best[c].rec;
            status[c] = (int8_t)j->status;
            wants[c] = j->wants_work;
        }
    /* Payments that enrol a member (NOT_ENROLLED). */
    const sim_subsidy_t *sub = sim_subsidies(t->hh, &n);
    err = mark_repeats(t, sub, n, sizeof(*sub));
    if (err != ZS_OK)
        return err;
    keep = (const uint8_t *)t->keep.data;
    uint8_t *pays = (uint8_t *)t->pays.data;
    for (size_t i = 0; i < n; i++) {
        const sim_subsidy_t *s = &sub[i];
        if (s->member >= 0 && (size_t)s->member >= t->nmembers)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "subsidy %s: member %d out of range", s->event_id, s->member);
        if (!keep[i] || !((const uint8_t *)t->seen_sub.data)[i] || !s->paid || s->member < 0 ||
            s->month < t->lo || s->month > t->hi)
            continue;
        size_t c = (size_t)s->member * t->nmonths + (size_t)(s->month - t->lo);
        if (s->program == SIM_PENSION)
            pays[c] |= 1;
        else if (s->program == SIM_DISABILITY)
            pays[c] |= 2;
    }
    return ZS_OK;
}

/* Whether the snapshot seen now lists m as active. */
static bool listed_active(const sim_truth_t *t, const sim_member_t *m)
{
    return m->active && (m->leaves <= 0 || t->epoch < m->leaves);
}

static int cell_status(const sim_truth_t *t, size_t member, zs_month_t m)
{
    if (m < t->lo || m > t->hi)
        return NO_STATUS;
    return ((const int8_t *)t->status.data)[member * t->nmonths + (size_t)(m - t->lo)];
}

static size_t cell(const sim_truth_t *t, size_t member, zs_month_t m)
{
    return member * t->nmonths + (size_t)(m - t->lo);
}

/* ---- entitlements ---- */

static int cmp_due_identity(const void *a, const void *b)
{
    const sim_subsidy_t *x = ((const sortkey_t *)a)->rec, *y = ((const sortkey_t *)b)->rec;
    if (x->member != y->member)
        return x->member < y->member ? -1 : 1;
    if (x->program != y->program)
        return x->program < y->program ? -1 : 1;
    if (x->month != y->month)
        return x->month < y->month ? -1 : 1;
    if (stands_over(x->reported_ms, x->event_id, y->reported_ms, y->event_id))
        return -1;
    if (stands_over(y->reported_ms, y->event_id, x->reported_ms, x->event_id))
        return 1;
    return 0;
}

/* The standing DUEs of the span with an amount, each with its payments
 * (t->keep still marks the subsidies' repeated event_ids). */
static zs_err_t entitlements(sim_truth_t *t)
{
    size_t n;
    const sim_subsidy_t *sub = sim_subsidies(t->hh, &n);
    zs_buf_reset(&t->ents);
    zs_err_t err = zeroed(&t->keys, n, sizeof(sortkey_t));
    if (err != ZS_OK)
        return err;
    const uint8_t *keep = (const uint8_t *)t->keep.data;
    sortkey_t *k = (sortkey_t *)(void *)t->keys.data;
    size_t nk = 0;
    const uint8_t *seen = (const uint8_t *)t->seen_sub.data;
    for (size_t i = 0; i < n; i++)
        if (keep[i] && seen[i] && !sub[i].paid)
            k[nk++] = (sortkey_t){&sub[i], i};
    qsort(k, nk, sizeof(*k), cmp_due_identity);
    for (size_t i = 0; i < nk; i++) {
        const sim_subsidy_t *d = k[i].rec;
        if (i > 0) {
            const sim_subsidy_t *p = k[i - 1].rec;
            if (p->member == d->member && p->program == d->program && p->month == d->month)
                continue;
        }
        if (d->fen <= 0 || d->month < t->span_lo || d->month > t->span_hi)
            continue;
        entitlement_t e = {.member = d->member,
                           .program = d->program,
                           .month = d->month,
                           .due = d->fen,
                           .checked = zs_month_quarter(d->month + 1)};
        int64_t deadline = sim_month_start_ms(d->month + 2);
        for (size_t j = 0; j < n; j++) {
            const sim_subsidy_t *p = &sub[j];
            if (!keep[j] || !seen[j] || !p->paid || p->member != d->member ||
                p->program != d->program || p->month != d->month)
                continue;
            e.paid_count++;
            e.paid_sum += p->fen;
            if (p->reported_ms < deadline) {
                e.ontime_count++;
                e.ontime_sum += p->fen;
            }
        }
        err = zs_buf_add(&t->ents, &e, sizeof(e));
        if (err != ZS_OK)
            return err;
    }
    return ZS_OK;
}

/* ---- episodes ---- */

static zs_err_t record(sim_truth_t *t, sim_rule_t rule, const char *subject, sim_action_t action,
                       zs_quarter_t q, zs_month_t period, zs_month_t opened)
{
    sim_transition_t tr = {
        .rule = rule, .action = action, .quarter = q, .period = period, .opened = opened};
    snprintf(tr.subject, sizeof(tr.subject), "%s", subject);
    zs_err_t err = zs_buf_add(&t->decisions, &tr, sizeof(tr));
    if (err == ZS_OK && action == SIM_OPEN)
        err = zs_buf_add(&t->opened, &tr, sizeof(tr));
    return err;
}

/* One run's outcome for (rule, subject) (RULES.md "When rules run"): holds
 * and none open: OPEN; holds and one open: UPDATED; does not hold and one
 * open: CLEARED, unless only a follow-up clears it (clears false). */
static zs_err_t decide(sim_truth_t *t, sim_rule_t rule, const char *subject, bool holds,
                       bool clears, zs_quarter_t q, zs_month_t period)
{
    size_t n = t->open.len / sizeof(episode_t);
    episode_t *ep = (episode_t *)(void *)t->open.data;
    size_t i = 0;
    while (i < n && (ep[i].rule != rule || strcmp(ep[i].subject, subject) != 0))
        i++;
    if (holds && i == n) {
        episode_t e = {.rule = rule, .opened = period};
        snprintf(e.subject, sizeof(e.subject), "%s", subject);
        zs_err_t err = zs_buf_add(&t->open, &e, sizeof(e));
        return err != ZS_OK ? err : record(t, rule, subject, SIM_OPEN, q, period, period);
    }
    if (holds)
        return record(t, rule, subject, SIM_UPDATED, q, period, ep[i].opened);
    if (i == n || !clears)
        return ZS_OK;
    zs_month_t opened = ep[i].opened;
    sim_array_remove(&t->open, sizeof(episode_t), i);
    return record(t, rule, subject, SIM_CLEARED, q, period, opened);
}

static zs_err_t find(sim_truth_t *t, sim_finding_t f, zs_month_t period)
{
    if (sim_truth_has_finding(t, f, period))
        return ZS_OK;
    sim_found_t x = {.finding = f, .period = period};
    return zs_buf_add(&t->findings, &x, sizeof(x));
}

/* ---- the quarter close ---- */

/* Plan items 26, 33: T12M per capita against a year ago, 10,000 yuan and the
 * monitoring line; data-quality findings on the same figures (item 32). */
static zs_err_t income_rules(sim_truth_t *t, zs_quarter_t q, int64_t active)
{
    zs_month_t period = zs_quarter_last_month(q);
    const sim_rules_t *r = t->rules;
    int year = zs_quarter_year(q);
    zs_err_t err = ZS_OK;
    if (!quarter_has_income(t, q))
        err = find(t, SIM_NO_INCOME_REPORTED, period);
    if (err != ZS_OK || !covered(t, q))
        return err; /* cannot be evaluated: open warnings stay as they are */
    int64_t total = t12m(t, q);
    if (total < 0)
        err = find(t, SIM_NEGATIVE_NET_INCOME, period);
    if (err != ZS_OK || active == 0)
        return err; /* no per-capita figure */
    int64_t c = floor_div(total, active);
    err = decide(t, SIM_LOW_INCOME, "-", c < r->low_income_fen, true, q, period);
    if (err == ZS_OK)
        err = decide(t, SIM_POVERTY_RISK, "-", c < sim_rules_monitoring_line(r, year), true, q,
                     period);
    if (err != ZS_OK || !covered(t, q - 4))
        return err;
    int64_t p = floor_div(t12m(t, q - 4), active);
    bool slow = false, jump = false;
    if (p > 0) {
        int64_t growth = floor_div((c - p) * 10000, p);
        slow = c >= p && growth < sim_rules_slow_growth_bp(r, year);
        jump = growth >= r->jump_bp;
    }
    err = decide(t, SIM_INCOME_FALL, "-", c < p, true, q, period);
    if (err == ZS_OK)
        err = decide(t, SIM_SLOW_GROWTH, "-", slow, true, q, period);
    if (err == ZS_OK && jump && zs_quarter_quarter(q) == 4)
        err = find(t, SIM_INCOME_JUMP, period);
    return err;
}

/* Plan items 17, 29, 33: each member's work and pension/disability payments. */
static zs_err_t member_rules(sim_truth_t *t, zs_quarter_t q)
{
    size_t n;
    const sim_member_t *mem = sim_members(t->hh, &n);
    const uint8_t *wants = (const uint8_t *)t->wants.data;
    const uint8_t *pays = (const uint8_t *)t->pays.data;
    zs_month_t first = zs_quarter_first_month(q), last = zs_quarter_last_month(q);
    zs_month_t jan = last - (zs_month_month(last) - 1);
    int year = zs_quarter_year(q);
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        const sim_member_t *m = &mem[i];
        int age = year - m->birth_year;
        bool wanted = false, employed = false, pension = false, disability = false;
        for (zs_month_t mo = first; mo <= last; mo++) {
            int s = cell_status(t, i, mo);
            if (s != NO_STATUS) {
                wanted |= wants[cell(t, i, mo)] != 0;
                employed |= sim_status_employed((sim_status_t)s);
                if (sim_status_migrant((sim_status_t)s) &&
                    (m->labor == SIM_LOST || m->labor == SIM_NONE))
                    err = find(t, SIM_MIGRANT_WITHOUT_LABOR, mo);
            }
            if (mo >= t->lo && mo <= t->hi) {
                pension |= (pays[cell(t, i, mo)] & 1) != 0;
                disability |= (pays[cell(t, i, mo)] & 2) != 0;
            }
        }
        int migrant = 0;
        for (zs_month_t mo = jan; mo <= last; mo++) {
            int s = cell_status(t, i, mo);
            migrant += s != NO_STATUS && sim_status_migrant((sim_status_t)s);
        }
        int left = 12 - zs_month_month(last);
        bool active = listed_active(t, m);
        bool no_work = active && age >= 16 && age <= 59 && wanted && !employed;
        bool short_work = active && migrant >= 1 && migrant + left < t->rules->migrant_months;
        bool not_enrolled =
            active && ((age >= 60 && !pension) || (m->disability >= 1 && !disability));
        if (err == ZS_OK)
            err = decide(t, SIM_NO_WORK, m->person_id, no_work, true, q, last);
        if (err == ZS_OK)
            err = decide(t, SIM_SHORT_WORK, m->person_id, short_work, true, q, last);
        if (err == ZS_OK)
            err = decide(t, SIM_NOT_ENROLLED, m->person_id, not_enrolled, true, q, last);
    }
    return err;
}

/* Plan item 29: labour (SKILLED, ORDINARY) under a quarter of active members. */
static zs_err_t labour_rule(sim_truth_t *t, zs_quarter_t q, int64_t active, int64_t labour)
{
    bool weak = active > 0 && labour * 10000 < active * t->rules->labour_share_bp;
    return decide(t, SIM_WEAK_LABOR, "-", weak, true, q, zs_quarter_last_month(q));
}

static int cmp_cost(const void *a, const void *b)
{
    const sortkey_t *x = a, *y = b;
    const sim_cost_t *cx = x->rec, *cy = y->rec;
    if (cx->month != cy->month)
        return cx->month < cy->month ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Plan item 32: each hardship cost of the quarter against the floor and the
 * household's net income of the 12 months ending with its month. */
static zs_err_t expense_rule(sim_truth_t *t, zs_quarter_t q)
{
    size_t n;
    const sim_cost_t *costs = sim_costs(t->hh, &n);
    zs_err_t err = mark_repeats(t, costs, n, sizeof(*costs));
    if (err != ZS_OK)
        return err;
    const uint8_t *keep = (const uint8_t *)t->keep.data;
    sortkey_t *k = (sortkey_t *)(void *)t->keys.data;
    size_t nk = 0;
    const uint8_t *seen = (const uint8_t *)t->seen_cost.data;
    uint8_t *judged = (uint8_t *)t->judged.data;
    for (size_t i = 0; i < n; i++)
        if (keep[i] && seen[i] && !judged[i] && costs[i].month >= t->span_lo &&
            zs_month_quarter(costs[i].month) <= q) {
            k[nk++] = (sortkey_t){&costs[i], i};
            judged[i] = 1;
        }
    qsort(k, nk, sizeof(*k), cmp_cost);
    const sim_rules_t *r = t->rules;
    for (size_t i = 0; i < nk && err == ZS_OK; i++) {
        const sim_cost_t *c = k[i].rec;
        int64_t income = net_between(t, c->month - 11, c->month);
        bool large =
            c->fen >= r->large_expense_fen ||
            (income <= 0 ? c->fen > 0 : c->fen * 10000 >= income * r->large_expense_share_bp);
        if (large)
            err = decide(t, SIM_LARGE_EXPENSE, "-", true, false, q, c->month);
    }
    return err;
}

static void subject_of(const sim_truth_t *t, int member, sim_program_t program, char *out,
                       size_t size)
{
    size_t n;
    const sim_member_t *mem = sim_members(t->hh, &n);
    snprintf(out, size, "%s/%s", member < 0 ? "-" : mem[member].person_id,
             sim_program_name(program));
}

/* Plan items 17, 18 (及时、足额): each entitlement whose deadline has passed
 * by this close, per person and programme. */
static zs_err_t subsidy_rules(sim_truth_t *t, zs_quarter_t q)
{
    size_t n = t->ents.len / sizeof(entitlement_t);
    const entitlement_t *e = (const entitlement_t *)(const void *)t->ents.data;
    zs_err_t err = ZS_OK;
    /* Entitlements are sorted by (member, program, month): one subject a run. */
    for (size_t i = 0; i < n && err == ZS_OK;) {
        size_t j = i;
        zs_month_t missing = -1, shortfall = -1, duplicate = -1;
        bool checked = false;
        for (; j < n && e[j].member == e[i].member && e[j].program == e[i].program; j++) {
            if (e[j].checked > q)
                continue;
            checked = true;
            if (e[j].paid_count == 0 && missing < 0)
                missing = e[j].month;
            if (e[j].ontime_count > 0 && e[j].ontime_sum < e[j].due && e[j].paid_sum < e[j].due &&
                shortfall < 0)
                shortfall = e[j].month;
            if (e[j].paid_count >= 2 && duplicate < 0)
                duplicate = e[j].month;
        }
        if (checked) {
            char subject[SIM_SUBJECT_SIZE];
            zs_month_t last = zs_quarter_last_month(q);
            subject_of(t, e[i].member, e[i].program, subject, sizeof(subject));
            err = decide(t, SIM_SUBSIDY_MISSING, subject, missing >= 0, true, q,
                         missing >= 0 ? missing : last);
            if (err == ZS_OK)
                err = decide(t, SIM_SUBSIDY_SHORT, subject, shortfall >= 0, true, q,
                             shortfall >= 0 ? shortfall : last);
            if (err == ZS_OK && duplicate >= 0)
                err = decide(t, SIM_SUBSIDY_DUPLICATE, subject, true, false, q, duplicate);
        }
        i = j;
    }
    return err;
}

/* ---- arrival ---- */

/* Sizes each "seen" and "judged" array to its records, all zero. */
static zs_err_t arrivals_reset(sim_truth_t *t)
{
    size_t ni, nj, ns, nc;
    sim_incomes(t->hh, &ni);
    sim_jobs(t->hh, &nj);
    sim_subsidies(t->hh, &ns);
    sim_costs(t->hh, &nc);
    zs_err_t err = zeroed(&t->seen_inc, ni, 1);
    if (err == ZS_OK)
        err = zeroed(&t->seen_job, nj, 1);
    if (err == ZS_OK)
        err = zeroed(&t->seen_sub, ns, 1);
    if (err == ZS_OK)
        err = zeroed(&t->seen_cost, nc, 1);
    if (err == ZS_OK)
        err = zeroed(&t->judged, nc, 1);
    return err;
}

/* The first quarter whose outcome a record can change (RULES.md "When rules
 * run"). */
static zs_quarter_t income_from(const sim_income_t *x)
{
    return zs_month_quarter(x->month);
}

static zs_quarter_t job_from(const sim_job_t *x)
{
    return zs_month_quarter(x->month);
}

static zs_quarter_t subsidy_from(const sim_subsidy_t *x)
{
    bool enrols = x->paid && (x->program == SIM_PENSION || x->program == SIM_DISABILITY);
    return zs_month_quarter(enrols ? x->month : x->month + 1);
}

static zs_quarter_t cost_from(const sim_cost_t *x)
{
    return zs_month_quarter(x->month);
}

/* Epochs past the last close count as after it. */
static int epoch_of(int epoch, int quarters)
{
    return epoch < 0 ? 0 : epoch > quarters ? quarters : epoch;
}

/* The rules of quarter q over the records seen, the figures worked out
 * again first if records arrived. */
static zs_err_t run_quarter(sim_truth_t *t, zs_quarter_t q, char *errstr, size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    if (t->stale) {
        err = income_months(t);
        if (err == ZS_OK)
            err = member_months(t, errstr, errstr_size);
        if (err == ZS_OK) /* t->keep marks the subsidies' repeats now */
            err = entitlements(t);
        t->stale = false;
    }
    int64_t active = 0, labour = 0;
    size_t nm;
    const sim_member_t *mem = sim_members(t->hh, &nm);
    for (size_t i = 0; i < nm; i++) {
        bool listed = listed_active(t, &mem[i]);
        active += listed;
        labour += listed && (mem[i].labor == SIM_SKILLED || mem[i].labor == SIM_ORDINARY);
    }
    if (err == ZS_OK)
        err = income_rules(t, q, active);
    if (err == ZS_OK)
        err = labour_rule(t, q, active, labour);
    if (err == ZS_OK)
        err = member_rules(t, q);
    if (err == ZS_OK)
        err = subsidy_rules(t, q);
    if (err == ZS_OK)
        err = expense_rule(t, q);
    return err;
}

/* A late income statement x (index i) that replaces the standing statement
 * of its identity with another figure: CLOSED_QUARTER_REWRITTEN. */
static zs_err_t rewritten(sim_truth_t *t, size_t i)
{
    size_t n;
    const sim_income_t *inc = sim_incomes(t->hh, &n), *x = &inc[i], *standing = NULL;
    zs_err_t err = mark_repeats(t, inc, n, sizeof(*inc));
    if (err != ZS_OK)
        return err;
    const uint8_t *keep = (const uint8_t *)t->keep.data;
    const uint8_t *seen = (const uint8_t *)t->seen_inc.data;
    if (!keep[i])
        return ZS_OK;
    for (size_t j = 0; j < n; j++) {
        const sim_income_t *y = &inc[j];
        if (j == i || !keep[j] || !seen[j] || y->month != x->month ||
            y->component != x->component || strcmp(y->source, x->source) != 0)
            continue;
        if (standing == NULL ||
            stands_over(y->reported_ms, y->event_id, standing->reported_ms, standing->event_id))
            standing = y;
    }
    if (standing == NULL || standing->fen == x->fen ||
        !stands_over(x->reported_ms, x->event_id, standing->reported_ms, standing->event_id))
        return ZS_OK;
    return find(t, SIM_CLOSED_QUARTER_REWRITTEN, x->month);
}

/* The records of epoch k arriving after the close of the quarter they can
 * change (w, the newest closed), one after another, each running the rules
 * of w again: kinds in topic order, records in array order. */
static zs_err_t late_arrivals(sim_truth_t *t, int k, int quarters, zs_quarter_t w, char *errstr,
                              size_t errstr_size)
{
    size_t n;
    zs_err_t err = ZS_OK;
    const sim_income_t *inc = sim_incomes(t->hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++)
        if (epoch_of(inc[i].epoch, quarters) == k && income_from(&inc[i]) <= w) {
            err = rewritten(t, i);
            ((uint8_t *)t->seen_inc.data)[i] = 1;
            t->stale = true;
            if (err == ZS_OK)
                err = run_quarter(t, w, errstr, errstr_size);
        }
    const sim_job_t *job = sim_jobs(t->hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++)
        if (epoch_of(job[i].epoch, quarters) == k && job_from(&job[i]) <= w) {
            ((uint8_t *)t->seen_job.data)[i] = 1;
            t->stale = true;
            err = run_quarter(t, w, errstr, errstr_size);
        }
    const sim_subsidy_t *sub = sim_subsidies(t->hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++)
        if (epoch_of(sub[i].epoch, quarters) == k && subsidy_from(&sub[i]) <= w) {
            ((uint8_t *)t->seen_sub.data)[i] = 1;
            t->stale = true;
            err = run_quarter(t, w, errstr, errstr_size);
        }
    const sim_cost_t *cost = sim_costs(t->hh, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++)
        if (epoch_of(cost[i].epoch, quarters) == k && cost_from(&cost[i]) <= w) {
            ((uint8_t *)t->seen_cost.data)[i] = 1;
            t->stale = true;
            err = run_quarter(t, w, errstr, errstr_size);
        }
    return err;
}

/* Marks record i seen if its epoch is k; whether it was new. */
static bool arrive(zs_buf_t *seen, size_t i, int epoch, int k, int quarters)
{
    uint8_t *s = (uint8_t *)seen->data;
    if (epoch_of(epoch, quarters) != k || s[i])
        return false;
    s[i] = 1;
    return true;
}

/* Every other record of epoch k arrives (before the close of its quarter). */
static void on_time_arrivals(sim_truth_t *t, int k, int quarters)
{
    size_t n;
    const sim_income_t *inc = sim_incomes(t->hh, &n);
    for (size_t i = 0; i < n; i++)
        t->stale |= arrive(&t->seen_inc, i, inc[i].epoch, k, quarters);
    const sim_job_t *job = sim_jobs(t->hh, &n);
    for (size_t i = 0; i < n; i++)
        t->stale |= arrive(&t->seen_job, i, job[i].epoch, k, quarters);
    const sim_subsidy_t *sub = sim_subsidies(t->hh, &n);
    for (size_t i = 0; i < n; i++)
        t->stale |= arrive(&t->seen_sub, i, sub[i].epoch, k, quarters);
    const sim_cost_t *cost = sim_costs(t->hh, &n);
    for (size_t i = 0; i < n; i++)
        t->stale |= arrive(&t->seen_cost, i, cost[i].epoch, k, quarters);
}

zs_err_t sim_truth_evaluate(sim_truth_t *t, const sim_household_t *hh, const sim_rules_t *rules,
                            zs_quarter_t from, int quarters, char *errstr, size_t errstr_size)
{
    if (quarters < 1)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "quarters %d: at least 1", quarters);
    zs_quarter_t to = from + quarters - 1;
    t->rules = rules;
    t->hh = hh;
    t->lo = zs_quarter_first_month(from - HISTORY_QUARTERS);
    t->hi = zs_quarter_last_month(to);
    t->span_lo = zs_quarter_first_month(from);
    t->span_hi = t->hi;
    t->nmonths = (size_t)(t->hi - t->lo + 1);
    sim_members(hh, &t->nmembers);
    zs_buf_reset(&t->open);
    zs_buf_reset(&t->decisions);
    zs_buf_reset(&t->opened);
    zs_buf_reset(&t->findings);
    zs_err_t err = arrivals_reset(t);
    t->stale = true;
    /* Epoch k: what arrives after the close of the span's quarter k - 1,
     * then the close of quarter k (none after the last). */
    for (int k = 0; k <= quarters && err == ZS_OK; k++) {
        t->epoch = k;
        if (k > 0)
            err = late_arrivals(t, k, quarters, from + k - 1, errstr, errstr_size);
        on_time_arrivals(t, k, quarters);
        if (err == ZS_OK && k < quarters)
            err = run_quarter(t, from + k, errstr, errstr_size);
    }
    if (err == ZS_ERR_NOMEM || err == ZS_ERR_OVERFLOW)
        return zs_fail(errstr, errstr_size, err, "household %s: out of memory", hh->household_id);
    return err;
}

const sim_transition_t *sim_truth_transitions(const sim_truth_t *t, size_t *n)
{
    *n = t->decisions.len / sizeof(sim_transition_t);
    return (const sim_transition_t *)(const void *)t->decisions.data;
}

const sim_transition_t *sim_truth_opened(const sim_truth_t *t, size_t *n)
{
    *n = t->opened.len / sizeof(sim_transition_t);
    return (const sim_transition_t *)(const void *)t->opened.data;
}

const sim_found_t *sim_truth_findings(const sim_truth_t *t, size_t *n)
{
    *n = t->findings.len / sizeof(sim_found_t);
    return (const sim_found_t *)(const void *)t->findings.data;
}

bool sim_truth_has_opened(const sim_truth_t *t, sim_rule_t rule, const char *subject,
                          zs_month_t *opened)
{
    size_t n;
    const sim_transition_t *o = sim_truth_opened(t, &n);
    for (size_t i = 0; i < n; i++)
        if (o[i].rule == rule && (subject == NULL || strcmp(o[i].subject, subject) == 0)) {
            if (opened != NULL)
                *opened = o[i].opened;
            return true;
        }
    return false;
}

bool sim_truth_has_finding(const sim_truth_t *t, sim_finding_t finding, zs_month_t period)
{
    size_t n;
    const sim_found_t *f = sim_truth_findings(t, &n);
    for (size_t i = 0; i < n; i++)
        if (f[i].finding == finding && (period < 0 || f[i].period == period))
            return true;
    return false;
}
