/* zs_audit.c: zs-audit, the supervisors' side of the audit trail. Today:
 * `verify` follows every hash chain of the audit topic and names each broken
 * link with its coordinates. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_audit.h"
#include "zs_config.h"
#include "zs_log.h"
#include "zs_scan.h"
#include "zs_topics.h"

static const char usage[] =
    "usage: zs-audit verify [-b HOST:PORT] [-t TOPIC] [-X KEY=VALUE] [-F FILE]\n"
    "\n"
    "verify  reads the whole audit topic (default: the prefix's audit topic) and\n"
    "        follows every hash chain: each record must carry the next seq of its\n"
    "        chain and the SHA-256 of the record before it. Every broken link is\n"
    "        printed with its topic, partition and offset and what broke (a record\n"
    "        removed, edited, repeated or moved); the exit status is then 1.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* What verifying needs. */
typedef struct verifying {
    const char *topic;
    zs_decoder_t *dec;
    zs_audit_check_t *check;
    uint64_t breaks;
} verifying_t;

/* A broken link, printed with its coordinates. */
static void broken(verifying_t *v, const rd_kafka_message_t *rkm, const char *why)
{
    v->breaks++;
    printf("BROKEN %s [%" PRId32 "] offset %" PRId64 ": %s\n", v->topic, rkm->partition,
           rkm->offset, why);
}

static bool verify_one(void *ctx, const rd_kafka_message_t *rkm)
{
    verifying_t *v = ctx;
    char errstr[512];
    const zs_schema_t *reader;
    avro_value_t *rec, f, b;
    if (zs_decoder_decode(v->dec, rkm->payload, rkm->len, &reader, &rec, errstr, sizeof(errstr)) !=
        ZS_OK) {
        broken(v, rkm, errstr);
        return true;
    }
    if (strcmp(zs_schema_name(reader), "zengshou.AuditRecord") != 0) {
        broken(v, rkm, "not an audit record");
        return true;
    }
    const char *chain = NULL;
    size_t size = 0;
    int64_t seq = 0;
    int disc = 0;
    const void *hash = NULL;
    if (avro_value_get_by_name(rec, "chain", &f, NULL) ||
        avro_value_get_string(&f, &chain, &size) || avro_value_get_by_name(rec, "seq", &f, NULL) ||
        avro_value_get_long(&f, &seq) || avro_value_get_by_name(rec, "prev_hash", &f, NULL) ||
        avro_value_get_discriminant(&f, &disc) ||
        (disc == 1 && (avro_value_get_current_branch(&f, &b) ||
                       avro_value_get_fixed(&b, &hash, &size) || size != ZS_SHA256_SIZE))) {
        broken(v, rkm, "an audit record without chain, seq or hash");
        return true;
    }
    if (zs_audit_check_next(v->check, chain, seq, hash, rkm->payload, rkm->len, errstr,
                            sizeof(errstr)) != ZS_OK)
        broken(v, rkm, errstr);
    return true;
}

static int verify(zs_config_t *cfg, const char *topic)
{
    char errstr[512];
    const char *dir = NULL;
    zs_schemas_t *set = NULL;
    verifying_t v = {.topic = topic};
    int rc = 1;
    if (zs_config_get_str(cfg, "zs.schema.dir", &dir, errstr, sizeof(errstr)) != ZS_OK ||
        zs_schemas_load(dir, &set, errstr, sizeof(errstr)) != ZS_OK ||
        zs_decoder_new(set, &v.dec, errstr, sizeof(errstr)) != ZS_OK ||
        zs_audit_check_new(&v.check) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    zs_scan_opts_t so = {.topic = topic,
                         .partition = -1,
                         .offset = RD_KAFKA_OFFSET_BEGINNING,
                         .exit_at_end = true,
                         .stop = &stop};
    long errors = 0;
    if (zs_scan(cfg, &so, verify_one, &v, &errors, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (stop || errors > 0) {
        zs_log(ZS_LOG_ERROR, "%s: not read to its end (%s)", topic,
               stop ? "interrupted" : "read errors");
        goto done;
    }
    printf("%s: %" PRIu64 " records in %zu chains; %s\n", topic, zs_audit_check_records(v.check),
           zs_audit_check_chains(v.check), v.breaks ? "BROKEN LINKS ABOVE" : "every link holds");
    rc = v.breaks ? 1 : 0;
done:
    zs_audit_check_free(v.check);
    zs_decoder_free(v.dec);
    zs_schemas_free(set);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    char errstr[512], topic[256] = "";
    zs_config_t *cfg = NULL;
    int rc = 2, c;
    zs_log_init("zs-audit", ZS_LOG_INFO, ZS_LOG_TEXT);
    if (zs_config_new(&cfg, NULL, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 2;
    }
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "t:h", longopts, NULL)) != -1) {
        zs_err_t err = zs_config_option(cfg, c, optarg, errstr, sizeof(errstr));
        if (err != ZS_ERR_NOT_FOUND) {
            if (err == ZS_OK)
                continue;
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            goto done;
        }
        if (c == 't') {
            snprintf(topic, sizeof(topic), "%s", optarg);
        } else if (c == 'h') {
            fputs(usage, stdout);
            rc = 0;
            goto done;
        } else {
            fputs(usage, stderr);
            goto done;
        }
    }
    if (zs_config_apply_logging(cfg, "zs-audit", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (optind != argc - 1 || strcmp(argv[optind], "verify") != 0) {
        fputs(usage, stderr);
        goto done;
    }
    const char *prefix = NULL;
    if (topic[0] == '\0') {
        if (zs_config_get_str(cfg, "zs.topic.prefix", &prefix, errstr, sizeof(errstr)) != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            goto done;
        }
        zs_topic_name(prefix, "audit", topic, sizeof(topic));
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rc = verify(cfg, topic);
done:
    zs_config_destroy(cfg);
    return rc;
}
