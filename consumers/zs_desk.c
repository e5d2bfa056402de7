/* zs_desk.c: zs-desk, where county officials work their warnings and
 * supervisors see how the plan's targets stand (consumers/DESK.md). The
 * main and its subcommands: user management, the server, a one-off sync. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "desk_server.h"
#include "zs_log.h"
#include "zs_topics.h"

static const zs_config_def_t defs[] = {ZS_CONFIG_DEFS_END};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *out)
{
    fputs("usage: zs-desk user add --db DB --login NAME --role officer|city|province|inspector\n"
          "                        --scope CODE      (password from the terminal or stdin)\n"
          "       zs-desk user disable --db DB --login NAME\n"
          "       zs-desk user list --db DB\n"
          "       zs-desk serve --db DB --listen HOST:PORT [--cert PEM --key PEM] -b BROKERS\n"
          "       zs-desk sync --db DB -b BROKERS   (read the topics to their end, then exit)\n"
          "common: -b HOST:PORT, -X KEY=VALUE, -F FILE (librdkafka and zs. settings)\n",
          out);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one line of password: from the terminal without echo, or from
 * stdin when it is not a terminal. Never from the command line. */
static bool read_password(char *out, size_t size)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs("password: ", stderr);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    bool ok = fgets(out, (int)size, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    size_t n = ok ? strlen(out) : 0;
    if (n > 0 && out[n - 1] == '\n')
        out[--n] = '\0';
    else if (ok && n == size - 1)
        ok = false; /* longer than the buffer */
    if (n > 0 && out[n - 1] == '\r')
        out[--n] = '\0';
    return ok;
}

static void print_user(const desk_user_t *u, void *arg)
{
    (void)arg;
    printf("%s\t%s\t%s\t%s\n", u->login, desk_role_name(u->role), u->scope,
           u->disabled ? "disabled" : "active");
}

static int user_cmd(const char *verb, const char *db, const char *login, const char *role,
                    const char *scope)
{
    char errstr[512], pw[DESK_PASSWORD_MAX + 2];
    desk_store_t *st = NULL;
    desk_user_t u = {.created_at = wall_ms()};
    int rc = 1;
    if (db == NULL) {
        zs_log(ZS_LOG_ERROR, "user %s: --db is required", verb);
        return 2;
    }
    if (strcmp(verb, "list") != 0 && (login == NULL || !desk_login_valid(login))) {
        zs_log(ZS_LOG_ERROR, "user %s: --login NAME (1-32 of [0-9A-Za-z_.-]) is required", verb);
        return 2;
    }
    if (strcmp(verb, "add") == 0) {
        if (desk_role_parse(role, &u.role) != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "user add: --role is officer, city, province or inspector");
            return 2;
        }
        if (desk_scope_check(u.role, scope, errstr, sizeof(errstr)) != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "user add: %s", errstr);
            return 2;
        }
        snprintf(u.login, sizeof(u.login), "%s", login);
        snprintf(u.scope, sizeof(u.scope), "%s", scope);
        if (!read_password(pw, sizeof(pw)) ||
            desk_password_hash(pw, &DESK_PWCOST_DEFAULT, u.hash, errstr, sizeof(errstr)) != ZS_OK) {
            zs_log(ZS_LOG_ERROR, "user add: %s",
                   errstr[0] ? errstr : "no password on the terminal or stdin");
            memset(pw, 0, sizeof(pw));
            return 2;
        }
        memset(pw, 0, sizeof(pw));
    }
    errstr[0] = '\0';
    if (desk_store_open(db, &st, errstr, sizeof(errstr)) != ZS_OK)
        goto done;
    if (strcmp(verb, "add") == 0 && desk_store_user_add(st, &u, errstr, sizeof(errstr)) == ZS_OK)
        rc = 0;
    else if (strcmp(verb, "disable") == 0 &&
             desk_store_user_disable(st, login, errstr, sizeof(errstr)) == ZS_OK)
        rc = 0;
    else if (strcmp(verb, "list") == 0 && desk_store_user_each(st, print_user, NULL) == ZS_OK)
        rc = 0;
    else if (errstr[0] == '\0')
        snprintf(errstr, sizeof(errstr), "unknown: user %s", verb);
done:
    if (rc != 0)
        zs_log(ZS_LOG_ERROR, "user %s: %s", verb, errstr);
    desk_store_close(st);
    return rc;
}

/* Loads what serve and sync need from the configuration. */
static zs_err_t load(zs_config_t *cfg, zs_schemas_t **schemas, zs_county_table_t **counties,
                     char *errstr, size_t errstr_size)
{
    const char *dir = NULL, *data = NULL, *region = NULL;
    char path[1024];
    zs_err_t err = zs_config_get_str(cfg, "zs.schema.dir", &dir, errstr, errstr_size);
    err = err ? err : zs_schemas_load(dir, schemas, errstr, errstr_size);
    err = err ? err : zs_config_get_str(cfg, "zs.data.dir", &data, errstr, errstr_size);
    err = err ? err : zs_config_get_str(cfg, "zs.region", &region, errstr, errstr_size);
    if (err == ZS_OK && counties != NULL) {
        snprintf(path, sizeof(path), "%s/%s-counties.csv", data, region);
        err = zs_county_load(path, counties, errstr, errstr_size);
    }
    return err;
}

