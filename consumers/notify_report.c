/* notify_report.c: zs-notify's per-county reports: the latest record of each
 * warning and the per-capita income figures of all of them, rendered as one
 * self-contained HTML page per county (inline CSS, inline SVG, no script),
 * Chinese by default in the plan's words (桂乡村指办发〔2022〕30号), English
 * on request. Pure: no Kafka, no files. */
#include "notify_report.h"

#include "zs_avro.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zs_log.h"

/* ---- names ---- */

static const char *const rule_symbols[NOTIFY_RULE__COUNT] = {
    "INCOME_FALL",       "SLOW_GROWTH",  "LOW_INCOME",    "POVERTY_RISK",    "NO_WORK",
    "SHORT_WORK",        "WEAK_LABOR",   "LARGE_EXPENSE", "SUBSIDY_MISSING", "SUBSIDY_SHORT",
    "SUBSIDY_DUPLICATE", "NOT_ENROLLED", "UNKNOWN"};
/* Plan items 17, 18, 26, 29, 32, 33, worded as the plan words them. */
static const char *const rule_zh[NOTIFY_RULE__COUNT] = {"收入不增反降",
                                                        "增速缓慢",
                                                        "年人均收入低于1万元",
                                                        "有返贫风险",
                                                        "有务工需求但没有务工",
                                                        "务工时间未达到6个月",
                                                        "劳动力不足",
                                                        "大额支出",
                                                        "补贴未及时发放",
                                                        "补贴未足额发放",
                                                        "补贴重复发放",
                                                        "应发尽发",
                                                        "未知规则"};
static const char *const rule_en[NOTIFY_RULE__COUNT] = {
    "Income fell",
    "Slow income growth",
    "Annual per-capita income below 10,000 yuan",
    "Risk of returning to poverty",
    "Wants work but not working",
    "Migrant work under 6 months",
    "Insufficient labour",
    "Large expense",
    "Subsidy not paid on time",
    "Subsidy not paid in full",
    "Subsidy paid twice",
    "Entitled member not paid (pension, disability)",
    "Unknown rule"};
static const char *const severity_symbols[NOTIFY_SEVERITY__COUNT] = {"LOW", "MEDIUM", "HIGH"};
static const char *const severity_zh[NOTIFY_SEVERITY__COUNT] = {"低", "中", "高"};
static const char *const severity_en[NOTIFY_SEVERITY__COUNT] = {"Low", "Medium", "High"};
static const char *const status_symbols[NOTIFY_STATUS__COUNT] = {"OPEN", "UPDATED", "CLEARED",
                                                                 "UNKNOWN"};
static const char *const status_zh[NOTIFY_STATUS__COUNT] = {"新发", "持续", "解除", "未知"};
static const char *const status_en[NOTIFY_STATUS__COUNT] = {"Open", "Ongoing", "Cleared",
                                                            "Unknown"};
static const char *const risk_symbols[NOTIFY_RISK__COUNT] = {
    "ILLNESS",          "DISABILITY",          "EDUCATION",      "DISASTER", "ACCIDENT",
    "INDUSTRY_FAILURE", "UNSTABLE_EMPLOYMENT", "LABOR_SHORTAGE", "OTHER"};
static const char *const risk_zh[NOTIFY_RISK__COUNT] = {
    "因病",       "因残",           "因学",     "因灾", "因意外事故",
    "因产业失败", "因务工就业不稳", "缺劳动力", "其他"};
static const char *const risk_en[NOTIFY_RISK__COUNT] = {
    "Illness",          "Disability",          "Education",       "Disaster", "Accident",
    "Industry failure", "Unstable employment", "Labour shortage", "Other"};
static const char *const unit_symbols[NOTIFY_UNIT__COUNT] = {"FEN",   "BASIS_POINTS", "MONTHS",
                                                             "YEARS", "COUNT",        "UNKNOWN"};
static const char *const component_symbols[NOTIFY_COMPONENT__COUNT] = {
    "WAGE", "OPERATING", "PROPERTY", "TRANSFER", "EXPENSE"};
static const char *const component_zh[NOTIFY_COMPONENT__COUNT] = {
    "工资性收入", "生产经营收入", "财产性收入", "转移性收入", "经营性支出"};
static const char *const component_en[NOTIFY_COMPONENT__COUNT] = {
    "Wage income", "Operating income (gross)", "Property income", "Transfer income",
    "Operating expenditure"};
static const char *const program_symbols[NOTIFY_PROGRAM__COUNT] = {
    "DIBAO",  "TEKUN", "TEMP_RELIEF", "DISABILITY",      "PENSION", "FARMLAND",
    "FOREST", "YULU",  "TRANSPORT",   "INDUSTRY_REWARD", "OTHER"};
static const char *const program_zh[NOTIFY_PROGRAM__COUNT] = {"农村低保",
                                                              "特困人员救助供养",
                                                              "临时救助",
                                                              "残疾人两项补贴",
                                                              "城乡居民养老保险待遇",
                                                              "耕地地力保护补贴",
                                                              "森林生态效益补偿",
                                                              "雨露计划",
                                                              "一次性交通补贴",
                                                              "以奖代补",
                                                              "其他"};
static const char *const program_en[NOTIFY_PROGRAM__COUNT] = {
    "Rural minimum living guarantee (dibao)",
    "Extreme-poverty support",
    "Temporary relief",
    "Disability subsidies",
    "Residents' pension",
    "Farmland protection subsidy",
    "Forest compensation",
    "Yulu plan",
    "Transport subsidy",
    "Industry reward subsidy",
    "Other"};

const char *notify_rule_name(notify_rule_t rule, notify_lang_t lang)
{
    if ((int)rule < 0 || rule >= NOTIFY_RULE__COUNT)
        rule = NOTIFY_RULE_UNKNOWN;
    return lang == NOTIFY_LANG_EN ? rule_en[rule] : rule_zh[rule];
}

const char *notify_risk_name(notify_risk_t risk, notify_lang_t lang)
{
    if ((int)risk < 0 || risk >= NOTIFY_RISK__COUNT)
        risk = NOTIFY_RISK_OTHER;
    return lang == NOTIFY_LANG_EN ? risk_en[risk] : risk_zh[risk];
}

zs_err_t notify_lang_parse(const char *s, notify_lang_t *out)
{
    if (s != NULL && (strcmp(s, "zh") == 0 || strcmp(s, "ZH") == 0)) {
        *out = NOTIFY_LANG_ZH;
        return ZS_OK;
    }
    if (s != NULL && (strcmp(s, "en") == 0 || strcmp(s, "EN") == 0)) {
        *out = NOTIFY_LANG_EN;
        return ZS_OK;
    }
    return ZS_ERR_INVALID;
}

/* ---- numbers ---- */

void notify_report_yuan(int64_t fen, char *out, size_t size)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    uint64_t yuan = a / 100;
    unsigned cents = (unsigned)(a % 100);
    char digits[24];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(yuan % 10));
        yuan /= 10;
    } while (yuan > 0);
    char tmp[48];
    size_t k = 0;
    if (fen < 0)
        tmp[k++] = '-';
    for (int i = nd - 1; i >= 0; i--) {
        tmp[k++] = digits[i];
        if (i > 0 && i % 3 == 0)
            tmp[k++] = ',';
    }
    tmp[k++] = '.';
    tmp[k++] = (char)('0' + cents / 10);
    tmp[k++] = (char)('0' + cents % 10);
    tmp[k] = '\0';
    snprintf(out, size, "%s", tmp);
}

void notify_report_percent(int64_t bp, char *out, size_t size)
{
    uint64_t a = bp < 0 ? (uint64_t)0 - (uint64_t)bp : (uint64_t)bp;
    snprintf(out, size, "%s%" PRIu64 ".%02u%%", bp < 0 ? "-" : "", a / 100, (unsigned)(a % 100));
}

