/* zs_contract.h: the limits of the input contract (docs and DESIGN's
 * "Registry export formats"), in one place, so that what zs-push accepts and
 * what zs-monitor applies are the same thing. A value outside these limits is
 * refused at the door of every program: a reject row in zs-push, a dead
 * letter in zs-monitor. */
#ifndef ZS_CONTRACT_H
#define ZS_CONTRACT_H

#include <stdint.h>

/* household_id, person_id, event_id, officer_id: 1-32 of [0-9A-Za-z_-]. */
#define ZS_CONTRACT_ID_MAX 32
/* source, township, village, warning_id: 1-100 bytes of UTF-8 text. */
#define ZS_CONTRACT_NAME_MAX 100
/* Free text (a follow-up's note): 0-2000 bytes. */
#define ZS_CONTRACT_TEXT_MAX 2000
/* year of a record, 2000-2100; birth_year 1900-2100. */
#define ZS_CONTRACT_YEAR_MIN       2000
#define ZS_CONTRACT_YEAR_MAX       2100
#define ZS_CONTRACT_BIRTH_YEAR_MIN 1900
#define ZS_CONTRACT_BIRTH_YEAR_MAX 2100
/* Members of one household snapshot: 1-64, person ids distinct. */
#define ZS_CONTRACT_MEMBERS_MAX 64
/* One record's amount: 0 to 100,000,000 yuan, in fen. Far above any
 * household's month, and small enough that every sum the rules make (12
 * months x 5 components x 32 sources, times 10,000 for basis points) stays
 * inside int64. */
#define ZS_CONTRACT_AMOUNT_MAX_FEN INT64_C(10000000000)
/* reported_at, updated_at, at: from 2000-01-01T00:00:00Z to before
 * 2101-01-01T00:00:00Z, in milliseconds since the epoch. */
#define ZS_CONTRACT_TIME_MIN_MS INT64_C(946684800000)
#define ZS_CONTRACT_TIME_MAX_MS INT64_C(4133980800000)

#endif
