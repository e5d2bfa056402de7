/* audit_archive.c: the SQLite archive of the audit trail. */
#include "audit_archive.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

zs_err_t audit_archive_query(audit_archive_t *a, const audit_query_t *q, FILE *out, uint64_t *rows,
                             char *errstr, size_t errstr_size)
{
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
    zs_err_t err = rc == SQLITE_DONE ? ZS_OK : sql_fail(a, "query", errstr, errstr_size);
    sqlite3_finalize(st);
    return err;
}