/* ---- from Avro ---- */

static bool get_str(avro_value_t *rec, const char *name, const char **out, bool optional)
{
    avro_value_t f;
    size_t n = 0;
    int r = zs_avro_field(rec, name, &f);
    if (r == 1 && optional) {
        *out = NULL;
        return true;
    }
    return r == 0 && avro_value_get_string(&f, out, &n) == 0;
}

static bool get_int(avro_value_t *rec, const char *name, int32_t *out)
{
    avro_value_t f;
    return zs_avro_field(rec, name, &f) == 0 && avro_value_get_int(&f, out) == 0;
}

/* An optional long or int: *has false when null. */
static bool get_opt_long(avro_value_t *rec, const char *name, bool *has, int64_t *out)
{
    avro_value_t f;
    int r = zs_avro_field(rec, name, &f);
    *has = false;
    if (r == 1)
        return true;
    if (r != 0)
        return false;
    if (avro_value_get_type(&f) == AVRO_INT32) {
        int32_t i = 0;
        if (avro_value_get_int(&f, &i) != 0)
            return false;
        *out = i;
    } else if (avro_value_get_long(&f, out) != 0) {
        return false;
    }
    *has = true;
    return true;
}

/* An enum field's index in symbols (n of them); fallback for a symbol not
 * there, -1 (when null_ok) for null. */
static bool get_enum(avro_value_t *rec, const char *name, const char *const *symbols, int n,
                     int fallback, bool null_ok, int *out)
{
    avro_value_t f;
    int sym = 0;
    int r = zs_avro_field(rec, name, &f);
    if (r == 1 && null_ok) {
        *out = -1;
        return true;
    }
    if (r != 0 || avro_value_get_enum(&f, &sym) != 0)
        return false;
    const char *s = avro_schema_enum_get(avro_value_get_schema(&f), sym);
    *out = fallback;
    for (int i = 0; s != NULL && i < n; i++)
        if (strcmp(s, symbols[i]) == 0)
            *out = i;
    return true;
}

zs_err_t notify_warning_from_avro(avro_value_t *v, notify_warning_t *w, char *errstr,
                                  size_t errstr_size)
{
    memset(w, 0, sizeof(*w));
    const char *bad = NULL;
    int e = 0;
    int32_t i32 = 0;
    avro_value_t ev, comps;
    if (!get_str(v, "warning_id", &w->warning_id, false))
        bad = "warning_id";
    else if (!get_str(v, "household_id", &w->household_id, false))
        bad = "household_id";
    else if (!get_str(v, "county_code", &w->county_code, false))
        bad = "county_code";
    else if (!get_str(v, "person_id", &w->person_id, true))
        bad = "person_id";
    else if (!get_enum(v, "rule", rule_symbols, NOTIFY_RULE__COUNT, NOTIFY_RULE_UNKNOWN, false, &e))
        bad = "rule";
    if (bad == NULL) {
        w->rule = (notify_rule_t)e;
        if (!get_enum(v, "severity", severity_symbols, NOTIFY_SEVERITY__COUNT, NOTIFY_SEVERITY_HIGH,
                      false, &e))
            bad = "severity";
        else
            w->severity = (notify_severity_t)e;
    }
    if (bad == NULL) {
        if (!get_enum(v, "status", status_symbols, NOTIFY_STATUS__COUNT, NOTIFY_STATUS_UNKNOWN,
                      false, &e))
            bad = "status";
        else
            w->status = (notify_status_t)e;
    }
    if (bad == NULL) {
        if (!get_enum(v, "risk_type", risk_symbols, NOTIFY_RISK__COUNT, NOTIFY_RISK_OTHER, false,
                      &e))
            bad = "risk_type";
        else
            w->risk = (notify_risk_t)e;
    }
    if (bad == NULL && !get_int(v, "year", &w->year))
        bad = "year";
    if (bad == NULL && !get_int(v, "month", &w->month))
        bad = "month";
    if (bad == NULL && !get_int(v, "opened_year", &w->opened_year))
        bad = "opened_year";
    if (bad == NULL && !get_int(v, "opened_month", &w->opened_month))
        bad = "opened_month";
    if (bad == NULL && !get_str(v, "ruleset_version", &w->ruleset_version, false))
        bad = "ruleset_version";
    if (bad == NULL) {
        avro_value_t f;
        if (zs_avro_field(v, "emitted_at", &f) != 0 || avro_value_get_long(&f, &w->emitted_at) != 0)
            bad = "emitted_at";
    }
    if (bad == NULL && zs_avro_field(v, "evidence", &ev) != 0)
        bad = "evidence";
    int64_t growth = 0;
    if (bad == NULL && !get_opt_long(&ev, "t12m_per_capita_fen", &w->has_t12m, &w->t12m_fen))
        bad = "evidence.t12m_per_capita_fen";
    if (bad == NULL &&
        !get_opt_long(&ev, "t12m_prev_per_capita_fen", &w->has_t12m_prev, &w->t12m_prev_fen))
        bad = "evidence.t12m_prev_per_capita_fen";
    if (bad == NULL && !get_opt_long(&ev, "growth_bp", &w->has_growth, &growth))
        bad = "evidence.growth_bp";
    w->growth_bp = (int32_t)growth;
    if (bad == NULL && !get_int(&ev, "members_active", &i32))
        bad = "evidence.members_active";
    w->members_active = i32;
    if (bad == NULL && !get_opt_long(&ev, "threshold", &w->has_threshold, &w->threshold))
        bad = "evidence.threshold";
    if (bad == NULL) {
        if (!get_enum(&ev, "threshold_unit", unit_symbols, NOTIFY_UNIT__COUNT, NOTIFY_UNIT_UNKNOWN,
                      true, &e))
            bad = "evidence.threshold_unit";
        else
            w->threshold_unit = (notify_unit_t)e;
    }
    if (bad == NULL && !get_opt_long(&ev, "observed", &w->has_observed, &w->observed))
        bad = "evidence.observed";
    if (bad == NULL && !get_str(&ev, "threshold_source", &w->threshold_source, false))
        bad = "evidence.threshold_source";
    if (bad == NULL) {
        if (!get_enum(&ev, "program", program_symbols, NOTIFY_PROGRAM__COUNT, NOTIFY_PROGRAM_OTHER,
                      true, &e))
            bad = "evidence.program";
        else
            w->program = (notify_program_t)e;
    }
    if (bad == NULL && !get_opt_long(&ev, "amount_fen", &w->has_amount, &w->amount_fen))
        bad = "evidence.amount_fen";
    if (bad == NULL && !get_str(&ev, "detail", &w->detail, false))
        bad = "evidence.detail";
    size_t n = 0;
    if (bad == NULL &&
        (zs_avro_field(&ev, "components", &comps) != 0 || avro_value_get_size(&comps, &n) != 0))
        bad = "evidence.components";
    for (size_t i = 0; bad == NULL && i < n && w->ncomponents < NOTIFY_COMPONENT__COUNT; i++) {
        avro_value_t c;
        notify_component_t *nc = &w->components[w->ncomponents];
        if (avro_value_get_by_index(&comps, i, &c, NULL) != 0 ||
            !get_enum(&c, "component", component_symbols, NOTIFY_COMPONENT__COUNT, -1, false, &e) ||
            !get_opt_long(&c, "previous_fen", &nc->has_previous, &nc->previous_fen)) {
            bad = "evidence.components";
            break;
        }
        avro_value_t f;
        if (zs_avro_field(&c, "current_fen", &f) != 0 ||
            avro_value_get_long(&f, &nc->current_fen) != 0) {
            bad = "evidence.components.current_fen";
            break;
        }
        if (e < 0)
            continue; /* a component this code does not know: not shown */
        nc->component = (notify_component_kind_t)e;
        w->ncomponents++;
    }
    if (bad != NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "warning record: field %s: %s", bad,
                       avro_strerror());
    return ZS_OK;
}

