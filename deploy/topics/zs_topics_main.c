/* zs_topics_main.c: zs-topics creates every zengshou topic with its
 * partitions, replication and settings through the Admin API, idempotently,
 * and describes what exists against what is wanted. */
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zs_config.h"
#include "zs_kafka.h"
#include "zs_log.h"
#include "zs_topics.h"

#define TIMEOUT_MS 30000

static const char usage[] =
    "usage: zs-topics [-b HOST:PORT] [--partitions N] [--replication N] [--describe]\n"
    "                 [-X KEY=VALUE] [-F FILE]\n"
    "\n"
    "Creates every zengshou topic that does not exist, with N partitions (the\n"
    "same for all: the monitor's inputs and its changelog are co-partitioned),\n"
    "the replication factor, cleanup.policy=compact for the household snapshots\n"
    "and the monitor's changelog, retention for the rest, and min.insync.replicas\n"
    "when replicated. A second run changes nothing and says so. An existing topic\n"
    "with other partitions or settings is reported, never changed: exit 1.\n"
    "\n"
    "  -b HOST:PORT        bootstrap servers (same as -X bootstrap.servers=...)\n"
    "  --partitions N      partitions per topic (default zs.topics.partitions, 12)\n"
    "  --replication N     replication factor (default zs.topics.replication, 1)\n"
    "  --describe          print what exists against what is wanted; change nothing\n"
    "  --wanted            print what is wanted, one topic a line; needs no broker\n"
    "  -X KEY=VALUE        a zs.* property or any librdkafka property (SASL, TLS...)\n"
    "  -F FILE             read properties from a key=value file\n";

static const zs_config_def_t defs[] = {
    {.name = "zs.topics.partitions",
     .type = ZS_CONFIG_INT,
     .dflt = "12",
     .min = "1",
     .max = "10000",
     .doc = "Partitions of every topic (inputs and changelog must be co-partitioned)."},
    {.name = "zs.topics.replication",
     .type = ZS_CONFIG_INT,
     .dflt = "1",
     .min = "1",
     .max = "16",
     .doc = "Replication factor of every topic (3 on a production cluster)."},
    ZS_CONFIG_DEFS_END,
};

/* What exists of one topic. */
typedef struct existing {
    bool exists;
    int partitions, replication;
    bool configs_known;
    char settings[ZS_TOPIC_SETTINGS_MAX][32]; /* by index of zs_topic_settings */
} existing_t;

/* Waits for the result event of an Admin call. */
static rd_kafka_event_t *admin_wait(rd_kafka_queue_t *q)
{
    return rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
}

/* Reads the settings of existing topics; leaves configs_known false when the
 * broker does not answer DescribeConfigs (the embedded broker does not). */
static void describe_configs(rd_kafka_t *rk, const char *prefix, existing_t *have, int replication)
{
    rd_kafka_ConfigResource_t *res[32];
    int idx[32], n = 0, i = 0;
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++, i++) {
        char name[256];
        zs_topic_name(prefix, t->suffix, name, sizeof(name));
        if (have[i].exists) {
            idx[n] = i;
            res[n++] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
        }
    }
    if (n == 0)
        return;
    /* A short request timeout: the embedded broker never answers this. */
    char errstr[256];
    rd_kafka_AdminOptions_t *opts =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_AdminOptions_set_request_timeout(opts, 5000, errstr, sizeof(errstr));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DescribeConfigs(rk, res, (size_t)n, opts, q);
    rd_kafka_event_t *ev = admin_wait(q);
    const rd_kafka_DescribeConfigs_result_t *result =
        ev ? rd_kafka_event_DescribeConfigs_result(ev) : NULL;
    if (result == NULL || rd_kafka_event_error(ev)) {
        zs_log(ZS_LOG_WARN,
               "cannot read topic settings (%s): partitions are checked, settings "
               "are not",
               ev ? rd_kafka_event_error_string(ev) : "no answer");
    } else {
        size_t cnt;
        const rd_kafka_ConfigResource_t **rs =
            rd_kafka_DescribeConfigs_result_resources(result, &cnt);
        for (size_t r = 0; r < cnt; r++) {
            const char *rname = rd_kafka_ConfigResource_name(rs[r]);
            for (int k = 0; k < n; k++) {
                existing_t *e = &have[idx[k]];
                if (strcmp(rd_kafka_ConfigResource_name(res[k]), rname) != 0 ||
                    rd_kafka_ConfigResource_error(rs[r]))
                    continue;
                zs_topic_setting_t want[ZS_TOPIC_SETTINGS_MAX];
                size_t nwant = zs_topic_settings(&zs_topics()[idx[k]], replication, want);
                size_t ecnt;
                const rd_kafka_ConfigEntry_t **entries =
                    rd_kafka_ConfigResource_configs(rs[r], &ecnt);
                for (size_t w = 0; w < nwant; w++)
                    for (size_t x = 0; x < ecnt; x++)
                        if (strcmp(rd_kafka_ConfigEntry_name(entries[x]), want[w].name) == 0)
                            snprintf(e->settings[w], sizeof(e->settings[w]), "%s",
                                     rd_kafka_ConfigEntry_value(entries[x])
                                         ? rd_kafka_ConfigEntry_value(entries[x])
                                         : "");
                e->configs_known = true;
            }
        }
    }
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opts);
    for (int k = 0; k < n; k++)
        rd_kafka_ConfigResource_destroy(res[k]);
}

