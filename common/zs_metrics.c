/* zs_metrics.c: Prometheus text and the loopback listener that serves it. */
#include "zs_metrics.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zs_log.h"

#define TEXT_MAX ((size_t)64 << 20)

/* ---- the text ---- */

void zs_prom_init(zs_prom_t *p)
{
    zs_buf_init(&p->text, TEXT_MAX);
    p->err = ZS_OK;
}

void zs_prom_reset(zs_prom_t *p)
{
    zs_buf_reset(&p->text);
    p->err = ZS_OK;
}

void zs_prom_free(zs_prom_t *p)
{
    zs_buf_free(&p->text);
}

void zs_prom_family(zs_prom_t *p, const char *name, const char *type, const char *help)
{
    if (p->err == ZS_OK)
        p->err = zs_buf_addf(&p->text, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the format says. */
static void label_value(zs_prom_t *p, const char *v)
{
    for (; p->err == ZS_OK && *v != '\0'; v++) {
        const char *rep = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : *v == '\n' ? "\\n" : NULL;
        p->err = rep != NULL ? zs_buf_adds(&p->text, rep) : zs_buf_add(&p->text, v, 1);
    }
}

void zs_prom_sample(zs_prom_t *p, const char *name, int64_t value, ...)
{
    va_list ap;
    va_start(ap, value);
    if (p->err == ZS_OK)
        p->err = zs_buf_adds(&p->text, name);
    const char *key = va_arg(ap, const char *);
    for (bool first = true; key != NULL && p->err == ZS_OK; first = false) {
        const char *v = va_arg(ap, const char *);
        p->err = zs_buf_addf(&p->text, "%s%s=\"", first ? "{" : ",", key);
        label_value(p, v != NULL ? v : "");
        if (p->err == ZS_OK)
            p->err = zs_buf_adds(&p->text, "\"");
        key = va_arg(ap, const char *);
        if (key == NULL && p->err == ZS_OK)
            p->err = zs_buf_adds(&p->text, "}");
    }
    va_end(ap);
    if (p->err == ZS_OK)
        p->err = zs_buf_addf(&p->text, " %" PRId64 "\n", value);
}

void zs_prom_one(zs_prom_t *p, const char *name, const char *type, const char *help, int64_t value)
{
    zs_prom_family(p, name, type, help);
    zs_prom_sample(p, name, value, NULL);
}

size_t zs_rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp == NULL)
        return 0;
    if (fscanf(fp, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(fp);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- the server ---- */

struct zs_metrics {
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock; /* guards text: published by the daemon, read by MHD's thread */
    zs_buf_t text;
    unsigned port;
};

/* GET /metrics: the text last published. @locality: libmicrohttpd's thread. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_size;
    (void)con_cls;
    zs_metrics_t *m = cls;
    unsigned status = MHD_HTTP_OK;
    const char *body = NULL;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        body = "only GET\n";
    } else if (strcmp(url, "/metrics") != 0) {
        status = MHD_HTTP_NOT_FOUND;
        body = "not found: the figures are at /metrics\n";
    }
    struct MHD_Response *r = NULL;
    if (body != NULL) {
        r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    } else {
        pthread_mutex_lock(&m->lock);
        r = MHD_create_response_from_buffer(m->text.len, m->text.data, MHD_RESPMEM_MUST_COPY);
        pthread_mutex_unlock(&m->lock);
    }
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type",
                            body != NULL ? "text/plain; charset=utf-8"
                                         : "text/plain; version=0.0.4; charset=utf-8");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* HOST:PORT into an address; only loopback hosts. */
static zs_err_t parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6,
                             char *errstr, size_t errstr_size)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    size_t hlen = colon != NULL ? (size_t)(colon - listen) : 0;
    const char *digits = colon != NULL ? colon + 1 : "";
    long port = -1;
    if (digits[0] != '\0' && strlen(digits) <= 5 && strspn(digits, "0123456789") == strlen(digits))
        port = strtol(digits, NULL, 10);
    if (colon == NULL || hlen == 0 || hlen >= sizeof(host) || port < 0 || port > 65535)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "zs.metrics.listen %s: not HOST:PORT (e.g. 127.0.0.1:9464)", listen);
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    *v6 = false;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) == 1 &&
            IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
            sin6->sin6_family = AF_INET6;
            sin6->sin6_port = htons((uint16_t)port);
            *v6 = true;
            return ZS_OK;
        }
    } else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1 &&
               (ntohl(sin->sin_addr.s_addr) >> 24) == 127) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        return ZS_OK;
    }
    return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                   "zs.metrics.listen %s: metrics are served on a loopback address only "
                   "(127.0.0.1, [::1], localhost); put a scraper or proxy on this machine",
                   listen);
}

zs_err_t zs_metrics_start(const zs_config_t *cfg, zs_metrics_t **out, char *errstr,
                          size_t errstr_size)
{
    const char *listen = NULL;
    *out = NULL;
    zs_err_t err = zs_config_get_str(cfg, "zs.metrics.listen", &listen, errstr, errstr_size);
    if (err != ZS_OK || listen == NULL || listen[0] == '\0')
        return err;
    struct sockaddr_storage ss;
    bool v6 = false;
    err = parse_listen(listen, &ss, &v6, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    zs_metrics_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    zs_buf_init(&m->text, TEXT_MAX);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR, &ss,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT,
                                 16u, MHD_OPTION_END);
    if (m->daemon == NULL) {
        zs_metrics_stop(m);
        return zs_fail(errstr, errstr_size, ZS_ERR_IO,
                       "zs.metrics.listen %s: cannot listen there (in use?)", listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->daemon, MHD_DAEMON_INFO_BIND_PORT);
    m->port = info != NULL ? info->port : 0;
    zs_log_info("metrics: http://%.*s:%u/metrics", (int)(strrchr(listen, ':') - listen), listen,
                m->port);
    *out = m;
    return ZS_OK;
}

unsigned zs_metrics_port(const zs_metrics_t *m)
{
    return m != NULL ? m->port : 0;
}

zs_err_t zs_metrics_publish(zs_metrics_t *m, const zs_prom_t *p)
{
    if (m == NULL)
        return ZS_OK;
    if (p->err != ZS_OK)
        return p->err;
    pthread_mutex_lock(&m->lock);
    zs_buf_reset(&m->text);
    zs_err_t err = zs_buf_add(&m->text, p->text.data, p->text.len);
    pthread_mutex_unlock(&m->lock);
    return err;
}

void zs_metrics_stop(zs_metrics_t *m)
{
    if (m == NULL)
        return;
    if (m->daemon != NULL)
        MHD_stop_daemon(m->daemon);
    zs_buf_free(&m->text);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
