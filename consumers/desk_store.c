/* desk_store.c: zs-desk's SQLite read model, users and consumed offsets
 * (desk_store.h). */
#include "desk_store.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The database's format; a build refuses a file of another format. */
#define DESK_STORE_FORMAT 1

static const char *const kinds[] = {"OPEN", "UPDATED", "CLEARED", "UNKNOWN"};
static const char *const actions[] = {"ACK", "MEASURE", "RESOLVED"};

/* The statements, prepared once per connection. */
enum {
    S_OFFSET_GET,
    S_OFFSET_SET,
    S_WARN_UPSERT,
    S_EVENT_ADD,
    S_FIRST_SET,
    S_ESCALATED,
    S_EARLY_ADD,
    S_EARLY_TAKE,
    S_USER_ADD,
    S_USER_DISABLE,
    S_USER_GET,
    S_USER_ALL,
    S_ROW,
    S_HISTORY,
    S_HOUSEHOLD,
    S__COUNT
};

static const char *const sql[S__COUNT] = {
    [S_OFFSET_GET] = "SELECT next FROM offsets WHERE topic=?1 AND partition=?2",
    [S_OFFSET_SET] = "INSERT INTO offsets(topic,partition,next) VALUES(?1,?2,?3) "
                     "ON CONFLICT(topic,partition) DO UPDATE SET next=excluded.next",
    /* A later record of the same warning replaces its current state; the
     * opening time stays the first one seen. */
    [S_WARN_UPSERT] =
        "INSERT INTO warnings(warning_id,household_id,county_code,person_id,rule,severity,"
        "status,risk,year,month,opened_year,opened_month,opened_at,updated_at,evidence) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?13,?14) "
        "ON CONFLICT(warning_id) DO UPDATE SET severity=excluded.severity,"
        "status=excluded.status,risk=excluded.risk,year=excluded.year,month=excluded.month,"
        "updated_at=max(updated_at,excluded.updated_at),evidence=excluded.evidence,"
        "person_id=excluded.person_id",
    [S_EVENT_ADD] = "INSERT OR IGNORE INTO events(source,warning_id,household_id,at,kind,actor,"
                    "measure,note,detail) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [S_FIRST_SET] = "UPDATE warnings SET acked_at=(SELECT min(at) FROM events WHERE "
                    "warning_id=?1 AND kind='ACK'),measured_at=(SELECT min(at) FROM events "
                    "WHERE warning_id=?1 AND kind='MEASURE'),resolved_at=(SELECT min(at) FROM "
                    "events WHERE warning_id=?1 AND kind='RESOLVED') WHERE warning_id=?1",
    [S_ESCALATED] = "UPDATE warnings SET escalated=1 WHERE warning_id=?1",
    /* Follow-ups read before their warning (rare): noted, so the warning's
     * first ACK/MEASURE/RESOLVED times are set when it arrives without a
     * look at the history for every warning record. */
    [S_EARLY_ADD] = "INSERT OR IGNORE INTO early(warning_id) VALUES(?1)",
    [S_EARLY_TAKE] = "DELETE FROM early WHERE warning_id=?1",
    [S_USER_ADD] = "INSERT INTO users(login,role,scope,hash,disabled,created_at) "
                   "VALUES(?1,?2,?3,?4,0,?5)",
    [S_USER_DISABLE] = "UPDATE users SET disabled=1 WHERE login=?1",
    [S_USER_GET] = "SELECT login,role,scope,hash,disabled,created_at FROM users WHERE login=?1",
    [S_USER_ALL] = "SELECT login,role,scope,hash,disabled,created_at FROM users ORDER BY login",
    [S_ROW] = "SELECT warning_id,household_id,county_code,coalesce(person_id,''),rule,severity,"
              "status,risk,year,month,opened_year,opened_month,opened_at,updated_at,"
              "coalesce(acked_at,-1),coalesce(measured_at,-1),coalesce(resolved_at,-1),"
              "escalated,evidence FROM warnings WHERE warning_id=?1",
    [S_HISTORY] = "SELECT at,kind,coalesce(actor,''),coalesce(measure,-1),coalesce(note,''),"
                  "coalesce(detail,''),source FROM events WHERE warning_id=?1 ORDER BY at,id",
    [S_HOUSEHOLD] = "INSERT INTO households(household_id,county_code,township,village) "
                    "VALUES(?1,?2,?3,?4) ON CONFLICT(household_id) DO UPDATE SET "
                    "county_code=excluded.county_code,township=excluded.township,"
                    "village=excluded.village",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS offsets(topic TEXT NOT NULL, partition INTEGER NOT NULL,"
    " next INTEGER NOT NULL, PRIMARY KEY(topic, partition));"
    "CREATE TABLE IF NOT EXISTS warnings(warning_id TEXT PRIMARY KEY, household_id TEXT NOT "
    "NULL, county_code TEXT NOT NULL, person_id TEXT, rule INTEGER, severity INTEGER, status "
    "INTEGER, risk INTEGER, year INTEGER, month INTEGER, opened_year INTEGER, opened_month "
    "INTEGER, opened_at INTEGER, updated_at INTEGER, evidence TEXT, acked_at INTEGER, "
    "measured_at INTEGER, resolved_at INTEGER, escalated INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS warnings_county ON warnings(county_code);"
    "CREATE INDEX IF NOT EXISTS warnings_household ON warnings(household_id);"
    "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE,"
    " warning_id TEXT NOT NULL, household_id TEXT, at INTEGER NOT NULL, kind TEXT NOT NULL,"
    " actor TEXT, measure INTEGER, note TEXT, detail TEXT);"
    "CREATE INDEX IF NOT EXISTS events_warning ON events(warning_id, at);"
    "CREATE TABLE IF NOT EXISTS early(warning_id TEXT PRIMARY KEY);"
    /* Added within format 1: a database made before it gets the table
     * empty and reads zs.household from its start (no offsets stored). */
    "CREATE TABLE IF NOT EXISTS households(household_id TEXT PRIMARY KEY, county_code TEXT NOT "
    "NULL, township TEXT, village TEXT);"
    "CREATE INDEX IF NOT EXISTS households_place ON households(county_code, township, village);"
    "CREATE TABLE IF NOT EXISTS users(login TEXT PRIMARY KEY, role INTEGER NOT NULL, scope "
    "TEXT NOT NULL, hash TEXT NOT NULL, disabled INTEGER NOT NULL, created_at INTEGER NOT NULL);";

struct desk_store {
    sqlite3 *db;
    sqlite3_stmt *st[S__COUNT];
    zs_buf_t scratch; /* evidence JSON */
};

static zs_err_t db_fail(desk_store_t *st, const char *what, char *errstr, size_t errstr_size)
{
    return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", what, sqlite3_errmsg(st->db));
}

void desk_store_close(desk_store_t *st)
{
    if (st == NULL)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(st->st[i]);
    sqlite3_close(st->db);
    zs_buf_free(&st->scratch);
    free(st);
}

zs_err_t desk_store_open(const char *path, desk_store_t **out, char *errstr, size_t errstr_size)
{
    desk_store_t *st = calloc(1, sizeof(*st));
    zs_err_t err = ZS_OK;
    if (st == NULL)
        return ZS_ERR_NOMEM;
    zs_buf_init(&st->scratch, 1 << 16);
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path,
                      st->db ? sqlite3_errmsg(st->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 10000);
    if (sqlite3_exec(st->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA cache_size=-65536;",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        err = db_fail(st, path, errstr, errstr_size);
        goto fail;
    }
    sqlite3_stmt *q = NULL;
    int64_t format = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key='format'", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        format = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (format == -1 &&
        sqlite3_exec(st->db, "INSERT INTO meta VALUES('format', 1)", NULL, NULL, NULL) == SQLITE_OK)
        format = DESK_STORE_FORMAT;
    if (format != DESK_STORE_FORMAT) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                      "%s: database format %lld, this build reads format %d only", path,
                      (long long)format, DESK_STORE_FORMAT);
        goto fail;
    }
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        err = db_fail(st, path, errstr, errstr_size);
        goto fail;
    }
    for (int i = 0; i < S__COUNT; i++)
        if (sqlite3_prepare_v2(st->db, sql[i], -1, &st->st[i], NULL) != SQLITE_OK) {
            err = db_fail(st, sql[i], errstr, errstr_size);
            goto fail;
        }
    *out = st;
    return ZS_OK;
fail:
    desk_store_close(st);
    return err;
}

