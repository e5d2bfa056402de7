/* zs_kafka.c: client set-up shared by every program. */
#include "zs_kafka.h"

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