/* ---- the collection ---- */

/* A string-keyed open-addressing table of indices; keys owned. */
typedef struct map_entry {
    char *key; /* NULL: empty slot */
    uint64_t hash;
    size_t value;
} map_entry_t;

typedef struct map {
    map_entry_t *slots;
    size_t cap; /* a power of two, or 0 */
    size_t n;
} map_t;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static map_entry_t *map_slot(const map_t *m, const char *key, uint64_t hash)
{
    size_t i = (size_t)hash & (m->cap - 1);
    while (m->slots[i].key != NULL &&
           (m->slots[i].hash != hash || strcmp(m->slots[i].key, key) != 0))
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

static bool map_get(const map_t *m, const char *key, size_t *value)
{
    if (m->cap == 0)
        return false;
    const map_entry_t *e = map_slot(m, key, hash_str(key));
    if (e->key == NULL)
        return false;
    *value = e->value;
    return true;
}

/* Inserts a key known to be absent. */
static zs_err_t map_put(map_t *m, const char *key, size_t value)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        map_entry_t *slots = calloc(cap, sizeof(*slots));
        if (slots == NULL)
            return ZS_ERR_NOMEM;
        map_t grown = {.slots = slots, .cap = cap, .n = m->n};
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key != NULL)
                *map_slot(&grown, m->slots[i].key, m->slots[i].hash) = m->slots[i];
        free(m->slots);
        *m = grown;
    }
    uint64_t hash = hash_str(key);
    size_t len = strlen(key) + 1;
    char *copy = malloc(len);
    if (copy == NULL)
        return ZS_ERR_NOMEM;
    memcpy(copy, key, len);
    map_entry_t *e = map_slot(m, key, hash);
    e->key = copy;
    e->hash = hash;
    e->value = value;
    m->n++;
    return ZS_OK;
}

static void map_free(map_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

/* Arrays grow in zs_buf_t buffers; this bound only guards against runaway sizes. */
#define ARRAY_MAX        ((size_t)1 << 40)
#define AT(buf, type, i) (((type *)(void *)(buf).data)[i])
#define COUNT(buf, type) ((buf).len / sizeof(type))

/* A warning's latest record; its strings live in mem. */
typedef struct stored {
    notify_warning_t w;
    char *mem;
} stored_t;

/* One per-capita T12M figure of a household in a quarter. */
typedef struct point {
    int32_t quarter; /* year * 4 + quarter - 1 */
    int64_t fen;
} point_t;

/* A county's warnings (indices into recs) and trend points (into points). */
typedef struct bucket {
    char code[16];
    zs_buf_t recs, points; /* size_t each */
    bool changed;          /* a record added since notify_report_changes_clear */
} bucket_t;

struct notify_report {
    zs_buf_t recs;    /* stored_t */
    zs_buf_t points;  /* point_t */
    zs_buf_t buckets; /* bucket_t, ascending code */
    map_t by_id;      /* warning_id -> index in recs */
    map_t by_point;   /* county \x1f household \x1f quarter -> index in points */
};

zs_err_t notify_report_new(notify_report_t **out)
{
    notify_report_t *r = calloc(1, sizeof(*r));
    *out = r;
    if (r == NULL)
        return ZS_ERR_NOMEM;
    zs_buf_init(&r->recs, ARRAY_MAX);
    zs_buf_init(&r->points, ARRAY_MAX);
    zs_buf_init(&r->buckets, ARRAY_MAX);
    return ZS_OK;
}

void notify_report_free(notify_report_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < COUNT(r->recs, stored_t); i++)
        free(AT(r->recs, stored_t, i).mem);
    for (size_t i = 0; i < COUNT(r->buckets, bucket_t); i++) {
        zs_buf_free(&AT(r->buckets, bucket_t, i).recs);
        zs_buf_free(&AT(r->buckets, bucket_t, i).points);
    }
    zs_buf_free(&r->recs);
    zs_buf_free(&r->points);
    zs_buf_free(&r->buckets);
    map_free(&r->by_id);
    map_free(&r->by_point);
    free(r);
}

size_t notify_report_county_count(const notify_report_t *r)
{
    return r != NULL ? COUNT(r->buckets, bucket_t) : 0;
}

const char *notify_report_county_at(const notify_report_t *r, size_t i)
{
    return i < notify_report_county_count(r) ? AT(r->buckets, bucket_t, i).code : NULL;
}

bool notify_report_county_changed(const notify_report_t *r, size_t i)
{
    return i < notify_report_county_count(r) && AT(r->buckets, bucket_t, i).changed;
}

void notify_report_changes_clear(notify_report_t *r)
{
    for (size_t i = 0; i < notify_report_county_count(r); i++)
        AT(r->buckets, bucket_t, i).changed = false;
}

