/* zs_config.c: configuration of every zengshou program: declared `zs.` keys
 * checked against their definitions, librdkafka properties passed through,
 * read from key=value files and -X arguments, dumped and documented. */
#include "zs_config.h"

#include "zs_log.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Install path of shared data; the build passes -DZS_DATADIR="...". */
#ifndef ZS_DATADIR
#define ZS_DATADIR "/usr/local/share/zengshou"
#endif

#define MASK "********"

/* Properties every program shares. */
static const zs_config_def_t common_defs[] = {
    {.name = "zs.topic.prefix",
     .type = ZS_CONFIG_STRING,
     .dflt = "zs.",
     .doc = "Prefix of every topic name (zs.income, zs.warnings, ...)."},
    {.name = "zs.schema.dir",
     .type = ZS_CONFIG_STRING,
     .dflt = ZS_DATADIR "/schemas",
     .env = "ZS_SCHEMA_DIR",
     .doc = "Directory holding the Avro schemas (*.avsc)."},
    {.name = "zs.data.dir",
     .type = ZS_CONFIG_STRING,
     .dflt = ZS_DATADIR "/data",
     .env = "ZS_DATA_DIR",
     .doc = "Directory holding region data such as county codes."},
    {.name = "zs.region",
     .type = ZS_CONFIG_STRING,
     .dflt = "guangxi",
     .doc = "Region whose county-level division codes are accepted."},
    {.name = "zs.log.level",
     .type = ZS_CONFIG_ENUM,
     .dflt = "info",
     .values = "debug|info|warn|error",
     .doc = "Lowest level of messages written to the log."},
    {.name = "zs.log.format",
     .type = ZS_CONFIG_ENUM,
     .dflt = "text",
     .values = "text|json",
     .doc = "Log line format: text for people, json (one object per line) for collectors."},
    ZS_CONFIG_DEFS_END,
};

/* The effective value of one declared key. */
typedef struct zs_config_val {
    char *text;   /* owned; NULL only for an unset string without default */
    char *origin; /* owned: "default", "$ENV", "path:line" or "-X" */
    bool set;     /* set from a file or -X, not a default */
    bool cmdline; /* set with -X: file settings no longer replace it */
    int64_t num;  /* parsed: integer, milliseconds, bytes, bool 0/1, enum index */
} zs_config_val_t;

/* One librdkafka property, kept as text until zs_config_kafka_conf. */
typedef struct zs_config_prop {
    char *key;    /* owned */
    char *value;  /* owned */
    char *origin; /* owned */
    bool cmdline; /* set with -X */
} zs_config_prop_t;

struct zs_config {
    const zs_config_def_t **defs; /* owned array of borrowed definitions: common first */
    zs_config_val_t *vals;        /* owned, parallel to defs */
    size_t ndefs;
    zs_config_prop_t *props; /* owned; librdkafka properties in the order first set */
    size_t nprops;
    size_t props_cap;
};

const zs_config_def_t *zs_config_common_defs(void)
{
    return common_defs;
}

/* ---- small text helpers ---- */

