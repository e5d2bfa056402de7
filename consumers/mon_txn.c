/* mon_txn.c: zs-monitor's transaction cycle. Everything one batch of
 * input causes (warnings, audit records, dead letters, the changelog
 * records of the households and partitions it changed) and the consumed
 * offsets commit in one Kafka transaction; the households it touched are
 * held decoded in the work table until then. What it changed in memory is
 * kept as it was before (the undo log, the partitions' saved records) so
 * that an abort puts it back. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mon_service.h"
#include "zs_log.h"

/* Produces one message into the open transaction. */
zs_err_t mon_produce(monitor_t *m, const char *topic, int32_t partition, const char *key,
                     const void *value, size_t len, char *errstr, size_t errstr_size)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            m->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
            RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return ZS_OK;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "producing to %s: %s", topic,
                           rd_kafka_err2str(err));
        rd_kafka_poll(m->producer, 10);
    }
}

/* A delivery report with an error makes the transaction abortable or the
 * producer fatal; librdkafka reports it again at commit, so only log here. */
void mon_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (rkm->err)
        zs_log_warn("delivery to %s [%" PRId32 "] failed: %s", rd_kafka_topic_name(rkm->rkt),
                    rkm->partition, rd_kafka_err2str(rkm->err));
}

zs_err_t mon_txn_begin(monitor_t *m, char *errstr, size_t errstr_size)
{
    if (m->in_txn)
        return ZS_OK;
    rd_kafka_error_t *e = rd_kafka_begin_transaction(m->producer);
    if (e != NULL) {
        zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "begin transaction: %s",
                rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return ZS_ERR_KAFKA;
    }
    m->in_txn = true;
    m->txn_started = m->now;
    m->txn_records = 0;
    /* What an abort would put back: the households as they are now (noted
     * as they are written) and every assigned partition's record. */
    mon_undo_reset(m->undo);
    m->txn_bad_states = false;
    for (int32_t p = 0; p < m->nparts; p++) {
        const part_t *pt = &m->parts[p];
        part_saved_t *sv = &m->saved[p];
        sv->valid = pt->assigned;
        if (!pt->assigned)
            continue;
        memcpy(sv->closed, pt->closed, sizeof(sv->closed));
        memcpy(sv->next, pt->next, sizeof(sv->next));
        sv->watermark = pt->watermark;
        sv->chain = pt->chain;
        sv->dirty = pt->dirty;
        sv->open_warnings = pt->open_warnings;
    }
    return ZS_OK;
}

/* The household id's decoded state for this transaction (loaded on first
 * use). NULL on a corrupt state (logged) or when out of memory. */
work_t *mon_txn_load(monitor_t *m, int32_t p, const char *id, char *errstr, size_t errstr_size)
{
    uint32_t h = 2166136261u ^ (uint32_t)p;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    size_t slot = h & (WORK_SLOTS - 1);
    for (; m->work_index[slot] != 0; slot = (slot + 1) & (WORK_SLOTS - 1)) {
        work_t *w = &m->work[m->work_index[slot] - 1];
        if (w->partition == p && strcmp(w->hh.id, id) == 0)
            return w;
    }
    if (m->nwork >= m->work_max) {
        snprintf(errstr, errstr_size, "too many households in one transaction");
        return NULL; /* the caller commits first */
    }
    work_t *w = &m->work[m->nwork];
    size_t len = 0;
    const void *blob = mon_map_get(m->parts[p].households, id, &len);
    if (blob != NULL) {
        if (mon_hh_decode(&w->hh, id, blob, len, errstr, errstr_size) != ZS_OK)
            return NULL;
    } else {
        mon_hh_clear(&w->hh, id);
    }
    w->partition = p;
    w->used = true;
    w->episodes_before = w->hh.nepisodes;
    m->work_index[slot] = (uint16_t)(++m->nwork);
    return w;
}

void mon_txn_drop_work(monitor_t *m)
{
    if (m->nwork > 0)
        memset(m->work_index, 0, sizeof(m->work_index));
    m->nwork = 0;
}

/* Writes back every household of the transaction and the partitions'
 * records, then commits with the consumed offsets. */
