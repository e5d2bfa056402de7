/* test_push_faults.c: zs-push loses nothing when the broker misbehaves:
 * produce requests fail with retriable errors, answers are slow, and the
 * partition leader goes down and comes back in the middle of a file.
 * Faults come from the embedded broker's fault injection. argv[1] is
 * zs-push, argv[2] zs-cat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zs_broker.h"

#define ROWS    20000
#define PRODUCE 0 /* Kafka's ApiKey of a Produce request */

static const char *zs_push, *zs_cat;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Writes ROWS income rows; returns the file name (static). */
static const char *write_rows(void)
{
    static char path[] = "/tmp/zs-push-faults-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "event_id,household_id,year,month,component,amount_yuan,source,reported_at\n");
    for (int i = 0; i < ROWS; i++)
        fprintf(fp, "F%d,H%d,2024,%d,WAGE,%d.50,hrss,2024-07-01T00:00:00+08:00\n", i, i % 997,
                i % 12 + 1, i);
    fclose(fp);
    return path;
}

/* Counts distinct F<n> event ids on zs.income. */
static int count_rows(const char *bootstraps)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s -b %s -t zs.income -e 2>/dev/null", zs_cat, bootstraps);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    static unsigned char seen[ROWS];
    memset(seen, 0, sizeof(seen));
    char line[1024];
    int distinct = 0, n;
    while (fgets(line, sizeof(line), out) != NULL)
        if (sscanf(line, "{\"event_id\":\"F%d\"", &n) == 1 && n >= 0 && n < ROWS && !seen[n]++)
            distinct++;
    pclose(out);
    return distinct;
}

static void every_row_arrives_through_faults(void **state)
{
    (void)state;
    char errstr[512];
    zs_broker_t *broker = NULL;
    assert_int_equal(zs_broker_start(3, "zs.", 6, &broker, errstr, sizeof(errstr)), ZS_OK);
    rd_kafka_mock_cluster_t *mc = zs_broker_cluster(broker);
    const char *rows = write_rows();

    /* Retriable produce errors, then slow answers from one broker. */
    rd_kafka_mock_push_request_errors(
        mc, PRODUCE, 6, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
    rd_kafka_mock_broker_set_rtt(mc, 2, 300);

    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "%s income %s -b %s --quiet -X queue.buffering.max.messages=2000 -X linger.ms=50 "
             "--rejects /dev/null 2>/dev/null",
             zs_push, rows, zs_broker_bootstraps(broker));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    /* A broker goes down in the middle of the file and comes back. */
    sleep_ms(300);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still pushing */
    rd_kafka_mock_broker_set_down(mc, 1);
    sleep_ms(1500);
    rd_kafka_mock_broker_set_up(mc, 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    rd_kafka_mock_broker_set_rtt(mc, 2, 0);

    assert_int_equal(count_rows(zs_broker_bootstraps(broker)), ROWS);
    unlink(rows);
    zs_broker_stop(broker);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ZS-PUSH ZS-CAT\n", argv[0]);
        return 2;
    }
    zs_push = argv[1];
    zs_cat = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_arrives_through_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
