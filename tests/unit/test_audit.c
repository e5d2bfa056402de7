/* test_audit.c: the audit hash chain: a whole chain checks; an edited,
 * removed, repeated or moved record, or a missing start, is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_audit.h"

#define RECORDS 6

static zs_schemas_t *set;
static zs_buf_t msgs[RECORDS];

/* Writes a chain of RECORDS audit records into msgs. */
static int setup(void **state)
{
    (void)state;
    char errstr[512];
    if (zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &set, errstr, sizeof(errstr)) != ZS_OK)
        return -1;
    zs_encoder_t *enc = NULL;
    if (zs_encoder_new(zs_schemas_latest(set, "AuditRecord"), &enc, errstr, sizeof(errstr)))
        return -1;
    zs_audit_chain_t chain;
    zs_audit_chain_init(&chain, "zs-push/test/1");
    for (int i = 0; i < RECORDS; i++) {
        avro_value_t *v = zs_encoder_value(enc), f;
        char detail[64];
        snprintf(detail, sizeof(detail), "row %d rejected", i);
        if (avro_value_get_by_name(v, "kind", &f, NULL) || avro_value_set_enum(&f, 1) ||
            avro_value_get_by_name(v, "actor", &f, NULL) || avro_value_set_string(&f, "zs-push") ||
            avro_value_get_by_name(v, "at", &f, NULL) || avro_value_set_long(&f, 1000 + i) ||
            avro_value_get_by_name(v, "detail", &f, NULL) || avro_value_set_string(&f, detail) ||
            zs_codec_null_optionals(v) != ZS_OK)
            return -1;
        zs_buf_init(&msgs[i], 1 << 16);
        if (zs_audit_chain_append(&chain, enc, v, &msgs[i], errstr, sizeof(errstr)) != ZS_OK) {
            fprintf(stderr, "%s\n", errstr);
            return -1;
        }
    }
    zs_encoder_free(enc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < RECORDS; i++)
        zs_buf_free(&msgs[i]);
    zs_schemas_free(set);
    return 0;
}

/* Checks the records in the given order (indexes into msgs; -1 ends);
 * returns the first error text, "" if none. edit changes one byte of the
 * record at that index first. */
static const char *check(const int *order, int edit)
{
    static char first[512];
    first[0] = '\0';
    char errstr[512];
    zs_decoder_t *dec = NULL;
    zs_audit_check_t *chk = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_audit_check_new(&chk), ZS_OK);
    zs_buf_t copy;
    zs_buf_init(&copy, 1 << 16);
    for (int k = 0; order[k] >= 0; k++) {
        int i = order[k];
        zs_buf_reset(&copy);
        assert_int_equal(zs_buf_add(&copy, msgs[i].data, msgs[i].len), ZS_OK);
        if (i == edit)
            copy.data[copy.len - 3] ^= 1; /* inside the detail text */
        const zs_schema_t *reader;
        avro_value_t *v, f, b;
        assert_int_equal(
            zs_decoder_decode(dec, copy.data, copy.len, &reader, &v, errstr, sizeof(errstr)),
            ZS_OK);
        const char *chain;
        size_t size;
        int64_t seq = 0;
        int disc = -1;
        const void *hash = NULL;
        assert_int_equal(avro_value_get_by_name(v, "chain", &f, NULL), 0);
        assert_int_equal(avro_value_get_string(&f, &chain, &size), 0);
        assert_int_equal(avro_value_get_by_name(v, "seq", &f, NULL), 0);
        assert_int_equal(avro_value_get_long(&f, &seq), 0);
        assert_int_equal(avro_value_get_by_name(v, "prev_hash", &f, NULL), 0);
        assert_int_equal(avro_value_get_discriminant(&f, &disc), 0);
        if (disc == 1) {
            assert_int_equal(avro_value_get_current_branch(&f, &b), 0);
            assert_int_equal(avro_value_get_fixed(&b, &hash, &size), 0);
        }
        if (zs_audit_check_next(chk, chain, seq, hash, copy.data, copy.len, errstr,
                                sizeof(errstr)) != ZS_OK &&
            first[0] == '\0')
            snprintf(first, sizeof(first), "%s", errstr);
    }
    zs_buf_free(&copy);
    zs_audit_check_free(chk);
    zs_decoder_free(dec);
    return first;
}

static void sha256_of_abc(void **state)
{
    (void)state;
    unsigned char d[ZS_SHA256_SIZE];
    zs_sha256("abc", 3, d);
    static const unsigned char want[4] = {0xba, 0x78, 0x16, 0xbf};
    assert_memory_equal(d, want, 4);
    assert_int_equal(d[31], 0xad);
}

static const struct {
    int order[RECORDS + 1];
    int edit;
    const char *says; /* "" for a whole chain */
} cases[] = {
    {{0, 1, 2, 3, 4, 5, -1}, -1, ""},
    {{0, 1, 2, 3, 4, 5, -1}, 2, "seq 3 does not carry the hash of seq 2"},
    {{0, 1, 3, 4, 5, -1}, -1, "seq 3 follows 1: 1 records are missing"},
    {{0, 1, 2, 2, 3, 4, -1}, -1, "seq 2 after 2: a record repeated or moved"},
    {{0, 2, 1, 3, 4, 5, -1}, -1, "seq 2 follows 0: 1 records are missing"},
    {{1, 2, 3, 4, 5, -1}, -1, "starts at seq 1, not 0"},
    {{0, 1, 2, 3, 4, -1}, -1, ""}, /* the last one not yet written is no break */
};

static void breaks_are_named(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = check(cases[i].order, cases[i].edit);
        if (cases[i].says[0] == '\0' ? got[0] != '\0' : strstr(got, cases[i].says) == NULL)
            fail_msg("case %zu: '%s', want '%s'", i, got, cases[i].says);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_of_abc),
        cmocka_unit_test(breaks_are_named),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
