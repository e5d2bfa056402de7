/* mon_input.c: one input message of zs-monitor: decoded, checked against
 * the contract (a record that breaks it goes to the dead letters), applied
 * to its household's state, and the rules re-run for late data; period
 * close markers run the quarter's rules for every household of the
 * partition once every input topic has passed them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mon_service.h"
#include "zs_avro.h"
#include "zs_contract.h"
#include "zs_kafka.h"
#include "zs_county.h"
#include "zs_log.h"

const char *mon_avro_str(avro_value_t *rec, const char *name)
{
    avro_value_t f;
    const char *s = NULL;
    size_t n;
    if (zs_avro_field(rec, name, &f) != 0 || avro_value_get_string(&f, &s, &n) != 0)
        return NULL;
    return s;
}

int64_t mon_avro_long(avro_value_t *rec, const char *name, bool *ok)
{
    avro_value_t f;
    int64_t l = 0;
    int32_t i = 0;
    if (zs_avro_field(rec, name, &f) != 0) {
        *ok = false;
        return 0;
    }
    if (avro_value_get_type(&f) == AVRO_INT32) {
        *ok &= avro_value_get_int(&f, &i) == 0;
        return i;
    }
    if (avro_value_get_type(&f) == AVRO_BOOLEAN) {
        int b = 0;
        *ok &= avro_value_get_boolean(&f, &b) == 0;
        return b;
    }
    if (avro_value_get_type(&f) == AVRO_ENUM) {
        *ok &= avro_value_get_enum(&f, &i) == 0;
        return i;
    }
    *ok &= avro_value_get_long(&f, &l) == 0;
    return l;
}

int mon_input_index(const monitor_t *m, const char *topic)
{
    for (int t = 0; t < m->ninputs; t++)
        if (strcmp(m->inputs[t], topic) == 0)
            return t;
    return -1;
}

static bool valid_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > ZS_CONTRACT_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Late data of a closed quarter (the first quarter whose outcome it can
 * change: from) runs the rules again at the newest closed quarter only: its
 * windows hold the late figure, an entitlement paid late is checked again, a
 * cost arriving late is judged there. Closed quarters before it are not
 * decided again: running them against today's open warnings cleared a
 * warning opened later and opened it again under the same id (regression
 * late_data_reopens_a_warning_under_the_same_id). */
static zs_err_t rerun(monitor_t *m, part_t *pt, mon_hh_t *hh, zs_quarter_t from)
{
    if (pt->watermark == NO_QUARTER || from > pt->watermark)
        return ZS_OK;
    return mon_close_quarter(&m->rules, hh, pt->watermark, &m->out);
}

/* The close of quarter q for every household of partition p. */
static zs_err_t close_quarter(monitor_t *m, int32_t p, zs_quarter_t q, char *errstr,
                              size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    /* Households decoded in this transaction go back to the map first. */
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < m->nwork && err == ZS_OK; i++)
        err = mon_changelog_store(m, m->work[i].partition, &m->work[i].hh,
                                  m->work[i].episodes_before, errstr, errstr_size);
    mon_txn_drop_work(m);
    mon_hh_t *hh = &m->work[0].hh;
    size_t it = 0, len, n = 0;
    const char *id;
    const void *blob;
    int64_t t0 = mon_mono_ms();
    while (err == ZS_OK && mon_map_next(pt->households, &it, &id, &blob, &len)) {
        char hid[MON_ID_SIZE];
        snprintf(hid, sizeof(hid), "%s", id);
        err = mon_hh_decode(hh, hid, blob, len, errstr, errstr_size);
        size_t before = hh->nepisodes;
        if (err == ZS_OK)
            err = mon_close_quarter(&m->rules, hh, q, &m->out);
        if (err == ZS_OK)
            mon_hh_prune(hh, zs_quarter_first_month(q - 7));
        if (err == ZS_OK)
            err = mon_emit_out(m, pt, p, hh, errstr, errstr_size);
        if (err == ZS_OK)
            err = mon_changelog_store(m, p, hh, before, errstr, errstr_size);
        n++;
    }
    char qs[ZS_PERIOD_STR_SIZE];
    zs_quarter_format(q, qs, sizeof(qs));
    zs_log_info("partition %" PRId32 ": %s closed, rules run for %zu households in %.2f s", p, qs,
                n, (double)(mon_mono_ms() - t0) / 1000.0);
    pt->watermark = q;
    pt->dirty = true;
    return err;
}