/* The county's bucket, or where it would go (*found false). */
static size_t bucket_find(const notify_report_t *r, const char *code, bool *found)
{
    size_t lo = 0, hi = COUNT(r->buckets, bucket_t);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(AT(r->buckets, bucket_t, mid).code, code);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static zs_err_t bucket_get(notify_report_t *r, const char *code, bucket_t **out)
{
    bool found = false;
    size_t at = bucket_find(r, code, &found);
    if (!found) {
        bucket_t b;
        memset(&b, 0, sizeof(b));
        snprintf(b.code, sizeof(b.code), "%s", code);
        zs_buf_init(&b.recs, ARRAY_MAX);
        zs_buf_init(&b.points, ARRAY_MAX);
        zs_err_t err = zs_buf_add(&r->buckets, &b, sizeof(b));
        if (err != ZS_OK)
            return err;
        size_t n = COUNT(r->buckets, bucket_t);
        bucket_t *base = &AT(r->buckets, bucket_t, 0);
        memmove(base + at + 1, base + at, (n - 1 - at) * sizeof(*base));
        base[at] = b;
    }
    *out = &AT(r->buckets, bucket_t, at);
    return ZS_OK;
}

/* A copy of w whose strings live in one allocation, *mem. */
static zs_err_t copy_warning(const notify_warning_t *w, notify_warning_t *copy, char **mem)
{
    const char *src[7] = {w->warning_id,       w->household_id, w->county_code,    w->person_id,
                          w->threshold_source, w->detail,       w->ruleset_version};
    size_t len[7], total = 0;
    for (int i = 0; i < 7; i++) {
        len[i] = src[i] != NULL ? strlen(src[i]) + 1 : 0;
        total += len[i];
    }
    char *p = malloc(total > 0 ? total : 1);
    if (p == NULL)
        return ZS_ERR_NOMEM;
    const char *dst[7] = {NULL};
    size_t off = 0;
    for (int i = 0; i < 7; i++) {
        if (src[i] == NULL)
            continue;
        memcpy(p + off, src[i], len[i]);
        dst[i] = p + off;
        off += len[i];
    }
    *copy = *w;
    copy->warning_id = dst[0];
    copy->household_id = dst[1];
    copy->county_code = dst[2];
    copy->person_id = dst[3];
    copy->threshold_source = dst[4] != NULL ? dst[4] : "";
    copy->detail = dst[5] != NULL ? dst[5] : "";
    copy->ruleset_version = dst[6] != NULL ? dst[6] : "";
    *mem = p;
    return ZS_OK;
}

/* Rules whose records carry the household's per-capita T12M at a quarter's
 * end (RULES.md, "Quarterly rules"): they feed the trend. */
static bool quarterly_income_rule(notify_rule_t rule)
{
    return rule == NOTIFY_RULE_INCOME_FALL || rule == NOTIFY_RULE_SLOW_GROWTH ||
           rule == NOTIFY_RULE_LOW_INCOME || rule == NOTIFY_RULE_POVERTY_RISK;
}

/* Records the household's figure for a quarter (a later record's wins). */
static zs_err_t point_put(notify_report_t *r, bucket_t *b, const notify_warning_t *w,
                          int32_t quarter, int64_t fen)
{
    char key[512];
    int n = snprintf(key, sizeof(key), "%s\x1f%s\x1f%" PRId32, w->county_code, w->household_id,
                     quarter);
    if (n < 0 || (size_t)n >= sizeof(key))
        return ZS_ERR_INVALID;
    size_t at = 0;
    if (map_get(&r->by_point, key, &at)) {
        AT(r->points, point_t, at).fen = fen;
        return ZS_OK;
    }
    point_t p = {.quarter = quarter, .fen = fen};
    at = COUNT(r->points, point_t);
    zs_err_t err = zs_buf_add(&r->points, &p, sizeof(p));
    if (err == ZS_OK)
        err = zs_buf_add(&b->points, &at, sizeof(at));
    if (err == ZS_OK)
        err = map_put(&r->by_point, key, at);
    return err;
}

zs_err_t notify_report_add(notify_report_t *r, const notify_warning_t *w)
{
    if (w->warning_id == NULL || w->warning_id[0] == '\0' || w->household_id == NULL ||
        w->household_id[0] == '\0' || w->county_code == NULL || w->county_code[0] == '\0' ||
        strlen(w->county_code) >= sizeof(((bucket_t *)NULL)->code))
        return ZS_ERR_INVALID;
    bucket_t *b = NULL;
    zs_err_t err = bucket_get(r, w->county_code, &b);
    if (err != ZS_OK)
        return err;
    stored_t s = {.mem = NULL};
    err = copy_warning(w, &s.w, &s.mem);
    if (err != ZS_OK)
        return err;
    size_t at = 0;
    if (map_get(&r->by_id, w->warning_id, &at)) {
        stored_t *old = &AT(r->recs, stored_t, at);
        bool moved = strcmp(old->w.county_code, w->county_code) != 0, found = false;
        size_t from = moved ? bucket_find(r, old->w.county_code, &found) : 0;
        if (found) /* the county it left changes too */
            AT(r->buckets, bucket_t, from).changed = true;
        free(old->mem);
        *old = s;
        /* A county that changed keeps a stale index, skipped when rendering. */
        if (moved)
            err = zs_buf_add(&b->recs, &at, sizeof(at));
    } else {
        at = COUNT(r->recs, stored_t);
        err = zs_buf_add(&r->recs, &s, sizeof(s));
        if (err != ZS_OK) {
            free(s.mem);
            return err;
        }
        err = zs_buf_add(&b->recs, &at, sizeof(at));
        if (err == ZS_OK)
            err = map_put(&r->by_id, w->warning_id, at);
    }
    b->changed = true;
    if (err == ZS_OK && quarterly_income_rule(w->rule) && w->month % 3 == 0 && w->month >= 3 &&
        w->month <= 12) {
        int32_t q = (int32_t)w->year * 4 + (w->month - 1) / 3;
        if (w->has_t12m)
            err = point_put(r, b, w, q, w->t12m_fen);
        if (err == ZS_OK && w->has_t12m_prev)
            err = point_put(r, b, w, q - 4, w->t12m_prev_fen);
    }
    return err;
}

/* ---- HTML ---- */

/* A page being written; the first error sticks and ends the writing. */
typedef struct html {
    zs_buf_t *out;
    zs_buf_t scratch; /* one text from the data, being masked */
    notify_lang_t lang;
    zs_err_t err;
} html_t;

static const char *tr(const html_t *h, const char *zh, const char *en)
{
    return h->lang == NOTIFY_LANG_EN ? en : zh;
}

/* Markup, or text we wrote ourselves. */
static void put(html_t *h, const char *s)
{
    if (h->err == ZS_OK)
        h->err = zs_buf_adds(h->out, s);
}

static void putf(html_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(html_t *h, const char *fmt, ...)
{
    if (h->err != ZS_OK)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    h->err =
        n < 0 || (size_t)n >= sizeof(line) ? ZS_ERR_OVERFLOW : zs_buf_add(h->out, line, (size_t)n);
}

/* Text from the data: resident ID numbers masked, then HTML-escaped;
 * control characters become spaces. */
static void text(html_t *h, const char *s)
{
    if (h->err != ZS_OK || s == NULL || s[0] == '\0')
        return;
    zs_buf_reset(&h->scratch);
    h->err = zs_buf_adds(&h->scratch, s);
    if (h->err != ZS_OK)
        return;
    zs_log_mask_idnumbers(h->scratch.data, h->scratch.len);
    const char *p = h->scratch.data, *end = p + h->scratch.len, *run = p;
    for (; p < end && h->err == ZS_OK; p++) {
        const char *rep = NULL;
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                rep = " ";
        }
        if (rep == NULL)
            continue;
        h->err = zs_buf_add(h->out, run, (size_t)(p - run));
        if (h->err == ZS_OK)
            h->err = zs_buf_adds(h->out, rep);
        run = p + 1;
    }
    if (h->err == ZS_OK)
        h->err = zs_buf_add(h->out, run, (size_t)(end - run));
}

/* A place name from the region's table: Chinese, a proper name, so an
 * English page marks it as such rather than translating it. */
static void place(html_t *h, const char *name)
{
    if (h->lang == NOTIFY_LANG_EN)
        put(h, "<span lang=\"zh-CN\" class=\"place\">");
    text(h, name);
    if (h->lang == NOTIFY_LANG_EN)
        put(h, "</span>");
}

static void yuan(html_t *h, int64_t fen)
{
    char s[48];
    notify_report_yuan(fen, s, sizeof(s));
    put(h, s);
}

static void period(html_t *h, int year, int month)
{
    if (h->lang == NOTIFY_LANG_EN)
        putf(h, "%04d-%02d", year, month);
    else
        putf(h, "%d年%d月", year, month);
}

static void quarter_label(html_t *h, int32_t q)
{
    if (h->lang == NOTIFY_LANG_EN)
        putf(h, "%" PRId32 "Q%" PRId32, q / 4, q % 4 + 1);
    else
        putf(h, "%" PRId32 "年第%" PRId32 "季度", q / 4, q % 4 + 1);
}

/* A time as Beijing time (UTC+8), the time county officials read. */
static void beijing_time(html_t *h, int64_t ms)
{
    time_t t = (time_t)(ms / 1000 + 8 * 3600);
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (gmtime_r(&t, &tm) == NULL) {
        put(h, "?");
        return;
    }
    putf(h, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
         tm.tm_hour, tm.tm_min, tm.tm_sec);
    put(h, tr(h, "（北京时间）", " (Beijing time, UTC+8)"));
}

static const char style[] =
    "<style>\n"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
    "\"PingFang SC\",sans-serif;margin:24px;color:#222;background:#fff;line-height:1.45}\n"
    "h1{font-size:22px;margin:0 0 6px}\n"
    "h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}\n"
    ".meta,.note{color:#555;font-size:13px}\n"
    ".cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}\n"
    ".card{border:1px solid #ddd;border-radius:6px;padding:8px 16px;min-width:120px}\n"
    ".card b{display:block;font-size:24px}\n"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}\n"
    "th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}\n"
    "th{background:#f2f4f7;white-space:nowrap}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.wid{font-family:monospace;word-break:break-all;max-width:220px}\n"
    ".sev-HIGH{color:#b00020;font-weight:bold}.sev-MEDIUM{color:#b36b00}.sev-LOW{color:#2e7d32}\n"
    "ul.ev{margin:0;padding-left:16px}\n"
    "table.comp{margin:2px 0;font-size:12px}\n"
    "svg{display:block;margin:8px 0}\n"
    "svg text{font-size:11px;fill:#333}\n"
    "footer{margin-top:32px;color:#777;font-size:12px}\n"
    "</style>\n";

