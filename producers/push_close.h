/* push_close.h: what 'zs-push close' closes: which input topics, which
 * quarters (one, or every one not closed yet up to a given one, found from
 * the close markers already on the topics), and whether a quarter has ended. */
#ifndef PUSH_CLOSE_H
#define PUSH_CLOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_config.h"
#include "zs_err.h"
#include "zs_period.h"

/* The input topics a quarter is closed on, by suffix. */
#define PUSH_CLOSE_TOPICS 6
extern const char *const push_close_all[PUSH_CLOSE_TOPICS];

/* The key of a close marker: "#close/2024Q2". */
#define PUSH_CLOSE_KEY_PREFIX "#close/"

/* Reads --topic values (list: names separated by commas, each an input
 * topic's suffix "income" or full name "zs.income"; NULL: all six) into
 * chosen[i] = whether push_close_all[i] is chosen. ZS_ERR_INVALID, errstr
 * naming the value, for a name that is not an input topic. */
zs_err_t push_close_topics(const char *list, const char *prefix, bool chosen[PUSH_CLOSE_TOPICS],
                           char *errstr, size_t errstr_size);

/* Whether quarter q has ended at now_ms (UTC milliseconds): its last day
 * is over in China Standard Time (+08:00), the registries' clock. */
bool push_close_quarter_ended(zs_quarter_t q, int64_t now_ms);

/* The latest quarter closed on every partition (0 to partitions - 1) of
 * topic: reads the topic from its start (every message, keys only looked
 * at) with the properties of cfg. *found is false when some partition has
 * no close marker yet. ZS_ERR_KAFKA when the topic cannot be read. */
zs_err_t push_close_latest(const zs_config_t *cfg, const char *topic, int32_t partitions,
                           zs_quarter_t *latest, bool *found, char *errstr, size_t errstr_size);

#endif