static char *dup_str(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static char *dup_mem(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Trims whitespace in place; returns the start of the trimmed text. */
static char *trim(char *s)
{
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Case-insensitive (ASCII) comparison of s[0..n) with the whole of t. */
static bool equal_nocase(const char *s, size_t n, const char *t)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (t[i] == '\0' || lower(s[i]) != lower(t[i]))
            return false;
    }
    return t[i] == '\0';
}

/* Case-insensitive substring search. */
static bool contains_nocase(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s != '\0'; s++) {
        size_t i = 0;
        while (i < n && s[i] != '\0' && lower(s[i]) == lower(needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

/* Keys are what librdkafka and we use: letters, digits, '.', '_', '-'. */
static bool key_is_valid(const char *key)
{
    if (*key == '\0')
        return false;
    for (const char *p = key; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool is_zs_key(const char *key)
{
    return strncmp(key, "zs.", 3) == 0;
}

bool zs_config_is_secret_name(const char *key)
{
    static const char *const patterns[] = {
        "password", "secret", "sasl.oauthbearer.config", "ssl.key.pem", "ssl_key",
    };
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        if (contains_nocase(key, patterns[i]))
            return true;
    }
    return false;
}

/* Levenshtein distance, capped: names longer than 63 get a large distance. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[64], prev[64];
    if (la >= 64 || lb >= 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
        }
        memcpy(prev, row, (lb + 1) * sizeof(row[0]));
    }
    return prev[lb];
}

/* ---- values ---- */

typedef struct zs_unit {
    const char *name; /* suffix, compared without case; "" for none */
    int64_t mult;     /* milliseconds or bytes per unit */
} zs_unit_t;

static const zs_unit_t ms_units[] = {
    {"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000},
};

static const zs_unit_t size_units[] = {
    {"", 1},
    {"b", 1},
    {"k", INT64_C(1) << 10},
    {"kb", INT64_C(1) << 10},
    {"kib", INT64_C(1) << 10},
    {"m", INT64_C(1) << 20},
    {"mb", INT64_C(1) << 20},
    {"mib", INT64_C(1) << 20},
    {"g", INT64_C(1) << 30},
    {"gb", INT64_C(1) << 30},
    {"gib", INT64_C(1) << 30},
    {"t", INT64_C(1) << 40},
    {"tb", INT64_C(1) << 40},
    {"tib", INT64_C(1) << 40},
};

/* Reads decimal digits at *p into a non-negative int64; false if none or too
 * large. */
static bool parse_digits(const char **p, int64_t *out)
{
    const char *s = *p;
    int64_t v = 0;
    if (!(*s >= '0' && *s <= '9'))
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        int d = *s - '0';
        if (v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return true;
}

static bool parse_int(const char *s, int64_t *out)
{
    bool neg = false;
    int64_t v;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    /* INT64_MIN itself is not accepted; no configuration needs it. */
    if (!parse_digits(&s, &v) || *s != '\0')
        return false;
    *out = neg ? -v : v;
    return true;
}

/* A non-negative number with an optional unit from units[]. */
static bool parse_scaled(const char *s, const zs_unit_t *units, size_t nunits, int64_t *out)
{
    int64_t v;
    if (!parse_digits(&s, &v))
        return false;
    while (is_space(*s))
        s++;
    for (size_t i = 0; i < nunits; i++) {
        if (equal_nocase(s, strlen(s), units[i].name)) {
            if (v > INT64_MAX / units[i].mult)
                return false;
            *out = v * units[i].mult;
            return true;
        }
    }
    return false;
}

static bool parse_bool(const char *s, int64_t *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (equal_nocase(s, strlen(s), yes[i])) {
            *out = 1;
            return true;
        }
        if (equal_nocase(s, strlen(s), no[i])) {
            *out = 0;
            return true;
        }
    }
    return false;
}

/* Finds s among the '|'-separated values; gives its index and declared
 * spelling (start and length inside values). */
static bool parse_enum(const char *values, const char *s, int64_t *index, const char **start,
                       size_t *len)
{
    const char *v = values;
    for (int64_t i = 0;; i++) {
        const char *end = strchr(v, '|');
        size_t n = end != NULL ? (size_t)(end - v) : strlen(v);
        if (equal_nocase(v, n, s)) {
            *index = i;
            *start = v;
            *len = n;
            return true;
        }
        if (end == NULL)
            return false;
        v = end + 1;
    }
}

/* Writes "a, b, c" for "a|b|c" into buf. */
static void list_values(const char *values, char *buf, size_t size)
{
    size_t o = 0;
    for (const char *v = values; *v != '\0' && o + 3 < size; v++) {
        if (*v == '|') {
            buf[o++] = ',';
            buf[o++] = ' ';
        } else {
            buf[o++] = *v;
        }
    }
    buf[o] = '\0';
}

/* Parses text by the type of def into *num, without the range check. */
static bool parse_typed(const zs_config_def_t *def, const char *text, int64_t *num)
{
    const char *start;
    size_t len;
    switch (def->type) {
    case ZS_CONFIG_STRING:
        *num = 0;
        return true;
    case ZS_CONFIG_INT:
        return parse_int(text, num);
    case ZS_CONFIG_BOOL:
        return parse_bool(text, num);
    case ZS_CONFIG_ENUM:
        return parse_enum(def->values, text, num, &start, &len);
    case ZS_CONFIG_MS:
        return parse_scaled(text, ms_units, sizeof(ms_units) / sizeof(ms_units[0]), num);
    case ZS_CONFIG_SIZE:
        if (!parse_scaled(text, size_units, sizeof(size_units) / sizeof(size_units[0]), num))
            return false;
        return (uint64_t)*num <= SIZE_MAX;
    }
    return false;
}

/* What a value of this type looks like, completing "is not ...". */
static void type_rule(const zs_config_def_t *def, char *buf, size_t size)
{
    char list[256];
    switch (def->type) {
    case ZS_CONFIG_STRING:
        snprintf(buf, size, "is not a string");
        break;
    case ZS_CONFIG_INT:
        snprintf(buf, size, "is not a 64-bit integer");
        break;
    case ZS_CONFIG_BOOL:
        snprintf(buf, size, "is not a boolean (true/false, yes/no, on/off, 1/0)");
        break;
    case ZS_CONFIG_ENUM:
        list_values(def->values, list, sizeof(list));
        snprintf(buf, size, "is not one of %s", list);
        break;
    case ZS_CONFIG_MS:
        snprintf(buf, size,
                 "is not a duration (a number with ms, s, m, h or d; bare numbers are ms)");
        break;
    case ZS_CONFIG_SIZE:
        snprintf(buf, size, "is not a size (a number with B, K, M, G or T; multiples of 1024)");
        break;
    }
}

/* Checks text against def: type, then bounds. On failure writes the broken
 * rule ("is not one of a, b") into rule and returns false. */
static bool check_value(const zs_config_def_t *def, const char *text, int64_t *num, char *rule,
                        size_t rule_size)
{
    int64_t lo = 0, hi = 0;
    if (!parse_typed(def, text, num)) {
        type_rule(def, rule, rule_size);
        return false;
    }
    if (def->type != ZS_CONFIG_INT && def->type != ZS_CONFIG_MS && def->type != ZS_CONFIG_SIZE)
        return true;
    /* Bounds were checked by zs_config_new, so they parse. */
    bool has_lo = def->min != NULL && parse_typed(def, def->min, &lo);
    bool has_hi = def->max != NULL && parse_typed(def, def->max, &hi);
    if ((has_lo && *num < lo) || (has_hi && *num > hi)) {
        if (has_lo && has_hi)
            snprintf(rule, rule_size, "is not between %s and %s", def->min, def->max);
        else if (has_lo)
            snprintf(rule, rule_size, "is less than the minimum %s", def->min);
        else
            snprintf(rule, rule_size, "is more than the maximum %s", def->max);
        return false;
    }
    return true;
}

/* The effective text of a checked value: enum values spelt as declared. */
static char *canonical_text(const zs_config_def_t *def, const char *text)
{
    int64_t index;
    const char *start;
    size_t len;
    if (def->type == ZS_CONFIG_ENUM && parse_enum(def->values, text, &index, &start, &len))
        return dup_mem(start, len);
    return dup_str(text);
}

static bool def_is_secret(const zs_config_def_t *def)
{
    return def->secret || zs_config_is_secret_name(def->name);
}

/* ---- building ---- */

static size_t count_defs(const zs_config_def_t *defs)
{
    size_t n = 0;
    while (defs != NULL && defs[n].name != NULL)
        n++;
    return n;
}

static zs_err_t check_def(const zs_config_t *cfg, size_t i, char *errstr, size_t errstr_size)
{
    const zs_config_def_t *def = cfg->defs[i];
    char rule[300];
    int64_t num = 0, lo = 0, hi = 0;
    bool numeric =
        def->type == ZS_CONFIG_INT || def->type == ZS_CONFIG_MS || def->type == ZS_CONFIG_SIZE;
    if (!is_zs_key(def->name) || !key_is_valid(def->name))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "definition %s: a name must start with zs. and use [A-Za-z0-9._-]",
                       def->name);
    if ((unsigned)def->type > ZS_CONFIG_SIZE)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "definition %s: unknown type %d",
                       def->name, (int)def->type);
    if (def->type == ZS_CONFIG_ENUM && (def->values == NULL || def->values[0] == '\0'))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "definition %s: an enum needs its values", def->name);
    if (def->dflt == NULL && def->type != ZS_CONFIG_STRING)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "definition %s: only strings may lack a default", def->name);
    if ((def->min != NULL || def->max != NULL) && !numeric)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "definition %s: only integers, durations and sizes have bounds", def->name);
    if ((def->min != NULL && !parse_typed(def, def->min, &lo)) ||
        (def->max != NULL && !parse_typed(def, def->max, &hi)))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "definition %s: a bound does not parse as its type", def->name);
    if (def->min != NULL && def->max != NULL && lo > hi)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "definition %s: min above max",
                       def->name);
    if (def->dflt != NULL && !check_value(def, def->dflt, &num, rule, sizeof(rule)))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "definition %s: default '%s' %s",
                       def->name, def->dflt, rule);
    for (size_t j = 0; j < i; j++) {
        if (strcmp(cfg->defs[j]->name, def->name) == 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "definition %s: declared twice",
                           def->name);
    }
    return ZS_OK;
}

