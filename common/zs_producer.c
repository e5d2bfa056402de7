/* zs_producer.c: idempotent producing with in-order delivery tracking. */
#include "zs_producer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_kafka.h"
#include "zs_log.h"

/* Items sent but not yet confirmed, at most. */
#define WINDOW      ((uint64_t)1 << 18)
#define FAILED_TAGS 8

struct zs_producer {
    rd_kafka_t *rk;
    uint64_t base;  /* lowest item not yet delivered: 1..base-1 all are */
    uint64_t next;  /* the item the next send must carry */
    uint8_t *done;  /* WINDOW bits, by item % WINDOW: delivered, not yet passed by base */
    uint64_t *tags; /* WINDOW tags, by item % WINDOW */
    uint64_t base_tag;
    uint64_t delivered, failed;
    char first_error[256];
    uint64_t failed_tags[FAILED_TAGS];
};

/* A delivery report. @locality: the thread calling rd_kafka_poll/flush. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    zs_producer_t *p = opaque;
    uint64_t item = (uint64_t)(uintptr_t)rkm->_private;
    size_t slot = (size_t)(item % WINDOW);
    if (rkm->err) {
        if (p->failed < FAILED_TAGS)
            p->failed_tags[p->failed] = p->tags[slot];
        if (p->failed == 0)
            snprintf(p->first_error, sizeof(p->first_error), "%s", rd_kafka_err2str(rkm->err));
        p->failed++;
        return;
    }
    p->delivered++;
    p->done[slot / 8] |= (uint8_t)(1u << (slot % 8));
    while (p->base < p->next) {
        size_t b = (size_t)(p->base % WINDOW);
        if (!(p->done[b / 8] & (1u << (b % 8))))
            break;
        p->done[b / 8] &= (uint8_t) ~(1u << (b % 8));
        p->base_tag = p->tags[b];
        p->base++;
    }
}

zs_err_t zs_producer_new(const zs_config_t *cfg, zs_producer_t **out, char *errstr,
                         size_t errstr_size)
{
    static const zs_kafka_default_t defaults[] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"linger.ms", "20"},
        {"batch.size", "1000000"},
        {"queue.buffering.max.messages", "200000"},
        {"compression.codec", "lz4"},
        {NULL, NULL},
    };
    zs_producer_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return ZS_ERR_NOMEM;
    p->done = calloc(WINDOW / 8, 1);
    p->tags = calloc(WINDOW, sizeof(*p->tags));
    p->base = p->next = 1;
    if (p->done == NULL || p->tags == NULL) {
        zs_producer_free(p);
        return ZS_ERR_NOMEM;
    }
    zs_err_t err = zs_kafka_new_with(cfg, RD_KAFKA_PRODUCER, defaults, on_delivery, p, &p->rk,
                                     errstr, errstr_size);
    if (err != ZS_OK) {
        zs_producer_free(p);
        return err;
    }
    *out = p;
    return ZS_OK;
}

void zs_producer_free(zs_producer_t *p)
{
    if (p == NULL)
        return;
    if (p->rk != NULL)
        rd_kafka_destroy(p->rk);
    free(p->done);
    free(p->tags);
    free(p);
}

rd_kafka_t *zs_producer_handle(zs_producer_t *p)
{
    return p->rk;
}

/* A fatal error of the idempotent producer, if any, into errstr. */
static bool fatal(zs_producer_t *p, char *errstr, size_t errstr_size)
{
    char reason[512];
    rd_kafka_resp_err_t err = rd_kafka_fatal_error(p->rk, reason, sizeof(reason));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return false;
    zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "fatal producer error: %s (%s)", reason,
            rd_kafka_err2name(err));
    return true;
}

zs_err_t zs_producer_send(zs_producer_t *p, const char *topic, int32_t partition, const void *key,
                          size_t key_len, const void *value, size_t value_len, uint64_t item,
                          uint64_t tag, char *errstr, size_t errstr_size)
{
    if (item != p->next)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "item %llu sent out of order",
                       (unsigned long long)item);
    /* After a failed delivery nothing later can count as delivered in order:
     * stop, so the caller resumes from there. */
    while (p->failed == 0 && item - p->base >= WINDOW && !fatal(p, errstr, errstr_size))
        rd_kafka_poll(p->rk, 100);
    if (fatal(p, errstr, errstr_size))
        return ZS_ERR_KAFKA;
    if (p->failed > 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "a delivery failed: %s", p->first_error);
    p->tags[item % WINDOW] = tag;
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_KEY((void *)key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)item),
            RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            break;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot send to %s: %s", topic,
                           rd_kafka_err2str(err));
        rd_kafka_poll(p->rk, 100);
        if (fatal(p, errstr, errstr_size))
            return ZS_ERR_KAFKA;
    }
    /* Serve delivery reports now and then, not after every message. */
    if (p->next++ % 64 == 0)
        rd_kafka_poll(p->rk, 0);
    return ZS_OK;
}

void zs_producer_poll(zs_producer_t *p, int timeout_ms)
{
    rd_kafka_poll(p->rk, timeout_ms);
}

uint64_t zs_producer_done_upto(const zs_producer_t *p, uint64_t *tag)
{
    if (tag != NULL)
        *tag = p->base > 1 ? p->base_tag : 0;
    return p->base - 1;
}

uint64_t zs_producer_delivered(const zs_producer_t *p)
{
    return p->delivered;
}

uint64_t zs_producer_failed(const zs_producer_t *p)
{
    return p->failed;
}

zs_err_t zs_producer_flush(zs_producer_t *p, int timeout_ms, char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t err = rd_kafka_flush(p->rk, timeout_ms);
    if (fatal(p, errstr, errstr_size))
        return ZS_ERR_KAFKA;
    if (p->failed > 0) {
        char tags[128] = "";
        size_t off = 0;
        for (uint64_t i = 0; i < p->failed && i < FAILED_TAGS && off < sizeof(tags); i++)
            off += (size_t)snprintf(tags + off, sizeof(tags) - off, "%s%llu", i ? ", " : "",
                                    (unsigned long long)p->failed_tags[i]);
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA,
                       "%llu deliveries failed, the first because: %s; their tags: %s%s",
                       (unsigned long long)p->failed, p->first_error, tags,
                       p->failed > FAILED_TAGS ? ", ..." : "");
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "%d messages still undelivered: %s",
                       rd_kafka_outq_len(p->rk), rd_kafka_err2str(err));
    return ZS_OK;
}
