/* push_close.c: which topics and quarters 'zs-push close' closes. */
#include "push_close.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_scan.h"

const char *const push_close_all[PUSH_CLOSE_TOPICS] = {"household", "income",   "employment",
                                                       "subsidy",   "hardship", "followup"};

zs_err_t push_close_topics(const char *list, const char *prefix, bool chosen[PUSH_CLOSE_TOPICS],
                           char *errstr, size_t errstr_size)
{
    for (int i = 0; i < PUSH_CLOSE_TOPICS; i++)
        chosen[i] = list == NULL;
    size_t plen = strlen(prefix);
    for (const char *s = list; s != NULL && *s != '\0';) {
        size_t n = strcspn(s, ",");
        const char *name = s;
        size_t len = n;
        /* A full name: the prefix, then the suffix. */
        if (len > plen && strncmp(name, prefix, plen) == 0) {
            name += plen;
            len -= plen;
        }
        int found = -1;
        for (int i = 0; i < PUSH_CLOSE_TOPICS; i++)
            if (strlen(push_close_all[i]) == len && strncmp(push_close_all[i], name, len) == 0)
                found = i;
        if (found < 0)
            return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                           "--topic %.*s: not an input topic (household, income, employment, "
                           "subsidy, hardship, followup)",
                           (int)(n > 100 ? 100 : n), s);
        chosen[found] = true;
        s += n;
        if (*s == ',')
            s++;
    }
    return ZS_OK;
}

bool push_close_quarter_ended(zs_quarter_t q, int64_t now_ms)
{
    zs_month_t next = zs_quarter_first_month(q + 1);
    int64_t days = zs_days_from_civil(zs_month_year(next), (unsigned)zs_month_month(next), 1);
    int64_t end_ms = days * 86400000 - INT64_C(8) * 3600 * 1000;
    return now_ms >= end_ms;
}

/* What the scan has seen: the latest marker of each partition. */
typedef struct latest_ctx {
    int32_t *latest; /* per partition id: the latest quarter closed, -1 none */
    int32_t n;
} latest_ctx_t;

static bool on_message(void *ctx, const rd_kafka_message_t *rkm)
{
    latest_ctx_t *l = ctx;
    size_t klen = strlen(PUSH_CLOSE_KEY_PREFIX);
    zs_quarter_t q;
    if (rkm->key == NULL || rkm->key_len <= klen || rkm->partition < 0 || rkm->partition >= l->n ||
        memcmp(rkm->key, PUSH_CLOSE_KEY_PREFIX, klen) != 0 ||
        zs_quarter_parse((const char *)rkm->key + klen, rkm->key_len - klen, &q, NULL, 0) != ZS_OK)
        return true;
    if (q > l->latest[rkm->partition])
        l->latest[rkm->partition] = q;
    return true;
}

zs_err_t push_close_latest(const zs_config_t *cfg, const char *topic, int32_t partitions,
                           zs_quarter_t *latest, bool *found, char *errstr, size_t errstr_size)
{
    latest_ctx_t l = {.n = partitions};
    l.latest = malloc((size_t)(partitions > 0 ? partitions : 1) * sizeof(*l.latest));
    if (l.latest == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    for (int32_t i = 0; i < l.n; i++)
        l.latest[i] = -1;
    zs_scan_opts_t so = {
        .topic = topic, .partition = -1, .offset = RD_KAFKA_OFFSET_BEGINNING, .exit_at_end = true};
    long errors = 0;
    zs_err_t err = zs_scan(cfg, &so, on_message, &l, &errors, errstr, errstr_size);
    if (err == ZS_OK && errors > 0)
        err = zs_fail(errstr, errstr_size, ZS_ERR_KAFKA, "%s: %ld errors while reading it", topic,
                      errors);
    /* Closed on the topic: closed on every partition. */
    *found = err == ZS_OK && l.n > 0;
    for (int32_t i = 0; *found && i < l.n; i++) {
        if (l.latest[i] < 0)
            *found = false;
        else if (i == 0 || l.latest[i] < *latest)
            *latest = l.latest[i];
    }
    free(l.latest);
    return err;
}