zs_err_t desk_store_begin(desk_store_t *st, char *errstr, size_t errstr_size)
{
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, "begin", errstr, errstr_size);
    return ZS_OK;
}

zs_err_t desk_store_commit(desk_store_t *st, char *errstr, size_t errstr_size)
{
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, "commit", errstr, errstr_size);
    return ZS_OK;
}

void desk_store_rollback(desk_store_t *st)
{
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Runs a prepared statement that returns no row, then resets it. */
static zs_err_t run(desk_store_t *st, sqlite3_stmt *q, const char *what, char *errstr,
                    size_t errstr_size)
{
    int rc = sqlite3_step(q);
    zs_err_t err = rc == SQLITE_DONE ? ZS_OK : db_fail(st, what, errstr, errstr_size);
    if (rc == SQLITE_CONSTRAINT)
        err = ZS_ERR_INVALID;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return err;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s == NULL)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
}

int64_t desk_store_offset(desk_store_t *st, const char *topic, int32_t partition)
{
    sqlite3_stmt *q = st->st[S_OFFSET_GET];
    int64_t next = -1;
    bind_text(q, 1, topic);
    sqlite3_bind_int(q, 2, partition);
    if (sqlite3_step(q) == SQLITE_ROW)
        next = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return next;
}

zs_err_t desk_store_set_offset(desk_store_t *st, const char *topic, int32_t partition, int64_t next,
                               char *errstr, size_t errstr_size)
{
    sqlite3_stmt *q = st->st[S_OFFSET_SET];
    bind_text(q, 1, topic);
    sqlite3_bind_int(q, 2, partition);
    sqlite3_bind_int64(q, 3, next);
    return run(st, q, "offset", errstr, errstr_size);
}

