/* Checks the installed librdkafka against a real Kafka broker (run by
 * deploy/kafka/verify/verify.sh; see deploy/kafka/README.md).
 *
 *   verify_rdkafka all BOOTSTRAP [SASL_BOOTSTRAP ADMIN_PASSWORD]
 *     Admin CreateTopics (3 partitions; a compacted topic) and DescribeConfigs,
 *     idempotent producer with acks=all, a consumer group (range assignor)
 *     that resumes from committed offsets, transactions (commit, abort,
 *     offsets sent with the transaction, fencing of a second producer),
 *     read_committed vs read_uncommitted, that the log cleaner compacts, and
 *     with SASL arguments SCRAM-SHA-256/512 logins as admin and a wrong
 *     password being refused.
 *   verify_rdkafka produce-as SASL_BOOTSTRAP USER PASSWORD TOPIC ok|denied
 *     One SCRAM-SHA-256 login and one produce; checks the ACL outcome.
 *
 * Prints one PASS/FAIL line per check and "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures = 0, passes = 0;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            passes++;                                                                              \
            printf("PASS: ");                                                                      \
        } else {                                                                                   \
            failures++;                                                                            \
            printf("FAIL: ");                                                                      \
        }                                                                                          \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        fflush(stdout);                                                                            \
    } while (0)

static const char *bootstrap;
static char errstr[512];

static rd_kafka_conf_t *base_conf(void)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, NULL, 0);
    return c;
}
static void set(rd_kafka_conf_t *c, const char *k, const char *v)
{
    if (rd_kafka_conf_set(c, k, v, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "conf %s=%s: %s\n", k, v, errstr);
        exit(2);
    }
}

static rd_kafka_resp_err_t create_topic(rd_kafka_t *rk, const char *name, int parts,
                                        const char **cfg, char *msg, size_t msgsz)
{
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, parts, 1, errstr, sizeof errstr);
    for (; cfg && cfg[0]; cfg += 2)
        rd_kafka_NewTopic_set_config(nt, cfg[0], cfg[1]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opt, 10000, NULL, 0);
    rd_kafka_CreateTopics(rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    rd_kafka_resp_err_t err;
    snprintf(msg, msgsz, "-");
    if (!ev) {
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    } else if ((err = rd_kafka_event_error(ev))) {
        snprintf(msg, msgsz, "%s", rd_kafka_event_error_string(ev));
    } else {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n;
        const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
        err = n == 1 ? rd_kafka_topic_result_error(tr[0]) : RD_KAFKA_RESP_ERR__FAIL;
        if (n == 1 && rd_kafka_topic_result_error_string(tr[0]))
            snprintf(msg, msgsz, "%s", rd_kafka_topic_result_error_string(tr[0]));
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return err;
}

static int describe_cleanup_policy(rd_kafka_t *rk, const char *topic, char *out, size_t outsz)
{
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DescribeConfigs(rk, &cr, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    int ok = 0;
    snprintf(out, outsz, "?");
    if (ev && !rd_kafka_event_error(ev)) {
        size_t n;
        const rd_kafka_ConfigResource_t **rs = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(ev), &n);
        if (n == 1 && !rd_kafka_ConfigResource_error(rs[0])) {
            size_t ne;
            const rd_kafka_ConfigEntry_t **es = rd_kafka_ConfigResource_configs(rs[0], &ne);
            for (size_t i = 0; i < ne; i++)
                if (!strcmp(rd_kafka_ConfigEntry_name(es[i]), "cleanup.policy")) {
                    snprintf(out, outsz, "%s", rd_kafka_ConfigEntry_value(es[i]));
                    ok = 1;
                }
        } else if (n == 1)
            snprintf(out, outsz, "err %s", rd_kafka_ConfigResource_error_string(rs[0]));
    } else if (ev)
        snprintf(out, outsz, "err %s", rd_kafka_event_error_string(ev));
    else
        snprintf(out, outsz, "timeout");
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(cr);
    return ok;
}

static int delivered_ok = 0, delivered_err = 0;
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *op)
{
    (void)rk;
    (void)op;
    if (m->err) {
        delivered_err++;
        fprintf(stderr, "delivery error: %s\n", rd_kafka_err2str(m->err));
    } else
        delivered_ok++;
}

/* Consumes TOPIC in GROUP (range assignor) for up to MAX_MS (or until EXPECT
 * records when no payload counts are asked for), commits, and returns the number
 * of records; counts payloads starting "committed" / "aborted" if asked. */
