/* desk_http.c: zs-desk's web server on libmicrohttpd (consumers/DESK.md):
 * routing, sessions and CSRF checks, authorization on every request, and
 * the security headers of every response. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "desk_html.h"
#include "desk_pages.h"
#include "desk_server.h"
#include "zs_log.h"

#define SESSION_COOKIE "zs_session"
#define LOGIN_COOKIE   "zs_login"
#define BODY_MAX       (16 * 1024)

static const char css[] =
    "body{font-family:sans-serif;margin:0;color:#222}header{background:#1d4e89;color:#fff;"
    "padding:.5em 1em}header a,header button{color:#fff}header nav,header form.inline{display:"
    "inline}header button{background:none;border:1px solid #fff;cursor:pointer}main{padding:"
    "1em}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:"
    ".2em .5em;text-align:left}.overdue{color:#c00;font-weight:bold}.done{color:#060}.sev2{"
    "color:#c00}.error{color:#c00}.notice{color:#060}.counts li{display:inline;margin-right:2em}"
    "form.action{margin:.5em 0}.escalated{color:#c00}@media print{header form,form.filters,"
    "form.action{display:none}}";

int64_t desk_now(const desk_server_t *srv)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    (void)srv;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request's body, gathered across calls. */
typedef struct req {
    zs_buf_t body;
    bool too_large;
} req_t;

/* A response under construction. */
typedef struct resp {
    int status;
    zs_buf_t body;
    const char *type;
    char location[300];
    char cookie[2][200];
} resp_t;

static void security_headers(struct MHD_Response *r, bool tls)
{
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; style-src 'self'; img-src 'self'; "
                            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_resp(struct MHD_Connection *c, desk_server_t *srv, resp_t *rs)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(rs->body.len, rs->body.data, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    security_headers(r, srv->tls);
    MHD_add_response_header(r, "Content-Type", rs->type ? rs->type : "text/html; charset=utf-8");
    if (rs->location[0])
        MHD_add_response_header(r, "Location", rs->location);
    for (int i = 0; i < 2; i++)
        if (rs->cookie[i][0])
            MHD_add_response_header(r, "Set-Cookie", rs->cookie[i]);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ok;
}

static void set_cookie(desk_server_t *srv, resp_t *rs, int i, const char *name, const char *value,
                       bool clear)
{
    snprintf(rs->cookie[i], sizeof(rs->cookie[i]), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
             name, value, srv->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

static void redirect(resp_t *rs, const char *to)
{
    rs->status = 303;
    snprintf(rs->location, sizeof(rs->location), "%s", to);
}

static void error_page(resp_t *rs, const desk_view_t *v, int status)
{
    rs->status = status;
    zs_buf_reset(&rs->body);
    desk_page_error(&rs->body, v, status);
}

static void client_addr(struct MHD_Connection *c, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, size, "?");
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, size);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out, size);
}

/* ---- login and logout ---- */

static const char *const login_error[2] = {
    "用户名或密码错误,或尝试次数过多,请稍后再试。",
    "Wrong user name or password, or too many attempts; try again later."};

/* The login form's token is the login cookie's value (double submit): kept
 * while the browser has one, so a page loaded twice still matches it. */
static void login_page(desk_server_t *srv, resp_t *rs, const desk_view_t *v, const char *cookie,
                       const char *error)
{
    desk_token_t t;
    if (desk_token_equal(cookie, cookie))
        snprintf(t, sizeof(t), "%s", cookie);
    else if (desk_token_new(t) != ZS_OK) {
        error_page(rs, v, 500);
        return;
    }
    set_cookie(srv, rs, 1, LOGIN_COOKIE, t, false);
    desk_page_login(&rs->body, v, t, error);
}

static void audit_login(desk_server_t *srv, const char *kind, const char *login, const char *addr,
                        const char *why)
{
    char detail[256], errstr[256];
    snprintf(detail, sizeof(detail), "login=%s;client=%s%s%s", login, addr, why ? ";reason=" : "",
             why ? why : "");
    if (desk_action_audit(srv, kind, NULL, -1, detail, errstr, sizeof(errstr)) != ZS_OK)
        zs_log(ZS_LOG_ERROR, "audit: %s", errstr);
}

