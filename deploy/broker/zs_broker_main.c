/* zs_broker_main.c: zs-broker, the embedded Kafka-protocol broker for the
 * quickstart and demos: librdkafka's mock cluster with our topics. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zs_broker.h"
#include "zs_log.h"
#include "zs_topics.h"

static const char usage[] =
    "usage: zs-broker [--brokers N] [--partitions N] [--prefix P] [--bootstrap-file FILE]\n"
    "                 [--strict]\n"
    "\n"
    "Runs an embedded Kafka-protocol broker (librdkafka's mock cluster) on 127.0.0.1\n"
    "with every zengshou topic, prints its bootstrap address, and serves until\n"
    "SIGINT or SIGTERM.\n"
    "\n"
    "It is for demos and fault-injection tests only: it keeps nothing on disk, does\n"
    "not honour transactions (aborted records stay visible) or compaction, and each\n"
    "partition keeps only about 5 MiB or 100,000 batches, silently deleting older\n"
    "records. zs-broker watches every partition and reports loudly when records were\n"
    "deleted; with --strict it then exits 1. Use a real Kafka (deploy/kafka/) for\n"
    "anything that must not lose data.\n"
    "\n"
    "  --brokers N          brokers in the cluster (default 1)\n"
    "  --partitions N       partitions per topic (default 12)\n"
    "  --prefix P           topic name prefix (default zs.)\n"
    "  --bootstrap-file F   also write the bootstrap address to F\n"
    "  --strict             exit 1 if any record was deleted\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < lo || n > hi)
        return false;
    *out = (int)n;
    return true;
}

/* Counts records deleted so far (low watermarks above 0) and logs new ones. */
static int64_t check_deleted(rd_kafka_t *rk, const char *prefix, int partitions, int64_t *low)
{
    int64_t total = 0;
    int i = 0;
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++) {
        char name[256];
        zs_topic_name(prefix, t->suffix, name, sizeof(name));
        for (int p = 0; p < partitions; p++, i++) {
            int64_t lo = 0, hi = 0;
            if (rd_kafka_query_watermark_offsets(rk, name, p, &lo, &hi, 5000))
                continue;
            if (lo > low[i])
                zs_log(ZS_LOG_ERROR,
                       "DATA LOST: %s [%d]: records below offset %" PRId64
                       " were deleted (the embedded broker keeps ~5 MiB per partition)",
                       name, p, lo);
            low[i] = lo > low[i] ? lo : low[i];
            total += low[i];
        }
    }
    return total;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"brokers", required_argument, NULL, 'b'},
                                             {"partitions", required_argument, NULL, 'p'},
                                             {"prefix", required_argument, NULL, 'P'},
                                             {"bootstrap-file", required_argument, NULL, 'f'},
                                             {"strict", no_argument, NULL, 's'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int brokers = 1, partitions = 12, c;
    const char *prefix = "zs.", *bootstrap_file = NULL;
    bool strict = false;
    zs_log_init("zs-broker", ZS_LOG_INFO, ZS_LOG_TEXT);
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (!parse_int(optarg, 1, 16, &brokers)) {
                zs_log(ZS_LOG_ERROR, "--brokers %s: give 1 to 16", optarg);
                return 2;
            }
            break;
        case 'p':
            if (!parse_int(optarg, 1, 1000, &partitions)) {
                zs_log(ZS_LOG_ERROR, "--partitions %s: give 1 to 1000", optarg);
                return 2;
            }
            break;
        case 'P':
            prefix = optarg;
            break;
        case 'f':
            bootstrap_file = optarg;
            break;
        case 's':
            strict = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fputs(usage, stderr);
        return 2;
    }
    char errstr[512];
    zs_broker_t *broker = NULL;
    if (zs_broker_start(brokers, prefix, partitions, &broker, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 1;
    }
    const char *bootstraps = zs_broker_bootstraps(broker);
    zs_log(ZS_LOG_WARN, "embedded broker: in memory only, no transactions, no compaction, "
                        "~5 MiB per partition; for demos and tests, not for data");
    printf("%s\n", bootstraps);
    fflush(stdout);
    int rc = 0;
    if (bootstrap_file != NULL) {
        FILE *fp = fopen(bootstrap_file, "w");
        if (fp == NULL || fprintf(fp, "%s\n", bootstraps) < 0 || fclose(fp) != 0) {
            zs_log(ZS_LOG_ERROR, "cannot write %s", bootstrap_file);
            zs_broker_stop(broker);
            return 1;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    /* A client of our own watches the low watermarks. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, NULL, 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    size_t ntopics = 0;
    while (zs_topics()[ntopics].suffix != NULL)
        ntopics++;
    int64_t *low = calloc(ntopics * (size_t)partitions, sizeof(*low));
    int64_t deleted = 0;
    if (rk == NULL || low == NULL) {
        zs_log(ZS_LOG_ERROR, "cannot watch partitions: %s", rk ? "out of memory" : errstr);
        rc = 1;
        stop = 1;
    }
    for (int tick = 0; !stop; tick++) {
        sleep(1);
        if (tick % 5 == 4)
            deleted = check_deleted(rk, prefix, partitions, low);
    }
    if (rk != NULL && low != NULL)
        deleted = check_deleted(rk, prefix, partitions, low);
    if (deleted > 0) {
        zs_log(ZS_LOG_ERROR, "%" PRId64 " records were deleted before shutdown", deleted);
        if (strict)
            rc = 1;
    }
    free(low);
    if (rk != NULL)
        rd_kafka_destroy(rk);
    zs_broker_stop(broker);
    zs_log(ZS_LOG_INFO, "stopped");
    return rc;
}
