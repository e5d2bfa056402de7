/* desk_pages.h: zs-desk's pages as pure functions of what the read model
 * holds (consumers/DESK.md, "Pages"), and the authorization rules every
 * request passes: which role may open which page, and which counties a user
 * may see. Server-rendered HTML without script, Chinese by default in the
 * plan's words, English per user setting; every value escaped for its
 * context (desk_html.h). */
#ifndef DESK_PAGES_H
#define DESK_PAGES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "desk_auth.h"
#include "desk_store.h"
#include "zs_buf.h"
#include "zs_county.h"
#include "zs_err.h"

/* ---- authorization ---- */

typedef enum desk_page {
    DESK_PAGE_INBOX,     /* the open warnings of the user's counties */
    DESK_PAGE_WARNING,   /* one warning, its evidence and history */
    DESK_PAGE_HOUSEHOLD, /* every warning of one household */
    DESK_PAGE_ACTION,    /* POST: ACK, MEASURE, RESOLVED */
    DESK_PAGE_OVERVIEW,  /* per county and quarter, plan item 35 (and its CSV) */
    DESK_PAGE_AUDIT,     /* a warning's audit trail */
    DESK_PAGE_SETTINGS,  /* POST: language */
    DESK_PAGE__COUNT
} desk_page_t;

/* The role-by-page matrix: true when role may use page at all. */
bool desk_authz_page(desk_role_t role, desk_page_t page);
/* True when a user with scope (a county, city or province prefix) may see
 * county_code: the code starts with the scope. */
bool desk_authz_county(const char *scope, const char *county_code);

/* ---- rendering ---- */

/* What every page needs to know about the request. */
typedef struct desk_view {
    const desk_session_t *session; /* NULL on the login page */
    bool english;
    int64_t now;                       /* ms */
    int64_t ack_ms, measure_ms;        /* the deadlines after opening: 15 and 30 days */
    const zs_county_table_t *counties; /* names and key-county flags; may be NULL */
} desk_view_t;

/* The login page; error, when not NULL, is shown (the one uniform message).
 * csrf is the login form's token. */
zs_err_t desk_page_login(zs_buf_t *out, const desk_view_t *v, const char *csrf, const char *error);

/* Inbox: rows (one page of the user's open warnings, already ordered and
 * filtered by f; f->offset and f->limit say which page) with counts at the
 * top (c: over every warning f matches, not only this page), the filter
 * form, and links to the other pages. */
zs_err_t desk_page_inbox(zs_buf_t *out, const desk_view_t *v, const desk_row_t *rows, size_t n,
                         const desk_filter_t *f, const desk_counts_t *c);

/* One warning: evidence, history (audit-only lines shown to inspectors) and,
 * for an officer on an open warning, the action forms. notice, when not
 * NULL, is shown above (an action's outcome). */
zs_err_t desk_page_warning(zs_buf_t *out, const desk_view_t *v, const desk_row_t *row,
                           const desk_event_t *events, size_t n, const char *notice);

/* Every warning of one household, newest first. */
zs_err_t desk_page_household(zs_buf_t *out, const desk_view_t *v, const char *household_id,
                             const desk_row_t *rows, size_t n);

/* What the overview shows: plan item 35 per county and quarter (stats,
 * ordered by county), and the income targets per county and quarter
 * (trend, each county a block of the same quarters). */
typedef struct desk_overview {
    const desk_stat_t *stats;
    size_t nstats;
    const desk_trend_t *trend;
    size_t ntrend;
} desk_overview_t;

/* The overview's tables, each also a CSV (/overview.csv?table=NAME). */
typedef enum desk_table {
    DESK_TABLE_STATS,          /* "stats" (the default): item 35 per county and quarter */
    DESK_TABLE_GROUPS,         /* "groups": key assistance counties against the rest */
    DESK_TABLE_TARGETS,        /* "targets": the income targets per quarter */
    DESK_TABLE_TARGETS_COUNTY, /* "targets-county": the same per county and quarter */
    DESK_TABLE__COUNT
} desk_table_t;

/* The table named s (NULL or empty: stats); ZS_ERR_INVALID otherwise. */
zs_err_t desk_table_parse(const char *s, desk_table_t *out);

/* The supervisors' overview: the income targets at each quarter's close
 * (households under 10,000 yuan per capita, households whose income fell
 * or grew below the region's rural income growth, per 1,000 households of
 * the key assistance counties and of the rest) as a table and two SVG
 * charts; plan item 35 for key counties against the rest and per county
 * and quarter (warnings, open, per 1,000 households, shares acknowledged
 * and with a measure in time); a CSV link under each table. */
zs_err_t desk_page_overview(zs_buf_t *out, const desk_view_t *v, const desk_overview_t *o);
/* One of its tables as CSV. */
zs_err_t desk_csv_overview(zs_buf_t *out, const desk_view_t *v, const desk_overview_t *o,
                           desk_table_t table);

/* A short page for 403, 404 and other refusals. */
zs_err_t desk_page_error(zs_buf_t *out, const desk_view_t *v, int status);

/* Names of actions and measures, in the user's language. */
const char *desk_action_name(desk_action_t a, bool english);
const char *desk_measure_name(desk_measure_t m, bool english);
/* "ACK", "MEASURE", "RESOLVED" and the measure symbols of FollowUp.v2. */
const char *desk_action_symbol(desk_action_t a);
const char *desk_measure_symbol(desk_measure_t m);
/* Reads a symbol back; ZS_ERR_INVALID for anything else. */
zs_err_t desk_action_parse(const char *s, desk_action_t *out);
zs_err_t desk_measure_parse(const char *s, desk_measure_t *out);

/* The deterministic event id of an action: the same warning, action,
 * officer, measure, note and day (UTC) give the same id, so a double submit
 * is one event. "desk-" and 27 hex characters of a SHA-256 of them. */
void desk_action_event_id(const char *warning_id, desk_action_t action, const char *login,
                          desk_measure_t measure, const char *note, int64_t now_ms, char out[33]);

#endif
