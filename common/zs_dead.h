/* zs_dead.h: how much of a bad input a dead letter carries. A dead letter
 * must always fit in one Kafka message, or the program that writes it can
 * neither deliver it nor get past the input (zs-push would stop at the same
 * line on every rerun). So its payload is capped: the first bytes of the
 * input, and, when cut, a note for the reason text with the input's length
 * and SHA-256, so the whole can still be recognised where it is kept (a
 * rejects file, the source topic). zs-push and zs-monitor both use it. */
#ifndef ZS_DEAD_H
#define ZS_DEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "zs_audit.h"

/* The most payload a dead letter carries: far below any broker's message
 * limit (Kafka's default is about 1 MB), with room for every other field. */
#define ZS_DEAD_PAYLOAD_MAX ((size_t)64 * 1024)

/* What zs_dead_payload_cap decided. */
typedef struct zs_dead_cap {
    size_t len;                           /* bytes of the payload to carry, from its start */
    bool cut;                             /* len is less than the payload's length */
    unsigned char sha256[ZS_SHA256_SIZE]; /* of the whole payload as given; zero unless cut */
    /* When cut, text to append to the dead letter's reason, e.g.
     * " [payload cut to its first 65530 of 1048600 bytes; SHA-256 of the
     * whole: 9f86...]"; "" when not cut. */
    char note[160];
} zs_dead_cap_t;

/* Decides how much of payload (len bytes; NULL only with len 0) a dead letter
 * carries, at most max bytes (0: ZS_DEAD_PAYLOAD_MAX). Short enough: all of
 * it, cut false. Longer: its first bytes, cut where no UTF-8 sequence and no
 * run of digits (or a final X/x) is split, so no piece of a resident ID number
 * or of a character is left at the edge; cut true, sha256 and note set.
 * The caller masks ID numbers in payload before (zs_log_mask_idnumbers), so
 * the digest is of the masked text and cannot confirm a guessed ID number.
 * Pure: reads payload, writes only *cap, allocates nothing. */
void zs_dead_payload_cap(const void *payload, size_t len, size_t max, zs_dead_cap_t *cap);

#endif
