/* test_mon_map.c: the monitor's household map (consumers/mon_map.c): put,
 * get, replace, and delete with the backward shift of linear probing, over
 * enough households to grow the table and wrap probes around its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mon_map.h"

#define N 5000

static void id_of(int i, char *out, size_t size)
{
    snprintf(out, size, "GX%07d", i);
}

/* Every id is present exactly when want(i) says so, with its own state. */
static void check(const mon_map_t *m, int n, int (*want)(int))
{
    size_t expected = 0;
    for (int i = 0; i < n; i++) {
        char id[16];
        id_of(i, id, sizeof(id));
        size_t len = 0;
        const void *state = mon_map_get(m, id, &len);
        if (want(i)) {
            expected++;
            assert_non_null(state);
            assert_int_equal(len, sizeof(int));
            int value = -1; /* states are bytes, not aligned for an int */
            memcpy(&value, state, sizeof(value));
            assert_int_equal(value, i);
        } else {
            assert_null(state);
        }
    }
    assert_int_equal(mon_map_count(m), expected);
    size_t it = 0, seen = 0, len;
    const char *id;
    const void *state;
    while (mon_map_next(m, &it, &id, &state, &len))
        seen++;
    assert_int_equal(seen, expected);
}

static int all(int i)
{
    (void)i;
    return 1;
}

static int not_third(int i)
{
    return i % 3 != 0;
}

static int none(int i)
{
    (void)i;
    return 0;
}

static void put_get_delete(void **state)
{
    (void)state;
    mon_map_t *m = NULL;
    assert_int_equal(mon_map_new(&m), ZS_OK);
    for (int i = 0; i < N; i++) {
        char id[16];
        id_of(i, id, sizeof(id));
        assert_int_equal(mon_map_put(m, id, &i, sizeof(i)), ZS_OK);
    }
    check(m, N, all);
    size_t full = mon_map_bytes(m);
    for (int i = 0; i < N; i += 3) {
        char id[16];
        id_of(i, id, sizeof(id));
        mon_map_del(m, id);
        mon_map_del(m, id); /* twice: nothing more */
    }
    check(m, N, not_third);
    assert_true(mon_map_bytes(m) < full);
    for (int i = 0; i < N; i++) {
        char id[16];
        id_of(i, id, sizeof(id));
        mon_map_del(m, id);
    }
    check(m, N, none);
    /* and the table still takes households after so many holes */
    for (int i = 0; i < N; i++) {
        char id[16];
        id_of(i, id, sizeof(id));
        assert_int_equal(mon_map_put(m, id, &i, sizeof(i)), ZS_OK);
    }
    check(m, N, all);
    mon_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(put_get_delete)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
