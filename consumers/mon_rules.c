/* mon_rules.c: consumers/RULES.md over one household's state. */
#include "mon_rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mon_refs.h"
#include "mon_risk.h"
#include "zs_canon.h"

static const char *const rule_names[MON_RULES] = {
    "INCOME_FALL",     "SLOW_GROWTH",   "LOW_INCOME",        "POVERTY_RISK",
    "NO_WORK",         "SHORT_WORK",    "WEAK_LABOR",        "LARGE_EXPENSE",
    "SUBSIDY_MISSING", "SUBSIDY_SHORT", "SUBSIDY_DUPLICATE", "NOT_ENROLLED",
};

static const char *const finding_names[MON_FINDINGS] = {
    "INCOME_JUMP",           "NEGATIVE_NET_INCOME", "CLOSED_QUARTER_REWRITTEN",
    "MIGRANT_WITHOUT_LABOR", "NO_INCOME_REPORTED",
};

static const char *const program_names[MON_PROGRAMS] = {
    "DIBAO",  "TEKUN", "TEMP_RELIEF", "DISABILITY",      "PENSION", "FARMLAND",
    "FOREST", "YULU",  "TRANSPORT",   "INDUSTRY_REWARD", "OTHER",
};

/* Severity per rule: what a county should look at first. */
static const mon_severity_t severities[MON_RULES] = {
    [MON_INCOME_FALL] = MON_HIGH,         [MON_SLOW_GROWTH] = MON_LOW,
    [MON_LOW_INCOME] = MON_MEDIUM,        [MON_POVERTY_RISK] = MON_HIGH,
    [MON_NO_WORK] = MON_MEDIUM,           [MON_SHORT_WORK] = MON_LOW,
    [MON_WEAK_LABOR] = MON_MEDIUM,        [MON_LARGE_EXPENSE] = MON_HIGH,
    [MON_SUBSIDY_MISSING] = MON_HIGH,     [MON_SUBSIDY_SHORT] = MON_MEDIUM,
    [MON_SUBSIDY_DUPLICATE] = MON_MEDIUM, [MON_NOT_ENROLLED] = MON_MEDIUM,
};

const char *mon_rule_name(mon_rule_t r)
{
    return (unsigned)r < MON_RULES ? rule_names[r] : NULL;
}

const char *mon_finding_name(mon_finding_kind_t f)
{
    return (unsigned)f < MON_FINDINGS ? finding_names[f] : NULL;
}

zs_err_t mon_rule_parse(const char *name, mon_rule_t *out)
{
    for (int r = 0; r < MON_RULES; r++)
        if (strcmp(rule_names[r], name) == 0) {
            *out = (mon_rule_t)r;
            return ZS_OK;
        }
    return ZS_ERR_NOT_FOUND;
}

/* ---- thresholds ---- */

zs_err_t mon_by_year_parse(const char *text, mon_by_year_t *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    const char *p = text;
    int last_year = 0;
    while (*p != '\0') {
        char *end;
        errno = 0;
        long year = strtol(p, &end, 10);
        if (end == p || *end != ':' || errno != 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "\"%s\": entry %d: want YEAR:VALUE",
                           text, out->n + 1);
        const char *v = end + 1;
        errno = 0;
        long long value = strtoll(v, &end, 10);
        if (end == v || (*end != ',' && *end != '\0') || errno != 0 || isspace((unsigned char)*v))
            return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "\"%s\": entry %d: want YEAR:VALUE",
                           text, out->n + 1);
        if (year < ZS_YEAR_MIN || year > ZS_YEAR_MAX || (out->n > 0 && year <= last_year))
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "\"%s\": year %ld: years must increase, within %d..%d", text, year,
                           ZS_YEAR_MIN, ZS_YEAR_MAX);
        if (value < 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "\"%s\": year %ld: negative value",
                           text, year);
        if (out->n == 0)
            out->first_year = (int)year;
        int slot = (int)year - out->first_year;
        if (slot >= MON_YEARS_MAX)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "\"%s\": at most %d years from the first", text, MON_YEARS_MAX);
        for (int i = out->n; i < slot; i++) /* a missing year keeps the value before */
            out->v[i] = out->v[out->n - 1];
        out->v[slot] = value;
        out->n = slot + 1;
        last_year = (int)year;
        p = *end == ',' ? end + 1 : end;
    }
    if (out->n == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "empty table: want YEAR:VALUE,...");
    return ZS_OK;
}

int64_t mon_by_year(const mon_by_year_t *t, int year)
{
    int i = year - t->first_year;
    return t->v[i < 0 ? 0 : i >= t->n ? t->n - 1 : i];
}

