/* desk_auth.c: zs-desk's passwords, sessions, CSRF tokens and login
 * throttling (desk_auth.h). */
#include "desk_auth.h"

#include <argon2.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "zs_audit.h"

const desk_pwcost_t DESK_PWCOST_DEFAULT = {.t_cost = 2, .m_kib = 19 * 1024, .lanes = 1};

/* ---- random tokens ---- */

static zs_err_t random_bytes(unsigned char *out, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return ZS_ERR_IO;
        got += (size_t)r;
    }
    return ZS_OK;
}

zs_err_t desk_token_new(desk_token_t tok)
{
    unsigned char raw[DESK_TOKEN_HEX / 2];
    static const char hex[] = "0123456789abcdef";
    zs_err_t err = random_bytes(raw, sizeof(raw));
    if (err != ZS_OK)
        return err;
    for (size_t i = 0; i < sizeof(raw); i++) {
        tok[2 * i] = hex[raw[i] >> 4];
        tok[2 * i + 1] = hex[raw[i] & 15];
    }
    tok[DESK_TOKEN_HEX] = '\0';
    return ZS_OK;
}

static bool token_shaped(const char *s)
{
    if (s == NULL)
        return false;
    size_t i = 0;
    for (; s[i] != '\0' && i <= DESK_TOKEN_HEX; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return i == DESK_TOKEN_HEX;
}

bool desk_token_equal(const char *a, const char *b)
{
    if (!token_shaped(a) || !token_shaped(b))
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < DESK_TOKEN_HEX; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* ---- passwords ---- */

zs_err_t desk_password_hash(const char *password, const desk_pwcost_t *cost,
                            char encoded[DESK_PWHASH_MAX], char *errstr, size_t errstr_size)
{
    size_t len = strlen(password);
    if (len < DESK_PASSWORD_MIN || len > DESK_PASSWORD_MAX)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "a password has %d to %d bytes",
                       DESK_PASSWORD_MIN, DESK_PASSWORD_MAX);
    unsigned char salt[16];
    if (random_bytes(salt, sizeof(salt)) != ZS_OK)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "no random bytes for a salt");
    int rc = argon2id_hash_encoded(cost->t_cost, cost->m_kib, cost->lanes, password, len, salt,
                                   sizeof(salt), 32, encoded, DESK_PWHASH_MAX);
    if (rc != ARGON2_OK)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "argon2id: %s",
                       argon2_error_message(rc));
    return ZS_OK;
}

bool desk_password_verify(const char *encoded, const char *password)
{
    if (encoded == NULL || password == NULL || strncmp(encoded, "$argon2id$", 10) != 0)
        return false;
    size_t len = strlen(password);
    if (len > DESK_PASSWORD_MAX)
        return false;
    return argon2id_verify(encoded, password, len) == ARGON2_OK;
}

/* ---- roles and scopes ---- */

static const char *const role_names[] = {"officer", "city", "province", "inspector"};
/* The scope's length for each role: county, city, province. */
static const size_t scope_len[] = {6, 4, 2, 2};

zs_err_t desk_role_parse(const char *s, desk_role_t *out)
{
    for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
        if (s != NULL && strcmp(s, role_names[i]) == 0) {
            *out = (desk_role_t)i;
            return ZS_OK;
        }
    return ZS_ERR_INVALID;
}

const char *desk_role_name(desk_role_t role)
{
    return (unsigned)role < 4 ? role_names[role] : "?";
}

zs_err_t desk_scope_check(desk_role_t role, const char *scope, char *errstr, size_t errstr_size)
{
    size_t want = scope_len[(unsigned)role < 4 ? role : 0], n = scope ? strlen(scope) : 0;
    if (n != want || strspn(scope, "0123456789") != n)
        return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                       "--scope for role %s is %zu digits (%s)", desk_role_name(role), want,
                       want == 6   ? "a county code"
                       : want == 4 ? "a city prefix"
                                   : "a province prefix");
    return ZS_OK;
}

bool desk_login_valid(const char *login)
{
    size_t n = login ? strlen(login) : 0;
    return n >= 1 && n <= 32 &&
           strspn(login, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.-") == n;
}

/* ---- sessions ---- */

typedef struct slot {
    bool used;
    unsigned char key[ZS_SHA256_SIZE]; /* SHA-256 of the cookie token: the token is not kept */
    desk_session_t s;
} slot_t;

struct desk_sessions {
    pthread_mutex_t lock;
    slot_t *slots;
    size_t n;
    int64_t idle_ms, absolute_ms;
};

zs_err_t desk_sessions_new(size_t capacity, int64_t idle_ms, int64_t absolute_ms,
                           desk_sessions_t **out)
{
    desk_sessions_t *s = calloc(1, sizeof(*s));
    if (s == NULL || capacity == 0 || (s->slots = calloc(capacity, sizeof(slot_t))) == NULL) {
        free(s);
        return ZS_ERR_NOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->n = capacity;
    s->idle_ms = idle_ms;
    s->absolute_ms = absolute_ms;
    *out = s;
    return ZS_OK;
}

void desk_sessions_free(desk_sessions_t *s)
{
    if (s == NULL)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s->slots);
    free(s);
}

static bool key_equal(const unsigned char *a, const unsigned char *b)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < ZS_SHA256_SIZE; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

zs_err_t desk_sessions_open(desk_sessions_t *s, const char *login, desk_role_t role,
                            const char *scope, bool english, int64_t now, desk_token_t tok)
{
    desk_session_t n = {.role = role, .english = english, .created = now, .seen = now};
    if (strlen(login) >= sizeof(n.login) || strlen(scope) >= sizeof(n.scope))
        return ZS_ERR_INVALID;
    snprintf(n.login, sizeof(n.login), "%s", login);
    snprintf(n.scope, sizeof(n.scope), "%s", scope);
    zs_err_t err = desk_token_new(tok);
    if (err == ZS_OK)
        err = desk_token_new(n.csrf);
    if (err != ZS_OK)
        return err;
    pthread_mutex_lock(&s->lock);
    size_t pick = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->slots[i].used) {
            pick = i;
            break;
        }
        if (s->slots[i].s.seen < s->slots[pick].s.seen)
            pick = i;
    }
    s->slots[pick].used = true;
    zs_sha256(tok, DESK_TOKEN_HEX, s->slots[pick].key);
    s->slots[pick].s = n;
    pthread_mutex_unlock(&s->lock);
    return ZS_OK;
}

