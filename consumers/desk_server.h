/* desk_server.h: the parts of the zs-desk program that share its state: the
 * feed thread (desk_feed.c: topics into the read model), the publisher
 * (desk_action.c: follow-ups to zs.followup, audit records to zs.audit) and
 * the web server (desk_http.c). main (zs_desk.c) wires them. */
#ifndef DESK_SERVER_H
#define DESK_SERVER_H
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "desk_auth.h"
#include "desk_store.h"
#include "zs_audit.h"
#include "zs_codec.h"
#include "zs_config.h"
#include "zs_county.h"
#include "zs_schema.h"

typedef struct desk_server {
    const zs_config_t *cfg;
    const zs_schemas_t *schemas;
    const zs_county_table_t *counties;
    const char *db_path;
    char topic_warnings[128], topic_followup[128], topic_audit[128], topic_household[128];
    volatile sig_atomic_t *stop;

    /* feed thread */
    pthread_t feed_thread;
    bool feed_started;
    int feed_rc;             /* 0 while running or stopped cleanly; 1 on a failure */
    volatile int feed_ready; /* 1 once partitions are assigned */

    /* publisher: used from the HTTP thread only */
    rd_kafka_t *producer;
    zs_encoder_t *followup_enc, *audit_enc;
    zs_audit_chain_t chain;
    char actor[128];
    zs_buf_t msg;

    /* web */
    desk_sessions_t *sessions;
    desk_throttle_t *throttle;
    desk_store_t *store; /* the HTTP thread's connection */
    bool tls;
    int64_t ack_ms, measure_ms;
    int user_limit, addr_limit;       /* failed logins allowed per window */
    char dummy_hash[DESK_PWHASH_MAX]; /* verified for an unknown login, as for a known one */
} desk_server_t;

/* Starts the feed thread: it assigns every partition of the four topics
 * at the offsets stored in the database and applies what it reads until
 * *stop. */
zs_err_t desk_feed_start(desk_server_t *srv, char *errstr, size_t errstr_size);
/* Waits for the feed thread; its result. */
int desk_feed_join(desk_server_t *srv);

/* Reads the four topics from the stored offsets (or their start) into the
 * database at db until every partition has reported its end with nothing
 * read since, then returns: the benchmark and `zs-desk sync`. *records
 * counts what was applied. */
zs_err_t desk_feed_sync(const zs_config_t *cfg, const zs_schemas_t *schemas, const char *db,
                        uint64_t *records, char *errstr, size_t errstr_size);

/* Sets up the publisher (idempotent producer, acks=all; the audit chain
 * zs-desk/<instance>/<start ms>). */
zs_err_t desk_action_init(desk_server_t *srv, char *errstr, size_t errstr_size);
void desk_action_fini(desk_server_t *srv);

/* Publishes f to zs.followup and waits until Kafka acknowledged it (or
 * timeout_ms passed): ZS_OK only then. The caller has masked the note and
 * taken officer_id from the session. */
zs_err_t desk_action_publish(desk_server_t *srv, const desk_followup_t *f, int timeout_ms,
                             char *errstr, size_t errstr_size);

/* An audit record of this program's chain: kind (an AuditKind symbol),
 * the warning it is about (or NULL) and detail. Delivery is checked at
 * exit (flush). */
zs_err_t desk_action_audit(desk_server_t *srv, const char *kind, const desk_row_t *row, int action,
                           const char *detail, char *errstr, size_t errstr_size);

/* Checks --listen, --cert and --key before anything starts: an IPv4
 * HOST:PORT, both or neither of cert and key, and without TLS a loopback
 * address only. ZS_ERR_INVALID with the reason. */
zs_err_t desk_http_check(const char *listen, const char *cert, const char *key, char *errstr,
                         size_t errstr_size);

/* Runs the web server on listen (HOST:PORT) until *stop; TLS when cert and
 * key are given (PEM files). */
zs_err_t desk_http_run(desk_server_t *srv, const char *listen, const char *cert, const char *key,
                       char *errstr, size_t errstr_size);

/* The clock of pages, sessions and records: wall time, UTC ms. */
int64_t desk_now(const desk_server_t *srv);

#endif
