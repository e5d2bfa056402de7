/* test_mon_undo.c: the undo log of a zs-monitor transaction
 * (consumers/mon_undo.c): a household's state before the transaction's
 * first write is what an abort puts back (or its absence), later writes do
 * not replace it, partitions are kept apart, and a log past its bound or
 * without a map for a partition refuses to be applied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mon_undo.h"

#define N 3000

static void id_of(int i, char *out, size_t size)
{
    snprintf(out, size, "GX%07d", i);
}

/* The state a test gives household i in round r: a few bytes that differ
 * in length and content between rounds. */
static size_t state_of(int i, int r, unsigned char *out)
{
    size_t len = (size_t)(1 + (i + r) % 7);
    for (size_t k = 0; k < len; k++)
        out[k] = (unsigned char)(i * 31 + r * 7 + (int)k);
    return len;
}

/* Writes household i of map in round r as the monitor does: notes it
 * first, then puts it. */
static void write_noted(mon_undo_t *u, int32_t p, mon_map_t *map, int i, int r)
{
    char id[16];
    unsigned char st[8];
    size_t old_len = 0, len = state_of(i, r, st);
    id_of(i, id, sizeof(id));
    const void *old = mon_map_get(map, id, &old_len);
    mon_undo_note(u, p, id, old, old_len);
    assert_int_equal(mon_map_put(map, id, st, len), ZS_OK);
}

/* The map holds exactly households [0, n) with their round-r states. */
static void assert_round(const mon_map_t *map, int n, int r)
{
    assert_int_equal(mon_map_count(map), (size_t)n);
    for (int i = 0; i < n; i++) {
        char id[16];
        unsigned char st[8];
        size_t len = state_of(i, r, st), got = 0;
        id_of(i, id, sizeof(id));
        const void *have = mon_map_get(map, id, &got);
        assert_non_null(have);
        assert_int_equal(got, len);
        assert_memory_equal(have, st, len);
    }
}

/* Households changed, added and changed again in one transaction are put
 * back as they were before it: old bytes, or gone when they were absent. */
static void abort_puts_back_the_state_before_the_transaction(void **state)
{
    (void)state;
    mon_map_t *map = NULL;
    mon_undo_t *u = NULL;
    assert_int_equal(mon_map_new(&map), ZS_OK);
    assert_int_equal(mon_undo_new((size_t)64 << 20, &u), ZS_OK);
    for (int i = 0; i < N / 2; i++)
        write_noted(u, 0, map, i, 0);
    mon_undo_reset(u); /* committed: round 0 of the first half is the state */
    assert_int_equal(mon_undo_count(u), 0);
    for (int i = 0; i < N; i++) /* every other old one and every new one */
        if (i >= N / 2 || i % 2 == 0)
            write_noted(u, 0, map, i, 1);
    for (int i = 0; i < N; i += 3) /* some a second time: the first note counts */
        write_noted(u, 0, map, i, 2);
    assert_true(mon_undo_whole(u));
    size_t expected = (size_t)(N - N / 2 + (N / 2 + 1) / 2);
    for (int i = 0; i < N / 2; i += 3)
        expected += i % 2 != 0; /* old ones first written in round 2 */
    assert_int_equal(mon_undo_count(u), expected);
    mon_map_t *maps[1] = {map};
    size_t undone = 0;
    assert_int_equal(mon_undo_apply(u, maps, 1, &undone), ZS_OK);
    assert_int_equal(undone, expected);
    assert_round(map, N / 2, 0);
    mon_undo_free(u);
    mon_map_free(map);
}

