/* zs_broker.c: starting librdkafka's mock cluster with our topics. */
#include "zs_broker.h"

#include <stdio.h>
#include <stdlib.h>

#include "zs_topics.h"

struct zs_broker {
    rd_kafka_t *rk; /* the client handle that hosts the mock cluster */
    rd_kafka_mock_cluster_t *mcluster;
};

zs_err_t zs_broker_start(int brokers, const char *prefix, int partitions, zs_broker_t **out,
                         char *errstr, size_t errstr_size)
{
    if (brokers < 1 || brokers > 16 || partitions < 1 || partitions > 1000)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "brokers must be 1-16 and partitions 1-1000");
    zs_broker_t *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return ZS_ERR_NOMEM;
    char kerr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
    b->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof(kerr));
    if (b->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        free(b);
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot create a client: %s", kerr);
    }
    b->mcluster = rd_kafka_mock_cluster_new(b->rk, brokers);
    if (b->mcluster == NULL) {
        zs_broker_stop(b);
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot start the mock cluster");
    }
    int replication = brokers < 3 ? brokers : 3;
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++) {
        char name[256];
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__INVALID_ARG;
        if (zs_topic_name(prefix, t->suffix, name, sizeof(name)))
            err = rd_kafka_mock_topic_create(b->mcluster, name, partitions, replication);
        if (err) {
            zs_broker_stop(b);
            return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "cannot create topic %s%s: %s",
                           prefix, t->suffix, rd_kafka_err2str(err));
        }
    }
    *out = b;
    return ZS_OK;
}

void zs_broker_stop(zs_broker_t *b)
{
    if (b == NULL)
        return;
    if (b->mcluster != NULL)
        rd_kafka_mock_cluster_destroy(b->mcluster);
    if (b->rk != NULL)
        rd_kafka_destroy(b->rk);
    free(b);
}

const char *zs_broker_bootstraps(const zs_broker_t *b)
{
    return rd_kafka_mock_cluster_bootstraps(b->mcluster);
}

rd_kafka_mock_cluster_t *zs_broker_cluster(zs_broker_t *b)
{
    return b->mcluster;
}
