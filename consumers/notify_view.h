/* notify_view.h: zs-notify's per-county view of the warnings topic for
 * reports, kept up to date incrementally: each refresh reads only the
 * records written since the previous one, and the view says which counties
 * changed. */
#ifndef ZS_NOTIFY_VIEW_H
#define ZS_NOTIFY_VIEW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "notify_report.h"
#include "zs_config.h"
#include "zs_err.h"

typedef struct notify_view notify_view_t;

/* A new, empty view of the warnings topic (zs.topic.prefix) read with cfg's
 * Kafka properties (read_committed, no consumer group), decoding with the
 * schemas of zs.schema.dir. codes: only the records of these counties
 * (comma-separated 6-digit codes, copied), or NULL for every county. cfg
 * must outlive the view. ZS_ERR_* with the reason in errstr. */
zs_err_t notify_view_new(const zs_config_t *cfg, const char *codes, notify_view_t **out,
                         char *errstr, size_t errstr_size);
/* Frees the view. NULL is fine. */
void notify_view_free(notify_view_t *v);

/* Reads the topic from where the previous refresh stopped (the beginning the
 * first time) to its end, each record into the collection. A record that is
 * not a warning, or a bad one, is logged and skipped. stop: abandon when it
 * becomes non-zero (ZS_ERR_IO). After a failure the view starts over from
 * the beginning at the next refresh. */
zs_err_t notify_view_refresh(notify_view_t *v, volatile sig_atomic_t *stop, char *errstr,
                             size_t errstr_size);
/* The records the last refresh read (warnings taken, and skipped). */
long notify_view_records_read(const notify_view_t *v);
long notify_view_records_skipped(const notify_view_t *v);
/* The collection, owned by the view: the latest record of each warning;
 * notify_report_county_changed says which counties got records since
 * notify_report_changes_clear. */
notify_report_t *notify_view_report(notify_view_t *v);

#endif