/* Sets vals[i] to its default, from the environment variable if one is set. */
static zs_err_t apply_default(zs_config_t *cfg, size_t i, char *errstr, size_t errstr_size)
{
    const zs_config_def_t *def = cfg->defs[i];
    zs_config_val_t *val = &cfg->vals[i];
    const char *text = def->dflt;
    const char *env = def->env != NULL ? getenv(def->env) : NULL;
    char origin[128] = "default";
    char rule[300];
    int64_t num = 0;

    if (env != NULL && env[0] != '\0') {
        text = env;
        snprintf(origin, sizeof(origin), "$%s", def->env);
    }
    if (text != NULL && !check_value(def, text, &num, rule, sizeof(rule))) {
        if (def_is_secret(def))
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s: value %s", origin,
                           def->name, rule);
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s: '%s' %s", origin, def->name,
                       text, rule);
    }
    val->text = text != NULL ? canonical_text(def, text) : NULL;
    val->origin = dup_str(origin);
    val->num = num;
    if ((text != NULL && val->text == NULL) || val->origin == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    return ZS_OK;
}

zs_err_t zs_config_new(zs_config_t **cfgp, const zs_config_def_t *defs, char *errstr,
                       size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    size_t ncommon = count_defs(common_defs), nown = count_defs(defs);
    zs_config_t *cfg = calloc(1, sizeof(*cfg));

    *cfgp = NULL;
    if (cfg == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    cfg->ndefs = ncommon + nown;
    cfg->defs = calloc(cfg->ndefs, sizeof(*cfg->defs));
    cfg->vals = calloc(cfg->ndefs, sizeof(*cfg->vals));
    if (cfg->defs == NULL || cfg->vals == NULL) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
        goto destroy;
    }
    for (size_t i = 0; i < ncommon; i++)
        cfg->defs[i] = &common_defs[i];
    for (size_t i = 0; i < nown; i++)
        cfg->defs[ncommon + i] = &defs[i];
    for (size_t i = 0; i < cfg->ndefs; i++) {
        err = check_def(cfg, i, errstr, errstr_size);
        if (err == ZS_OK)
            err = apply_default(cfg, i, errstr, errstr_size);
        if (err != ZS_OK)
            goto destroy;
    }
    *cfgp = cfg;
    return ZS_OK;

destroy:
    zs_config_destroy(cfg);
    return err;
}

