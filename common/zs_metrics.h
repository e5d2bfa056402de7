/* zs_metrics.h: a daemon's figures in the Prometheus text format (version
 * 0.0.4), served over plain HTTP on a loopback address only
 * (zs.metrics.listen; off by default). The daemon builds the whole text on
 * its own thread from the counters it keeps and publishes it; the server's
 * thread only hands out the text last published, so nothing of the daemon
 * is shared with it. */
#ifndef ZS_METRICS_H
#define ZS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_config.h"
#include "zs_err.h"

/* The setting, for the tables of the daemons that serve metrics. */
#define ZS_METRICS_CONFIG_DEF                                                                      \
    {                                                                                              \
        .name = "zs.metrics.listen", .type = ZS_CONFIG_STRING, .dflt = NULL,                       \
        .doc = "Serve the daemon's figures as Prometheus text at http://HOST:PORT/metrics; "       \
               "HOST must be a loopback address (127.0.0.0/8, ::1, localhost); unset: off."        \
    }

/* ---- the text ---- */

/* A text being built; the first error sticks (ZS_ERR_NOMEM, ZS_ERR_OVERFLOW). */
typedef struct zs_prom {
    zs_buf_t text;
    zs_err_t err;
} zs_prom_t;

void zs_prom_init(zs_prom_t *p);
void zs_prom_reset(zs_prom_t *p);
void zs_prom_free(zs_prom_t *p);
/* Starts a metric family: # HELP and # TYPE lines. name follows Prometheus
 * conventions (zengshou_<program>_<what>[_<unit>][_total]); type is
 * "counter" or "gauge". */
void zs_prom_family(zs_prom_t *p, const char *name, const char *type, const char *help);
/* One sample of the family name: labels are name, value pairs ending with
 * NULL; label values are escaped (\\, \", \n). */
void zs_prom_sample(zs_prom_t *p, const char *name, int64_t value, ...) __attribute__((sentinel));

/* A family with a single sample without labels. */
void zs_prom_one(zs_prom_t *p, const char *name, const char *type, const char *help, int64_t value);

/* Resident memory of this process, bytes (0 if unknown). */
size_t zs_rss_bytes(void);

/* ---- the server ---- */

typedef struct zs_metrics zs_metrics_t;

/* Reads zs.metrics.listen from cfg: unset or empty, *out NULL and ZS_OK (no
 * server). Otherwise HOST:PORT with HOST an IPv4 loopback address, [::1] or
 * localhost, and PORT 0-65535 (0: any free port, logged); any other host is
 * refused (ZS_ERR_INVALID) before a socket is opened. Starts serving GET
 * /metrics (404 elsewhere, 405 for another method) in a thread of
 * libmicrohttpd's. Free with zs_metrics_stop. */
zs_err_t zs_metrics_start(const zs_config_t *cfg, zs_metrics_t **out, char *errstr,
                          size_t errstr_size);
/* The port served on. */
unsigned zs_metrics_port(const zs_metrics_t *m);
/* Serves p's text from now on (copied); m NULL: nothing. ZS_ERR_NOMEM, or
 * p's own error. */
zs_err_t zs_metrics_publish(zs_metrics_t *m, const zs_prom_t *p);
/* Stops serving and frees. NULL is fine. */
void zs_metrics_stop(zs_metrics_t *m);

#endif
