/* mon_emit.c: what zs-monitor writes besides its state: warnings (one
 * record per decision of the rules), audit records (one hash chain per
 * partition: zs-monitor/p<p>) and dead letters, all into the open
 * transaction. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mon_service.h"
#include "zs_avro.h"
#include "zs_dead.h"
#include "zs_log.h"

static const char *const audit_kinds[] = {"WARNING_OPENED", "WARNING_UPDATED", "WARNING_CLEARED"};

/* Appends one audit record of partition p's chain. fill sets the fields
 * other than chain, seq, prev_hash, kind, actor, at and detail. */
zs_err_t mon_emit_audit(monitor_t *m, const char *kind, const char *detail, avro_value_t **rec_out,
                        char *errstr, size_t errstr_size)
{
    avro_value_t *v = zs_encoder_value(m->audit_enc), f;
    int sym = avro_schema_enum_get_by_name(
        avro_schema_record_field_get(zs_schema_avro(m->audit_schema), "kind"), kind);
    if (sym < 0 || avro_value_get_by_name(v, "kind", &f, NULL) || avro_value_set_enum(&f, sym) ||
        zs_avro_set_str(v, "actor", "zs-monitor") || zs_avro_set_num(v, "at", mon_now_ms()) ||
        zs_avro_set_str(v, "detail", detail))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
    *rec_out = v;
    return ZS_OK;
}

/* Sets the audit record's source to the message being handled. */
int mon_emit_audit_source(monitor_t *m, avro_value_t *v, const char *event_id)
{
    avro_value_t f, src;
    return avro_value_get_by_name(v, "source", &f, NULL) || avro_value_set_branch(&f, 1, &src) ||
           zs_codec_null_optionals(&src) != ZS_OK || zs_avro_set_str(&src, "topic", m->src_topic) ||
           zs_avro_set_num(&src, "partition", m->src_partition) ||
           (m->src_offset >= 0 ? zs_avro_set_num(&src, "offset", m->src_offset)
                               : zs_avro_set_null(&src, "offset")) ||
           zs_avro_set_str(&src, "event_id", event_id);
}

zs_err_t mon_emit_audit_send(monitor_t *m, part_t *pt, avro_value_t *v, char *errstr,
                             size_t errstr_size)
{
    zs_err_t err = zs_audit_chain_append(&pt->chain, m->audit_enc, v, &m->msg, errstr, errstr_size);
    pt->dirty = true;
    return err != ZS_OK ? err
                        : mon_produce(m, m->audit_topic, RD_KAFKA_PARTITION_UA, pt->chain.name,
                                      m->msg.data, m->msg.len, errstr, errstr_size);
}

/* A dead letter for the bytes at topic [partition] offset (-1: not one
 * record's). It always fits in a Kafka message: key and payload are capped
 * (common/zs_dead.h), the reason then says so with the whole's SHA-256. */
static zs_err_t dead_letter_at(monitor_t *m, const char *topic, int32_t partition, int64_t offset,
                               const void *key, size_t key_len, const void *payload, size_t len,
                               const char *reason, const char *error, char *errstr,
                               size_t errstr_size)
{
    zs_dead_cap_t kcap, pcap;
    zs_dead_payload_cap(key, key ? key_len : 0, 1024, &kcap);
    zs_dead_payload_cap(payload, payload ? len : 0, 0, &pcap);
    char why[1200];
    snprintf(why, sizeof(why), "%.700s%s%s", reason, kcap.cut ? " (key cut)" : "", pcap.note);
    avro_value_t *v = zs_encoder_value(m->dead_enc);
    if (zs_avro_set_str(v, "reason", why) || zs_avro_set_str(v, "error", error) ||
        zs_avro_set_str(v, "producer", "zs-monitor") || zs_avro_set_num(v, "at", mon_now_ms()) ||
        zs_avro_set_str(v, "source_topic", topic) ||
        zs_avro_set_num(v, "source_partition", partition) ||
        (offset >= 0 ? zs_avro_set_num(v, "source_offset", offset)
                     : zs_avro_set_null(v, "source_offset")) ||
        zs_avro_set_bytes(v, "key", key, kcap.len) ||
        zs_avro_set_bytes(v, "payload", payload, pcap.len) ||
        zs_avro_set_num(v, "redacted", kcap.cut || pcap.cut))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "dead letter: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode(m->dead_enc, &m->msg, errstr, errstr_size);
    m->dead++;
    for (int e = 0; e < ZS_ERR__COUNT; e++)
        if (strcmp(zs_err_name((zs_err_t)e), error) == 0)
            m->dead_by_error[e]++;
    zs_log_warn("%s [%" PRId32 "] offset %" PRId64 ": %s (to the dead-letter topic)", topic,
                partition, offset, why);
    return err != ZS_OK ? err
                        : mon_produce(m, m->dead_topic, RD_KAFKA_PARTITION_UA, NULL, m->msg.data,
                                      m->msg.len, errstr, errstr_size);
}