void zs_config_destroy(zs_config_t *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; cfg->vals != NULL && i < cfg->ndefs; i++) {
        free(cfg->vals[i].text);
        free(cfg->vals[i].origin);
    }
    for (size_t i = 0; i < cfg->nprops; i++) {
        free(cfg->props[i].key);
        free(cfg->props[i].value);
        free(cfg->props[i].origin);
    }
    free(cfg->props);
    free(cfg->vals);
    free(cfg->defs);
    free(cfg);
}

/* ---- setting ---- */

static ptrdiff_t find_def(const zs_config_t *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->ndefs; i++) {
        if (strcmp(cfg->defs[i]->name, key) == 0)
            return (ptrdiff_t)i;
    }
    return -1;
}

static ptrdiff_t find_prop(const zs_config_t *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->nprops; i++) {
        if (strcmp(cfg->props[i].key, key) == 0)
            return (ptrdiff_t)i;
    }
    return -1;
}

static zs_err_t unknown_key(const zs_config_t *cfg, const char *key, const char *origin,
                            char *errstr, size_t errstr_size)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < cfg->ndefs; i++) {
        size_t d = edit_distance(key, cfg->defs[i]->name);
        if (d < best_d) {
            best_d = d;
            best = cfg->defs[i]->name;
        }
    }
    if (best != NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: unknown key %s (did you mean %s?)",
                       origin, key, best);
    return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: unknown key %s", origin, key);
}

static zs_err_t set_declared(zs_config_t *cfg, size_t i, const char *value, const char *origin,
                             bool cmdline, char *errstr, size_t errstr_size)
{
    const zs_config_def_t *def = cfg->defs[i];
    zs_config_val_t *val = &cfg->vals[i];
    char rule[300];
    int64_t num;

    if (!check_value(def, value, &num, rule, sizeof(rule))) {
        if (def_is_secret(def))
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s: value %s", origin,
                           def->name, rule);
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s: '%s' %s", origin, def->name,
                       value, rule);
    }
    /* The command line wins over files whatever the order of the calls. */
    if (val->cmdline && !cmdline)
        return ZS_OK;
    char *text = canonical_text(def, value);
    char *orig = dup_str(origin);
    if (text == NULL || orig == NULL) {
        free(text);
        free(orig);
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    }
    free(val->text);
    free(val->origin);
    val->text = text;
    val->origin = orig;
    val->num = num;
    val->set = true;
    val->cmdline = cmdline;
    return ZS_OK;
}

