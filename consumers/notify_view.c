/* notify_view.c: the warnings topic as a per-county collection of each
 * warning's latest record (notify_report.c), refreshed from where the
 * previous refresh stopped, partition by partition, so that the daemon's
 * periodic reports cost what was written since rather than a year of
 * records each time. The positions are kept in memory: a restarted daemon
 * reads the topic once from the beginning. */
#include "notify_view.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "zs_codec.h"
#include "zs_log.h"
#include "zs_scan.h"
#include "zs_schema.h"
#include "zs_topics.h"

/* Partitions whose positions are kept; a topic with more is read again from
 * the beginning in those beyond at each refresh (harmless: a warning's
 * records come again in order and the latest stays). */
#define VIEW_PARTITIONS 1024

struct notify_view {
    const zs_config_t *cfg;
    zs_schemas_t *schemas;
    zs_decoder_t *dec;
    char topic[128];
    char *codes; /* NULL: every county */
    notify_report_t *rep;
    int64_t positions[VIEW_PARTITIONS]; /* next offset per partition; -1 the beginning */
    long records, skipped;              /* in the last refresh */
    zs_err_t err;                       /* out of memory in the scan's callback */
};

void notify_view_free(notify_view_t *v)
{
    if (v == NULL)
        return;
    notify_report_free(v->rep);
    zs_decoder_free(v->dec);
    zs_schemas_free(v->schemas);
    free(v->codes);
    free(v);
}

/* Back to nothing read. */
static zs_err_t start_over(notify_view_t *v)
{
    notify_report_free(v->rep);
    v->rep = NULL;
    for (size_t i = 0; i < VIEW_PARTITIONS; i++)
        v->positions[i] = -1;
    return notify_report_new(&v->rep);
}

zs_err_t notify_view_new(const zs_config_t *cfg, const char *codes, notify_view_t **out,
                         char *errstr, size_t errstr_size)
{
    const char *schema_dir = NULL, *prefix = NULL;
    notify_view_t *v = calloc(1, sizeof(*v));
    *out = NULL;
    if (v == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    v->cfg = cfg;
    zs_err_t err = zs_config_get_str(cfg, "zs.schema.dir", &schema_dir, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_config_get_str(cfg, "zs.topic.prefix", &prefix, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_schemas_load(schema_dir, &v->schemas, errstr, errstr_size);
    if (err == ZS_OK)
        err = zs_decoder_new(v->schemas, &v->dec, errstr, errstr_size);
    if (err == ZS_OK && codes != NULL && (v->codes = strdup(codes)) == NULL)
        err = zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    if (err == ZS_OK && start_over(v) != ZS_OK)
        err = zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    if (err != ZS_OK) {
        notify_view_free(v);
        return err;
    }
    zs_topic_name(prefix, "warnings", v->topic, sizeof(v->topic));
    *out = v;
    return ZS_OK;
}

/* True when code is one of the comma-separated list. */
static bool in_list(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (len == n && memcmp(p, code, n) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

/* One record of the warnings topic into the collection.
 * @locality: zs_scan's caller (the report thread in the daemon). */
static bool take(void *ctx, const rd_kafka_message_t *rkm)
{
    notify_view_t *v = ctx;
    char why[512] = "";
    const zs_schema_t *reader = NULL;
    avro_value_t *value = NULL;
    notify_warning_t w;
    zs_err_t err =
        zs_decoder_decode(v->dec, rkm->payload, rkm->len, &reader, &value, why, sizeof(why));
    if (err == ZS_OK && strcmp(zs_schema_name(reader), "zengshou.Warning") != 0)
        err = zs_fail(why, sizeof(why), ZS_ERR_INVALID, "a %s record, not a warning",
                      zs_schema_name(reader));
    if (err == ZS_OK)
        err = notify_warning_from_avro(value, &w, why, sizeof(why));
    if (err == ZS_OK && v->codes != NULL && !in_list(v->codes, w.county_code))
        return true;
    if (err == ZS_OK && (err = notify_report_add(v->rep, &w)) == ZS_ERR_INVALID)
        snprintf(why, sizeof(why),
                 "warning_id, household_id or county_code empty, or a county "
                 "code of 16 bytes or more");
    if (err == ZS_ERR_NOMEM) {
        v->err = err;
        return false;
    }
    if (err != ZS_OK) {
        v->skipped++;
        zs_log_warn("%s [%" PRId32 "] offset %" PRId64 ": not in the reports: %s", v->topic,
                    rkm->partition, rkm->offset, err == ZS_ERR_INVALID ? why : zs_err2str(err));
        return true;
    }
    v->records++;
    return true;
}

zs_err_t notify_view_refresh(notify_view_t *v, volatile sig_atomic_t *stop, char *errstr,
                             size_t errstr_size)
{
    zs_scan_opts_t so = {.topic = v->topic,
                         .partition = -1,
                         .offset = RD_KAFKA_OFFSET_BEGINNING,
                         .exit_at_end = true,
                         .stop = stop,
                         .positions = v->positions,
                         .npositions = VIEW_PARTITIONS};
    long errors = 0;
    v->records = v->skipped = 0;
    if (v->rep == NULL && start_over(v) != ZS_OK)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    v->err = ZS_OK;
    zs_err_t err = zs_scan(v->cfg, &so, take, v, &errors, errstr, errstr_size);
    if (err == ZS_OK && v->err != ZS_OK)
        err = zs_fail(errstr, errstr_size, v->err, "reading %s for the reports: %s", v->topic,
                      zs_err2str(v->err));
    if (err == ZS_OK && stop != NULL && *stop)
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "stopped before the end of %s", v->topic);
    if (err == ZS_OK && errors > 0)
        zs_log_warn("%s: %ld read errors; the reports may miss records", v->topic, errors);
    if (err != ZS_OK && start_over(v) != ZS_OK)
        zs_log_error("%s: out of memory starting the reports' view over", v->topic);
    return err;
}

long notify_view_records_read(const notify_view_t *v)
{
    return v->records;
}

long notify_view_records_skipped(const notify_view_t *v)
{
    return v->skipped;
}

notify_report_t *notify_view_report(notify_view_t *v)
{
    return v->rep;
}