zs_err_t mon_emit_dead_letter(monitor_t *m, const rd_kafka_message_t *rkm, const char *reason,
                              const char *error, char *errstr, size_t errstr_size)
{
    return dead_letter_at(m, rd_kafka_topic_name(rkm->rkt), rkm->partition, rkm->offset, rkm->key,
                          rkm->key_len, rkm->payload, rkm->len, reason, error, errstr, errstr_size);
}

zs_err_t mon_emit_bad_state(monitor_t *m, int32_t p, const char *id, const void *blob, size_t len,
                            const char *why, char *errstr, size_t errstr_size)
{
    char reason[400];
    snprintf(reason, sizeof(reason),
             "the state of household %s does not decode (%s): dropped, the household starts "
             "again from its next records",
             id, why);
    zs_err_t err = dead_letter_at(m, m->state_topic, p, -1, id, strlen(id), blob, len, reason,
                                  "ZS_ERR_CORRUPT", errstr, errstr_size);
    avro_value_t *a = NULL;
    m->src_topic = m->state_topic;
    m->src_partition = p;
    m->src_offset = -1;
    if (err == ZS_OK)
        err = mon_emit_audit(m, "DATA_QUALITY", reason, &a, errstr, errstr_size);
    if (err == ZS_OK &&
        (zs_avro_set_str(a, "household_id", id) || mon_emit_audit_source(m, a, NULL)))
        err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
    return err == ZS_OK ? mon_emit_audit_send(m, &m->parts[p], a, errstr, errstr_size) : err;
}

/* The records a decision rests on, as Warning.sources: each on its input
 * topic's partition p (the household's). */
static int fill_sources(monitor_t *m, int32_t p, const mon_decision_t *d, avro_value_t *v)
{
    avro_value_t arr, src;
    int rc = avro_value_get_by_name(v, "sources", &arr, NULL) ||
             zs_avro_set_num(v, "sources_truncated", d->refs_truncated);
    for (size_t i = 0; i < d->nrefs && rc == 0; i++) {
        const mon_ref_t *r = &d->refs[i];
        int t = m->ref_topics[r->kind];
        if (t < 0)
            continue; /* not an input topic of this monitor */
        rc = avro_value_append(&arr, &src, NULL) || zs_avro_set_str(&src, "topic", m->inputs[t]) ||
             zs_avro_set_num(&src, "partition", p) || zs_avro_set_num(&src, "offset", r->offset) ||
             zs_avro_set_str(&src, "event_id", r->event_id[0] ? r->event_id : NULL);
    }
    return rc;
}

/* The Warning record of one decision of a household of partition p. */
static zs_err_t fill_warning(monitor_t *m, int32_t p, const mon_hh_t *hh, const mon_decision_t *d,
                             avro_value_t *v)
{
    const mon_evidence_t *e = &d->evidence;
    avro_value_t ev, comps, item;
    int rc = zs_avro_set_str(v, "warning_id", d->warning_id) ||
             zs_avro_set_str(v, "household_id", hh->id) ||
             zs_avro_set_str(v, "county_code", hh->registered ? hh->county : "000000") ||
             zs_avro_set_str(v, "person_id", d->person_id[0] ? d->person_id : NULL) ||
             zs_avro_set_num(v, "rule", d->rule) || zs_avro_set_num(v, "severity", d->severity) ||
             zs_avro_set_num(v, "status", d->status) ||
             zs_avro_set_num(v, "year", zs_month_year(d->period)) ||
             zs_avro_set_num(v, "month", zs_month_month(d->period)) ||
             zs_avro_set_num(v, "opened_year", zs_month_year(d->opened)) ||
             zs_avro_set_num(v, "opened_month", zs_month_month(d->opened)) ||
             zs_avro_set_num(v, "risk_type", d->risk) ||
             zs_avro_set_str(v, "ruleset_version", RULESET_VERSION) ||
             zs_avro_set_num(v, "emitted_at", mon_now_ms());
    rc = rc || avro_value_get_by_name(v, "evidence", &ev, NULL) ||
         zs_codec_null_optionals(&ev) != ZS_OK;
    if (rc == 0) {
        if (e->has_t12m)
            rc |= zs_avro_set_num(&ev, "t12m_per_capita_fen", e->t12m_per_capita);
        if (e->has_prev)
            rc |= zs_avro_set_num(&ev, "t12m_prev_per_capita_fen", e->prev_per_capita);
        if (e->has_growth)
            rc |= zs_avro_set_num(&ev, "growth_bp", e->growth_bp);
        if (e->has_threshold)
            rc |= zs_avro_set_num(&ev, "threshold", e->threshold);
        if (e->unit != MON_UNIT_NONE)
            rc |= zs_avro_set_num(&ev, "threshold_unit", e->unit);
        if (e->has_observed)
            rc |= zs_avro_set_num(&ev, "observed", e->observed);
        if (e->program >= 0)
            rc |= zs_avro_set_num(&ev, "program", e->program);
        if (e->has_amount)
            rc |= zs_avro_set_num(&ev, "amount_fen", e->amount);
        rc |= zs_avro_set_num(&ev, "members_active", e->members_active) ||
              zs_avro_set_str(&ev, "threshold_source",
                              e->threshold_source ? e->threshold_source : "") ||
              zs_avro_set_str(&ev, "detail", e->detail);
        rc |= avro_value_get_by_name(&ev, "components", &comps, NULL);
        for (int c = 0; rc == 0 && e->has_components && c < MON_COMPONENTS; c++) {
            rc = avro_value_append(&comps, &item, NULL) || zs_avro_set_num(&item, "component", c) ||
                 zs_avro_set_num(&item, "current_fen", e->current[c]);
            if (rc == 0)
                rc = e->has_prev_components ? zs_avro_set_num(&item, "previous_fen", e->previous[c])
                                            : zs_avro_set_null(&item, "previous_fen");
        }
    }
    rc = rc || fill_sources(m, p, d, v);
    return rc ? ZS_ERR_AVRO : ZS_OK;
}

