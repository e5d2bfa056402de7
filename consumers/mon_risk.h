/* mon_risk.h: the national return-to-poverty risk type a warning points to. */
#ifndef ZS_MON_RISK_H
#define ZS_MON_RISK_H

#include "mon_rules.h"
#include "mon_state.h"

/* The risk type (返贫致贫风险类型, Warning.risk_type) of a warning of rule
 * for hh at period (its record's period: the T12M window of an income rule
 * ends there), from its evidence e and the household's state, as
 * consumers/RULES.md "Risk types" says. labour_share_bp is WEAK_LABOR's
 * threshold. cause: for LARGE_EXPENSE the cost's kind; for NOT_ENROLLED
 * MON_PROGRAM_DISABILITY when the member's disability payment is missing,
 * any other value otherwise; ignored by the other rules. Pure. */
mon_risk_t mon_risk_of(mon_rule_t rule, const mon_hh_t *hh, const mon_evidence_t *e,
                       zs_month_t period, int64_t labour_share_bp, int cause);

#endif
