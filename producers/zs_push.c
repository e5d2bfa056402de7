/* zs_push.c: zs-push puts registry exports onto Kafka: every row validated
 * against the contract, households joined with their members, bad rows kept
 * with their reason (a rejects file and zs.deadletter), nothing lost
 * (idempotent producer, every delivery checked), resumable after a crash. */
#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "push_close.h"
#include "push_members.h"
#include "push_rejects.h"
#include "zs_audit.h"
#include "zs_codec.h"
#include "zs_config.h"
#include "zs_contract.h"
#include "zs_county.h"
#include "zs_dead.h"
#include "zs_input.h"
#include "zs_log.h"
#include "zs_period.h"
#include "zs_producer.h"
#include "zs_topics.h"

static const char usage[] =
    "usage: zs-push households --members MEMBERS [options] HOUSEHOLDS\n"
    "       zs-push income|employment|subsidy|hardship|followup [options] FILE\n"
    "       zs-push close --period YYYYQN | --through YYYYQN [--from YYYYQN]\n"
    "                     [--topic TOPIC[,TOPIC...]] [--by NAME] [--force] [options]\n"
    "\n"
    "Validates every row of a registry export (CSV or JSON Lines; FILE '-' is stdin)\n"
    "against the input contract and sends each good row, keyed by household_id, to\n"
    "its topic. A bad row never stops the file: it goes to the rejects file (file,\n"
    "line, column, reason, row) and to the dead-letter topic.\n"
    "\n"
    "'close' writes a quarter's close marker into every partition of every input\n"
    "topic (household, income, employment, subsidy, hardship, followup), after its\n"
    "data, and says per topic what it closed; the monitor judges a quarter once every\n"
    "input topic is closed for it.\n"
    "  --period YYYYQN     close that quarter\n"
    "  --through YYYYQN    close, in order, every quarter after the latest one closed\n"
    "                      on each topic, up to this one. Finding the latest close\n"
    "                      reads every message of each topic from its start (as\n"
    "                      zs-cat -e would): it takes as long as reading the topics,\n"
    "                      which hold 90 days of events; --period reads nothing\n"
    "  --from YYYYQN       with --through: where to start on a topic never closed\n"
    "  --topic T[,T...]    only these input topics (repeatable; default: all six)\n"
    "  --by NAME           who closes (default zs-push), kept in the marker and audit\n"
    "  --force             close a quarter that has not ended yet (+08:00)\n"
    "\n"
    "  -b HOST:PORT        bootstrap servers (same as -X bootstrap.servers=...)\n"
    "  --members FILE      the members export joined into each household\n"
    "  --format csv|jsonl  input format (default: from the file name; csv for stdin)\n"
    "  --rejects-dir DIR   where the rejects file goes, FILE.rejects.csv (FILE without\n"
    "                      its directory; stdin.rejects.csv for stdin); default: the\n"
    "                      current directory. Written only when a row is rejected\n"
    "  --rejects FILE      the rejects file itself, instead\n"
    "  --checkpoint FILE   record progress; run the same command again to resume\n"
    "  --ignore-unknown    skip unexpected columns instead of rejecting the file\n"
    "  --quiet             no progress line\n"
    "  -X KEY=VALUE        a zs.* property or any librdkafka property\n"
    "  -F FILE             read properties from a key=value file\n"
    "\n"
    "Exit status: 0 every row delivered; 3 every good row delivered, some rows\n"
    "rejected; 1 a delivery or Kafka failure (rerun to resume with --checkpoint);\n"
    "2 bad usage, an unreadable file, or a file that is not an export (empty, a bad\n"
    "header): fix the command or the file, a rerun alone will not help.\n";

#define FLUSH_MS 120000

/* What the command line asked for. */
typedef struct options {
    zs_input_kind_t kind;
    bool close, quiet, ignore_unknown;
    const char *input, *members, *format, *rejects, *rejects_dir, *checkpoint, *period, *through,
        *from, *by;
    bool force;
    char topics[512]; /* --topic values, joined by commas; "" for all */
} options_t;

/* One run: where output goes and what has happened. */
typedef struct push {
    const options_t *opt;
    zs_config_t *cfg;
    zs_schemas_t *schemas;
    zs_county_table_t *counties;
    zs_producer_t *producer;
    zs_encoder_t *enc, *dead_enc, *audit_enc;
    char topic[256], dead_topic[256], audit_topic[256];
    zs_audit_chain_t chain; /* this run's audit chain: zs-push/<host>/<pid>/<start> */
    const zs_schema_t *audit_schema;
    const zs_schema_t *schema;    /* of the messages the input becomes */
    rd_kafka_topic_t *handles[3]; /* the topics written, known from the start */
    push_rejects_t *rejects;
    char rejects_path[4096];
    zs_buf_t msg, masked;
    uint64_t item;           /* messages sent so far (rows and dead letters) */
    unsigned long resume_at; /* rows at or before this line were sent earlier */
    uint64_t read, sent, rejected, skipped;
    uint64_t members_read, members_rejected; /* of the members export */
    unsigned long last_line;                 /* of the input file, so far */
    int64_t checkpoint_ms;                   /* zs.push.checkpoint.interval */
    bool tty;                                /* progress goes to a terminal */
    bool refused; /* a file is not an export at all (empty, bad header): bad usage, exit 2 */
    struct timespec started, last_progress, last_checkpoint;
    long file_size;
    FILE *in;
} push_t;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A progress line on a terminal: rows, rows/s, how far, how long to go. */
static void progress(push_t *p, bool final)
{
    if (!p->tty)
        return;
    if (!final && seconds_since(&p->last_progress) < 0.25)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last_progress);
    double secs = seconds_since(&p->started);
    double rate = secs > 0 ? (double)p->read / secs : 0;
    fprintf(stderr, "\r%12" PRIu64 " rows %10.0f rows/s", p->read, rate);
    if (p->file_size > 0 && p->in != NULL) {
        double done = (double)ftell(p->in) / (double)p->file_size;
        double eta = done > 0 ? secs / done - secs : 0;
        fprintf(stderr, " %5.1f%%  ETA %d:%02d", done * 100, (int)eta / 60, (int)eta % 60);
    }
    fputs(final ? "\n" : "  ", stderr);
}