static void do_login(desk_server_t *srv, struct MHD_Connection *c, const desk_form_t *form,
                     const char *cookie, resp_t *rs, desk_view_t *v)
{
    char addr[64], ukey[64], akey[80];
    const char *login = desk_form_get(form, "login"), *pw = desk_form_get(form, "password");
    int64_t now = desk_now(srv);
    client_addr(c, addr, sizeof(addr));
    if (login == NULL || !desk_login_valid(login) || pw == NULL) {
        rs->status = 401;
        login_page(srv, rs, v, cookie, login_error[v->english]);
        audit_login(srv, "LOGIN_FAILED", "-", addr, "malformed");
        return;
    }
    snprintf(ukey, sizeof(ukey), "user:%s", login);
    snprintf(akey, sizeof(akey), "addr:%s", addr);
    desk_user_t u;
    const char *why = NULL;
    if (!desk_throttle_allows(srv->throttle, ukey, srv->user_limit, now) ||
        !desk_throttle_allows(srv->throttle, akey, srv->addr_limit, now))
        why = "throttled";
    else if (desk_store_user_get(srv->store, login, &u) != ZS_OK) {
        /* As long as a wrong password takes, so the time tells nothing. */
        (void)desk_password_verify(srv->dummy_hash, pw);
        why = "unknown user";
    } else if (!desk_password_verify(u.hash, pw))
        why = "wrong password";
    else if (u.disabled)
        why = "disabled";
    if (why != NULL) {
        if (strcmp(why, "throttled") != 0) {
            desk_throttle_fail(srv->throttle, ukey, now);
            desk_throttle_fail(srv->throttle, akey, now);
        }
        rs->status = 401;
        login_page(srv, rs, v, cookie, login_error[v->english]);
        audit_login(srv, "LOGIN_FAILED", login, addr, why);
        return;
    }
    desk_throttle_clear(srv->throttle, ukey);
    desk_token_t tok;
    if (desk_sessions_open(srv->sessions, u.login, u.role, u.scope, v->english, now, tok) !=
        ZS_OK) {
        error_page(rs, v, 500);
        return;
    }
    set_cookie(srv, rs, 0, SESSION_COOKIE, tok, false);
    set_cookie(srv, rs, 1, LOGIN_COOKIE, "", true);
    audit_login(srv, "LOGIN_SUCCEEDED", login, addr, NULL);
    redirect(rs, "/");
}

/* ---- pages ---- */

/* The number in a filter field, or -1 for empty or anything else. */
static int filter_num(struct MHD_Connection *c, const char *name, int max)
{
    const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    if (s == NULL || *s == '\0' || strlen(s) > 3 || strspn(s, "0123456789") != strlen(s))
        return -1;
    int n = atoi(s);
    return n < max ? n : -1;
}

/* The inbox shows this many warnings a page: a county with thousands open
 * gets its page in milliseconds (tests/bench/desk_inbox_bench.sh). */
#define INBOX_PAGE 200

/* A text filter (a township or village name, matched exactly): NULL when
 * empty or longer than a name can be (64 bytes). */
static const char *filter_text(struct MHD_Connection *c, const char *name)
{
    const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return s != NULL && *s != '\0' && strlen(s) <= 64 ? s : NULL;
}

/* The page number asked for (1 to 999999), or 1. */
static size_t page_num(struct MHD_Connection *c)
{
    const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
    if (s == NULL || *s == '\0' || strlen(s) > 6 || strspn(s, "0123456789") != strlen(s))
        return 1;
    long n = strtol(s, NULL, 10);
    return n >= 1 ? (size_t)n : 1;
}

