/* test_dead.c: the cap on a dead letter's payload (common/zs_dead.c): what is
 * kept whole, where a long payload is cut, and what the note says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_dead.h"

static void short_payload_travels_whole(void **state)
{
    (void)state;
    zs_dead_cap_t cap;
    zs_dead_payload_cap("abc", 3, 3, &cap);
    assert_int_equal(cap.len, 3);
    assert_false(cap.cut);
    assert_string_equal(cap.note, "");
    zs_dead_payload_cap(NULL, 0, 0, &cap);
    assert_int_equal(cap.len, 0);
    assert_false(cap.cut);
}

static void long_payload_cut_with_digest(void **state)
{
    (void)state;
    size_t len = ZS_DEAD_PAYLOAD_MAX * 16;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'a', len);
    zs_dead_cap_t cap;
    /* max 0: the default cap. */
    zs_dead_payload_cap(big, len, 0, &cap);
    assert_true(cap.cut);
    assert_int_equal(cap.len, ZS_DEAD_PAYLOAD_MAX);
    unsigned char want[ZS_SHA256_SIZE];
    zs_sha256(big, len, want);
    assert_memory_equal(cap.sha256, want, ZS_SHA256_SIZE);
    char hex[2 * ZS_SHA256_SIZE + 1], note[200];
    for (size_t i = 0; i < ZS_SHA256_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", want[i]);
    snprintf(note, sizeof(note),
             " [payload cut to its first %zu of %zu bytes; SHA-256 of the whole: %s]",
             ZS_DEAD_PAYLOAD_MAX, len, hex);
    assert_string_equal(cap.note, note);
    /* One byte over the cap is cut too. */
    zs_dead_payload_cap(big, 11, 10, &cap);
    assert_true(cap.cut);
    assert_int_equal(cap.len, 10);
    free(big);
}

/* Where a cut at max lands: never inside a UTF-8 sequence nor a digit run. */
typedef struct cut_case {
    const char *in;
    size_t max, want;
} cut_case_t;

static const cut_case_t cut_cases[] = {
    /* "ab" then 增 (3 bytes): a cut at 3 or 4 would split it. */
    {"ab\xe5\xa2\x9e"
     "cd",
     3, 2},
    {"ab\xe5\xa2\x9e"
     "cd",
     4, 2},
    {"ab\xe5\xa2\x9e"
     "cd",
     5, 5},
    /* An ID number cut after 10 digits: the cut moves before it. */
    {"name,11010519491231002X,x", 15, 5},
    /* Cut right after the ID number (at the comma): nothing moves. */
    {"name,11010519491231002X,x", 23, 23},
    /* Cut between its 17 digits and the X: before it too. */
    {"name,11010519491231002X,x", 22, 5},
    /* A payload of digits only is cut to nothing rather than to a piece. */
    {"110105194912310021", 10, 0},
};

static void cuts_at_safe_places(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cut_cases) / sizeof(cut_cases[0]); i++) {
        zs_dead_cap_t cap;
        zs_dead_payload_cap(cut_cases[i].in, strlen(cut_cases[i].in), cut_cases[i].max, &cap);
        if (cap.len != cut_cases[i].want || !cap.cut)
            fail_msg("case %zu: cut to %zu (cut %d), want %zu", i, cap.len, cap.cut,
                     cut_cases[i].want);
    }
}

/* A run of digits longer than the back-off is cut where it is: its piece is
 * not an ID number, and the payload is not emptied. */
static void long_digit_run_cut_in_place(void **state)
{
    (void)state;
    char run[300];
    memset(run, '7', sizeof(run) - 1);
    run[sizeof(run) - 1] = '\0';
    zs_dead_cap_t cap;
    zs_dead_payload_cap(run, strlen(run), 200, &cap);
    assert_true(cap.cut);
    assert_int_equal(cap.len, 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(short_payload_travels_whole),
        cmocka_unit_test(long_payload_cut_with_digest),
        cmocka_unit_test(cuts_at_safe_places),
        cmocka_unit_test(long_digit_run_cut_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
