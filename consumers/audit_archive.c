/* audit_archive.c: the SQLite archive of the audit trail. */
#include "audit_archive.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_period.h"

struct audit_archive {
    sqlite3 *db;
    sqlite3_stmt *insert;
};

/* Schema migrations, in order; user_version counts those applied. */
static const char *const migrations[] = {
    /* 1: the records, by their Kafka coordinates, with the fields inspectors
     * query and the bytes as written. */
    "CREATE TABLE audit ("
    " topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,"
    " chain TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,"
    " at INTEGER NOT NULL, household_id TEXT, county_code TEXT, person_id TEXT,"
    " warning_id TEXT, rule TEXT, year INTEGER, month INTEGER, action TEXT, finding TEXT,"
    " detail TEXT NOT NULL, raw BLOB NOT NULL,"
    " PRIMARY KEY (topic, partition, offset));"
    "CREATE INDEX audit_chain ON audit (chain, seq);"
    "CREATE INDEX audit_household ON audit (household_id, at);"
    "CREATE INDEX audit_warning ON audit (warning_id, at);"
    "CREATE INDEX audit_county ON audit (county_code, year, month);",
    /* 2: zs-audit sla: the escalations it wrote (so none is written twice,
     * even before the archive has read them back from the topic) and with
     * them the head of its chain; warnings found by kind. */
    "CREATE TABLE escalation ("
    " warning_id TEXT NOT NULL, action TEXT NOT NULL, at INTEGER NOT NULL,"
    " days INTEGER NOT NULL, chain TEXT NOT NULL, seq INTEGER NOT NULL, hash BLOB NOT NULL,"
    " PRIMARY KEY (warning_id, action));"
    "CREATE INDEX escalation_chain ON escalation (chain, seq);"
    "CREATE INDEX audit_kind ON audit (kind, county_code);",
};

static zs_err_t sql_fail(audit_archive_t *a, const char *what, char *errstr, size_t errstr_size)
{
    return zs_fail(errstr, errstr_size, ZS_ERR_IO, "archive: %s: %s", what, sqlite3_errmsg(a->db));
}