static void page_start(html_t *h, const zs_county_t *county, const char *code, bool index)
{
    put(h, "<!DOCTYPE html>\n<html lang=\"");
    put(h, tr(h, "zh-CN", "en"));
    put(h, "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
           "content=\"width=device-width, initial-scale=1\">\n<title>");
    if (index) {
        put(h, tr(h, "增收监测预警报告：各县（市、区）", "Income monitoring reports: counties"));
    } else if (county != NULL) {
        if (h->lang == NOTIFY_LANG_EN) {
            put(h, "Income monitoring report: ");
            text(h, county->name);
            put(h, ", ");
            text(h, county->city_name);
        } else {
            text(h, county->city_name);
            text(h, county->name);
            put(h, "增收监测预警报告");
        }
    } else {
        put(h, tr(h, "增收监测预警报告：", "Income monitoring report: "));
        text(h, code);
    }
    put(h, "</title>\n");
    put(h, style);
    put(h, "</head>\n<body>\n");
}

static void page_end(html_t *h)
{
    put(h, "<footer>");
    put(h, tr(h,
              "由增收监测系统根据预警记录生成（每条预警取其最新记录）。依据桂乡村指办发〔2022〕"
              "30号。居民身份证号码一律隐去。",
              "Generated by the income monitoring system from its warning records (the latest "
              "record of each warning). Rules of the Guangxi 2022-2024 action plan for the "
              "income growth of people lifted out of poverty. Resident ID numbers are never "
              "shown."));
    put(h, "</footer>\n</body>\n</html>\n");
}

/* Horizontal bars: one per label with its count. */
static void bar_chart(html_t *h, const char *const *labels, const size_t *counts, size_t n,
                      const char *aria)
{
    size_t max = 0, rows = 0;
    for (size_t i = 0; i < n; i++) {
        if (counts[i] > max)
            max = counts[i];
        rows += counts[i] > 0;
    }
    if (rows == 0)
        return;
    const double label_w = 260, bar_w = 400, row_h = 22;
    putf(h,
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
         "role=\"img\" aria-label=\"",
         label_w + bar_w + 60, row_h * (double)rows + 8);
    put(h, aria);
    put(h, "\">\n");
    size_t row = 0;
    for (size_t i = 0; i < n; i++) {
        if (counts[i] == 0)
            continue;
        double y = 4 + row_h * (double)row, w = bar_w * (double)counts[i] / (double)max;
        putf(h, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 8, y + 15);
        text(h, labels[i]);
        putf(h,
             "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4e79a7\"/>"
             "<text x=\"%.1f\" y=\"%.1f\">%zu</text>\n",
             label_w, y + 3, w < 1 ? 1 : w, row_h - 6, label_w + w + 6, y + 15, counts[i]);
        row++;
    }
    put(h, "</svg>\n");
}

/* The warnings of one county, latest records, in a stable order. */
typedef struct selection {
    const notify_warning_t **open, **cleared;
    size_t nopen, ncleared;
    point_t *points; /* the county's trend points, sorted by quarter then fen */
    size_t npoints;
} selection_t;

static int cmp_open(const void *a, const void *b)
{
    const notify_warning_t *x = *(const notify_warning_t *const *)a;
    const notify_warning_t *y = *(const notify_warning_t *const *)b;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    int c = strcmp(x->household_id, y->household_id);
    if (c != 0)
        return c;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return strcmp(x->warning_id, y->warning_id);
}

static int cmp_cleared(const void *a, const void *b)
{
    const notify_warning_t *x = *(const notify_warning_t *const *)a;
    const notify_warning_t *y = *(const notify_warning_t *const *)b;
    int px = x->year * 12 + x->month, py = y->year * 12 + y->month;
    if (px != py)
        return px > py ? -1 : 1;
    return strcmp(x->warning_id, y->warning_id);
}

static int cmp_point(const void *a, const void *b)
{
    const point_t *x = a, *y = b;
    if (x->quarter != y->quarter)
        return x->quarter < y->quarter ? -1 : 1;
    return x->fen < y->fen ? -1 : x->fen > y->fen;
}

static void selection_free(selection_t *s)
{
    free(s->open);
    free(s->cleared);
    free(s->points);
}

static zs_err_t select_county(const notify_report_t *r, const char *code, selection_t *s)
{
    memset(s, 0, sizeof(*s));
    bool found = false;
    size_t at = bucket_find(r, code, &found);
    if (!found)
        return ZS_OK;
    const bucket_t *b = &AT(r->buckets, bucket_t, at);
    size_t n = COUNT(b->recs, size_t), np = COUNT(b->points, size_t);
    s->open = calloc(n + 1, sizeof(*s->open));
    s->cleared = calloc(n + 1, sizeof(*s->cleared));
    s->points = calloc(np + 1, sizeof(*s->points));
    if (s->open == NULL || s->cleared == NULL || s->points == NULL)
        return ZS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const notify_warning_t *w = &AT(r->recs, stored_t, AT(b->recs, size_t, i)).w;
        if (strcmp(w->county_code, code) != 0)
            continue; /* only this county's warnings, ever */
        if (w->status == NOTIFY_STATUS_CLEARED)
            s->cleared[s->ncleared++] = w;
        else
            s->open[s->nopen++] = w; /* UNKNOWN errs towards attention */
    }
    for (size_t i = 0; i < np; i++)
        s->points[s->npoints++] = AT(r->points, point_t, AT(b->points, size_t, i));
    qsort(s->open, s->nopen, sizeof(*s->open), cmp_open);
    qsort(s->cleared, s->ncleared, sizeof(*s->cleared), cmp_cleared);
    qsort(s->points, s->npoints, sizeof(*s->points), cmp_point);
    return ZS_OK;
}

static void counts_section(html_t *h, const selection_t *s)
{
    size_t open_rule[NOTIFY_RULE__COUNT] = {0}, cleared_rule[NOTIFY_RULE__COUNT] = {0};
    size_t open_risk[NOTIFY_RISK__COUNT] = {0}, cleared_risk[NOTIFY_RISK__COUNT] = {0};
    for (size_t i = 0; i < s->nopen; i++) {
        open_rule[s->open[i]->rule]++;
        open_risk[s->open[i]->risk]++;
    }
    for (size_t i = 0; i < s->ncleared; i++) {
        cleared_rule[s->cleared[i]->rule]++;
        cleared_risk[s->cleared[i]->risk]++;
    }
    const char *rule_names[NOTIFY_RULE__COUNT], *risk_names[NOTIFY_RISK__COUNT];
    for (int i = 0; i < NOTIFY_RULE__COUNT; i++)
        rule_names[i] = notify_rule_name((notify_rule_t)i, h->lang);
    for (int i = 0; i < NOTIFY_RISK__COUNT; i++)
        risk_names[i] = notify_risk_name((notify_risk_t)i, h->lang);

    put(h, "<h2 id=\"by-rule\">");
    put(h, tr(h, "按预警规则统计", "Warnings by rule"));
    put(h, "</h2>\n<p class=\"note\">");
    put(h, tr(h, "预警记录不含乡镇信息，因此不按乡镇统计，而按预警规则和风险类型统计。",
              "Warning records carry no township, so the counts are by rule and by risk type "
              "instead of by township."));
    put(h, "</p>\n<table class=\"counts\" id=\"rule-counts\">\n<tr><th>");
    put(h, tr(h, "预警规则", "Rule"));
    put(h, "</th><th>");
    put(h, tr(h, "未解除", "Open"));
    put(h, "</th><th>");
    put(h, tr(h, "已解除", "Cleared"));
    put(h, "</th></tr>\n");
    for (int i = 0; i < NOTIFY_RULE__COUNT; i++) {
        if (open_rule[i] == 0 && cleared_rule[i] == 0)
            continue;
        put(h, "<tr><td>");
        put(h, rule_names[i]);
        putf(h, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n", open_rule[i],
             cleared_rule[i]);
    }
    put(h, "</table>\n");
    bar_chart(h, rule_names, open_rule, NOTIFY_RULE__COUNT,
              tr(h, "未解除预警按规则", "Open warnings by rule"));

    put(h, "<h2 id=\"by-risk\">");
    put(h, tr(h, "按风险类型统计", "Warnings by risk type"));
    put(h, "</h2>\n<table class=\"counts\" id=\"risk-counts\">\n<tr><th>");
    put(h, tr(h, "风险类型", "Risk type"));
    put(h, "</th><th>");
    put(h, tr(h, "未解除", "Open"));
    put(h, "</th><th>");
    put(h, tr(h, "已解除", "Cleared"));
    put(h, "</th></tr>\n");
    for (int i = 0; i < NOTIFY_RISK__COUNT; i++) {
        if (open_risk[i] == 0 && cleared_risk[i] == 0)
            continue;
        put(h, "<tr><td>");
        put(h, risk_names[i]);
        putf(h, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n", open_risk[i],
             cleared_risk[i]);
    }
    put(h, "</table>\n");
    bar_chart(h, risk_names, open_risk, NOTIFY_RISK__COUNT,
              tr(h, "未解除预警按风险类型", "Open warnings by risk type"));
}