static zs_err_t set_prop(zs_config_t *cfg, const char *key, const char *value, const char *origin,
                         bool cmdline, char *errstr, size_t errstr_size)
{
    ptrdiff_t at = find_prop(cfg, key);
    if (at >= 0) {
        zs_config_prop_t *prop = &cfg->props[at];
        if (prop->cmdline && !cmdline)
            return ZS_OK;
        char *v = dup_str(value);
        char *o = dup_str(origin);
        if (v == NULL || o == NULL) {
            free(v);
            free(o);
            return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
        }
        free(prop->value);
        free(prop->origin);
        prop->value = v;
        prop->origin = o;
        prop->cmdline = cmdline;
        return ZS_OK;
    }
    if (cfg->nprops == cfg->props_cap) {
        size_t cap = cfg->props_cap ? cfg->props_cap * 2 : 16;
        zs_config_prop_t *props = realloc(cfg->props, cap * sizeof(*props));
        if (props == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
        cfg->props = props;
        cfg->props_cap = cap;
    }
    zs_config_prop_t prop = {dup_str(key), dup_str(value), dup_str(origin), cmdline};
    if (prop.key == NULL || prop.value == NULL || prop.origin == NULL) {
        free(prop.key);
        free(prop.value);
        free(prop.origin);
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    }
    cfg->props[cfg->nprops++] = prop;
    return ZS_OK;
}

zs_err_t zs_config_set(zs_config_t *cfg, const char *key, const char *value, const char *origin,
                       bool cmdline, char *errstr, size_t errstr_size)
{
    if (!key_is_valid(key))
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE,
                       "%s: a key is letters, digits, '.', '_' and '-', not '%s'", origin, key);
    if (!is_zs_key(key))
        return set_prop(cfg, key, value, origin, cmdline, errstr, errstr_size);
    ptrdiff_t i = find_def(cfg, key);
    if (i < 0)
        return unknown_key(cfg, key, origin, errstr, errstr_size);
    return set_declared(cfg, (size_t)i, value, origin, cmdline, errstr, errstr_size);
}

/* Splits "key = value" in place at the first '=' and trims both; false if
 * there is no '=' or no key. */
static bool split_setting(char *line, char **key, char **value)
{
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return false;
    *eq = '\0';
    *key = trim(line);
    *value = trim(eq + 1);
    return **key != '\0';
}

zs_err_t zs_config_set_arg(zs_config_t *cfg, const char *arg, char *errstr, size_t errstr_size)
{
    char *copy = dup_str(arg);
    char *key, *value;
    zs_err_t err;
    if (copy == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    if (split_setting(copy, &key, &value)) {
        err = zs_config_set(cfg, key, value, "-X", true, errstr, errstr_size);
        if (err == ZS_OK && *value != '\0' && zs_config_is_secret_name(key))
            zs_log(ZS_LOG_WARN,
                   "-X %s: a secret on the command line is visible to every user of this "
                   "machine (ps, /proc); give it in a -F file only its owner can read",
                   key);
    } else
        /* The argument may be a mistyped secret: do not echo it. */
        err = zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "-X: expected key=value");
    free(copy);
    return err;
}

zs_err_t zs_config_load_file(zs_config_t *cfg, const char *path, char *errstr, size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: cannot open: %s", path,
                       strerror(errno));

    for (;;) {
        errno = 0;
        ssize_t n = getline(&line, &cap, fp);
        if (n < 0)
            break;
        lineno++;
        char *s = line, *key, *value, origin[512];
        if (lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3; /* a UTF-8 byte order mark from Windows editors */
        if (strlen(line) != (size_t)n) {
            err = zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s:%lu: line contains a NUL byte",
                          path, lineno);
            goto close;
        }
        s = trim(s);
        if (*s == '\0' || *s == '#')
            continue;
        snprintf(origin, sizeof(origin), "%s:%lu", path, lineno);
        /* The line is not echoed: it may be a mistyped secret. */
        if (!split_setting(s, &key, &value)) {
            err = zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s: expected key=value", origin);
            goto close;
        }
        err = zs_config_set(cfg, key, value, origin, false, errstr, errstr_size);
        if (err != ZS_OK)
            goto close;
    }
    if (ferror(fp))
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s:%lu: read error: %s", path, lineno + 1,
                      strerror(errno));
    else if (errno == ENOMEM)
        err = zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "%s:%lu: out of memory", path, lineno + 1);