/* The evidence of w as compact JSON into st->scratch: the figures the
 * warning page shows, as the monitor wrote them. */
static zs_err_t evidence_json(desk_store_t *st, const notify_warning_t *w)
{
    zs_buf_t *b = &st->scratch;
    zs_buf_reset(b);
    zs_err_t err = zs_buf_addf(b, "{\"members\":%d", (int)w->members_active);
    if (w->has_t12m)
        err = err ? err : zs_buf_addf(b, ",\"t12m\":%lld", (long long)w->t12m_fen);
    if (w->has_t12m_prev)
        err = err ? err : zs_buf_addf(b, ",\"t12m_prev\":%lld", (long long)w->t12m_prev_fen);
    if (w->has_growth)
        err = err ? err : zs_buf_addf(b, ",\"growth_bp\":%d", (int)w->growth_bp);
    if (w->has_threshold)
        err = err ? err
                  : zs_buf_addf(b, ",\"threshold\":%lld,\"unit\":%d", (long long)w->threshold,
                                (int)w->threshold_unit);
    if (w->has_observed)
        err = err ? err : zs_buf_addf(b, ",\"observed\":%lld", (long long)w->observed);
    if (w->has_amount)
        err = err ? err : zs_buf_addf(b, ",\"amount\":%lld", (long long)w->amount_fen);
    if (w->program != NOTIFY_PROGRAM_NONE)
        err = err ? err : zs_buf_addf(b, ",\"program\":%d", (int)w->program);
    err = err ? err : zs_buf_adds(b, ",\"components\":[");
    for (size_t i = 0; err == ZS_OK && i < w->ncomponents; i++) {
        const notify_component_t *c = &w->components[i];
        err = zs_buf_addf(b, "%s[%d,%lld,", i ? "," : "", (int)c->component,
                          (long long)c->current_fen);
        err = err               ? err
              : c->has_previous ? zs_buf_addf(b, "%lld]", (long long)c->previous_fen)
                                : zs_buf_adds(b, "null]");
    }
    err = err ? err : zs_buf_adds(b, "]");
    /* detail and threshold_source are text: let jansson quote them. */
    json_t *text = json_pack("{s:s,s:s}", "detail", w->detail ? w->detail : "", "source",
                             w->threshold_source ? w->threshold_source : "");
    char *d = text ? json_dumps(text, JSON_COMPACT) : NULL;
    json_decref(text);
    if (d == NULL)
        return ZS_ERR_NOMEM;
    err = err ? err : zs_buf_addf(b, ",%s", d + 1);
    free(d);
    return err;
}

