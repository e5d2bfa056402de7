/* mon_refs.h: the input records a decision of the rules rests on
 * (Warning.sources; consumers/RULES.md "Sources"), found in one household's
 * state by their kind and offset. Pure: no Kafka, no I/O. */
#ifndef MON_REFS_H
#define MON_REFS_H

#include <stdint.h>

#include "mon_rules.h"
#include "mon_state.h"
#include "zs_period.h"

/* Which records a decision rests on. */
typedef enum mon_refs_what {
    MON_REFS_NONE,
    MON_REFS_INCOME,      /* the standing income statements of months first..last */
    MON_REFS_JOBS,        /* person's employment statements of first..last, the snapshot */
    MON_REFS_SNAPSHOT,    /* the household snapshot */
    MON_REFS_ENROLMENT,   /* the snapshot, person's PENSION/DISABILITY payments of first..last */
    MON_REFS_ENTITLEMENT, /* a DUE and its PAIDs */
    MON_REFS_ONE,         /* one record: kind, offset, the decision's event_id */
} mon_refs_what_t;

typedef struct mon_refs_spec {
    mon_refs_what_t what;
    zs_month_t first, last;
    int person;               /* -1: a household-level programme */
    int program;              /* of an entitlement */
    const mon_subsidy_t *due; /* the entitlement; NULL: the one of the episode's month */
    mon_ref_kind_t kind;      /* of MON_REFS_ONE */
    int64_t offset;           /* of MON_REFS_ONE */
} mon_refs_spec_t;

/* Lists in d (refs, nrefs, refs_truncated) the records of hh that spec
 * names, in the order of RULES.md "Sources", at most MON_REFS_MAX; a record
 * whose offset hh does not know (-1) is left out. event_id: the record of
 * MON_REFS_ONE's; opened: the episode's month (the entitlement of a
 * CLEARED subsidy warning). */
void mon_refs_fill(const mon_hh_t *hh, const mon_refs_spec_t *spec, const char *event_id,
                   zs_month_t opened, mon_decision_t *d);

#endif
