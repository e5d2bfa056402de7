/* zs_scan.c: a group-less topic reader. */
#include "zs_scan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "zs_kafka.h"
#include "zs_log.h"

/* The topic's partitions to read, with their start offsets. */
static zs_err_t partitions(rd_kafka_t *rk, const zs_scan_opts_t *opts,
                           rd_kafka_topic_partition_list_t **out, char *errstr, size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, opts->topic, NULL);
    rd_kafka_resp_err_t kerr = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err) {
        zs_err_t err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "topic %s: %s", opts->topic,
                               rd_kafka_err2str(kerr ? kerr : md->topics[0].err));
        if (md != NULL)
            rd_kafka_metadata_destroy(md);
        return err;
    }
    rd_kafka_topic_partition_list_t *parts =
        rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (int i = 0; i < md->topics[0].partition_cnt; i++) {
        int32_t p = md->topics[0].partitions[i].id;
        bool listed = opts->partitions == NULL;
        for (int k = 0; opts->partitions != NULL && k < opts->npartitions; k++)
            listed |= opts->partitions[k] == p;
        bool kept =
            opts->positions != NULL && p >= 0 && p < opts->npositions && opts->positions[p] >= 0;
        if ((opts->partition < 0 || p == opts->partition) && listed)
            rd_kafka_topic_partition_list_add(parts, opts->topic, p)->offset =
                kept ? opts->positions[p] : opts->offset;
    }
    rd_kafka_metadata_destroy(md);
    if (parts->cnt == 0) {
        rd_kafka_topic_partition_list_destroy(parts);
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "topic %s has no partition %" PRId32,
                       opts->topic, opts->partition);
    }
    *out = parts;
    return ZS_OK;
}

zs_err_t zs_scan(const zs_config_t *cfg, const zs_scan_opts_t *opts, zs_scan_fn *fn, void *ctx,
                 long *errors, char *errstr, size_t errstr_size)
{
    static const zs_kafka_default_t defaults[] = {{"isolation.level", "read_committed"},
                                                  {"enable.partition.eof", "true"},
                                                  {"enable.auto.commit", "false"},
                                                  {"group.id", "zs-scan"},
                                                  {NULL, NULL}};
    rd_kafka_t *rk = NULL;
    rd_kafka_topic_partition_list_t *parts = NULL;
    zs_err_t err = zs_kafka_new(cfg, RD_KAFKA_CONSUMER, defaults, &rk, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    err = partitions(rk, opts, &parts, errstr, errstr_size);
    rd_kafka_resp_err_t kerr = err == ZS_OK ? rd_kafka_assign(rk, parts) : 0;
    if (kerr)
        err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot read %s: %s", opts->topic,
                      rd_kafka_err2str(kerr));
    /* Which partitions are at their end now (a partition may reach its end,
     * get more, and reach it again). */
    bool *at_end = err == ZS_OK ? calloc((size_t)parts->cnt, sizeof(*at_end)) : NULL;
    if (err == ZS_OK && at_end == NULL)
        err = ZS_ERR_NOMEM;
    int ended = 0;
    long seen = 0;
    while (err == ZS_OK && !(opts->stop && *opts->stop) &&
           (opts->count == 0 || seen < opts->count)) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, 500);
        if (rkm == NULL)
            continue;
        int slot = -1;
        for (int i = 0; i < parts->cnt; i++)
            if (parts->elems[i].partition == rkm->partition)
                slot = i;
        bool kept =
            opts->positions != NULL && rkm->partition >= 0 && rkm->partition < opts->npositions;
        if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (kept && rkm->offset >= 0)
                opts->positions[rkm->partition] = rkm->offset;
            if (slot >= 0 && !at_end[slot]) {
                at_end[slot] = true;
                ended++;
            }
            rd_kafka_message_destroy(rkm);
            if (opts->exit_at_end && ended >= parts->cnt)
                break;
            continue;
        }
        if (rkm->err) {
            zs_log(ZS_LOG_ERROR, "%s: %s", opts->topic, rd_kafka_message_errstr(rkm));
            if (errors != NULL)
                (*errors)++;
            rd_kafka_message_destroy(rkm);
            continue;
        }
        if (slot >= 0 && at_end[slot]) {
            at_end[slot] = false;
            ended--;
        }
        bool go_on = fn(ctx, rkm);
        if (kept)
            opts->positions[rkm->partition] = rkm->offset + 1;
        seen++;
        rd_kafka_message_destroy(rkm);
        if (!go_on)
            break;
    }
    free(at_end);
    if (parts != NULL) {
        rd_kafka_consumer_close(rk);
        rd_kafka_topic_partition_list_destroy(parts);
    }
    rd_kafka_destroy(rk);
    return err;
}
