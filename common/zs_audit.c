/* zs_audit.c: writing and checking the audit hash chain. */
#include "zs_audit.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zs_sha256(const void *data, size_t len, unsigned char out[ZS_SHA256_SIZE])
{
    unsigned int n = ZS_SHA256_SIZE;
    EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void zs_audit_chain_init(zs_audit_chain_t *chain, const char *name)
{
    memset(chain, 0, sizeof(*chain));
    snprintf(chain->name, sizeof(chain->name), "%s", name);
}

zs_err_t zs_audit_chain_append(zs_audit_chain_t *chain, zs_encoder_t *enc, avro_value_t *rec,
                               zs_buf_t *out, char *errstr, size_t errstr_size)
{
    avro_value_t f, b;
    int rc =
        avro_value_get_by_name(rec, "chain", &f, NULL) || avro_value_set_string(&f, chain->name) ||
        avro_value_get_by_name(rec, "seq", &f, NULL) || avro_value_set_long(&f, chain->next_seq) ||
        avro_value_get_by_name(rec, "prev_hash", &f, NULL) ||
        avro_value_set_branch(&f, chain->has_prev ? 1 : 0, &b) ||
        (chain->has_prev ? avro_value_set_fixed(&b, chain->prev, ZS_SHA256_SIZE)
                         : avro_value_set_null(&b));
    if (rc != 0)
        return zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "audit record: %s", avro_strerror());
    zs_err_t err = zs_encoder_encode_value(enc, rec, out, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    zs_sha256(out->data, out->len, chain->prev);
    chain->has_prev = true;
    chain->next_seq++;
    return ZS_OK;
}

/* The last record seen of one chain. */
typedef struct link {
    char *name;
    int64_t seq;
    unsigned char hash[ZS_SHA256_SIZE];
} link_t;

struct zs_audit_check {
    link_t *links;
    size_t n, cap;
    uint64_t records;
};

zs_err_t zs_audit_check_new(zs_audit_check_t **out)
{
    *out = calloc(1, sizeof(**out));
    return *out != NULL ? ZS_OK : ZS_ERR_NOMEM;
}

void zs_audit_check_free(zs_audit_check_t *check)
{
    if (check == NULL)
        return;
    for (size_t i = 0; i < check->n; i++)
        free(check->links[i].name);
    free(check->links);
    free(check);
}

/* The chain's last link, made (seq -1) when first seen. */
static link_t *link_of(zs_audit_check_t *check, const char *chain)
{
    for (size_t i = 0; i < check->n; i++)
        if (strcmp(check->links[i].name, chain) == 0)
            return &check->links[i];
    if (check->n == check->cap) {
        size_t cap = check->cap ? check->cap * 2 : 16;
        link_t *links = realloc(check->links, cap * sizeof(*links));
        if (links == NULL)
            return NULL;
        check->links = links;
        check->cap = cap;
    }
    link_t *l = &check->links[check->n];
    l->name = strdup(chain);
    if (l->name == NULL)
        return NULL;
    l->seq = -1;
    check->n++;
    return l;
}

zs_err_t zs_audit_check_next(zs_audit_check_t *check, const char *chain, int64_t seq,
                             const unsigned char *prev_hash, const void *msg, size_t len,
                             char *errstr, size_t errstr_size)
{
    link_t *l = link_of(check, chain);
    if (l == NULL)
        return ZS_ERR_NOMEM;
    check->records++;
    zs_err_t err = ZS_OK;
    if (seq != l->seq + 1) {
        if (l->seq < 0)
            err = zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT,
                          "chain %s starts at seq %lld, not 0: its first records are missing",
                          chain, (long long)seq);
        else if (seq > l->seq + 1)
            err = zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT,
                          "chain %s: seq %lld follows %lld: %lld records are missing", chain,
                          (long long)seq, (long long)l->seq, (long long)(seq - l->seq - 1));
        else
            err = zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT,
                          "chain %s: seq %lld after %lld: a record repeated or moved", chain,
                          (long long)seq, (long long)l->seq);
    } else if (l->seq < 0 ? prev_hash != NULL
                          : prev_hash == NULL || memcmp(prev_hash, l->hash, ZS_SHA256_SIZE) != 0) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_CORRUPT,
                      "chain %s: seq %lld does not carry the hash of seq %lld: one of them was "
                      "edited",
                      chain, (long long)seq, (long long)l->seq);
    }
    l->seq = seq;
    zs_sha256(msg, len, l->hash);
    return err;
}

size_t zs_audit_check_chains(const zs_audit_check_t *check)
{
    return check->n;
}

uint64_t zs_audit_check_records(const zs_audit_check_t *check)
{
    return check->records;
}