void mon_rules_default(mon_rules_t *r)
{
    *r = (mon_rules_t){.low_income_fen = 1000000,
                       .migrant_months = 6,
                       .labour_share_bp = 2500,
                       .large_expense_fen = 2000000,
                       .large_expense_share_bp = 5000,
                       .jump_bp = 10000};
    char err[128];
    (void)mon_by_year_parse(MON_SLOW_GROWTH_DEFAULT, &r->slow_growth_bp, err, sizeof(err));
    (void)mon_by_year_parse(MON_MONITORING_LINE_DEFAULT, &r->monitoring_line_fen, err, sizeof(err));
}

/* ---- output ---- */

void mon_out_init(mon_out_t *out)
{
    zs_buf_init(&out->decisions, (size_t)64 << 20);
    zs_buf_init(&out->findings, (size_t)16 << 20);
}

void mon_out_reset(mon_out_t *out)
{
    zs_buf_reset(&out->decisions);
    zs_buf_reset(&out->findings);
}

void mon_out_free(mon_out_t *out)
{
    zs_buf_free(&out->decisions);
    zs_buf_free(&out->findings);
}

const mon_decision_t *mon_out_decisions(const mon_out_t *out, size_t *n)
{
    *n = out->decisions.len / sizeof(mon_decision_t);
    return (const mon_decision_t *)(const void *)out->decisions.data;
}

const mon_finding_t *mon_out_findings(const mon_out_t *out, size_t *n)
{
    *n = out->findings.len / sizeof(mon_finding_t);
    return (const mon_finding_t *)(const void *)out->findings.data;
}

zs_err_t mon_out_finding(mon_out_t *out, mon_finding_kind_t kind, zs_month_t period,
                         const char *person_id, const char *detail)
{
    size_t n;
    const mon_finding_t *f = mon_out_findings(out, &n);
    for (size_t i = 0; i < n; i++) /* one per (finding, period, person) */
        if (f[i].kind == kind && f[i].period == period &&
            strcmp(f[i].person_id, person_id ? person_id : "") == 0)
            return ZS_OK;
    mon_finding_t x = {.kind = kind, .period = period};
    snprintf(x.person_id, sizeof(x.person_id), "%s", person_id ? person_id : "");
    snprintf(x.detail, sizeof(x.detail), "%s", detail);
    return zs_buf_add(&out->findings, &x, sizeof(x));
}

/* ---- identity ---- */

void mon_warning_id(const char *household_id, mon_rule_t rule, const char *subject,
                    zs_month_t opened, char out[65])
{
    char id[256];
    int n = snprintf(id, sizeof(id), "W-%s-%s-%s-%04d%02d", household_id, mon_rule_name(rule),
                     subject, zs_month_year(opened), zs_month_month(opened));
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(id) ? (size_t)n : sizeof(id) - 1;
    size_t subject_at = 2 + strlen(household_id) + 1 + strlen(mon_rule_name(rule)) + 1;
    for (size_t i = subject_at; i < subject_at + strlen(subject) && i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (!isalnum(c) && c != '_' && c != '-')
            id[i] = '_';
    }
    if (len <= 64) {
        memcpy(out, id, len + 1);
        return;
    }
    uint64_t crc = zs_crc64_avro(id, len);
    memcpy(out, id, 55);
    snprintf(out + 55, 10, "~%08llx", (unsigned long long)(crc & 0xffffffffu));
}

/* ---- figures ---- */

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Money arithmetic saturates at the int64 range. zs-monitor refuses an
 * amount beyond the contract (common/zs_contract.h) at its door, so on
 * valid input these never bind; they keep the rules defined on any other. */
static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t sub_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t mul_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    return r;
}

/* Each component's household total over first..last (standing statements). */
static void components_between(const mon_hh_t *hh, zs_month_t first, zs_month_t last,
                               int64_t sum[MON_COMPONENTS])
{
    memset(sum, 0, sizeof(int64_t) * MON_COMPONENTS);
    for (size_t i = 0; i < hh->nincomes; i++) {
        const mon_income_t *s = &hh->incomes[i];
        if (s->month >= first && s->month <= last)
            sum[s->component] = add_sat(sum[s->component], s->fen);
    }
}

static int64_t net_of(const int64_t c[MON_COMPONENTS])
{
    int64_t gross =
        add_sat(add_sat(c[MON_WAGE], c[MON_OPERATING]), add_sat(c[MON_PROPERTY], c[MON_TRANSFER]));
    return sub_sat(gross, c[MON_EXPENSE]);
}

static int64_t net_between(const mon_hh_t *hh, zs_month_t first, zs_month_t last)
{
    int64_t c[MON_COMPONENTS];
    components_between(hh, first, last, c);
    return net_of(c);
}

