/* mon_metrics.c: zs-monitor's figures for Prometheus: the counters of its
 * stats line (events, lag, transactions, dead letters, warnings, state,
 * resident memory), lag per input topic and partition, and each
 * partition's watermark and each input topic's last close. Quarters are
 * written YYYYQ (20242: 2024Q2), -1 for none. Runs on the monitor's
 * thread; the listener (common/zs_metrics.c) only serves the text. */
#include "mon_metrics.h"

#include <stdio.h>

#include "zs_log.h"
#include "zs_metrics.h"

static zs_metrics_t *metrics; /* NULL: off */
static zs_prom_t prom;
static int64_t last_publish;

zs_err_t mon_metrics_start(const zs_config_t *cfg, char *errstr, size_t errstr_size)
{
    zs_prom_init(&prom);
    return zs_metrics_start(cfg, &metrics, errstr, errstr_size);
}

void mon_metrics_stop(void)
{
    zs_metrics_stop(metrics);
    metrics = NULL;
    zs_prom_free(&prom);
}

static int64_t quarter_code(zs_quarter_t q)
{
    return q == NO_QUARTER ? -1 : (int64_t)zs_quarter_year(q) * 10 + zs_quarter_quarter(q);
}

static void publish(monitor_t *m)
{
    zs_prom_t *p = &prom;
    size_t households = 0, bytes = 0, open = 0;
    zs_prom_reset(p);
    zs_prom_family(p, "zengshou_monitor_lag_records", "gauge",
                   "Records of an input topic's partition not read yet (high watermark - next).");
    for (int32_t part = 0; part < m->nparts; part++) {
        part_t *pt = &m->parts[part];
        if (!pt->assigned || pt->households == NULL)
            continue;
        households += mon_map_count(pt->households);
        bytes += mon_map_bytes(pt->households);
        open += pt->open_warnings;
        char ps[16];
        snprintf(ps, sizeof(ps), "%d", (int)part);
        for (int t = 0; t < m->ninputs; t++) {
            int64_t lo = 0, hi = 0, lag = 0;
            if (rd_kafka_get_watermark_offsets(m->consumer, m->inputs[t], part, &lo, &hi) == 0 &&
                hi > pt->next[t])
                lag = hi - (pt->next[t] < 0 ? lo : pt->next[t]);
            zs_prom_sample(p, "zengshou_monitor_lag_records", lag, "topic", m->inputs[t],
                           "partition", ps, NULL);
        }
    }
    zs_prom_family(p, "zengshou_monitor_watermark_quarter", "gauge",
                   "The last quarter whose close has run, per partition, as YYYYQ (-1 none).");
    for (int32_t part = 0; part < m->nparts; part++) {
        char ps[16];
        snprintf(ps, sizeof(ps), "%d", (int)part);
        if (m->parts[part].assigned)
            zs_prom_sample(p, "zengshou_monitor_watermark_quarter",
                           quarter_code(m->parts[part].watermark), "partition", ps, NULL);
    }
    zs_prom_family(p, "zengshou_monitor_last_close_quarter", "gauge",
                   "Each input topic's latest closed quarter, per partition, as YYYYQ (-1 none).");
    for (int32_t part = 0; part < m->nparts; part++) {
        char ps[16];
        snprintf(ps, sizeof(ps), "%d", (int)part);
        for (int t = 0; m->parts[part].assigned && t < m->ninputs; t++)
            zs_prom_sample(p, "zengshou_monitor_last_close_quarter",
                           quarter_code(m->parts[part].closed[t]), "topic", m->inputs[t],
                           "partition", ps, NULL);
    }
    zs_prom_one(p, "zengshou_monitor_events_total", "counter", "Input records handled.",
                (int64_t)m->events);
    zs_prom_family(p, "zengshou_monitor_input_events_total", "counter",
                   "Input records handled, per assigned input topic partition.");
    for (int32_t part = 0; part < m->nparts; part++) {
        char ps[16];
        snprintf(ps, sizeof(ps), "%d", (int)part);
        for (int t = 0; m->parts[part].assigned && t < m->ninputs; t++)
            zs_prom_sample(p, "zengshou_monitor_input_events_total",
                           (int64_t)m->parts[part].events[t], "topic", m->inputs[t], "partition",
                           ps, NULL);
    }
    zs_prom_family(p, "zengshou_monitor_transactions_total", "counter",
                   "Kafka transactions, by outcome (committed, aborted).");
    zs_prom_sample(p, "zengshou_monitor_transactions_total", (int64_t)m->commits, "outcome",
                   "committed", NULL);
    zs_prom_sample(p, "zengshou_monitor_transactions_total", (int64_t)m->aborts, "outcome",
                   "aborted", NULL);
    zs_prom_family(p, "zengshou_monitor_dead_letters_total", "counter",
                   "Records sent to the dead-letter topic, by their error (a zs_err_t name).");
    for (int e = 0; e < ZS_ERR__COUNT; e++)
        if (m->dead_by_error[e] > 0)
            zs_prom_sample(p, "zengshou_monitor_dead_letters_total", (int64_t)m->dead_by_error[e],
                           "error", zs_err_name((zs_err_t)e), NULL);
    zs_prom_one(p, "zengshou_monitor_warnings_written_total", "counter", "Warning records written.",
                (int64_t)m->warnings);
    zs_prom_one(p, "zengshou_monitor_open_warnings", "gauge",
                "Warnings open in the assigned partitions.", (int64_t)open);
    zs_prom_one(p, "zengshou_monitor_households", "gauge",
                "Households held in the assigned partitions.", (int64_t)households);
    zs_prom_one(p, "zengshou_monitor_state_bytes", "gauge",
                "Bytes of household state held in the assigned partitions.", (int64_t)bytes);
    zs_prom_one(p, "zengshou_monitor_resident_memory_bytes", "gauge",
                "Resident memory of the process.", (int64_t)zs_rss_bytes());
    zs_err_t err = zs_metrics_publish(metrics, p);
    if (err != ZS_OK)
        zs_log_warn("metrics: %s", zs_err2str(err));
}

void mon_metrics_tick(monitor_t *m)
{
    if (metrics == NULL || (m->now - last_publish < 1000 && last_publish != 0))
        return;
    last_publish = m->now;
    publish(m);
}
