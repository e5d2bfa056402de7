/* test_zs_broker.c: zs-broker serves our topics, stops cleanly on SIGTERM,
 * and with --strict fails loudly when its partitions dropped records.
 * argv[1] is the zs-broker binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zs_topics.h"

static const char *zs_broker;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct running {
    pid_t pid;
    char bootstraps[256];
    char err_path[64];
} running_t;

/* Starts zs-broker with args and reads the bootstrap line it prints. */
static void start(running_t *r, const char *args)
{
    int out[2];
    assert_int_equal(pipe(out), 0);
    snprintf(r->err_path, sizeof(r->err_path), "/tmp/zs-broker-err-XXXXXX");
    int err_fd = mkstemp(r->err_path);
    assert_true(err_fd >= 0);
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        dup2(out[1], 1);
        dup2(err_fd, 2);
        close(out[0]);
        char cmd[1024];
        snprintf(cmd, sizeof(cmd), "exec %s %s", zs_broker, args);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(err_fd);
    FILE *fp = fdopen(out[0], "r");
    assert_non_null(fgets(r->bootstraps, sizeof(r->bootstraps), fp));
    r->bootstraps[strcspn(r->bootstraps, "\n")] = '\0';
    fclose(fp);
    assert_non_null(strstr(r->bootstraps, "127.0.0.1:"));
}

/* SIGTERM, then the exit status. */
static int stop(running_t *r)
{
    int status = 0;
    kill(r->pid, SIGTERM);
    assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static bool log_says(running_t *r, const char *what)
{
    FILE *fp = fopen(r->err_path, "r");
    char line[1024];
    bool found = false;
    while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
        found = found || strstr(line, what) != NULL;
    if (fp != NULL)
        fclose(fp);
    return found;
}

static rd_kafka_t *client(const char *bootstraps)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, errstr, sizeof(errstr)),
        RD_KAFKA_CONF_OK);
    rd_kafka_conf_set(conf, "linger.ms", "5", NULL, 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    assert_non_null(rk);
    return rk;
}

static void serves_every_topic_and_stops_cleanly(void **state)
{
    (void)state;
    running_t r;
    start(&r, "--partitions 4 --prefix test.");
    rd_kafka_t *rk = client(r.bootstraps);
    /* A loaded machine may answer the first metadata request before every
     * topic shows: ask again for a while. */
    int found = 0;
    for (int attempt = 0; attempt < 50 && found < 10; attempt++) {
        const struct rd_kafka_metadata *md = NULL;
        found = 0;
        if (rd_kafka_metadata(rk, 1, NULL, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (const zs_topic_def_t *t = zs_topics(); t->suffix != NULL; t++) {
                char name[128];
                zs_topic_name("test.", t->suffix, name, sizeof(name));
                for (int i = 0; i < md->topic_cnt; i++)
                    if (strcmp(md->topics[i].topic, name) == 0 && md->topics[i].partition_cnt == 4)
                        found++;
            }
            rd_kafka_metadata_destroy(md);
        }
        if (found < 10)
            sleep_ms(100);
    }
    assert_int_equal(found, 10);
    rd_kafka_destroy(rk);
    assert_true(log_says(&r, "no transactions"));
    assert_int_equal(stop(&r), 0);
    unlink(r.err_path);
}

/* The mock cluster keeps ~5 MiB per partition: push 8 MiB into one. */
static void strict_fails_when_records_were_deleted(void **state)
{
    (void)state;
    running_t r;
    start(&r, "--partitions 1 --strict");
    rd_kafka_t *rk = client(r.bootstraps);
    static char payload[64 * 1024];
    memset(payload, 'x', sizeof(payload));
    for (int i = 0; i < 128; i++) {
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("zs.audit"),
                                        RD_KAFKA_V_VALUE(payload, sizeof(payload)),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 100);
        assert_int_equal(err, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
    assert_int_equal(stop(&r), 1);
    assert_true(log_says(&r, "DATA LOST: zs.audit [0]"));
    unlink(r.err_path);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ZS-BROKER\n", argv[0]);
        return 2;
    }
    zs_broker = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serves_every_topic_and_stops_cleanly),
        cmocka_unit_test(strict_fails_when_records_were_deleted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
