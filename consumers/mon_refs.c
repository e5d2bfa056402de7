/* mon_refs.c: the input records a decision rests on (consumers/RULES.md
 * "Sources"). */
#include "mon_refs.h"

#include <stdio.h>

/* Adds one record to d's sources, unless its offset is unknown (a state of
 * format 3); past MON_REFS_MAX it only notes the cut. */
static void ref_add(mon_decision_t *d, mon_ref_kind_t kind, int64_t offset, const char *event_id)
{
    if (offset < 0)
        return;
    if (d->nrefs == MON_REFS_MAX) {
        d->refs_truncated = true;
        return;
    }
    mon_ref_t *r = &d->refs[d->nrefs++];
    r->kind = kind;
    r->offset = offset;
    snprintf(r->event_id, sizeof(r->event_id), "%s", event_id ? event_id : "");
}

void mon_refs_fill(const mon_hh_t *hh, const mon_refs_spec_t *r, const char *event_id,
                   zs_month_t opened, mon_decision_t *d)
{
    switch (r->what) {
    case MON_REFS_NONE:
        break;
    case MON_REFS_INCOME: /* newest first */
        for (size_t i = hh->nincomes; i > 0; i--) {
            const mon_income_t *s = &hh->incomes[i - 1];
            if (s->month >= r->first && s->month <= r->last)
                ref_add(d, MON_REF_INCOME, s->offset, s->event_id);
        }
        break;
    case MON_REFS_JOBS:
        for (size_t i = hh->njobs; i > 0; i--) {
            const mon_job_t *j = &hh->jobs[i - 1];
            if (j->person == r->person && j->month >= r->first && j->month <= r->last)
                ref_add(d, MON_REF_EMPLOYMENT, j->offset, j->event_id);
        }
        ref_add(d, MON_REF_HOUSEHOLD, hh->snapshot_offset, NULL); /* age, membership */
        break;
    case MON_REFS_SNAPSHOT:
    case MON_REFS_ENROLMENT:
        ref_add(d, MON_REF_HOUSEHOLD, hh->snapshot_offset, NULL);
        for (size_t i = hh->nsubsidies; i > 0 && r->what == MON_REFS_ENROLMENT; i--) {
            const mon_subsidy_t *s = &hh->subsidies[i - 1];
            if (s->paid && s->person == r->person && s->month >= r->first && s->month <= r->last &&
                (s->program == MON_PROGRAM_PENSION || s->program == MON_PROGRAM_DISABILITY))
                ref_add(d, MON_REF_SUBSIDY, s->offset, s->event_id);
        }
        break;
    case MON_REFS_ENTITLEMENT: {
        const mon_subsidy_t *due = r->due;
        for (size_t i = 0; i < hh->nsubsidies && due == NULL; i++) {
            const mon_subsidy_t *s = &hh->subsidies[i];
            if (!s->paid && s->person == r->person && s->program == r->program &&
                s->month == opened)
                due = s;
        }
        if (due == NULL)
            break;
        ref_add(d, MON_REF_SUBSIDY, due->offset, due->event_id);
        for (size_t i = 0; i < hh->nsubsidies; i++)
            if (mon_subsidy_pays(&hh->subsidies[i], due))
                ref_add(d, MON_REF_SUBSIDY, hh->subsidies[i].offset, hh->subsidies[i].event_id);
        break;
    }
    case MON_REFS_ONE:
        ref_add(d, r->kind, r->offset, event_id);
        break;
    }
}