static void inbox(desk_server_t *srv, struct MHD_Connection *c, const desk_session_t *s, resp_t *rs,
                  const desk_view_t *v)
{
    char errstr[256];
    const char *hh = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "household");
    desk_filter_t f = {.scope = s->scope,
                       .rule = filter_num(c, "rule", NOTIFY_RULE_UNKNOWN),
                       .risk = filter_num(c, "risk", NOTIFY_RISK__COUNT),
                       .state = filter_num(c, "state", 3),
                       .household = hh && *hh ? hh : NULL,
                       .township = filter_text(c, "township"),
                       .village = filter_text(c, "village"),
                       .open_only = true,
                       .limit = INBOX_PAGE};
    desk_counts_t counts;
    zs_buf_t rows;
    zs_buf_init(&rows, (size_t)1 << 30);
    zs_err_t err = desk_store_counts(srv->store, &f, srv->ack_ms, srv->measure_ms, v->now, &counts,
                                     errstr, sizeof(errstr));
    if (err == ZS_OK) {
        /* A page past the last shows the last. */
        size_t pages = counts.open > 0 ? ((size_t)counts.open + INBOX_PAGE - 1) / INBOX_PAGE : 1;
        size_t page = page_num(c);
        f.offset = (page < pages ? page - 1 : pages - 1) * INBOX_PAGE;
        err = desk_store_rows(srv->store, &f, srv->ack_ms, srv->measure_ms, &rows, errstr,
                              sizeof(errstr));
    }
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "inbox: %s", errstr);
        error_page(rs, v, 500);
    } else {
        desk_page_inbox(&rs->body, v, (const desk_row_t *)rows.data, rows.len / sizeof(desk_row_t),
                        &f, &counts);
    }
    zs_buf_free(&rows);
}

/* The warning named by id if the user may see it; false (and a 404 page)
 * otherwise, whether it does not exist or belongs to another county. */
static bool visible_warning(desk_server_t *srv, const desk_session_t *s, const char *id,
                            desk_row_t *row, resp_t *rs, const desk_view_t *v)
{
    if (desk_store_row(srv->store, id, row) != ZS_OK ||
        !desk_authz_county(s->scope, row->county_code)) {
        error_page(rs, v, 404);
        return false;
    }
    return true;
}

static void warning(desk_server_t *srv, struct MHD_Connection *c, const desk_session_t *s,
                    const char *id, resp_t *rs, const desk_view_t *v)
{
    desk_row_t row;
    char errstr[256];
    if (!visible_warning(srv, s, id, &row, rs, v))
        return;
    zs_buf_t ev;
    zs_buf_init(&ev, (size_t)1 << 26);
    const char *done = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "done");
    desk_action_t a;
    char notice[128];
    bool has_notice = done && desk_action_parse(done, &a) == ZS_OK;
    if (has_notice)
        snprintf(notice, sizeof(notice), "%s: %s", v->english ? "Recorded" : "已记录",
                 desk_action_name(a, v->english));
    if (desk_store_history(srv->store, id, &ev, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "warning: %s", errstr);
        error_page(rs, v, 500);
    } else {
        desk_page_warning(&rs->body, v, &row, (const desk_event_t *)ev.data,
                          ev.len / sizeof(desk_event_t), has_notice ? notice : NULL);
    }
    zs_buf_free(&ev);
}

static void household(desk_server_t *srv, const desk_session_t *s, const char *id, resp_t *rs,
                      const desk_view_t *v)
{
    char errstr[256];
    desk_filter_t f = {.scope = s->scope, .rule = -1, .risk = -1, .state = -1, .household = id};
    zs_buf_t rows;
    zs_buf_init(&rows, (size_t)1 << 26);
    zs_err_t err = desk_store_rows(srv->store, &f, srv->ack_ms, srv->measure_ms, &rows, errstr,
                                   sizeof(errstr));
    if (err != ZS_OK)
        error_page(rs, v, 500);
    else if (rows.len == 0) /* none, or none in the user's counties: the same answer */
        error_page(rs, v, 404);
    else
        desk_page_household(&rs->body, v, id, (const desk_row_t *)rows.data,
                            rows.len / sizeof(desk_row_t));
    zs_buf_free(&rows);
}

