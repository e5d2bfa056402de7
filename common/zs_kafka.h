/* zs_kafka.h: making librdkafka clients the one way every program does:
 * configuration from zs_config, logs through zs_log, a clear error when no
 * broker is named. */
#ifndef ZS_KAFKA_H
#define ZS_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>

#include "zs_config.h"
#include "zs_err.h"

/* A property and its value, set before the user's configuration (which may
 * override it). A list ends with a NULL name. */
typedef struct zs_kafka_default {
    const char *name, *value;
} zs_kafka_default_t;

/* Makes a client of type with defaults, then every librdkafka property of
 * cfg. Fails naming the property librdkafka refused, or when no
 * bootstrap.servers is set. On success *out is the caller's (rd_kafka_destroy
 * after rd_kafka_consumer_close for consumers). */
zs_err_t zs_kafka_new(const zs_config_t *cfg, rd_kafka_type_t type,
                      const zs_kafka_default_t *defaults, rd_kafka_t **out, char *errstr,
                      size_t errstr_size);

/* The same, for a producer whose delivery reports go to on_delivery with
 * opaque (rd_kafka_conf_set_dr_msg_cb, rd_kafka_conf_set_opaque). */
zs_err_t zs_kafka_new_with(const zs_config_t *cfg, rd_kafka_type_t type,
                           const zs_kafka_default_t *defaults,
                           void (*on_delivery)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                           void *opaque, rd_kafka_t **out, char *errstr, size_t errstr_size);

/* What a consumer's owner knows of its partitions, for zs_kafka_read_to_end
 * (either function may be NULL): partitions not to count (waiting on
 * purpose), and the next offset it will read where it seeked (-1: unknown). */
typedef struct zs_kafka_reader {
    bool (*skip)(void *ctx, const char *topic, int32_t partition);
    int64_t (*next)(void *ctx, const char *topic, int32_t partition);
    void *ctx;
} zs_kafka_reader_t;

/* Whether consumer has read every partition of its assignment (but those r
 * skips; r may be NULL) to the end its broker reports now (the latest offset
 * it lists for this consumer, one ListOffsets request per broker). A
 * partition EOF says only that the end was reached once: after a broker
 * came back, rows produced since are unknown until fetched, and an idle
 * consumer must not take "no message for a while" for "read to the end"
 * (--exit-idle). false, with why, when a partition is behind or a broker
 * does not answer within timeout_ms. */
bool zs_kafka_read_to_end(rd_kafka_t *consumer, const zs_kafka_reader_t *r, int timeout_ms,
                          char *why, size_t why_size);

#endif