zs_err_t desk_store_apply_warning(desk_store_t *st, const notify_warning_t *w, const char *src,
                                  char *errstr, size_t errstr_size)
{
    zs_err_t err = evidence_json(st, w);
    if (err != ZS_OK)
        return zs_fail(errstr, errstr_size, err, "%s: evidence too large", src);
    sqlite3_stmt *q = st->st[S_WARN_UPSERT];
    bind_text(q, 1, w->warning_id);
    bind_text(q, 2, w->household_id);
    bind_text(q, 3, w->county_code);
    bind_text(q, 4, w->person_id);
    sqlite3_bind_int(q, 5, w->rule);
    sqlite3_bind_int(q, 6, w->severity);
    sqlite3_bind_int(q, 7, w->status);
    sqlite3_bind_int(q, 8, w->risk);
    sqlite3_bind_int(q, 9, w->year);
    sqlite3_bind_int(q, 10, w->month);
    sqlite3_bind_int(q, 11, w->opened_year);
    sqlite3_bind_int(q, 12, w->opened_month);
    sqlite3_bind_int64(q, 13, w->emitted_at);
    sqlite3_bind_text(q, 14, st->scratch.data, (int)st->scratch.len, SQLITE_STATIC);
    err = run(st, q, "warning", errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    q = st->st[S_EVENT_ADD];
    char period[16];
    snprintf(period, sizeof(period), "period=%04d-%02d", w->year, w->month);
    bind_text(q, 1, src);
    bind_text(q, 2, w->warning_id);
    bind_text(q, 3, w->household_id);
    sqlite3_bind_int64(q, 4, w->emitted_at);
    bind_text(q, 5, kinds[(unsigned)w->status < 4 ? w->status : 3]);
    bind_text(q, 6, "zs-monitor");
    bind_text(q, 9, period);
    err = run(st, q, "history", errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    q = st->st[S_EARLY_TAKE];
    bind_text(q, 1, w->warning_id);
    err = run(st, q, "follow-up", errstr, errstr_size);
    if (err != ZS_OK || sqlite3_changes(st->db) == 0)
        return err;
    q = st->st[S_FIRST_SET];
    bind_text(q, 1, w->warning_id);
    return run(st, q, "follow-up", errstr, errstr_size);
}

zs_err_t desk_store_apply_followup(desk_store_t *st, const desk_followup_t *f, char *errstr,
                                   size_t errstr_size)
{
    char src[64];
    snprintf(src, sizeof(src), "followup/%s", f->event_id);
    sqlite3_stmt *q = st->st[S_EVENT_ADD];
    bind_text(q, 1, src);
    bind_text(q, 2, f->warning_id);
    bind_text(q, 3, f->household_id);
    sqlite3_bind_int64(q, 4, f->at);
    bind_text(q, 5, actions[(unsigned)f->action < 3 ? f->action : 0]);
    bind_text(q, 6, f->officer_id);
    if (f->measure != DESK_MEASURE_NONE)
        sqlite3_bind_int(q, 7, f->measure);
    bind_text(q, 8, f->note);
    zs_err_t err = run(st, q, "follow-up", errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    q = st->st[S_FIRST_SET];
    bind_text(q, 1, f->warning_id);
    err = run(st, q, "follow-up", errstr, errstr_size);
    if (err != ZS_OK || sqlite3_changes(st->db) > 0)
        return err;
    q = st->st[S_EARLY_ADD];
    bind_text(q, 1, f->warning_id);
    return run(st, q, "follow-up", errstr, errstr_size);
}

zs_err_t desk_store_apply_household(desk_store_t *st, const char *household_id,
                                    const char *county_code, const char *township,
                                    const char *village, char *errstr, size_t errstr_size)
{
    sqlite3_stmt *q = st->st[S_HOUSEHOLD];
    bind_text(q, 1, household_id);
    bind_text(q, 2, county_code);
    bind_text(q, 3, township);
    bind_text(q, 4, village);
    return run(st, q, "household", errstr, errstr_size);
}

zs_err_t desk_store_apply_audit(desk_store_t *st, const char *warning_id, const char *household_id,
                                const char *kind, const char *actor, const char *detail, int64_t at,
                                const char *chain, int64_t seq, char *errstr, size_t errstr_size)
{
    char src[200];
    snprintf(src, sizeof(src), "audit/%s/%lld", chain, (long long)seq);
    sqlite3_stmt *q = st->st[S_EVENT_ADD];
    bind_text(q, 1, src);
    bind_text(q, 2, warning_id);
    bind_text(q, 3, household_id);
    sqlite3_bind_int64(q, 4, at);
    bind_text(q, 5, kind);
    bind_text(q, 6, actor);
    bind_text(q, 9, detail);
    zs_err_t err = run(st, q, "audit", errstr, errstr_size);
    if (err != ZS_OK || strcmp(kind, "ESCALATION") != 0)
        return err;
    q = st->st[S_ESCALATED];
    bind_text(q, 1, warning_id);
    return run(st, q, "escalation", errstr, errstr_size);
}

/* ---- users ---- */

zs_err_t desk_store_user_add(desk_store_t *st, const desk_user_t *u, char *errstr,
                             size_t errstr_size)
{
    sqlite3_stmt *q = st->st[S_USER_ADD];
    bind_text(q, 1, u->login);
    sqlite3_bind_int(q, 2, u->role);
    bind_text(q, 3, u->scope);
    bind_text(q, 4, u->hash);
    sqlite3_bind_int64(q, 5, u->created_at);
    zs_err_t err = run(st, q, "user add", errstr, errstr_size);
    if (err == ZS_ERR_INVALID)
        return zs_fail(errstr, errstr_size, err, "user %s exists already", u->login);
    return err;
}

zs_err_t desk_store_user_disable(desk_store_t *st, const char *login, char *errstr,
                                 size_t errstr_size)
{
    sqlite3_stmt *q = st->st[S_USER_DISABLE];
    bind_text(q, 1, login);
    zs_err_t err = run(st, q, "user disable", errstr, errstr_size);
    if (err == ZS_OK && sqlite3_changes(st->db) == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND, "no user %s", login);
    return err;
}

static void user_read(sqlite3_stmt *q, desk_user_t *u)
{
    memset(u, 0, sizeof(*u));
    snprintf(u->login, sizeof(u->login), "%s", (const char *)sqlite3_column_text(q, 0));
    u->role = (desk_role_t)sqlite3_column_int(q, 1);
    snprintf(u->scope, sizeof(u->scope), "%s", (const char *)sqlite3_column_text(q, 2));
    snprintf(u->hash, sizeof(u->hash), "%s", (const char *)sqlite3_column_text(q, 3));
    u->disabled = sqlite3_column_int(q, 4) != 0;
    u->created_at = sqlite3_column_int64(q, 5);
}

zs_err_t desk_store_user_get(desk_store_t *st, const char *login, desk_user_t *out)
{
    sqlite3_stmt *q = st->st[S_USER_GET];
    bind_text(q, 1, login);
    zs_err_t err = ZS_ERR_NOT_FOUND;
    if (sqlite3_step(q) == SQLITE_ROW) {
        user_read(q, out);
        err = ZS_OK;
    }
    sqlite3_reset(q);
    return err;
}

zs_err_t desk_store_user_each(desk_store_t *st, void (*fn)(const desk_user_t *, void *), void *arg)
{
    sqlite3_stmt *q = st->st[S_USER_ALL];
    desk_user_t u;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        user_read(q, &u);
        fn(&u, arg);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ZS_OK : ZS_ERR_IO;
}

/* ---- reading ---- */

static void col_str(sqlite3_stmt *q, int i, char *out, size_t size)
{
    const unsigned char *s = sqlite3_column_text(q, i);
    snprintf(out, size, "%s", s ? (const char *)s : "");
}

/* Reads a row of the S_ROW column list. */
static void row_read(sqlite3_stmt *q, desk_row_t *r)
{
    memset(r, 0, sizeof(*r));
    col_str(q, 0, r->warning_id, sizeof(r->warning_id));
    col_str(q, 1, r->household_id, sizeof(r->household_id));
    col_str(q, 2, r->county_code, sizeof(r->county_code));
    col_str(q, 3, r->person_id, sizeof(r->person_id));
    int *ints[] = {&r->rule, &r->severity, &r->status,      &r->risk,
                   &r->year, &r->month,    &r->opened_year, &r->opened_month};
    for (int i = 0; i < 8; i++)
        *ints[i] = sqlite3_column_int(q, 4 + i);
    int64_t *longs[] = {&r->opened_at, &r->updated_at, &r->acked_at, &r->measured_at,
                        &r->resolved_at};
    for (int i = 0; i < 5; i++)
        *longs[i] = sqlite3_column_int64(q, 12 + i);
    r->escalated = sqlite3_column_int(q, 17) != 0;
    col_str(q, 18, r->evidence, sizeof(r->evidence));
}

zs_err_t desk_store_row(desk_store_t *st, const char *warning_id, desk_row_t *out)
{
    sqlite3_stmt *q = st->st[S_ROW];
    bind_text(q, 1, warning_id);
    zs_err_t err = ZS_ERR_NOT_FOUND;
    if (sqlite3_step(q) == SQLITE_ROW) {
        row_read(q, out);
        err = ZS_OK;
    }
    sqlite3_reset(q);
    return err;
}

/* The codes that start with prefix, as a range [lo, hi) that the index on
 * county_code serves: prefix itself up to prefix followed by ':', the
 * character after '9'. A prefix that is not digits (the caller's scope
 * rules allow none) gives an empty range. */
static void prefix_range(const char *prefix, char *lo, char *hi, size_t size)
{
    if (prefix == NULL || strspn(prefix, "0123456789") != strlen(prefix)) {
        snprintf(lo, size, "-");
        snprintf(hi, size, "-");
    } else {
        snprintf(lo, size, "%s", prefix);
        snprintf(hi, size, "%s:", prefix);
    }
}

/* The inbox's filter, shared by its rows and its counts: ?1 and ?2 the
 * scope's range, ?3 one county, ?4 rule, ?5 risk, ?6 household, ?7 open
 * only, ?8 state, ?9 and ?10 the ACK and MEASURE deadlines after opening,
 * ?13 the household's township, ?14 its village. */
#define FILTER_SQL                                                                                 \
    " FROM warnings WHERE county_code>=?1 AND county_code<?2"                                      \
    " AND (?3 IS NULL OR county_code=?3) AND (?4<0 OR rule=?4) AND (?5<0 OR risk=?5)"              \
    " AND (?6 IS NULL OR household_id=?6) AND (?7=0 OR (status<>2 AND resolved_at IS NULL))"       \
    " AND (?8<0 OR (?8=0 AND acked_at IS NULL) OR (?8=1 AND acked_at IS NOT NULL AND"              \
    " measured_at IS NULL) OR (?8=2 AND measured_at IS NOT NULL))"                                 \
    " AND (?13 IS NULL OR EXISTS(SELECT 1 FROM households h WHERE"                                 \
    " h.household_id=warnings.household_id AND h.township=?13))"                                   \
    " AND (?14 IS NULL OR EXISTS(SELECT 1 FROM households h WHERE"                                 \
    " h.household_id=warnings.household_id AND h.village=?14))"

static zs_err_t filter_prepare(desk_store_t *st, const char *sql_text, const desk_filter_t *f,
                               int64_t ack_ms, int64_t measure_ms, char lo[16], char hi[16],
                               sqlite3_stmt **q, char *errstr, size_t errstr_size)
{
    if (sqlite3_prepare_v2(st->db, sql_text, -1, q, NULL) != SQLITE_OK)
        return db_fail(st, "inbox", errstr, errstr_size);
    prefix_range(f->scope, lo, hi, 16);
    sqlite3_bind_text(*q, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(*q, 2, hi, -1, SQLITE_STATIC);
    bind_text(*q, 3, f->county);
    sqlite3_bind_int(*q, 4, f->rule);
    sqlite3_bind_int(*q, 5, f->risk);
    bind_text(*q, 6, f->household);
    sqlite3_bind_int(*q, 7, f->open_only);
    sqlite3_bind_int(*q, 8, f->state);
    sqlite3_bind_int64(*q, 9, ack_ms);
    sqlite3_bind_int64(*q, 10, measure_ms);
    bind_text(*q, 13, f->township);
    bind_text(*q, 14, f->village);
    return ZS_OK;
}

zs_err_t desk_store_rows(desk_store_t *st, const desk_filter_t *f, int64_t ack_ms,
                         int64_t measure_ms, zs_buf_t *rows, char *errstr, size_t errstr_size)
{
    /* The evidence stays out: lists do not show it, and 2 KB a row through
     * the sort is most of the work of a large county's inbox. */
    static const char rows_sql[] =
        "SELECT warning_id,household_id,county_code,coalesce(person_id,''),rule,severity,"
        "status,risk,year,month,opened_year,opened_month,opened_at,updated_at,"
        "coalesce(acked_at,-1),coalesce(measured_at,-1),coalesce(resolved_at,-1),"
        "escalated,''" FILTER_SQL
        " ORDER BY severity DESC, CASE WHEN acked_at IS NULL THEN opened_at+?9 "
        "WHEN measured_at IS NULL THEN opened_at+?10 ELSE 9223372036854775807 END, "
        "opened_at, warning_id LIMIT ?11 OFFSET ?12";
    sqlite3_stmt *q = NULL;
    char lo[16], hi[16];
    zs_err_t err =
        filter_prepare(st, rows_sql, f, ack_ms, measure_ms, lo, hi, &q, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    sqlite3_bind_int64(q, 11, f->limit ? (int64_t)f->limit : -1);
    sqlite3_bind_int64(q, 12, (int64_t)f->offset);
    zs_buf_reset(rows);
    int rc;
    desk_row_t r;
    while (err == ZS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        row_read(q, &r);
        err = zs_buf_add(rows, &r, sizeof(r));
    }
    if (err == ZS_OK && rc != SQLITE_DONE)
        err = db_fail(st, "inbox", errstr, errstr_size);
    sqlite3_finalize(q);
    return err;
}

zs_err_t desk_store_counts(desk_store_t *st, const desk_filter_t *f, int64_t ack_ms,
                           int64_t measure_ms, int64_t now, desk_counts_t *out, char *errstr,
                           size_t errstr_size)
{
    static const char counts_sql[] =
        "SELECT count(*), coalesce(sum(acked_at IS NOT NULL),0),"
        " coalesce(sum(acked_at IS NULL AND ?11>opened_at+?9),0),"
        " coalesce(sum(measured_at IS NULL AND ?11>opened_at+?10),0)" FILTER_SQL;
    sqlite3_stmt *q = NULL;
    char lo[16], hi[16];
    memset(out, 0, sizeof(*out));
    zs_err_t err =
        filter_prepare(st, counts_sql, f, ack_ms, measure_ms, lo, hi, &q, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    sqlite3_bind_int64(q, 11, now);
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->open = sqlite3_column_int64(q, 0);
        out->acked = sqlite3_column_int64(q, 1);
        out->ack_late = sqlite3_column_int64(q, 2);
        out->measure_late = sqlite3_column_int64(q, 3);
    } else {
        err = db_fail(st, "inbox counts", errstr, errstr_size);
    }
    sqlite3_finalize(q);
    return err;
}

zs_err_t desk_store_history(desk_store_t *st, const char *warning_id, zs_buf_t *events,
                            char *errstr, size_t errstr_size)
{
    sqlite3_stmt *q = st->st[S_HISTORY];
    bind_text(q, 1, warning_id);
    zs_buf_reset(events);
    zs_err_t err = ZS_OK;
    int rc;
    desk_event_t e;
    while (err == ZS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&e, 0, sizeof(e));
        e.at = sqlite3_column_int64(q, 0);
        col_str(q, 1, e.kind, sizeof(e.kind));
        col_str(q, 2, e.actor, sizeof(e.actor));
        e.measure = sqlite3_column_int(q, 3);
        col_str(q, 4, e.note, sizeof(e.note));
        col_str(q, 5, e.detail, sizeof(e.detail));
        col_str(q, 6, e.source, sizeof(e.source));
        err = zs_buf_add(events, &e, sizeof(e));
    }
    if (err == ZS_OK && rc != SQLITE_DONE)
        err = db_fail(st, "history", errstr, errstr_size);
    sqlite3_reset(q);
    return err;
}

zs_err_t desk_store_stats(desk_store_t *st, const char *scope, int64_t ack_ms, int64_t measure_ms,
                          zs_buf_t *stats, char *errstr, size_t errstr_size)
{
    static const char stats_sql[] =
        "SELECT county_code, opened_year, (opened_month+2)/3, count(*),"
        " sum(status<>2 AND resolved_at IS NULL),"
        " sum(acked_at IS NOT NULL AND acked_at-opened_at<=?2),"
        " sum(measured_at IS NOT NULL AND measured_at-opened_at<=?3),"
        " (SELECT count(*) FROM households h WHERE h.county_code=warnings.county_code)"
        " FROM warnings WHERE county_code>=?1 AND county_code<?4 GROUP BY 1,2,3 ORDER BY 1,2,3";
    sqlite3_stmt *q = NULL;
    char lo[16], hi[16];
    if (sqlite3_prepare_v2(st->db, stats_sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, "stats", errstr, errstr_size);
    prefix_range(scope, lo, hi, sizeof(lo));
    sqlite3_bind_text(q, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, hi, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, ack_ms);
    sqlite3_bind_int64(q, 3, measure_ms);
    zs_buf_reset(stats);
    zs_err_t err = ZS_OK;
    int rc;
    while (err == ZS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        desk_stat_t s = {.year = sqlite3_column_int(q, 1), .quarter = sqlite3_column_int(q, 2)};
        col_str(q, 0, s.county_code, sizeof(s.county_code));
        s.warnings = sqlite3_column_int64(q, 3);
        s.open = sqlite3_column_int64(q, 4);
        s.acked_in_time = sqlite3_column_int64(q, 5);
        s.measured_in_time = sqlite3_column_int64(q, 6);
        s.households = sqlite3_column_int64(q, 7);
        err = zs_buf_add(stats, &s, sizeof(s));
    }
    if (err == ZS_OK && rc != SQLITE_DONE)
        err = db_fail(st, "stats", errstr, errstr_size);
    sqlite3_finalize(q);
    return err;
}

/* ---- income targets ---- */

static int trend_cmp(const void *key, const void *row)
{
    return strcmp((const char *)key, ((const desk_trend_t *)row)->county_code);
}

zs_err_t desk_store_trend(desk_store_t *st, const char *scope, zs_buf_t *trend, char *errstr,
                          size_t errstr_size)
{
    /* Quarters as year*4 + quarter-1. */
    static const char span_sql[] =
        "SELECT min(opened_year*4+(opened_month-1)/3), max(year*4+(month-1)/3) FROM warnings"
        " WHERE county_code>=?1 AND county_code<?2";
    static const char counties_sql[] =
        "SELECT c, (SELECT count(*) FROM households h WHERE h.county_code=c) FROM"
        " (SELECT county_code c FROM households WHERE county_code>=?1 AND county_code<?2"
        " UNION SELECT county_code FROM warnings WHERE county_code>=?1 AND county_code<?2)"
        " ORDER BY c";
    static const char spells_sql[] =
        "SELECT county_code, rule, opened_year*4+(opened_month-1)/3,"
        " CASE WHEN status=2 THEN year*4+(month-1)/3 END FROM warnings"
        " WHERE county_code>=?1 AND county_code<?2 AND rule IN (0,1,2)";
    const char *const sqls[] = {span_sql, counties_sql, spells_sql};
    sqlite3_stmt *q[3] = {NULL, NULL, NULL};
    char lo[16], hi[16];
    zs_err_t err = ZS_OK;
    zs_buf_reset(trend);
    prefix_range(scope, lo, hi, sizeof(lo));
    for (int i = 0; err == ZS_OK && i < 3; i++) {
        if (sqlite3_prepare_v2(st->db, sqls[i], -1, &q[i], NULL) != SQLITE_OK) {
            err = db_fail(st, "trend", errstr, errstr_size);
        } else {
            sqlite3_bind_text(q[i], 1, lo, -1, SQLITE_STATIC);
            sqlite3_bind_text(q[i], 2, hi, -1, SQLITE_STATIC);
        }
    }
    if (err != ZS_OK || sqlite3_step(q[0]) != SQLITE_ROW ||
        sqlite3_column_type(q[0], 0) == SQLITE_NULL)
        goto done; /* no warnings: no quarters */
    int first = sqlite3_column_int(q[0], 0), last = sqlite3_column_int(q[0], 1);
    if (last < first)
        last = first;
    if (last - first >= 64)
        first = last - 63;
    int nq = last - first + 1;
    int rc;
    while (err == ZS_OK && (rc = sqlite3_step(q[1])) == SQLITE_ROW) {
        desk_trend_t t = {.households = sqlite3_column_int64(q[1], 1)};
        col_str(q[1], 0, t.county_code, sizeof(t.county_code));
        for (int k = 0; err == ZS_OK && k < nq; k++) {
            t.year = (first + k) / 4;
            t.quarter = (first + k) % 4 + 1;
            err = zs_buf_add(trend, &t, sizeof(t));
        }
    }
    if (err == ZS_OK && rc != SQLITE_DONE)
        err = db_fail(st, "trend", errstr, errstr_size);
    desk_trend_t *rows = (desk_trend_t *)trend->data;
    size_t ncounties = trend->len / sizeof(desk_trend_t) / (size_t)nq;
    while (err == ZS_OK && (rc = sqlite3_step(q[2])) == SQLITE_ROW) {
        char county[8];
        col_str(q[2], 0, county, sizeof(county));
        /* A county's rows are a block of nq: search the blocks. */
        const desk_trend_t *block =
            bsearch(county, rows, ncounties, (size_t)nq * sizeof(desk_trend_t), trend_cmp);
        if (block == NULL)
            continue;
        int rule = sqlite3_column_int(q[2], 1), from = sqlite3_column_int(q[2], 2);
        int to =
            sqlite3_column_type(q[2], 3) == SQLITE_NULL ? last + 1 : sqlite3_column_int(q[2], 3);
        for (int k = from < first ? first : from; k < to && k <= last; k++) {
            desk_trend_t *t = &rows[(size_t)(block - rows) + (size_t)(k - first)];
            if (rule == 2)
                t->low_income++;
            else
                t->below_growth++;
        }
    }
    if (err == ZS_OK && rc != SQLITE_DONE)
        err = db_fail(st, "trend", errstr, errstr_size);
done:
    for (int i = 0; i < 3; i++)
        sqlite3_finalize(q[i]);
    return err;
}
