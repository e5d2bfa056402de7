/* zs_cat.c: zs-cat prints any of our messages as JSON, from a topic or from a
 * file of length-prefixed messages; lists the schemas with their
 * fingerprints; and encodes JSON into messages for tests and repairs. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_avrojson.h"
#include "zs_codec.h"
#include "zs_config.h"
#include "zs_framed.h"
#include "zs_scan.h"
#include "zs_log.h"

static const char usage[] =
    "usage: zs-cat [options] -b BROKERS -t TOPIC   print messages of a topic as JSON lines\n"
    "       zs-cat [options] -f FILE               print a file of length-prefixed messages\n"
    "       zs-cat [options] --encode NAME[.vN]    JSON lines (Avro JSON encoding) on stdin\n"
    "                                              to length-prefixed messages on stdout\n"
    "       zs-cat [options] --schemas             list schemas: fingerprint, name, file\n"
    "\n"
    "  -b HOST:PORT      bootstrap servers (same as -X bootstrap.servers=...)\n"
    "  -t TOPIC          topic to read\n"
    "  -p PARTITION      read only this partition (default: all)\n"
    "  -o OFFSET         beginning (default), end, or a number; negative counts back from the end\n"
    "  -c COUNT          stop after COUNT messages\n"
    "  -e                exit at the end of every partition (default: keep waiting)\n"
    "  -J                wrap each message: topic, partition, offset, key, schema, value\n"
    "  -f FILE           read FILE ('-' for stdin): each message a 4-byte big-endian length,\n"
    "                    then its bytes\n"
    "  -X KEY=VALUE      a zs.* property or any librdkafka property\n"
    "  -F FILE           read properties from a key=value file\n"
    "  --schema-dir DIR  schemas to use (default: zs.schema.dir)\n"
    "  -h, --help        this text\n"
    "\n"
    "Topic mode reads with isolation.level=read_committed unless told otherwise.\n"
    "A message that does not decode is reported on stderr with its place and why,\n"
    "and reading goes on; the exit status is then 1.\n";

/* What the command line asked for. */
typedef struct options {
    const char *topic, *file, *encode, *schema_dir;
    int32_t partition; /* -1: all */
    int64_t offset;    /* RD_KAFKA_OFFSET_* or a number */
    long count;        /* 0: no limit */
    bool exit_at_end, envelope, schemas;
} options_t;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Prints "<fingerprint> <full name> <file>" per schema; the fingerprint in
 * the byte order of a message header, as Avro's Java tools print it. */
static int list_schemas(const zs_schemas_t *set)
{
    for (size_t i = 0; i < zs_schemas_count(set); i++) {
        const zs_schema_t *s = zs_schemas_at(set, i);
        uint64_t fp = zs_schema_fingerprint(s);
        for (int b = 0; b < 8; b++)
            printf("%02x", (unsigned)(fp >> (8 * b)) & 0xff);
        printf(" %s %s\n", zs_schema_name(s), zs_schema_file(s));
    }
    return 0;
}

/* Prints one decoded message; returns false if it did not decode. */
static bool print_message(zs_decoder_t *dec, const void *msg, size_t len, const char *where,
                          const rd_kafka_message_t *rkm, const options_t *opt, zs_buf_t *line)
{
    char errstr[512];
    const zs_schema_t *reader;
    avro_value_t *value;
    zs_err_t err = zs_decoder_decode(dec, msg, len, &reader, &value, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s: %s: %s", where, zs_err2str(err), errstr);
        return false;
    }
    zs_buf_reset(line);
    if (opt->envelope && rkm != NULL) {
        json_t *key = rkm->key ? json_stringn(rkm->key, rkm->key_len) : json_null();
        char *key_text = json_dumps(key ? key : json_null(), JSON_ENCODE_ANY);
        zs_buf_addf(line,
                    "{\"topic\":\"%s\",\"partition\":%" PRId32 ",\"offset\":%" PRId64
                    ",\"key\":%s,\"schema\":\"%s\",\"version\":%d,\"value\":",
                    rd_kafka_topic_name(rkm->rkt), rkm->partition, rkm->offset,
                    key_text ? key_text : "null", zs_schema_name(reader),
                    zs_schema_version(reader));
        free(key_text);
        json_decref(key);
    }
    err = zs_avrojson_write(value, line, errstr, sizeof(errstr));
    if (err == ZS_OK && opt->envelope && rkm != NULL && (err = zs_buf_addc(line, '}')) != ZS_OK)
        snprintf(errstr, sizeof(errstr), "%s", zs_err2str(err));
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s: cannot print %s as JSON: %s", where, zs_schema_name(reader),
               errstr);
        return false;
    }
    fwrite(line->data, 1, line->len, stdout);
    fputc('\n', stdout);
    return true;
}