/* Saves how far delivery got, atomically (write, then rename). */
static zs_err_t checkpoint_save(push_t *p, bool force)
{
    if (p->opt->checkpoint == NULL)
        return ZS_OK;
    /* Looking at the clock every 64 items is often enough. */
    if (!force &&
        (p->item % 64 != 0 || seconds_since(&p->last_checkpoint) * 1000 < (double)p->checkpoint_ms))
        return ZS_OK;
    clock_gettime(CLOCK_MONOTONIC, &p->last_checkpoint);
    uint64_t line = 0;
    zs_producer_done_upto(p->producer, &line);
    if (line < p->resume_at)
        line = p->resume_at;
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", p->opt->checkpoint);
    FILE *fp = fopen(tmp, "w");
    if (fp == NULL)
        return ZS_ERR_IO;
    fprintf(fp, "zs-push checkpoint 1\nkind=%s\ninput=%s\nline=%" PRIu64 "\n",
            zs_input_name(p->opt->kind), p->opt->input, line);
    if (fclose(fp) != 0 || rename(tmp, p->opt->checkpoint) != 0)
        return ZS_ERR_IO;
    return ZS_OK;
}

/* Reads a checkpoint of the same command, if there is one. */
static zs_err_t checkpoint_load(push_t *p, char *errstr, size_t errstr_size)
{
    if (p->opt->checkpoint == NULL)
        return ZS_OK;
    FILE *fp = fopen(p->opt->checkpoint, "r");
    if (fp == NULL)
        return errno == ENOENT ? ZS_OK
                               : zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s",
                                         p->opt->checkpoint, strerror(errno));
    char line[4200], kind[64] = "", input[4096] = "";
    unsigned long at = 0;
    bool header = false, have_line = false;
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, "zs-push checkpoint 1") == 0)
            header = true;
        else if (strncmp(line, "kind=", 5) == 0)
            snprintf(kind, sizeof(kind), "%.60s", line + 5);
        else if (strncmp(line, "input=", 6) == 0)
            snprintf(input, sizeof(input), "%.4000s", line + 6);
        else if (strncmp(line, "line=", 5) == 0) {
            char *end = NULL;
            at = strtoul(line + 5, &end, 10);
            have_line = end != line + 5 && *end == '\0';
        }
    }
    fclose(fp);
    if (!header || !have_line)
        return zs_fail(errstr, errstr_size, ZS_ERR_PARSE, "%s: not a zs-push checkpoint",
                       p->opt->checkpoint);
    if (strcmp(kind, zs_input_name(p->opt->kind)) != 0 || strcmp(input, p->opt->input) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "%s is the checkpoint of 'zs-push %s %s', not of this command",
                       p->opt->checkpoint, kind, input);
    p->resume_at = at;
    zs_log(ZS_LOG_INFO, "resuming %s after line %lu (checkpoint %s)", p->opt->input, at,
           p->opt->checkpoint);
    return ZS_OK;
}

/* Sends one message; every row sends exactly one (its data or its dead
 * letter), so delivery in order maps back to lines. */
static zs_err_t send_row(push_t *p, const char *topic, const char *key, const zs_buf_t *msg,
                         unsigned long line, char *errstr, size_t errstr_size)
{
    zs_err_t err =
        zs_producer_send(p->producer, topic, RD_KAFKA_PARTITION_UA, key, key ? strlen(key) : 0,
                         msg->data, msg->len, ++p->item, line, errstr, errstr_size);
    if (err == ZS_OK)
        err = checkpoint_save(p, false);
    return err;
}

/* Sets a field of a record by name (a union field takes its non-null branch
 * unless value is NULL). */
static int set_str(avro_value_t *rec, const char *name, const char *value, size_t len)
{
    avro_value_t f, b;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_UNION) {
        if (value == NULL)
            return avro_value_set_branch(&f, 0, &b) || avro_value_set_null(&b);
        if (avro_value_set_branch(&f, 1, &b) != 0)
            return -1;
        f = b;
    }
    if (avro_value_get_type(&f) == AVRO_BYTES)
        return avro_value_set_bytes(&f, (void *)(value ? value : ""), len);
    return avro_value_set_string_len(&f, value ? value : "", len + 1);
}

static int set_long(avro_value_t *rec, const char *name, int64_t n, bool is_int)
{
    avro_value_t f, b;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_UNION) {
        if (avro_value_set_branch(&f, 1, &b) != 0)
            return -1;
        f = b;
    }
    return is_int ? avro_value_set_int(&f, (int32_t)n) : avro_value_set_long(&f, n);
}

/* Sends one audit record of this run's chain: kind, the row's place (line 0:
 * none), its household, a digest, and what happened. */