/* One quarter of the trend. */
typedef struct trend_row {
    int32_t quarter;
    size_t households;
    int64_t median, mean;
} trend_row_t;

static int64_t nice_step(int64_t span)
{
    int64_t step = 100; /* 1 yuan */
    while (step < span / 5) {
        if (step * 2 >= span / 5)
            return step * 2;
        if (step * 5 >= span / 5)
            return step * 5;
        step *= 10;
    }
    return step;
}

static void trend_section(html_t *h, const selection_t *s)
{
    put(h, "<h2 id=\"trend\">");
    put(h, tr(h, "近12个月人均纯收入走势（按季度）", "Per-capita T12M net income by quarter"));
    put(h, "</h2>\n<p class=\"note\">");
    put(h,
        tr(h,
           "按本县有收入类预警（收入不增反降、增速缓慢、年人均收入低于1万元、有返贫风险）的农户，"
           "取各季度末近12个月人均纯收入（含上年同期数）的中位数，单位：元。",
           "Median over this county's households with an income warning (income fell, slow "
           "growth, below 10,000 yuan, risk of returning to poverty) of the per-capita net "
           "income of the 12 months to each quarter's end (a year-earlier figure included), "
           "in yuan."));
    put(h, "</p>\n");
    if (s->npoints == 0) {
        put(h, "<p>");
        put(h, tr(h, "暂无收入数据。", "No income figures yet."));
        put(h, "</p>\n");
        return;
    }
    trend_row_t *rows = calloc(s->npoints, sizeof(*rows));
    if (rows == NULL) {
        h->err = ZS_ERR_NOMEM;
        return;
    }
    size_t nrows = 0;
    for (size_t i = 0; i < s->npoints;) {
        size_t j = i;
        double sum = 0;
        while (j < s->npoints && s->points[j].quarter == s->points[i].quarter)
            sum += (double)s->points[j++].fen;
        size_t n = j - i;
        const point_t *mid = &s->points[i + n / 2];
        trend_row_t *row = &rows[nrows++];
        row->quarter = s->points[i].quarter;
        row->households = n;
        row->median = n % 2 == 1 ? mid->fen : mid[-1].fen + (mid->fen - mid[-1].fen) / 2;
        row->mean = (int64_t)(sum / (double)n + (sum >= 0 ? 0.5 : -0.5));
        i = j;
    }
    /* The chart: medians as a line, the 10,000-yuan line (plan items 26, 33) dashed. */
    int64_t lo = 0, hi = 1000000;
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].median < lo)
            lo = rows[i].median;
        if (rows[i].median > hi)
            hi = rows[i].median;
    }
    int64_t step = nice_step(hi - lo + hi / 10);
    lo = lo < 0 ? -((-lo + step - 1) / step) * step : 0;
    hi = (hi / step + 1) * step;
    const double left = 110, right = 20, top = 16, bottom = 40, width = 760, height = 300;
    const double pw = width - left - right, ph = height - top - bottom;
    int32_t q0 = rows[0].quarter, q1 = rows[nrows - 1].quarter;
    double span = q1 > q0 ? (double)(q1 - q0) : 1;
#define X(q)   (left + (q1 > q0 ? pw * (double)((q)-q0) / span : pw / 2))
#define Y(fen) (top + ph - ph * (double)((fen)-lo) / (double)(hi - lo))
    putf(h,
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
         "role=\"img\" aria-label=\"",
         width, height);
    put(h, tr(h, "人均纯收入中位数走势", "Median per-capita income by quarter"));
    put(h, "\">\n");
    for (int64_t v = lo; v <= hi; v += step) {
        putf(h,
             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
             "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
             left, Y(v), left + pw, Y(v), left - 6, Y(v) + 4);
        yuan(h, v);
        put(h, "</text>\n");
    }
    putf(h,
         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#b00020\" "
         "stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
         "fill=\"#b00020\">",
         left, Y(1000000), left + pw, Y(1000000), left + pw, Y(1000000) - 4);
    put(h, tr(h, "年人均收入1万元", "10,000 yuan a year"));
    put(h, "</text>\n<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2\" points=\"");
    for (size_t i = 0; i < nrows; i++)
        putf(h, "%s%.1f,%.1f", i > 0 ? " " : "", X(rows[i].quarter), Y(rows[i].median));
    put(h, "\"/>\n");
    size_t label_every = nrows > 12 ? (nrows + 11) / 12 : 1;
    for (size_t i = 0; i < nrows; i++) {
        putf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#4e79a7\"><title>",
             X(rows[i].quarter), Y(rows[i].median));
        quarter_label(h, rows[i].quarter);
        put(h, ": ");
        yuan(h, rows[i].median);
        if (h->lang == NOTIFY_LANG_EN)
            putf(h, " yuan (%zu households)", rows[i].households);
        else
            putf(h, " 元（%zu 户）", rows[i].households);
        put(h, "</title></circle>\n");
        if (i % label_every == 0) {
            putf(h, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", X(rows[i].quarter),
                 top + ph + 18);
            quarter_label(h, rows[i].quarter);
            put(h, "</text>\n");
        }
    }
#undef X
#undef Y
    put(h, "</svg>\n<table id=\"trend-table\">\n<tr><th>");
    put(h, tr(h, "季度", "Quarter"));
    put(h, "</th><th>");
    put(h, tr(h, "农户数", "Households"));
    put(h, "</th><th>");
    put(h, tr(h, "中位数（元）", "Median (yuan)"));
    put(h, "</th><th>");
    put(h, tr(h, "平均数（元）", "Mean (yuan)"));
    put(h, "</th></tr>\n");
    for (size_t i = 0; i < nrows; i++) {
        put(h, "<tr><td>");
        quarter_label(h, rows[i].quarter);
        putf(h, "</td><td class=\"num\">%zu</td><td class=\"num\">", rows[i].households);
        yuan(h, rows[i].median);
        put(h, "</td><td class=\"num\">");
        yuan(h, rows[i].mean);
        put(h, "</td></tr>\n");
    }
    put(h, "</table>\n");
    free(rows);
}