static int cat_file(zs_decoder_t *dec, const options_t *opt)
{
    FILE *fp = strcmp(opt->file, "-") == 0 ? stdin : fopen(opt->file, "rb");
    if (fp == NULL) {
        zs_log(ZS_LOG_ERROR, "%s: %s", opt->file, strerror(errno));
        return 1;
    }
    zs_buf_t msg, line;
    zs_buf_init(&msg, ZS_FRAMED_MAX);
    zs_buf_init(&line, (size_t)64 << 20);
    int rc = 0;
    char errstr[256];
    for (long n = 1; opt->count == 0 || n <= opt->count; n++) {
        zs_err_t err = zs_framed_read(fp, &msg, errstr, sizeof(errstr));
        if (err == ZS_ERR_EOF)
            break;
        char where[64];
        snprintf(where, sizeof(where), "message %ld", n);
        if (err != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "%s: %s: %s", opt->file, where, errstr);
            rc = 1;
            break;
        }
        if (!print_message(dec, msg.data, msg.len, where, NULL, opt, &line))
            rc = 1;
    }
    if (fp != stdin)
        fclose(fp);
    zs_buf_free(&msg);
    zs_buf_free(&line);
    return rc;
}

/* Reads JSON lines in Avro's JSON encoding and writes framed messages. */
static int encode_lines(const zs_schemas_t *set, const options_t *opt)
{
    char name[256];
    int version = 0;
    snprintf(name, sizeof(name), "%s", opt->encode);
    /* NAME.vN pins a version: the last ".v" followed by digits only. */
    char *v = strrchr(name, '.');
    if (v != NULL && v[1] == 'v' && v[2] != '\0' && strspn(v + 2, "0123456789") == strlen(v + 2)) {
        version = (int)strtol(v + 2, NULL, 10);
        *v = '\0';
    }
    const zs_schema_t *schema =
        version > 0 ? zs_schemas_version(set, name, version) : zs_schemas_latest(set, name);
    if (schema == NULL) {
        zs_log(ZS_LOG_ERROR, "no schema %s (zs-cat --schemas lists them)", opt->encode);
        return 2;
    }
    char errstr[512];
    zs_encoder_t *enc = NULL;
    if (zs_encoder_new(schema, &enc, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 1;
    }
    zs_buf_t msg;
    zs_buf_init(&msg, ZS_FRAMED_MAX);
    char *text = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&text, &cap, stdin)) > 0) {
        lineno++;
        if (strspn(text, " \t\r\n") == (size_t)n)
            continue;
        json_error_t jerr;
        json_t *json = json_loadb(text, (size_t)n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        zs_err_t err = ZS_ERR_PARSE;
        if (json != NULL)
            err = zs_avrojson_read(zs_encoder_value(enc), zs_schema_avro(schema), json, errstr,
                                   sizeof(errstr));
        else
            snprintf(errstr, sizeof(errstr), "%s", jerr.text);
        json_decref(json);
        if (err == ZS_OK)
            err = zs_encoder_encode(enc, &msg, errstr, sizeof(errstr));
        if (err == ZS_OK)
            err = zs_framed_write(stdout, msg.data, msg.len, errstr, sizeof(errstr));
        if (err != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "stdin:%ld: %s: %s", lineno, zs_schema_file(schema), errstr);
            rc = 1;
        }
    }
    free(text);
    zs_buf_free(&msg);
    zs_encoder_free(enc);
    return rc;
}

/* What printing a topic's messages needs. */
typedef struct printing {
    zs_decoder_t *dec;
    const options_t *opt;
    zs_buf_t line;
    int rc;
} printing_t;

static bool print_one(void *ctx, const rd_kafka_message_t *rkm)
{
    printing_t *pr = ctx;
    char where[256];
    snprintf(where, sizeof(where), "%s [%" PRId32 "] offset %" PRId64, pr->opt->topic,
             rkm->partition, rkm->offset);
    if (!print_message(pr->dec, rkm->payload, rkm->len, where, rkm, pr->opt, &pr->line))
        pr->rc = 1;
    return true;
}