static zs_err_t audit(push_t *p, const char *kind, const char *file, unsigned long line,
                      const char *household, const unsigned char *digest, const char *detail,
                      uint64_t tag, char *errstr, size_t errstr_size)
{
    avro_value_t *v = zs_encoder_value(p->audit_enc), f, b, src;
    int sym = avro_schema_enum_get_by_name(
        avro_schema_record_field_get(zs_schema_avro(p->audit_schema), "kind"), kind);
    int rc = sym < 0 || avro_value_get_by_name(v, "kind", &f, NULL) ||
             avro_value_set_enum(&f, sym) || set_str(v, "actor", "zs-push", 7) ||
             set_long(v, "at", now_ms(), false) || set_str(v, "detail", detail, strlen(detail));
    if (rc == 0 && household != NULL)
        rc = set_str(v, "household_id", household, strlen(household));
    if (rc == 0 && digest != NULL)
        rc = avro_value_get_by_name(v, "digest", &f, NULL) || avro_value_set_branch(&f, 1, &b) ||
             avro_value_set_fixed(&b, (void *)digest, ZS_SHA256_SIZE);
    if (rc == 0 && file != NULL) {
        rc = avro_value_get_by_name(v, "source", &f, NULL) || avro_value_set_branch(&f, 1, &src) ||
             zs_codec_null_optionals(&src) != ZS_OK || set_str(&src, "file", file, strlen(file)) ||
             (line > 0 ? set_long(&src, "line", (int64_t)line, false)
                       : set_str(&src, "line", NULL, 0));
    }
    if (rc != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
    zs_err_t err = zs_audit_chain_append(&p->chain, p->audit_enc, v, &p->msg, errstr, errstr_size);
    return err != ZS_OK
               ? err
               : send_row(p, p->audit_topic, p->chain.name, &p->msg, tag, errstr, errstr_size);
}

/* A rejected row of kind, read by rows (NULL: not from a reader): to the
 * rejects file and, as a DeadLetter, to Kafka. The row text is kept, its ID
 * number columns masked whatever they hold and anything shaped like an ID
 * number masked wherever it is; so is the reason. */
static zs_err_t reject(push_t *p, zs_input_kind_t kind, const zs_rows_t *rows, const char *file,
                       const zs_row_t *row, const char *column, const char *reason, const char *key,
                       uint64_t tag, char *errstr, size_t errstr_size)
{
    zs_buf_reset(&p->masked);
    if (zs_buf_add(&p->masked, row->raw, row->raw_len) != ZS_OK)
        return ZS_ERR_NOMEM;
    size_t masked = zs_input_mask_raw(kind, rows, row, p->masked.data, p->masked.len);
    char reason_masked[600];
    snprintf(reason_masked, sizeof(reason_masked), "%s", reason);
    zs_log_mask_idnumbers(reason_masked, strlen(reason_masked));
    reason = reason_masked;
    /* The rejects file exists once a row is rejected, not before. */
    zs_err_t err = p->rejects != NULL ? ZS_OK
                                      : push_rejects_open(p->rejects_path, p->resume_at > 0,
                                                          &p->rejects, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    err = push_rejects_add(p->rejects, file, row->line, column, reason, p->masked.data,
                           p->masked.len, errstr, errstr_size);
    if (err != ZS_OK)
        return err;

    /* The dead letter carries the row's first bytes when the row is too
     * long to travel whole; the reason says so, with the whole row's digest,
     * and the rejects file keeps the row. */
    zs_dead_cap_t cap;
    zs_dead_payload_cap(p->masked.data, p->masked.len, ZS_DEAD_PAYLOAD_MAX, &cap);
    char read_only[96] = "";
    char why[600 + sizeof(read_only) + sizeof(cap.note)];
    if (row->raw_truncated)
        snprintf(read_only, sizeof(read_only), " (only the row's first %zu bytes were read)",
                 row->raw_len);
    snprintf(why, sizeof(why), "%.600s%s%s", reason, read_only, cap.note);
    avro_value_t *v = zs_encoder_value(p->dead_enc), f;
    int rc = set_str(v, "reason", why, strlen(why)) || set_str(v, "error", "ZS_ERR_INVALID", 14) ||
             set_str(v, "producer", "zs-push", 7) || set_long(v, "at", now_ms(), false) ||
             set_str(v, "source_topic", NULL, 0) || set_str(v, "source_partition", NULL, 0) ||
             set_str(v, "source_offset", NULL, 0) ||
             set_str(v, "source_file", file, strlen(file)) ||
             set_long(v, "source_line", (int64_t)row->line, false) ||
             set_str(v, "source_column", column[0] ? column : NULL, strlen(column)) ||
             set_str(v, "key", key, key ? strlen(key) : 0) ||
             set_str(v, "payload", p->masked.data, cap.len) ||
             avro_value_get_by_name(v, "redacted", &f, NULL) ||
             avro_value_set_boolean(&f, masked > 0 || cap.cut);
    if (rc != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "dead letter: %s", avro_strerror());
    /* The row is done when both its audit record and its dead letter are
     * delivered: the first of them carries the line before it. */
    char detail[700];
    snprintf(detail, sizeof(detail), "%s%s%s", column, column[0] ? ": " : "", reason);
    err = audit(p, "ROW_REJECTED", file, row->line, key, cap.cut ? cap.sha256 : NULL, detail,
                tag ? tag - 1 : 0, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_encoder_encode(p->dead_enc, &p->msg, errstr, errstr_size);
    return err != ZS_OK ? err : send_row(p, p->dead_topic, key, &p->msg, tag, errstr, errstr_size);
}

/* The SHA-256 of a file's bytes, so an inspector can tell which export was
 * pushed; false for stdin, an unreadable file, or once *cancel is set (may
 * be NULL). */
static bool file_digest(const char *path, const atomic_bool *cancel,
                        unsigned char out[ZS_SHA256_SIZE])
{
    if (strcmp(path, "-") == 0)
        return false;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    char *chunk = malloc(1 << 16);
    size_t n;
    ok = ok && chunk != NULL;
    while (ok && (cancel == NULL || !atomic_load(cancel)) && (n = fread(chunk, 1, 1 << 16, fp)) > 0)
        ok = EVP_DigestUpdate(ctx, chunk, n) == 1;
    free(chunk);
    ok = ok && (cancel == NULL || !atomic_load(cancel));
    unsigned int len = ZS_SHA256_SIZE;
    ok = ok && !ferror(fp) && EVP_DigestFinal_ex(ctx, out, &len) == 1;
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    return ok;
}

/* The input's digest, computed beside the push: a thread of its own reads
 * the file a second time (from the page cache, mostly) while the rows are
 * pushed, so the run's summary does not wait for a second pass over the
 * file at its end. Only a regular file: a second reader of a pipe would
 * take bytes meant for the rows. */
typedef struct digest_job {
    const char *path;
    pthread_t thread;
    bool started;
    atomic_bool cancel; /* set by the main thread: stop reading, the digest is not wanted */
    bool ok;            /* written by the thread, read after joining it */
    unsigned char out[ZS_SHA256_SIZE];
} digest_job_t;

/* @locality: the digest thread. */
static void *digest_run(void *arg)
{
    digest_job_t *job = arg;
    job->ok = file_digest(job->path, &job->cancel, job->out);
    return NULL;
}

/* Starts the thread for path if it is a regular file. */
static void digest_start(digest_job_t *job, const char *path)
{
    struct stat st;
    job->path = path;
    atomic_init(&job->cancel, false);
    job->started = strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
                   pthread_create(&job->thread, NULL, digest_run, job) == 0;
}

/* The digest of the input into out: the thread's, or computed now without
 * one; false as file_digest. */
static bool digest_finish(digest_job_t *job, unsigned char out[ZS_SHA256_SIZE])
{
    if (!job->started)
        return file_digest(job->path, NULL, out);
    pthread_join(job->thread, NULL);
    job->started = false;
    if (job->ok)
        memcpy(out, job->out, ZS_SHA256_SIZE);
    return job->ok;
}

/* Stops the thread, if any, when the digest is not wanted. */
static void digest_cancel(digest_job_t *job)
{
    if (!job->started)
        return;
    atomic_store(&job->cancel, true);
    pthread_join(job->thread, NULL);
    job->started = false;
}

/* Opens a reader over path with the columns of kind. */
static zs_err_t open_rows(push_t *p, zs_input_kind_t kind, const char *path, FILE **fp,
                          zs_rows_t **rows, char *errstr, size_t errstr_size)
{
    *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (*fp == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
    zs_rows_opts_t ro = {.ignore_unknown = p->opt->ignore_unknown};
    ro.cols = zs_input_cols(kind, &ro.ncols);
    const char *format = p->opt->format;
    if (format == NULL) {
        const char *dot = strrchr(path, '.');
        format = dot && (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".json") == 0) ? "jsonl" : "csv";
    }
    char detail[512];
    zs_err_t err = strcmp(format, "jsonl") == 0
                       ? zs_rows_open_jsonl(*fp, &ro, rows, detail, sizeof(detail))
                       : zs_rows_open_csv(*fp, &ro, rows, detail, sizeof(detail));
    if (err != ZS_OK) {
        /* Rerunning will not help: the file must be fixed or another given. */
        p->refused = true;
        if (*fp != stdin)
            fclose(*fp);
        *fp = NULL;
        return zs_fail(errstr, errstr_size, err, "%s: %s", path, detail);
    }
    return ZS_OK;
}

static void close_rows(FILE *fp, zs_rows_t *rows)
{
    zs_rows_close(rows);
    if (fp != NULL && fp != stdin)
        fclose(fp);
}

/* The column name of a bad row's position. */
static const char *column_name(zs_input_kind_t kind, size_t col)
{
    size_t n;
    const zs_col_t *cols = zs_input_cols(kind, &n);
    return col < n ? cols[col].name : "";
}

/* Reads the members export into the index; bad rows are rejected. */
static zs_err_t read_members(push_t *p, push_members_t *index, char *errstr, size_t errstr_size)
{
    FILE *fp = NULL;
    zs_rows_t *rows = NULL;
    zs_err_t err = open_rows(p, ZS_INPUT_MEMBERS, p->opt->members, &fp, &rows, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    const zs_schema_t *hh = zs_schemas_latest(p->schemas, "Household");
    avro_value_t holder, array, member;
    if (avro_generic_value_new(zs_schema_class(hh), &holder) != 0) {
        close_rows(fp, rows);
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "%s", avro_strerror());
    }
    avro_value_get_by_name(&holder, "members", &array, NULL);
    char detail[512];
    for (;;) {
        zs_row_t row;
        err = zs_rows_next(rows, &row, detail, sizeof(detail));
        if (err == ZS_ERR_EOF) {
            err = ZS_OK;
            break;
        }
        size_t bad = (size_t)-1;
        p->members_read++;
        if (err == ZS_OK) {
            avro_value_reset(&array);
            avro_value_append(&array, &member, NULL);
            err = zs_input_convert(ZS_INPUT_MEMBERS, &row, p->counties, &member, &bad, detail,
                                   sizeof(detail));
            if (err == ZS_OK)
                err = push_members_add(index, row.fields[0].data, &member, row.fields[1].data,
                                       row.line, detail, sizeof(detail));
            if (err == ZS_ERR_INVALID && bad == (size_t)-1)
                bad = 1;
        }
        if (err == ZS_OK)
            continue;
        if (!zs_rows_is_row_error(err) && err != ZS_ERR_INVALID) {
            err = zs_fail(errstr, errstr_size, err, "%s: %s", p->opt->members, detail);
            break;
        }
        /* Members are checked again on every run, a resumed one too: their
         * rejects come before the households file, so they carry line 0. */
        p->members_rejected++;
        const char *why = row.reason && row.reason[0] ? row.reason : detail;
        err = reject(p, ZS_INPUT_MEMBERS, rows, p->opt->members, &row,
                     bad != (size_t)-1 ? column_name(ZS_INPUT_MEMBERS, bad) : "", why, NULL, 0,
                     errstr, errstr_size);
        if (err != ZS_OK)
            break;
    }
    avro_value_decref(&holder);
    close_rows(fp, rows);
    zs_log(ZS_LOG_INFO, "%s: %zu members held (%zu MiB)", p->opt->members,
           push_members_count(index), push_members_bytes(index) >> 20);
    return err;
}

/* Members rejected after the fact, from the index, which keeps no row
 * text: their ids stand for their row. */
typedef struct member_rejects {
    push_t *p;
    const char *hh;     /* the household, for on_dropped */
    const char *reason; /* for on_dropped */
    uint64_t tag;       /* the line their messages are delivered with */
    zs_err_t err;
    char *errstr;
    size_t errstr_size;
} member_rejects_t;

static void member_reject(member_rejects_t *m, const char *hh, const char *raw, unsigned long line,
                          const char *reason)
{
    if (m->err != ZS_OK)
        return;
    zs_row_t row = {.line = line, .raw = raw, .raw_len = strlen(raw)};
    m->p->members_rejected++;
    m->err = reject(m->p, ZS_INPUT_MEMBERS, NULL, m->p->opt->members, &row, "household_id", reason,
                    hh, m->tag, m->errstr, m->errstr_size);
}

/* Members whose household has no row: rejected with the line of the first,
 * so nothing read is dropped without a trace. */
static void on_orphan(void *ctx, const char *hh, unsigned long line)
{
    member_rejects_t *m = ctx;
    char reason[128];
    snprintf(reason, sizeof(reason), "household_id: %s has members but no row in %s", hh,
             m->p->opt->input);
    member_reject(m, hh, hh, line, reason);
}

/* A member of a rejected household: a reject of its own, naming the
 * household's reason, so that every row read has one. */
static void on_dropped(void *ctx, const char *person_id, unsigned long line)
{
    member_rejects_t *m = ctx;
    char ids[128];
    snprintf(ids, sizeof(ids), "%s,%s", m->hh, person_id);
    member_reject(m, m->hh, ids, line, m->reason);
}

/* Rejects the members of household hh, whose row (at row->line, rejected
 * at column col for why) will not be sent. */
static zs_err_t reject_members(push_t *p, push_members_t *index, const char *hh,
                               const zs_row_t *row, const char *col, const char *why, char *errstr,
                               size_t errstr_size)
{
    char reason[800];
    snprintf(reason, sizeof(reason), "household_id: household %s was rejected (%s line %lu%s%s)",
             hh, p->opt->input, row->line, col[0] ? ", " : ": ", why);
    member_rejects_t m = {.p = p,
                          .hh = hh,
                          .reason = reason,
                          .tag = row->line,
                          .errstr = errstr,
                          .errstr_size = errstr_size};
    push_members_drop(index, hh, on_dropped, &m);
    return m.err;
}

/* Pushes one export file; households take their members from index. */
static zs_err_t push_file(push_t *p, push_members_t *index, char *errstr, size_t errstr_size)
{
    zs_input_kind_t kind = p->opt->kind;
    zs_rows_t *rows = NULL;
    zs_err_t err = open_rows(p, kind, p->opt->input, &p->in, &rows, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    struct stat st;
    p->file_size = p->in != stdin && fstat(fileno(p->in), &st) == 0 ? (long)st.st_size : 0;
    char detail[512];
    size_t key_col = zs_input_key_col(kind);
    while (!stop) {
        zs_row_t row;
        err = zs_rows_next(rows, &row, detail, sizeof(detail));
        if (err == ZS_ERR_EOF) {
            err = ZS_OK;
            break;
        }
        p->read++;
        p->last_line = row.line;
        progress(p, false);
        if (row.line <= p->resume_at) {
            /* Sent before the checkpoint, members with it (regression
             * test zs_push_checkpoint_members: they were reported as
             * members of no household). */
            if (index != NULL && err == ZS_OK && row.ncols > key_col)
                push_members_drop(index, row.fields[key_col].data, NULL, NULL);
            p->skipped++;
            continue;
        }
        size_t bad = (size_t)-1;
        const char *key = NULL;
        /* No message carries an ID number typed into free text. */
        if (err == ZS_OK)
            zs_input_mask_text(kind, &row);
        if (err == ZS_OK && kind != ZS_INPUT_HOUSEHOLDS) {
            /* Flat events go straight from the row to Avro bytes. */
            key = row.fields[key_col].data;
            err = zs_input_encode(kind, &row, p->counties, p->schema, &p->msg, &bad, detail,
                                  sizeof(detail));
        } else if (err == ZS_OK) {
            avro_value_t *v = zs_encoder_value(p->enc);
            key = row.fields[key_col].data;
            err = zs_input_convert(kind, &row, p->counties, v, &bad, detail, sizeof(detail));
            /* 1 to ZS_CONTRACT_MEMBERS_MAX members, each person once. */
            if (err == ZS_OK) {
                err =
                    push_members_check(index, key, ZS_CONTRACT_MEMBERS_MAX, detail, sizeof(detail));
                bad = 0;
            }
            if (err == ZS_OK) {
                avro_value_t array;
                size_t count;
                avro_value_get_by_name(v, "members", &array, NULL);
                err = push_members_take(index, key, &array, &count, errstr, errstr_size);
                if (err != ZS_OK)
                    break;
            }
            if (err == ZS_OK)
                err = zs_encoder_encode(p->enc, &p->msg, errstr, errstr_size);
        }
        if (err == ZS_OK) {
            err = send_row(p, p->topic, key, &p->msg, row.line, errstr, errstr_size);
            if (err != ZS_OK)
                break;
            p->sent++;
            continue;
        }
        if (!zs_rows_is_row_error(err) && err != ZS_ERR_INVALID) {
            err = zs_fail(errstr, errstr_size, err, "%s: %s", p->opt->input, detail);
            break;
        }
        const char *why = row.reason && row.reason[0] ? row.reason : detail;
        const char *col = bad != (size_t)-1 ? column_name(kind, bad) : "";
        bool key_ok = key != NULL && zs_input_is_id(key, strlen(key));
        p->rejected++;
        err = reject(p, kind, rows, p->opt->input, &row, col, why, key_ok ? key : NULL, row.line,
                     errstr, errstr_size);
        if (err == ZS_OK && index != NULL && key_ok)
            err = reject_members(p, index, key, &row, col, why, errstr, errstr_size);
        if (err != ZS_OK)
            break;
    }
    progress(p, true);
    close_rows(p->in, rows);
    p->in = NULL;
    if (err == ZS_OK && stop)
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "interrupted");
    return err;
}

/* The partition count of topic, from the producer's metadata. */
static zs_err_t topic_partitions(push_t *p, const char *topic, int32_t *n, char *errstr,
                                 size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_t *rk = zs_producer_handle(p->producer);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t kerr = rd_kafka_metadata(rk, 0, rkt, &md, 30000);
    rd_kafka_topic_destroy(rkt);
    zs_err_t err = ZS_OK;
    if (kerr || md->topic_cnt != 1 || md->topics[0].err)
        err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "topic %s: %s", topic,
                      rd_kafka_err2str(kerr ? kerr : md->topics[0].err));
    else
        *n = md->topics[0].partition_cnt;
    if (md != NULL)
        rd_kafka_metadata_destroy(md);
    return err;
}

/* Writes the close marker of quarter q to every partition of topic (its
 * partitions: 0 to n - 1), after its data, and audits it. */
static zs_err_t close_one(push_t *p, zs_encoder_t *enc, const char *topic, int32_t n,
                          zs_quarter_t q, char *errstr, size_t errstr_size)
{
    char period[ZS_PERIOD_STR_SIZE], key[32];
    zs_quarter_format(q, period, sizeof(period));
    snprintf(key, sizeof(key), PUSH_CLOSE_KEY_PREFIX "%s", period);
    zs_err_t err = ZS_OK;
    for (int32_t part = 0; err == ZS_OK && part < n; part++) {
        avro_value_t *v = zs_encoder_value(enc);
        if (set_str(v, "topic", topic, strlen(topic)) || set_long(v, "partition", part, true) ||
            set_long(v, "year", zs_quarter_year(q), true) ||
            set_long(v, "quarter", zs_quarter_quarter(q), true) ||
            set_long(v, "closed_at", now_ms(), false) ||
            set_str(v, "closed_by", p->opt->by, strlen(p->opt->by)))
            err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "%s", avro_strerror());
        if (err == ZS_OK)
            err = zs_encoder_encode(enc, &p->msg, errstr, errstr_size);
        if (err == ZS_OK)
            err = zs_producer_send(p->producer, topic, part, key, strlen(key), p->msg.data,
                                   p->msg.len, ++p->item, (uint64_t)part, errstr, errstr_size);
        if (err == ZS_OK)
            p->sent++;
    }
    if (err == ZS_OK) {
        char detail[512];
        snprintf(detail, sizeof(detail), "%s closed for %s in %" PRId32 " partitions by %s", topic,
                 period, n, p->opt->by);
        err = audit(p, "PERIOD_CLOSED", NULL, 0, NULL, NULL, detail, (uint64_t)n, errstr,
                    errstr_size);
    }
    return err;
}

/* One topic of a close: its name, partitions and the quarters to close. */
typedef struct close_topic {
    char name[256];
    int32_t partitions;
    zs_quarter_t from, to; /* nothing to close when from > to */
} close_topic_t;

/* 'zs-push close': --period Q closes Q on the chosen topics; --through Q
 * closes, on each, every quarter after its latest close up to Q (from
 * --from on a topic never closed), quarter by quarter across the topics, so
 * the monitor sees them close in order. A quarter not over yet (by the
 * registries' clock, +08:00) is refused unless --force. Says on stdout what
 * it closed, per topic. */
static zs_err_t push_close(push_t *p, char *errstr, size_t errstr_size)
{
    const options_t *o = p->opt;
    const char *prefix = NULL;
    bool chosen[PUSH_CLOSE_TOPICS];
    zs_quarter_t target = 0, from = 0;
    char detail[256];
    const char *arg = o->period ? o->period : o->through;
    zs_err_t err = zs_config_get_str(p->cfg, "zs.topic.prefix", &prefix, errstr, errstr_size);
    if (err == ZS_OK)
        err =
            push_close_topics(o->topics[0] ? o->topics : NULL, prefix, chosen, errstr, errstr_size);
    if (err == ZS_OK && zs_quarter_parse(arg, strlen(arg), &target, detail, sizeof(detail)))
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--%s %s: %s",
                      o->period ? "period" : "through", arg, detail);
    if (err == ZS_OK && o->from != NULL &&
        zs_quarter_parse(o->from, strlen(o->from), &from, detail, sizeof(detail)))
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--from %s: %s", o->from, detail);
    if (err == ZS_OK && !o->force && !push_close_quarter_ended(target, now_ms()))
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                      "%s has not ended yet (China Standard Time): closing it now would let the "
                      "monitor judge a quarter whose data is still coming; --force if you mean it",
                      arg);
    if (err != ZS_OK)
        return err;
    close_topic_t topics[PUSH_CLOSE_TOPICS];
    int n = 0;
    for (int i = 0; err == ZS_OK && i < PUSH_CLOSE_TOPICS; i++) {
        if (!chosen[i])
            continue;
        close_topic_t *t = &topics[n++];
        zs_topic_name(prefix, push_close_all[i], t->name, sizeof(t->name));
        t->from = t->to = target;
        err = topic_partitions(p, t->name, &t->partitions, errstr, errstr_size);
        if (err != ZS_OK || o->period != NULL)
            continue;
        zs_quarter_t latest = 0;
        bool found = false;
        err =
            push_close_latest(p->cfg, t->name, t->partitions, &latest, &found, errstr, errstr_size);
        if (err == ZS_OK && found)
            t->from = latest + 1;
        else if (err == ZS_OK && o->from != NULL)
            t->from = from;
        else if (err == ZS_OK)
            err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                          "%s has no close marker on every partition yet: give --from with the "
                          "first quarter to close",
                          t->name);
    }
    zs_encoder_t *enc = NULL;
    if (err == ZS_OK)
        err =
            zs_encoder_new(zs_schemas_latest(p->schemas, "PeriodClose"), &enc, errstr, errstr_size);
    zs_quarter_t first = target;
    for (int i = 0; i < n; i++)
        if (topics[i].from < first)
            first = topics[i].from;
    for (zs_quarter_t q = first; err == ZS_OK && q <= target && !stop; q++)
        for (int i = 0; err == ZS_OK && i < n; i++)
            if (q >= topics[i].from)
                err =
                    close_one(p, enc, topics[i].name, topics[i].partitions, q, errstr, errstr_size);
    zs_encoder_free(enc);
    if (err == ZS_OK && stop)
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "interrupted");
    /* What was done, per topic (written once the markers are sent; main
     * flushes them and fails the run if they are not delivered). */
    for (int i = 0; err == ZS_OK && i < n; i++) {
        char a[ZS_PERIOD_STR_SIZE], b[ZS_PERIOD_STR_SIZE];
        zs_quarter_format(topics[i].from, a, sizeof(a));
        zs_quarter_format(target, b, sizeof(b));
        if (topics[i].from > target)
            printf("%s: already closed through %s, nothing to close\n", topics[i].name, b);
        else if (topics[i].from == target)
            printf("%s: closed %s in %" PRId32 " partitions\n", topics[i].name, b,
                   topics[i].partitions);
        else
            printf("%s: closed %s to %s in %" PRId32 " partitions\n", topics[i].name, a, b,
                   topics[i].partitions);
    }
    return err;
}

