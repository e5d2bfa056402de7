/* notify_route.c: zs-notify's routing table: parsing and checking the route
 * file, the most specific route of a county, the retry delays and the
 * idempotency key. No I/O but reading the file. */
#include "notify_route.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zs_buf.h"

#define ROUTES_FILE_MAX ((size_t)1 << 20)

struct notify_routes {
    notify_route_t *routes; /* in the order written */
    size_t count;
    size_t channels;
};

static bool is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

const char *notify_kind_name(notify_kind_t kind)
{
    return kind == NOTIFY_WEBHOOK ? "webhook" : "outbox";
}

/* Splits a line into whitespace-separated fields (at most max; *n says how
 * many there were, even past max). */
static void split(const char *line, size_t len, const char **f, size_t *flen, size_t max, size_t *n)
{
    size_t i = 0;
    *n = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        if (*n < max) {
            f[*n] = line + start;
            flen[*n] = i - start;
        }
        (*n)++;
    }
}

/* Whether s[0..n) is a decimal number 0-255 (no sign, no leading zero). */
static bool is_octet(const char *s, size_t n)
{
    if (n == 0 || n > 3 || !is_digits(s, n) || (n > 1 && s[0] == '0'))
        return false;
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v <= 255;
}

bool notify_host_is_loopback(const char *host, size_t len)
{
    if (len == 9 && strncasecmp(host, "localhost", 9) == 0)
        return true;
    if (len == 5 && strncmp(host, "[::1]", 5) == 0)
        return true;
    /* 127.0.0.0/8: 127 and three octets. */
    if (len < 4 || strncmp(host, "127.", 4) != 0)
        return false;
    size_t octets = 1, start = 4;
    for (size_t i = 4; i <= len; i++) {
        if (i < len && host[i] != '.')
            continue;
        if (!is_octet(host + start, i - start))
            return false;
        octets++;
        start = i + 1;
    }
    return octets == 4;
}

/* Checks a webhook URL: https://, or http:// to this machine only (a warning
 * in clear through a network is readable and forgeable on the way); a host;
 * no control characters. */
static const char *check_url(const char *url, size_t len)
{
    size_t skip = 0;
    if (len >= 8 && strncmp(url, "https://", 8) == 0)
        skip = 8;
    else if (len >= 7 && strncmp(url, "http://", 7) == 0)
        skip = 7;
    else
        return "a webhook URL must start with https:// (or http:// for a receiver on this "
               "machine)";
    size_t host = 0;
    for (size_t i = skip; i < len && url[i] != '/' && url[i] != '?' && url[i] != '#'; i++)
        host++;
    if (host == 0)
        return "the webhook URL names no host";
    /* One user:password@ at most: with two, the display would hide only the
     * first part of a credential, and clients disagree on the host. */
    const char *first = memchr(url + skip, '@', host);
    if (first != NULL && memchr(first + 1, '@', host - (size_t)(first + 1 - (url + skip))) != NULL)
        return "the webhook URL's host part holds more than one @ (percent-encode it as %40)";
    if (skip == 7) {
        /* The host of the authority: after any user:password@, before any :port. */
        const char *a = url + skip;
        size_t alen = host;
        const char *at = memchr(a, '@', alen);
        if (at != NULL) {
            alen -= (size_t)(at + 1 - a);
            a = at + 1;
        }
        size_t hlen = alen;
        if (alen > 0 && a[0] == '[') {
            /* [v6], then the end or a port. */
            const char *close = memchr(a, ']', alen);
            hlen = close != NULL ? (size_t)(close - a) + 1 : alen;
            if (hlen < alen && a[hlen] != ':')
                hlen = alen;
        } else {
            const char *colon = memchr(a, ':', alen);
            if (colon != NULL)
                hlen = (size_t)(colon - a);
        }
        if (!notify_host_is_loopback(a, hlen))
            return "a plain http:// webhook must be on this machine (127.0.0.0/8, [::1], "
                   "localhost): use https:// for any other host";
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] < 0x20 || (unsigned char)url[i] >= 0x7f)
            return "the webhook URL holds a byte that is not printable ASCII (percent-encode it)";
    return NULL;
}

/* Checks an outbox directory: absolute, no control characters. */
static const char *check_dir(const char *dir, size_t len)
{
    if (len == 0 || dir[0] != '/')
        return "an outbox directory must be an absolute path";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)dir[i] < 0x20 || dir[i] == 0x7f)
            return "the outbox directory holds a control character";
    return NULL;
}

/* Parses one non-blank, non-comment line into r. NULL or why it is wrong
 * (*parse set when the line's shape is wrong rather than a value). */
