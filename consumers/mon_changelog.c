/* mon_changelog.c: zs-monitor's state changelog, zs.monitor.state
 * (compacted): one HouseholdState per household (its compact state, scope
 * HOUSEHOLD) and one per partition (scope PARTITION, key #partition/<p>:
 * the next input offsets, each input topic's latest close, the watermark,
 * the head of the audit chain). Restoring reads them back, read_committed,
 * before a partition is processed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mon_service.h"
#include "zs_avro.h"
#include "zs_log.h"
#include "zs_scan.h"

static size_t count_open(const mon_hh_t *hh)
{
    return hh->nepisodes;
}

/* Produces household id's changelog record (its compact state). */
static zs_err_t produce_state(monitor_t *m, int32_t p, const char *id, const void *state,
                              size_t len, char *errstr, size_t errstr_size)
{
    avro_value_t *v = zs_encoder_value(m->state_enc), arr, item;
    if (zs_avro_set_str(v, "household_id", id) || zs_avro_set_num(v, "partition", p) ||
        zs_avro_set_num(v, "state_format", 1) || zs_avro_set_bytes(v, "state", state, len) ||
        zs_avro_set_num(v, "updated_at", mon_now_ms()) || zs_avro_set_num(v, "scope", 0) ||
        avro_value_get_by_name(v, "input_offsets", &arr, NULL))
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "state record: %s", avro_strerror());
    for (int t = 0; t < m->ninputs; t++)
        if (avro_value_append(&arr, &item, NULL) || zs_avro_set_str(&item, "topic", m->inputs[t]) ||
            zs_avro_set_num(&item, "offset", m->parts[p].next[t]))
            return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "state record: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode(m->state_enc, &m->msg, errstr, errstr_size);
    return err != ZS_OK ? err
                        : mon_produce(m, m->state_topic, p, id, m->msg.data, m->msg.len, errstr,
                                      errstr_size);
}

/* Writes one household's state to the map and, when it changed, to the
 * changelog. */
zs_err_t mon_changelog_store(monitor_t *m, int32_t p, mon_hh_t *hh, size_t episodes_before,
                             char *errstr, size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    zs_buf_reset(&m->state);
    zs_err_t err = mon_hh_encode(hh, &m->state);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "household %s: state too large", hh->id);
    size_t old_len = 0;
    const void *old = mon_map_get(pt->households, hh->id, &old_len);
    pt->open_warnings += count_open(hh);
    pt->open_warnings -= episodes_before;
    if (old != NULL && old_len == m->state.len && memcmp(old, m->state.data, old_len) == 0)
        return ZS_OK;
    /* A household nothing was ever applied to (load() made it for a record
     * that was then dead-lettered) has no state: keep none. */
    if (old == NULL && !hh->registered && hh->npersons == 0 && hh->nincomes == 0 &&
        hh->njobs == 0 && hh->nsubsidies == 0 && hh->ncosts == 0 && hh->nepisodes == 0)
        return ZS_OK;
    mon_undo_note(m->undo, p, hh->id, old, old_len); /* as it was, for an abort */
    err = mon_map_put(pt->households, hh->id, m->state.data, m->state.len);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "household %s: out of memory", hh->id);
    return produce_state(m, p, hh->id, m->state.data, m->state.len, errstr, errstr_size);
}

/* The partition record: offsets, closes, watermark, audit chain head. Its
 * own compact form inside HouseholdState.state. */
#define PART_KEY_FMT "#partition/%" PRId32