static void threshold(html_t *h, const notify_warning_t *w, int64_t v)
{
    char s[48];
    switch (w->threshold_unit) {
    case NOTIFY_UNIT_FEN:
        yuan(h, v);
        put(h, tr(h, " 元", " yuan"));
        break;
    case NOTIFY_UNIT_BASIS_POINTS:
        notify_report_percent(v, s, sizeof(s));
        put(h, s);
        break;
    case NOTIFY_UNIT_MONTHS:
        putf(h, "%" PRId64 "%s", v, tr(h, " 个月", " months"));
        break;
    case NOTIFY_UNIT_YEARS:
        putf(h, "%" PRId64 "%s", v, tr(h, " 岁", " years"));
        break;
    case NOTIFY_UNIT_COUNT:
        putf(h, "%" PRId64 "%s", v, tr(h, " 次", " times"));
        break;
    default:
        putf(h, "%" PRId64, v);
    }
}

/* The figures a warning rests on (预警依据), item 26. */
static void evidence(html_t *h, const notify_warning_t *w)
{
    char s[48];
    put(h, "<ul class=\"ev\">");
    if (w->has_t12m) {
        put(h, tr(h, "<li>近12个月人均纯收入：", "<li>Per-capita T12M net income: "));
        yuan(h, w->t12m_fen);
        put(h, tr(h, " 元</li>", " yuan</li>"));
    }
    if (w->has_t12m_prev) {
        put(h, tr(h, "<li>上年同期：", "<li>A year earlier: "));
        yuan(h, w->t12m_prev_fen);
        put(h, tr(h, " 元</li>", " yuan</li>"));
    }
    if (w->has_growth) {
        notify_report_percent(w->growth_bp, s, sizeof(s));
        put(h, tr(h, "<li>增速：", "<li>Growth: "));
        put(h, s);
        put(h, "</li>");
    }
    if (w->members_active > 0)
        putf(h, "%s%" PRId32 "%s", tr(h, "<li>家庭人口：", "<li>Active members: "),
             w->members_active, tr(h, " 人</li>", "</li>"));
    if (w->ncomponents > 0) {
        put(h, "<li>");
        put(h, tr(h, "收入构成变化：", "Income components: "));
        put(h, "<table class=\"comp\"><tr><th>");
        put(h, tr(h, "构成", "Component"));
        put(h, "</th><th>");
        put(h, tr(h, "近12个月（元）", "Last 12 months (yuan)"));
        put(h, "</th><th>");
        put(h, tr(h, "上年同期（元）", "A year earlier (yuan)"));
        put(h, "</th><th>");
        put(h, tr(h, "变化（元）", "Change (yuan)"));
        put(h, "</th></tr>");
        for (size_t i = 0; i < w->ncomponents; i++) {
            const notify_component_t *c = &w->components[i];
            put(h, "<tr><td>");
            put(h, h->lang == NOTIFY_LANG_EN ? component_en[c->component]
                                             : component_zh[c->component]);
            put(h, "</td><td class=\"num\">");
            yuan(h, c->current_fen);
            put(h, "</td><td class=\"num\">");
            if (c->has_previous)
                yuan(h, c->previous_fen);
            else
                put(h, "—");
            put(h, "</td><td class=\"num\">");
            if (c->has_previous)
                yuan(h, c->current_fen - c->previous_fen);
            else
                put(h, "—");
            put(h, "</td></tr>");
        }
        put(h, "</table></li>");
    }
    const char *basis = notify_evidence_basis(w->rule, w->threshold_unit, h->lang);
    if (w->has_threshold) {
        put(h, tr(h, "<li>阈值：", "<li>Threshold: "));
        threshold(h, w, w->threshold);
        if (basis[0] != '\0') {
            put(h, tr(h, "（依据：", " (basis: "));
            put(h, basis);
            put(h, tr(h, "）", ")"));
        }
        put(h, "</li>");
    } else if (basis[0] != '\0') {
        put(h, tr(h, "<li>依据：", "<li>Basis: "));
        put(h, basis);
        put(h, "</li>");
    }
    if (w->has_observed) {
        put(h, tr(h, "<li>观测值：", "<li>Observed: "));
        threshold(h, w, w->observed);
        put(h, "</li>");
    }
    if (w->program != NOTIFY_PROGRAM_NONE && w->program < NOTIFY_PROGRAM__COUNT) {
        put(h, tr(h, "<li>项目：", "<li>Programme: "));
        put(h, h->lang == NOTIFY_LANG_EN ? program_en[w->program] : program_zh[w->program]);
        put(h, "</li>");
    }
    if (w->has_amount) {
        put(h, tr(h, "<li>涉及金额：", "<li>Amount: "));
        yuan(h, w->amount_fen);
        put(h, tr(h, " 元</li>", " yuan</li>"));
    }
    char note[256];
    notify_evidence_note(w, h->lang, note, sizeof(note));
    if (note[0] != '\0') {
        put(h, tr(h, "<li>说明：", "<li>Note: "));
        put(h, note);
        put(h, "</li>");
    }
    if (w->ruleset_version[0] != '\0') {
        put(h, tr(h, "<li>规则版本：", "<li>Rule set: "));
        text(h, w->ruleset_version);
        put(h, "</li>");
    }
    put(h, "</ul>");
}

static void warning_row(html_t *h, const notify_warning_t *w, bool cleared)
{
    put(h, "<tr class=\"warning\"><td class=\"wid\">");
    text(h, w->warning_id);
    put(h, "</td><td>");
    text(h, w->household_id);
    if (w->person_id != NULL && w->person_id[0] != '\0') {
        put(h, tr(h, "<br>人员 ", "<br>person "));
        text(h, w->person_id);
    }
    put(h, "</td><td>");
    put(h, notify_rule_name(w->rule, h->lang));
    put(h, "</td><td>");
    put(h, notify_risk_name(w->risk, h->lang));
    putf(h, "</td><td class=\"sev-%s\">", severity_symbols[w->severity]);
    put(h, h->lang == NOTIFY_LANG_EN ? severity_en[w->severity] : severity_zh[w->severity]);
    put(h, "</td><td>");
    period(h, w->opened_year, w->opened_month);
    put(h, "</td><td>");
    period(h, w->year, w->month);
    put(h, "</td><td>");
    put(h, h->lang == NOTIFY_LANG_EN ? status_en[w->status] : status_zh[w->status]);
    put(h, "</td><td>");
    if (!cleared)
        evidence(h, w);
    else if (w->has_t12m) {
        yuan(h, w->t12m_fen);
        put(h, tr(h, " 元", " yuan"));
    } else {
        put(h, "—");
    }
    put(h, "</td></tr>\n");
}

static void warnings_table(html_t *h, const notify_warning_t *const *list, size_t n, bool cleared)
{
    if (n == 0) {
        put(h, "<p>");
        put(h, cleared ? tr(h, "无已解除的预警。", "No warning has been cleared.")
                       : tr(h, "无未解除的预警。", "No open warning."));
        put(h, "</p>\n");
        return;
    }
    put(h, cleared ? "<table id=\"cleared-warnings\">\n<tr><th>"
                   : "<table id=\"open-warnings\">\n<tr><th>");
    put(h, tr(h, "预警编号", "Warning"));
    put(h, "</th><th>");
    put(h, tr(h, "农户编号", "Household"));
    put(h, "</th><th>");
    put(h, tr(h, "预警规则", "Rule"));
    put(h, "</th><th>");
    put(h, tr(h, "风险类型", "Risk type"));
    put(h, "</th><th>");
    put(h, tr(h, "预警等级", "Severity"));
    put(h, "</th><th>");
    put(h, tr(h, "首次预警期间", "Opened"));
    put(h, "</th><th>");
    put(h, cleared ? tr(h, "解除期间", "Cleared in") : tr(h, "最近期间", "Latest period"));
    put(h, "</th><th>");
    put(h, tr(h, "状态", "Status"));
    put(h, "</th><th>");
    put(h, cleared ? tr(h, "解除时人均纯收入", "Per-capita income when cleared")
                   : tr(h, "预警依据", "Evidence"));
    put(h, "</th></tr>\n");
    for (size_t i = 0; i < n && h->err == ZS_OK; i++)
        warning_row(h, list[i], cleared);
    put(h, "</table>\n");
}