static int consume_all(const char *topic, const char *group, const char *isolation, int expect,
                       int max_ms, int *committed_seen, int *aborted_seen, int *parts_seen)
{
    rd_kafka_conf_t *c = base_conf();
    set(c, "group.id", group);
    set(c, "partition.assignment.strategy", "range");
    set(c, "auto.offset.reset", "earliest");
    set(c, "isolation.level", isolation);
    set(c, "enable.auto.commit", "false");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "consumer: %s\n", errstr);
        exit(2);
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tl, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, tl);
    if (e)
        fprintf(stderr, "subscribe: %s\n", rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(tl);
    int n = 0, pmask = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (el > max_ms)
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fprintf(stderr, "consume error: %s\n", rd_kafka_message_errstr(m));
        } else {
            n++;
            pmask |= 1 << m->partition;
            if (committed_seen && m->len >= 9 && !memcmp(m->payload, "committed", 9))
                (*committed_seen)++;
            if (aborted_seen && m->len >= 7 && !memcmp(m->payload, "aborted", 7))
                (*aborted_seen)++;
        }
        rd_kafka_message_destroy(m);
        if (expect > 0 && n >= expect && !committed_seen)
            break;
    }
    e = rd_kafka_commit(rk, NULL, 0);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
        fprintf(stderr, "commit: %s\n", rd_kafka_err2str(e));
    if (parts_seen)
        *parts_seen = pmask;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return n;
}

