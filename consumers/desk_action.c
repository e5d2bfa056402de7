/* desk_action.c: what zs-desk writes (consumers/DESK.md, "Actions"): each
 * officer's action as a FollowUp on zs.followup through an idempotent
 * producer with acks=all, confirmed before the page says it is done; and an
 * audit record on zs.audit for each login and each action, on the
 * program's own hash chain. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "desk_pages.h"
#include "desk_server.h"
#include "zs_avro.h"
#include "zs_kafka.h"
#include "zs_log.h"

static const zs_kafka_default_t producer_defaults[] = {
    {"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "0"}, {NULL, NULL}};

/* The outcome of one message, filled by the delivery report. */
typedef struct delivery {
    volatile int done;
    rd_kafka_resp_err_t err;
} delivery_t;

/* @locality: librdkafka's poll, on the HTTP thread. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    delivery_t *d = m->_private;
    if (m->err)
        zs_log(ZS_LOG_ERROR, "%s: not delivered: %s", rd_kafka_topic_name(m->rkt),
               rd_kafka_err2str(m->err));
    if (d != NULL) {
        d->err = m->err;
        d->done = 1;
    }
}

zs_err_t desk_action_init(desk_server_t *srv, char *errstr, size_t errstr_size)
{
    const zs_schema_t *fu = zs_schemas_latest(srv->schemas, "FollowUp");
    const zs_schema_t *au = zs_schemas_latest(srv->schemas, "AuditRecord");
    if (fu == NULL || zs_schema_version(fu) < 2 || au == NULL || zs_schema_version(au) < 2)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND,
                       "zs-desk needs FollowUp.v2 and AuditRecord.v2 in zs.schema.dir");
    zs_err_t err = zs_encoder_new(fu, &srv->followup_enc, errstr, errstr_size);
    err = err ? err : zs_encoder_new(au, &srv->audit_enc, errstr, errstr_size);
    err = err ? err
              : zs_kafka_new_with(srv->cfg, RD_KAFKA_PRODUCER, producer_defaults, on_delivery, srv,
                                  &srv->producer, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    char host[64] = "?", chain[128];
    gethostname(host, sizeof(host) - 1);
    snprintf(srv->actor, sizeof(srv->actor), "zs-desk@%s/pid %d", host, (int)getpid());
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* A chain per run, as zs-push has: one writer, never continued by another. */
    snprintf(chain, sizeof(chain), "zs-desk/%s/%lld", host,
             (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    zs_audit_chain_init(&srv->chain, chain);
    zs_buf_init(&srv->msg, 1 << 20);
    return ZS_OK;
}

void desk_action_fini(desk_server_t *srv)
{
    if (srv->producer != NULL) {
        rd_kafka_flush(srv->producer, 10000);
        int left = rd_kafka_outq_len(srv->producer);
        if (left > 0)
            zs_log(ZS_LOG_ERROR, "%d audit records not delivered at exit", left);
        rd_kafka_destroy(srv->producer);
    }
    zs_encoder_free(srv->followup_enc);
    zs_encoder_free(srv->audit_enc);
    zs_buf_free(&srv->msg);
}

/* Sends srv->msg to topic with key; waits for its delivery when d is not
 * NULL. */
static zs_err_t send_msg(desk_server_t *srv, const char *topic, const char *key, delivery_t *d,
                         int timeout_ms, char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t kerr = rd_kafka_producev(
        srv->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
        RD_KAFKA_V_VALUE(srv->msg.data, srv->msg.len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE(d), RD_KAFKA_V_END);
    if (kerr)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "%s: %s", topic, rd_kafka_err2str(kerr));
    for (int waited = 0; d != NULL && !d->done && waited < timeout_ms; waited += 50)
        rd_kafka_poll(srv->producer, 50);
    rd_kafka_poll(srv->producer, 0);
    if (d != NULL && !d->done)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "%s: no acknowledgement in %d ms", topic,
                       timeout_ms);
    if (d != NULL && d->err)
        return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "%s: %s", topic,
                       rd_kafka_err2str(d->err));
    return ZS_OK;
}

/* Sets an enum field (or an optional enum) by symbol. */
static int set_symbol(avro_value_t *rec, const char *field, const char *symbol)
{
    avro_value_t f, b;
    if (avro_value_get_by_name(rec, field, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_UNION) {
        if (avro_value_set_branch(&f, 1, &b) != 0)
            return -1;
        f = b;
    }
    int i = avro_schema_enum_get_by_name(avro_value_get_schema(&f), symbol);
    return i < 0 ? -1 : avro_value_set_enum(&f, i);
}

zs_err_t desk_action_publish(desk_server_t *srv, const desk_followup_t *f, int timeout_ms,
                             char *errstr, size_t errstr_size)
{
    avro_value_t *v = zs_encoder_value(srv->followup_enc);
    if (zs_avro_set_str(v, "event_id", f->event_id) ||
        zs_avro_set_str(v, "household_id", f->household_id) ||
        zs_avro_set_str(v, "warning_id", f->warning_id) ||
        set_symbol(v, "action", desk_action_symbol(f->action)) ||
        zs_avro_set_str(v, "note", f->note) || zs_avro_set_str(v, "officer_id", f->officer_id) ||
        zs_avro_set_num(v, "at", f->at) ||
        (f->measure != DESK_MEASURE_NONE &&
         set_symbol(v, "measure", desk_measure_symbol(f->measure))))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "follow-up: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode(srv->followup_enc, &srv->msg, errstr, errstr_size);
    delivery_t d = {0};
    return err ? err
               : send_msg(srv, srv->topic_followup, f->household_id, &d, timeout_ms, errstr,
                          errstr_size);
}

zs_err_t desk_action_audit(desk_server_t *srv, const char *kind, const desk_row_t *row, int action,
                           const char *detail, char *errstr, size_t errstr_size)
{
    avro_value_t *v = zs_encoder_value(srv->audit_enc);
    int rc = set_symbol(v, "kind", kind) || zs_avro_set_str(v, "actor", srv->actor) ||
             zs_avro_set_num(v, "at", desk_now(srv)) || zs_avro_set_str(v, "detail", detail);
    if (row != NULL)
        rc = rc || zs_avro_set_str(v, "household_id", row->household_id) ||
             zs_avro_set_str(v, "county_code", row->county_code) ||
             zs_avro_set_str(v, "warning_id", row->warning_id) ||
             zs_avro_set_num(v, "year", row->year) || zs_avro_set_num(v, "month", row->month) ||
             zs_avro_set_num(v, "rule", row->rule);
    if (action >= 0)
        rc = rc || set_symbol(v, "action", desk_action_symbol((desk_action_t)action));
    if (rc)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
    zs_err_t err =
        zs_audit_chain_append(&srv->chain, srv->audit_enc, v, &srv->msg, errstr, errstr_size);
    return err ? err
               : send_msg(srv, srv->topic_audit, srv->chain.name, NULL, 0, errstr, errstr_size);
}