static const char *parse_line(const notify_routes_t *t, const char *line, size_t len,
                              notify_route_t *r, bool *parse, char *why, size_t why_size)
{
    const char *f[3] = {NULL, NULL, NULL};
    size_t flen[3] = {0, 0, 0}, n = 0;
    split(line, len, f, flen, 3, &n);
    if (n != 3) {
        *parse = true;
        snprintf(why, why_size, "want 3 fields (COUNTY CHANNEL TARGET), got %zu", n);
        return why;
    }
    if (!((flen[0] == 1 && f[0][0] == '*') ||
          ((flen[0] == 4 || flen[0] == 6) && is_digits(f[0], flen[0])))) {
        snprintf(why, why_size,
                 "county '%.*s': want a 6-digit county code, a 4-digit city code or *",
                 (int)(flen[0] > 32 ? 32 : flen[0]), f[0]);
        return why;
    }
    memcpy(r->match, f[0], flen[0]);
    r->match[flen[0]] = '\0';
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->routes[i].match, r->match) == 0) {
            snprintf(why, why_size, "%s is routed twice (first at %.200s)", r->match,
                     t->routes[i].origin);
            return why;
        }
    if (flen[1] == 7 && strncmp(f[1], "webhook", 7) == 0) {
        r->kind = NOTIFY_WEBHOOK;
    } else if (flen[1] == 6 && strncmp(f[1], "outbox", 6) == 0) {
        r->kind = NOTIFY_OUTBOX;
    } else {
        snprintf(why, why_size, "channel '%.*s': want webhook or outbox",
                 (int)(flen[1] > 32 ? 32 : flen[1]), f[1]);
        return why;
    }
    if (flen[2] >= NOTIFY_TARGET_MAX) {
        snprintf(why, why_size, "target longer than %d bytes", NOTIFY_TARGET_MAX - 1);
        return why;
    }
    const char *bad =
        r->kind == NOTIFY_WEBHOOK ? check_url(f[2], flen[2]) : check_dir(f[2], flen[2]);
    if (bad != NULL)
        return bad;
    memcpy(r->target, f[2], flen[2]);
    r->target[flen[2]] = '\0';
    /* Routes to the same place share one channel (one queue, one order). */
    r->channel = (int)t->channels;
    for (size_t i = 0; i < t->count; i++)
        if (t->routes[i].kind == r->kind && strcmp(t->routes[i].target, r->target) == 0) {
            r->channel = t->routes[i].channel;
            break;
        }
    return NULL;
}

zs_err_t notify_routes_parse(const char *text, size_t len, const char *origin,
                             notify_routes_t **out, char *errstr, size_t errstr_size)
{
    notify_routes_t *t = calloc(1, sizeof(*t));
    zs_err_t err = ZS_OK;
    size_t cap = 0;
    int lineno = 0;
    char why[256];
    *out = NULL;
    if (t == NULL)
        return ZS_ERR_NOMEM;
    for (size_t pos = 0; pos < len && err == ZS_OK;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
        pos += n + (nl != NULL);
        lineno++;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        size_t i = 0;
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == n || line[i] == '#')
            continue;
        if (memchr(line, '\0', n) != NULL) {
            err = zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s:%d: a NUL byte", origin, lineno);
            break;
        }
        if (t->count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            notify_route_t *grown = realloc(t->routes, ncap * sizeof(*grown));
            if (grown == NULL) {
                err = ZS_ERR_NOMEM;
                break;
            }
            t->routes = grown;
            cap = ncap;
        }
        notify_route_t *r = &t->routes[t->count];
        memset(r, 0, sizeof(*r));
        snprintf(r->origin, sizeof(r->origin), "%s:%d", origin, lineno);
        bool parse = false;
        const char *bad = parse_line(t, line, n, r, &parse, why, sizeof(why));
        if (bad != NULL) {
            err = zs_fail(errstr, errstr_size, parse ? ZS_ERR_PARSE : ZS_ERR_INVALID, "%s: %s",
                          r->origin, bad);
            break;
        }
        if (r->channel == (int)t->channels)
            t->channels++;
        t->count++;
    }
    if (err == ZS_OK && t->count == 0)
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                      "%s: no routes (want lines COUNTY CHANNEL TARGET)", origin);
    if (err != ZS_OK) {
        notify_routes_free(t);
        return err;
    }
    *out = t;
    return ZS_OK;
}