static int run_all(int argc, char **argv)
{
    bootstrap = argv[1];
    char suffix[32];
    snprintf(suffix, sizeof suffix, "%ld", (long)time(NULL));
    char topic[64], ctopic[64], ttopic[64], msg[512];
    snprintf(topic, sizeof topic, "kt-events-%s", suffix);
    snprintf(ctopic, sizeof ctopic, "kt-compact-%s", suffix);
    snprintf(ttopic, sizeof ttopic, "kt-txn-%s", suffix);
    printf("librdkafka %s, bootstrap %s\n", rd_kafka_version_str(), bootstrap);

    /* --- admin --- */
    rd_kafka_conf_t *ac = base_conf();
    rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, ac, errstr, sizeof errstr);
    rd_kafka_resp_err_t err = create_topic(admin, topic, 3, NULL, msg, sizeof msg);
    CHECK(!err, "CreateTopics %s (3 partitions): %s %s", topic, rd_kafka_err2name(err), msg);
    err = create_topic(admin, ttopic, 3, NULL, msg, sizeof msg);
    CHECK(!err, "CreateTopics %s (3 partitions): %s %s", ttopic, rd_kafka_err2name(err), msg);
    const char *ccfg[] = {
        "cleanup.policy",      "compact", "segment.ms", "1000", "min.cleanable.dirty.ratio", "0.01",
        "delete.retention.ms", "1000",    NULL};
    err = create_topic(admin, ctopic, 1, ccfg, msg, sizeof msg);
    CHECK(!err, "CreateTopics %s cleanup.policy=compact: %s %s", ctopic, rd_kafka_err2name(err),
          msg);
    char pol[128];
    int ok = 0;
    for (int i = 0; i < 20 && !(ok = describe_cleanup_policy(admin, ctopic, pol, sizeof pol)); i++)
        nanosleep(&(struct timespec){0, 250000000L}, NULL);
    CHECK(ok && !strcmp(pol, "compact"), "DescribeConfigs %s cleanup.policy=%s", ctopic, pol);
    err = create_topic(admin, topic, 3, NULL, msg, sizeof msg);
    CHECK(err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, "CreateTopics again -> %s",
          rd_kafka_err2name(err));
    const struct rd_kafka_metadata *md;
    err = rd_kafka_metadata(admin, 0, rd_kafka_topic_new(admin, topic, NULL), &md, 10000);
    CHECK(!err && md->topic_cnt == 1 && md->topics[0].partition_cnt == 3,
          "Metadata %s: %s, partitions=%d", topic, rd_kafka_err2name(err),
          err ? -1 : md->topics[0].partition_cnt);
    if (!err)
        rd_kafka_metadata_destroy(md);

    /* --- idempotent producer, acks=all --- */
    rd_kafka_conf_t *pc = base_conf();
    set(pc, "enable.idempotence", "true");
    set(pc, "acks", "all");
    set(pc, "linger.ms", "5");
    rd_kafka_conf_set_dr_msg_cb(pc, dr_cb);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, pc, errstr, sizeof errstr);
    const int N = 300;
    for (int i = 0; i < N; i++) {
        char key[16], val[32];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(val, sizeof val, "v%d", i);
        err = rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                RD_KAFKA_V_VALUE(val, strlen(val)),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err) {
            fprintf(stderr, "producev: %s\n", rd_kafka_err2str(err));
            break;
        }
    }
    /* compacted topic: 3 versions each of 10 keys */
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < 10; i++) {
            char key[16], val[32];
            snprintf(key, sizeof key, "key%d", i);
            snprintf(val, sizeof val, "rev%d", r);
            rd_kafka_producev(p, RD_KAFKA_V_TOPIC(ctopic), RD_KAFKA_V_KEY(key, strlen(key)),
                              RD_KAFKA_V_VALUE(val, strlen(val)),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        }
    err = rd_kafka_flush(p, 20000);
    CHECK(!err && delivered_ok == N + 30 && delivered_err == 0,
          "idempotent producer (acks=all): flush %s, delivered %d/%d, errors %d",
          rd_kafka_err2name(err), delivered_ok, N + 30, delivered_err);
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(p, errstr, sizeof errstr);
    CHECK(!fatal, "no fatal idempotence error (%s)", fatal ? errstr : "none");
    rd_kafka_destroy(p);

    /* --- consumer group, range --- */
    char group[64];
    snprintf(group, sizeof group, "kt-group-%s", suffix);
    int parts = 0;
    int got = consume_all(topic, group, "read_committed", N, 30000, NULL, NULL, &parts);
    CHECK(got == N && parts == 7,
          "consumer group %s (range): consumed %d/%d from partitions mask 0x%x", group, got, N,
          parts);
    /* same group again: committed offsets mean nothing new */
    got = consume_all(topic, group, "read_committed", 0, 6000, NULL, NULL, NULL);
    CHECK(got == 0, "consumer group resumes from committed offsets: %d new messages", got);
    got = consume_all(ctopic, "kt-cgroup", "read_uncommitted", 30, 20000, NULL, NULL, NULL);
    CHECK(got == 30, "consumed compacted topic: %d/30", got);

    /* --- transactions --- */
    rd_kafka_conf_t *tc = base_conf();
    char txid[64];
    snprintf(txid, sizeof txid, "kt-txid-%s", suffix);
    set(tc, "transactional.id", txid);
    set(tc, "acks", "all");
    rd_kafka_t *tp = rd_kafka_new(RD_KAFKA_PRODUCER, tc, errstr, sizeof errstr);
    rd_kafka_error_t *e = rd_kafka_init_transactions(tp, 30000);
    CHECK(!e, "init_transactions: %s", e ? rd_kafka_error_string(e) : "ok");
    if (!e) {
        e = rd_kafka_begin_transaction(tp);
        CHECK(!e, "begin_transaction #1: %s", e ? rd_kafka_error_string(e) : "ok");
        for (int i = 0; i < 10; i++)
            rd_kafka_producev(tp, RD_KAFKA_V_TOPIC(ttopic), RD_KAFKA_V_VALUE("committed", 9),
                              RD_KAFKA_V_PARTITION(i % 3), RD_KAFKA_V_END);
        /* also offsets sent with the transaction (consume-transform-produce) */
        rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(offs, topic, 0)->offset = 1;
        rd_kafka_consumer_group_metadata_t *cgmd =
            rd_kafka_consumer_group_metadata_new("kt-txn-group");
        e = rd_kafka_send_offsets_to_transaction(tp, offs, cgmd, 20000);
        CHECK(!e, "send_offsets_to_transaction: %s", e ? rd_kafka_error_string(e) : "ok");
        rd_kafka_consumer_group_metadata_destroy(cgmd);
        rd_kafka_topic_partition_list_destroy(offs);
        e = rd_kafka_commit_transaction(tp, 30000);
        CHECK(!e, "commit_transaction: %s", e ? rd_kafka_error_string(e) : "ok");
        e = rd_kafka_begin_transaction(tp);
        CHECK(!e, "begin_transaction #2: %s", e ? rd_kafka_error_string(e) : "ok");
        for (int i = 0; i < 7; i++)
            rd_kafka_producev(tp, RD_KAFKA_V_TOPIC(ttopic), RD_KAFKA_V_VALUE("aborted", 7),
                              RD_KAFKA_V_PARTITION(i % 3), RD_KAFKA_V_END);
        rd_kafka_flush(tp, 10000);
        e = rd_kafka_abort_transaction(tp, 30000);
        CHECK(!e, "abort_transaction: %s", e ? rd_kafka_error_string(e) : "ok");
        /* a third, committed, so the aborted batch sits between committed ones */
        e = rd_kafka_begin_transaction(tp);
        for (int i = 0; i < 3; i++)
            rd_kafka_producev(tp, RD_KAFKA_V_TOPIC(ttopic), RD_KAFKA_V_VALUE("committed", 9),
                              RD_KAFKA_V_PARTITION(i % 3), RD_KAFKA_V_END);
        e = rd_kafka_commit_transaction(tp, 30000);
        CHECK(!e, "commit_transaction #3: %s", e ? rd_kafka_error_string(e) : "ok");
    }
    /* fencing: a second producer with the same transactional.id fences the first */
    rd_kafka_conf_t *tc2 = base_conf();
    set(tc2, "transactional.id", txid);
    rd_kafka_t *tp2 = rd_kafka_new(RD_KAFKA_PRODUCER, tc2, errstr, sizeof errstr);
    rd_kafka_error_t *e2 = rd_kafka_init_transactions(tp2, 30000);
    CHECK(!e2, "second producer same transactional.id init_transactions: %s",
          e2 ? rd_kafka_error_string(e2) : "ok");
    e = rd_kafka_begin_transaction(tp);
    if (!e) {
        rd_kafka_producev(tp, RD_KAFKA_V_TOPIC(ttopic), RD_KAFKA_V_VALUE("zombie", 6),
                          RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_END);
        e = rd_kafka_commit_transaction(tp, 20000);
    }
    CHECK(e != NULL, "first producer is fenced: %s",
          e ? rd_kafka_error_string(e) : "NOT FENCED (committed!)");
    rd_kafka_destroy(tp2);
    rd_kafka_destroy(tp);

    int cseen = 0, aseen = 0;
    got = consume_all(ttopic, "kt-rc", "read_committed", 13, 8000, &cseen, &aseen, NULL);
    CHECK(cseen == 13 && aseen == 0 && got == 13,
          "read_committed consumer: %d records, committed %d/13, aborted %d (want 0)", got, cseen,
          aseen);
    cseen = aseen = 0;
    got = consume_all(ttopic, "kt-ru", "read_uncommitted", 20, 8000, &cseen, &aseen, NULL);
    CHECK(cseen == 13 && aseen == 7,
          "read_uncommitted consumer sees aborted too: %d records, committed %d, aborted %d", got,
          cseen, aseen);

    /* offsets committed via the transaction */
    {
        rd_kafka_conf_t *c = base_conf();
        set(c, "group.id", "kt-txn-group");
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, errstr, sizeof errstr);
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, 0);
        err = rd_kafka_committed(rk, l, 10000);
        CHECK(!err && l->elems[0].offset == 1,
              "offset sent with the transaction is committed: %s offset=%ld",
              rd_kafka_err2name(err), (long)l->elems[0].offset);
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }

    /* --- compaction actually happens: roll the segment, wait for the cleaner --- */
    {
        rd_kafka_conf_t *c = base_conf();
        rd_kafka_t *pp = rd_kafka_new(RD_KAFKA_PRODUCER, c, errstr, sizeof errstr);
        int compacted = 0, got2 = 0;
        for (int attempt = 0; attempt < 12 && !compacted; attempt++) {
            sleep(2);
            /* a record after segment.ms rolls the active segment */
            rd_kafka_producev(pp, RD_KAFKA_V_TOPIC(ctopic), RD_KAFKA_V_KEY("roll", 4),
                              RD_KAFKA_V_VALUE("x", 1), RD_KAFKA_V_END);
            rd_kafka_flush(pp, 5000);
            char g[64];
            snprintf(g, sizeof g, "kt-compact-check-%d", attempt);
            got2 = consume_all(ctopic, g, "read_uncommitted", 0, 4000, NULL, NULL, NULL);
            if (got2 < 30)
                compacted = 1;
        }
        CHECK(compacted, "log cleaner compacted %s: %d records left of 30+ written", ctopic, got2);
        rd_kafka_destroy(pp);
    }

    /* --- optional SASL/SCRAM + ACLs --- */
    if (argc >= 4) {
        const char *mechs[] = {"SCRAM-SHA-256", "SCRAM-SHA-512"};
        for (int i = 0; i < 2; i++) {
            rd_kafka_conf_t *sc = rd_kafka_conf_new();
            set(sc, "bootstrap.servers", argv[2]);
            set(sc, "security.protocol", "SASL_PLAINTEXT");
            set(sc, "sasl.mechanisms", mechs[i]);
            set(sc, "sasl.username", "admin");
            set(sc, "sasl.password", argv[3]);
            rd_kafka_t *sk = rd_kafka_new(RD_KAFKA_PRODUCER, sc, errstr, sizeof errstr);
            const struct rd_kafka_metadata *m2;
            err = rd_kafka_metadata(sk, 1, NULL, &m2, 10000);
            int seen = 0;
            if (!err) {
                for (int t = 0; t < m2->topic_cnt; t++)
                    if (!strcmp(m2->topics[t].topic, topic))
                        seen = 1;
                rd_kafka_metadata_destroy(m2);
            }
            CHECK(!err && seen, "SASL %s as admin: metadata %s, sees %s: %d", mechs[i],
                  rd_kafka_err2name(err), topic, seen);
            char st[64];
            snprintf(st, sizeof st, "kt-sasl-%s-%d", suffix, i);
            err = create_topic(sk, st, 1, NULL, msg, sizeof msg);
            CHECK(!err, "SASL admin CreateTopics %s: %s", st, rd_kafka_err2name(err));
            rd_kafka_destroy(sk);
        }
        /* wrong password */
        rd_kafka_conf_t *sc = rd_kafka_conf_new();
        set(sc, "bootstrap.servers", argv[2]);
        set(sc, "security.protocol", "SASL_PLAINTEXT");
        set(sc, "sasl.mechanisms", "SCRAM-SHA-256");
        set(sc, "sasl.username", "admin");
        set(sc, "sasl.password", "wrong");
        rd_kafka_t *sk = rd_kafka_new(RD_KAFKA_PRODUCER, sc, errstr, sizeof errstr);
        const struct rd_kafka_metadata *m2;
        err = rd_kafka_metadata(sk, 1, NULL, &m2, 5000);
        if (!err)
            rd_kafka_metadata_destroy(m2);
        CHECK(err != 0, "SASL with a wrong password is refused: %s", rd_kafka_err2name(err));
        rd_kafka_destroy(sk);
    }

    rd_kafka_destroy(admin);
    return 0;
}