zs_err_t mon_input_hold(monitor_t *m, int32_t p, bool force, char *errstr, size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    rd_kafka_topic_partition_list_t *pause = rd_kafka_topic_partition_list_new(MAX_INPUTS),
                                    *resume = rd_kafka_topic_partition_list_new(MAX_INPUTS);
    for (int t = 0; t < m->ninputs; t++) {
        bool hold = pt->closed[t] != NO_QUARTER && pt->closed[t] > pt->watermark;
        if (hold != pt->held[t] || force)
            rd_kafka_topic_partition_list_add(hold ? pause : resume, m->inputs[t], p);
        pt->held[t] = hold;
    }
    zs_err_t err = ZS_OK;
    rd_kafka_topic_partition_list_t *lists[] = {pause, resume};
    for (int i = 0; i < 2 && err == ZS_OK; i++) {
        rd_kafka_topic_partition_list_t *l = lists[i];
        if (l->cnt == 0)
            continue;
        rd_kafka_resp_err_t kerr = i == 0 ? rd_kafka_pause_partitions(m->consumer, l)
                                          : rd_kafka_resume_partitions(m->consumer, l);
        for (int k = 0; k < l->cnt && kerr == RD_KAFKA_RESP_ERR_NO_ERROR; k++)
            kerr = l->elems[k].err;
        if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR)
            err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "%s partition %" PRId32 ": %s",
                          i == 0 ? "pause" : "resume", p, rd_kafka_err2str(kerr));
    }
    rd_kafka_topic_partition_list_destroy(pause);
    rd_kafka_topic_partition_list_destroy(resume);
    return err;
}

static zs_err_t on_close(monitor_t *m, int t, int32_t p, avro_value_t *v, char *errstr,
                         size_t errstr_size)
{
    part_t *pt = &m->parts[p];
    bool ok = true;
    int64_t year = mon_avro_long(v, "year", &ok), quarter = mon_avro_long(v, "quarter", &ok);
    zs_quarter_t q;
    char why[128];
    if (!ok || zs_quarter_make((int)year, (int)quarter, &q, why, sizeof(why)) != ZS_OK)
        return ZS_ERR_INVALID;
    if (q > pt->closed[t])
        pt->closed[t] = q;
    pt->dirty = true;
    zs_quarter_t wm = pt->closed[0];
    for (int i = 1; i < m->ninputs; i++)
        wm = pt->closed[i] < wm ? pt->closed[i] : wm;
    zs_err_t err = ZS_OK;
    if (wm != NO_QUARTER && wm > pt->watermark) {
        /* Closing a quarter closes any earlier one not closed yet; the
         * first close a partition sees runs that quarter only. */
        zs_quarter_t from = pt->watermark == NO_QUARTER ? wm : pt->watermark + 1;
        for (zs_quarter_t x = from; x <= wm && err == ZS_OK; x++)
            err = close_quarter(m, p, x, errstr, errstr_size);
    }
    /* A topic past the watermark waits at its close marker: what follows
     * it belongs to a quarter not every topic has closed. */
    return err == ZS_OK ? mon_input_hold(m, p, false, errstr, errstr_size) : err;
}

/* A time of the contract (reported_at, updated_at, at): 2000-01-01 to the
 * end of 2100. */
static zs_err_t check_time(const char *field, int64_t ms, char *why, size_t why_size)
{
    if (ms < ZS_CONTRACT_TIME_MIN_MS || ms >= ZS_CONTRACT_TIME_MAX_MS)
        return zs_fail(why, why_size, ZS_ERR_INVALID,
                       "%s %" PRId64 ": not a time from 2000 to the end of 2100", field, ms);
    return ZS_OK;
}