zs_err_t notify_routes_load(const char *path, notify_routes_t **out, char *errstr,
                            size_t errstr_size)
{
    zs_buf_t buf;
    char chunk[8192];
    zs_err_t err = ZS_OK;
    *out = NULL;
    zs_buf_init(&buf, ROUTES_FILE_MAX);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
    size_t n = 0;
    while (err == ZS_OK && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        err = zs_buf_add(&buf, chunk, n);
    if (err == ZS_ERR_OVERFLOW)
        zs_fail(errstr, errstr_size, err, "%s: larger than 1 MiB", path);
    else if (err == ZS_OK && ferror(fp))
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: cannot read", path);
    fclose(fp);
    if (err == ZS_OK)
        err = notify_routes_parse(buf.data != NULL ? buf.data : "", buf.len, path, out, errstr,
                                  errstr_size);
    zs_buf_free(&buf);
    return err;
}

void notify_routes_free(notify_routes_t *routes)
{
    if (routes == NULL)
        return;
    free(routes->routes);
    free(routes);
}

zs_err_t notify_routes_check_region(const notify_routes_t *routes,
                                    const zs_county_table_t *counties, char *errstr,
                                    size_t errstr_size)
{
    for (size_t i = 0; i < routes->count; i++) {
        const notify_route_t *r = &routes->routes[i];
        size_t n = strlen(r->match);
        if (n == 6 && zs_county_find(counties, r->match, 6) == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND,
                           "%s: %s is not a county of the region", r->origin, r->match);
        if (n == 4) {
            bool found = false;
            for (size_t c = 0; c < zs_county_count(counties) && !found; c++)
                found = strcmp(zs_county_at(counties, c)->city_code, r->match) == 0;
            if (!found)
                return zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND,
                               "%s: %s is not a city of the region", r->origin, r->match);
        }
    }
    return ZS_OK;
}

size_t notify_routes_count(const notify_routes_t *routes)
{
    return routes != NULL ? routes->count : 0;
}

const notify_route_t *notify_routes_at(const notify_routes_t *routes, size_t i)
{
    return routes != NULL && i < routes->count ? &routes->routes[i] : NULL;
}

size_t notify_routes_channels(const notify_routes_t *routes)
{
    return routes != NULL ? routes->channels : 0;
}

const notify_route_t *notify_routes_match(const notify_routes_t *routes, const char *county)
{
    if (routes == NULL || county == NULL || strlen(county) != 6 || !is_digits(county, 6) ||
        strcmp(county, NOTIFY_COUNTY_UNKNOWN) == 0)
        return NULL;
    const notify_route_t *city = NULL, *dflt = NULL;
    for (size_t i = 0; i < routes->count; i++) {
        const notify_route_t *r = &routes->routes[i];
        if (strcmp(r->match, county) == 0)
            return r;
        if (strlen(r->match) == 4 && strncmp(r->match, county, 4) == 0)
            city = r;
        else if (r->match[0] == '*')
            dflt = r;
    }
    return city != NULL ? city : dflt;
}

void notify_target_display(const notify_route_t *route, char *out, size_t size)
{
    const char *t = route->target;
    if (route->kind != NOTIFY_WEBHOOK) {
        snprintf(out, size, "%s", t);
        return;
    }
    const char *rest = strstr(t, "://");
    size_t scheme = rest != NULL ? (size_t)(rest - t) + 3 : 0;
    const char *host = t + scheme;
    size_t hostlen = strcspn(host, "/?#");
    const char *at = memchr(host, '@', hostlen);
    if (at != NULL) {
        hostlen -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    const char *path = host + hostlen;
    size_t pathlen = *path == '/' ? strcspn(path, "?#") : 0;
    snprintf(out, size, "%.*s%.*s%.*s", (int)scheme, t, (int)hostlen, host, (int)pathlen, path);
}

int64_t notify_backoff_ms(int64_t initial_ms, int64_t max_ms, int attempt, double jitter)
{
    if (initial_ms < 1)
        initial_ms = 1;
    if (max_ms < initial_ms)
        max_ms = initial_ms;
    int64_t d = initial_ms;
    for (int i = 1; i < attempt && d < max_ms; i++)
        d = d > max_ms / 2 ? max_ms : d * 2;
    if (d > max_ms)
        d = max_ms;
    if (jitter < 0)
        jitter = 0;
    if (jitter >= 1)
        jitter = 0.999999;
    int64_t half = d / 2;
    return d - half + (int64_t)((double)half * jitter);
}

zs_err_t notify_idempotency_key(const char *warning_id, const char *status, int year, int month,
                                char *out, size_t size)
{
    size_t n = strlen(warning_id);
    if (n < 1 || n > 64)
        return ZS_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        char c = warning_id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '_' || c == '-' || c == '~'))
            return ZS_ERR_INVALID;
    }
    size_t s = strlen(status);
    if (s < 1 || s > 16)
        return ZS_ERR_INVALID;
    for (size_t i = 0; i < s; i++)
        if (status[i] < 'A' || status[i] > 'Z')
            return ZS_ERR_INVALID;
    if (year < 1900 || year > 9999 || month < 1 || month > 12)
        return ZS_ERR_INVALID;
    int w = snprintf(out, size, "%s-%s-%04d%02d", warning_id, status, year, month);
    return w < 0 || (size_t)w >= size ? ZS_ERR_OVERFLOW : ZS_OK;
}
