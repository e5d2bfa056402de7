/* bench_consume.c: the baseline of the zs-monitor benchmark
 * (monitor_bench.sh): a bare librdkafka consumer that reads every partition
 * of the given topics from the beginning to their end and decodes nothing,
 * with the consumer settings zs-monitor uses, so that the monitor's events/s
 * can be read as a ratio of what librdkafka alone reads on the same machine,
 * broker and topics.
 *
 * No zengshou code. The clock runs from the first message to the last
 * partition's end. Output, one line on stdout (monitor_bench.sh parses it):
 *   bench_consume msgs=N seconds=S msgs_per_s=R bytes=B */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] = "usage: bench_consume -b HOST:PORT TOPIC...\n"
                            "\n"
                            "Reads every partition of the TOPICs from the beginning to the end\n"
                            "(read_committed) and prints messages/s; decodes nothing.\n";

/* zs-monitor's consumer settings (consumers/zs_monitor.c, consumer_defaults):
 * THEY MUST MATCH it, or the baseline is not one. */
static const char *const settings[][2] = {
    {"isolation.level", "read_committed"},
    {"queued.min.messages", "1000000"},
    {"queued.max.messages.kbytes", "262144"},
    {"fetch.max.bytes", "52428800"},
    {"enable.partition.eof", "true"},
    {"enable.auto.commit", "false"},
    {"group.id", "bench-consume"},
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[1], "-b") != 0) {
        fputs(usage, stderr);
        return 2;
    }
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[2], err, sizeof(err)) != RD_KAFKA_CONF_OK)
        goto bad_conf;
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], err, sizeof(err)) !=
            RD_KAFKA_CONF_OK)
            goto bad_conf;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "bench_consume: %s\n", err);
        return 1;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(64);
    for (int a = 3; a < argc; a++) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[a], NULL);
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 30000);
        rd_kafka_topic_destroy(rkt);
        if (e || md->topics[0].err) {
            fprintf(stderr, "bench_consume: %s: %s\n", argv[a],
                    rd_kafka_err2str(e ? e : md->topics[0].err));
            return 1;
        }
        for (int i = 0; i < md->topics[0].partition_cnt; i++)
            rd_kafka_topic_partition_list_add(parts, argv[a], md->topics[0].partitions[i].id)
                ->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_poll_set_consumer(rk);
    if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "bench_consume: assign failed\n");
        return 1;
    }
    int ended = 0;
    bool *done = calloc((size_t)parts->cnt, sizeof(*done));
    uint64_t msgs = 0, bytes = 0;
    double t0 = 0, t1 = 0;
    while (ended < parts->cnt) {
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(rk, 1000);
        if (rkm == NULL)
            continue;
        if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            for (int i = 0; i < parts->cnt; i++)
                if (!done[i] && parts->elems[i].partition == rkm->partition &&
                    strcmp(parts->elems[i].topic, rd_kafka_topic_name(rkm->rkt)) == 0) {
                    done[i] = true;
                    ended++;
                }
            t1 = now_s();
        } else if (rkm->err) {
            fprintf(stderr, "bench_consume: %s\n", rd_kafka_message_errstr(rkm));
        } else {
            if (msgs++ == 0)
                t0 = now_s();
            bytes += rkm->len;
        }
        rd_kafka_message_destroy(rkm);
    }
    double secs = t1 - t0;
    printf("bench_consume msgs=%" PRIu64 " seconds=%.3f msgs_per_s=%.0f bytes=%" PRIu64 "\n", msgs,
           secs, secs > 0 ? (double)msgs / secs : 0.0, bytes);
    free(done);
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return msgs > 0 ? 0 : 1;
bad_conf:
    fprintf(stderr, "bench_consume: %s\n", err);
    rd_kafka_conf_destroy(conf);
    return 2;
}