/* Compares one topic with what is wanted; prints differences; returns how many. */
static int compare(const zs_topic_def_t *t, const char *name, const existing_t *e, int partitions,
                   int replication, bool print_ok)
{
    int diffs = 0;
    if (!e->exists) {
        if (print_ok)
            printf("%-24s missing: want %d partitions, replication %d\n", name, partitions,
                   replication);
        return 0;
    }
    if (e->partitions != partitions) {
        printf("%-24s has %d partitions, want %d (co-partitioned topics must match; Kafka cannot "
               "shrink a topic: recreate it, or run with --partitions %d everywhere)\n",
               name, e->partitions, partitions, e->partitions);
        diffs++;
    }
    if (e->replication != replication) {
        printf("%-24s has replication %d, want %d\n", name, e->replication, replication);
        diffs++;
    }
    zs_topic_setting_t want[ZS_TOPIC_SETTINGS_MAX];
    size_t nwant = zs_topic_settings(t, replication, want);
    for (size_t w = 0; e->configs_known && w < nwant; w++)
        if (strcmp(e->settings[w], want[w].value) != 0) {
            printf("%-24s has %s=%s, want %s\n", name, want[w].name, e->settings[w], want[w].value);
            diffs++;
        }
    if (diffs == 0 && print_ok)
        printf("%-24s ok: %d partitions, replication %d%s\n", name, e->partitions, e->replication,
               e->configs_known ? ", settings as wanted" : ", settings not readable here");
    return diffs;
}

/* Creates the missing topics; returns how many failed. */
static int create_missing(rd_kafka_t *rk, const char *prefix, const existing_t *have,
                          int partitions, int replication, int *created)
{
    rd_kafka_NewTopic_t *nt[32];
    int n = 0, failures = 0, i = 0;
    char errstr[512];
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++, i++) {
        if (have[i].exists)
            continue;
        char name[256];
        zs_topic_name(prefix, t->suffix, name, sizeof(name));
        nt[n] = rd_kafka_NewTopic_new(name, partitions, replication, errstr, sizeof(errstr));
        if (nt[n] == NULL) {
            zs_log(ZS_LOG_ERROR, "%s: %s", name, errstr);
            failures++;
            continue;
        }
        zs_topic_setting_t want[ZS_TOPIC_SETTINGS_MAX];
        size_t nwant = zs_topic_settings(t, replication, want);
        for (size_t w = 0; w < nwant; w++)
            rd_kafka_NewTopic_set_config(nt[n], want[w].name, want[w].value);
        n++;
    }
    if (n == 0)
        return failures;
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, TIMEOUT_MS, errstr, sizeof(errstr));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, nt, (size_t)n, opts, q);
    rd_kafka_event_t *ev = admin_wait(q);
    const rd_kafka_CreateTopics_result_t *result =
        ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    if (result == NULL || rd_kafka_event_error(ev)) {
        zs_log(ZS_LOG_ERROR, "cannot create topics: %s",
               ev ? rd_kafka_event_error_string(ev) : "no answer");
        failures += n;
    } else {
        size_t cnt;
        const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(result, &cnt);
        for (size_t k = 0; k < cnt; k++) {
            rd_kafka_resp_err_t err = rd_kafka_topic_result_error(tr[k]);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                printf("%-24s created: %d partitions, replication %d\n",
                       rd_kafka_topic_result_name(tr[k]), partitions, replication);
                (*created)++;
            } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                zs_log(ZS_LOG_ERROR, "cannot create %s: %s", rd_kafka_topic_result_name(tr[k]),
                       rd_kafka_topic_result_error_string(tr[k]));
                failures++;
            }
        }
    }
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opts);
    for (int k = 0; k < n; k++)
        rd_kafka_NewTopic_destroy(nt[k]);
    return failures;
}

/* Prints what every topic should be, one line each, without a broker:
 * "name partitions replication key=value...". Deploy manifests are checked
 * against it. */
static void print_wanted(const char *prefix, int partitions, int replication)
{
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++) {
        zs_topic_setting_t want[ZS_TOPIC_SETTINGS_MAX];
        size_t n = zs_topic_settings(t, replication, want);
        printf("%s%s %d %d", prefix, t->suffix, partitions, replication);
        for (size_t w = 0; w < n; w++)
            printf(" %s=%s", want[w].name, want[w].value);
        printf("\n");
    }
}