static const zs_config_def_t defs[] = {
    {.name = "zs.push.checkpoint.interval",
     .type = ZS_CONFIG_MS,
     .dflt = "1s",
     .min = "1ms",
     .max = "1h",
     .doc = "How often --checkpoint records progress."},
    ZS_CONFIG_DEFS_END,
};

/* Parses the command line into opt and cfg; returns 0, or an exit status. */
static int parse_args(int argc, char **argv, options_t *opt, zs_config_t *cfg)
{
    static const struct option longopts[] = {{"members", required_argument, NULL, 'm'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"rejects", required_argument, NULL, 'r'},
                                             {"checkpoint", required_argument, NULL, 'c'},
                                             {"rejects-dir", required_argument, NULL, 'D'},
                                             {"topic", required_argument, NULL, 't'},
                                             {"period", required_argument, NULL, 'P'},
                                             {"through", required_argument, NULL, 'T'},
                                             {"from", required_argument, NULL, 'R'},
                                             {"force", no_argument, NULL, 'o'},
                                             {"by", required_argument, NULL, 'B'},
                                             {"ignore-unknown", no_argument, NULL, 'i'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    char errstr[512];
    int c;
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "qh", longopts, NULL)) != -1) {
        int common = zs_config_take_option(cfg, c, optarg);
        if (common < 0)
            return 2;
        if (common > 0)
            continue;
        zs_err_t err = ZS_OK;
        switch (c) {
        case 'm':
            opt->members = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "jsonl") != 0) {
                zs_log(ZS_LOG_ERROR, "--format %s: give csv or jsonl", optarg);
                return 2;
            }
            opt->format = optarg;
            break;
        case 'r':
            opt->rejects = optarg;
            break;
        case 'D':
            opt->rejects_dir = optarg;
            break;
        case 'c':
            opt->checkpoint = optarg;
            break;
        case 't': {
            size_t used = strlen(opt->topics);
            if (used + strlen(optarg) + 2 > sizeof(opt->topics)) {
                zs_log(ZS_LOG_ERROR, "--topic: too many topics");
                return 2;
            }
            snprintf(opt->topics + used, sizeof(opt->topics) - used, "%s%s", used ? "," : "",
                     optarg);
            break;
        }
        case 'P':
            opt->period = optarg;
            break;
        case 'T':
            opt->through = optarg;
            break;
        case 'R':
            opt->from = optarg;
            break;
        case 'o':
            opt->force = true;
            break;
        case 'B':
            opt->by = optarg;
            break;
        case 'i':
            opt->ignore_unknown = true;
            break;
        case 'q':
            opt->quiet = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            fputs(usage, stderr);
            return 2;
        }
        if (err != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            return 2;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    const char *what = argv[optind++];
    if (strcmp(what, "close") == 0) {
        opt->close = true;
        if ((opt->period == NULL) == (opt->through == NULL) || optind != argc ||
            (opt->from != NULL && opt->through == NULL)) {
            zs_log(ZS_LOG_ERROR, "close needs --period or --through (--from only with --through), "
                                 "and no file");
            return 2;
        }
        return 0;
    }
    if (zs_input_kind_parse(what, &opt->kind) != ZS_OK || opt->kind == ZS_INPUT_MEMBERS) {
        zs_log(ZS_LOG_ERROR,
               "%s: not households, income, employment, subsidy, hardship, "
               "followup or close",
               what);
        return 2;
    }
    if (optind != argc - 1) {
        zs_log(ZS_LOG_ERROR, "give exactly one input file ('-' for stdin)");
        return 2;
    }
    opt->input = argv[optind];
    if ((opt->kind == ZS_INPUT_HOUSEHOLDS) != (opt->members != NULL)) {
        zs_log(ZS_LOG_ERROR, "--members goes with households, and only there");
        return 2;
    }
    return 0;
}