static bool quarter_has_income(const mon_hh_t *hh, zs_quarter_t q)
{
    zs_month_t first = zs_quarter_first_month(q), last = zs_quarter_last_month(q);
    for (size_t i = 0; i < hh->nincomes; i++)
        if (hh->incomes[i].month >= first && hh->incomes[i].month <= last)
            return true;
    return false;
}

/* RULES.md "Covered": each of the window's four quarters has a statement. */
static bool covered(const mon_hh_t *hh, zs_quarter_t q)
{
    for (zs_quarter_t i = q - 3; i <= q; i++)
        if (!quarter_has_income(hh, i))
            return false;
    return true;
}

/* The standing employment statement of (person, month), or NULL. */
static const mon_job_t *job_of(const mon_hh_t *hh, int person, zs_month_t m)
{
    for (size_t i = 0; i < hh->njobs; i++)
        if (hh->jobs[i].person == person && hh->jobs[i].month == m)
            return &hh->jobs[i];
    return NULL;
}

/* ---- episodes ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* A hash of the figures of an evidence (not its text). */
static uint64_t evidence_hash(const mon_evidence_t *e)
{
    uint64_t h = 0xcbf29ce484222325ull;
    int64_t v[] = {
        e->has_t12m ? e->t12m_per_capita : INT64_MIN, e->has_prev ? e->prev_per_capita : INT64_MIN,
        e->has_growth ? e->growth_bp : INT64_MIN,     e->members_active,
        e->has_threshold ? e->threshold : INT64_MIN,  e->has_observed ? e->observed : INT64_MIN,
        e->has_amount ? e->amount : INT64_MIN,        e->program};
    h = fnv(h, v, sizeof(v));
    if (e->has_components)
        h = fnv(h, e->current, sizeof(e->current));
    if (e->has_prev_components)
        h = fnv(h, e->previous, sizeof(e->previous));
    return h;
}

/* What one run found for (rule, subject). */
typedef struct verdict {
    mon_rule_t rule;
    const char *subject;
    const char *person_id; /* NULL: none */
    bool holds;
    bool clears; /* false: only a RESOLVED follow-up clears it */
    zs_month_t period;
    mon_risk_t risk;
    const char *event_id;
    const mon_evidence_t *evidence;
    mon_refs_spec_t refs; /* what it rests on (Warning.sources) */
} verdict_t;

static zs_err_t emit(mon_out_t *out, const mon_hh_t *hh, const verdict_t *v, mon_status_t status,
                     zs_month_t opened)
{
    mon_decision_t d = {.rule = v->rule,
                        .status = status,
                        .severity = severities[v->rule],
                        .risk = v->risk,
                        .period = v->period,
                        .opened = opened,
                        .evidence = *v->evidence};
    snprintf(d.subject, sizeof(d.subject), "%s", v->subject);
    snprintf(d.person_id, sizeof(d.person_id), "%s", v->person_id ? v->person_id : "");
    snprintf(d.event_id, sizeof(d.event_id), "%s", v->event_id ? v->event_id : "");
    mon_warning_id(hh->id, v->rule, v->subject, opened, d.warning_id);
    mon_refs_fill(hh, &v->refs, v->event_id, opened, &d);
    return zs_buf_add(&out->decisions, &d, sizeof(d));
}

static mon_episode_t *find_episode(mon_hh_t *hh, mon_rule_t rule, const char *subject)
{
    for (size_t i = 0; i < hh->nepisodes; i++)
        if (hh->episodes[i].rule == rule && strcmp(hh->episodes[i].subject, subject) == 0)
            return &hh->episodes[i];
    return NULL;
}

/* RULES.md "When rules run": holds and none open: OPEN; holds and one open:
 * UPDATED when a figure changed; does not hold and one open: CLEARED. */
static zs_err_t decide(mon_hh_t *hh, const verdict_t *v, mon_out_t *out)
{
    mon_episode_t *ep = find_episode(hh, v->rule, v->subject);
    uint64_t h = evidence_hash(v->evidence);
    if (v->holds && ep == NULL) {
        if (hh->nepisodes >= hh->cap_episodes) {
            size_t cap = hh->cap_episodes < 4 ? 4 : hh->cap_episodes * 2;
            mon_episode_t *p = realloc(hh->episodes, cap * sizeof(*p));
            if (p == NULL)
                return ZS_ERR_NOMEM;
            hh->episodes = p;
            hh->cap_episodes = cap;
        }
        ep = &hh->episodes[hh->nepisodes++];
        *ep = (mon_episode_t){.rule = (uint8_t)v->rule, .opened = v->period, .evidence = h};
        snprintf(ep->subject, sizeof(ep->subject), "%s", v->subject);
        return emit(out, hh, v, MON_OPEN, v->period);
    }
    if (v->holds) {
        if (ep->evidence == h)
            return ZS_OK;
        ep->evidence = h;
        return emit(out, hh, v, MON_UPDATED, ep->opened);
    }
    if (ep == NULL || !v->clears)
        return ZS_OK;
    zs_month_t opened = ep->opened;
    size_t i = (size_t)(ep - hh->episodes);
    memmove(ep, ep + 1, (hh->nepisodes - i - 1) * sizeof(*ep));
    hh->nepisodes--;
    return emit(out, hh, v, MON_CLEARED, opened);
}

