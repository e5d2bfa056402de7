/* notify_route.h: zs-notify's routing table (which county's warnings go to
 * which channel) and its retry policy, as pure logic without Kafka or HTTP,
 * so unit tests take them table by table. The file format is in
 * consumers/NOTIFY.md ("Routes"). */
#ifndef NOTIFY_ROUTE_H
#define NOTIFY_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_county.h"
#include "zs_err.h"

/* Longest channel target (URL or directory) accepted. */
#define NOTIFY_TARGET_MAX 1024

/* How a channel delivers. */
typedef enum notify_kind {
    NOTIFY_WEBHOOK, /* HTTP POST of the warning as JSON */
    NOTIFY_OUTBOX,  /* one JSON file per warning record in a directory */
} notify_kind_t;

/* One route: the warnings of the counties matching `match` go to a channel. */
typedef struct notify_route {
    char match[7];                  /* "451227" a county, "4512" a whole city, "*" the default */
    notify_kind_t kind;             /* the channel's kind */
    char target[NOTIFY_TARGET_MAX]; /* webhook URL or outbox directory (absolute) */
    char origin[NOTIFY_TARGET_MAX]; /* "path:line" where the route was written */
    int channel;                    /* index of its channel: routes with the same kind and
                                       target share one (0 .. notify_routes_channels()-1) */
} notify_route_t;

/* A parsed routing table. Opaque; immutable once parsed. */
typedef struct notify_routes notify_routes_t;

/* Parses a routing table from text (len bytes; need not be NUL-terminated).
 * origin names the text in messages ("routes.conf"). Every line is checked;
 * the first bad one fails with ZS_ERR_INVALID (ZS_ERR_PARSE for a line that
 * is not three fields) and "origin:line: why" in errstr, and *out is NULL.
 * A table without any route is invalid. On success *out is the caller's
 * (notify_routes_free). */
zs_err_t notify_routes_parse(const char *text, size_t len, const char *origin,
                             notify_routes_t **out, char *errstr, size_t errstr_size);

/* Reads and parses the file at path (at most 1 MiB): ZS_ERR_IO if it cannot
 * be read, otherwise as notify_routes_parse with the path as origin. */
zs_err_t notify_routes_load(const char *path, notify_routes_t **out, char *errstr,
                            size_t errstr_size);

/* Frees the table. NULL is fine. */
void notify_routes_free(notify_routes_t *routes);

/* Checks that every county route names a county of the region and every city
 * route a city with at least one county in it: ZS_ERR_NOT_FOUND naming the
 * first route that does not ("origin:line: ..."). */
zs_err_t notify_routes_check_region(const notify_routes_t *routes,
                                    const zs_county_table_t *counties, char *errstr,
                                    size_t errstr_size);

/* The number of routes, and the i-th in the order written (NULL past the end). */
size_t notify_routes_count(const notify_routes_t *routes);
const notify_route_t *notify_routes_at(const notify_routes_t *routes, size_t i);

/* The number of distinct channels (kind and target). */
size_t notify_routes_channels(const notify_routes_t *routes);

/* The county code of a warning whose household's snapshot never arrived
 * (zs-monitor cannot tell its county): no county's channel may get it. */
#define NOTIFY_COUNTY_UNKNOWN "000000"

/* The route of a county code: its own route if it has one, else its city's
 * (the first four digits), else the default `*`; NULL when none applies, when
 * county is not 6 ASCII digits, and for NOTIFY_COUNTY_UNKNOWN, whatever the
 * routes (`*` included). The result lives as long as routes. */
const notify_route_t *notify_routes_match(const notify_routes_t *routes, const char *county);

/* Whether host (len bytes, as in a URL: no port) names this machine:
 * 127.0.0.0/8 in dotted decimal, [::1], or localhost (any case). */
bool notify_host_is_loopback(const char *host, size_t len);

/* "webhook" or "outbox". */
const char *notify_kind_name(notify_kind_t kind);

/* Writes into out the target as it may be logged and audited: a URL without
 * its user:password@ part, query and fragment (which may hold credentials),
 * a directory as it is. */
void notify_target_display(const notify_route_t *route, char *out, size_t size);

/* The delay before retry number `attempt` (1 after the first failure):
 * exponential, initial_ms * 2^(attempt-1) capped at max_ms, with "equal
 * jitter": half of it fixed, the other half scaled by jitter (0 <= jitter < 1,
 * from the caller's random source), so retries of many records spread out
 * but never come sooner than half the nominal delay. */
int64_t notify_backoff_ms(int64_t initial_ms, int64_t max_ms, int attempt, double jitter);

/* The idempotency key of a warning record, "<warning_id>-<status>-<YYYYMM>",
 * written into out (size at least 96). ZS_ERR_INVALID if warning_id is not
 * 1-64 characters of [0-9A-Za-z_~-] (the key names files), status not
 * letters, or the period out of range. */
zs_err_t notify_idempotency_key(const char *warning_id, const char *status, int year, int month,
                                char *out, size_t size);

#endif
