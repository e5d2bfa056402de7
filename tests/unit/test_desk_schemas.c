/* test_desk_schemas.c: the schema versions zs-desk brought in, through our
 * codec (schemas/README.md, "Adding a v2"): FollowUp v1 data reads as v2
 * with measure null, v2 data keeps its measure; AuditRecord v1 data reads as
 * v2 with its kind; the new fingerprints differ from the old. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zs_avro.h"
#include "zs_codec.h"
#include "zs_schema.h"

static zs_schemas_t *set;

static int load(void **state)
{
    (void)state;
    char errstr[512];
    return zs_schemas_load(getenv("ZS_SCHEMA_DIR"), &set, errstr, sizeof(errstr)) == ZS_OK ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    zs_schemas_free(set);
    return 0;
}

/* Encodes a FollowUp of version; measure -1 leaves it out (or null). */
static void followup(int version, int measure, zs_buf_t *out)
{
    char errstr[512];
    zs_encoder_t *enc = NULL;
    assert_int_equal(
        zs_encoder_new(zs_schemas_version(set, "FollowUp", version), &enc, errstr, sizeof(errstr)),
        ZS_OK);
    avro_value_t *v = zs_encoder_value(enc);
    assert_int_equal(zs_avro_set_str(v, "event_id", "e1") ||
                         zs_avro_set_str(v, "household_id", "H1") ||
                         zs_avro_set_str(v, "warning_id", "W1") ||
                         zs_avro_set_num(v, "action", 1) || zs_avro_set_str(v, "note", "n") ||
                         zs_avro_set_str(v, "officer_id", "o1") || zs_avro_set_num(v, "at", 5),
                     0);
    if (measure >= 0)
        assert_int_equal(zs_avro_set_num(v, "measure", measure), 0);
    assert_int_equal(zs_encoder_encode(enc, out, errstr, sizeof(errstr)), ZS_OK);
    zs_encoder_free(enc);
}

/* Decodes msg and returns the measure: -1 when null. */
static int measure_of(const zs_buf_t *msg)
{
    char errstr[512];
    zs_decoder_t *dec = NULL;
    const zs_schema_t *reader;
    avro_value_t *v, f;
    int e = -1;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(
        zs_decoder_decode(dec, msg->data, msg->len, &reader, &v, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_schema_version(reader), 2);
    int rc = zs_avro_field(v, "measure", &f);
    assert_true(rc == 0 || rc == 1);
    if (rc == 0)
        assert_int_equal(avro_value_get_enum(&f, &e), 0);
    assert_int_equal(zs_avro_field(v, "action", &f), 0);
    int action = -1;
    assert_int_equal(avro_value_get_enum(&f, &action), 0);
    assert_int_equal(action, 1);
    zs_decoder_free(dec);
    return e;
}

static void test_followup_versions(void **state)
{
    (void)state;
    zs_buf_t b;
    zs_buf_init(&b, 1 << 16);
    assert_int_not_equal(zs_schema_fingerprint(zs_schemas_version(set, "FollowUp", 1)),
                         zs_schema_fingerprint(zs_schemas_version(set, "FollowUp", 2)));
    followup(1, -1, &b);
    assert_int_equal(measure_of(&b), -1);
    followup(2, -1, &b);
    assert_int_equal(measure_of(&b), -1);
    followup(2, 1, &b); /* EMPLOYMENT */
    assert_int_equal(measure_of(&b), 1);
    zs_buf_free(&b);
}

static void test_audit_versions(void **state)
{
    (void)state;
    char errstr[512];
    const zs_schema_t *v1 = zs_schemas_version(set, "AuditRecord", 1),
                      *v2 = zs_schemas_version(set, "AuditRecord", 2);
    assert_non_null(v1);
    assert_non_null(v2);
    assert_int_not_equal(zs_schema_fingerprint(v1), zs_schema_fingerprint(v2));
    /* The new symbols exist in v2 only; old ones keep their names. */
    avro_schema_t k1 = avro_schema_record_field_get(zs_schema_avro(v1), "kind");
    avro_schema_t k2 = avro_schema_record_field_get(zs_schema_avro(v2), "kind");
    assert_true(avro_schema_enum_get_by_name(k1, "LOGIN_FAILED") < 0);
    assert_true(avro_schema_enum_get_by_name(k2, "LOGIN_FAILED") >= 0);
    assert_true(avro_schema_enum_get_by_name(k2, "ESCALATION") >= 0);
    /* v1 data (ESCALATION) reads as v2 with the same symbol. */
    zs_encoder_t *enc = NULL;
    zs_decoder_t *dec = NULL;
    zs_buf_t b;
    zs_buf_init(&b, 1 << 16);
    assert_int_equal(zs_encoder_new(v1, &enc, errstr, sizeof(errstr)), ZS_OK);
    avro_value_t *v = zs_encoder_value(enc), f, br;
    assert_int_equal(avro_value_get_by_name(v, "prev_hash", &f, NULL), 0);
    assert_int_equal(avro_value_set_branch(&f, 0, &br), 0);
    assert_int_equal(
        zs_avro_set_str(v, "chain", "c") || zs_avro_set_num(v, "seq", 0) ||
            zs_avro_set_num(v, "kind", avro_schema_enum_get_by_name(k1, "ESCALATION")) ||
            zs_avro_set_str(v, "actor", "a") || zs_avro_set_num(v, "at", 1) ||
            zs_avro_set_str(v, "detail", "d"),
        0);
    assert_int_equal(zs_encoder_encode(enc, &b, errstr, sizeof(errstr)), ZS_OK);
    const zs_schema_t *reader;
    avro_value_t *out;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_decoder_decode(dec, b.data, b.len, &reader, &out, errstr, sizeof(errstr)),
                     ZS_OK);
    assert_ptr_equal(reader, v2);
    int e = -1;
    assert_int_equal(zs_avro_field(out, "kind", &f), 0);
    assert_int_equal(avro_value_get_enum(&f, &e), 0);
    assert_string_equal(avro_schema_enum_get(k2, e), "ESCALATION");
    zs_decoder_free(dec);
    zs_encoder_free(enc);
    zs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_followup_versions),
        cmocka_unit_test(test_audit_versions),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