/* ---- the quarter close ---- */

static void active_members(const mon_hh_t *hh, int64_t *active, int64_t *labour)
{
    *active = *labour = 0;
    for (size_t i = 0; i < hh->npersons; i++) {
        const mon_person_t *p = &hh->persons[i];
        if (!p->member || !p->active)
            continue;
        ++*active;
        *labour += p->labor == MON_SKILLED || p->labor == MON_ORDINARY;
    }
}

/* Plan items 26, 33: T12M per capita against a year ago, 10,000 yuan and the
 * monitoring line; item 32's findings on the same figures. */
static zs_err_t income_rules(const mon_rules_t *r, mon_hh_t *hh, zs_quarter_t q, int64_t active,
                             mon_out_t *out)
{
    zs_month_t period = zs_quarter_last_month(q);
    int year = zs_quarter_year(q);
    zs_err_t err = ZS_OK;
    if (!quarter_has_income(hh, q))
        err = mon_out_finding(out, MON_NO_INCOME_REPORTED, period, NULL,
                              "no income statement for any month of the quarter");
    if (err != ZS_OK || !covered(hh, q))
        return err; /* cannot be evaluated: open warnings stay as they are */
    mon_evidence_t e = {.has_components = true, .unit = MON_UNIT_NONE, .program = -1};
    zs_month_t first, last;
    zs_quarter_t12m(q, &first, &last);
    components_between(hh, first, last, e.current);
    int64_t total = net_of(e.current);
    if (total < 0) {
        char detail[160];
        snprintf(detail, sizeof(detail), "T12M household net income %lld fen", (long long)total);
        err = mon_out_finding(out, MON_NEGATIVE_NET_INCOME, period, NULL, detail);
    }
    if (err != ZS_OK || active == 0)
        return err; /* no per-capita figure */
    int64_t c = floor_div(total, active);
    e.has_t12m = true;
    e.t12m_per_capita = c;
    e.members_active = (int32_t)active;
    int64_t p = 0, growth = 0;
    bool prev = covered(hh, q - 4);
    if (prev) {
        zs_quarter_t12m(q - 4, &first, &last);
        components_between(hh, first, last, e.previous);
        e.has_prev = e.has_prev_components = true;
        p = floor_div(net_of(e.previous), active);
        e.prev_per_capita = p;
        if (p > 0) {
            growth = floor_div(mul_sat(sub_sat(c, p), 10000), p);
            e.has_growth = true;
            e.growth_bp = (int32_t)(growth > INT32_MAX   ? INT32_MAX
                                    : growth < INT32_MIN ? INT32_MIN
                                                         : growth);
        }
    }
    snprintf(e.detail, sizeof(e.detail), "T12M %04d-%02d..%04d-%02d, %lld active members",
             zs_month_year(period - 11), zs_month_month(period - 11), zs_month_year(period),
             zs_month_month(period), (long long)active);
    verdict_t v = {.subject = "-",
                   .clears = true,
                   .period = period,
                   .risk = mon_risk_of(MON_LOW_INCOME, hh, &e, period, r->labour_share_bp, -1),
                   .evidence = &e, /* one risk type for the four income rules */
                   .refs = {.what = MON_REFS_INCOME, .first = period - 11, .last = period}};

    e.has_threshold = e.has_observed = true;
    e.unit = MON_UNIT_FEN;
    e.observed = c;
    e.threshold = r->low_income_fen;
    e.threshold_source = "zs.rules.low_income_fen (plan items 26, 33)";
    v.rule = MON_LOW_INCOME;
    v.holds = c < r->low_income_fen;
    err = decide(hh, &v, out);
    e.threshold = mon_by_year(&r->monitoring_line_fen, year);
    e.threshold_source = "zs.rules.monitoring_line_fen (the year's monitoring line, item 26)";
    v.rule = MON_POVERTY_RISK;
    v.holds = c < e.threshold;
    if (err != ZS_OK || (err = decide(hh, &v, out)) != ZS_OK || !prev)
        return err;

    e.has_threshold = false;
    e.unit = MON_UNIT_NONE;
    e.has_observed = false;
    e.threshold_source = "T12M a year earlier (plan items 26, 33)";
    v.refs.first = period - 23; /* both windows compared */
    v.rule = MON_INCOME_FALL;
    v.holds = c < p;
    err = decide(hh, &v, out);

    int64_t slow_bp = mon_by_year(&r->slow_growth_bp, year);
    e.has_threshold = true;
    e.threshold = slow_bp;
    e.unit = MON_UNIT_BASIS_POINTS;
    e.has_observed = e.has_growth;
    e.observed = growth;
    e.threshold_source = "zs.rules.slow_growth_bp (the year's rural income growth, item 33)";
    v.rule = MON_SLOW_GROWTH;
    v.holds = p > 0 && c >= p && growth < slow_bp;
    if (err == ZS_OK)
        err = decide(hh, &v, out);
    if (err == ZS_OK && p > 0 && growth >= r->jump_bp && zs_quarter_quarter(q) == 4) {
        char detail[160];
        snprintf(detail, sizeof(detail), "per-capita growth %lld bp over a year (bound %lld)",
                 (long long)growth, (long long)r->jump_bp);
        err = mon_out_finding(out, MON_INCOME_JUMP, period, NULL, detail);
    }
    return err;
}