static void html_begin(html_t *h, zs_buf_t *out, notify_lang_t lang)
{
    h->out = out;
    h->lang = lang;
    h->err = ZS_OK;
    zs_buf_init(&h->scratch, (size_t)16 << 20);
}

/* Ends the page: masks it once more as a whole (an ID number split over two
 * texts from the data), frees the scratch buffer. */
static zs_err_t html_end(html_t *h, size_t start)
{
    zs_buf_free(&h->scratch);
    if (h->err == ZS_OK && h->out->len > start)
        zs_log_mask_idnumbers(h->out->data + start, h->out->len - start);
    return h->err;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The number of distinct households with an open warning. */
static zs_err_t count_households(const selection_t *s, size_t *out)
{
    const char **ids = calloc(s->nopen, sizeof(*ids));
    if (ids == NULL)
        return ZS_ERR_NOMEM;
    for (size_t i = 0; i < s->nopen; i++)
        ids[i] = s->open[i]->household_id;
    qsort(ids, s->nopen, sizeof(*ids), cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < s->nopen; i++)
        n += i == 0 || strcmp(ids[i], ids[i - 1]) != 0;
    free(ids);
    *out = n;
    return ZS_OK;
}

zs_err_t notify_report_render(const notify_report_t *r, const char *county_code,
                              const zs_county_t *county, notify_lang_t lang, int64_t generated_at,
                              zs_buf_t *out)
{
    html_t h;
    size_t start = out->len;
    html_begin(&h, out, lang);
    selection_t s;
    h.err = select_county(r, county_code, &s);
    page_start(&h, county, county_code, false);
    put(&h, "<h1>");
    if (county != NULL && lang == NOTIFY_LANG_EN) {
        put(&h, "Income monitoring report: ");
        place(&h, county->name);
        put(&h, ", ");
        place(&h, county->city_name);
    } else if (county != NULL) {
        text(&h, county->city_name);
        put(&h, " ");
        text(&h, county->name);
        put(&h, " 增收监测预警报告");
    } else {
        put(&h, tr(&h, "增收监测预警报告：", "Income monitoring report: "));
        text(&h, county_code);
    }
    put(&h, "</h1>\n<p class=\"meta\">");
    put(&h, tr(&h, "县级行政区划代码 ", "County code "));
    text(&h, county_code);
    if (county != NULL && county->key_assistance)
        put(&h, tr(&h, "（国家乡村振兴重点帮扶县）", " (national key assistance county)"));
    put(&h, tr(&h, " · 生成时间 ", " · generated "));
    beijing_time(&h, generated_at);
    put(&h, "</p>\n");

    size_t households = 0, high = 0;
    for (size_t i = 0; i < s.nopen; i++)
        high += s.open[i]->severity == NOTIFY_SEVERITY_HIGH;
    if (s.nopen > 0 && h.err == ZS_OK)
        h.err = count_households(&s, &households);
    put(&h, "<div class=\"cards\"><div class=\"card\" id=\"open-count\"><b>");
    putf(&h, "%zu", s.nopen);
    put(&h, "</b>");
    put(&h, tr(&h, "未解除预警", "open warnings"));
    put(&h, "</div><div class=\"card\"><b>");
    putf(&h, "%zu", households);
    put(&h, "</b>");
    put(&h, tr(&h, "涉及农户", "households"));
    put(&h, "</div><div class=\"card\"><b>");
    putf(&h, "%zu", high);
    put(&h, "</b>");
    put(&h, tr(&h, "高等级", "high severity"));
    put(&h, "</div><div class=\"card\" id=\"cleared-count\"><b>");
    putf(&h, "%zu", s.ncleared);
    put(&h, "</b>");
    put(&h, tr(&h, "已解除预警", "cleared warnings"));
    put(&h, "</div></div>\n");

    counts_section(&h, &s);
    trend_section(&h, &s);
    putf(&h, "<h2 id=\"open\">%s%zu%s</h2>\n", tr(&h, "未解除的预警（", "Open warnings ("), s.nopen,
         tr(&h, "）", ")"));
    warnings_table(&h, s.open, s.nopen, false);
    putf(&h, "<h2 id=\"cleared\">%s%zu%s</h2>\n", tr(&h, "已解除的预警（", "Warnings cleared ("),
         s.ncleared, tr(&h, "）", ")"));
    warnings_table(&h, s.cleared, s.ncleared, true);
    page_end(&h);
    selection_free(&s);
    return html_end(&h, start);
}

zs_err_t notify_report_render_index(const notify_report_t *r, const zs_county_table_t *counties,
                                    notify_lang_t lang, int64_t generated_at, zs_buf_t *out)
{
    html_t h;
    size_t start = out->len;
    html_begin(&h, out, lang);
    page_start(&h, NULL, NULL, true);
    put(&h, "<h1>");
    put(&h, tr(&h, "增收监测预警报告：各县（市、区）", "Income monitoring reports: counties"));
    put(&h, "</h1>\n<p class=\"meta\">");
    put(&h, tr(&h, "生成时间 ", "Generated "));
    beijing_time(&h, generated_at);
    put(&h, "</p>\n<table id=\"counties\">\n<tr><th>");
    put(&h, tr(&h, "县级行政区划代码", "County code"));
    put(&h, "</th><th>");
    put(&h, tr(&h, "市", "City"));
    put(&h, "</th><th>");
    put(&h, tr(&h, "县（市、区）", "County"));
    put(&h, "</th><th>");
    put(&h, tr(&h, "未解除预警", "Open warnings"));
    put(&h, "</th><th>");
    put(&h, tr(&h, "已解除预警", "Cleared warnings"));
    put(&h, "</th></tr>\n");
    for (size_t i = 0; i < notify_report_county_count(r) && h.err == ZS_OK; i++) {
        const bucket_t *b = &AT(r->buckets, bucket_t, i);
        size_t nopen = 0, ncleared = 0;
        for (size_t k = 0; k < COUNT(b->recs, size_t); k++) {
            const notify_warning_t *w = &AT(r->recs, stored_t, AT(b->recs, size_t, k)).w;
            if (strcmp(w->county_code, b->code) != 0)
                continue;
            if (w->status == NOTIFY_STATUS_CLEARED)
                ncleared++;
            else
                nopen++;
        }
        const zs_county_t *c = zs_county_find(counties, b->code, strlen(b->code));
        put(&h, "<tr><td><a href=\"");
        text(&h, b->code);
        put(&h, ".html\">");
        text(&h, b->code);
        put(&h, "</a></td><td>");
        if (c != NULL)
            place(&h, c->city_name);
        put(&h, "</td><td>");
        if (c != NULL)
            place(&h, c->name);
        putf(&h, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n", nopen,
             ncleared);
    }
    put(&h, "</table>\n");
    page_end(&h);
    return html_end(&h, start);
}

zs_err_t notify_report_html(const notify_warning_t *list, size_t n, const char *county_code,
                            const zs_county_t *county, notify_lang_t lang, int64_t generated_at,
                            zs_buf_t *out)
{
    notify_report_t *r = NULL;
    zs_err_t err = notify_report_new(&r);
    for (size_t i = 0; i < n && err == ZS_OK; i++)
        err = notify_report_add(r, &list[i]);
    if (err == ZS_OK)
        err = notify_report_render(r, county_code, county, lang, generated_at, out);
    notify_report_free(r);
    return err;
}
