/* mon_stats.c: what zs-monitor says of itself in its log: the stats line
 * (events, lag, state, warnings, dead letters, transactions, the watermark
 * and each input topic's last close) and, once a minute, which close a
 * waiting quarter waits for. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mon_service.h"
#include "zs_log.h"

static void quarter_or_none(zs_quarter_t q, char *out, size_t size)
{
    if (q == NO_QUARTER)
        snprintf(out, size, "none");
    else
        zs_quarter_format(q, out, size);
}

/* The lowest watermark of the assigned partitions, and each input topic's
 * lowest last close: "watermark 2024Q1 (closes: household 2024Q2, ...)". */
static void describe_closes(const monitor_t *m, char *out, size_t size)
{
    zs_quarter_t wm = NO_QUARTER, closed[MAX_INPUTS];
    bool any = false;
    for (int32_t p = 0; p < m->nparts; p++) {
        const part_t *pt = &m->parts[p];
        if (!pt->assigned)
            continue;
        wm = !any || pt->watermark < wm ? pt->watermark : wm;
        for (int t = 0; t < m->ninputs; t++)
            closed[t] = !any || pt->closed[t] < closed[t] ? pt->closed[t] : closed[t];
        any = true;
    }
    char q[ZS_PERIOD_STR_SIZE];
    quarter_or_none(any ? wm : NO_QUARTER, q, sizeof(q));
    size_t off = (size_t)snprintf(out, size, "watermark %s (closes:", q);
    for (int t = 0; t < m->ninputs && any && off < size; t++) {
        quarter_or_none(closed[t], q, sizeof(q));
        off += (size_t)snprintf(out + off, size - off, "%s %s %s", t ? "," : "",
                                m->inputs[t] + strlen(m->prefix), q);
    }
    if (off < size)
        snprintf(out + off, size - off, ")");
}

/* Once a minute while a quarter waits: which topics' close it waits for. */
void mon_stats_waiting(monitor_t *m)
{
    if (m->now - m->last_wait_log < 60000)
        return;
    for (int32_t p = 0; p < m->nparts; p++) {
        const part_t *pt = &m->parts[p];
        bool held = false;
        for (int t = 0; t < m->ninputs; t++)
            held |= pt->assigned && pt->held[t];
        if (!held)
            continue;
        char waiting[512] = "", q[ZS_PERIOD_STR_SIZE];
        size_t off = 0;
        for (int t = 0; t < m->ninputs && off < sizeof(waiting); t++)
            if (!pt->held[t])
                off += (size_t)snprintf(waiting + off, sizeof(waiting) - off, "%s%s",
                                        off ? ", " : "", m->inputs[t]);
        quarter_or_none(pt->watermark == NO_QUARTER ? NO_QUARTER : pt->watermark + 1, q, sizeof(q));
        zs_log_info("partition %" PRId32 ": waiting for the %s close of %s (the other input "
                    "topics are held at theirs)",
                    p, pt->watermark == NO_QUARTER ? "first" : q, waiting);
        m->last_wait_log = m->now;
        return; /* one line a minute */
    }
}

void mon_stats_log(monitor_t *m, bool final)
{
    int64_t now = mon_mono_ms();
    double secs = (double)(now - m->last_stats) / 1000.0;
    size_t households = 0, bytes = 0, open = 0;
    int64_t lag = 0;
    for (int32_t p = 0; p < m->nparts; p++) {
        part_t *pt = &m->parts[p];
        if (!pt->assigned || pt->households == NULL)
            continue;
        households += mon_map_count(pt->households);
        bytes += mon_map_bytes(pt->households);
        open += pt->open_warnings;
        for (int t = 0; t < m->ninputs; t++) {
            int64_t lo = 0, hi = 0;
            if (rd_kafka_get_watermark_offsets(m->consumer, m->inputs[t], p, &lo, &hi) == 0 &&
                hi > pt->next[t])
                lag += hi - (pt->next[t] < 0 ? lo : pt->next[t]);
        }
    }
    char closes[512];
    describe_closes(m, closes, sizeof(closes));
    zs_log_info("%sevents %" PRIu64 " (%.0f/s), lag %" PRId64 ", households %zu, state %zu bytes "
                "(%.0f per household), resident %zu bytes, open warnings %zu, warnings written "
                "%" PRIu64 ", dead letters %" PRIu64 ", transactions %" PRIu64 " committed %" PRIu64
                " aborted (%" PRIu64 " undone in memory), %s",
                final ? "final: " : "", m->events,
                secs > 0 ? (double)(m->events - m->last_events) / secs : 0.0, lag, households,
                bytes, households ? (double)bytes / (double)households : 0.0, mon_rss_bytes(), open,
                m->warnings, m->dead, m->commits, m->aborts, m->aborts_undone, closes);
    if (final && m->first_input > 0)
        zs_log_info("final: %" PRIu64 " events from the first input to the last commit in %.3f s",
                    m->events,
                    (double)((m->last_commit > m->last_input ? m->last_commit : m->last_input) -
                             m->first_input) /
                        1000.0);
    m->last_stats = now;
    m->last_events = m->events;
}