close:
    free(line);
    fclose(fp);
    return err;
}

/* ---- librdkafka ---- */

/* Copies msg into out with every occurrence of secret replaced by MASK. */
static void mask_in_message(const char *msg, const char *secret, char *out, size_t size)
{
    size_t n = strlen(secret), o = 0;
    while (*msg != '\0' && o + 1 < size) {
        if (n > 0 && strncmp(msg, secret, n) == 0) {
            for (const char *m = MASK; *m != '\0' && o + 1 < size; m++)
                out[o++] = *m;
            msg += n;
        } else {
            out[o++] = *msg++;
        }
    }
    out[o] = '\0';
}

zs_err_t zs_config_kafka_conf(const zs_config_t *cfg, rd_kafka_conf_t *conf, char *errstr,
                              size_t errstr_size)
{
    char kerr[512], shown[512];
    for (size_t i = 0; i < cfg->nprops; i++) {
        const zs_config_prop_t *prop = &cfg->props[i];
        if (rd_kafka_conf_set(conf, prop->key, prop->value, kerr, sizeof(kerr)) == RD_KAFKA_CONF_OK)
            continue;
        if (zs_config_is_secret_name(prop->key))
            mask_in_message(kerr, prop->value, shown, sizeof(shown));
        else
            snprintf(shown, sizeof(shown), "%s", kerr);
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s: rejected by librdkafka: %s",
                       prop->origin, prop->key, shown);
    }
    return ZS_OK;
}

/* ---- getting ---- */

static const char *type_name(zs_config_type_t type)
{
    switch (type) {
    case ZS_CONFIG_STRING:
        return "a string";
    case ZS_CONFIG_INT:
        return "an integer";
    case ZS_CONFIG_BOOL:
        return "a boolean";
    case ZS_CONFIG_ENUM:
        return "an enum";
    case ZS_CONFIG_MS:
        return "a duration";
    case ZS_CONFIG_SIZE:
        return "a size";
    }
    return "unknown";
}

/* Finds a declared key and checks it has the type the getter reads. */
static zs_err_t lookup(const zs_config_t *cfg, const char *key, zs_config_type_t type,
                       bool any_type, const zs_config_val_t **val, char *errstr, size_t errstr_size)
{
    ptrdiff_t i = find_def(cfg, key);
    if (i < 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND, "%s is not a declared key", key);
    if (!any_type && cfg->defs[i]->type != type)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s is %s, not %s", key,
                       type_name(cfg->defs[i]->type), type_name(type));
    *val = &cfg->vals[i];
    return ZS_OK;
}

zs_err_t zs_config_get_str(const zs_config_t *cfg, const char *key, const char **out, char *errstr,
                           size_t errstr_size)
{
    const zs_config_val_t *val = NULL;
    zs_err_t err = lookup(cfg, key, ZS_CONFIG_STRING, true, &val, errstr, errstr_size);
    if (err == ZS_OK)
        *out = val->text;
    return err;
}

zs_err_t zs_config_get_int(const zs_config_t *cfg, const char *key, int64_t *out, char *errstr,
                           size_t errstr_size)
{
    const zs_config_val_t *val = NULL;
    zs_err_t err = lookup(cfg, key, ZS_CONFIG_INT, false, &val, errstr, errstr_size);
    if (err == ZS_OK)
        *out = val->num;
    return err;
}

zs_err_t zs_config_get_bool(const zs_config_t *cfg, const char *key, bool *out, char *errstr,
                            size_t errstr_size)
{
    const zs_config_val_t *val = NULL;
    zs_err_t err = lookup(cfg, key, ZS_CONFIG_BOOL, false, &val, errstr, errstr_size);
    if (err == ZS_OK)
        *out = val->num != 0;
    return err;
}

zs_err_t zs_config_get_enum(const zs_config_t *cfg, const char *key, int *out, char *errstr,
                            size_t errstr_size)
{
    const zs_config_val_t *val = NULL;
    zs_err_t err = lookup(cfg, key, ZS_CONFIG_ENUM, false, &val, errstr, errstr_size);
    if (err == ZS_OK)
        *out = (int)val->num;
    return err;
}