zs_err_t mon_changelog_store_partition(monitor_t *m, int32_t p, char *errstr, size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    avro_value_t *v = zs_encoder_value(m->state_enc), arr, item;
    char key[64];
    snprintf(key, sizeof(key), PART_KEY_FMT, p);
    zs_buf_reset(&m->state);
    zs_buf_addf(&m->state, "v1 %d %" PRId64 " %d", pt->watermark, pt->chain.next_seq,
                pt->chain.has_prev);
    for (int t = 0; t < m->ninputs; t++)
        zs_buf_addf(&m->state, " %d", pt->closed[t]);
    zs_buf_addc(&m->state, ' ');
    for (int i = 0; i < ZS_SHA256_SIZE; i++)
        zs_buf_addf(&m->state, "%02x", pt->chain.prev[i]);
    int rc = zs_avro_set_str(v, "household_id", key) || zs_avro_set_num(v, "partition", p) ||
             zs_avro_set_num(v, "state_format", 1) ||
             zs_avro_set_bytes(v, "state", m->state.data, m->state.len) ||
             zs_avro_set_num(v, "updated_at", mon_now_ms()) || zs_avro_set_num(v, "scope", 1) ||
             avro_value_get_by_name(v, "input_offsets", &arr, NULL);
    for (int t = 0; rc == 0 && t < m->ninputs; t++)
        rc = avro_value_append(&arr, &item, NULL) ||
             zs_avro_set_str(&item, "topic", m->inputs[t]) ||
             zs_avro_set_num(&item, "offset", pt->next[t]);
    if (rc)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "partition record: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode(m->state_enc, &m->msg, errstr, errstr_size);
    pt->dirty = false;
    return err != ZS_OK ? err
                        : mon_produce(m, m->state_topic, p, key, m->msg.data, m->msg.len, errstr,
                                      errstr_size);
}

/* Reads the partition record's text back. */
static bool parse_partition(monitor_t *m, part_t *pt, const char *text, size_t len)
{
    char buf[1024];
    if (len >= sizeof(buf))
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *s = buf, *end;
    if (strncmp(s, "v1 ", 3) != 0)
        return false;
    s += 3;
    long wm = strtol(s, &end, 10);
    long long seq = strtoll(end, &end, 10);
    long has_prev = strtol(end, &end, 10);
    pt->watermark = (zs_quarter_t)wm;
    pt->chain.next_seq = seq;
    pt->chain.has_prev = has_prev != 0;
    for (int t = 0; t < m->ninputs; t++)
        pt->closed[t] = (zs_quarter_t)strtol(end, &end, 10);
    while (*end == ' ')
        end++;
    for (int i = 0; i < ZS_SHA256_SIZE; i++) {
        unsigned b;
        if (sscanf(end + 2 * i, "%2x", &b) != 1)
            return false;
        pt->chain.prev[i] = (unsigned char)b;
    }
    return true;
}

/* ---- restore ---- */

typedef struct restoring {
    monitor_t *m;
    long records, bad;
    bool out_of_memory; /* a state could not be kept: the scan stopped short */
} restoring_t;

static bool restore_one(void *ctx, const rd_kafka_message_t *rkm)
{
    restoring_t *r = ctx;
    monitor_t *m = r->m;
    char errstr[256];
    const zs_schema_t *reader;
    avro_value_t *v;
    r->records++;
    if (rkm->partition < 0 || rkm->partition >= m->nparts || !m->parts[rkm->partition].assigned)
        return true;
    part_t *pt = &m->parts[rkm->partition];
    if (rkm->payload == NULL && rkm->key != NULL && rkm->key_len < MON_ID_SIZE) {
        /* A tombstone: the household's state was dropped. */
        char id[MON_ID_SIZE];
        memcpy(id, rkm->key, rkm->key_len);
        id[rkm->key_len] = '\0';
        mon_map_del(pt->households, id);
        return true;
    }
    if (zs_decoder_decode(m->dec, rkm->payload, rkm->len, &reader, &v, errstr, sizeof(errstr)) !=
        ZS_OK) {
        zs_log_error("%s [%" PRId32 "] offset %" PRId64 ": %s", m->state_topic, rkm->partition,
                     rkm->offset, errstr);
        r->bad++;
        return true;
    }
    bool ok = true;
    const char *id = mon_avro_str(v, "household_id");
    int64_t scope = mon_avro_long(v, "scope", &ok);
    avro_value_t f;
    const void *blob = NULL;
    size_t len = 0;
    ok = ok && id != NULL && zs_avro_field(v, "state", &f) == 0 &&
         avro_value_get_bytes(&f, &blob, &len) == 0;
    if (!ok || (scope == 1 && !parse_partition(m, pt, blob, len))) {
        zs_log_error("%s [%" PRId32 "] offset %" PRId64 ": a state record that does not read",
                     m->state_topic, rkm->partition, rkm->offset);
        r->bad++;
        return true;
    }
    if (scope == 1) {
        avro_value_t arr, item;
        size_t n = 0;
        if (avro_value_get_by_name(v, "input_offsets", &arr, NULL) == 0)
            avro_value_get_size(&arr, &n);
        for (size_t i = 0; i < n; i++) {
            avro_value_get_by_index(&arr, i, &item, NULL);
            const char *topic = mon_avro_str(&item, "topic");
            int64_t off = mon_avro_long(&item, "offset", &ok);
            for (int t = 0; topic != NULL && t < m->ninputs; t++)
                if (strcmp(topic, m->inputs[t]) == 0)
                    pt->next[t] = off;
        }
        return true;
    }
    if (mon_map_put(pt->households, id, blob, len) != ZS_OK) {
        r->out_of_memory = true;
        return false;
    }
    return true;
}