/* A household snapshot's members: 1-64, distinct, each usable. */
static zs_err_t read_members(avro_value_t *v, mon_member_in_t *members, size_t *n, char *why,
                             size_t why_size)
{
    avro_value_t arr, item;
    bool ok = true;
    if (avro_value_get_by_name(v, "members", &arr, NULL) || avro_value_get_size(&arr, n) ||
        *n < 1 || *n > ZS_CONTRACT_MEMBERS_MAX)
        return zs_fail(why, why_size, ZS_ERR_INVALID, "members: not 1-%d", ZS_CONTRACT_MEMBERS_MAX);
    for (size_t i = 0; i < *n; i++) {
        avro_value_get_by_index(&arr, i, &item, NULL);
        mon_member_in_t *mb = &members[i];
        *mb = (mon_member_in_t){.person_id = mon_avro_str(&item, "person_id"),
                                .birth_year = (int)mon_avro_long(&item, "birth_year", &ok),
                                .labor = (int)mon_avro_long(&item, "labor_class", &ok),
                                .disability = (int)mon_avro_long(&item, "disability", &ok),
                                .active = mon_avro_long(&item, "active", &ok) != 0};
        if (!ok || !valid_id(mb->person_id) || mb->disability < 0 || mb->disability > 4)
            return zs_fail(why, why_size, ZS_ERR_INVALID, "member %zu: not usable", i + 1);
        if (mb->birth_year < ZS_CONTRACT_BIRTH_YEAR_MIN ||
            mb->birth_year > ZS_CONTRACT_BIRTH_YEAR_MAX)
            return zs_fail(why, why_size, ZS_ERR_INVALID, "member %zu: birth_year %d not in %d-%d",
                           i + 1, mb->birth_year, ZS_CONTRACT_BIRTH_YEAR_MIN,
                           ZS_CONTRACT_BIRTH_YEAR_MAX);
        for (size_t j = 0; j < i; j++)
            if (strcmp(members[j].person_id, mb->person_id) == 0)
                return zs_fail(why, why_size, ZS_ERR_INVALID,
                               "member %zu: the same person as member %zu", i + 1, j + 1);
    }
    return ZS_OK;
}

/* One decoded input record on its way into its household's state: what
 * every kind reads first, and what applying it did. */
typedef struct input_rec {
    monitor_t *m;
    part_t *pt;
    mon_hh_t *hh;
    avro_value_t *v;
    int64_t offset; /* of the record in its topic partition */
    const char *event_id;
    zs_month_t month;      /* of a dated record */
    mon_applied_t applied; /* what the event did to the state */
    zs_quarter_t from;     /* the first quarter late data can change; NO_QUARTER: none */
    bool ok;               /* every field read */
    char *why;
    size_t why_size;
} input_rec_t;

static zs_err_t apply_household(input_rec_t *r)
{
    avro_value_t *v = r->v;
    const char *county = mon_avro_str(v, "county_code");
    int64_t category = mon_avro_long(v, "category", &r->ok),
            updated = mon_avro_long(v, "updated_at", &r->ok);
    mon_member_in_t members[ZS_CONTRACT_MEMBERS_MAX];
    size_t n = 0;
    if (!r->ok || county == NULL)
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID, "household snapshot: not usable");
    /* A county code reaches file names downstream: only the region's. */
    if (zs_county_find(r->m->counties, county, strlen(county)) == NULL)
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID,
                       "county_code: not a county of the region");
    if (check_time("updated_at", updated, r->why, r->why_size) ||
        read_members(v, members, &n, r->why, r->why_size))
        return ZS_ERR_INVALID;
    return mon_apply_household(r->hh, county, (int)category, updated, members, n, r->offset,
                               &r->applied);
}

static zs_err_t apply_income(input_rec_t *r)
{
    const char *source = mon_avro_str(r->v, "source");
    if (source == NULL || source[0] == '\0' || strlen(source) > ZS_CONTRACT_NAME_MAX)
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID, "source: not 1-%d bytes",
                       ZS_CONTRACT_NAME_MAX);
    r->from = zs_month_quarter(r->month);
    return mon_apply_income(r->hh, r->event_id, r->month,
                            (int)mon_avro_long(r->v, "component", &r->ok), source,
                            mon_avro_long(r->v, "amount_fen", &r->ok),
                            mon_avro_long(r->v, "reported_at", &r->ok), r->offset, &r->applied);
}