/* Fills have[] from cluster metadata. */
static bool read_metadata(rd_kafka_t *rk, const char *prefix, existing_t *have)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS);
    if (err) {
        zs_log(ZS_LOG_ERROR, "cannot read cluster metadata: %s", rd_kafka_err2str(err));
        return false;
    }
    int i = 0;
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++, i++) {
        char name[256];
        zs_topic_name(prefix, t->suffix, name, sizeof(name));
        for (int k = 0; k < md->topic_cnt; k++) {
            const rd_kafka_metadata_topic_t *mt = &md->topics[k];
            if (strcmp(mt->topic, name) != 0 || mt->err)
                continue;
            have[i].exists = true;
            have[i].partitions = mt->partition_cnt;
            have[i].replication = mt->partition_cnt > 0 ? mt->partitions[0].replica_cnt : 0;
        }
    }
    rd_kafka_metadata_destroy(md);
    return true;
}

/* Whether every topic shows with partitions within seconds. */
static bool wait_visible(rd_kafka_t *rk, const char *prefix, int seconds)
{
    for (int tick = 0; tick < seconds * 5; tick++) {
        existing_t have[32];
        memset(have, 0, sizeof(have));
        bool all = read_metadata(rk, prefix, have);
        int i = 0;
        for (const zs_topic_def_t *t = zs_topics(); all && t->suffix != NULL; t++, i++)
            all = have[i].exists && have[i].partitions > 0;
        if (all)
            return true;
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return false;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"partitions", required_argument, NULL, 'P'},
                                             {"replication", required_argument, NULL, 'R'},
                                             {"describe", no_argument, NULL, 'D'},
                                             {"wanted", no_argument, NULL, 'W'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    char errstr[512];
    zs_config_t *cfg = NULL;
    rd_kafka_t *rk = NULL;
    bool describe = false, wanted = false;
    int rc = 2, c;
    zs_log_init("zs-topics", ZS_LOG_INFO, ZS_LOG_TEXT);
    if (zs_config_describe_if_asked(argc, argv, defs, stdout))
        return 0;
    if (zs_config_new(&cfg, defs, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 2;
    }
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "h", longopts, NULL)) != -1) {
        int common = zs_config_take_option(cfg, c, optarg);
        if (common < 0)
            goto done;
        if (common > 0)
            continue;
        zs_err_t err = ZS_OK;
        switch (c) {
        case 'P':
            err = zs_config_set(cfg, "zs.topics.partitions", optarg, "--partitions", true, errstr,
                                sizeof(errstr));
            break;
        case 'R':
            err = zs_config_set(cfg, "zs.topics.replication", optarg, "--replication", true, errstr,
                                sizeof(errstr));
            break;
        case 'D':
            describe = true;
            break;
        case 'W':
            wanted = true;
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
    if (zs_config_apply_logging(cfg, "zs-topics", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (optind < argc) {
        fputs(usage, stderr);
        goto done;
    }
    int64_t partitions = 0, replication = 0;
    const char *prefix = NULL;
    if (zs_config_get_int(cfg, "zs.topics.partitions", &partitions, errstr, sizeof(errstr)) ||
        zs_config_get_int(cfg, "zs.topics.replication", &replication, errstr, sizeof(errstr)) ||
        zs_config_get_str(cfg, "zs.topic.prefix", &prefix, errstr, sizeof(errstr))) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    if (wanted) {
        print_wanted(prefix, (int)partitions, (int)replication);
        rc = 0;
        goto done;
    }
    if (zs_kafka_new(cfg, RD_KAFKA_PRODUCER, NULL, &rk, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    existing_t have[32];
    memset(have, 0, sizeof(have));
    rc = 1;
    if (!read_metadata(rk, prefix, have))
        goto done;
    describe_configs(rk, prefix, have, (int)replication);

    int diffs = 0, missing = 0, i = 0, created = 0;
    for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++, i++) {
        char name[256];
        zs_topic_name(prefix, t->suffix, name, sizeof(name));
        diffs += compare(t, name, &have[i], (int)partitions, (int)replication, describe);
        missing += !have[i].exists;
    }
    if (describe) {
        rc = 0;
        goto done;
    }
    int failures = create_missing(rk, prefix, have, (int)partitions, (int)replication, &created);
    if (diffs > 0 || failures > 0) {
        zs_log(ZS_LOG_ERROR, "%d topic settings differ from what is wanted, %d topics not created",
               diffs, failures);
        goto done;
    }
    /* A topic just created may take a moment to show in the cluster's
     * metadata: wait until every topic does, so what runs next finds them. */
    if (missing > 0 && !wait_visible(rk, prefix, 30)) {
        zs_log(ZS_LOG_ERROR, "the topics were created but not all show in the metadata after 30 s");
        goto done;
    }
    if (missing == 0)
        printf("all %d topics exist as wanted: nothing to do\n", i);
    else
        printf("created %d topics; %d existed as wanted\n", created, i - missing);
    rc = 0;
done:
    if (rk != NULL)
        rd_kafka_destroy(rk);
    zs_config_destroy(cfg);
    return rc;
}