/* Plan item 29: labour (SKILLED, ORDINARY) under a share of active members. */
static zs_err_t labour_rule(const mon_rules_t *r, mon_hh_t *hh, zs_quarter_t q, int64_t active,
                            int64_t labour, mon_out_t *out)
{
    mon_evidence_t e = {.members_active = (int32_t)active,
                        .has_threshold = true,
                        .threshold = r->labour_share_bp,
                        .unit = MON_UNIT_BASIS_POINTS,
                        .has_observed = active > 0,
                        .observed = active > 0 ? labour * 10000 / active : 0,
                        .threshold_source = "zs.rules.labour_share_bp (plan item 29)",
                        .program = -1};
    snprintf(e.detail, sizeof(e.detail), "%lld labour of %lld active members", (long long)labour,
             (long long)active);
    verdict_t v = {.rule = MON_WEAK_LABOR,
                   .subject = "-",
                   .holds = active > 0 && labour * 10000 < active * r->labour_share_bp,
                   .clears = true,
                   .period = zs_quarter_last_month(q),
                   .risk = mon_risk_of(MON_WEAK_LABOR, hh, &e, zs_quarter_last_month(q),
                                       r->labour_share_bp, -1),
                   .evidence = &e,
                   .refs = {.what = MON_REFS_SNAPSHOT}};
    return decide(hh, &v, out);
}

/* Plan items 17, 33 and item 32's migrant finding: each member's work and
 * pension / disability payments in the quarter. */
