/* audit_sla.h: the follow-up deadlines of zs-audit sla (plan item 35,
 * consumers/AUDIT.md): which escalations a warning is due, given when it was opened,
 * its follow-ups, when it was cleared and the time now; and the per-county
 * supervision report. Pure logic: no SQLite, no Kafka, no clock. */
#ifndef AUDIT_SLA_H
#define AUDIT_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_err.h"

#define AUDIT_SLA_DAY_MS INT64_C(86400000)
/* A time that never comes: a warning not cleared. */
#define AUDIT_SLA_NEVER INT64_MAX

/* The two deadlines, in the order of FollowUpAction (ACK 0, MEASURE 1). */
typedef enum audit_sla_step {
    AUDIT_SLA_ACK,     /* 已核实: the household identified, national limit 15 days */
    AUDIT_SLA_MEASURE, /* 已落实帮扶措施: a measure in place, national check 30 days */
    AUDIT_SLA_STEPS
} audit_sla_step_t;

/* FollowUpAction symbols, in schema order. */
typedef enum audit_sla_action {
    AUDIT_SLA_DID_ACK,
    AUDIT_SLA_DID_MEASURE,
    AUDIT_SLA_DID_RESOLVED
} audit_sla_action_t;

/* One follow-up of a warning. */
typedef struct audit_sla_followup {
    audit_sla_action_t action;
    int64_t at;       /* when it was recorded (FOLLOWUP_RECORDED's at), UTC ms */
    char officer[40]; /* who recorded it, "" if unknown; for reports only */
} audit_sla_followup_t;

/* How long each step may take, in ms. */
typedef struct audit_sla_limits {
    int64_t ms[AUDIT_SLA_STEPS];
} audit_sla_limits_t;

/* Why an overdue period ended. */
typedef enum audit_sla_end {
    AUDIT_SLA_STILL_OPEN, /* nothing yet: overdue until now */
    AUDIT_SLA_LATE,       /* the follow-up came after the deadline */
    AUDIT_SLA_CLEARED,    /* the warning cleared after the deadline */
} audit_sla_end_t;

/* One step's verdict. */
typedef struct audit_sla_due {
    bool due;            /* the deadline passed with no follow-up and no clear */
    int64_t deadline;    /* opened + the step's limit: a follow-up at it is in time */
    int64_t until;       /* when the overdue period ended (the late follow-up, the
                          * clear, or now), if due */
    audit_sla_end_t end; /* which of these it was */
} audit_sla_due_t;

/* Decides both steps for a warning opened at opened with its n follow-ups
 * (any order), cleared at cleared (AUDIT_SLA_NEVER if not), at time now.
 * A step is met by a follow-up at or before its deadline that does it or a
 * later step (a MEASURE or RESOLVED also shows the household identified; a
 * RESOLVED needs no measure). A step is due when now is past its deadline
 * (deadline + 1 ms at the earliest), it was not met and the warning was not
 * cleared at or before the deadline. A late follow-up or a later clear does
 * not undo an escalation; it ends the overdue period. */
void audit_sla_check(int64_t opened, const audit_sla_followup_t *followups, size_t n,
                     int64_t cleared, int64_t now, const audit_sla_limits_t *limits,
                     audit_sla_due_t out[AUDIT_SLA_STEPS]);

/* Whole days overdue (from the deadline to until), rounded down: a step
 * 1 ms late is 0 days overdue, 24 h late 1 day. 0 when not due. */
int64_t audit_sla_overdue_days(const audit_sla_due_t *due);

/* Whole days the warning went without the step (from opened to until),
 * rounded down; 0 when not due. The supervision report shows these. */
int64_t audit_sla_days_without(const audit_sla_due_t *due, int64_t opened);

/* "ACK" or "MEASURE"; the FollowUpAction symbol of a step. */
const char *audit_sla_step_name(audit_sla_step_t step);

/* Writes the machine-readable detail of an ESCALATION audit record
 * (';'-separated key=value pairs) for step of a warning opened at opened. */
zs_err_t audit_sla_detail(audit_sla_step_t step, int64_t opened, int64_t limit_ms,
                          const audit_sla_due_t *due, zs_buf_t *out);

/* The report's language. */
typedef enum audit_sla_lang { AUDIT_SLA_ZH, AUDIT_SLA_EN } audit_sla_lang_t;

/* One overdue warning in a county's report. Strings are the caller's. */
typedef struct audit_sla_row {
    const char *county, *warning_id, *rule, *household;
    int64_t opened;
    int64_t days[AUDIT_SLA_STEPS]; /* audit_sla_days_without per step, -1: not due */
} audit_sla_row_t;

/* Appends to out a self-contained HTML page: the supervision report of
 * county (its code; name may be NULL) as of now, one table row per rows[i],
 * every text HTML-escaped and every resident ID number masked. */
zs_err_t audit_sla_report_html(const char *county, const char *name, int64_t now,
                               const audit_sla_limits_t *limits, const audit_sla_row_t *rows,
                               size_t n, audit_sla_lang_t lang, zs_buf_t *out);

#endif
