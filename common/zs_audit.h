/* zs_audit.h: the audit trail's hash chain. Every audit record names its
 * chain, its position in it (seq, from 0) and the SHA-256 of the previous
 * record's bytes exactly as written (null for the first), so a record that is
 * edited, removed or moved breaks the chain at that place. A chain has one
 * writer at a time and lives in one partition (its name is the key). */
#ifndef ZS_AUDIT_H
#define ZS_AUDIT_H

#include <avro.h>
#include <stdbool.h>
#include <stdint.h>

#include "zs_buf.h"
#include "zs_codec.h"
#include "zs_err.h"

#define ZS_SHA256_SIZE 32

/* The SHA-256 digest of len bytes. */
void zs_sha256(const void *data, size_t len, unsigned char out[ZS_SHA256_SIZE]);

/* A writer's end of one chain. */
typedef struct zs_audit_chain {
    char name[128];
    int64_t next_seq;
    unsigned char prev[ZS_SHA256_SIZE];
    bool has_prev;
} zs_audit_chain_t;

/* A new chain called name (at most 127 bytes), starting at seq 0. */
void zs_audit_chain_init(zs_audit_chain_t *chain, const char *name);

/* Stamps rec, an AuditRecord value with every other field set, with the
 * chain's name, next seq and the previous record's hash; encodes it with enc
 * into out; and moves the chain on past it. */
zs_err_t zs_audit_chain_append(zs_audit_chain_t *chain, zs_encoder_t *enc, avro_value_t *rec,
                               zs_buf_t *out, char *errstr, size_t errstr_size);

/* Checks chains: give it every record, in the order of its partition. */
typedef struct zs_audit_check zs_audit_check_t;

zs_err_t zs_audit_check_new(zs_audit_check_t **out);
void zs_audit_check_free(zs_audit_check_t *check);

/* Takes the next record of chain: its seq, its prev_hash (NULL when the
 * record has none) and its bytes as stored. ZS_ERR_CORRUPT, with errstr
 * saying which link broke and how, when the record does not follow the last
 * one of its chain: a gap in seq (a record removed), a repeated or earlier
 * seq (a record copied or moved), a hash that does not match (a record
 * edited), or a chain that does not start at 0. The chain then goes on from
 * this record, so one break is reported once. */
zs_err_t zs_audit_check_next(zs_audit_check_t *check, const char *chain, int64_t seq,
                             const unsigned char *prev_hash, const void *msg, size_t len,
                             char *errstr, size_t errstr_size);

/* Chains seen and records checked. */
size_t zs_audit_check_chains(const zs_audit_check_t *check);
uint64_t zs_audit_check_records(const zs_audit_check_t *check);

#endif