static zs_err_t migrate(audit_archive_t *a, char *errstr, size_t errstr_size)
{
    sqlite3_stmt *st = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(a->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return sql_fail(a, "user_version", errstr, errstr_size);
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int known = (int)(sizeof(migrations) / sizeof(migrations[0]));
    if (version > known)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "archive: schema version %d is newer than this zs-audit knows (%d)", version,
                       known);
    for (; version < known; version++) {
        char bump[64];
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", version + 1);
        if (sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(a->db, migrations[version], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(a->db, bump, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            zs_err_t err = sql_fail(a, "migration", errstr, errstr_size);
            sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
            return err;
        }
    }
    return ZS_OK;
}

zs_err_t audit_archive_open(const char *path, audit_archive_t **out, char *errstr,
                            size_t errstr_size)
{
    audit_archive_t *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return ZS_ERR_NOMEM;
    zs_err_t err = ZS_OK;
    if (sqlite3_open(path, &a->db) != SQLITE_OK) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path,
                      a->db ? sqlite3_errmsg(a->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(a->db, 10000);
    sqlite3_exec(a->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    err = migrate(a, errstr, errstr_size);
    if (err != ZS_OK)
        goto fail;
    if (sqlite3_prepare_v2(
            a->db, "INSERT OR IGNORE INTO audit VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
            &a->insert, NULL) != SQLITE_OK) {
        err = sql_fail(a, "prepare", errstr, errstr_size);
        goto fail;
    }
    *out = a;
    return ZS_OK;
fail:
    audit_archive_close(a);
    return err;
}

void audit_archive_close(audit_archive_t *a)
{
    if (a == NULL)
        return;
    sqlite3_finalize(a->insert);
    sqlite3_close(a->db);
    free(a);
}

zs_err_t audit_archive_begin(audit_archive_t *a, char *errstr, size_t errstr_size)
{
    return sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
               ? ZS_OK
               : sql_fail(a, "begin", errstr, errstr_size);
}

zs_err_t audit_archive_commit(audit_archive_t *a, char *errstr, size_t errstr_size)
{
    return sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
               ? ZS_OK
               : sql_fail(a, "commit", errstr, errstr_size);
}

/* Binds field name of rec (through an optional's branch) at position i. */
static void bind_field(sqlite3_stmt *st, int i, avro_value_t *rec, const char *name)
{
    avro_value_t f, b;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0) {
        sqlite3_bind_null(st, i);
        return;
    }
    if (avro_value_get_type(&f) == AVRO_UNION) {
        int disc = -1;
        if (avro_value_get_discriminant(&f, &disc) != 0 || disc < 0 ||
            avro_value_get_current_branch(&f, &b) != 0 || avro_value_get_type(&b) == AVRO_NULL) {
            sqlite3_bind_null(st, i);
            return;
        }
        f = b;
    }
    const char *s = NULL;
    size_t size = 0;
    int32_t n32 = 0;
    int64_t n64 = 0;
    int sym = 0;
    switch (avro_value_get_type(&f)) {
    case AVRO_STRING:
        avro_value_get_string(&f, &s, &size);
        sqlite3_bind_text(st, i, s, size > 0 ? (int)size - 1 : 0, SQLITE_TRANSIENT);
        break;
    case AVRO_INT32:
        avro_value_get_int(&f, &n32);
        sqlite3_bind_int(st, i, n32);
        break;
    case AVRO_INT64:
        avro_value_get_long(&f, &n64);
        sqlite3_bind_int64(st, i, n64);
        break;
    case AVRO_ENUM:
        avro_value_get_enum(&f, &sym);
        s = avro_schema_enum_get(avro_value_get_schema(&f), sym);
        sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_TRANSIENT);
        break;
    default:
        sqlite3_bind_null(st, i);
    }
}

zs_err_t audit_archive_add(audit_archive_t *a, const char *topic, int32_t partition, int64_t offset,
                           avro_value_t *rec, const void *msg, size_t len, bool *added,
                           char *errstr, size_t errstr_size)
{
    static const char *const fields[] = {
        "chain",      "seq",  "kind", "actor", "at",     "household_id", "county_code", "person_id",
        "warning_id", "rule", "year", "month", "action", "finding",      "detail"};
    sqlite3_stmt *st = a->insert;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, topic, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, partition);
    sqlite3_bind_int64(st, 3, offset);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        bind_field(st, (int)i + 4, rec, fields[i]);
    sqlite3_bind_blob(st, 19, msg, (int)len, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return sql_fail(a, "insert", errstr, errstr_size);
    *added = sqlite3_changes(a->db) > 0;
    return ZS_OK;
}

zs_err_t audit_archive_verify(audit_archive_t *a, zs_decoder_t *dec,
                              audit_archive_broken_fn *broken, void *ctx, uint64_t *records,
                              uint64_t *chains, char *errstr, size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    zs_audit_check_t *check = NULL;
    sqlite3_stmt *st = NULL;
    if (zs_audit_check_new(&check) != ZS_OK)
        return ZS_ERR_NOMEM;
    if (sqlite3_prepare_v2(a->db,
                           "SELECT topic, partition, offset, raw FROM audit ORDER BY chain, seq, "
                           "topic, partition, offset",
                           -1, &st, NULL) != SQLITE_OK) {
        err = sql_fail(a, "select", errstr, errstr_size);
        goto done;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *topic = (const char *)sqlite3_column_text(st, 0);
        int32_t partition = sqlite3_column_int(st, 1);
        int64_t offset = sqlite3_column_int64(st, 2);
        const void *raw = sqlite3_column_blob(st, 3);
        size_t len = (size_t)sqlite3_column_bytes(st, 3);
        char why[512];
        const zs_schema_t *reader;
        avro_value_t *rec, f, b;
        const char *chain = NULL;
        size_t size;
        int64_t seq = 0;
        int disc = 0;
        const void *hash = NULL;
        if (zs_decoder_decode(dec, raw, len, &reader, &rec, why, sizeof(why)) != ZS_OK ||
            avro_value_get_by_name(rec, "chain", &f, NULL) ||
            avro_value_get_string(&f, &chain, &size) ||
            avro_value_get_by_name(rec, "seq", &f, NULL) || avro_value_get_long(&f, &seq) ||
            avro_value_get_by_name(rec, "prev_hash", &f, NULL) ||
            avro_value_get_discriminant(&f, &disc) ||
            (disc == 1 &&
             (avro_value_get_current_branch(&f, &b) || avro_value_get_fixed(&b, &hash, &size)))) {
            broken(ctx, topic, partition, offset, "the archived bytes are no audit record");
            continue;
        }
        if (zs_audit_check_next(check, chain, seq, hash, raw, len, why, sizeof(why)) != ZS_OK)
            broken(ctx, topic, partition, offset, why);
    }
    if (rc != SQLITE_DONE)
        err = sql_fail(a, "select", errstr, errstr_size);
    *records = zs_audit_check_records(check);
    *chains = zs_audit_check_chains(check);
done:
    sqlite3_finalize(st);
    zs_audit_check_free(check);
    return err;
}

/* One value as CSV (RFC 4180) or JSON text. */
static void put_value(FILE *out, const char *v, audit_query_format_t format)
{
    if (format == AUDIT_JSON) {
        json_t *j = v ? json_string(v) : json_null();
        char *text = json_dumps(j ? j : json_null(), JSON_ENCODE_ANY);
        fputs(text ? text : "null", out);
        free(text);
        json_decref(j);
    } else if (format == AUDIT_CSV) {
        fputc('"', out);
        for (const char *p = v ? v : ""; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else {
        fputs(v ? v : "-", out);
    }
}

/* A county's quarter, warning by warning (audit_archive_query). */
typedef struct handling {
    const audit_query_t *q;
    FILE *out;
    int first, last; /* the quarter's months, as year * 12 + month - 1 */
    uint64_t rows, records;
    zs_buf_t text; /* a flattened column */
} handling_t;

static const char *const handling_cols[] = {
    "warning_id", "rule",        "household_id", "person_id",  "opened",
    "opened_at",  "status",      "cleared",      "cleared_at", "updates",
    "notified",   "notified_at", "followups",    "escalated"};
enum { HANDLING_NCOLS = sizeof(handling_cols) / sizeof(handling_cols[0]) };

static const char *nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* The warning as one JSON object, follow-ups and escalations as arrays. */
static zs_err_t handling_json(handling_t *h, const audit_warning_t *w, char cols[][48])
{
    json_t *o = json_object(), *fs = json_array(), *es = json_array();
    int bad = o == NULL || fs == NULL || es == NULL;
    const char *v[] = {w->warning_id, w->rule, w->household,      nonempty(w->person), cols[0],
                       cols[1],       cols[2], nonempty(cols[3]), nonempty(cols[4])};
    for (size_t c = 0; !bad && c < sizeof(v) / sizeof(v[0]); c++)
        bad = json_object_set_new(o, handling_cols[c], v[c] ? json_string(v[c]) : json_null());
    bad = bad || json_object_set_new(o, "updates", json_integer(w->updates)) ||
          json_object_set_new(o, "notified",
                              nonempty(cols[5]) ? json_string(cols[5]) : json_null()) ||
          json_object_set_new(o, "notified_at",
                              nonempty(cols[6]) ? json_string(cols[6]) : json_null());
    for (size_t i = 0; !bad && i < w->nfollowups; i++) {
        static const char *const actions[] = {"ACK", "MEASURE", "RESOLVED"};
        char at[ZS_TIME_STR_SIZE] = "";
        zs_time_format(w->followups[i].at, at, sizeof(at));
        json_t *f = json_pack("{s:s, s:s, s:s?}", "action", actions[w->followups[i].action], "at",
                              at, "officer", nonempty(w->followups[i].officer));
        bad = f == NULL || json_array_append_new(fs, f);
    }
    for (int s = 0; !bad && s < AUDIT_SLA_STEPS; s++) {
        char at[ZS_TIME_STR_SIZE] = "";
        if (w->escalated[s] == 0)
            continue;
        zs_time_format(w->escalated[s], at, sizeof(at));
        json_t *e =
            json_pack("{s:s, s:s, s:I}", "overdue", audit_sla_step_name((audit_sla_step_t)s), "at",
                      at, "days_overdue", (json_int_t)w->escalated_days[s]);
        bad = e == NULL || json_array_append_new(es, e);
    }
    bad = bad || json_object_set(o, "followups", fs) || json_object_set(o, "escalated", es);
    char *text = bad ? NULL : json_dumps(o, JSON_COMPACT);
    zs_err_t err = text != NULL ? ZS_OK : ZS_ERR_NOMEM;
    if (text != NULL)
        fprintf(h->out, "%s\n", text);
    free(text);
    json_decref(fs);
    json_decref(es);
    json_decref(o);
    return err;
}

static zs_err_t handling_one(void *ctx, const audit_warning_t *w, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    handling_t *h = ctx;
    int opened = w->year * 12 + w->month - 1, cleared = w->cleared_year * 12 + w->cleared_month - 1;
    if (opened > h->last || (w->cleared != AUDIT_SLA_NEVER && cleared < h->first))
        return ZS_OK;
    h->rows++;
    h->records += w->records;
    /* opened, opened_at, status, cleared, cleared_at, notified, notified_at */
    char cols[7][48];
    memset(cols, 0, sizeof(cols));
    snprintf(cols[0], sizeof(cols[0]), "%04d-%02d", w->year % 10000, w->month % 100);
    zs_time_format(w->opened, cols[1], sizeof(cols[1]));
    snprintf(cols[2], sizeof(cols[2]), "%s", w->cleared == AUDIT_SLA_NEVER ? "OPEN" : "CLEARED");
    if (w->cleared != AUDIT_SLA_NEVER) {
        snprintf(cols[3], sizeof(cols[3]), "%04d-%02d", w->cleared_year % 10000,
                 w->cleared_month % 100);
        zs_time_format(w->cleared, cols[4], sizeof(cols[4]));
    }
    if (w->notified != 0 || w->notify_failed != 0) {
        snprintf(cols[5], sizeof(cols[5]), "%s", w->notified != 0 ? "SENT" : "FAILED");
        zs_time_format(w->notified != 0 ? w->notified : w->notify_failed, cols[6], sizeof(cols[6]));
    }
    if (h->q->format == AUDIT_JSON)
        return handling_json(h, w, cols);
    char updates[24] = "";
    snprintf(updates, sizeof(updates), "%d", w->updates);
    const char *v[HANDLING_NCOLS] = {w->warning_id,
                                     w->rule,
                                     w->household,
                                     nonempty(w->person),
                                     cols[0],
                                     cols[1],
                                     cols[2],
                                     nonempty(cols[3]),
                                     nonempty(cols[4]),
                                     updates,
                                     nonempty(cols[5]),
                                     nonempty(cols[6]),
                                     NULL,
                                     NULL};
    for (int c = 0; c < HANDLING_NCOLS; c++) {
        const char *value = v[c];
        if (c >= 12) {
            /* follow-ups: "ACK 2024-05-03T02:00:00.000Z by O-17; ...";
             * escalations: "ACK 2024-06-01T00:00:00.000Z (+12 days); ..." */
            zs_buf_reset(&h->text);
            for (size_t i = 0; c == 12 && i < w->nfollowups; i++) {
                static const char *const actions[] = {"ACK", "MEASURE", "RESOLVED"};
                char at[ZS_TIME_STR_SIZE] = "";
                zs_time_format(w->followups[i].at, at, sizeof(at));
                zs_buf_addf(&h->text, "%s%s %s%s%s", i ? "; " : "", actions[w->followups[i].action],
                            at, w->followups[i].officer[0] ? " by " : "", w->followups[i].officer);
            }
            for (int s = 0; c == 13 && s < AUDIT_SLA_STEPS; s++) {
                char at[ZS_TIME_STR_SIZE] = "";
                if (w->escalated[s] == 0)
                    continue;
                zs_time_format(w->escalated[s], at, sizeof(at));
                zs_buf_addf(&h->text, "%s%s %s (+%lld days)", h->text.len ? "; " : "",
                            audit_sla_step_name((audit_sla_step_t)s), at,
                            (long long)w->escalated_days[s]);
            }
            value = h->text.len > 0 ? h->text.data : NULL;
        }
        put_value(h->out, value, h->q->format);
        fputs(c + 1 < HANDLING_NCOLS ? (h->q->format == AUDIT_CSV ? "," : "  ") : "\n", h->out);
    }
    return ZS_OK;
}

zs_err_t audit_archive_query(audit_archive_t *a, const audit_query_t *q, FILE *out, uint64_t *rows,
                             uint64_t *records, char *errstr, size_t errstr_size)
{
    if (q->county != NULL && q->year > 0 && q->quarter > 0) {
        handling_t h = {.q = q, .out = out, .first = q->year * 12 + 3 * (q->quarter - 1)};
        h.last = h.first + 2;
        zs_buf_init(&h.text, (size_t)1 << 20);
        if (q->format != AUDIT_JSON)
            for (int c = 0; c < HANDLING_NCOLS; c++)
                fprintf(out, "%s%s", handling_cols[c],
                        c + 1 < HANDLING_NCOLS ? (q->format == AUDIT_CSV ? "," : "  ") : "\n");
        zs_err_t err = audit_archive_warnings(a, q->county, handling_one, &h, errstr, errstr_size);
        zs_buf_free(&h.text);
        *rows = h.rows;
        *records = h.records;
        return err;
    }
    static const char *const cols[] = {
        "at",   "kind",  "actor",  "household_id", "county_code", "person_id", "warning_id", "rule",
        "year", "month", "action", "finding",      "detail",      "chain",     "seq"};
    enum { NCOLS = sizeof(cols) / sizeof(cols[0]) };
    sqlite3_stmt *st = NULL;
    /* Quarter q of a year is months 3q-2 .. 3q. */
    const char *sql =
        "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch'), kind, actor, "
        "household_id, county_code, person_id, warning_id, rule, year, month, action, finding, "
        "detail, chain, seq FROM audit WHERE (?1 IS NULL OR household_id = ?1) AND "
        "(?2 IS NULL OR county_code = ?2) AND (?3 = 0 OR year = ?3) AND "
        "(?4 = 0 OR (month BETWEEN 3 * ?4 - 2 AND 3 * ?4)) ORDER BY at, chain, seq";
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(a, "query", errstr, errstr_size);
    sqlite3_bind_text(st, 1, q->household, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, q->county, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, q->year);
    sqlite3_bind_int(st, 4, q->quarter);
    if (q->format == AUDIT_CSV)
        for (int c = 0; c < NCOLS; c++)
            fprintf(out, "%s%s", cols[c], c + 1 < NCOLS ? "," : "\n");
    *rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (q->format == AUDIT_JSON)
            fputc('{', out);
        for (int c = 0; c < NCOLS; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (q->format == AUDIT_JSON)
                fprintf(out, "%s\"%s\":", c ? "," : "", cols[c]);
            put_value(out, v, q->format);
            if (q->format != AUDIT_JSON)
                fputs(c + 1 < NCOLS ? (q->format == AUDIT_CSV ? "," : "  ") : "", out);
        }
        fputs(q->format == AUDIT_JSON ? "}\n" : "\n", out);
        (*rows)++;
    }
    *records = *rows;
    zs_err_t err = rc == SQLITE_DONE ? ZS_OK : sql_fail(a, "query", errstr, errstr_size);
    sqlite3_finalize(st);
    return err;
}

zs_err_t audit_archive_lock(audit_archive_t *a, char *errstr, size_t errstr_size)
{
    return sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
               ? ZS_OK
               : sql_fail(a, "begin immediate", errstr, errstr_size);
}

void audit_archive_rollback(audit_archive_t *a)
{
    if (a != NULL)
        sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Copies column c of st into out (size bytes), "" for NULL. */
static void column_copy(sqlite3_stmt *st, int c, char *out, size_t size)
{
    const char *v = (const char *)sqlite3_column_text(st, c);
    snprintf(out, size, "%s", v != NULL ? v : "");
}

/* The officer of a FOLLOWUP_RECORDED detail ("ACK by O-17", "RESOLVED by
 * O-17: warning cleared"), cut to size. */
static void detail_officer(const char *detail, char *out, size_t size)
{
    const char *by = detail != NULL ? strstr(detail, " by ") : NULL;
    out[0] = '\0';
    if (by == NULL)
        return;
    by += 4;
    size_t n = strcspn(by, ":;");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), by);
}

/* days_overdue=N of an ESCALATION detail, 0 if absent. */
static int64_t detail_days(const char *detail)
{
    const char *d = detail != NULL ? strstr(detail, "days_overdue=") : NULL;
    return d != NULL ? strtoll(d + 13, NULL, 10) : 0;
}

/* The warning being gathered by audit_archive_warnings. */
typedef struct gather {
    audit_warning_t w;
    zs_buf_t followups; /* audit_sla_followup_t[] */
    bool opened;        /* a WARNING_OPENED was seen */
} gather_t;

static void gather_reset(gather_t *g, const char *warning_id)
{
    zs_buf_reset(&g->followups);
    memset(&g->w, 0, sizeof(g->w));
    snprintf(g->w.warning_id, sizeof(g->w.warning_id), "%s", warning_id);
    g->w.cleared = AUDIT_SLA_NEVER;
    g->opened = false;
}

/* Takes one row of the walk (see audit_archive_warnings for its columns). */
static zs_err_t gather_row(gather_t *g, sqlite3_stmt *st)
{
    const char *kind = (const char *)sqlite3_column_text(st, 1);
    int64_t at = sqlite3_column_int64(st, 2);
    const char *action = (const char *)sqlite3_column_text(st, 3);
    const char *detail = (const char *)sqlite3_column_text(st, 10);
    audit_warning_t *w = &g->w;
    if (kind == NULL)
        return ZS_OK;
    if (strcmp(kind, "SLA") != 0)
        w->records++;
    if (strcmp(kind, "WARNING_OPENED") == 0) {
        /* A new episode under the same id starts the story again. */
        g->opened = true;
        w->opened = at;
        w->cleared = AUDIT_SLA_NEVER;
        column_copy(st, 4, w->household, sizeof(w->household));
        column_copy(st, 5, w->county, sizeof(w->county));
        column_copy(st, 6, w->person, sizeof(w->person));
        column_copy(st, 7, w->rule, sizeof(w->rule));
        w->year = sqlite3_column_int(st, 8);
        w->month = sqlite3_column_int(st, 9);
    } else if (strcmp(kind, "WARNING_UPDATED") == 0) {
        w->updates++;
    } else if (strcmp(kind, "WARNING_CLEARED") == 0) {
        if (w->cleared == AUDIT_SLA_NEVER) {
            w->cleared = at;
            w->cleared_year = sqlite3_column_int(st, 8);
            w->cleared_month = sqlite3_column_int(st, 9);
        }
    } else if (strcmp(kind, "NOTIFICATION_SENT") == 0) {
        if (w->notified == 0)
            w->notified = at;
    } else if (strcmp(kind, "NOTIFICATION_FAILED") == 0) {
        w->notify_failed = at;
    } else if (strcmp(kind, "FOLLOWUP_RECORDED") == 0 && action != NULL) {
        audit_sla_followup_t f = {.at = at};
        f.action = strcmp(action, "ACK") == 0       ? AUDIT_SLA_DID_ACK
                   : strcmp(action, "MEASURE") == 0 ? AUDIT_SLA_DID_MEASURE
                                                    : AUDIT_SLA_DID_RESOLVED;
        detail_officer(detail, f.officer, sizeof(f.officer));
        return zs_buf_add(&g->followups, &f, sizeof(f));
    } else if ((strcmp(kind, "ESCALATION") == 0 || strcmp(kind, "SLA") == 0) && action != NULL) {
        int s = strcmp(action, "ACK") == 0       ? AUDIT_SLA_ACK
                : strcmp(action, "MEASURE") == 0 ? AUDIT_SLA_MEASURE
                                                 : -1;
        if (s >= 0 && w->escalated[s] == 0) {
            w->escalated[s] = at;
            w->escalated_days[s] = detail_days(detail);
        }
    }
    return ZS_OK;
}

static zs_err_t gather_done(gather_t *g, audit_warning_fn *fn, void *ctx, char *errstr,
                            size_t errstr_size)
{
    if (!g->opened)
        return ZS_OK;
    g->w.followups = (const audit_sla_followup_t *)g->followups.data;
    g->w.nfollowups = g->followups.len / sizeof(audit_sla_followup_t);
    return fn(ctx, &g->w, errstr, errstr_size);
}

zs_err_t audit_archive_warnings(audit_archive_t *a, const char *county, audit_warning_fn *fn,
                                void *ctx, char *errstr, size_t errstr_size)
{
    /* Every record about a warning of the county, with sla's own table, by
     * warning then time. */
    static const char sql[] =
        "WITH w AS (SELECT DISTINCT warning_id FROM audit WHERE kind = 'WARNING_OPENED' AND "
        "(?1 IS NULL OR county_code = ?1)) "
        "SELECT warning_id, kind, at, action, household_id, county_code, person_id, rule, year, "
        "month, detail, chain, seq FROM audit WHERE warning_id IN w AND kind IN "
        "('WARNING_OPENED', 'WARNING_UPDATED', 'WARNING_CLEARED', 'NOTIFICATION_SENT', "
        "'NOTIFICATION_FAILED', 'FOLLOWUP_RECORDED', 'ESCALATION') "
        "UNION ALL SELECT warning_id, 'SLA', at, action, NULL, NULL, NULL, NULL, NULL, NULL, "
        "'days_overdue=' || days, chain, seq FROM escalation WHERE warning_id IN w "
        "ORDER BY 1, 3, 12, 13";
    sqlite3_stmt *st = NULL;
    gather_t g;
    memset(&g, 0, sizeof(g));
    zs_buf_init(&g.followups, (size_t)1 << 24);
    zs_err_t err = ZS_OK;
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK) {
        err = sql_fail(a, "warnings", errstr, errstr_size);
        goto done;
    }
    sqlite3_bind_text(st, 1, county, -1, SQLITE_STATIC);
    int rc;
    bool any = false;
    while (err == ZS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (id == NULL)
            continue;
        if (!any || strcmp(id, g.w.warning_id) != 0) {
            if (any)
                err = gather_done(&g, fn, ctx, errstr, errstr_size);
            gather_reset(&g, id);
            any = true;
        }
        if (err == ZS_OK && gather_row(&g, st) != ZS_OK)
            err = zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "warning %s: too many follow-ups",
                          g.w.warning_id);
    }
    if (err == ZS_OK && rc != SQLITE_DONE)
        err = sql_fail(a, "warnings", errstr, errstr_size);
    if (err == ZS_OK && any)
        err = gather_done(&g, fn, ctx, errstr, errstr_size);
done:
    sqlite3_finalize(st);
    zs_buf_free(&g.followups);
    return err;
}