static rd_kafka_resp_err_t pa_err = RD_KAFKA_RESP_ERR__TIMED_OUT;
static void pa_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *op)
{
    (void)rk;
    (void)op;
    pa_err = m->err;
}

/* argv: SASL_BOOTSTRAP USER PASSWORD TOPIC ok|denied */
static int run_produce_as(char **argv)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    set(c, "bootstrap.servers", argv[0]);
    set(c, "security.protocol", "SASL_PLAINTEXT");
    set(c, "sasl.mechanisms", "SCRAM-SHA-256");
    set(c, "sasl.username", argv[1]);
    set(c, "sasl.password", argv[2]);
    set(c, "message.timeout.ms", "8000");
    rd_kafka_conf_set_dr_msg_cb(c, pa_dr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "producer: %s\n", errstr);
        return 2;
    }
    const struct rd_kafka_metadata *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
    CHECK(!err, "SCRAM-SHA-256 login as %s: %s", argv[1], rd_kafka_err2name(err));
    if (!err) {
        rd_kafka_metadata_destroy(md);
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[3]), RD_KAFKA_V_VALUE("acl", 3),
                          RD_KAFKA_V_END);
        rd_kafka_flush(rk, 10000);
        int want_ok = !strcmp(argv[4], "ok");
        CHECK(want_ok ? pa_err == RD_KAFKA_RESP_ERR_NO_ERROR
                      : pa_err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
              "produce to %s as %s: %s (want %s)", argv[3], argv[1], rd_kafka_err2name(pa_err),
              want_ok ? "NO_ERROR" : "TOPIC_AUTHORIZATION_FAILED");
    }
    rd_kafka_destroy(rk);
    return 0;
}

int main(int argc, char **argv)
{
    int rc;
    if (argc >= 3 && !strcmp(argv[1], "all") && argc != 4) {
        rc = run_all(argc - 1, argv + 1);
    } else if (argc == 7 && !strcmp(argv[1], "produce-as")) {
        rc = run_produce_as(argv + 2);
    } else {
        fprintf(stderr,
                "usage: %s all BOOTSTRAP [SASL_BOOTSTRAP ADMIN_PASSWORD]\n"
                "       %s produce-as SASL_BOOTSTRAP USER PASSWORD TOPIC ok|denied\n",
                argv[0], argv[0]);
        return 2;
    }
    printf("%d passed, %d failed\n", passes, failures);
    return rc ? rc : (failures ? 1 : 0);
}
