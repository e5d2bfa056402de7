/* zs_producer.h: the idempotent producer every writer of input uses: acks
 * from all in-sync replicas, every delivery report checked, and the one
 * figure a resumable writer needs: up to which item, in the order sent,
 * everything has been delivered. */
#ifndef ZS_PRODUCER_H
#define ZS_PRODUCER_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_config.h"
#include "zs_err.h"

typedef struct zs_producer zs_producer_t;

/* Makes an idempotent producer (enable.idempotence=true, acks=all) with the
 * librdkafka properties of cfg. *out is the caller's (zs_producer_free). */
zs_err_t zs_producer_new(const zs_config_t *cfg, zs_producer_t **out, char *errstr,
                         size_t errstr_size);
/* Frees the producer without flushing (call zs_producer_flush first). */
void zs_producer_free(zs_producer_t *p);
rd_kafka_t *zs_producer_handle(zs_producer_t *p);

/* Sends one message (copied) to topic, to partition or, with
 * RD_KAFKA_PARTITION_UA, to the partition of its key. Items are numbered by
 * the caller 1, 2, 3... in the order sent; tag is remembered with the item
 * (zs-push keeps the input line there). Blocks, serving delivery reports,
 * while librdkafka's queue is full or more than a window of items is
 * unconfirmed. Fails at once after a fatal producer error. */
zs_err_t zs_producer_send(zs_producer_t *p, const char *topic, int32_t partition, const void *key,
                          size_t key_len, const void *value, size_t value_len, uint64_t item,
                          uint64_t tag, char *errstr, size_t errstr_size);

/* Serves delivery reports for up to timeout_ms. */
void zs_producer_poll(zs_producer_t *p, int timeout_ms);

/* The highest item n such that items 1..n are all delivered, and its tag
 * (0, 0 when none is). */
uint64_t zs_producer_done_upto(const zs_producer_t *p, uint64_t *tag);

/* Counts so far. */
uint64_t zs_producer_delivered(const zs_producer_t *p);
uint64_t zs_producer_failed(const zs_producer_t *p);

/* Waits until every message is delivered or failed (timeout_ms in all).
 * ZS_OK only if none failed; otherwise ZS_ERR_KAFKA with errstr naming how
 * many failed, the first reason, and the tags of the first few. */
zs_err_t zs_producer_flush(zs_producer_t *p, int timeout_ms, char *errstr, size_t errstr_size);

#endif
