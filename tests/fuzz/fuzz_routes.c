/* fuzz_routes.c: a libFuzzer target for zs-notify's routing table parser
 * (notify_routes_parse) over arbitrary bytes. What it promises: no crash; a
 * refusal leaves no table and says where ("fuzz:LINE: why"); an accepted
 * table has a route, every webhook is https:// or plain http:// to this
 * machine only, every outbox an absolute directory, a county of every
 * county or city route finds a route, and display names never show a URL's
 * credentials or its query. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "notify_route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The host of an http:// URL, after any user:password@. */
static void http_host(const char *url, const char **host, size_t *len)
{
    const char *h = url + strlen("http://");
    const char *end = h + strcspn(h, "/?#");
    const char *at = memchr(h, '@', (size_t)(end - h));
    if (at != NULL)
        h = at + 1;
    const char *port = h;
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        port = close != NULL ? close + 1 : end;
    }
    const char *colon = memchr(port, ':', (size_t)(end - port));
    *host = h;
    *len = (size_t)((colon != NULL ? colon : end) - h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    notify_routes_t *r = (notify_routes_t *)1;
    char err[512];
    memset(err, 'x', sizeof(err));
    zs_err_t e = notify_routes_parse((const char *)data, size, "fuzz", &r, err, sizeof(err));
    if (e != ZS_OK) {
        CHECK(r == NULL);
        CHECK(memchr(err, '\0', sizeof(err)) != NULL);
        CHECK(strncmp(err, "fuzz", 4) == 0);
        return 0;
    }
    size_t n = notify_routes_count(r);
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        const notify_route_t *rt = notify_routes_at(r, i);
        CHECK(memchr(rt->target, '\0', sizeof(rt->target)) != NULL);
        if (rt->kind == NOTIFY_OUTBOX) {
            CHECK(rt->target[0] == '/');
        } else if (strncmp(rt->target, "http://", 7) == 0) {
            const char *host;
            size_t len;
            http_host(rt->target, &host, &len);
            CHECK(notify_host_is_loopback(host, len));
        } else {
            CHECK(strncmp(rt->target, "https://", 8) == 0);
        }
        /* A county of its county or city has a route (the unknown county's
         * code never does; zs-notify refuses it as no county of the region). */
        if (strcmp(rt->match, "*") != 0 && strcmp(rt->match, NOTIFY_COUNTY_UNKNOWN) != 0) {
            char county[16];
            snprintf(county, sizeof(county), "%s%s", rt->match, strlen(rt->match) == 4 ? "99" : "");
            CHECK(notify_routes_match(r, county) != NULL);
        }
        char shown[NOTIFY_TARGET_MAX + 64];
        notify_target_display(rt, shown, sizeof(shown));
        if (rt->kind == NOTIFY_WEBHOOK) {
            /* No user:password@ before the host, no query (tokens live there). */
            const char *scheme = strstr(shown, "://");
            CHECK(scheme != NULL);
            const char *host = scheme + 3;
            CHECK(memchr(host, '@', strcspn(host, "/?#")) == NULL);
            CHECK(strchr(shown, '?') == NULL);
        }
    }
    notify_routes_free(r);
    return 0;
}