static zs_err_t member_rules(const mon_rules_t *r, mon_hh_t *hh, zs_quarter_t q, int64_t active,
                             mon_out_t *out)
{
    zs_month_t first = zs_quarter_first_month(q), last = zs_quarter_last_month(q);
    zs_month_t jan = last - (zs_month_month(last) - 1);
    int year = zs_quarter_year(q);
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < hh->npersons && err == ZS_OK; i++) {
        const mon_person_t m = hh->persons[i]; /* a copy: decide may move arrays */
        /* Someone the latest snapshot no longer lists: no rule holds for
         * them, but their open warnings must clear (RULES.md "When rules
         * run"); decide() does nothing for those without one. */
        bool present = m.member && m.active;
        int age = year - m.birth_year;
        bool wanted = false, employed = false, pension = false, disability = false;
        int employed_months = 0, migrant = 0;
        for (zs_month_t mo = jan; mo <= last; mo++) {
            const mon_job_t *j = job_of(hh, (int)i, mo);
            if (j == NULL)
                continue;
            migrant += mon_status_migrant(j->status);
            if (mo < first)
                continue;
            wanted |= j->wants_work;
            employed |= mon_status_employed(j->status);
            employed_months += mon_status_employed(j->status);
            if (m.member && mon_status_migrant(j->status) &&
                (m.labor == MON_LOST || m.labor == MON_NONE))
                err = mon_out_finding(out, MON_MIGRANT_WITHOUT_LABOR, mo, m.id,
                                      "a migrant month for a member without labour (LOST/NONE)");
        }
        for (size_t k = 0; k < hh->nsubsidies; k++) {
            const mon_subsidy_t *s = &hh->subsidies[k];
            if (s->paid && s->person == (int)i && s->month >= first && s->month <= last) {
                pension |= s->program == MON_PROGRAM_PENSION;
                disability |= s->program == MON_PROGRAM_DISABILITY;
            }
        }
        int left = 12 - zs_month_month(last);
        mon_evidence_t e = {.members_active = (int32_t)active,
                            .has_threshold = true,
                            .has_observed = true,
                            .unit = MON_UNIT_MONTHS,
                            .program = -1};
        verdict_t v = {
            .subject = m.id,
            .person_id = m.id,
            .clears = true,
            .period = last,
            .risk = mon_risk_of(MON_NO_WORK, hh, &e, last, r->labour_share_bp, -1),
            .evidence = &e,
            .refs = {.what = MON_REFS_JOBS, .first = first, .last = last, .person = (int)i}};

        e.threshold = 1;
        e.observed = employed_months;
        e.threshold_source = "employed months in the quarter (plan item 33)";
        snprintf(e.detail, sizeof(e.detail), "wants work, aged %d, no employed month", age);
        v.rule = MON_NO_WORK;
        v.holds = present && age >= 16 && age <= 59 && wanted && !employed;
        if (err == ZS_OK)
            err = decide(hh, &v, out);

        e.threshold = r->migrant_months;
        e.observed = migrant + left;
        e.threshold_source = "zs.rules.migrant_months (plan item 33)";
        snprintf(e.detail, sizeof(e.detail), "%d migrant months so far, %d months left", migrant,
                 left);
        v.rule = MON_SHORT_WORK;
        v.refs.first = jan; /* the migrant months counted */
        v.holds = present && migrant >= 1 && migrant + left < r->migrant_months;
        if (err == ZS_OK)
            err = decide(hh, &v, out);

        bool no_pension = age >= 60 && !pension;
        bool no_disability = m.disability >= 1 && !disability;
        bool by_age = no_pension || !no_disability;
        e.has_threshold = by_age;
        e.threshold = by_age ? 60 : 0;
        e.unit = by_age ? MON_UNIT_YEARS : MON_UNIT_NONE;
        e.observed = by_age ? age : m.disability;
        e.program = by_age ? MON_PROGRAM_PENSION : MON_PROGRAM_DISABILITY;
        e.threshold_source = "plan item 17 (应发尽发)";
        snprintf(e.detail, sizeof(e.detail), "aged %d%s%s, disability grade %d", age,
                 no_pension ? ", no PENSION paid in the quarter" : "",
                 no_disability ? ", no DISABILITY paid in the quarter" : "", m.disability);
        v.rule = MON_NOT_ENROLLED;
        v.refs = (mon_refs_spec_t){
            .what = MON_REFS_ENROLMENT, .first = first, .last = last, .person = (int)i};
        v.holds = present && (no_pension || no_disability);
        v.risk = mon_risk_of(MON_NOT_ENROLLED, hh, &e, last, r->labour_share_bp,
                             no_disability ? MON_PROGRAM_DISABILITY : -1);
        if (err == ZS_OK)
            err = decide(hh, &v, out);
    }
    return err;
}

/* One entitlement and the payments for it. */
typedef struct entitlement {
    const mon_subsidy_t *due;
    int paid_count, ontime_count;
    int64_t paid_sum, ontime_sum;
} entitlement_t;

static entitlement_t entitlement_of(const mon_hh_t *hh, const mon_subsidy_t *due)
{
    entitlement_t e = {.due = due};
    int64_t deadline = mon_month_start_ms(due->month + 2);
    for (size_t i = 0; i < hh->nsubsidies; i++) {
        const mon_subsidy_t *p = &hh->subsidies[i];
        if (!mon_subsidy_pays(p, due))
            continue;
        e.paid_count++;
        e.paid_sum = add_sat(e.paid_sum, p->fen);
        if (p->at < deadline) {
            e.ontime_count++;
            e.ontime_sum = add_sat(e.ontime_sum, p->fen);
        }
    }
    return e;
}

/* Whether s is a standing DUE with an amount whose deadline has passed by q. */
static bool checked_due(const mon_subsidy_t *s, zs_quarter_t q)
{
    return !s->paid && s->fen > 0 && zs_month_quarter(s->month + 1) <= q;
}

/* Plan items 17, 18 (及时、足额、精准): the entitlements of one (person,
 * program) whose deadline has passed by the close of q. */