static int cat_topic(zs_decoder_t *dec, zs_config_t *cfg, const options_t *opt)
{
    zs_scan_opts_t so = {.topic = opt->topic,
                         .partition = opt->partition,
                         .offset = opt->offset < -2 ? RD_KAFKA_OFFSET_TAIL(-opt->offset - 2)
                                                    : opt->offset,
                         .count = opt->count,
                         .exit_at_end = opt->exit_at_end,
                         .stop = &stop};
    printing_t pr = {.dec = dec, .opt = opt};
    zs_buf_init(&pr.line, (size_t)64 << 20);
    char errstr[512];
    long errors = 0;
    zs_err_t err = zs_scan(cfg, &so, print_one, &pr, &errors, errstr, sizeof(errstr));
    zs_buf_free(&pr.line);
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return err == ZS_ERR_INVALID ? 2 : 1;
    }
    return errors > 0 ? 1 : pr.rc;
}

static bool parse_offset(const char *s, int64_t *out)
{
    if (strcmp(s, "beginning") == 0) {
        *out = RD_KAFKA_OFFSET_BEGINNING;
        return true;
    }
    if (strcmp(s, "end") == 0) {
        *out = RD_KAFKA_OFFSET_END;
        return true;
    }
    char *end = NULL;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return false;
    /* Negative: that many from the end, coded below RD_KAFKA_OFFSET_* values. */
    *out = n < 0 ? n - 2 : n;
    return true;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"schemas", no_argument, NULL, 'S'},
                                             {"schema-dir", required_argument, NULL, 'D'},
                                             {"encode", required_argument, NULL, 'E'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    options_t opt = {.partition = -1, .offset = RD_KAFKA_OFFSET_BEGINNING};
    char errstr[512];
    zs_config_t *cfg = NULL;
    zs_schemas_t *set = NULL;
    zs_decoder_t *dec = NULL;
    int rc = 2, c;

    zs_log_init("zs-cat", ZS_LOG_INFO, ZS_LOG_TEXT);

    if (zs_config_describe_if_asked(argc, argv, NULL, stdout))

        return 0;
    if (zs_config_new(&cfg, NULL, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 2;
    }
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "t:p:o:c:eJf:h", longopts, NULL)) != -1) {
        int common = zs_config_take_option(cfg, c, optarg);
        if (common < 0)
            goto done;
        if (common > 0)
            continue;
        zs_err_t err = ZS_OK;
        char *end = NULL;
        switch (c) {
        case 't':
            opt.topic = optarg;
            break;
        case 'p':
            opt.partition = (int32_t)strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || opt.partition < 0) {
                zs_log(ZS_LOG_ERROR, "-p %s: not a partition number", optarg);
                goto done;
            }
            break;
        case 'o':
            if (!parse_offset(optarg, &opt.offset)) {
                zs_log(ZS_LOG_ERROR, "-o %s: not beginning, end or a number", optarg);
                goto done;
            }
            break;
        case 'c':
            opt.count = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || opt.count <= 0) {
                zs_log(ZS_LOG_ERROR, "-c %s: not a positive count", optarg);
                goto done;
            }
            break;
        case 'e':
            opt.exit_at_end = true;
            break;
        case 'J':
            opt.envelope = true;
            break;
        case 'f':
            opt.file = optarg;
            break;
        case 'S':
            opt.schemas = true;
            break;
        case 'D':
            opt.schema_dir = optarg;
            break;
        case 'E':
            opt.encode = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            rc = 0;
            goto done;
        default:
            fputs(usage, stderr);
            goto done;
        }
        if (err != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            goto done;
        }
    }
    if (zs_config_apply_logging(cfg, "zs-cat", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (optind < argc || (!opt.schemas && !opt.encode && !opt.file && !opt.topic)) {
        fputs(usage, stderr);
        goto done;
    }
    const char *dir = opt.schema_dir;
    if (dir == NULL && zs_config_get_str(cfg, "zs.schema.dir", &dir, errstr, sizeof(errstr)))
        goto done;
    if (zs_schemas_load(dir, &set, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        rc = 1;
        goto done;
    }
    if (opt.schemas) {
        rc = list_schemas(set);
        goto done;
    }
    if (opt.encode) {
        rc = encode_lines(set, &opt);
        goto done;
    }
    if (zs_decoder_new(set, &dec, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        rc = 1;
        goto done;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rc = opt.file ? cat_file(dec, &opt) : cat_topic(dec, cfg, &opt);
done:
    fflush(stdout);
    zs_decoder_free(dec);
    zs_schemas_free(set);
    zs_config_destroy(cfg);
    return rc;
}