/* A household state that does not decode, kept until it is reported in
 * the first transaction after the restore. */
typedef struct bad_state {
    int32_t p;
    char id[MON_ID_SIZE];
    char why[200];
    void *blob;
    size_t len;
} bad_state_t;

/* Decodes every household state restored: counts the open warnings, and
 * forgets a state that does not decode after keeping its bytes for the
 * dead letter. */
static zs_err_t check_states(monitor_t *m, int32_t p, char *errstr, size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    mon_hh_t *hh = &m->work[WORK_MAX - 1].hh; /* scratch: no work is held now */
    size_t it = 0, len;
    const char *id;
    const void *blob;
    while (mon_map_next(pt->households, &it, &id, &blob, &len)) {
        char why[200];
        if (mon_hh_decode(hh, id, blob, len, why, sizeof(why)) == ZS_OK) {
            pt->open_warnings += hh->nepisodes;
            continue;
        }
        bad_state_t *b = NULL;
        if (m->nbad_states % 16 == 0) {
            bad_state_t *grown =
                realloc(m->bad_states, (m->nbad_states + 16) * sizeof(*m->bad_states));
            if (grown == NULL)
                return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
            m->bad_states = grown;
        }
        b = &m->bad_states[m->nbad_states];
        b->blob = malloc(len ? len : 1);
        if (b->blob == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
        memcpy(b->blob, blob, len);
        b->len = len;
        b->p = p;
        snprintf(b->id, sizeof(b->id), "%s", id);
        snprintf(b->why, sizeof(b->why), "%s", why);
        m->nbad_states++;
    }
    for (size_t i = 0; i < m->nbad_states; i++) /* not while visiting */
        if (m->bad_states[i].p == p)
            mon_map_del(pt->households, m->bad_states[i].id);
    return ZS_OK;
}

/* Reports the states check_states dropped, in a transaction: a dead letter
 * and an audit record each, and a tombstone to the changelog so that the
 * next restore does not meet the bad one again. */
static zs_err_t report_bad_states(monitor_t *m, char *errstr, size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    if (m->nbad_states > 0 && (err = mon_txn_begin(m, errstr, errstr_size)) == ZS_OK)
        m->txn_bad_states = true; /* its abort restores again, to report them again */
    for (size_t i = 0; i < m->nbad_states && err == ZS_OK; i++) {
        bad_state_t *b = &m->bad_states[i];
        zs_log_warn("partition %" PRId32 ": the state of household %s does not decode (%s); "
                    "dropped, it starts again from its next records",
                    b->p, b->id, b->why);
        err = mon_emit_bad_state(m, b->p, b->id, b->blob, b->len, b->why, errstr, errstr_size);
        if (err == ZS_OK)
            err = mon_produce(m, m->state_topic, b->p, b->id, NULL, 0, errstr, errstr_size);
    }
    mon_bad_states_free(m);
    return err;
}

void mon_bad_states_free(monitor_t *m)
{
    for (size_t i = 0; i < m->nbad_states; i++)
        free(m->bad_states[i].blob);
    free(m->bad_states);
    m->bad_states = NULL;
    m->nbad_states = 0;
}

/* Restores every assigned partition from the changelog (read_committed, to
 * its end) in one pass. */
static zs_err_t restore(monitor_t *m, char *errstr, size_t errstr_size)
{
    int32_t which[MAX_PARTITIONS];
    int n = 0, kept = 0;
    for (int32_t p = 0; p < m->nparts; p++) {
        part_t *pt = &m->parts[p];
        bool keep = pt->assigned && pt->retained;
        pt->retained = false;
        if (keep) { /* back after a revoke, its committed state in hand */
            memset(pt->at_end, 0, sizeof(pt->at_end));
            kept++;
            continue;
        }
        mon_map_free(pt->households);
        pt->households = NULL;
        if (!pt->assigned)
            continue;
        which[n++] = p;
        if (mon_map_new(&pt->households) != ZS_OK)
            return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
        pt->watermark = NO_QUARTER;
        for (int t = 0; t < MAX_INPUTS; t++) {
            pt->closed[t] = NO_QUARTER;
            pt->next[t] = -1;
        }
        char chain[64];
        snprintf(chain, sizeof(chain), "zs-monitor/p%" PRId32, p);
        zs_audit_chain_init(&pt->chain, chain);
        pt->dirty = false;
        pt->open_warnings = 0;
        memset(pt->at_end, 0, sizeof(pt->at_end));
    }
    if (kept > 0)
        zs_log_info("kept the state of %d partitions held before the rebalance", kept);
    if (n == 0)
        return ZS_OK;
    restoring_t r = {.m = m};
    zs_scan_opts_t so = {.topic = m->state_topic,
                         .partition = -1,
                         .partitions = which,
                         .npartitions = n,
                         .offset = RD_KAFKA_OFFSET_BEGINNING,
                         .exit_at_end = true};
    int64_t t0 = mon_mono_ms();
    long errors = 0;
    zs_err_t err = zs_scan(m->cfg, &so, restore_one, &r, &errors, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    if (r.out_of_memory)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM,
                       "%s: out of memory after %ld records: the restore could not finish",
                       m->state_topic, r.records);
    if (r.bad > 0 || errors > 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT,
                       "%s: %ld records do not read, %ld read errors: not starting on a state "
                       "that is not whole",
                       m->state_topic, r.bad, errors);
    /* Every state decoded: open warnings for the stats line, bad ones set
     * aside for their dead letters. */
    size_t households = 0, bytes = 0;
    mon_bad_states_free(m);
    for (int i = 0; i < n; i++) {
        part_t *pt = &m->parts[which[i]];
        if ((err = check_states(m, which[i], errstr, errstr_size)) != ZS_OK)
            return err;
        households += mon_map_count(pt->households);
        bytes += mon_map_bytes(pt->households);
    }
    zs_log_info("restored %d partitions: %zu households (%ld changelog records, %zu bytes of "
                "state) in %.2f s; resident memory %zu bytes",
                n, households, r.records, bytes, (double)(mon_mono_ms() - t0) / 1000.0,
                mon_rss_bytes());
    return ZS_OK;
}

zs_err_t mon_changelog_seek_assigned(monitor_t *m, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(64);
    zs_err_t err = ZS_OK;
    for (int32_t p = 0; p < m->nparts && err == ZS_OK; p++) {
        if (!m->parts[p].assigned)
            continue;
        for (int t = 0; t < m->ninputs && err == ZS_OK; t++) {
            int64_t next = m->parts[p].next[t];
            rd_kafka_topic_partition_list_add(list, m->inputs[t], p)->offset =
                next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
        }
    }
    if (err == ZS_OK) {
        rd_kafka_resp_err_t kerr = rd_kafka_assign(m->consumer, list);
        if (kerr)
            err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "assign: %s", rd_kafka_err2str(kerr));
    }
    for (int32_t p = 0; p < m->nparts && err == ZS_OK; p++)
        if (m->parts[p].assigned)
            err = mon_input_hold(m, p, true, errstr, errstr_size);
    rd_kafka_topic_partition_list_destroy(list);
    return err;
}

zs_err_t mon_changelog_restore_assigned(monitor_t *m, char *errstr, size_t errstr_size)
{
    mon_txn_drop_work(m);
    mon_out_reset(&m->out);
    zs_err_t err = restore(m, errstr, errstr_size);
    if (err == ZS_OK)
        err = mon_changelog_seek_assigned(m, errstr, errstr_size);
    if (err == ZS_OK)
        err = report_bad_states(m, errstr, errstr_size);
    mon_bad_states_free(m);
    return err;
}