/* Writes the decisions and findings of m->out for household hh of p. */
zs_err_t mon_emit_out(monitor_t *m, part_t *pt, int32_t p, mon_hh_t *hh, char *errstr,
                      size_t errstr_size)
{
    size_t n;
    const mon_decision_t *d = mon_out_decisions(&m->out, &n);
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        avro_value_t *v = zs_encoder_value(m->warn_enc);
        if (fill_warning(m, p, hh, &d[i], v) != ZS_OK)
            return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "warning %s: %s", d[i].warning_id,
                           avro_strerror());
        err = zs_encoder_encode(m->warn_enc, &m->msg, errstr, errstr_size);
        if (err == ZS_OK)
            err = mon_produce(m, m->warnings_topic, p, hh->id, m->msg.data, m->msg.len, errstr,
                              errstr_size);
        m->warnings++;
        char detail[400];
        snprintf(detail, sizeof(detail), "%s %s %s: %s", mon_rule_name(d[i].rule), d[i].subject,
                 audit_kinds[d[i].status] + 8, d[i].evidence.detail);
        avro_value_t *a = NULL;
        if (err == ZS_OK)
            err = mon_emit_audit(m, audit_kinds[d[i].status], detail, &a, errstr, errstr_size);
        if (err == ZS_OK &&
            (zs_avro_set_str(a, "household_id", hh->id) ||
             zs_avro_set_str(a, "county_code", hh->registered ? hh->county : NULL) ||
             zs_avro_set_str(a, "person_id", d[i].person_id[0] ? d[i].person_id : NULL) ||
             zs_avro_set_str(a, "warning_id", d[i].warning_id) ||
             zs_avro_set_num(a, "rule", d[i].rule) ||
             zs_avro_set_num(a, "year", zs_month_year(d[i].period)) ||
             zs_avro_set_num(a, "month", zs_month_month(d[i].period)) ||
             mon_emit_audit_source(m, a, d[i].event_id[0] ? d[i].event_id : NULL)))
            err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
        if (err == ZS_OK)
            err = mon_emit_audit_send(m, pt, a, errstr, errstr_size);
    }
    const mon_finding_t *f = mon_out_findings(&m->out, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        if (!mon_hh_note(hh, f[i].kind, f[i].period, f[i].person_id, &err))
            continue; /* written before, or out of memory (err) */
        avro_value_t *a = NULL;
        char detail[300];
        snprintf(detail, sizeof(detail), "%s: %s", mon_finding_name(f[i].kind), f[i].detail);
        err = mon_emit_audit(m, "DATA_QUALITY", detail, &a, errstr, errstr_size);
        if (err == ZS_OK &&
            (zs_avro_set_str(a, "household_id", hh->id) ||
             zs_avro_set_str(a, "county_code", hh->registered ? hh->county : NULL) ||
             zs_avro_set_str(a, "person_id", f[i].person_id[0] ? f[i].person_id : NULL) ||
             zs_avro_set_num(a, "finding", f[i].kind) ||
             zs_avro_set_num(a, "year", zs_month_year(f[i].period)) ||
             zs_avro_set_num(a, "month", zs_month_month(f[i].period)) ||
             mon_emit_audit_source(m, a, NULL)))
            err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
        if (err == ZS_OK)
            err = mon_emit_audit_send(m, pt, a, errstr, errstr_size);
    }
    mon_out_reset(&m->out);
    return err;
}