static void overview(desk_server_t *srv, struct MHD_Connection *c, const desk_session_t *s,
                     bool csv, resp_t *rs, const desk_view_t *v)
{
    char errstr[256];
    desk_table_t table = DESK_TABLE_STATS;
    if (csv && desk_table_parse(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "table"),
                                &table) != ZS_OK) {
        error_page(rs, v, 400);
        return;
    }
    zs_buf_t stats, trend;
    zs_buf_init(&stats, (size_t)1 << 26);
    zs_buf_init(&trend, (size_t)1 << 26);
    zs_err_t err = desk_store_stats(srv->store, s->scope, srv->ack_ms, srv->measure_ms, &stats,
                                    errstr, sizeof(errstr));
    err = err ? err : desk_store_trend(srv->store, s->scope, &trend, errstr, sizeof(errstr));
    desk_overview_t o = {.stats = (const desk_stat_t *)stats.data,
                         .nstats = stats.len / sizeof(desk_stat_t),
                         .trend = (const desk_trend_t *)trend.data,
                         .ntrend = trend.len / sizeof(desk_trend_t)};
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "overview: %s", errstr);
        error_page(rs, v, 500);
    } else if (csv) {
        rs->type = "text/csv; charset=utf-8";
        desk_csv_overview(&rs->body, v, &o, table);
    } else {
        desk_page_overview(&rs->body, v, &o);
    }
    zs_buf_free(&stats);
    zs_buf_free(&trend);
}

static void action(desk_server_t *srv, const desk_session_t *s, const char *id,
                   const desk_form_t *form, resp_t *rs, const desk_view_t *v)
{
    desk_row_t row;
    char errstr[512], note[501], event_id[33];
    desk_action_t a;
    desk_measure_t m = DESK_MEASURE_NONE;
    if (!visible_warning(srv, s, id, &row, rs, v))
        return;
    const char *ms = desk_form_get(form, "measure"), *n = desk_form_get(form, "note");
    if (desk_action_parse(desk_form_get(form, "action"), &a) != ZS_OK ||
        (a == DESK_ACTION_MEASURE && desk_measure_parse(ms, &m) != ZS_OK)) {
        error_page(rs, v, 400);
        return;
    }
    desk_mask(n ? n : "", note, sizeof(note));
    int64_t now = desk_now(srv);
    desk_action_event_id(row.warning_id, a, s->login, m, note, now, event_id);
    desk_followup_t f = {.event_id = event_id,
                         .household_id = row.household_id,
                         .warning_id = row.warning_id,
                         .note = note,
                         .officer_id = s->login, /* from the session, never the form */
                         .action = a,
                         .measure = m,
                         .at = now};
    if (desk_action_publish(srv, &f, 15000, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "action %s on %s: %s", desk_action_symbol(a), row.warning_id, errstr);
        error_page(rs, v, 503);
        return;
    }
    /* Acknowledged by Kafka: shown now; the feed reads the same event_id
     * back as the same row. */
    if (desk_store_begin(srv->store, errstr, sizeof(errstr)) != ZS_OK ||
        desk_store_apply_followup(srv->store, &f, errstr, sizeof(errstr)) != ZS_OK ||
        desk_store_commit(srv->store, errstr, sizeof(errstr)) != ZS_OK) {
        desk_store_rollback(srv->store);
        zs_log(ZS_LOG_WARN, "action %s on %s: published; shown once read back: %s",
               desk_action_symbol(a), row.warning_id, errstr);
    }
    char detail[200];
    snprintf(detail, sizeof(detail), "officer=%s;event_id=%s%s%s", s->login, event_id,
             m != DESK_MEASURE_NONE ? ";measure=" : "", desk_measure_symbol(m));
    if (desk_action_audit(srv, "FOLLOWUP_RECORDED", &row, a, detail, errstr, sizeof(errstr)) !=
        ZS_OK)
        zs_log(ZS_LOG_ERROR, "audit: %s", errstr);
    zs_buf_t to;
    zs_buf_init(&to, 300);
    zs_buf_adds(&to, "/warning/");
    desk_url(&to, row.warning_id);
    zs_buf_addf(&to, "?done=%s", desk_action_symbol(a));
    redirect(rs, to.data ? to.data : "/");
    zs_buf_free(&to);
}

/* ---- the dispatcher ---- */

/* The path segment after prefix (decoded by MHD already), or NULL. */
static const char *after(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(url, prefix, n) != 0 || url[n] == '\0' || strchr(url + n, '/') != NULL)
        return NULL;
    return url + n;
}