zs_err_t mon_txn_commit(monitor_t *m, char *errstr, size_t errstr_size)
{
    if (!m->in_txn)
        return ZS_OK;
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < m->nwork && err == ZS_OK; i++)
        err = mon_changelog_store(m, m->work[i].partition, &m->work[i].hh,
                                  m->work[i].episodes_before, errstr, errstr_size);
    mon_txn_drop_work(m);
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(64);
    for (int32_t p = 0; p < m->nparts && err == ZS_OK; p++) {
        part_t *pt = &m->parts[p];
        if (!pt->assigned || !pt->dirty)
            continue;
        for (int t = 0; t < m->ninputs; t++)
            if (pt->next[t] >= 0)
                rd_kafka_topic_partition_list_add(offsets, m->inputs[t], p)->offset = pt->next[t];
        err = mon_changelog_store_partition(m, p, errstr, errstr_size);
    }
    if (err != ZS_OK) {
        rd_kafka_topic_partition_list_destroy(offsets);
        return err;
    }
    rd_kafka_error_t *e = NULL;
    if (offsets->cnt > 0) {
        rd_kafka_consumer_group_metadata_t *gm = rd_kafka_consumer_group_metadata(m->consumer);
        e = rd_kafka_send_offsets_to_transaction(m->producer, offsets, gm, -1);
        rd_kafka_consumer_group_metadata_destroy(gm);
    }
    rd_kafka_topic_partition_list_destroy(offsets);
    if (e == NULL)
        e = rd_kafka_commit_transaction(m->producer, -1);
    if (e != NULL) {
        bool abortable = rd_kafka_error_txn_requires_abort(e);
        bool fatal = rd_kafka_error_is_fatal(e);
        zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "commit: %s%s", rd_kafka_error_string(e),
                fatal       ? " (fatal)"
                : abortable ? " (abortable)"
                            : "");
        rd_kafka_error_destroy(e);
        m->in_txn = !fatal && !abortable; /* retriable: still open */
        if (abortable)
            return ZS_ERR_ABORT; /* the caller aborts and rewinds */
        return ZS_ERR_KAFKA;
    }
    m->in_txn = false;
    m->commits++;
    m->last_commit = mon_mono_ms();
    mon_undo_reset(m->undo); /* nothing to put back: give its memory back */
    return ZS_OK;
}

/* Puts back what the aborted transaction changed in memory: the households
 * it wrote to the maps and each assigned partition's record (offsets,
 * closes, watermark, audit chain, open warnings). false, with why, when it
 * cannot; the caller then restores from the changelog. */
static bool undo(monitor_t *m, size_t *households, char *why, size_t why_size)
{
    mon_map_t *maps[MAX_PARTITIONS];
    *households = 0;
    if (m->txn_bad_states) {
        snprintf(why, why_size, "it reported household states that did not decode");
        return false;
    }
    if (!mon_undo_whole(m->undo)) {
        snprintf(why, why_size,
                 "its households' former states took more than zs.monitor.undo.max (%zu bytes) "
                 "or more memory than there was",
                 m->undo_max);
        return false;
    }
    for (int32_t p = 0; p < m->nparts; p++) {
        const part_t *pt = &m->parts[p];
        if (pt->assigned && (!m->saved[p].valid || pt->households == NULL)) {
            snprintf(why, why_size, "partition %" PRId32 " was not assigned when it began", p);
            return false;
        }
        maps[p] = pt->assigned ? pt->households : NULL;
    }
    zs_err_t err = mon_undo_apply(m->undo, maps, m->nparts, households);
    if (err != ZS_OK) {
        snprintf(why, why_size, "putting a household back: %s", zs_err_name(err));
        return false;
    }
    for (int32_t p = 0; p < m->nparts; p++) {
        part_t *pt = &m->parts[p];
        const part_saved_t *sv = &m->saved[p];
        if (!pt->assigned)
            continue;
        memcpy(pt->closed, sv->closed, sizeof(pt->closed));
        memcpy(pt->next, sv->next, sizeof(pt->next));
        pt->watermark = sv->watermark;
        pt->chain = sv->chain;
        pt->dirty = sv->dirty;
        pt->open_warnings = sv->open_warnings;
        memset(pt->at_end, 0, sizeof(pt->at_end)); /* rewound: not at the end any more */
    }
    return true;
}

/* After an abortable error: abort, then start again from the last commit. */
zs_err_t mon_txn_abort(monitor_t *m, char *errstr, size_t errstr_size)
{
    rd_kafka_error_t *e = rd_kafka_abort_transaction(m->producer, -1);
    m->in_txn = false;
    m->aborts++;
    if (e != NULL) {
        zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "abort: %s", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return ZS_ERR_KAFKA;
    }
    zs_log_warn("transaction aborted; rewinding to the last commit");
    mon_txn_drop_work(m);
    mon_out_reset(&m->out);
    char why[256];
    size_t households = 0;
    bool undone = undo(m, &households, why, sizeof(why));
    mon_undo_reset(m->undo);
    if (!undone) {
        zs_log_warn("the aborted transaction cannot be undone in memory (%s): restoring from the "
                    "changelog",
                    why);
        return mon_changelog_restore_assigned(m, errstr, errstr_size);
    }
    m->aborts_undone++;
    zs_log_info("undid %zu households of the aborted transaction and its partitions' records; "
                "no restore",
                households);
    return mon_changelog_seek_assigned(m, errstr, errstr_size);
}