/* The live slot of tok, expired ones dropped on the way; the lock is held. */
static slot_t *find(desk_sessions_t *s, const char *tok, int64_t now)
{
    if (!token_shaped(tok))
        return NULL;
    unsigned char key[ZS_SHA256_SIZE];
    zs_sha256(tok, DESK_TOKEN_HEX, key);
    for (size_t i = 0; i < s->n; i++) {
        slot_t *sl = &s->slots[i];
        if (!sl->used || !key_equal(sl->key, key))
            continue;
        if (now >= 0 && (now - sl->s.seen >= s->idle_ms || now - sl->s.created >= s->absolute_ms)) {
            memset(sl, 0, sizeof(*sl));
            return NULL;
        }
        return sl;
    }
    return NULL;
}

bool desk_sessions_get(desk_sessions_t *s, const char *tok, int64_t now, desk_session_t *out)
{
    pthread_mutex_lock(&s->lock);
    slot_t *sl = find(s, tok, now);
    if (sl != NULL) {
        sl->s.seen = now;
        *out = sl->s;
    }
    pthread_mutex_unlock(&s->lock);
    return sl != NULL;
}

void desk_sessions_set_english(desk_sessions_t *s, const char *tok, bool english)
{
    pthread_mutex_lock(&s->lock);
    slot_t *sl = find(s, tok, -1);
    if (sl != NULL)
        sl->s.english = english;
    pthread_mutex_unlock(&s->lock);
}

void desk_sessions_close(desk_sessions_t *s, const char *tok, const char *login)
{
    pthread_mutex_lock(&s->lock);
    slot_t *sl = tok ? find(s, tok, -1) : NULL;
    if (sl != NULL)
        memset(sl, 0, sizeof(*sl));
    for (size_t i = 0; login != NULL && i < s->n; i++)
        if (s->slots[i].used && strcmp(s->slots[i].s.login, login) == 0)
            memset(&s->slots[i], 0, sizeof(slot_t));
    pthread_mutex_unlock(&s->lock);
}

/* ---- login throttling ---- */

typedef struct tslot {
    char key[80];
    int failures;
    int64_t first; /* ms, the first failure of the window */
} tslot_t;

struct desk_throttle {
    pthread_mutex_t lock;
    tslot_t *slots;
    size_t n;
    int64_t window_ms;
};

zs_err_t desk_throttle_new(size_t capacity, int64_t window_ms, desk_throttle_t **out)
{
    desk_throttle_t *t = calloc(1, sizeof(*t));
    if (t == NULL || capacity == 0 || (t->slots = calloc(capacity, sizeof(tslot_t))) == NULL) {
        free(t);
        return ZS_ERR_NOMEM;
    }
    pthread_mutex_init(&t->lock, NULL);
    t->n = capacity;
    t->window_ms = window_ms;
    *out = t;
    return ZS_OK;
}

void desk_throttle_free(desk_throttle_t *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->slots);
    free(t);
}

/* The slot of key (lock held); NULL when none. A window that has passed is
 * emptied. */
static tslot_t *tfind(desk_throttle_t *t, const char *key, int64_t now)
{
    for (size_t i = 0; i < t->n; i++) {
        tslot_t *sl = &t->slots[i];
        if (sl->failures == 0 || strncmp(sl->key, key, sizeof(sl->key) - 1) != 0)
            continue;
        if (now >= 0 && now - sl->first >= t->window_ms) {
            memset(sl, 0, sizeof(*sl));
            return NULL;
        }
        return sl;
    }
    return NULL;
}

bool desk_throttle_allows(desk_throttle_t *t, const char *key, int limit, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    tslot_t *sl = tfind(t, key, now);
    bool ok = sl == NULL || sl->failures < limit;
    pthread_mutex_unlock(&t->lock);
    return ok;
}

void desk_throttle_fail(desk_throttle_t *t, const char *key, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    tslot_t *sl = tfind(t, key, now);
    if (sl == NULL) {
        /* A free slot, else the oldest window. */
        sl = &t->slots[0];
        for (size_t i = 0; i < t->n; i++) {
            if (t->slots[i].failures == 0) {
                sl = &t->slots[i];
                break;
            }
            if (t->slots[i].first < sl->first)
                sl = &t->slots[i];
        }
        memset(sl, 0, sizeof(*sl));
        snprintf(sl->key, sizeof(sl->key), "%s", key);
        sl->first = now;
    }
    sl->failures++;
    pthread_mutex_unlock(&t->lock);
}

void desk_throttle_clear(desk_throttle_t *t, const char *key)
{
    pthread_mutex_lock(&t->lock);
    tslot_t *sl = tfind(t, key, -1);
    if (sl != NULL)
        memset(sl, 0, sizeof(*sl));
    pthread_mutex_unlock(&t->lock);
}
