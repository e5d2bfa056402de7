/* test_mon_truth.c: the monitor's rules (consumers/mon_rules.c) against
 * zs-simulate's ground truth (producers/sim_truth.c), two implementations of
 * consumers/RULES.md written apart: thousands of generated households, a
 * third of them with an injected case, each fed event by event into a
 * monitor state (shuffled, with every record sent twice, the state written
 * to its compact form and read back between quarters), closed quarter by
 * quarter; every decision and finding must be the truth's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mon_rules.h"
#include "mon_state.h"
#include "sim_gen.h"
#include "sim_truth.h"
#include "zs_county.h"

/* Households compared; ZS_MON_TRUTH_HOUSEHOLDS overrides (tests/run.sh sets
 * fewer under valgrind, which runs this some 40 times slower). */
#define HOUSEHOLDS 3000
#define QUARTERS   8

/* One record of a household, to shuffle them. */
typedef struct event {
    char kind; /* i, j, s, c */
    const void *rec;
} event_t;

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void feed(mon_hh_t *st, const sim_household_t *hh, event_t *ev, size_t n)
{
    size_t nm;
    const sim_member_t *mem = sim_members(hh, &nm);
    mon_member_in_t in[64];
    assert_true(nm <= 64);
    for (size_t i = 0; i < nm; i++)
        in[i] = (mon_member_in_t){.person_id = mem[i].person_id,
                                  .birth_year = mem[i].birth_year,
                                  .labor = (int)mem[i].labor,
                                  .disability = mem[i].disability,
                                  .active = mem[i].active};
    mon_applied_t a;
    /* Shuffle: the order of arrival must not matter. */
    for (size_t i = n; i > 1; i--) {
        size_t k = (size_t)(next_rand() % i);
        event_t t = ev[i - 1];
        ev[i - 1] = ev[k];
        ev[k] = t;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == n / 2) /* the snapshot arrives in the middle of the data */
            assert_int_equal(mon_apply_household(st, "450102", 0, 1, in, nm, -1, &a), ZS_OK);
        for (int twice = 0; twice < 2; twice++) {
            if (ev[i].kind == 'i') {
                const sim_income_t *x = ev[i].rec;
                assert_int_equal(mon_apply_income(st, x->event_id, x->month, (int)x->component,
                                                  x->source, x->fen, x->reported_ms, -1, &a),
                                 ZS_OK);
            } else if (ev[i].kind == 'j') {
                const sim_job_t *x = ev[i].rec;
                assert_int_equal(mon_apply_job(st, x->event_id, mem[x->member].person_id, x->month,
                                               (int)x->status, x->wants_work, x->reported_ms, -1,
                                               &a),
                                 ZS_OK);
            } else if (ev[i].kind == 's') {
                const sim_subsidy_t *x = ev[i].rec;
                assert_int_equal(mon_apply_subsidy(st, x->event_id,
                                                   x->member < 0 ? NULL : mem[x->member].person_id,
                                                   (int)x->program, x->paid, x->month, x->fen,
                                                   x->reported_ms, -1, &a),
                                 ZS_OK);
            } else {
                const sim_cost_t *x = ev[i].rec;
                assert_int_equal(mon_apply_cost(st, x->event_id, x->month, (int)x->kind, x->fen,
                                                x->reported_ms, -1, &a),
                                 ZS_OK);
            }
            if (twice == 0 && next_rand() % 4 != 0)
                break; /* a quarter of the records arrive twice */
        }
    }
    if (n < 2)
        assert_int_equal(mon_apply_household(st, "450102", 0, 1, in, nm, -1, &a), ZS_OK);
}

