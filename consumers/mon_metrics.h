/* mon_metrics.h: zs-monitor's figures as Prometheus text (zs.metrics.listen),
 * from the counters its stats line prints. */
#ifndef MON_METRICS_H
#define MON_METRICS_H

#include "mon_service.h"

/* Starts the listener when zs.metrics.listen is set (ZS_ERR_INVALID for a
 * bad or non-loopback address: a configuration error). */
zs_err_t mon_metrics_start(const zs_config_t *cfg, char *errstr, size_t errstr_size);
/* From the loop: publishes m's figures, at most once a second. */
void mon_metrics_tick(monitor_t *m);
/* Stops the listener. */
void mon_metrics_stop(void);

#endif