static zs_err_t apply_job(input_rec_t *r)
{
    const char *person = mon_avro_str(r->v, "person_id");
    if (!valid_id(person))
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID, "person_id: not 1-32 of [0-9A-Za-z_-]");
    r->from = zs_month_quarter(r->month);
    return mon_apply_job(r->hh, r->event_id, person, r->month,
                         (int)mon_avro_long(r->v, "status", &r->ok),
                         mon_avro_long(r->v, "wants_work", &r->ok) != 0,
                         mon_avro_long(r->v, "reported_at", &r->ok), r->offset, &r->applied);
}

static zs_err_t apply_subsidy(input_rec_t *r)
{
    const char *person = mon_avro_str(r->v, "person_id");
    if (person != NULL && !valid_id(person))
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID, "person_id: not 1-32 of [0-9A-Za-z_-]");
    int64_t program = mon_avro_long(r->v, "program", &r->ok);
    bool paid = mon_avro_long(r->v, "kind", &r->ok) == 1;
    /* A payment enrols (NOT_ENROLLED) in its own quarter; entitlements are
     * checked from the quarter of their deadline. */
    r->from = zs_month_quarter(r->month + 1);
    if (paid && (program == MON_PROGRAM_PENSION || program == MON_PROGRAM_DISABILITY))
        r->from = zs_month_quarter(r->month);
    return mon_apply_subsidy(r->hh, r->event_id, person, (int)program, paid, r->month,
                             mon_avro_long(r->v, "amount_fen", &r->ok),
                             mon_avro_long(r->v, "reported_at", &r->ok), r->offset, &r->applied);
}

static zs_err_t apply_cost(input_rec_t *r)
{
    r->from = zs_month_quarter(r->month);
    return mon_apply_cost(r->hh, r->event_id, r->month, (int)mon_avro_long(r->v, "kind", &r->ok),
                          mon_avro_long(r->v, "amount_fen", &r->ok),
                          mon_avro_long(r->v, "reported_at", &r->ok), r->offset, &r->applied);
}

/* A follow-up: may clear a warning; always an audit record. */
static zs_err_t apply_follow_up(input_rec_t *r)
{
    monitor_t *m = r->m;
    avro_value_t *v = r->v;
    const char *warning_id = mon_avro_str(v, "warning_id");
    int64_t action = mon_avro_long(v, "action", &r->ok), at = mon_avro_long(v, "at", &r->ok);
    if (!r->ok || !valid_id(r->event_id))
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID, "follow-up: not usable");
    if (warning_id == NULL || warning_id[0] == '\0' || strlen(warning_id) > ZS_CONTRACT_NAME_MAX)
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID, "warning_id: not 1-%d bytes",
                       ZS_CONTRACT_NAME_MAX);
    if (check_time("at", at, r->why, r->why_size))
        return ZS_ERR_INVALID;
    bool cleared = false;
    zs_err_t err = mon_follow_up(r->hh, warning_id, action == 2, at, r->event_id, r->offset,
                                 &m->out, &cleared);
    static const char *const actions[] = {"ACK", "MEASURE", "RESOLVED"};
    char detail[300];
    snprintf(detail, sizeof(detail), "%s by %s%s", actions[action % 3],
             mon_avro_str(v, "officer_id") ? mon_avro_str(v, "officer_id") : "?",
             action == 2 ? (cleared ? ": warning cleared" : ": no open warning it clears") : "");
    avro_value_t *rec = NULL;
    if (err == ZS_OK)
        err = mon_emit_audit(m, "FOLLOWUP_RECORDED", detail, &rec, r->why, r->why_size);
    if (err == ZS_OK &&
        (zs_avro_set_str(rec, "household_id", r->hh->id) ||
         zs_avro_set_str(rec, "county_code", r->hh->registered ? r->hh->county : NULL) ||
         zs_avro_set_str(rec, "warning_id", warning_id) || zs_avro_set_num(rec, "action", action) ||
         mon_emit_audit_source(m, rec, r->event_id)))
        err = ZS_ERR_AVRO;
    if (err == ZS_OK)
        err = mon_emit_audit_send(m, r->pt, rec, r->why, r->why_size);
    return err;
}

