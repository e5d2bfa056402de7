/* zs_kafka.c: client set-up shared by every program. */
#include "zs_kafka.h"

#include <inttypes.h>
#include <stdio.h>

#include "zs_log.h"

/* librdkafka's log lines go through ours. @locality: librdkafka threads. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    zs_log(zs_log_level_from_syslog(level), "kafka %s: %s", fac, buf);
}

zs_err_t zs_kafka_new(const zs_config_t *cfg, rd_kafka_type_t type,
                      const zs_kafka_default_t *defaults, rd_kafka_t **out, char *errstr,
                      size_t errstr_size)
{
    return zs_kafka_new_with(cfg, type, defaults, NULL, NULL, out, errstr, errstr_size);
}

zs_err_t zs_kafka_new_with(const zs_config_t *cfg, rd_kafka_type_t type,
                           const zs_kafka_default_t *defaults,
                           void (*on_delivery)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                           void *opaque, rd_kafka_t **out, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char kerr[512];
    rd_kafka_conf_set_log_cb(conf, on_log);
    if (on_delivery != NULL)
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, opaque);
    for (const zs_kafka_default_t *d = defaults; d != NULL && d->name != NULL; d++)
        if (rd_kafka_conf_set(conf, d->name, d->value, kerr, sizeof(kerr)) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: %s", d->name, kerr);
        }
    zs_err_t err = zs_config_kafka_conf(cfg, conf, errstr, errstr_size);
    if (err != ZS_OK) {
        rd_kafka_conf_destroy(conf);
        return err;
    }
    char servers[1024] = "";
    size_t size = sizeof(servers);
    if (rd_kafka_conf_get(conf, "bootstrap.servers", servers, &size) != RD_KAFKA_CONF_OK ||
        servers[0] == '\0') {
        rd_kafka_conf_destroy(conf);
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "no brokers: give -b HOST:PORT or -X bootstrap.servers=...");
    }
    *out = rd_kafka_new(type, conf, kerr, sizeof(kerr));
    if (*out == NULL) {
        rd_kafka_conf_destroy(conf);
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot create a Kafka client: %s", kerr);
    }
    return ZS_OK;
}

bool zs_kafka_read_to_end(rd_kafka_t *consumer, const zs_kafka_reader_t *r, int timeout_ms,
                          char *why, size_t why_size)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    rd_kafka_resp_err_t err = rd_kafka_assignment(consumer, &parts);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(why, why_size, "the assignment: %s", rd_kafka_err2str(err));
        return false;
    }
    /* The consumer's position steps over transaction markers; where it has
     * read nothing since the assignment, the reader knows where it started
     * (a seek), else the group's committed offset does. */
    rd_kafka_position(consumer, parts);
    bool unknown = false;
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &parts->elems[i];
        if (tp->offset < 0 && r != NULL && r->next != NULL)
            tp->offset = r->next(r->ctx, tp->topic, tp->partition);
        unknown |= tp->offset < 0;
    }
    if (unknown) {
        rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_copy(parts);
        err = rd_kafka_committed(consumer, c, timeout_ms);
        for (int i = 0; i < parts->cnt && err == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
            if (parts->elems[i].offset < 0)
                parts->elems[i].offset = c->elems[i].offset;
        rd_kafka_topic_partition_list_destroy(c);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(why, why_size, "the committed offsets: %s", rd_kafka_err2str(err));
            rd_kafka_topic_partition_list_destroy(parts);
            return false;
        }
    }
    /* Every partition's end in one ListOffsets request per broker (the
     * timestamp -1 asks for the latest offset, -2 for the earliest: where a
     * partition never read nor committed starts). */
    rd_kafka_topic_partition_list_t *ends = rd_kafka_topic_partition_list_copy(parts);
    for (int i = 0; i < ends->cnt; i++)
        ends->elems[i].offset = RD_KAFKA_OFFSET_END;
    err = rd_kafka_offsets_for_times(consumer, ends, timeout_ms);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && unknown) {
        rd_kafka_topic_partition_list_t *starts = rd_kafka_topic_partition_list_copy(parts);
        for (int i = 0; i < starts->cnt; i++)
            starts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
        err = rd_kafka_offsets_for_times(consumer, starts, timeout_ms);
        for (int i = 0; i < parts->cnt && err == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
            if (parts->elems[i].offset < 0 && starts->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
                parts->elems[i].offset = starts->elems[i].offset;
        rd_kafka_topic_partition_list_destroy(starts);
    }
    bool done = err == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!done)
        snprintf(why, why_size, "the broker's end offsets: %s", rd_kafka_err2str(err));
    for (int i = 0; i < parts->cnt && done; i++) {
        const rd_kafka_topic_partition_t *tp = &parts->elems[i], *end = &ends->elems[i];
        if (r != NULL && r->skip != NULL && r->skip(r->ctx, tp->topic, tp->partition))
            continue;
        if (end->err != RD_KAFKA_RESP_ERR_NO_ERROR || end->offset < 0) {
            snprintf(why, why_size, "%s [%" PRId32 "]: the broker's end offset: %s", tp->topic,
                     tp->partition, end->err ? rd_kafka_err2str(end->err) : "none returned");
            done = false;
        } else if (tp->offset < end->offset) {
            snprintf(why, why_size,
                     "%s [%" PRId32 "]: at %" PRId64 ", the broker has up to %" PRId64, tp->topic,
                     tp->partition, tp->offset, end->offset);
            done = false;
        }
    }
    rd_kafka_topic_partition_list_destroy(ends);
    rd_kafka_topic_partition_list_destroy(parts);
    return done;
}
