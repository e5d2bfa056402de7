/* zs_broker.h: an embedded Kafka-protocol broker (librdkafka's mock cluster)
 * with our topics, for the quickstart, demos and fault-injection tests. It
 * keeps everything in memory and does not honour transactions or compaction
 * (docs/TOPICS.md, "The embedded broker"): never the place to test exactly-once. */
#ifndef ZS_BROKER_H
#define ZS_BROKER_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "zs_err.h"

typedef struct zs_broker zs_broker_t;

/* Starts brokers on loopback and creates every topic of zs_topics() with
 * prefix and partitions. *out is the caller's (zs_broker_stop). */
zs_err_t zs_broker_start(int brokers, const char *prefix, int partitions, zs_broker_t **out,
                         char *errstr, size_t errstr_size);
/* Stops the brokers; NULL is fine. */
void zs_broker_stop(zs_broker_t *broker);
/* "127.0.0.1:port,..."; owned by the broker. */
const char *zs_broker_bootstraps(const zs_broker_t *broker);
/* The mock cluster, for fault injection (rd_kafka_mock_*). */
rd_kafka_mock_cluster_t *zs_broker_cluster(zs_broker_t *broker);

#endif