/* Each input topic's record: the message it carries, whether it is dated
 * (year, month, event_id, reported_at: a statement or transaction of a
 * month), whether it carries amount_fen, how it is applied, and what kind
 * of source of a warning it is. */
struct mon_input_kind {
    const char *message;
    bool dated, amount;
    zs_err_t (*apply)(input_rec_t *r);
    mon_ref_kind_t ref;
};

static const mon_input_kind_t input_kinds[] = {
    {"Household", false, false, apply_household, MON_REF_HOUSEHOLD},
    {"IncomeRecord", true, true, apply_income, MON_REF_INCOME},
    {"EmploymentRecord", true, false, apply_job, MON_REF_EMPLOYMENT},
    {"SubsidyRecord", true, true, apply_subsidy, MON_REF_SUBSIDY},
    {"HardshipRecord", true, true, apply_cost, MON_REF_HARDSHIP},
    {"FollowUp", false, false, apply_follow_up, MON_REF_FOLLOWUP},
};

zs_err_t mon_input_kinds(monitor_t *m, char *errstr, size_t errstr_size)
{
    for (int k = 0; k < MON_REF_KINDS; k++)
        m->ref_topics[k] = -1;
    for (int t = 0; t < m->ninputs; t++) {
        m->kinds[t] = NULL;
        for (size_t k = 0; k < sizeof(input_kinds) / sizeof(input_kinds[0]); k++)
            if (strcmp(input_kinds[k].message, m->input_messages[t]) == 0)
                m->kinds[t] = &input_kinds[k];
        if (m->kinds[t] == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "input topic %s carries %s, which zs-monitor does not apply",
                           m->inputs[t], m->input_messages[t]);
        m->ref_topics[m->kinds[t]->ref] = t;
    }
    return ZS_OK;
}

/* A dated record's common fields, against the contract and the horizon. */
static zs_err_t read_dated(input_rec_t *r, const mon_input_kind_t *kind)
{
    bool ok = true;
    int64_t year = mon_avro_long(r->v, "year", &ok), mo = mon_avro_long(r->v, "month", &ok);
    if (!ok || zs_month_make((int)year, (int)mo, &r->month, r->why, r->why_size) != ZS_OK)
        return ZS_ERR_INVALID;
    /* The state keeps seven quarters before the watermark: a record of an
     * older month could not be told from one already forgotten (a
     * re-pushed full history would open resolved warnings again). */
    zs_quarter_t wm = r->pt->watermark;
    if (wm != NO_QUARTER && r->month < zs_quarter_first_month(wm - 7)) {
        zs_month_t h = zs_quarter_first_month(wm - 7);
        return zs_fail(r->why, r->why_size, ZS_ERR_TOO_OLD,
                       "RECORD_TOO_OLD: %04d-%02d is before the horizon %04d-%02d (seven "
                       "quarters before the last closed quarter)",
                       zs_month_year(r->month), zs_month_month(r->month), zs_month_year(h),
                       zs_month_month(h));
    }
    int64_t amount = kind->amount ? mon_avro_long(r->v, "amount_fen", &ok) : 0;
    if (!ok || amount < 0 || amount > ZS_CONTRACT_AMOUNT_MAX_FEN)
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID,
                       "amount_fen %" PRId64 ": not 0-%" PRId64, amount,
                       ZS_CONTRACT_AMOUNT_MAX_FEN);
    if (!valid_id(r->event_id))
        return zs_fail(r->why, r->why_size, ZS_ERR_INVALID, "event_id: not 1-32 of [0-9A-Za-z_-]");
    return check_time("reported_at", mon_avro_long(r->v, "reported_at", &ok), r->why, r->why_size);
}

/* Applies one decoded input record of household hh, of input topic t.
 * Returns ZS_ERR_INVALID (or ZS_ERR_TOO_OLD) with why for a record that
 * breaks the contract. */
