/* sim_live.h: zs-simulate --live: the region delivered the way registries
 * deliver it, month by month while the monitor runs, instead of in one
 * batch before every close.
 *
 * Time is cut into monthly pushes ("slots", named by their month): the push
 * of month s carries what the registries reported during month s - 1, so a
 * record's slot follows from its reported_at; everything reported before
 * the span arrives in the first push (the onboarding export). Within a push
 * the registries come in a random order. Each input topic closes quarter Q
 * at its own moment: in the push of the second or the third month after Q
 * (drawn per topic and quarter), right after that topic's own file of the
 * push, so a topic's close follows all it reported for Q.
 *
 * What a live feed has that a batch has not:
 * - late corrections: a household's income statement of a closed quarter
 *   replaced months later with another figure (a new event_id, reported
 *   after the quarter's close);
 * - late payments: a PAID reported after its entitlement's deadline and
 *   after the close that checks it (SUBSIDY_MISSING opens, then clears when
 *   the payment arrives);
 * - household snapshots pushed again mid-quarter with a later updated_at:
 *   the same members, or (background households without a late record)
 *   one active member moved out, listed inactive from then on;
 * - the natural lateness of the data (a correction reported ten days after
 *   its statement may fall after the close).
 * Late records go to background households only (no injected case), at most
 * one per household, so that no household has late records on two topics
 * in one epoch (the order the monitor reads topics in would matter).
 *
 * Every record gets its epoch (sim_household.h), from which sim_truth works
 * out what a correct monitor writes for this order of arrival. */
#ifndef SIM_LIVE_H
#define SIM_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_household.h"
#include "zs_err.h"
#include "zs_period.h"

typedef struct sim_live sim_live_t;

/* What the feed holds, for the summary and README.txt. */
typedef struct sim_live_stats {
    uint64_t late_corrections, late_payments, snapshots_again, members_left, late_records, pushes,
        closes;
} sim_live_stats_t;

/* Starts the feed in DIR/live (created). late_share: the share of
 * background households given a late record (half corrections, half
 * payments). *out is the caller's: sim_live_close, then sim_live_free. */
zs_err_t sim_live_open(const char *dir, uint64_t seed, zs_quarter_t from, int quarters,
                       double late_share, sim_live_t **out, char *errstr, size_t errstr_size);

/* Household number index: adds its late record (background only), sets
 * every record's epoch, and writes its rows into the pushes they belong to. */
zs_err_t sim_live_household(sim_live_t *l, uint64_t index, sim_household_t *hh, bool background,
                            char *errstr, size_t errstr_size);

/* Writes DIR/live/schedule.txt (the pushes and closes in order) and closes
 * every file; ZS_ERR_IO names the first that failed. */
zs_err_t sim_live_close(sim_live_t *l, char *errstr, size_t errstr_size);

const sim_live_stats_t *sim_live_stats(const sim_live_t *l);
/* Bytes written to every push's files so far. */
uint64_t sim_live_bytes(const sim_live_t *l);

/* NULL is fine. */
void sim_live_free(sim_live_t *l);

#endif
