/* test_desk_auth.c: zs-desk's passwords, tokens, sessions, CSRF comparison,
 * login throttling, roles and scopes (consumers/desk_auth.c), boundaries
 * included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "desk_auth.h"

/* Cheap costs so the tests run fast under valgrind; the code path is the
 * one users get. */
static const desk_pwcost_t cheap = {.t_cost = 1, .m_kib = 64, .lanes = 1};

static void test_password_hash_and_verify(void **state)
{
    (void)state;
    char h1[DESK_PWHASH_MAX], h2[DESK_PWHASH_MAX], errstr[256];
    assert_int_equal(desk_password_hash("correct horse", &cheap, h1, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_int_equal(desk_password_hash("correct horse", &cheap, h2, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_true(strncmp(h1, "$argon2id$v=19$", 15) == 0);
    assert_string_not_equal(h1, h2); /* a fresh salt each time */
    assert_true(desk_password_verify(h1, "correct horse"));
    assert_true(desk_password_verify(h2, "correct horse"));
    assert_false(desk_password_verify(h1, "correct horsE"));
    assert_false(desk_password_verify(h1, "correct hors"));
    assert_false(desk_password_verify(h1, ""));
    /* Not an Argon2id hash: refused, whatever the password. */
    assert_false(desk_password_verify("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x"));
    assert_false(desk_password_verify("", ""));
    assert_false(desk_password_verify(NULL, "correct horse"));
    /* A tampered hash does not verify. */
    h1[strlen(h1) - 2] = h1[strlen(h1) - 2] == 'A' ? 'B' : 'A';
    assert_false(desk_password_verify(h1, "correct horse"));
}

static void test_password_length(void **state)
{
    (void)state;
    char h[DESK_PWHASH_MAX], errstr[256], pw[DESK_PASSWORD_MAX + 2];
    assert_int_equal(desk_password_hash("1234567", &cheap, h, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_non_null(strstr(errstr, "8 to 256"));
    assert_int_equal(desk_password_hash("12345678", &cheap, h, errstr, sizeof(errstr)), ZS_OK);
    memset(pw, 'a', DESK_PASSWORD_MAX);
    pw[DESK_PASSWORD_MAX] = '\0';
    assert_int_equal(desk_password_hash(pw, &cheap, h, errstr, sizeof(errstr)), ZS_OK);
    assert_true(desk_password_verify(h, pw));
    pw[DESK_PASSWORD_MAX] = 'a';
    pw[DESK_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(desk_password_hash(pw, &cheap, h, errstr, sizeof(errstr)), ZS_ERR_INVALID);
}

static void test_tokens(void **state)
{
    (void)state;
    desk_token_t a, b;
    assert_int_equal(desk_token_new(a), ZS_OK);
    assert_int_equal(desk_token_new(b), ZS_OK);
    assert_int_equal(strlen(a), 64); /* 256 bits */
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_not_equal(a, b);
    assert_true(desk_token_equal(a, a));
    assert_false(desk_token_equal(a, b));
    char c[DESK_TOKEN_HEX + 2];
    snprintf(c, sizeof(c), "%s", a);
    c[63] = c[63] == '0' ? '1' : '0';
    assert_false(desk_token_equal(a, c)); /* the last character differs */
    snprintf(c, sizeof(c), "%sa", a);
    assert_false(desk_token_equal(a, c)); /* one too long */
    c[62] = '\0';
    assert_false(desk_token_equal(c, c)); /* too short, even equal to itself */
    snprintf(c, sizeof(c), "%s", a);
    c[0] = 'A';
    assert_false(desk_token_equal(c, c)); /* upper case is not ours */
    assert_false(desk_token_equal(NULL, a));
    assert_false(desk_token_equal(a, NULL));
    assert_false(desk_token_equal("", ""));
}

static void test_sessions(void **state)
{
    (void)state;
    desk_sessions_t *s = NULL;
    desk_token_t t1, t2;
    desk_session_t got;
    /* 30 minutes idle, 12 hours absolute. */
    const int64_t idle = 30 * 60000, abs = 12 * 3600000, t0 = 1700000000000;
    assert_int_equal(desk_sessions_new(2, idle, abs, &s), ZS_OK);
    assert_int_equal(desk_sessions_open(s, "officer1", DESK_ROLE_OFFICER, "451227", false, t0, t1),
                     ZS_OK);
    assert_true(desk_sessions_get(s, t1, t0 + 1000, &got));
    assert_string_equal(got.login, "officer1");
    assert_string_equal(got.scope, "451227");
    assert_int_equal(got.role, DESK_ROLE_OFFICER);
    assert_int_equal(strlen(got.csrf), 64);
    assert_string_not_equal(got.csrf, t1); /* the form token is not the cookie */
    /* Idle: one ms short of the timeout is alive, and moves the clock. */
    assert_true(desk_sessions_get(s, t1, t0 + 1000 + idle - 1, &got));
    assert_true(desk_sessions_get(s, t1, t0 + 1000 + 2 * idle - 2, &got));
    /* ...and exactly the timeout after the last request ends it. */
    assert_false(desk_sessions_get(s, t1, t0 + 1000 + 3 * idle - 2, &got));
    assert_false(desk_sessions_get(s, t1, t0 + 1000, &got)); /* removed, not just expired */
    /* Absolute: kept busy, still ends 12 hours after sign-in. */
    assert_int_equal(desk_sessions_open(s, "prov", DESK_ROLE_PROVINCE, "45", true, t0, t2), ZS_OK);
    int64_t now = t0;
    for (; now + idle / 2 < t0 + abs; now += idle / 2)
        assert_true(desk_sessions_get(s, t2, now, &got));
    assert_true(got.english);
    assert_false(desk_sessions_get(s, t2, t0 + abs, &got));
    /* Logout. */
    assert_int_equal(desk_sessions_open(s, "a", DESK_ROLE_CITY, "4512", false, t0, t1), ZS_OK);
    desk_sessions_set_english(s, t1, true);
    assert_true(desk_sessions_get(s, t1, t0, &got));
    assert_true(got.english);
    desk_sessions_close(s, t1, NULL);
    assert_false(desk_sessions_get(s, t1, t0, &got));
    /* Unknown and malformed tokens. */
    assert_false(desk_sessions_get(s, "", t0, &got));
    assert_false(desk_sessions_get(s, NULL, t0, &got));
    assert_false(desk_sessions_get(s, "zz", t0, &got));
    /* Full table: the least recently seen goes; closing by login ends all of a user's. */
    assert_int_equal(desk_sessions_open(s, "u1", DESK_ROLE_CITY, "4512", false, t0, t1), ZS_OK);
    assert_int_equal(desk_sessions_open(s, "u2", DESK_ROLE_CITY, "4512", false, t0 + 5, t2), ZS_OK);
    desk_token_t t3;
    assert_int_equal(desk_sessions_open(s, "u3", DESK_ROLE_CITY, "4512", false, t0 + 9, t3), ZS_OK);
    assert_false(desk_sessions_get(s, t1, t0 + 10, &got));
    assert_true(desk_sessions_get(s, t2, t0 + 10, &got));
    desk_sessions_close(s, NULL, "u2");
    assert_false(desk_sessions_get(s, t2, t0 + 10, &got));
    assert_true(desk_sessions_get(s, t3, t0 + 10, &got));
    /* A login too long for a session is refused. */
    assert_int_equal(desk_sessions_open(s, "123456789012345678901234567890123", DESK_ROLE_CITY,
                                        "4512", false, t0, t1),
                     ZS_ERR_INVALID);
    desk_sessions_free(s);
    desk_sessions_free(NULL);
}

static void test_throttle(void **state)
{
    (void)state;
    desk_throttle_t *t = NULL;
    const int64_t window = 15 * 60000, t0 = 1700000000000;
    assert_int_equal(desk_throttle_new(3, window, &t), ZS_OK);
    for (int i = 0; i < 5; i++) {
        assert_true(desk_throttle_allows(t, "user:a", 5, t0 + i));
        desk_throttle_fail(t, "user:a", t0 + i);
    }
    /* Five failures: the sixth try is refused for the rest of the window. */
    assert_false(desk_throttle_allows(t, "user:a", 5, t0 + 10));
    assert_false(desk_throttle_allows(t, "user:a", 5, t0 + window - 1));
    assert_true(desk_throttle_allows(t, "user:a", 6, t0 + 10)); /* a higher limit */
    assert_true(desk_throttle_allows(t, "user:b", 5, t0 + 10)); /* others unaffected */
    assert_true(desk_throttle_allows(t, "user:a", 5, t0 + window));
    /* A success clears the account. */
    for (int i = 0; i < 5; i++)
        desk_throttle_fail(t, "user:c", t0);
    assert_false(desk_throttle_allows(t, "user:c", 5, t0 + 1));
    desk_throttle_clear(t, "user:c");
    assert_true(desk_throttle_allows(t, "user:c", 5, t0 + 1));
    /* More keys than slots: the oldest window is reused, never a crash. */
    for (int i = 0; i < 10; i++) {
        char k[16];
        snprintf(k, sizeof(k), "addr:%d", i);
        desk_throttle_fail(t, k, t0 + i);
    }
    desk_throttle_free(t);
    desk_throttle_free(NULL);
}

static void test_roles_scopes_logins(void **state)
{
    (void)state;
    desk_role_t r;
    char errstr[256];
    static const char *const names[] = {"officer", "city", "province", "inspector"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(desk_role_parse(names[i], &r), ZS_OK);
        assert_int_equal(r, i);
        assert_string_equal(desk_role_name(r), names[i]);
    }
    assert_int_equal(desk_role_parse("admin", &r), ZS_ERR_INVALID);
    assert_int_equal(desk_role_parse("Officer", &r), ZS_ERR_INVALID);
    assert_int_equal(desk_role_parse(NULL, &r), ZS_ERR_INVALID);
    assert_int_equal(desk_scope_check(DESK_ROLE_OFFICER, "451227", errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(desk_scope_check(DESK_ROLE_OFFICER, "4512", errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_non_null(strstr(errstr, "county code"));
    assert_int_equal(desk_scope_check(DESK_ROLE_CITY, "4512", errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(desk_scope_check(DESK_ROLE_CITY, "451227", errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_int_equal(desk_scope_check(DESK_ROLE_PROVINCE, "45", errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(desk_scope_check(DESK_ROLE_INSPECTOR, "45", errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(desk_scope_check(DESK_ROLE_PROVINCE, "4x", errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_int_equal(desk_scope_check(DESK_ROLE_PROVINCE, "", errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_int_equal(desk_scope_check(DESK_ROLE_PROVINCE, NULL, errstr, sizeof(errstr)),
                     ZS_ERR_INVALID);
    assert_true(desk_login_valid("officer.1_a-b"));
    assert_true(desk_login_valid("12345678901234567890123456789012"));
    assert_false(desk_login_valid("123456789012345678901234567890123"));
    assert_false(desk_login_valid(""));
    assert_false(desk_login_valid(NULL));
    assert_false(desk_login_valid("a b"));
    assert_false(desk_login_valid("a;b"));
    assert_false(desk_login_valid("张三"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash_and_verify),
        cmocka_unit_test(test_password_length),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_roles_scopes_logins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
