/* zs_topics.c: the topic table (docs/TOPICS.md, "The topics"). Retention: inputs
 * are kept 90 days, long enough to rebuild state after a lost changelog;
 * warnings a year, for the county reports; the audit trail forever, since
 * inspectors read it back years later and the hash chain must stay whole. */
#include "zs_topics.h"

#include <stdio.h>

static const zs_topic_def_t topics[] = {
    {"household", true, true, "Household", 0, "household snapshots with members, from registries"},
    {"income", true, false, "IncomeRecord", 90, "income figures by component and month"},
    {"employment", true, false, "EmploymentRecord", 90, "employment status by person and month"},
    {"subsidy", true, false, "SubsidyRecord", 90, "subsidy entitlements (DUE) and payments (PAID)"},
    {"hardship", true, false, "HardshipRecord", 90, "out-of-pocket hardship costs"},
    {"followup", true, false, "FollowUp", 90, "what counties did about warnings"},
    {"warnings", false, false, "Warning", 365, "warnings for counties, keyed by household"},
    {"monitor.state", false, true, "HouseholdState", 0, "the monitor's state changelog"},
    {"audit", false, false, "AuditRecord", -1, "hash-chained audit trail"},
    {"deadletter", false, false, "DeadLetter", 90, "input that could not be used, with the reason"},
    {NULL, false, false, NULL, 0, NULL},
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

size_t zs_topic_settings(const zs_topic_def_t *topic, int replication,
                         zs_topic_setting_t out[ZS_TOPIC_SETTINGS_MAX])
{
    size_t n = 0;
    out[n].name = "cleanup.policy";
    snprintf(out[n++].value, sizeof(out[0].value), "%s", topic->compacted ? "compact" : "delete");
    if (!topic->compacted) {
        out[n].name = "retention.ms";
        snprintf(out[n++].value, sizeof(out[0].value), "%lld",
                 topic->retention_days < 0 ? -1LL : topic->retention_days * 86400000LL);
    }
    if (replication > 1) {
        /* acks=all writes need two copies once there are three replicas (the
         * usual setting: one broker may be down and nothing acknowledged is
         * held by a single disk), one copy with two replicas. */
        out[n].name = "min.insync.replicas";
        snprintf(out[n++].value, sizeof(out[0].value), "%d", replication >= 3 ? 2 : 1);
    }
    return n;
}