static int sync_cmd(zs_config_t *cfg, const char *db)
{
    char errstr[512];
    zs_schemas_t *schemas = NULL;
    uint64_t records = 0;
    int64_t t0 = wall_ms();
    zs_err_t err = load(cfg, &schemas, NULL, errstr, sizeof(errstr));
    err = err ? err : desk_feed_sync(cfg, schemas, db, &records, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "sync: %s", errstr);
    } else {
        double s = (double)(wall_ms() - t0) / 1000.0;
        printf("records=%" PRIu64 " seconds=%.3f records_per_s=%.0f\n", records, s,
               s > 0 ? (double)records / s : 0.0);
    }
    zs_schemas_free(schemas);
    return err == ZS_OK ? 0 : 1;
}

static int serve_cmd(zs_config_t *cfg, const char *db, const char *listen, const char *cert,
                     const char *key)
{
    char errstr[512];
    zs_schemas_t *schemas = NULL;
    zs_county_table_t *counties = NULL;
    const char *prefix = "zs.";
    desk_server_t srv = {.cfg = cfg,
                         .db_path = db,
                         .stop = &stop_flag,
                         .ack_ms = 15LL * 86400000,     /* plan item 35: ACK within 15 days */
                         .measure_ms = 30LL * 86400000, /* and a measure within 30 */
                         .user_limit = 5,
                         .addr_limit = 20};
    if (desk_http_check(listen, cert, key, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        return 2;
    }
    int rc = 1;
    zs_err_t err = load(cfg, &schemas, &counties, errstr, sizeof(errstr));
    srv.schemas = schemas;
    srv.counties = counties;
    zs_config_get_str(cfg, "zs.topic.prefix", &prefix, NULL, 0);
    zs_topic_name(prefix, "warnings", srv.topic_warnings, sizeof(srv.topic_warnings));
    zs_topic_name(prefix, "followup", srv.topic_followup, sizeof(srv.topic_followup));
    zs_topic_name(prefix, "audit", srv.topic_audit, sizeof(srv.topic_audit));
    zs_topic_name(prefix, "household", srv.topic_household, sizeof(srv.topic_household));
    /* Sessions: 30 minutes idle, 12 hours in all. Failed logins: a
     * 15-minute window. */
    if (err == ZS_OK && (desk_sessions_new(4096, 30LL * 60000, 12LL * 3600000, &srv.sessions) ||
                         desk_throttle_new(4096, 15LL * 60000, &srv.throttle)))
        err = zs_fail(errstr, sizeof(errstr), ZS_ERR_NOMEM, "out of memory");
    err = err ? err
              : desk_password_hash("no user has this password", &DESK_PWCOST_DEFAULT,
                                   srv.dummy_hash, errstr, sizeof(errstr));
    err = err ? err : desk_store_open(db, &srv.store, errstr, sizeof(errstr));
    err = err ? err : desk_action_init(&srv, errstr, sizeof(errstr));
    err = err ? err : desk_feed_start(&srv, errstr, sizeof(errstr));
    err = err ? err : desk_http_run(&srv, listen, cert, key, errstr, sizeof(errstr));
    if (err != ZS_OK)
        zs_log(ZS_LOG_ERROR, "%s", errstr);
    stop_flag = 1;
    int feed = desk_feed_join(&srv);
    rc = err == ZS_OK && feed == 0 ? 0 : 1;
    desk_action_fini(&srv);
    desk_store_close(srv.store);
    desk_sessions_free(srv.sessions);
    desk_throttle_free(srv.throttle);
    zs_county_table_free(counties);
    zs_schemas_free(schemas);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"login", required_argument, NULL, 'l'},
                                             {"role", required_argument, NULL, 'r'},
                                             {"scope", required_argument, NULL, 's'},
                                             {"listen", required_argument, NULL, 'L'},
                                             {"cert", required_argument, NULL, 'c'},
                                             {"key", required_argument, NULL, 'k'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL, *login = NULL, *role = NULL, *scope = NULL, *cert = NULL, *key = NULL;
    const char *listen = "127.0.0.1:8080";
    char errstr[512];
    zs_config_t *cfg = NULL;
    int rc = 2, c;
    zs_log_init("zs-desk", ZS_LOG_INFO, ZS_LOG_TEXT);
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
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            login = optarg;
            break;
        case 'r':
            role = optarg;
            break;
        case 's':
            scope = optarg;
            break;
        case 'L':
            listen = optarg;
            break;
        case 'c':
            cert = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'h':
            usage(stdout);
            rc = 0;
            goto done;
        default:
            usage(stderr);
            goto done;
        }
    }
    if (zs_config_apply_logging(cfg, "zs-desk", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    const char *cmd = optind < argc ? argv[optind] : "";
    if (strcmp(cmd, "user") == 0 && optind + 1 < argc) {
        rc = user_cmd(argv[optind + 1], db, login, role, scope);
    } else if ((strcmp(cmd, "serve") == 0 || strcmp(cmd, "sync") == 0) && db != NULL) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        rc = strcmp(cmd, "sync") == 0 ? sync_cmd(cfg, db) : serve_cmd(cfg, db, listen, cert, key);
    } else {
        usage(stderr);
    }
done:
    zs_config_destroy(cfg);
    return rc;
}
