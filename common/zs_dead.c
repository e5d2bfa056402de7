/* zs_dead.c: the cap on what a dead letter carries of a bad input. */
#include "zs_dead.h"

#include <stdio.h>
#include <string.h>

/* How far back a cut may move to get out of a run of digits: past the
 * longest ID-shaped run, not so far that a long number empties the payload. */
#define DIGIT_BACKOFF 64

static bool is_idno_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == 'X' || c == 'x';
}

void zs_dead_payload_cap(const void *payload, size_t len, size_t max, zs_dead_cap_t *cap)
{
    const unsigned char *s = payload;
    if (max == 0)
        max = ZS_DEAD_PAYLOAD_MAX;
    memset(cap, 0, sizeof(*cap));
    cap->len = len;
    if (len <= max)
        return;
    size_t end = max;
    /* Not inside a UTF-8 sequence: back over continuation bytes to a lead. */
    while (end > 0 && (s[end] & 0xC0) == 0x80)
        end--;
    /* Not inside a run of digits: the run would be cut to a piece of an ID
     * number that no mask recognises. */
    size_t back = end;
    while (back > 0 && end - back < DIGIT_BACKOFF && is_idno_char(s[back - 1]) &&
           is_idno_char(s[back]))
        back--;
    if (back == 0 || end - back < DIGIT_BACKOFF)
        end = back;
    cap->len = end;
    cap->cut = true;
    zs_sha256(payload, len, cap->sha256);
    char hex[2 * ZS_SHA256_SIZE + 1];
    for (size_t i = 0; i < ZS_SHA256_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", cap->sha256[i]);
    snprintf(cap->note, sizeof(cap->note),
             " [payload cut to its first %zu of %zu bytes; SHA-256 of the whole: %s]", cap->len,
             len, hex);
}