static zs_err_t apply(monitor_t *m, part_t *pt, mon_hh_t *hh, int t, avro_value_t *v,
                      int64_t offset, char *why, size_t why_size)
{
    const mon_input_kind_t *kind = m->kinds[t];
    input_rec_t r = {.m = m,
                     .pt = pt,
                     .hh = hh,
                     .v = v,
                     .offset = offset,
                     .event_id = mon_avro_str(v, "event_id"),
                     .applied = MON_IGNORED,
                     .from = NO_QUARTER,
                     .ok = true,
                     .why = why,
                     .why_size = why_size};
    zs_err_t err = kind->dated ? read_dated(&r, kind) : ZS_OK;
    if (err == ZS_OK)
        err = kind->apply(&r);
    if (err == ZS_OK && !r.ok)
        err = zs_fail(why, why_size, ZS_ERR_INVALID, "a field does not read");
    if (err != ZS_OK || !kind->dated)
        return err;
    if (r.applied == MON_REPLACED && pt->watermark != NO_QUARTER &&
        zs_month_quarter(r.month) <= pt->watermark) {
        char detail[160];
        snprintf(detail, sizeof(detail), "%s replaces a statement of %04d-%02d, a closed quarter",
                 r.event_id, zs_month_year(r.month), zs_month_month(r.month));
        err = mon_out_finding(&m->out, MON_CLOSED_QUARTER_REWRITTEN, r.month, NULL, detail);
    }
    if (err == ZS_OK && r.applied != MON_IGNORED && r.from != NO_QUARTER)
        err = rerun(m, pt, hh, r.from);
    return err;
}

/* Handles one input message. Errors returned are the service's (Kafka, out
 * of memory); a message that cannot be used goes to the dead-letter topic. */
zs_err_t mon_input_handle(monitor_t *m, const rd_kafka_message_t *rkm, char *errstr,
                          size_t errstr_size)
{
    const char *topic = rd_kafka_topic_name(rkm->rkt);
    int t = mon_input_index(m, topic);
    int32_t p = rkm->partition;
    if (t < 0 || p < 0 || p >= m->nparts || !m->parts[p].assigned)
        return ZS_OK; /* not ours (a revoked partition's leftovers) */
    part_t *pt = &m->parts[p];
    /* A full work table commits before this record's offset is taken: the
     * commit must not carry an offset past a record it did not apply. */
    zs_err_t err = ZS_OK;
    if (m->nwork >= m->work_max && (err = mon_txn_commit(m, errstr, errstr_size)) != ZS_OK)
        return err;
    if ((err = mon_txn_begin(m, errstr, errstr_size)) != ZS_OK)
        return err;
    m->src_topic = topic;
    m->src_partition = p;
    m->src_offset = rkm->offset;
    pt->next[t] = rkm->offset + 1;
    pt->at_end[t] = false;
    pt->dirty = true;
    m->events++;
    pt->events[t]++;
    m->txn_records++;
    m->last_input = m->now;
    if (m->first_input == 0)
        m->first_input = m->last_input;

    char why[512];
    const zs_schema_t *reader;
    avro_value_t *v;
    zs_err_t derr =
        zs_decoder_decode(m->dec, rkm->payload, rkm->len, &reader, &v, why, sizeof(why));
    if (derr != ZS_OK)
        return mon_emit_dead_letter(m, rkm, why, zs_err_name(derr), errstr, errstr_size);
    const char *name = zs_schema_name(reader);
    if (strcmp(name, "zengshou.PeriodClose") == 0) {
        err = on_close(m, t, p, v, errstr, errstr_size);
        if (err == ZS_ERR_INVALID)
            return mon_emit_dead_letter(m, rkm, "period close: year/quarter out of range",
                                        zs_err_name(err), errstr, errstr_size);
        return err;
    }
    if (strcmp(name + 9, m->input_messages[t]) != 0) {
        snprintf(why, sizeof(why), "a %s on %s, which carries %s", name + 9, topic,
                 m->input_messages[t]);
        return mon_emit_dead_letter(m, rkm, why, "ZS_ERR_INVALID", errstr, errstr_size);
    }
    const char *id = mon_avro_str(v, "household_id");
    if (!valid_id(id))
        return mon_emit_dead_letter(m, rkm, "household_id: not 1-32 of [0-9A-Za-z_-]",
                                    "ZS_ERR_INVALID", errstr, errstr_size);
    if (rkm->key == NULL || rkm->key_len != strlen(id) || memcmp(rkm->key, id, rkm->key_len) != 0)
        return mon_emit_dead_letter(m, rkm, "key is not the record's household_id",
                                    "ZS_ERR_INVALID", errstr, errstr_size);
    work_t *w = mon_txn_load(m, p, id, why, sizeof(why));
    if (w == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT, "%s", why);
    err = apply(m, pt, &w->hh, t, v, rkm->offset, why, sizeof(why));
    if (err == ZS_ERR_INVALID) {
        mon_out_reset(&m->out);
        return mon_emit_dead_letter(m, rkm, why, zs_err_name(err), errstr, errstr_size);
    }
    if (err == ZS_ERR_TOO_OLD) {
        mon_out_reset(&m->out);
        avro_value_t *a = NULL;
        err = mon_emit_dead_letter(m, rkm, why, zs_err_name(ZS_ERR_TOO_OLD), errstr, errstr_size);
        if (err == ZS_OK)
            err = mon_emit_audit(m, "DATA_QUALITY", why, &a, errstr, errstr_size);
        if (err == ZS_OK &&
            (zs_avro_set_str(a, "household_id", id) ||
             zs_avro_set_str(a, "county_code", w->hh.registered ? w->hh.county : NULL) ||
             mon_emit_audit_source(m, a, mon_avro_str(v, "event_id"))))
            err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
        return err == ZS_OK ? mon_emit_audit_send(m, pt, a, errstr, errstr_size) : err;
    }
    if (err == ZS_ERR_OVERFLOW) {
        mon_out_reset(&m->out);
        return mon_emit_dead_letter(m, rkm, "household holds too many persons or sources",
                                    zs_err_name(err), errstr, errstr_size);
    }
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "household %s: %s", id, why);
    return mon_emit_out(m, pt, p, &w->hh, errstr, errstr_size);
}