zs_err_t zs_config_get_ms(const zs_config_t *cfg, const char *key, int64_t *out, char *errstr,
                          size_t errstr_size)
{
    const zs_config_val_t *val = NULL;
    zs_err_t err = lookup(cfg, key, ZS_CONFIG_MS, false, &val, errstr, errstr_size);
    if (err == ZS_OK)
        *out = val->num;
    return err;
}

zs_err_t zs_config_get_size(const zs_config_t *cfg, const char *key, size_t *out, char *errstr,
                            size_t errstr_size)
{
    const zs_config_val_t *val = NULL;
    zs_err_t err = lookup(cfg, key, ZS_CONFIG_SIZE, false, &val, errstr, errstr_size);
    if (err == ZS_OK)
        *out = (size_t)val->num;
    return err;
}

const char *zs_config_origin(const zs_config_t *cfg, const char *key)
{
    ptrdiff_t i = find_def(cfg, key);
    if (i >= 0)
        return cfg->vals[i].origin;
    i = find_prop(cfg, key);
    return i >= 0 ? cfg->props[i].origin : NULL;
}

/* ---- printing ---- */

/* One "key=value  # origin" line, values of secret keys masked. */
static void dump_line(FILE *out, const char *key, const char *value, bool secret, const char *note)
{
    const char *shown = value == NULL ? "" : (secret && value[0] != '\0') ? MASK : value;
    int n = fprintf(out, "%s=%s", key, shown);
    int pad = n >= 0 && n < 47 ? 47 - n : 1;
    fprintf(out, "%*s# %s\n", pad, "", note);
}

zs_err_t zs_config_dump(const zs_config_t *cfg, FILE *out)
{
    char note[600];
    fprintf(out, "# zengshou settings (origin after #; secrets shown as %s)\n", MASK);
    for (size_t i = 0; i < cfg->ndefs; i++) {
        const zs_config_val_t *val = &cfg->vals[i];
        if (val->set)
            snprintf(note, sizeof(note), "%s", val->origin);
        else if (val->origin[0] == '$')
            snprintf(note, sizeof(note), "default (%s)", val->origin);
        else
            snprintf(note, sizeof(note), "default%s", val->text == NULL ? ", unset" : "");
        dump_line(out, cfg->defs[i]->name, val->text, def_is_secret(cfg->defs[i]), note);
    }
    fprintf(out, "# librdkafka properties\n");
    for (size_t i = 0; i < cfg->nprops; i++) {
        const zs_config_prop_t *prop = &cfg->props[i];
        dump_line(out, prop->key, prop->value, zs_config_is_secret_name(prop->key), prop->origin);
    }
    return ferror(out) ? ZS_ERR_IO : ZS_OK;
}

/* Writes s, escaping '|' for a Markdown table cell when md. */
static void put_cell(FILE *out, const char *s, bool md)
{
    for (; *s != '\0'; s++) {
        if (md && *s == '|')
            fputc('\\', out);
        fputc(*s, out);
    }
}

/* Writes s as code: `s` in Markdown, plain in text. */
static void put_code(FILE *out, const char *s, bool md)
{
    if (md)
        fputc('`', out);
    put_cell(out, s, md);
    if (md)
        fputc('`', out);
}

static void put_default(FILE *out, const zs_config_def_t *def, bool md)
{
    if (def->dflt == NULL)
        fputs("(none)", out);
    else if (def->dflt[0] == '\0')
        fputs("(empty)", out);
    else
        put_code(out, def_is_secret(def) ? MASK : def->dflt, md);
}

/* The rule of a key after its doc line: type, values, bounds, environment. */
static void put_rule(FILE *out, const zs_config_def_t *def, bool md)
{
    static const char *const kind[] = {
        [ZS_CONFIG_STRING] = NULL,
        [ZS_CONFIG_INT] = "Integer",
        [ZS_CONFIG_BOOL] = "Boolean (true/false, yes/no, on/off, 1/0)",
        [ZS_CONFIG_ENUM] = "One of",
        [ZS_CONFIG_MS] = "Duration (500ms, 30s, 5m, 2h, 1d; a bare number is ms)",
        [ZS_CONFIG_SIZE] = "Size in bytes (512K, 64M, 1G; multiples of 1024)",
    };
    if (kind[def->type] != NULL)
        fprintf(out, " %s", kind[def->type]);
    if (def->type == ZS_CONFIG_ENUM) {
        const char *v = def->values;
        for (bool first = true; v != NULL; first = false) {
            const char *end = strchr(v, '|');
            char one[128];
            size_t n = end != NULL ? (size_t)(end - v) : strlen(v);
            snprintf(one, sizeof(one), "%.*s", (int)n, v);
            fputs(first ? " " : ", ", out);
            put_code(out, one, md);
            v = end != NULL ? end + 1 : NULL;
        }
    }
    if (def->min != NULL && def->max != NULL)
        fprintf(out, " from %s to %s", def->min, def->max);
    else if (def->min != NULL)
        fprintf(out, ", at least %s", def->min);
    else if (def->max != NULL)
        fprintf(out, ", at most %s", def->max);
    if (kind[def->type] != NULL)
        fputc('.', out);
    if (def->env != NULL) {
        fputs(" Environment variable ", out);
        put_code(out, def->env, md);
        fputs(" replaces the default.", out);
    }
    if (def_is_secret(def))
        fputs(" Secret: never printed.", out);
}