zs_err_t audit_archive_chain_head(audit_archive_t *a, zs_audit_chain_t *chain, char *errstr,
                                  size_t errstr_size)
{
    static const char *const sql[] = {
        "SELECT seq, hash FROM escalation WHERE chain = ?1 ORDER BY seq DESC LIMIT 1",
        "SELECT seq, raw FROM audit WHERE chain = ?1 ORDER BY seq DESC LIMIT 1"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(a->db, sql[i], -1, &st, NULL) != SQLITE_OK)
            return sql_fail(a, "chain head", errstr, errstr_size);
        sqlite3_bind_text(st, 1, chain->name, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) >= chain->next_seq) {
            const void *b = sqlite3_column_blob(st, 1);
            size_t len = (size_t)sqlite3_column_bytes(st, 1);
            chain->next_seq = sqlite3_column_int64(st, 0) + 1;
            chain->has_prev = true;
            if (i == 0 && len == ZS_SHA256_SIZE)
                memcpy(chain->prev, b, ZS_SHA256_SIZE);
            else
                zs_sha256(b, len, chain->prev);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return sql_fail(a, "chain head", errstr, errstr_size);
    }
    return ZS_OK;
}

zs_err_t audit_archive_escalated(audit_archive_t *a, const char *warning_id, audit_sla_step_t step,
                                 int64_t at, int64_t days, const char *chain, int64_t seq,
                                 const unsigned char hash[ZS_SHA256_SIZE], char *errstr,
                                 size_t errstr_size)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, "INSERT OR IGNORE INTO escalation VALUES (?,?,?,?,?,?,?)", -1,
                           &st, NULL) != SQLITE_OK)
        return sql_fail(a, "escalation", errstr, errstr_size);
    sqlite3_bind_text(st, 1, warning_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, audit_sla_step_name(step), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, at);
    sqlite3_bind_int64(st, 4, days);
    sqlite3_bind_text(st, 5, chain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, seq);
    sqlite3_bind_blob(st, 7, hash, ZS_SHA256_SIZE, SQLITE_STATIC);
    zs_err_t err =
        sqlite3_step(st) == SQLITE_DONE ? ZS_OK : sql_fail(a, "escalation", errstr, errstr_size);
    sqlite3_finalize(st);
    return err;
}
