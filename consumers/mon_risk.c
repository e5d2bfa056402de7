/* mon_risk.c: which of the plan's risk types (因病, 因残, 因学, 因灾, 因意外事故,
 * 因产业失败, 因务工就业不稳, 缺劳动力, 其他) a warning points to, told from
 * its evidence and the household's state (consumers/RULES.md "Risk
 * types"), so that counties can file it and pick the matching measure. */
#include "mon_risk.h"

/* HardshipRecord's cause, in schema order: MEDICAL, DISASTER, ACCIDENT,
 * EDUCATION, OTHER. */
static const mon_risk_t cost_risks[MON_COST_KINDS] = {
    MON_RISK_ILLNESS, MON_RISK_DISASTER, MON_RISK_ACCIDENT, MON_RISK_EDUCATION, MON_RISK_OTHER};

/* SubsidyProgram YULU (雨露计划, the education subsidy), in schema order. */
enum { PROGRAM_YULU = 7 };

static mon_risk_t cost_risk(int kind)
{
    return kind >= 0 && kind < MON_COST_KINDS ? cost_risks[kind] : MON_RISK_OTHER;
}

/* Plan item 26 (分析收入低或收入下降的原因): the income rules' risk type.
 * 1. the household total that fell most over a year: WAGE → 因务工就业不稳,
 *    net operating (OPERATING − EXPENSE) → 因产业失败 (ties to the first);
 * 2. else the largest hardship cost of the 12 months ending with period,
 *    by its cause (a cause OTHER tells nothing; ties to the earliest);
 * 3. else labour under labour_share_bp of active members → 缺劳动力;
 * 4. else 其他. */
static mon_risk_t income_risk(const mon_hh_t *hh, const mon_evidence_t *e, zs_month_t period,
                              int64_t labour_share_bp)
{
    if (e->has_prev_components) {
        int64_t wage = e->previous[MON_WAGE] - e->current[MON_WAGE];
        int64_t operating = (e->previous[MON_OPERATING] - e->previous[MON_EXPENSE]) -
                            (e->current[MON_OPERATING] - e->current[MON_EXPENSE]);
        int64_t other = (e->previous[MON_PROPERTY] + e->previous[MON_TRANSFER]) -
                        (e->current[MON_PROPERTY] + e->current[MON_TRANSFER]);
        if (wage > 0 && wage >= operating && wage >= other)
            return MON_RISK_UNSTABLE_EMPLOYMENT;
        if (operating > 0 && operating > wage && operating >= other)
            return MON_RISK_INDUSTRY_FAILURE;
    }
    const mon_cost_t *largest = NULL;
    for (size_t i = 0; i < hh->ncosts; i++) {
        const mon_cost_t *c = &hh->costs[i];
        if (c->month < period - 11 || c->month > period || c->fen <= 0 ||
            cost_risk(c->kind) == MON_RISK_OTHER)
            continue;
        if (largest == NULL || c->fen > largest->fen ||
            (c->fen == largest->fen && c->month < largest->month))
            largest = c;
    }
    if (largest != NULL)
        return cost_risk(largest->kind);
    int64_t active = 0, labour = 0;
    for (size_t i = 0; i < hh->npersons; i++) {
        const mon_person_t *p = &hh->persons[i];
        if (p->member && p->active) {
            active++;
            labour += p->labor == MON_SKILLED || p->labor == MON_ORDINARY;
        }
    }
    if (active > 0 && labour * 10000 < active * labour_share_bp)
        return MON_RISK_LABOR_SHORTAGE;
    return MON_RISK_OTHER;
}

mon_risk_t mon_risk_of(mon_rule_t rule, const mon_hh_t *hh, const mon_evidence_t *e,
                       zs_month_t period, int64_t labour_share_bp, int cause)
{
    switch (rule) {
    case MON_INCOME_FALL:
    case MON_SLOW_GROWTH:
    case MON_LOW_INCOME:
    case MON_POVERTY_RISK:
        return income_risk(hh, e, period, labour_share_bp);
    case MON_NO_WORK:
    case MON_SHORT_WORK:
        return MON_RISK_UNSTABLE_EMPLOYMENT;
    case MON_WEAK_LABOR:
        return MON_RISK_LABOR_SHORTAGE;
    case MON_LARGE_EXPENSE:
        return cost_risk(cause);
    case MON_NOT_ENROLLED:
        return cause == MON_PROGRAM_DISABILITY ? MON_RISK_DISABILITY : MON_RISK_OTHER;
    case MON_SUBSIDY_MISSING:
    case MON_SUBSIDY_SHORT:
    case MON_SUBSIDY_DUPLICATE:
        return e->program == MON_PROGRAM_DISABILITY ? MON_RISK_DISABILITY
               : e->program == PROGRAM_YULU         ? MON_RISK_EDUCATION
                                                    : MON_RISK_OTHER;
    default:
        return MON_RISK_OTHER;
    }
}