static size_t collect(const sim_household_t *hh, event_t **buf, size_t *cap)
{
    size_t ni, nj, ns, nc;
    const sim_income_t *inc = sim_incomes(hh, &ni);
    const sim_job_t *jobs = sim_jobs(hh, &nj);
    const sim_subsidy_t *sub = sim_subsidies(hh, &ns);
    const sim_cost_t *costs = sim_costs(hh, &nc);
    size_t n = ni + nj + ns + nc;
    if (n > *cap) {
        *cap = n;
        *buf = realloc(*buf, n * sizeof(**buf));
        assert_non_null(*buf);
    }
    event_t *ev = *buf;
    size_t k = 0;
    for (size_t i = 0; i < ni; i++)
        ev[k++] = (event_t){'i', &inc[i]};
    for (size_t i = 0; i < nj; i++)
        ev[k++] = (event_t){'j', &jobs[i]};
    for (size_t i = 0; i < ns; i++)
        ev[k++] = (event_t){'s', &sub[i]};
    for (size_t i = 0; i < nc; i++)
        ev[k++] = (event_t){'c', &costs[i]};
    return n;
}

static const char *const status_names[] = {"OPEN", "UPDATED", "CLEARED"};

/* "quarter rule subject status period opened": one decision as text. */
typedef char line_t[160];

