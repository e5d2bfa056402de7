/* zs_topics.c: the topic table (DESIGN.md, "Data flow"). */
#include "zs_topics.h"

#include <stdio.h>

static const zs_topic_def_t topics[] = {
    {"household", true, true, "Household", "household snapshots with members, from registries"},
    {"income", true, false, "IncomeRecord", "income figures by component and month"},
    {"employment", true, false, "EmploymentRecord", "employment status by person and month"},
    {"subsidy", true, false, "SubsidyRecord", "subsidy entitlements (DUE) and payments (PAID)"},
    {"hardship", true, false, "HardshipRecord", "out-of-pocket hardship costs"},
    {"followup", true, false, "FollowUp", "what counties did about warnings"},
    {"warnings", false, false, "Warning", "warnings for counties, keyed by household"},
    {"monitor.state", false, true, "HouseholdState", "the monitor's state changelog"},
    {"audit", false, false, "AuditRecord", "hash-chained audit trail"},
    {"deadletter", false, false, "DeadLetter", "input that could not be used, with the reason"},
    {NULL, false, false, NULL, NULL},
};

const zs_topic_def_t *zs_topics(void)
{
    return topics;
}

bool zs_topic_name(const char *prefix, const char *suffix, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s", prefix, suffix);
    return n >= 0 && (size_t)n < size;
}