/* Loads schemas and counties, makes the producer and encoders. */
static zs_err_t setup(push_t *p, char *errstr, size_t errstr_size)
{
    const char *schema_dir, *data_dir, *prefix, *region;
    zs_err_t err = zs_config_get_str(p->cfg, "zs.schema.dir", &schema_dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(p->cfg, "zs.data.dir", &data_dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(p->cfg, "zs.topic.prefix", &prefix, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(p->cfg, "zs.region", &region, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_ms(p->cfg, "zs.push.checkpoint.interval", &p->checkpoint_ms, errstr,
                               errstr_size);
    if (err == ZS_OK)
        err = zs_schemas_load(schema_dir, &p->schemas, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s-counties.csv", data_dir, region);
    err = zs_county_load(path, &p->counties, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    /* close names its topics itself (push_close). */
    zs_topic_name(prefix, p->opt->close ? "household" : zs_input_topic(p->opt->kind), p->topic,
                  sizeof(p->topic));
    zs_topic_name(prefix, "deadletter", p->dead_topic, sizeof(p->dead_topic));
    err = zs_producer_new(p->cfg, &p->producer, errstr, errstr_size);
    if (!p->opt->close)
        p->schema = zs_schemas_latest(p->schemas, zs_input_message(p->opt->kind));
    if (err == ZS_OK && !p->opt->close)
        err = zs_encoder_new(p->schema, &p->enc, errstr, errstr_size);
    if (err == ZS_OK && !p->opt->close)
        err = zs_encoder_new(zs_schemas_latest(p->schemas, "DeadLetter"), &p->dead_enc, errstr,
                             errstr_size);
    p->audit_schema = zs_schemas_latest(p->schemas, "AuditRecord");
    if (err == ZS_OK)
        err = zs_encoder_new(p->audit_schema, &p->audit_enc, errstr, errstr_size);
    /* Each run writes a chain of its own; its name is its key. */
    char host[64] = "localhost", name[128];
    gethostname(host, sizeof(host) - 1);
    snprintf(name, sizeof(name), "zs-push/%.60s/%ld/%lld", host, (long)getpid(),
             (long long)now_ms());
    zs_audit_chain_init(&p->chain, name);
    zs_topic_name(prefix, "audit", p->audit_topic, sizeof(p->audit_topic));
    /* Handles made now let librdkafka fetch every topic's metadata at once;
     * a topic first named at the end of a run costs a metadata round. */
    if (err == ZS_OK) {
        const char *names[3] = {p->topic, p->dead_topic, p->audit_topic};
        for (int i = 0; i < 3; i++)
            p->handles[i] = rd_kafka_topic_new(zs_producer_handle(p->producer), names[i], NULL);
    }
    return err;
}

/* Where the rejects file will go (it is made at the first rejected row;
 * a resumed run appends to it): --rejects, or --rejects-dir (default ".")
 * and the input's name without its directory, so that no input name ("../x",
 * "/etc/x") can put it anywhere else. */
static zs_err_t rejects_path_init(push_t *p, char *errstr, size_t errstr_size)
{
    if (p->opt->rejects != NULL) {
        if (snprintf(p->rejects_path, sizeof(p->rejects_path), "%s", p->opt->rejects) >=
            (int)sizeof(p->rejects_path))
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--rejects: path too long");
        return ZS_OK;
    }
    const char *dir = p->opt->rejects_dir != NULL ? p->opt->rejects_dir : ".";
    struct stat st;
    if (stat(dir, &st) != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--rejects-dir %s: %s", dir,
                       strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--rejects-dir %s: not a directory",
                       dir);
    const char *input = p->opt->input;
    const char *slash = strrchr(input, '/');
    const char *base = strcmp(input, "-") == 0 ? "stdin" : slash != NULL ? slash + 1 : input;
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "%s: not a file name to name its rejects file by (give --rejects)", input);
    if (snprintf(p->rejects_path, sizeof(p->rejects_path), "%s/%s.rejects.csv", dir, base) >=
        (int)sizeof(p->rejects_path))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--rejects-dir: path too long");
    return ZS_OK;
}

int main(int argc, char **argv)
{
    options_t opt = {.by = "zs-push"};
    push_t p = {.opt = &opt};
    push_members_t *index = NULL;
    digest_job_t digest_job = {.started = false};
    char errstr[1024];
    int rc = 2;
    zs_log_init("zs-push", ZS_LOG_INFO, ZS_LOG_TEXT);
    if (zs_config_describe_if_asked(argc, argv, defs, stdout))
        return 0;
    zs_buf_init(&p.msg, (size_t)16 << 20);
    zs_buf_init(&p.masked, (size_t)16 << 20);
    clock_gettime(CLOCK_MONOTONIC, &p.started);
    if (zs_config_new(&p.cfg, defs, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 2;
    }
    int parsed = parse_args(argc, argv, &opt, p.cfg);
    p.tty = !opt.quiet && isatty(2);
    if (parsed != 0) {
        rc = parsed < 0 ? 0 : parsed;
        goto done;
    }
    if (zs_config_apply_logging(p.cfg, "zs-push", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    zs_err_t err = setup(&p, errstr, sizeof(errstr));
    if (err == ZS_OK && opt.close) {
        err = push_close(&p, errstr, sizeof(errstr));
        /* What was sent before a failure is delivered all the same. */
        char flush_err[1024];
        zs_err_t ferr = zs_producer_flush(p.producer, FLUSH_MS, flush_err, sizeof(flush_err));
        if (err == ZS_OK && ferr != ZS_OK) {
            err = ferr;
            snprintf(errstr, sizeof(errstr), "%s", flush_err);
        }
        rc = err == ZS_OK ? 0 : err == ZS_ERR_INVALID ? 2 : 1;
        if (err != ZS_OK)
            zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (err == ZS_OK)
        err = checkpoint_load(&p, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = rejects_path_init(&p, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        rc = err == ZS_ERR_KAFKA ? 1 : 2;
        goto done;
    }
    digest_start(&digest_job, opt.input);
    if (opt.kind == ZS_INPUT_HOUSEHOLDS) {
        err = push_members_new(&index);
        if (err == ZS_OK)
            err = read_members(&p, index, errstr, sizeof(errstr));
    }
    if (err == ZS_OK)
        err = push_file(&p, index, errstr, sizeof(errstr));
    if (err == ZS_OK && index != NULL) {
        /* Sent after the whole households file: they carry its last line. */
        member_rejects_t m = {
            .p = &p, .tag = p.last_line, .errstr = errstr, .errstr_size = sizeof(errstr)};
        push_members_orphans(index, on_orphan, &m);
        err = m.err;
    }
    /* The run's summary closes its audit chain: what was read, sent and
     * rejected, and the digest of the file. */
    if (err == ZS_OK && !opt.close) {
        unsigned char digest[ZS_SHA256_SIZE];
        char detail[512];
        snprintf(detail, sizeof(detail),
                 "%s %s: %" PRIu64 " rows read, %" PRIu64 " sent, %" PRIu64 " rejected, %" PRIu64
                 " skipped as sent before; members: %" PRIu64 " read, %" PRIu64 " rejected",
                 zs_input_name(opt.kind), opt.input, p.read, p.sent, p.rejected, p.skipped,
                 p.members_read, p.members_rejected);
        err = audit(&p, "BATCH_SUMMARY", opt.input, 0, NULL,
                    digest_finish(&digest_job, digest) ? digest : NULL, detail, p.last_line, errstr,
                    sizeof(errstr));
    }
    /* Whatever happened, deliver what was sent and record how far it got. */
    char flush_err[1024] = "";
    zs_err_t ferr = zs_producer_flush(p.producer, FLUSH_MS, flush_err, sizeof(flush_err));
    checkpoint_save(&p, true);
    if (err != ZS_OK)
        zs_log(ZS_LOG_ERROR, "%s", errstr);
    if (ferr != ZS_OK)
        zs_log(ZS_LOG_ERROR, "%s", flush_err);
    char close_err[1024];
    if (push_rejects_close(p.rejects, close_err, sizeof(close_err)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", close_err);
        ferr = ZS_ERR_IO;
    }
    p.rejects = NULL;
    uint64_t line = 0;
    zs_producer_done_upto(p.producer, &line);
    if (opt.members != NULL)
        fprintf(stderr, "%s: %" PRIu64 " rows read, %" PRIu64 " rejected\n", opt.members,
                p.members_read, p.members_rejected);
    fprintf(stderr,
            "%s: %" PRIu64 " rows read, %" PRIu64 " sent, %" PRIu64 " rejected, %" PRIu64
            " skipped as sent before; %s through line %" PRIu64 "\n",
            opt.input, p.read, p.sent, p.rejected, p.skipped,
            ferr == ZS_OK ? "everything delivered" : "delivered in order", line);
    struct stat st;
    if (p.rejected + p.members_rejected > 0)
        fprintf(stderr, "rejected rows and why: %s\n", p.rejects_path);
    else if (p.resume_at == 0 && stat(p.rejects_path, &st) == 0 && S_ISREG(st.st_mode))
        /* Left as it was: it may be another input's of the same name. */
        fprintf(stderr, "no row rejected; %s is from an earlier run\n", p.rejects_path);
    rc = err != ZS_OK || ferr != ZS_OK         ? (p.refused || (err == ZS_ERR_IO && !stop) ? 2 : 1)
         : p.rejected + p.members_rejected > 0 ? 3
                                               : 0;
done:
    digest_cancel(&digest_job);
    push_rejects_close(p.rejects, NULL, 0);
    push_members_free(index);
    zs_encoder_free(p.enc);
    zs_encoder_free(p.dead_enc);
    zs_encoder_free(p.audit_enc);
    for (int i = 0; i < 3; i++)
        if (p.handles[i] != NULL)
            rd_kafka_topic_destroy(p.handles[i]);
    zs_producer_free(p.producer);
    zs_county_table_free(p.counties);
    zs_schemas_free(p.schemas);
    zs_config_destroy(p.cfg);
    zs_buf_free(&p.msg);
    zs_buf_free(&p.masked);
    return rc;
}