/* ---- --exit-idle ---- */

/* Whether every assigned input partition has been read to its end, or
 * waits at a close marker for the other topics. */
static bool caught_up(const monitor_t *m)
{
    for (int32_t p = 0; p < m->nparts; p++)
        for (int t = 0; m->parts[p].assigned && t < m->ninputs; t++)
            if (!m->parts[p].at_end[t] && !m->parts[p].held[t])
                return false;
    return true;
}

/* Held partitions wait at a close marker: not behind. */
static bool held(void *ctx, const char *topic, int32_t partition)
{
    const monitor_t *m = ctx;
    int t = mon_input_index(m, topic);
    return t >= 0 && partition >= 0 && partition < m->nparts && m->parts[partition].held[t];
}

/* Where a partition resumes reading: the next offset taken or restored. */
static int64_t next_offset(void *ctx, const char *topic, int32_t partition)
{
    const monitor_t *m = ctx;
    int t = mon_input_index(m, topic);
    if (t < 0 || partition < 0 || partition >= m->nparts)
        return -1;
    return m->parts[partition].next[t];
}

/* --exit-idle: nothing new for a while, every partition read to its end
 * (or held), and the broker agrees now (regression
 * exit_idle_before_the_high_watermark: after a broker came back, partition
 * EOFs from before it went away said nothing of the rows since). */
bool mon_input_idle(monitor_t *m, int64_t now)
{
    if (m->exit_idle <= 0 || !m->assigned_once || m->in_txn || now - m->last_input < m->exit_idle ||
        !caught_up(m))
        return false;
    char why[512];
    zs_kafka_reader_t r = {.skip = held, .next = next_offset, .ctx = m};
    if (zs_kafka_read_to_end(m->consumer, &r, 5000, why, sizeof(why)))
        return true;
    zs_log_info("not idle yet: %s", why);
    m->last_input = mon_mono_ms() - m->exit_idle + 1000; /* ask again in a second */
    return false;
}