static void route(desk_server_t *srv, struct MHD_Connection *c, const char *url, bool post,
                  req_t *rq, resp_t *rs)
{
    char tok[DESK_TOKEN_HEX + 2] = "", lt[DESK_TOKEN_HEX + 2] = "";
    const char *cookies = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
    desk_cookie_get(cookies, SESSION_COOKIE, tok, sizeof(tok));
    desk_cookie_get(cookies, LOGIN_COOKIE, lt, sizeof(lt));
    desk_session_t s;
    desk_user_t u;
    bool in = desk_sessions_get(srv->sessions, tok, desk_now(srv), &s);
    /* A user disabled (or removed) since signing in is out at once. */
    if (in && (desk_store_user_get(srv->store, s.login, &u) != ZS_OK || u.disabled)) {
        desk_sessions_close(srv->sessions, tok, s.login);
        in = false;
    }
    desk_view_t v = {.session = in ? &s : NULL,
                     .english = in && s.english,
                     .now = desk_now(srv),
                     .ack_ms = srv->ack_ms,
                     .measure_ms = srv->measure_ms,
                     .counties = srv->counties};
    desk_form_t form = {0};
    rs->status = 200;
    if (strcmp(url, "/static/desk.css") == 0 && !post) {
        rs->type = "text/css";
        zs_buf_adds(&rs->body, css);
        return;
    }
    if (post) {
        /* Every POST carries the form token of its session (or, for the
         * login form, of the login cookie); anything else is refused. */
        if (rq->too_large ||
            desk_form_parse(&form, rq->body.data ? rq->body.data : "", rq->body.len) != ZS_OK) {
            error_page(rs, &v, 400);
            goto done;
        }
        const char *csrf = desk_form_get(&form, "csrf");
        bool ok = strcmp(url, "/login") == 0 ? desk_token_equal(csrf, lt)
                                             : in && desk_token_equal(csrf, s.csrf);
        if (!ok) {
            zs_log(ZS_LOG_WARN, "POST %s refused: no valid CSRF token", url);
            error_page(rs, &v, 403);
            goto done;
        }
    }
    if (strcmp(url, "/login") == 0) {
        if (post)
            do_login(srv, c, &form, lt, rs, &v);
        else
            login_page(srv, rs, &v, lt, NULL);
        goto done;
    }
    if (!in) {
        redirect(rs, "/login");
        goto done;
    }
    const char *id;
    if (strcmp(url, "/logout") == 0 && post) {
        desk_sessions_close(srv->sessions, tok, NULL);
        set_cookie(srv, rs, 0, SESSION_COOKIE, "", true);
        redirect(rs, "/login");
    } else if (strcmp(url, "/settings") == 0 && post) {
        const char *lang = desk_form_get(&form, "lang");
        desk_sessions_set_english(srv->sessions, tok, lang && strcmp(lang, "en") == 0);
        redirect(rs, "/");
    } else if (strcmp(url, "/") == 0 && !post) {
        redirect(rs, desk_authz_page(s.role, DESK_PAGE_OVERVIEW) ? "/overview" : "/inbox");
    } else if (strcmp(url, "/inbox") == 0 && !post) {
        inbox(srv, c, &s, rs, &v);
    } else if ((id = after(url, "/warning/")) != NULL && !post) {
        warning(srv, c, &s, id, rs, &v);
    } else if (strncmp(url, "/warning/", 9) == 0 && post && strlen(url) > 16 &&
               strcmp(url + strlen(url) - 7, "/action") == 0) {
        char wid[128];
        size_t n = strlen(url) - 9 - 7;
        if (n >= sizeof(wid) || !desk_authz_page(s.role, DESK_PAGE_ACTION)) {
            error_page(rs, &v, desk_authz_page(s.role, DESK_PAGE_ACTION) ? 404 : 403);
        } else {
            memcpy(wid, url + 9, n);
            wid[n] = '\0';
            action(srv, &s, wid, &form, rs, &v);
        }
    } else if ((id = after(url, "/household/")) != NULL && !post) {
        household(srv, &s, id, rs, &v);
    } else if ((strcmp(url, "/overview") == 0 || strcmp(url, "/overview.csv") == 0) && !post) {
        if (!desk_authz_page(s.role, DESK_PAGE_OVERVIEW))
            error_page(rs, &v, 403);
        else
            overview(srv, c, &s, url[9] == '.', rs, &v);
    } else {
        error_page(rs, &v, 404);
    }
done:
    desk_form_free(&form);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    desk_server_t *srv = cls;
    bool post = strcmp(method, "POST") == 0;
    if (*con_cls == NULL) {
        req_t *rq = calloc(1, sizeof(*rq));
        if (rq == NULL)
            return MHD_NO;
        zs_buf_init(&rq->body, BODY_MAX);
        *con_cls = rq;
        return MHD_YES;
    }
    req_t *rq = *con_cls;
    if (*upload_size > 0) {
        /* A body is kept for POST only (up to BODY_MAX), and read either way. */
        if (post && zs_buf_add(&rq->body, upload_data, *upload_size) != ZS_OK)
            rq->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    resp_t rs = {.status = 200};
    zs_buf_init(&rs.body, (size_t)64 << 20);
    if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        rs.status = 405;
        zs_buf_adds(&rs.body, "method not allowed\n");
        rs.type = "text/plain";
    } else {
        route(srv, c, url, post, rq, &rs);
    }
    enum MHD_Result ok = send_resp(c, srv, &rs);
    zs_buf_free(&rs.body);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req_t *rq = *con_cls;
    if (rq != NULL) {
        zs_buf_free(&rq->body);
        free(rq);
    }
    *con_cls = NULL;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    zs_buf_t b;
    zs_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    if (f == NULL)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (zs_buf_add(&b, chunk, n) != ZS_OK)
            break;
    fclose(f);
    return b.data;
}