static zs_err_t subject_rules(mon_hh_t *hh, int person, int program, zs_quarter_t q, int64_t active,
                              mon_out_t *out)
{
    const mon_subsidy_t *missing = NULL, *shortfall = NULL, *duplicate = NULL;
    entitlement_t es = {0}, ed = {0};
    for (size_t i = 0; i < hh->nsubsidies; i++) { /* month order: the earliest of each */
        const mon_subsidy_t *s = &hh->subsidies[i];
        if (s->person != person || s->program != program || !checked_due(s, q))
            continue;
        entitlement_t e = entitlement_of(hh, s);
        if (e.paid_count == 0 && missing == NULL)
            missing = s;
        if (e.ontime_count > 0 && e.ontime_sum < s->fen && e.paid_sum < s->fen && shortfall == NULL)
            shortfall = s, es = e;
        if (e.paid_count >= 2 && !s->resolved && duplicate == NULL)
            duplicate = s, ed = e;
    }
    char subject[MON_SUBJECT_SIZE];
    const char *pid = person < 0 ? NULL : hh->persons[person].id;
    snprintf(subject, sizeof(subject), "%s/%s", pid ? pid : "-", program_names[program]);
    zs_month_t last = zs_quarter_last_month(q);
    mon_evidence_t e = {.members_active = (int32_t)active,
                        .has_threshold = true,
                        .has_observed = true,
                        .has_amount = true,
                        .unit = MON_UNIT_FEN,
                        .program = program,
                        .threshold_source = "the amount due (plan items 17, 18)"};
    verdict_t v = {.subject = subject,
                   .person_id = pid,
                   .clears = true,
                   .risk = mon_risk_of(MON_SUBSIDY_MISSING, hh, &e, last, 0, -1),
                   .evidence = &e,
                   .refs = {.what = MON_REFS_ENTITLEMENT, .person = person, .program = program}};

    v.rule = MON_SUBSIDY_MISSING;
    v.holds = missing != NULL;
    v.period = missing ? missing->month : last;
    v.event_id = missing ? missing->event_id : NULL;
    v.refs.due = missing;
    e.threshold = e.amount = missing ? missing->fen : 0;
    e.observed = 0;
    snprintf(e.detail, sizeof(e.detail), "%s",
             missing ? "no payment by the end of the following month" : "paid");
    zs_err_t err = decide(hh, &v, out);

    v.rule = MON_SUBSIDY_SHORT;
    v.holds = shortfall != NULL;
    v.period = shortfall ? shortfall->month : last;
    v.event_id = shortfall ? shortfall->event_id : NULL;
    v.refs.due = shortfall;
    e.threshold = e.amount = shortfall ? shortfall->fen : 0;
    e.observed = es.ontime_sum;
    snprintf(e.detail, sizeof(e.detail), "%d payment(s) by the deadline, %lld fen in all so far",
             es.ontime_count, (long long)es.paid_sum);
    if (err == ZS_OK)
        err = decide(hh, &v, out);

    if (duplicate == NULL || err != ZS_OK)
        return err;
    v.rule = MON_SUBSIDY_DUPLICATE;
    v.holds = true;
    v.clears = false;
    v.period = duplicate->month;
    v.event_id = duplicate->event_id;
    v.refs.due = duplicate;
    e.threshold = 1;
    e.unit = MON_UNIT_COUNT;
    e.observed = ed.paid_count;
    e.amount = duplicate->fen;
    snprintf(e.detail, sizeof(e.detail), "%d payments (%lld fen) for %lld fen due", ed.paid_count,
             (long long)ed.paid_sum, (long long)duplicate->fen);
    return decide(hh, &v, out);
}

static zs_err_t subsidy_rules(mon_hh_t *hh, zs_quarter_t q, int64_t active, mon_out_t *out)
{
    /* Each subject once: at its first checked entitlement. */
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < hh->nsubsidies && err == ZS_OK; i++) {
        const mon_subsidy_t *s = &hh->subsidies[i];
        if (!checked_due(s, q))
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = hh->subsidies[k].person == s->person && hh->subsidies[k].program == s->program &&
                   checked_due(&hh->subsidies[k], q);
        if (!seen)
            err = subject_rules(hh, s->person, s->program, q, active, out);
    }
    return err;
}

/* Plan item 32: each hardship cost not judged yet, of q or before, against
 * the floor and the household's net income of the 12 months ending with its
 * month. */