/* The same id in two partitions is two households. */
static void partitions_are_kept_apart(void **state)
{
    (void)state;
    mon_map_t *maps[2] = {NULL, NULL};
    mon_undo_t *u = NULL;
    assert_int_equal(mon_undo_new(1 << 20, &u), ZS_OK);
    for (int p = 0; p < 2; p++) {
        assert_int_equal(mon_map_new(&maps[p]), ZS_OK);
        for (int i = 0; i < 10; i++)
            write_noted(NULL, p, maps[p], i, p);
    }
    for (int i = 0; i < 10; i++) {
        write_noted(u, 0, maps[0], i, 5);
        write_noted(u, 1, maps[1], i, 6);
    }
    assert_int_equal(mon_undo_count(u), 20);
    size_t undone = 0;
    assert_int_equal(mon_undo_apply(u, maps, 2, &undone), ZS_OK);
    assert_int_equal(undone, 20);
    assert_round(maps[0], 10, 0);
    assert_round(maps[1], 10, 1);
    /* A note of a partition it is given no map for: refused. */
    assert_int_equal(mon_undo_apply(u, maps, 1, &undone), ZS_ERR_NOT_FOUND);
    mon_undo_free(u);
    mon_map_free(maps[0]);
    mon_map_free(maps[1]);
}

/* A transaction that writes more than the bound: the log gives up, frees
 * what it held and cannot be applied; the next transaction starts whole. */
static void past_its_bound_the_log_gives_up(void **state)
{
    (void)state;
    mon_map_t *map = NULL;
    mon_undo_t *u = NULL;
    assert_int_equal(mon_map_new(&map), ZS_OK);
    assert_int_equal(mon_undo_new(4096, &u), ZS_OK);
    for (int i = 0; i < 5; i++)
        write_noted(u, 0, map, i, 0);
    assert_true(mon_undo_whole(u));
    assert_int_equal(mon_undo_count(u), 5);
    for (int i = 5; i < 200; i++)
        write_noted(u, 0, map, i, 0);
    assert_false(mon_undo_whole(u));
    assert_int_equal(mon_undo_count(u), 0);
    assert_int_equal(mon_undo_bytes(u), 0);
    size_t undone = 7;
    mon_map_t *maps[1] = {map};
    assert_int_equal(mon_undo_apply(u, maps, 1, &undone), ZS_ERR_INVALID);
    assert_int_equal(undone, 0);
    assert_int_equal(mon_map_count(map), 200); /* untouched */
    mon_undo_reset(u);
    assert_true(mon_undo_whole(u));
    write_noted(u, 0, map, 300, 0);
    assert_int_equal(mon_undo_apply(u, maps, 1, &undone), ZS_OK);
    assert_int_equal(undone, 1);
    assert_int_equal(mon_map_count(map), 200);
    mon_undo_free(u);
    mon_map_free(map);
}

/* A bound of 0: no note fits, the log is never whole once written to. */
static void a_bound_of_zero_never_undoes(void **state)
{
    (void)state;
    mon_undo_t *u = NULL;
    assert_int_equal(mon_undo_new(0, &u), ZS_OK);
    assert_true(mon_undo_whole(u)); /* a transaction that wrote nothing */
    mon_undo_note(u, 0, "H1", NULL, 0);
    assert_false(mon_undo_whole(u));
    mon_undo_free(u);
    mon_undo_free(NULL);
    mon_undo_reset(NULL);
    mon_undo_note(NULL, 0, "H1", NULL, 0);
    assert_false(mon_undo_whole(NULL));
}

/* A big transaction (a quarter close) is freed by the reset after it. */
static void a_reset_after_a_big_transaction_gives_memory_back(void **state)
{
    (void)state;
    mon_undo_t *u = NULL;
    static unsigned char blob[4096];
    assert_int_equal(mon_undo_new((size_t)64 << 20, &u), ZS_OK);
    for (int i = 0; i < 1000; i++) {
        char id[16];
        id_of(i, id, sizeof(id));
        mon_undo_note(u, 0, id, blob, sizeof(blob));
    }
    assert_true(mon_undo_whole(u));
    assert_true(mon_undo_bytes(u) > 1000 * sizeof(blob));
    mon_undo_reset(u);
    assert_int_equal(mon_undo_bytes(u), 0);
    assert_int_equal(mon_undo_count(u), 0);
    mon_undo_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(abort_puts_back_the_state_before_the_transaction),
        cmocka_unit_test(partitions_are_kept_apart),
        cmocka_unit_test(past_its_bound_the_log_gives_up),
        cmocka_unit_test(a_bound_of_zero_never_undoes),
        cmocka_unit_test(a_reset_after_a_big_transaction_gives_memory_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
