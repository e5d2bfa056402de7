/* zs_kafka.h: making librdkafka clients the one way every program does:
 * configuration from zs_config, logs through zs_log, a clear error when no
 * broker is named. */
#ifndef ZS_KAFKA_H
#define ZS_KAFKA_H

#include <librdkafka/rdkafka.h>

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

#endif
