/* sim_gen.c: zs-simulate's synthetic Guangxi households: members, monthly
 * income by component following the published per-capita figures, work,
 * subsidies, hardship costs, and injected cases checked against the truth. */
#include "sim_gen.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMBERS  8
#define MAX_MONTHS   ((SIM_GEN_MAX_QUARTERS + SIM_GEN_HISTORY_QUARTERS) * 3)
#define MAX_ATTEMPTS 20
#define NO_STATUS    (-1)
#define PI           3.14159265358979323846
/* Years the growth table covers (index: year - FIRST_YEAR). */
#define FIRST_YEAR 2000
#define NYEARS     101

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

typedef struct rng {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* One independent stream per (seed, a, b). */
static void rng_seed(rng_t *r, uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t x = seed;
    uint64_t h = splitmix64(&x) ^ (a * UINT64_C(0xc2b2ae3d27d4eb4f));
    h = splitmix64(&h) ^ (b * UINT64_C(0x165667b19e3779f9));
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&h);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static int rng_int(rng_t *r, int lo, int hi)
{
    return lo + (int)(rng_unit(r) * (double)(hi - lo + 1));
}

static bool rng_chance(rng_t *r, double p)
{
    return rng_unit(r) < p;
}

static double rng_normal(rng_t *r)
{
    double u1 = rng_unit(r), u2 = rng_unit(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * PI * u2);
}

/* ---- the cases ---- */

static const char *const case_names[SIM_CASE__COUNT] = {
    "NONE",
    "INCOME_FALL",
    "SLOW_GROWTH",
    "LOW_INCOME",
    "POVERTY_RISK",
    "NO_WORK",
    "SHORT_WORK",
    "WEAK_LABOR",
    "LARGE_EXPENSE_FLOOR",
    "LARGE_EXPENSE_SHARE",
    "SUBSIDY_MISSING",
    "SUBSIDY_SHORT",
    "SUBSIDY_DUPLICATE",
    "NOT_ENROLLED_PENSION",
    "NOT_ENROLLED_DISABILITY",
    "INCOME_JUMP",
    "NEGATIVE_NET_INCOME",
    "MIGRANT_WITHOUT_LABOR",
    "NO_INCOME_REPORTED",
    "CORRECTION",
    "CORRECTION_TIE",
    "DUPLICATE_EVENT",
    "BAD_ROW",
    "BOUNDARY_LOW_INCOME",
    "BOUNDARY_GROWTH",
    "BOUNDARY_MIGRANT",
    "BOUNDARY_LABOUR",
    "BOUNDARY_EXPENSE",
    "BOUNDARY_AGE",
};

const char *sim_case_name(sim_case_t c)
{
    return (unsigned)c < SIM_CASE__COUNT ? case_names[c] : "?";
}

struct sim_gen {
    const zs_county_table_t *counties;
    sim_gen_opts_t opts;
    double *county_cum; /* cumulative county weights */
    size_t ncounties;
    sim_rules_t rules;
    sim_truth_t *truth;
    sim_household_t scratch; /* a counterfactual copy, for checks */
    sim_case_t cases[SIM_CASE__COUNT];
    size_t ncases, next_case;
    struct ctx *ctx; /* the household being built (large: kept off the stack) */
};

/* ---- one household being built ---- */

typedef struct ctx {
    sim_gen_t *g;
    sim_household_t *hh;
    sim_injection_t *inj;
    rng_t rng;
    sim_case_t kase;
    int variant; /* 0 or 1: which form of the case */
    bool quiet;  /* injected: no noise, spells or random costs to blur the case */
    int ref_year;
    zs_quarter_t from, to;
    zs_month_t inc_lo, emp_lo, span_lo, span_hi;
    int nmonths; /* inc_lo..span_hi */
    int nact;
    double pc2021;    /* per-capita annual net income, 2021 yuan */
    double target_pc; /* > 0: per-capita T12M wanted at the span's first quarter */
    double growth[NYEARS];
    double s_w, s_o, s_t, s_p; /* shares of net income: wage, net operating, transfer, property */
    bool two_wage_sources, dibao, farmland, flat_growth;
    double flat_rate;
    int8_t base[MAX_MEMBERS];
    int8_t st[MAX_MEMBERS][MAX_MONTHS]; /* status per month from inc_lo, NO_STATUS before emp_lo */
    double mult[MAX_MONTHS];            /* case multiplier of all income */
    double boost[MAX_MONTHS];           /* case: extra EXPENSE as a multiple of the month's net */
    double tot[MAX_MONTHS];             /* household net per month, yuan, before the split */
    zs_quarter_t skip_q;                /* no income statement in this quarter (0: none) */
    unsigned seq_i, seq_e, seq_s, seq_h;
    int focus;                /* the member the case is about */
    zs_quarter_t case_q;      /* the quarter the case is about */
    zs_month_t case_m;        /* the month the case is about, where it is one */
    char fix_id[SIM_ID_SIZE]; /* CORRECTION: the event_id of the correcting statement */
} ctx_t;

static int mi(const ctx_t *c, zs_month_t m)
{
    return (int)(m - c->inc_lo);
}

/* Writes v in exactly width digits (the low ones) at p. */
static void digits(char *p, unsigned long v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* "<household>-<letter><n>", cut to an identifier's 32 characters. */
static void make_id(char *out, const char *hh, char letter, unsigned n)
{
    char num[16];
    int width = 1;
    for (unsigned v = n; v >= 10; v /= 10)
        width++;
    digits(num, n, width);
    size_t len = strnlen(hh, SIM_ID_SIZE - 1), at = 0;
    memcpy(out, hh, len);
    at = len;
    if (at + 2 + (size_t)width < SIM_ID_SIZE) {
        out[at++] = '-';
        out[at++] = letter;
        memcpy(out + at, num, (size_t)width);
        at += (size_t)width;
    }
    out[at] = '\0';
}

static int64_t to_fen(double yuan)
{
    return yuan <= 0 ? 0 : (int64_t)(yuan * 100.0 + 0.5);
}

static void fen_text(int64_t fen, char *out, size_t size)
{
    int64_t abs = fen < 0 ? -fen : fen;
    snprintf(out, size, "%s%" PRId64 ".%02" PRId64, fen < 0 ? "-" : "", abs / 100, abs % 100);
}

static void month_text(zs_month_t m, char *out)
{
    zs_month_format(m, out, ZS_PERIOD_STR_SIZE);
}

/* A time in month m, between day lo and hi (<= 28), office hours. */
static int64_t time_in(ctx_t *c, zs_month_t m, int lo, int hi)
{
    /* One draw per statement: argument order is unspecified in C. */
    int day = rng_int(&c->rng, lo, hi);
    int hour = rng_int(&c->rng, 8, 18);
    int minute = rng_int(&c->rng, 0, 59);
    int second = rng_int(&c->rng, 0, 59);
    return sim_time_make(zs_month_year(m), zs_month_month(m), day, hour, minute, second);
}

/* ---- region: counties, townships, villages ---- */

static const char *const syl1[] = {"那", "板", "六", "百", "都", "古", "大", "小", "新", "平",
                                   "长", "上", "下", "东", "西", "南", "北", "龙", "凤", "金",
                                   "石", "江", "良", "乐", "富", "民", "清", "思", "黎", "云",
                                   "旺", "宝", "荣", "华", "吉", "庆", "定", "恩", "沙", "罗",
                                   "马", "三", "五", "安", "永", "太", "高", "合", "桐", "榕"};
static const char *const syl2[] = {"岭", "坡", "塘", "桥", "田", "林", "江", "河", "山", "头",
                                   "口", "洞", "垌", "圩", "寨", "坪", "湾", "陂", "冲", "岩",
                                   "安", "平", "和", "兴", "宁", "福", "富", "华", "明", "阳",
                                   "源", "浪", "马", "排", "良", "化", "隆", "里", "峰", "水"};
#define NSYL1 (sizeof(syl1) / sizeof(syl1[0]))
#define NSYL2 (sizeof(syl2) / sizeof(syl2[0]))

static uint64_t name_hash(const char *code, uint64_t a, uint64_t b)
{
    uint64_t x = 0;
    for (const char *p = code; *p; p++)
        x = x * 31 + (uint64_t)(unsigned char)*p;
    x ^= a * UINT64_C(0x9e3779b97f4a7c15) + b;
    return splitmix64(&x);
}

/* Township t of a county and village v of it: stable names, whatever the
 * seed, so the same place has the same name in every run. */
static void place_names(sim_household_t *hh, rng_t *r)
{
    const char *code = hh->county_code;
    int townships = 8 + (int)(name_hash(code, 0, 0) % 12);
    int t = rng_int(r, 0, townships - 1);
    uint64_t h = name_hash(code, (uint64_t)t + 1, 0);
    snprintf(hh->township, sizeof(hh->township), "%s%s%s", syl1[h % NSYL1], syl2[(h >> 16) % NSYL2],
             (h >> 40) % 4 == 0 ? "乡" : "镇");
    int villages = 6 + (int)(name_hash(code, (uint64_t)t + 1, 1) % 10);
    int v = rng_int(r, 0, villages - 1);
    h = name_hash(code, (uint64_t)t + 1, (uint64_t)v + 2);
    snprintf(hh->village, sizeof(hh->village), "%s%s村", syl1[h % NSYL1], syl2[(h >> 16) % NSYL2]);
}

static void pick_county(ctx_t *c)
{
    sim_gen_t *g = c->g;
    double u = rng_unit(&c->rng) * g->county_cum[g->ncounties - 1];
    size_t lo = 0, hi = g->ncounties - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->county_cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(c->hh->county_code, sizeof(c->hh->county_code), "%s",
             zs_county_at(g->counties, lo)->code);
}

/* ---- members ---- */

char sim_idno_check_char(const char *body17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (body17[i] - '0') * weights[i];
    return map[sum % 11];
}

/* A valid resident ID: the county's code, the birth date, a sequence whose
 * last digit is odd for men and even for women, the check character. */
static void make_idno(ctx_t *c, sim_member_t *m)
{
    int seq = rng_int(&c->rng, 0, 99) * 10;
    seq += rng_int(&c->rng, 0, 4) * 2 + (m->sex == 'M');
    char *p = m->id_number;
    memcpy(p, c->hh->county_code, 6);
    digits(p + 6, (unsigned long)m->birth_year, 4);
    digits(p + 10, (unsigned long)rng_int(&c->rng, 1, 12), 2);
    digits(p + 12, (unsigned long)rng_int(&c->rng, 1, 28), 2);
    digits(p + 14, (unsigned long)seq, 3);
    m->id_number[17] = sim_idno_check_char(m->id_number);
    m->id_number[18] = '\0';
}

/* Labour class, disability and school from age, as registries record them. */
static void assign_traits(ctx_t *c, sim_member_t *m)
{
    rng_t *r = &c->rng;
    int age = c->ref_year - m->birth_year;
    m->in_school = (age >= 6 && age <= 15) || (age >= 16 && age <= 18 && rng_chance(r, 0.8)) ||
                   (age >= 19 && age <= 22 && rng_chance(r, 0.35));
    m->disability = age >= 3 && rng_chance(r, 0.012 + 0.0005 * age) ? rng_int(r, 1, 4) : 0;
    double u = rng_unit(r);
    if (age < 16 || m->in_school)
        m->labor = SIM_NONE;
    else if (m->disability >= 1 && m->disability <= 2)
        m->labor = SIM_LOST;
    else if (m->disability >= 3)
        m->labor = SIM_WEAK;
    else if (age <= 59)
        m->labor = u < 0.18   ? SIM_SKILLED
                   : u < 0.88 ? SIM_ORDINARY
                   : u < 0.96 ? SIM_WEAK
                              : SIM_LOST;
    else if (age <= 69)
        m->labor = u < 0.25 ? SIM_ORDINARY : u < 0.75 ? SIM_WEAK : SIM_LOST;
    else
        m->labor = u < 0.25 ? SIM_WEAK : u < 0.70 ? SIM_LOST : SIM_NONE;
    m->active = m->relation == SIM_HEAD || !rng_chance(r, 0.03);
    if (rng_chance(r, 0.7))
        make_idno(c, m);
}

/* Adds a member of that age, a man with probability p_male (drawn here, after
 * the caller's draws: C leaves the order of argument evaluation open). */
static zs_err_t add_member(ctx_t *c, sim_relation_t rel, int age, double p_male)
{
    size_t n;
    sim_members(c->hh, &n);
    if (n >= MAX_MEMBERS)
        return ZS_OK;
    sim_member_t m = {.relation = rel, .birth_year = c->ref_year - age};
    m.sex = rng_chance(&c->rng, p_male) ? 'M' : 'F';
    make_id(m.person_id, c->hh->household_id, 'P', (unsigned)n + 1);
    assign_traits(c, &m);
    return sim_household_add_member(c->hh, &m);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* A household of 1-6 (rural Guangxi sizes): head, spouse, children, and
 * parents or grandchildren as ages allow. */
static zs_err_t random_members(ctx_t *c, int size)
{
    rng_t *r = &c->rng;
    int head_age = clampi((int)lround(50 + 13 * rng_normal(r)), 22, 85);
    zs_err_t err = add_member(c, SIM_HEAD, head_age, 0.85);
    size_t n;
    double spouse_male = sim_members(c->hh, &n)[0].sex == 'M' ? 0 : 1;
    int count = 1;
    if (err == ZS_OK && size >= 2 && rng_chance(r, 0.85)) {
        err = add_member(c, SIM_SPOUSE, clampi(head_age + rng_int(r, -6, 3), 20, 90), spouse_male);
        count++;
    }
    if (err == ZS_OK && count < size && head_age >= 56 && rng_chance(r, 0.6)) {
        err = add_member(c, SIM_CHILD, clampi(head_age - rng_int(r, 24, 32), 18, 60), 0.5);
        count++;
        for (int k = 0; err == ZS_OK && k < 2 && count < size; k++, count++)
            err = add_member(c, SIM_GRANDCHILD, rng_int(r, 0, 14), 0.5);
    } else if (err == ZS_OK && count < size && head_age <= 52 && rng_chance(r, 0.35)) {
        err = add_member(c, SIM_PARENT, clampi(head_age + rng_int(r, 22, 32), 45, 92), 0.4);
        count++;
    }
    for (; err == ZS_OK && count < size; count++)
        err = add_member(c, SIM_CHILD, clampi(head_age - rng_int(r, 20, 38), 0, 60), 0.5);
    return err;
}

/* Sets member i's facts for a case (keeps its id). */
static void set_member(ctx_t *c, size_t i, int age, sim_labor_t labor, int disability, bool active)
{
    size_t n;
    sim_member_t *m = sim_members(c->hh, &n);
    if (i >= n)
        return;
    m[i].birth_year = c->ref_year - age;
    m[i].labor = labor;
    m[i].disability = disability;
    m[i].in_school = age >= 6 && age <= 15;
    m[i].active = active;
    if (m[i].id_number[0] != '\0')
        make_idno(c, &m[i]);
}

static int draw_size(rng_t *r)
{
    static const double cum[6] = {0.08, 0.25, 0.45, 0.70, 0.88, 1.0};
    double u = rng_unit(r);
    int s = 0;
    while (s < 5 && u >= cum[s])
        s++;
    return s + 1;
}

/* The members, shaped where the case needs a certain household. */
static zs_err_t members(ctx_t *c)
{
    rng_t *r = &c->rng;
    int size = draw_size(r);
    switch (c->kase) {
    case SIM_CASE_LARGE_EXPENSE_SHARE:
        size = rng_int(r, 1, 3);
        break;
    case SIM_CASE_BOUNDARY_EXPENSE:
        size = c->variant == 0 ? rng_int(r, 3, 6) : rng_int(r, 1, 3);
        break;
    case SIM_CASE_MIGRANT_WITHOUT_LABOR:
        size = rng_int(r, 2, 6);
        break;
    case SIM_CASE_WEAK_LABOR:
        size = c->variant == 0 ? 2 : 5;
        break;
    case SIM_CASE_BOUNDARY_LABOUR:
        size = 5;
        break;
    default:
        break;
    }
    zs_err_t err = random_members(c, size);
    if (err != ZS_OK)
        return err;
    size_t n;
    sim_members(c->hh, &n);
    c->focus = 0;
    switch (c->kase) {
    case SIM_CASE_NO_WORK:
    case SIM_CASE_SHORT_WORK:
    case SIM_CASE_BOUNDARY_MIGRANT:
        set_member(c, 0, rng_int(r, 25, 45), SIM_ORDINARY, 0, true);
        break;
    case SIM_CASE_NOT_ENROLLED_PENSION:
        set_member(c, 0, c->variant == 0 ? 60 : rng_int(r, 62, 78), SIM_WEAK, 0, true);
        break;
    case SIM_CASE_NOT_ENROLLED_DISABILITY: {
        int grade = rng_int(r, 1, 4);
        set_member(c, 0, rng_int(r, 30, 48), grade <= 2 ? SIM_LOST : SIM_WEAK, grade, true);
        break;
    }
    case SIM_CASE_MIGRANT_WITHOUT_LABOR:
        c->focus = 1;
        {
            sim_labor_t labor = rng_chance(r, 0.5) ? SIM_LOST : SIM_NONE;
            set_member(c, 1, rng_int(r, 25, 45), labor, 0, true);
        }
        break;
    case SIM_CASE_WEAK_LABOR:
    case SIM_CASE_BOUNDARY_LABOUR:
        /* Variant 0: an old couple, no labour. Otherwise one worker, a
         * spouse who lost the ability to work, children; the boundary case
         * adds an inactive member, who must not count. */
        if (c->kase == SIM_CASE_WEAK_LABOR && c->variant == 0) {
            set_member(c, 0, rng_int(r, 70, 80), SIM_WEAK, 0, true);
            set_member(c, 1, rng_int(r, 68, 78), SIM_LOST, 0, true);
            break;
        }
        set_member(c, 0, rng_int(r, 35, 50), SIM_ORDINARY, 0, true);
        set_member(c, 1, rng_int(r, 33, 48), SIM_LOST, 2, true);
        for (size_t i = 2; i < n; i++)
            set_member(c, i, rng_int(r, 3, 14), SIM_NONE, 0, true);
        if (c->kase == SIM_CASE_BOUNDARY_LABOUR)
            set_member(c, n - 1, rng_int(r, 80, 90), SIM_NONE, 0, false);
        break;
    case SIM_CASE_BOUNDARY_AGE:
        set_member(c, 0, 59 - (zs_quarter_year(c->to) - c->ref_year), SIM_ORDINARY, 0, true);
        break;
    default:
        break;
    }
    const sim_member_t *m = sim_members(c->hh, &n);
    c->nact = 0;
    for (size_t i = 0; i < n; i++)
        c->nact += m[i].active;
    return ZS_OK;
}

/* ---- work ---- */

static sim_status_t local_job(rng_t *r)
{
    double u = rng_unit(r);
    return u < 0.50   ? SIM_LOCAL
           : u < 0.65 ? SIM_WORKSHOP
           : u < 0.90 ? SIM_SELF_EMPLOYED
                      : SIM_PUBLIC_WELFARE_JOB;
}

/* The usual status of member m: migrants about 40% of workers. */
static int base_status(ctx_t *c, const sim_member_t *m)
{
    rng_t *r = &c->rng;
    int age = c->ref_year - m->birth_year;
    if (!m->active || age < 16 || age > 64 || m->in_school)
        return NO_STATUS;
    double u = rng_unit(r);
    switch (m->labor) {
    case SIM_SKILLED:
    case SIM_ORDINARY:
        if (u < 0.40)
            return rng_chance(r, 0.65) ? SIM_MIGRANT_OUT_PROVINCE : SIM_MIGRANT_IN_PROVINCE;
        if (u < 0.85)
            return local_job(r);
        return u < 0.97 ? SIM_NOT_IN_LABOR_FORCE : SIM_UNEMPLOYED;
    case SIM_WEAK:
        return u < 0.35   ? SIM_PUBLIC_WELFARE_JOB
               : u < 0.50 ? SIM_WORKSHOP
               : u < 0.60 ? SIM_LOCAL
                          : SIM_NOT_IN_LABOR_FORCE;
    default:
        return SIM_NOT_IN_LABOR_FORCE;
    }
}

static bool earns_wage(int s)
{
    return s != NO_STATUS && s != SIM_SELF_EMPLOYED && sim_status_employed((sim_status_t)s);
}

/* Month by month: spells out of work, migrants coming home, locals leaving. */
static void work(ctx_t *c)
{
    rng_t *r = &c->rng;
    size_t n;
    const sim_member_t *m = sim_members(c->hh, &n);
    memset(c->st, NO_STATUS, sizeof(c->st));
    for (size_t i = 0; i < n; i++) {
        c->base[i] = (int8_t)base_status(c, &m[i]);
        if (c->kase == SIM_CASE_NO_WORK && i == 0)
            c->base[i] = SIM_LOCAL;
        if ((c->kase == SIM_CASE_SHORT_WORK || c->kase == SIM_CASE_BOUNDARY_MIGRANT) && i == 0)
            c->base[i] = SIM_MIGRANT_OUT_PROVINCE;
        if (c->base[i] == NO_STATUS && c->kase == SIM_CASE_MIGRANT_WITHOUT_LABOR &&
            (int)i == c->focus)
            c->base[i] = SIM_NOT_IN_LABOR_FORCE;
        if (c->base[i] == NO_STATUS)
            continue;
        int cur = c->base[i], spell = 0;
        for (zs_month_t mo = c->emp_lo; mo <= c->span_hi; mo++) {
            int s = cur;
            if (!c->quiet) {
                if (spell > 0) {
                    spell--;
                    s = SIM_UNEMPLOYED;
                } else if (earns_wage(cur) && rng_chance(r, 0.006)) {
                    spell = rng_int(r, 0, 4);
                    s = SIM_UNEMPLOYED;
                }
                if (sim_status_migrant((sim_status_t)cur) && rng_chance(r, 0.003))
                    cur = SIM_LOCAL;
                else if ((cur == SIM_LOCAL || cur == SIM_WORKSHOP) &&
                         (m[i].labor == SIM_SKILLED || m[i].labor == SIM_ORDINARY) &&
                         rng_chance(r, 0.002))
                    cur = SIM_MIGRANT_OUT_PROVINCE;
                else if (cur == SIM_UNEMPLOYED && rng_chance(r, 0.08))
                    cur = SIM_LOCAL;
            }
            c->st[i][mi(c, mo)] = (int8_t)s;
        }
    }
    /* The cases about work. */
    zs_month_t first = zs_quarter_first_month(c->case_q);
    zs_month_t jan = first - (zs_month_month(first) - 1);
    switch (c->kase) {
    case SIM_CASE_NO_WORK:
        for (zs_month_t mo = first; mo < first + 3; mo++)
            c->st[0][mi(c, mo)] = SIM_UNEMPLOYED;
        break;
    case SIM_CASE_SHORT_WORK:
        /* Two months away in the year, then home for good. */
        for (zs_month_t mo = jan; mo <= c->span_hi; mo++)
            c->st[0][mi(c, mo)] = mo < jan + 2 ? SIM_MIGRANT_OUT_PROVINCE : SIM_LOCAL;
        break;
    case SIM_CASE_BOUNDARY_MIGRANT:
        /* Away January-March and October-December: exactly 6 reachable. */
        for (zs_month_t mo = jan; mo < jan + 12 && mo <= c->span_hi; mo++)
            c->st[0][mi(c, mo)] =
                mo < jan + 3 || mo >= jan + 9 ? SIM_MIGRANT_IN_PROVINCE : SIM_LOCAL;
        break;
    case SIM_CASE_MIGRANT_WITHOUT_LABOR: {
        zs_month_t mo = c->span_lo + rng_int(r, 0, (int)(c->span_hi - c->span_lo));
        c->case_m = mo;
        c->st[c->focus][mi(c, mo)] = SIM_MIGRANT_IN_PROVINCE;
        if (mo < c->span_hi)
            c->st[c->focus][mi(c, mo + 1)] = SIM_MIGRANT_IN_PROVINCE;
        break;
    }
    default:
        break;
    }
}

static zs_err_t emit_jobs(ctx_t *c)
{
    size_t n;
    sim_members(c->hh, &n);
    zs_err_t err = ZS_OK;
    for (zs_month_t mo = c->emp_lo; mo <= c->span_hi && err == ZS_OK; mo++)
        for (size_t i = 0; i < n && err == ZS_OK; i++) {
            int s = c->st[i][mi(c, mo)];
            if (s == NO_STATUS)
                continue;
            sim_job_t j = {.member = (int)i,
                           .month = mo,
                           .status = (sim_status_t)s,
                           .wants_work = s != SIM_NOT_IN_LABOR_FORCE,
                           .reported_ms = time_in(c, mo + 1, 1, 20)};
            make_id(j.event_id, c->hh->household_id, 'E', ++c->seq_e);
            err = sim_household_add_job(c->hh, &j);
        }
    return err;
}

/* ---- income ---- */

/* Regional growth of per-capita net income of people lifted out of
 * poverty: 12,550 yuan in 2021, 14,342 in 2022 (+14.3%), then 8-10% a year. */
static double regional_growth(int year)
{
    return year <= 2021   ? 0.12
           : year == 2022 ? 0.143
           : year == 2023 ? 0.09
           : year == 2024 ? 0.085
                          : 0.08;
}

static double growth_of(const ctx_t *c, int year)
{
    int i = year - FIRST_YEAR;
    return c->growth[i < 0 ? 0 : i >= NYEARS ? NYEARS - 1 : i];
}

static void growth_rates(ctx_t *c)
{
    const sim_rules_t *rules = &c->g->rules;
    for (int i = 0; i < NYEARS; i++) {
        int year = FIRST_YEAR + i;
        if (c->flat_growth)
            c->growth[i] = c->flat_rate;
        else if (c->quiet) /* comfortably above the slow-growth threshold */
            c->growth[i] = (double)sim_rules_slow_growth_bp(rules, year) / 10000.0 + 0.02;
        else
            c->growth[i] = regional_growth(year) + 0.05 * rng_normal(&c->rng);
    }
}

/* Household net income per month (yuan) before it is split into components:
 * per-capita level x active members x the case's multiplier. */
static void monthly_totals(ctx_t *c)
{
    const zs_month_t anchor = 2021 * 12 + 5; /* June 2021: the 2021 level's middle */
    double cum = 0;
    for (zs_month_t m = anchor; m < c->inc_lo; m++)
        cum += log1p(growth_of(c, zs_month_year(m + 1))) / 12.0;
    for (zs_month_t m = anchor; m > c->inc_lo; m--)
        cum -= log1p(growth_of(c, zs_month_year(m))) / 12.0;
    for (int i = 0; i < c->nmonths; i++) {
        if (i > 0)
            cum += log1p(growth_of(c, zs_month_year(c->inc_lo + i))) / 12.0;
        c->tot[i] = c->pc2021 / 12.0 * exp(cum) * c->nact * c->mult[i];
    }
    if (c->target_pc > 0) {
        /* Scale to the per-capita T12M wanted at the span's first quarter. */
        zs_month_t first, last;
        zs_quarter_t12m(c->from, &first, &last);
        double sum = 0;
        for (zs_month_t m = first; m <= last; m++)
            sum += c->tot[mi(c, m)];
        double k = c->target_pc * c->nact / sum;
        for (int i = 0; i < c->nmonths; i++)
            c->tot[i] *= k;
    }
}

static zs_err_t add_income(ctx_t *c, zs_month_t m, sim_component_t comp, const char *source,
                           double yuan)
{
    int64_t fen = to_fen(yuan);
    if (fen <= 0 && comp != SIM_TRANSFER)
        return ZS_OK;
    sim_income_t x = {.month = m,
                      .component = comp,
                      .source = source,
                      .fen = fen,
                      .reported_ms = time_in(c, m + 1, 3, 25)};
    make_id(x.event_id, c->hh->household_id, 'I', ++c->seq_i);
    return sim_household_add_income(c->hh, &x);
}

/* Shares of net income: wages about 70%, transfers 20%, net operating 8%,
 * property 2% where someone earns a wage; otherwise transfers and farming. */
static void shares(ctx_t *c, int wage_earners, bool self_employed)
{
    rng_t *r = &c->rng;
    if (wage_earners > 0) {
        c->s_w = 0.78, c->s_t = 0.15, c->s_o = 0.05, c->s_p = 0.02;
    } else {
        c->s_w = 0, c->s_t = 0.68, c->s_o = 0.26, c->s_p = 0.06;
    }
    if (self_employed)
        c->s_o += 0.05;
    if (!c->quiet) {
        c->s_w *= 0.7 + 0.6 * rng_unit(r);
        c->s_t *= 0.7 + 0.6 * rng_unit(r);
        c->s_o *= 0.5 + 1.0 * rng_unit(r);
        c->s_p *= 0.5 + 1.0 * rng_unit(r);
    }
    double sum = c->s_w + c->s_t + c->s_o + c->s_p;
    c->s_w /= sum, c->s_t /= sum, c->s_o /= sum, c->s_p /= sum;
}

static zs_err_t income(ctx_t *c)
{
    static const double season_gross[12] = {0.55, 0.5,  0.7,  0.8, 0.95, 1.1,
                                            1.2,  1.25, 1.35, 1.4, 1.2,  1.0};
    static const double season_expense[12] = {1.3, 1.4, 1.5, 1.3, 1.1, 0.9,
                                              0.8, 0.7, 0.7, 0.7, 0.8, 0.8};
    rng_t *r = &c->rng;
    size_t n;
    sim_members(c->hh, &n);
    int earners = 0;
    bool self_employed = false;
    for (size_t i = 0; i < n; i++) {
        earners += earns_wage(c->base[i]);
        self_employed |= c->base[i] == SIM_SELF_EMPLOYED;
    }
    shares(c, earners, self_employed);
    monthly_totals(c);
    zs_err_t err = ZS_OK;
    double noise = c->quiet ? 0 : 0.08;
    for (zs_month_t m = c->inc_lo; m <= c->span_hi && err == ZS_OK; m++) {
        int i = mi(c, m), mon = zs_month_month(m) - 1;
        double tot = c->tot[i];
        double wfac = 1;
        if (m >= c->emp_lo && earners > 0) {
            int working = 0;
            for (size_t k = 0; k < n; k++)
                working += earns_wage(c->base[k]) && earns_wage(c->st[k][i]);
            wfac = (double)working / earners;
        }
        double e[SIM_COMPONENT__COUNT];
        e[SIM_WAGE] = tot * c->s_w * wfac;
        e[SIM_OPERATING] = tot * c->s_o * 2.5 * season_gross[mon];
        e[SIM_EXPENSE] = tot * c->s_o * 1.5 * season_expense[mon] + tot * c->boost[i];
        e[SIM_TRANSFER] = fmax(tot * c->s_t, 15.0 * c->nact);
        e[SIM_PROPERTY] = (mon + 1) % 3 == 0 ? tot * c->s_p * 3 : 0;
        for (int k = 0; k < SIM_COMPONENT__COUNT; k++)
            e[k] *= 1 + noise * (2 * rng_unit(r) - 1);
        if (c->skip_q != 0 && zs_month_quarter(m) == c->skip_q)
            continue;
        if (c->two_wage_sources) {
            err = add_income(c, m, SIM_WAGE, "hrss", e[SIM_WAGE] * 0.7);
            if (err == ZS_OK)
                err = add_income(c, m, SIM_WAGE, "survey", e[SIM_WAGE] * 0.3);
        } else {
            err = add_income(c, m, SIM_WAGE, "hrss", e[SIM_WAGE]);
        }
        if (err == ZS_OK)
            err = add_income(c, m, SIM_OPERATING, "agri", e[SIM_OPERATING]);
        if (err == ZS_OK)
            err = add_income(c, m, SIM_EXPENSE, "agri", e[SIM_EXPENSE]);
        if (err == ZS_OK)
            err = add_income(c, m, SIM_TRANSFER, "civil", e[SIM_TRANSFER]);
        if (err == ZS_OK)
            err = add_income(c, m, SIM_PROPERTY, "finance", e[SIM_PROPERTY]);
    }
    return err;
}

/* ---- subsidies and hardship ---- */

static zs_err_t add_subsidy(ctx_t *c, int member, sim_program_t p, zs_month_t m, int64_t fen)
{
    sim_subsidy_t d = {.member = member,
                       .program = p,
                       .paid = false,
                       .month = m,
                       .fen = fen,
                       .reported_ms = time_in(c, m, 1, 3)};
    make_id(d.event_id, c->hh->household_id, 'S', ++c->seq_s);
    zs_err_t err = sim_household_add_subsidy(c->hh, &d);
    if (err != ZS_OK)
        return err;
    /* Paid in the month, in full: on time by default. */
    d.paid = true;
    d.reported_ms = time_in(c, m, 8, 25);
    make_id(d.event_id, c->hh->household_id, 'S', ++c->seq_s);
    return sim_household_add_subsidy(c->hh, &d);
}

/* Every entitlement of the span, DUE and PAID: pensions (60+), disability
 * subsidies, Yulu for students, household DIBAO and the farmland subsidy. */
static zs_err_t subsidies(ctx_t *c)
{
    rng_t *r = &c->rng;
    size_t n;
    const sim_member_t *mem = sim_members(c->hh, &n);
    int64_t pension[MAX_MEMBERS];
    for (size_t i = 0; i < n; i++)
        pension[i] = rng_int(r, 300, 520) * 50;
    int64_t dibao = (int64_t)c->nact * rng_int(r, 25, 40) * 1000;
    int64_t farmland = rng_int(r, 8, 60) * 1000;
    zs_err_t err = ZS_OK;
    for (zs_month_t m = c->span_lo; m <= c->span_hi && err == ZS_OK; m++) {
        int year = zs_month_year(m), mon = zs_month_month(m);
        for (size_t i = 0; i < n && err == ZS_OK; i++) {
            if (!mem[i].active)
                continue;
            int age = year - mem[i].birth_year;
            if (age >= 60)
                err = add_subsidy(c, (int)i, SIM_PENSION, m, pension[i]);
            if (err == ZS_OK && mem[i].disability >= 1)
                err = add_subsidy(c, (int)i, SIM_DISABILITY, m,
                                  mem[i].disability <= 2 ? 16000 : 8000);
            if (err == ZS_OK && mem[i].in_school && c->ref_year - mem[i].birth_year >= 16 &&
                (mon == 3 || mon == 9))
                err = add_subsidy(c, (int)i, SIM_YULU, m, 150000);
        }
        if (err == ZS_OK && c->dibao)
            err = add_subsidy(c, -1, SIM_DIBAO, m, dibao);
        if (err == ZS_OK && c->farmland && mon == 5)
            err = add_subsidy(c, -1, SIM_FARMLAND, m, farmland);
    }
    return err;
}

static zs_err_t add_cost(ctx_t *c, zs_month_t m, sim_cost_kind_t kind, int64_t fen)
{
    sim_cost_t x = {.month = m, .kind = kind, .fen = fen, .reported_ms = time_in(c, m, 1, 28)};
    make_id(x.event_id, c->hh->household_id, 'H', ++c->seq_h);
    return sim_household_add_cost(c->hh, &x);
}

/* About 7% of households a year have an out-of-pocket hardship cost,
 * log-normal around 2,500 yuan. */
static zs_err_t costs(ctx_t *c)
{
    rng_t *r = &c->rng;
    zs_err_t err = ZS_OK;
    for (zs_month_t m = c->span_lo; m <= c->span_hi && err == ZS_OK && !c->quiet; m++) {
        if (!rng_chance(r, 0.006))
            continue;
        double u = rng_unit(r);
        sim_cost_kind_t kind = u < 0.6    ? SIM_MEDICAL
                               : u < 0.75 ? SIM_EDUCATION
                               : u < 0.85 ? SIM_DISASTER
                               : u < 0.95 ? SIM_ACCIDENT
                                          : SIM_OTHER_COST;
        double yuan = fmin(fmax(exp(log(2500.0) + rng_normal(r)), 100.0), 300000.0);
        err = add_cost(c, m, kind, to_fen(yuan));
    }
    return err;
}

/* ---- injected cases ---- */

/* Net income of the household's statements over months first..last (the
 * generator writes one statement per identity unless a case adds more). */
static int64_t hh_net(const sim_household_t *hh, zs_month_t first, zs_month_t last)
{
    size_t n;
    const sim_income_t *x = sim_incomes(hh, &n);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i].month >= first && x[i].month <= last)
            sum += x[i].component == SIM_EXPENSE ? -x[i].fen : x[i].fen;
    return sum;
}

static int64_t hh_t12m(const sim_household_t *hh, zs_quarter_t q)
{
    zs_month_t first, last;
    zs_quarter_t12m(q, &first, &last);
    return hh_net(hh, first, last);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Makes the household's T12M of q exactly target fen by changing its largest
 * income statement of q's last month; false if that cannot stay >= 0. */
static bool set_t12m(ctx_t *c, zs_quarter_t q, int64_t target)
{
    size_t n;
    sim_income_t *x = sim_incomes(c->hh, &n);
    zs_month_t last = zs_quarter_last_month(q);
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (x[i].month == last && x[i].component != SIM_EXPENSE &&
            (best == n || x[i].fen > x[best].fen))
            best = i;
    if (best == n)
        return false;
    int64_t fen = x[best].fen + target - hh_t12m(c->hh, q);
    if (fen < 0)
        return false;
    x[best].fen = fen;
    return true;
}

static void expect(ctx_t *c, sim_expect_t kind, int what, const char *subject, zs_month_t period,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Records the case's promise; detail starts with a machine-readable part:
 * "expect RULE SUBJECT YYYY-MM:", "absent RULE SUBJECT:", "finding NAME
 * YYYY-MM:" or "reject FILE EVENT_ID:", then what was done. */
static void expect(ctx_t *c, sim_expect_t kind, int what, const char *subject, zs_month_t period,
                   const char *fmt, ...)
{
    sim_injection_t *inj = c->inj;
    inj->expect = kind;
    inj->period = period;
    snprintf(inj->subject, sizeof(inj->subject), "%s", subject ? subject : "-");
    char month[ZS_PERIOD_STR_SIZE] = "";
    if (period >= 0)
        month_text(period, month);
    int off = 0;
    switch (kind) {
    case SIM_EXPECT_OPEN:
        inj->rule = (sim_rule_t)what;
        off = snprintf(inj->detail, sizeof(inj->detail), "expect %s %s %s: ", sim_rule_name(what),
                       inj->subject, month);
        break;
    case SIM_EXPECT_ABSENT:
        inj->rule = (sim_rule_t)what;
        off = snprintf(inj->detail, sizeof(inj->detail), "absent %s %s: ", sim_rule_name(what),
                       inj->subject);
        break;
    case SIM_EXPECT_FINDING:
        inj->finding = (sim_finding_t)what;
        off = snprintf(inj->detail, sizeof(inj->detail), "finding %s %s: ", sim_finding_name(what),
                       month);
        break;
    case SIM_EXPECT_REJECT:
        inj->file = (sim_file_t)what;
        off = snprintf(inj->detail, sizeof(inj->detail), "reject %s %s: ", subject, inj->event_id);
        break;
    }
    if (off < 0 || (size_t)off >= sizeof(inj->detail))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inj->detail + off, sizeof(inj->detail) - (size_t)off, fmt, ap);
    va_end(ap);
}

static const sim_member_t *member_at(const ctx_t *c, int i)
{
    size_t n;
    const sim_member_t *m = sim_members(c->hh, &n);
    return i >= 0 && (size_t)i < n ? &m[i] : NULL;
}

/* A DUE of the span whose deadline passes within the span, at random; -1 if none. */
static long pick_due(ctx_t *c)
{
    size_t n, cand = 0;
    const sim_subsidy_t *s = sim_subsidies(c->hh, &n);
    for (size_t i = 0; i < n; i++)
        cand += !s[i].paid && s[i].month < c->span_hi;
    if (cand == 0)
        return -1;
    size_t k = (size_t)rng_int(&c->rng, 0, (int)cand - 1);
    for (size_t i = 0; i < n; i++)
        if (!s[i].paid && s[i].month < c->span_hi && k-- == 0)
            return (long)i;
    return -1;
}

static long paid_of(const ctx_t *c, const sim_subsidy_t *due)
{
    size_t n;
    const sim_subsidy_t *s = sim_subsidies(c->hh, &n);
    for (size_t i = 0; i < n; i++)
        if (s[i].paid && s[i].member == due->member && s[i].program == due->program &&
            s[i].month == due->month)
            return (long)i;
    return -1;
}

static void subsidy_subject(const ctx_t *c, const sim_subsidy_t *s, char *out, size_t size)
{
    const sim_member_t *m = member_at(c, s->member);
    snprintf(out, size, "%s/%s", m ? m->person_id : "-", sim_program_name(s->program));
}

/* Removes member's records of program from month from on; returns how many. */
static int drop_program(ctx_t *c, int member, sim_program_t p, zs_month_t from)
{
    size_t n;
    int dropped = 0;
    for (size_t i = 0;;) {
        const sim_subsidy_t *s = sim_subsidies(c->hh, &n);
        if (i >= n)
            break;
        if (s[i].member == member && s[i].program == p && s[i].month >= from) {
            sim_array_remove(&c->hh->subsidies, sizeof(sim_subsidy_t), i);
            dropped++;
        } else {
            i++;
        }
    }
    return dropped;
}

/* Inserts x at position i of an array. */
static zs_err_t insert_at(zs_buf_t *array, size_t elem, size_t i, const void *x)
{
    zs_err_t err = zs_buf_add(array, x, elem);
    if (err != ZS_OK)
        return err;
    size_t n = array->len / elem;
    memmove(array->data + (i + 1) * elem, array->data + i * elem, (n - 1 - i) * elem);
    memcpy(array->data + i * elem, x, elem);
    return ZS_OK;
}

static zs_month_t random_span_month(ctx_t *c)
{
    return c->span_lo + rng_int(&c->rng, 0, (int)(c->span_hi - c->span_lo));
}

/* A correction of an EXPENSE figure that, left standing, would make the
 * income fall: the wrong statement and its replacement. */
static zs_err_t correction(ctx_t *c, bool tie, bool *ok)
{
    zs_month_t m = random_span_month(c);
    size_t n;
    sim_income_t *x = sim_incomes(c->hh, &n);
    size_t at = n;
    for (size_t i = 0; i < n; i++)
        if (x[i].month == m && x[i].component == SIM_EXPENSE)
            at = i;
    int64_t right = 0, wrong = hh_net(c->hh, m - 11, m) * 6 / 10;
    if (wrong <= 0) {
        *ok = false;
        return ZS_OK;
    }
    sim_income_t orig = {.month = m,
                         .component = SIM_EXPENSE,
                         .source = "agri",
                         .reported_ms = time_in(c, m + 1, 3, 15)};
    zs_err_t err = ZS_OK;
    if (at == n) {
        make_id(orig.event_id, c->hh->household_id, 'I', ++c->seq_i);
        err = sim_household_add_income(c->hh, &orig);
        x = sim_incomes(c->hh, &n);
        at = n - 1;
    }
    if (err != ZS_OK)
        return err;
    right = x[at].fen;
    x[at].fen = wrong;
    sim_income_t fix = x[at];
    fix.fen = right;
    if (tie) {
        /* Same reported_at: the greater event_id stands. */
        size_t len = strlen(x[at].event_id);
        if (len + 1 >= sizeof(fix.event_id)) {
            *ok = false;
            return ZS_OK;
        }
        fix.event_id[len] = 'Z';
        fix.event_id[len + 1] = '\0';
    } else {
        make_id(fix.event_id, c->hh->household_id, 'I', ++c->seq_i);
        fix.reported_ms = x[at].reported_ms + 10 * 86400000LL;
    }
    memcpy(c->fix_id, fix.event_id, sizeof(c->fix_id));
    char wrong_text[32], right_text[32], month[ZS_PERIOD_STR_SIZE];
    fen_text(wrong, wrong_text, sizeof(wrong_text));
    fen_text(right, right_text, sizeof(right_text));
    month_text(m, month);
    bool before = tie || c->variant == 1;
    expect(c, SIM_EXPECT_ABSENT, SIM_INCOME_FALL, "-", -1,
           "EXPENSE agri %s: %s reported as %s, replaced by %s (%s%s), written %s it", month,
           x[at].event_id, wrong_text, right_text, fix.event_id,
           tie ? ", same reported_at, greater event_id" : ", reported 10 days later",
           before ? "before" : "after");
    return before ? insert_at(&c->hh->incomes, sizeof(fix), at, &fix)
                  : sim_household_add_income(c->hh, &fix);
}

static zs_err_t bad_row(ctx_t *c)
{
    sim_bad_row_t b = {0};
    make_id(b.event_id, c->hh->household_id, 'X', 1);
    zs_month_t m = random_span_month(c);
    char at[32];
    sim_time_format(time_in(c, m + 1, 3, 20), at);
    const char *hh = c->hh->household_id, *why = "";
    int y = zs_month_year(m), mo = zs_month_month(m);
    switch (rng_int(&c->rng, 0, 2)) {
    case 0:
        b.file = SIM_FILE_INCOME;
        snprintf(b.text, sizeof(b.text), "%s,%s,%d,%d,WAGE,1200.345,hrss,%s", b.event_id, hh, y, mo,
                 at);
        why = "amount_yuan 1200.345 has three decimals";
        break;
    case 1:
        b.file = SIM_FILE_SUBSIDY;
        snprintf(b.text, sizeof(b.text), "%s,%s,,FARMLAND,PAID,%d,%d,\"1,000\",agri,%s", b.event_id,
                 hh, y, mo, at);
        why = "amount_yuan \"1,000\" has a thousands separator";
        break;
    default:
        b.file = SIM_FILE_HARDSHIP;
        snprintf(b.text, sizeof(b.text), "%s,%s,%d,13,MEDICAL,300.00,health,%s", b.event_id, hh, y,
                 at);
        why = "month 13";
        break;
    }
    static const char *const files[] = {"households.csv", "members.csv", "income.csv",
                                        "employment.csv", "subsidy.csv", "hardship.csv"};
    snprintf(c->inj->event_id, sizeof(c->inj->event_id), "%s", b.event_id);
    expect(c, SIM_EXPECT_REJECT, b.file, files[b.file], -1, "%s", why);
    return sim_household_add_bad_row(c->hh, &b);
}

/* Applies a case to the generated household and states what the truth must
 * show; *ok false when this draw cannot carry the case (try another). */
static zs_err_t finish(ctx_t *c, bool *ok)
{
    const sim_rules_t *rules = &c->g->rules;
    zs_month_t q_last = zs_quarter_last_month(c->case_q);
    zs_month_t first_last = zs_quarter_last_month(c->from);
    char subject[SIM_SUBJECT_SIZE], month[ZS_PERIOD_STR_SIZE], a[32], b[32];
    const sim_member_t *focus = member_at(c, c->focus);
    int64_t n = c->nact;
    zs_err_t err = ZS_OK;
    *ok = true;
    month_text(zs_quarter_first_month(c->case_q), month);
    switch (c->kase) {
    case SIM_CASE_NONE:
        break;
    case SIM_CASE_INCOME_FALL:
        expect(c, SIM_EXPECT_OPEN, SIM_INCOME_FALL, "-", q_last,
               "every income component x0.4 from %s", month);
        break;
    case SIM_CASE_SLOW_GROWTH:
        if (c->variant == 0) {
            expect(c, SIM_EXPECT_OPEN, SIM_SLOW_GROWTH, "-", first_last,
                   "income grows 3%% a year throughout");
            break;
        }
        {
            /* One fen per capita below the least figure that meets the threshold. */
            zs_quarter_t q = c->to;
            int64_t thr = sim_rules_slow_growth_bp(rules, zs_quarter_year(q));
            int64_t p = floor_div(hh_t12m(c->hh, q - 4), n);
            int64_t target = p + (thr * p + 9999) / 10000 - 1;
            *ok = p > 0 && set_t12m(c, q, target * n);
            fen_text(target, a, sizeof(a));
            expect(c, SIM_EXPECT_OPEN, SIM_SLOW_GROWTH, "-", zs_quarter_last_month(q),
                   "per-capita T12M %s yuan: 1 fen below growth of %" PRId64 " bp", a, thr);
        }
        break;
    case SIM_CASE_LOW_INCOME:
        if (c->variant == 1)
            *ok = set_t12m(c, c->from, n * rules->low_income_fen - 1);
        fen_text(floor_div(hh_t12m(c->hh, c->from), n), a, sizeof(a));
        expect(c, SIM_EXPECT_OPEN, SIM_LOW_INCOME, "-", first_last,
               "per-capita T12M %s yuan at the first quarter", a);
        break;
    case SIM_CASE_POVERTY_RISK:
        fen_text(floor_div(hh_t12m(c->hh, c->from), n), a, sizeof(a));
        fen_text(sim_rules_monitoring_line(rules, zs_quarter_year(c->from)), b, sizeof(b));
        expect(c, SIM_EXPECT_OPEN, SIM_POVERTY_RISK, "-", first_last,
               "per-capita T12M %s yuan, monitoring line %s", a, b);
        break;
    case SIM_CASE_NO_WORK:
        expect(c, SIM_EXPECT_OPEN, SIM_NO_WORK, focus->person_id, q_last,
               "UNEMPLOYED, wants work, all of %s's quarter", month);
        break;
    case SIM_CASE_SHORT_WORK:
        expect(c, SIM_EXPECT_OPEN, SIM_SHORT_WORK, focus->person_id, q_last,
               "migrant January-February %d only, then LOCAL", zs_quarter_year(c->case_q));
        break;
    case SIM_CASE_WEAK_LABOR:
        expect(c, SIM_EXPECT_OPEN, SIM_WEAK_LABOR, "-", first_last, "%s",
               c->variant == 0 ? "old couple, no labour" : "1 labour in 5 active members");
        break;
    case SIM_CASE_LARGE_EXPENSE_FLOOR: {
        zs_month_t m = random_span_month(c);
        int64_t fen = c->variant == 0 ? rules->large_expense_fen
                                      : rng_int(&c->rng, 20000, 80000) * INT64_C(100);
        err = add_cost(c, m, SIM_MEDICAL, fen);
        bool second = m < c->span_hi && rng_chance(&c->rng, 0.5);
        if (err == ZS_OK && second)
            err = add_cost(c, m + rng_int(&c->rng, 1, (int)(c->span_hi - m)), SIM_ACCIDENT,
                           rules->large_expense_fen + 50000);
        fen_text(fen, a, sizeof(a));
        expect(c, SIM_EXPECT_OPEN, SIM_LARGE_EXPENSE, "-", m, "MEDICAL %s yuan%s", a,
               second ? "; a second large cost later updates the same episode" : "");
        break;
    }
    case SIM_CASE_LARGE_EXPENSE_SHARE:
    case SIM_CASE_BOUNDARY_EXPENSE: {
        zs_month_t m = random_span_month(c);
        int64_t net = hh_net(c->hh, m - 11, m);
        int64_t half = (net * rules->large_expense_share_bp + 9999) / 10000;
        int64_t fen;
        if (c->kase == SIM_CASE_LARGE_EXPENSE_SHARE)
            fen = half;
        else if (c->variant == 0)
            fen = rules->large_expense_fen - 1;
        else
            fen = half - 1;
        *ok = net > 0 && fen > 0 && fen < rules->large_expense_fen &&
              (c->kase != SIM_CASE_BOUNDARY_EXPENSE || fen < half);
        if (*ok)
            err = add_cost(c, m, SIM_MEDICAL, fen);
        fen_text(fen, a, sizeof(a));
        fen_text(net, b, sizeof(b));
        if (c->kase == SIM_CASE_LARGE_EXPENSE_SHARE)
            expect(c, SIM_EXPECT_OPEN, SIM_LARGE_EXPENSE, "-", m,
                   "MEDICAL %s yuan, exactly 50%% (rounded up) of 12-month net %s", a, b);
        else
            expect(c, SIM_EXPECT_ABSENT, SIM_LARGE_EXPENSE, "-", -1,
                   "MEDICAL %s yuan: %s, 12-month net %s", a,
                   c->variant == 0 ? "1 fen under the floor" : "1 fen under 50%", b);
        break;
    }
    case SIM_CASE_SUBSIDY_MISSING:
    case SIM_CASE_SUBSIDY_SHORT:
    case SIM_CASE_SUBSIDY_DUPLICATE:
    case SIM_CASE_DUPLICATE_EVENT: {
        size_t ns;
        long d = pick_due(c), p = -1;
        sim_subsidy_t *s = sim_subsidies(c->hh, &ns);
        if (d >= 0)
            p = paid_of(c, &s[d]);
        if (p < 0) {
            *ok = false;
            break;
        }
        sim_subsidy_t due = s[d], paid = s[p];
        char first_id[SIM_ID_SIZE];
        memcpy(first_id, paid.event_id, sizeof(first_id));
        subsidy_subject(c, &due, subject, sizeof(subject));
        month_text(due.month, month);
        if (c->kase == SIM_CASE_SUBSIDY_MISSING) {
            sim_array_remove(&c->hh->subsidies, sizeof(sim_subsidy_t), (size_t)p);
            expect(c, SIM_EXPECT_OPEN, SIM_SUBSIDY_MISSING, subject, due.month,
                   "%s of %s never paid", sim_program_name(due.program), month);
        } else if (c->kase == SIM_CASE_SUBSIDY_SHORT) {
            s[p].fen = due.fen * 6 / 10;
            fen_text(s[p].fen, a, sizeof(a));
            fen_text(due.fen, b, sizeof(b));
            expect(c, SIM_EXPECT_OPEN, SIM_SUBSIDY_SHORT, subject, due.month,
                   "%s of %s: paid %s of %s on time", sim_program_name(due.program), month, a, b);
        } else if (c->kase == SIM_CASE_SUBSIDY_DUPLICATE) {
            paid.reported_ms += 3 * 86400000LL;
            make_id(paid.event_id, c->hh->household_id, 'S', ++c->seq_s);
            err = insert_at(&c->hh->subsidies, sizeof(paid), (size_t)p + 1, &paid);
            expect(c, SIM_EXPECT_OPEN, SIM_SUBSIDY_DUPLICATE, subject, due.month,
                   "%s of %s paid twice (%s, %s)", sim_program_name(due.program), month, first_id,
                   paid.event_id);
        } else {
            /* The same payment pushed twice, an income figure and a hardship
             * cost too: one event each. */
            err = insert_at(&c->hh->subsidies, sizeof(paid), (size_t)p + 1, &paid);
            size_t ni;
            sim_income_t *x = sim_incomes(c->hh, &ni);
            sim_income_t again = x[rng_int(&c->rng, 0, (int)ni - 1)];
            if (err == ZS_OK)
                err = sim_household_add_income(c->hh, &again);
            if (err == ZS_OK)
                err = add_cost(c, due.month, SIM_OTHER_COST, 50000);
            size_t nc;
            sim_cost_t cost = sim_costs(c->hh, &nc)[nc - 1];
            if (err == ZS_OK)
                err = sim_household_add_cost(c->hh, &cost);
            expect(c, SIM_EXPECT_ABSENT, SIM_SUBSIDY_DUPLICATE, subject, -1,
                   "PAID %s written twice; also income %s and hardship %s", paid.event_id,
                   again.event_id, cost.event_id);
        }
        break;
    }
    case SIM_CASE_NOT_ENROLLED_PENSION:
    case SIM_CASE_NOT_ENROLLED_DISABILITY: {
        bool pension = c->kase == SIM_CASE_NOT_ENROLLED_PENSION;
        int dropped = drop_program(c, c->focus, pension ? SIM_PENSION : SIM_DISABILITY,
                                   zs_quarter_first_month(c->case_q));
        *ok = dropped > 0;
        expect(c, SIM_EXPECT_OPEN, SIM_NOT_ENROLLED, focus->person_id, q_last,
               "%s (age %d, disability %d): no %s from %s", focus->person_id,
               zs_quarter_year(c->case_q) - focus->birth_year, focus->disability,
               pension ? "PENSION" : "DISABILITY", month);
        break;
    }
    case SIM_CASE_INCOME_JUMP:
        expect(c, SIM_EXPECT_FINDING, SIM_INCOME_JUMP, NULL, q_last,
               "every income component x2.6 from January %d", zs_quarter_year(c->case_q));
        break;
    case SIM_CASE_NEGATIVE_NET_INCOME:
        month_text(q_last, b);
        expect(c, SIM_EXPECT_FINDING, SIM_NEGATIVE_NET_INCOME, NULL, q_last,
               "EXPENSE 1.6x the month's income for the 12 months ending %s", b);
        break;
    case SIM_CASE_MIGRANT_WITHOUT_LABOR:
        month_text(c->case_m, month);
        expect(c, SIM_EXPECT_FINDING, SIM_MIGRANT_WITHOUT_LABOR, NULL, c->case_m,
               "%s, labour %s, MIGRANT_IN_PROVINCE from %s", focus->person_id,
               sim_labor_name(focus->labor), month);
        break;
    case SIM_CASE_NO_INCOME_REPORTED:
        expect(c, SIM_EXPECT_FINDING, SIM_NO_INCOME_REPORTED, NULL, q_last,
               "no income statement in the quarter of %s", month);
        break;
    case SIM_CASE_CORRECTION:
    case SIM_CASE_CORRECTION_TIE:
        err = correction(c, c->kase == SIM_CASE_CORRECTION_TIE, ok);
        break;
    case SIM_CASE_BAD_ROW:
        err = bad_row(c);
        break;
    case SIM_CASE_BOUNDARY_LOW_INCOME:
        *ok = set_t12m(c, c->from, n * rules->low_income_fen);
        expect(c, SIM_EXPECT_ABSENT, SIM_LOW_INCOME, "-", -1,
               "per-capita T12M exactly 10000.00 yuan at the first quarter (%" PRId64 " members)",
               n);
        break;
    case SIM_CASE_BOUNDARY_GROWTH: {
        zs_quarter_t q = c->to;
        int64_t thr = sim_rules_slow_growth_bp(rules, zs_quarter_year(q));
        int64_t p = floor_div(hh_t12m(c->hh, q - 4), n);
        int64_t target = p + (thr * p + 9999) / 10000;
        *ok = p > 0 && set_t12m(c, q, target * n);
        int64_t cc = floor_div(hh_t12m(c->hh, q), n);
        *ok = *ok && floor_div((cc - p) * 10000, p) == thr;
        fen_text(p, a, sizeof(a));
        fen_text(cc, b, sizeof(b));
        char qs[ZS_PERIOD_STR_SIZE];
        zs_quarter_format(q, qs, sizeof(qs));
        expect(c, SIM_EXPECT_ABSENT, SIM_SLOW_GROWTH, "-", -1,
               "%s per-capita T12M %s yuan against %s: growth exactly %" PRId64 " bp", qs, b, a,
               thr);
        break;
    }
    case SIM_CASE_BOUNDARY_MIGRANT:
        expect(c, SIM_EXPECT_ABSENT, SIM_SHORT_WORK, focus->person_id, -1,
               "migrant January-March and October-December %d: exactly 6 months reachable",
               zs_quarter_year(c->case_q));
        break;
    case SIM_CASE_BOUNDARY_LABOUR:
        expect(c, SIM_EXPECT_ABSENT, SIM_WEAK_LABOR, "-", -1,
               "1 labour in 4 active members (a fifth, inactive, without labour)");
        break;
    case SIM_CASE_BOUNDARY_AGE:
        expect(c, SIM_EXPECT_ABSENT, SIM_NOT_ENROLLED, focus->person_id, -1,
               "%s born %d: 59 in %d, no pension", focus->person_id, focus->birth_year,
               zs_quarter_year(c->to));
        break;
    case SIM_CASE__COUNT:
        break;
    }
    return err;
}

/* Sets what the case changes before anything is generated. */
static void plan(ctx_t *c)
{
    rng_t *r = &c->rng;
    const sim_rules_t *rules = &c->g->rules;
    int quarters = c->g->opts.quarters;
    double line = (double)sim_rules_monitoring_line(rules, zs_quarter_year(c->from)) / 100.0;
    for (int i = 0; i < MAX_MONTHS; i++)
        c->mult[i] = 1, c->boost[i] = 0;
    c->case_q = c->from + rng_int(r, 0, quarters - 1);
    switch (c->kase) {
    case SIM_CASE_INCOME_FALL:
        for (zs_month_t m = zs_quarter_first_month(c->case_q); m <= c->span_hi; m++)
            c->mult[mi(c, m)] = 0.4;
        break;
    case SIM_CASE_SLOW_GROWTH:
        if (c->variant == 0)
            c->flat_growth = true, c->flat_rate = 0.03;
        break;
    case SIM_CASE_LOW_INCOME:
        c->target_pc = c->variant == 1 ? 10000 : line + 300 + (9700 - line - 300) * rng_unit(r);
        break;
    case SIM_CASE_POVERTY_RISK:
        c->target_pc = 2500 + (line - 300 - 2500) * rng_unit(r);
        break;
    case SIM_CASE_SHORT_WORK:
    case SIM_CASE_BOUNDARY_MIGRANT:
    case SIM_CASE_INCOME_JUMP: {
        int want = c->kase == SIM_CASE_INCOME_JUMP ? 4 : 3;
        for (c->case_q = c->from; zs_quarter_quarter(c->case_q) < want; c->case_q++)
            ;
        if (c->kase == SIM_CASE_INCOME_JUMP) {
            zs_month_t jan = zs_quarter_first_month(c->case_q) - 9;
            for (zs_month_t m = jan; m <= c->span_hi; m++)
                if (m >= c->inc_lo)
                    c->mult[mi(c, m)] = 2.6;
        }
        break;
    }
    case SIM_CASE_LARGE_EXPENSE_SHARE:
        c->target_pc = 5000 + 4000 * rng_unit(r);
        break;
    case SIM_CASE_BOUNDARY_EXPENSE:
        c->target_pc = c->variant == 0 ? 16000 + 6000 * rng_unit(r) : 5000 + 4000 * rng_unit(r);
        break;
    case SIM_CASE_SUBSIDY_MISSING:
    case SIM_CASE_SUBSIDY_SHORT:
    case SIM_CASE_SUBSIDY_DUPLICATE:
    case SIM_CASE_DUPLICATE_EVENT:
        c->dibao = true;
        break;
    case SIM_CASE_NOT_ENROLLED_PENSION:
        if (c->variant == 0)
            c->case_q = c->from; /* exactly 60 from the first quarter */
        break;
    case SIM_CASE_NEGATIVE_NET_INCOME:
        for (zs_month_t m = zs_quarter_first_month(c->case_q - 3);
             m <= zs_quarter_last_month(c->case_q); m++)
            c->boost[mi(c, m)] = 1.6;
        break;
    case SIM_CASE_NO_INCOME_REPORTED:
        c->skip_q = c->case_q;
        break;
    case SIM_CASE_CORRECTION:
    case SIM_CASE_CORRECTION_TIE:
        c->target_pc = 14000 + 4000 * rng_unit(r);
        break;
    case SIM_CASE_BOUNDARY_LOW_INCOME:
        c->target_pc = 10000;
        break;
    default:
        break;
    }
}

static double category_median(sim_category_t cat)
{
    static const double median[] = {12600, 9200, 8800, 7700};
    return median[cat];
}

/* One attempt at household index. */
static zs_err_t build(ctx_t *c, uint64_t index, bool *ok)
{
    sim_household_t *hh = c->hh;
    rng_t *r = &c->rng;
    memcpy(hh->household_id, "GX", 2);
    digits(hh->household_id + 2, (unsigned long)(index + 1), 7);
    hh->household_id[9] = '\0';
    pick_county(c);
    place_names(hh, r);
    double u = rng_unit(r);
    hh->category = u < 0.85   ? SIM_STABLE
                   : u < 0.90 ? SIM_UNSTABLE
                   : u < 0.96 ? SIM_MARGINAL
                              : SIM_HARDSHIP;
    hh->updated_ms = time_in(c, c->span_lo - rng_int(r, 1, 6), 1, 28);
    c->variant = rng_int(r, 0, 1);
    c->two_wage_sources = rng_chance(r, 0.1);
    double dibao_p = hh->category == SIM_STABLE ? 0.08 : 0.4;
    c->dibao = rng_chance(r, dibao_p);
    c->farmland = rng_chance(r, 0.8);
    plan(c);
    zs_err_t err = members(c);
    if (err != ZS_OK)
        return err;
    c->pc2021 = fmin(fmax(category_median(hh->category) * exp(0.38 * rng_normal(r)), 1500), 80000);
    growth_rates(c);
    work(c);
    err = emit_jobs(c);
    if (err == ZS_OK)
        err = income(c);
    if (err == ZS_OK)
        err = subsidies(c);
    if (err == ZS_OK)
        err = costs(c);
    if (err == ZS_OK)
        err = finish(c, ok);
    return err;
}

/* Copies src into dst (dst's arrays reused). */
static zs_err_t copy_household(sim_household_t *dst, const sim_household_t *src)
{
    sim_household_reset(dst);
    memcpy(dst->household_id, src->household_id, sizeof(dst->household_id));
    memcpy(dst->county_code, src->county_code, sizeof(dst->county_code));
    dst->category = src->category;
    zs_err_t err = zs_buf_add(&dst->members, src->members.data, src->members.len);
    if (err == ZS_OK)
        err = zs_buf_add(&dst->incomes, src->incomes.data, src->incomes.len);
    if (err == ZS_OK)
        err = zs_buf_add(&dst->jobs, src->jobs.data, src->jobs.len);
    if (err == ZS_OK)
        err = zs_buf_add(&dst->subsidies, src->subsidies.data, src->subsidies.len);
    if (err == ZS_OK)
        err = zs_buf_add(&dst->costs, src->costs.data, src->costs.len);
    return err;
}

/* Whether the truth shows what the case promised. */
static zs_err_t verify(sim_gen_t *g, ctx_t *c, bool *ok, char *errstr, size_t errstr_size)
{
    const sim_injection_t *inj = c->inj;
    const sim_gen_opts_t *o = &g->opts;
    zs_err_t err;
    *ok = false;
    if (c->kase == SIM_CASE_CORRECTION || c->kase == SIM_CASE_CORRECTION_TIE) {
        /* Without the correction the wrong figure would stand and the income fall. */
        size_t n;
        err = copy_household(&g->scratch, c->hh);
        if (err != ZS_OK)
            return err;
        const sim_income_t *x = sim_incomes(&g->scratch, &n);
        for (size_t i = 0; i < n; i++)
            if (strcmp(x[i].event_id, c->fix_id) == 0) {
                sim_array_remove(&g->scratch.incomes, sizeof(sim_income_t), i);
                break;
            }
        err = sim_truth_evaluate(g->truth, &g->scratch, &g->rules, o->from, o->quarters, errstr,
                                 errstr_size);
        if (err != ZS_OK)
            return err;
        if (!sim_truth_has_opened(g->truth, SIM_INCOME_FALL, "-", NULL))
            return ZS_OK;
    }
    err = sim_truth_evaluate(g->truth, c->hh, &g->rules, o->from, o->quarters, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    zs_month_t opened;
    switch (inj->expect) {
    case SIM_EXPECT_OPEN:
        *ok = sim_truth_has_opened(g->truth, inj->rule, inj->subject, &opened) &&
              opened == inj->period;
        break;
    case SIM_EXPECT_ABSENT:
        *ok = !sim_truth_has_opened(g->truth, inj->rule, inj->subject, NULL);
        break;
    case SIM_EXPECT_FINDING:
        *ok = sim_truth_has_finding(g->truth, inj->finding, inj->period);
        break;
    case SIM_EXPECT_REJECT:
        *ok = true;
        break;
    }
    return ZS_OK;
}

zs_err_t sim_gen_household(sim_gen_t *g, uint64_t index, sim_household_t *hh, sim_injection_t *inj,
                           char *errstr, size_t errstr_size)
{
    const sim_gen_opts_t *o = &g->opts;
    memset(inj, 0, sizeof(*inj));
    rng_t pick;
    rng_seed(&pick, o->seed, index, UINT64_C(0xca5e));
    sim_case_t kase = SIM_CASE_NONE;
    if (g->ncases > 0 && rng_unit(&pick) < o->inject_share)
        kase = g->cases[g->next_case++ % g->ncases];
    inj->kase = kase;
    ctx_t *c = g->ctx;
    for (int attempt = 0; attempt < (kase == SIM_CASE_NONE ? 1 : MAX_ATTEMPTS); attempt++) {
        memset(c, 0, sizeof(*c));
        sim_household_reset(hh);
        c->g = g;
        c->hh = hh;
        c->inj = inj;
        c->kase = kase;
        c->quiet = kase != SIM_CASE_NONE;
        c->from = o->from;
        c->to = o->from + o->quarters - 1;
        c->ref_year = zs_quarter_year(o->from);
        c->inc_lo = zs_quarter_first_month(o->from - SIM_GEN_HISTORY_QUARTERS);
        c->emp_lo = zs_quarter_first_month(o->from - 4);
        c->span_lo = zs_quarter_first_month(o->from);
        c->span_hi = zs_quarter_last_month(c->to);
        c->nmonths = (int)(c->span_hi - c->inc_lo + 1);
        rng_seed(&c->rng, o->seed, index, (uint64_t)attempt);
        bool ok = true;
        zs_err_t err = build(c, index, &ok);
        if (err != ZS_OK)
            return zs_fail(errstr, errstr_size, err, "household %s: %s", hh->household_id,
                           zs_err2str(err));
        if (kase == SIM_CASE_NONE) {
            inj->verified = true;
            return ZS_OK;
        }
        if (!ok)
            continue;
        err = verify(g, c, &inj->verified, errstr, errstr_size);
        if (err != ZS_OK)
            return err;
        if (inj->verified)
            return ZS_OK;
    }
    return ZS_OK;
}

size_t sim_gen_cases(const sim_gen_t *g, const sim_case_t **cases)
{
    *cases = g->cases;
    return g->ncases;
}

zs_err_t sim_gen_new(const zs_county_table_t *counties, const sim_gen_opts_t *opts, sim_gen_t **out,
                     char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (opts->quarters < 1 || opts->quarters > SIM_GEN_MAX_QUARTERS)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "quarters %d: give 1 to %d",
                       opts->quarters, SIM_GEN_MAX_QUARTERS);
    zs_quarter_t to = opts->from + opts->quarters - 1;
    if (zs_quarter_year(opts->from - SIM_GEN_HISTORY_QUARTERS) < ZS_YEAR_MIN ||
        zs_quarter_year(to + 1) > ZS_YEAR_MAX)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "the span and the %d quarters of income before it must lie within "
                       "%d-%d",
                       SIM_GEN_HISTORY_QUARTERS, ZS_YEAR_MIN, ZS_YEAR_MAX);
    if (!(opts->inject_share >= 0 && opts->inject_share <= 1))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "inject share: give 0 to 1");
    size_t n = zs_county_count(counties);
    if (n == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "no counties");
    sim_gen_t *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    g->counties = counties;
    g->opts = *opts;
    g->ncounties = n;
    sim_rules_default(&g->rules);
    sim_household_init(&g->scratch);
    g->county_cum = malloc(n * sizeof(*g->county_cum));
    g->ctx = calloc(1, sizeof(*g->ctx));
    zs_err_t err = sim_truth_new(&g->truth);
    if (g->county_cum == NULL || g->ctx == NULL || err != ZS_OK) {
        sim_gen_free(g);
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    }
    /* National key assistance counties weigh 3: more of their households
     * are monitored. */
    double cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += zs_county_at(counties, i)->key_assistance ? 3.0 : 1.0;
        g->county_cum[i] = cum;
    }
    bool has_q3 = false, has_q4 = false;
    for (zs_quarter_t q = opts->from; q <= to; q++) {
        has_q3 |= zs_quarter_quarter(q) >= 3;
        has_q4 |= zs_quarter_quarter(q) == 4;
    }
    for (int k = 1; k < SIM_CASE__COUNT; k++) {
        if ((k == SIM_CASE_SHORT_WORK || k == SIM_CASE_BOUNDARY_MIGRANT) && !has_q3)
            continue;
        if (k == SIM_CASE_INCOME_JUMP && !has_q4)
            continue;
        g->cases[g->ncases++] = (sim_case_t)k;
    }
    *out = g;
    return ZS_OK;
}

void sim_gen_free(sim_gen_t *g)
{
    if (g == NULL)
        return;
    sim_truth_free(g->truth);
    sim_household_free(&g->scratch);
    free(g->county_cum);
    free(g->ctx);
    free(g);
}