static zs_err_t expense_rule(const mon_rules_t *r, mon_hh_t *hh, zs_quarter_t q, int64_t active,
                             mon_out_t *out)
{
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < hh->ncosts && err == ZS_OK; i++) {
        mon_cost_t c = hh->costs[i];
        if (c.judged || zs_month_quarter(c.month) > q)
            continue;
        hh->costs[i].judged = true;
        int64_t income = net_between(hh, c.month - 11, c.month);
        bool by_floor = c.fen >= r->large_expense_fen;
        bool by_share = income <= 0
                            ? c.fen > 0
                            : mul_sat(c.fen, 10000) >= mul_sat(income, r->large_expense_share_bp);
        if (!by_floor && !by_share)
            continue;
        mon_evidence_t e = {.members_active = (int32_t)active,
                            .has_threshold = true,
                            .has_observed = true,
                            .has_amount = true,
                            .amount = c.fen,
                            .program = -1};
        if (by_share) {
            e.threshold = r->large_expense_share_bp;
            e.unit = MON_UNIT_BASIS_POINTS;
            e.has_observed = income > 0;
            e.observed = income > 0 ? mul_sat(c.fen, 10000) / income : 0;
            e.threshold_source = "zs.rules.large_expense_share_bp (plan item 32)";
        } else {
            e.threshold = r->large_expense_fen;
            e.unit = MON_UNIT_FEN;
            e.observed = c.fen;
            e.threshold_source = "zs.rules.large_expense_fen (plan item 32)";
        }
        snprintf(e.detail, sizeof(e.detail),
                 "cost %lld fen against %lld fen net income over 12 months", (long long)c.fen,
                 (long long)income);
        mon_risk_t risk =
            mon_risk_of(MON_LARGE_EXPENSE, hh, &e, c.month, r->labour_share_bp, c.kind);
        verdict_t v = {
            .rule = MON_LARGE_EXPENSE,
            .subject = "-",
            .holds = true,
            .clears = false,
            .period = c.month,
            .risk = risk,
            .event_id = c.event_id,
            .evidence = &e,
            .refs = {.what = MON_REFS_ONE, .kind = MON_REF_HARDSHIP, .offset = c.offset}};
        err = decide(hh, &v, out);
    }
    return err;
}

zs_err_t mon_close_quarter(const mon_rules_t *rules, mon_hh_t *hh, zs_quarter_t q, mon_out_t *out)
{
    int64_t active, labour;
    active_members(hh, &active, &labour);
    zs_err_t err = income_rules(rules, hh, q, active, out);
    if (err == ZS_OK)
        err = labour_rule(rules, hh, q, active, labour, out);
    if (err == ZS_OK)
        err = member_rules(rules, hh, q, active, out);
    if (err == ZS_OK)
        err = subsidy_rules(hh, q, active, out);
    if (err == ZS_OK)
        err = expense_rule(rules, hh, q, active, out);
    return err;
}

zs_err_t mon_follow_up(mon_hh_t *hh, const char *warning_id, bool resolved, int64_t at,
                       const char *event_id, int64_t offset, mon_out_t *out, bool *cleared)
{
    *cleared = false;
    if (!resolved)
        return ZS_OK;
    for (size_t i = 0; i < hh->nepisodes; i++) {
        mon_episode_t ep = hh->episodes[i];
        if (ep.rule != MON_LARGE_EXPENSE && ep.rule != MON_SUBSIDY_DUPLICATE)
            continue;
        char id[65];
        mon_warning_id(hh->id, (mon_rule_t)ep.rule, ep.subject, ep.opened, id);
        if (strcmp(id, warning_id) != 0)
            continue;
        if (ep.rule == MON_SUBSIDY_DUPLICATE) /* settle its duplicate payments */
            for (size_t k = 0; k < hh->nsubsidies; k++) {
                mon_subsidy_t *s = &hh->subsidies[k];
                char subject[MON_SUBJECT_SIZE];
                snprintf(subject, sizeof(subject), "%s/%s",
                         s->person < 0 ? "-" : hh->persons[s->person].id,
                         program_names[s->program]);
                if (!s->paid && strcmp(subject, ep.subject) == 0 &&
                    entitlement_of(hh, s).paid_count >= 2)
                    s->resolved = true;
            }
        /* The month of at in China Standard Time. */
        int64_t y;
        unsigned m, d;
        zs_civil_from_days(floor_div(floor_div(at, 1000) + 8 * 3600, 86400), &y, &m, &d);
        mon_evidence_t e = {
            .unit = MON_UNIT_NONE, .program = -1, .threshold_source = "a RESOLVED follow-up"};
        snprintf(e.detail, sizeof(e.detail), "resolved by the county");
        const char *pid = NULL;
        char person[MON_ID_SIZE] = "";
        const char *slash = strchr(ep.subject, '/');
        if (slash != NULL && ep.subject[0] != '-' &&
            (size_t)(slash - ep.subject) < sizeof(person)) {
            memcpy(person, ep.subject, (size_t)(slash - ep.subject));
            person[slash - ep.subject] = '\0';
            pid = person;
        }
        verdict_t v = {.rule = (mon_rule_t)ep.rule,
                       .subject = ep.subject,
                       .person_id = pid,
                       .holds = false,
                       .clears = true,
                       .period = (zs_month_t)(y * 12 + (m - 1)),
                       .risk = MON_RISK_OTHER,
                       .event_id = event_id,
                       .evidence = &e,
                       .refs = {.what = MON_REFS_ONE, .kind = MON_REF_FOLLOWUP, .offset = offset}};
        *cleared = true;
        return decide(hh, &v, out);
    }
    return ZS_OK;
}