zs_err_t zs_config_doc(const zs_config_def_t *defs, FILE *out, zs_config_doc_format_t format)
{
    bool md = format == ZS_CONFIG_DOC_MARKDOWN;
    if (format != ZS_CONFIG_DOC_MARKDOWN && format != ZS_CONFIG_DOC_TEXT)
        return ZS_ERR_INVALID;
    if (md)
        fputs("| name | default | meaning |\n|---|---|---|\n", out);
    for (size_t i = 0; defs != NULL && defs[i].name != NULL; i++) {
        const zs_config_def_t *def = &defs[i];
        if (md) {
            fputs("| ", out);
            put_code(out, def->name, md);
            fputs(" | ", out);
            put_default(out, def, md);
            fputs(" | ", out);
            put_cell(out, def->doc != NULL ? def->doc : "", md);
            put_rule(out, def, md);
            fputs(" |\n", out);
        } else {
            fprintf(out, "%s (default ", def->name);
            put_default(out, def, md);
            fputs(")\n   ", out);
            if (def->doc != NULL)
                fprintf(out, " %s", def->doc);
            put_rule(out, def, md);
            fputc('\n', out);
        }
    }
    return ferror(out) ? ZS_ERR_IO : ZS_OK;
}

bool zs_config_describe_if_asked(int argc, char **argv, const zs_config_def_t *defs, FILE *out)
{
    for (int i = 1; i < argc; i++) {
        bool text = strcmp(argv[i], "--describe-config") == 0;
        bool md = strcmp(argv[i], "--describe-config=markdown") == 0;
        if (!text && !md)
            continue;
        zs_config_doc_format_t f = md ? ZS_CONFIG_DOC_MARKDOWN : ZS_CONFIG_DOC_TEXT;
        if (defs != NULL && defs[0].name != NULL) {
            fputs(md ? "Its own:\n\n" : "Its own properties:\n", out);
            zs_config_doc(defs, out, f);
            fputs(md ? "\nAnd those of every program:\n\n" : "\nThose of every program:\n", out);
        }
        zs_config_doc(zs_config_common_defs(), out, f);
        if (!md)
            fputs("\nAny other KEY=VALUE is a librdkafka property, passed through.\n", out);
        return true;
    }
    return false;
}

zs_err_t zs_config_option(zs_config_t *cfg, int opt, const char *arg, char *errstr,
                          size_t errstr_size)
{
    switch (opt) {
    case 'b':
        return zs_config_set(cfg, "bootstrap.servers", arg, "-b", true, errstr, errstr_size);
    case 'X':
        return zs_config_set_arg(cfg, arg, errstr, errstr_size);
    case 'F':
        return zs_config_load_file(cfg, arg, errstr, errstr_size);
    default:
        return ZS_ERR_NOT_FOUND;
    }
}

zs_err_t zs_config_apply_logging(const zs_config_t *cfg, const char *prog, char *errstr,
                                 size_t errstr_size)
{
    const char *level_name = NULL, *format_name = NULL;
    zs_log_level_t level;
    zs_log_format_t format;
    zs_err_t err = zs_config_get_str(cfg, "zs.log.level", &level_name, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(cfg, "zs.log.format", &format_name, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (zs_log_level_parse(level_name, &level) != ZS_OK ||
        zs_log_format_parse(format_name, &format) != ZS_OK)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "zs.log.level or zs.log.format");
    zs_log_init(prog, level, format);
    return ZS_OK;
}

int zs_config_take_option(zs_config_t *cfg, int opt, const char *arg)
{
    char errstr[512];
    zs_err_t err = zs_config_option(cfg, opt, arg, errstr, sizeof(errstr));
    if (err == ZS_ERR_NOT_FOUND)
        return 0;
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return -1;
    }
    return 1;
}