/* Reads listen (IPv4 HOST:PORT) into sin; plain HTTP only on loopback. */
static zs_err_t parse_listen(const char *listen, bool tls, struct sockaddr_in *sin, char *errstr,
                             size_t errstr_size)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    int port = colon ? atoi(colon + 1) : 0;
    if (colon == NULL || port <= 0 || port > 65535 || (size_t)(colon - listen) >= sizeof(host) ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--listen %s: not HOST:PORT", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "--listen %s: not an IPv4 address",
                       listen);
    if (!tls && (ntohl(sin->sin_addr.s_addr) >> 24) != 127)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "--listen %s: plain HTTP only on loopback (behind a reverse proxy); "
                       "give --cert and --key for TLS",
                       listen);
    return ZS_OK;
}

zs_err_t desk_http_check(const char *listen, const char *cert, const char *key, char *errstr,
                         size_t errstr_size)
{
    struct sockaddr_in sin;
    if ((cert == NULL) != (key == NULL))
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "TLS needs both --cert and --key");
    return parse_listen(listen, cert != NULL, &sin, errstr, errstr_size);
}

zs_err_t desk_http_run(desk_server_t *srv, const char *listen, const char *cert, const char *key,
                       char *errstr, size_t errstr_size)
{
    struct sockaddr_in sin;
    zs_err_t err = desk_http_check(listen, cert, key, errstr, errstr_size);
    err = err ? err : parse_listen(listen, cert != NULL, &sin, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    char *certpem = NULL, *keypem = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (cert != NULL || key != NULL) {
        if (cert == NULL || key == NULL || (certpem = read_file(cert)) == NULL ||
            (keypem = read_file(key)) == NULL) {
            free(certpem);
            return zs_fail(errstr, errstr_size, ZS_ERR_IO, "TLS needs readable --cert and --key");
        }
        flags |= MHD_USE_TLS;
        srv->tls = true;
    }
    struct MHD_Daemon *d =
        srv->tls ? MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
                                    &sin, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                    MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_HTTPS_MEM_CERT,
                                    certpem, MHD_OPTION_HTTPS_MEM_KEY, keypem, MHD_OPTION_END)
                 : MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
                                    &sin, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                    MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (d == NULL) {
        free(certpem);
        free(keypem);
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "cannot listen on %s%s", listen,
                       srv->tls ? " with TLS" : "");
    }
    zs_log(ZS_LOG_INFO, "listening on %s://%s", srv->tls ? "https" : "http", listen);
    while (!*srv->stop) {
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
        if (srv->producer != NULL)
            rd_kafka_poll(srv->producer, 0);
    }
    MHD_stop_daemon(d);
    free(certpem);
    free(keypem);
    return ZS_OK;
}
