/* desk_auth.h: zs-desk's security core as pure logic (consumers/DESK.md,
 * "Security"): password hashes (Argon2id), sessions with 256-bit random
 * tokens and idle and absolute timeouts, CSRF tokens, and login throttling
 * per account and per client address. No HTTP and no database here, and the
 * clock is the caller's, so unit tests take every boundary. */
#ifndef DESK_AUTH_H
#define DESK_AUTH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zs_err.h"

/* ---- passwords ---- */

/* Argon2id costs: passes, memory in KiB, lanes. */
typedef struct desk_pwcost {
    uint32_t t_cost, m_kib, lanes;
} desk_pwcost_t;

/* OWASP's first Argon2id choice (19 MiB, 2 passes, 1 lane); what users get. */
extern const desk_pwcost_t DESK_PWCOST_DEFAULT;

/* The longest encoded hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash). */
#define DESK_PWHASH_MAX 128
/* Passwords are 8 to 256 bytes. */
#define DESK_PASSWORD_MIN 8
#define DESK_PASSWORD_MAX 256

/* Hashes password with a fresh 16-byte random salt into encoded (NUL
 * terminated). ZS_ERR_INVALID for a password outside 8-256 bytes. */
zs_err_t desk_password_hash(const char *password, const desk_pwcost_t *cost,
                            char encoded[DESK_PWHASH_MAX], char *errstr, size_t errstr_size);

/* True when password matches encoded (an Argon2id hash as written above).
 * False for any other encoded text. */
bool desk_password_verify(const char *encoded, const char *password);

/* ---- random tokens ---- */

/* A token as text: 32 random bytes (256 bits) in lower-case hex. */
#define DESK_TOKEN_HEX 64
typedef char desk_token_t[DESK_TOKEN_HEX + 1];

/* Fills tok from the kernel's random source (getrandom). */
zs_err_t desk_token_new(desk_token_t tok);

/* True when a and b are equal tokens, in time independent of where they
 * differ; false when either is NULL or not exactly DESK_TOKEN_HEX hex
 * characters. */
bool desk_token_equal(const char *a, const char *b);

/* ---- roles and scopes ---- */

/* Who a user is (DESK.md, "Users and roles"). */
typedef enum desk_role {
    DESK_ROLE_OFFICER,  /* a county's officer: sees and acts on its county */
    DESK_ROLE_CITY,     /* a city's supervisor: its counties, read-only */
    DESK_ROLE_PROVINCE, /* the province: everything, read-only */
    DESK_ROLE_INSPECTOR /* everything read-only, plus each warning's audit trail */
} desk_role_t;

/* "officer" ... "inspector" to a role; ZS_ERR_INVALID otherwise. */
zs_err_t desk_role_parse(const char *s, desk_role_t *out);
const char *desk_role_name(desk_role_t role);

/* Checks that scope fits role: an officer a 6-digit county code, a city
 * supervisor its 4-digit city prefix, province and inspector a 2-digit
 * province prefix. ZS_ERR_INVALID with the reason. */
zs_err_t desk_scope_check(desk_role_t role, const char *scope, char *errstr, size_t errstr_size);

/* A login name: 1-32 characters of [0-9A-Za-z_.-]. */
bool desk_login_valid(const char *login);

/* ---- sessions ---- */

/* One signed-in user. */
typedef struct desk_session {
    char login[33];
    desk_role_t role;
    char scope[7];
    desk_token_t csrf; /* the form token of this session */
    bool english;      /* the user's language setting (default Chinese) */
    int64_t created;   /* ms */
    int64_t seen;      /* ms, last request */
} desk_session_t;

typedef struct desk_sessions desk_sessions_t;

/* A session table of at most capacity sessions, with timeouts in ms: idle
 * (since the last request) and absolute (since sign-in). *out is the
 * caller's (desk_sessions_free). Thread-safe. */
zs_err_t desk_sessions_new(size_t capacity, int64_t idle_ms, int64_t absolute_ms,
                           desk_sessions_t **out);
void desk_sessions_free(desk_sessions_t *s);

/* Opens a session for a user at now: a new token goes to tok (the cookie
 * value) and a new CSRF token into the session. When the table is full the
 * least recently seen session is dropped. */
zs_err_t desk_sessions_open(desk_sessions_t *s, const char *login, desk_role_t role,
                            const char *scope, bool english, int64_t now, desk_token_t tok);

/* Looks the token up at now: true and a copy in *out when it names a live
 * session, whose last-seen time moves to now; false for an unknown, expired
 * (idle or absolute) or malformed token, an expired session being removed. */
bool desk_sessions_get(desk_sessions_t *s, const char *tok, int64_t now, desk_session_t *out);

/* Changes a live session's language. */
void desk_sessions_set_english(desk_sessions_t *s, const char *tok, bool english);

/* Ends the session of tok (logout), and every session of login when login is
 * not NULL (a disabled user). */
void desk_sessions_close(desk_sessions_t *s, const char *tok, const char *login);

/* ---- login throttling ---- */

/* Failed logins counted per key ("user:NAME", "addr:1.2.3.4") in a window:
 * after limit failures within window_ms of the first, the key is refused
 * until the window has passed. A success clears the account's key. */
typedef struct desk_throttle desk_throttle_t;

zs_err_t desk_throttle_new(size_t capacity, int64_t window_ms, desk_throttle_t **out);
void desk_throttle_free(desk_throttle_t *t);

/* True when key may try now (fewer than limit failures in its window). */
bool desk_throttle_allows(desk_throttle_t *t, const char *key, int limit, int64_t now);
/* Counts a failure of key at now. */
void desk_throttle_fail(desk_throttle_t *t, const char *key, int64_t now);
/* Forgets key (a successful login). */
void desk_throttle_clear(desk_throttle_t *t, const char *key);

#endif