static void line(line_t out, zs_quarter_t q, const char *rule, const char *subject,
                 const char *status, zs_month_t period, zs_month_t opened)
{
    snprintf(out, sizeof(line_t), "%d %s %s %s %d %d", q, rule, subject, status, period, opened);
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bool has_line(const line_t *lines, size_t n, const line_t l)
{
    return bsearch(l, lines, n, sizeof(line_t), cmp_line) != NULL;
}

static void test_same_as_truth(void **state)
{
    (void)state;
    char err[512] = "", path[1024];
    snprintf(path, sizeof(path), "%s/guangxi-counties.csv", getenv("ZS_DATA_DIR"));
    zs_county_table_t *counties = NULL;
    assert_int_equal(zs_county_load(path, &counties, err, sizeof(err)), ZS_OK);
    zs_quarter_t from = 2023 * 4; /* 2023Q1 */
    sim_gen_opts_t opts = {.seed = 7, .from = from, .quarters = QUARTERS, .inject_share = 0.35};
    sim_gen_t *gen = NULL;
    assert_int_equal(sim_gen_new(counties, &opts, &gen, err, sizeof(err)), ZS_OK);
    sim_truth_t *truth = NULL;
    assert_int_equal(sim_truth_new(&truth), ZS_OK);
    sim_rules_t sim_rules;
    sim_rules_default(&sim_rules);
    mon_rules_t rules;
    mon_rules_default(&rules);
    sim_household_t hh;
    sim_household_init(&hh);
    mon_hh_t st;
    mon_hh_init(&st);
    mon_out_t out;
    mon_out_init(&out);
    zs_buf_t blob;
    zs_buf_init(&blob, (size_t)1 << 24);
    event_t *ev = NULL;
    size_t cap = 0, opened = 0, decisions = 0, findings = 0, bytes = 0;
    const char *env = getenv("ZS_MON_TRUTH_HOUSEHOLDS");
    char *end = NULL;
    long households = env != NULL ? strtol(env, &end, 10) : 0;
    if (env == NULL || end == env || *end != '\0' || households < 1)
        households = HOUSEHOLDS;
    for (uint64_t h = 0; h < (uint64_t)households; h++) {
        sim_injection_t inj;
        assert_int_equal(sim_gen_household(gen, h, &hh, &inj, err, sizeof(err)), ZS_OK);
        assert_int_equal(
            sim_truth_evaluate(truth, &hh, &sim_rules, from, QUARTERS, err, sizeof(err)), ZS_OK);
        mon_hh_clear(&st, hh.household_id);
        size_t n = collect(&hh, &ev, &cap);
        feed(&st, &hh, ev, n);
        /* The truth's decisions; its UPDATED are "still holds", the
         * monitor's only those with a changed figure. */
        size_t nt, nd = 0;
        const sim_transition_t *t = sim_truth_transitions(truth, &nt);
        assert_true(nt <= 512);
        static line_t want[512], got[512], updated[512];
        size_t nwant = 0, ngot = 0, nupdated = 0;
        for (size_t i = 0; i < nt; i++) {
            const char *status = status_names[t[i].action == SIM_OPEN      ? MON_OPEN
                                              : t[i].action == SIM_UPDATED ? MON_UPDATED
                                                                           : MON_CLEARED];
            line(t[i].action == SIM_UPDATED ? updated[nupdated++] : want[nwant++], t[i].quarter,
                 sim_rule_name(t[i].rule), t[i].subject, status, t[i].period, t[i].opened);
        }
        qsort(updated, nupdated, sizeof(line_t), cmp_line);
        mon_out_reset(&out);
        for (zs_quarter_t q = from; q < from + QUARTERS; q++) {
            size_t before = mon_out_decisions(&out, &nd) ? nd : 0;
            assert_int_equal(mon_close_quarter(&rules, &st, q, &out), ZS_OK);
            const mon_decision_t *d = mon_out_decisions(&out, &nd);
            for (size_t i = before; i < nd; i++) {
                line_t l;
                line(l, q, mon_rule_name(d[i].rule), d[i].subject, status_names[d[i].status],
                     d[i].period, d[i].opened);
                if (d[i].status == MON_UPDATED) {
                    if (!has_line(updated, nupdated, l))
                        fail_msg("household %s (case %s): UPDATED the truth has not: %s",
                                 hh.household_id, sim_case_name(inj.kase), l);
                } else {
                    assert_true(ngot < 512);
                    memcpy(got[ngot++], l, sizeof(line_t));
                    opened += d[i].status == MON_OPEN;
                }
            }
            mon_hh_prune(&st, zs_quarter_first_month(q - 7));
            zs_buf_reset(&blob);
            assert_int_equal(mon_hh_encode(&st, &blob), ZS_OK);
            bytes += blob.len;
            assert_int_equal(
                mon_hh_decode(&st, hh.household_id, blob.data, blob.len, err, sizeof(err)), ZS_OK);
        }
        qsort(want, nwant, sizeof(line_t), cmp_line);
        qsort(got, ngot, sizeof(line_t), cmp_line);
        for (size_t i = 0; i < nwant || i < ngot; i++)
            if (i >= nwant || i >= ngot || strcmp(want[i], got[i]) != 0)
                fail_msg("household %s (case %s): decision %zu: the truth has \"%s\", the "
                         "monitor \"%s\"",
                         hh.household_id, sim_case_name(inj.kase), i, i < nwant ? want[i] : "-",
                         i < ngot ? got[i] : "-");
        decisions += nd;
        size_t nf, mf;
        const sim_found_t *tf = sim_truth_findings(truth, &nf);
        const mon_finding_t *f = mon_out_findings(&out, &mf);
        /* The truth keeps one finding per (finding, period). */
        size_t distinct = 0;
        for (size_t i = 0; i < mf; i++) {
            bool repeat = false;
            for (size_t j = 0; j < i && !repeat; j++)
                repeat = f[j].kind == f[i].kind && f[j].period == f[i].period;
            if (repeat)
                continue;
            distinct++;
            bool found = false;
            for (size_t j = 0; j < nf && !found; j++)
                found = strcmp(sim_finding_name(tf[j].finding), mon_finding_name(f[i].kind)) == 0 &&
                        tf[j].period == f[i].period;
            if (!found)
                fail_msg("household %s: finding %s at %d is not the truth's", hh.household_id,
                         mon_finding_name(f[i].kind), f[i].period);
        }
        assert_int_equal(distinct, nf);
        findings += nf;
    }
    print_message("%ld households: %zu decisions (%zu opened), %zu findings, %zu bytes of state "
                  "on average at a close\n",
                  households, decisions, opened, findings, bytes / ((size_t)households * QUARTERS));
    assert_true(opened > (size_t)households / 2); /* the comparison compared something */
    free(ev);
    zs_buf_free(&blob);
    mon_out_free(&out);
    mon_hh_free(&st);
    sim_household_free(&hh);
    sim_truth_free(truth);
    sim_gen_free(gen);
    zs_county_table_free(counties);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_truth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
