/* test_codec.c: single-object encoding, decoding, schema evolution, and
 * what happens to messages that are not ours or not whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_codec.h"

static zs_schemas_t *set;
static char errstr[512];

static int setup(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/schemas", getenv("ZS_TEST_DATA"));
    zs_err_t err = zs_schemas_load(dir, &set, errstr, sizeof(errstr));
    if (err != ZS_OK)
        fprintf(stderr, "%s\n", errstr);
    return err == ZS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    zs_schemas_free(set);
    return 0;
}

static void field(avro_value_t *rec, const char *name, avro_value_t *out)
{
    assert_int_equal(avro_value_get_by_name(rec, name, out, NULL), 0);
}

/* Fills a Sample v1 value; seq varies the content. */
static void fill_sample_v1(avro_value_t *v, int seq)
{
    avro_value_t f, e, g;
    char id[32];
    snprintf(id, sizeof(id), "hh-%06d", seq);
    field(v, "id", &f);
    assert_int_equal(avro_value_set_string(&f, id), 0);
    field(v, "count", &f);
    assert_int_equal(avro_value_set_int(&f, -seq), 0);
    field(v, "amount_fen", &f);
    assert_int_equal(avro_value_set_long(&f, 1255000LL * seq), 0);
    field(v, "at", &f);
    assert_int_equal(avro_value_set_long(&f, 1714701600000LL), 0);
    field(v, "ok", &f);
    assert_int_equal(avro_value_set_boolean(&f, seq % 2), 0);
    field(v, "ratio", &f);
    assert_int_equal(avro_value_set_double(&f, 0.25), 0);
    field(v, "weight", &f);
    assert_int_equal(avro_value_set_float(&f, 1.5f), 0);
    field(v, "kind", &f);
    assert_int_equal(avro_value_set_enum(&f, 1), 0);
    field(v, "note", &f);
    assert_int_equal(avro_value_set_branch(&f, 1, &e), 0);
    assert_int_equal(avro_value_set_string(&e, "收入下降"), 0);
    field(v, "blob", &f);
    assert_int_equal(avro_value_set_bytes(&f, "\x00\x01\x02", 3), 0);
    field(v, "hash", &f);
    assert_int_equal(avro_value_set_fixed(&f, "abcd", 4), 0);
    field(v, "tags", &f);
    assert_int_equal(avro_value_add(&f, "q1", &e, NULL, NULL), 0);
    assert_int_equal(avro_value_set_int(&e, 7), 0);
    field(v, "items", &f);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(avro_value_append(&f, &e, NULL), 0);
        field(&e, "name", &g);
        assert_int_equal(avro_value_set_string(&g, i == 1 ? "" : "member"), 0);
        field(&e, "kind", &g);
        assert_int_equal(avro_value_set_enum(&g, i % 2), 0);
    }
}

static zs_encoder_t *encoder_for(int version)
{
    const zs_schema_t *s = zs_schemas_version(set, "Sample", version);
    assert_non_null(s);
    zs_encoder_t *enc = NULL;
    assert_int_equal(zs_encoder_new(s, &enc, errstr, sizeof(errstr)), ZS_OK);
    return enc;
}

static void encode_v1(zs_buf_t *msg, int seq)
{
    zs_encoder_t *enc = encoder_for(1);
    fill_sample_v1(zs_encoder_value(enc), seq);
    assert_int_equal(zs_encoder_encode(enc, msg, errstr, sizeof(errstr)), ZS_OK);
    zs_encoder_free(enc);
}

static void header_is_single_object(void **state)
{
    (void)state;
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 16);
    encode_v1(&msg, 1);
    const unsigned char *p = (const unsigned char *)msg.data;
    assert_true(msg.len > ZS_CODEC_HEADER_SIZE);
    assert_int_equal(p[0], 0xC3);
    assert_int_equal(p[1], 0x01);
    uint64_t fp;
    assert_int_equal(zs_codec_peek(msg.data, msg.len, &fp), ZS_OK);
    assert_int_equal(fp, zs_schema_fingerprint(zs_schemas_version(set, "Sample", 1)));
    assert_int_equal(p[2], fp & 0xff); /* little-endian */
    zs_buf_free(&msg);
}

/* Written with v1, read as v2 (the latest): added fields take their
 * defaults, the removed field is skipped, int widens to long. */
static void v2_reader_reads_v1(void **state)
{
    (void)state;
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 16);
    encode_v1(&msg, 42);
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    const zs_schema_t *reader = NULL;
    avro_value_t *v = NULL;
    zs_err_t err = zs_decoder_decode(dec, msg.data, msg.len, &reader, &v, errstr, sizeof(errstr));
    if (err != ZS_OK)
        fail_msg("%s", errstr);
    assert_int_equal(zs_schema_version(reader), 2);

    avro_value_t f, e;
    const char *s;
    size_t size;
    int64_t l = 0;
    int i = -1;
    field(v, "id", &f);
    assert_int_equal(avro_value_get_string(&f, &s, &size), 0);
    assert_string_equal(s, "hh-000042");
    field(v, "count", &f);
    assert_int_equal(avro_value_get_long(&f, &l), 0);
    assert_int_equal(l, -42);
    field(v, "amount_fen", &f);
    assert_int_equal(avro_value_get_long(&f, &l), 0);
    assert_int_equal(l, 1255000LL * 42);
    field(v, "region", &f);
    assert_int_equal(avro_value_get_string(&f, &s, &size), 0);
    assert_string_equal(s, "guangxi");
    field(v, "score", &f);
    assert_int_equal(avro_value_get_discriminant(&f, &i), 0);
    assert_int_equal(i, 0);
    field(v, "note", &f);
    assert_int_equal(avro_value_get_current_branch(&f, &e), 0);
    assert_int_equal(avro_value_get_string(&e, &s, &size), 0);
    assert_string_equal(s, "收入下降");
    field(v, "items", &f);
    assert_int_equal(avro_value_get_size(&f, &size), 0);
    assert_int_equal(size, 3);

    /* The same decoder, a second message: values are reused, not appended. */
    encode_v1(&msg, 43);
    assert_int_equal(zs_decoder_decode(dec, msg.data, msg.len, &reader, &v, errstr, sizeof(errstr)),
                     ZS_OK);
    field(v, "items", &f);
    assert_int_equal(avro_value_get_size(&f, &size), 0);
    assert_int_equal(size, 3);
    field(v, "tags", &f);
    assert_int_equal(avro_value_get_size(&f, &size), 0);
    assert_int_equal(size, 1);
    zs_decoder_free(dec);
    zs_buf_free(&msg);
}

/* v2 written, v2 read: every field comes back. */
static void round_trip_latest(void **state)
{
    (void)state;
    zs_encoder_t *enc = encoder_for(2);
    avro_value_t *v = zs_encoder_value(enc), f, e;
    field(v, "id", &f);
    assert_int_equal(avro_value_set_string(&f, "x"), 0);
    field(v, "kind", &f);
    assert_int_equal(avro_value_set_enum(&f, 2), 0);
    field(v, "score", &f);
    assert_int_equal(avro_value_set_branch(&f, 1, &e), 0);
    assert_int_equal(avro_value_set_int(&e, -5), 0);
    field(v, "region", &f);
    assert_int_equal(avro_value_set_string(&f, "yunnan"), 0);
    field(v, "note", &f);
    assert_int_equal(avro_value_set_branch(&f, 0, &e), 0);
    assert_int_equal(avro_value_set_null(&e), 0);
    field(v, "hash", &f);
    assert_int_equal(avro_value_set_fixed(&f, "wxyz", 4), 0);
    field(v, "blob", &f);
    assert_int_equal(avro_value_set_bytes(&f, "", 0), 0);
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 16);
    if (zs_encoder_encode(enc, &msg, errstr, sizeof(errstr)) != ZS_OK)
        fail_msg("%s", errstr);

    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    const zs_schema_t *reader;
    avro_value_t *out;
    assert_int_equal(
        zs_decoder_decode(dec, msg.data, msg.len, &reader, &out, errstr, sizeof(errstr)), ZS_OK);
    assert_true(avro_value_equal(v, out));
    zs_decoder_free(dec);
    zs_encoder_free(enc);
    zs_buf_free(&msg);
}

/* Every prefix of a good message, and every single-byte change of it, fails
 * cleanly or decodes; none crashes or leaks (the sanitizer and valgrind runs
 * of this test check the latter). */
static void cut_and_corrupt_messages_fail_cleanly(void **state)
{
    (void)state;
    zs_buf_t msg, bad;
    zs_buf_init(&msg, 1 << 16);
    zs_buf_init(&bad, 1 << 16);
    encode_v1(&msg, 7);
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    const zs_schema_t *reader;
    avro_value_t *v;
    for (size_t len = 0; len < msg.len; len++) {
        errstr[0] = '\0';
        zs_err_t err = zs_decoder_decode(dec, msg.data, len, &reader, &v, errstr, sizeof(errstr));
        if (err == ZS_OK)
            fail_msg("a message cut at %zu of %zu bytes decoded", len, msg.len);
        assert_true(errstr[0] != '\0');
    }
    int failures = 0;
    for (size_t i = 0; i < msg.len; i++) {
        for (int flip = 1; flip < 256; flip <<= 1) {
            zs_buf_reset(&bad);
            assert_int_equal(zs_buf_add(&bad, msg.data, msg.len), ZS_OK);
            bad.data[i] ^= (char)flip;
            if (zs_decoder_decode(dec, bad.data, bad.len, &reader, &v, errstr, sizeof(errstr)) !=
                ZS_OK)
                failures++;
        }
    }
    assert_true(failures > 0);
    /* After all that, a good message still decodes. */
    assert_int_equal(zs_decoder_decode(dec, msg.data, msg.len, &reader, &v, errstr, sizeof(errstr)),
                     ZS_OK);
    zs_decoder_free(dec);
    zs_buf_free(&msg);
    zs_buf_free(&bad);
}

static const struct {
    const char *bytes;
    size_t len;
    zs_err_t err;
    const char *says;
} bad_messages[] = {
    {"", 0, ZS_ERR_TRUNCATED, "shorter than a header"},
    {"\xC3", 1, ZS_ERR_TRUNCATED, "shorter than a header"},
    {"{\"json\":1}", 10, ZS_ERR_BAD_MAGIC, "C3 01"},
    {"\xC3\x01\x01\x02\x03\x04\x05\x06\x07\x08\x00", 11, ZS_ERR_UNKNOWN_SCHEMA, "0807060504030201"},
};

static void foreign_messages_are_named(void **state)
{
    (void)state;
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    for (size_t i = 0; i < sizeof(bad_messages) / sizeof(bad_messages[0]); i++) {
        const zs_schema_t *reader;
        avro_value_t *v;
        assert_int_equal(zs_decoder_decode(dec, bad_messages[i].bytes, bad_messages[i].len, &reader,
                                           &v, errstr, sizeof(errstr)),
                         bad_messages[i].err);
        if (strstr(errstr, bad_messages[i].says) == NULL)
            fail_msg("case %zu: '%s' does not say '%s'", i, errstr, bad_messages[i].says);
    }
    zs_decoder_free(dec);
}

static void trailing_bytes_are_corrupt(void **state)
{
    (void)state;
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 16);
    encode_v1(&msg, 3);
    assert_int_equal(zs_buf_addc(&msg, 0), ZS_OK);
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    const zs_schema_t *reader;
    avro_value_t *v;
    assert_int_equal(zs_decoder_decode(dec, msg.data, msg.len, &reader, &v, errstr, sizeof(errstr)),
                     ZS_ERR_CORRUPT);
    assert_non_null(strstr(errstr, "bytes left"));
    zs_decoder_free(dec);
    zs_buf_free(&msg);
}

/* A string length that claims more than the message holds. */
static void huge_lengths_are_truncation(void **state)
{
    (void)state;
    const zs_schema_t *other = zs_schemas_latest(set, "Sample");
    unsigned char msg[ZS_CODEC_HEADER_SIZE + 3] = {0xC3, 0x01};
    uint64_t fp = zs_schema_fingerprint(other);
    for (int i = 0; i < 8; i++)
        msg[2 + i] = (unsigned char)(fp >> (8 * i));
    msg[10] = 0xfe; /* id: length zigzag(0x3ffe>>...) far beyond the end */
    msg[11] = 0x7f;
    msg[12] = 'a';
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    const zs_schema_t *reader;
    avro_value_t *v;
    assert_int_equal(zs_decoder_decode(dec, msg, sizeof(msg), &reader, &v, errstr, sizeof(errstr)),
                     ZS_ERR_TRUNCATED);
    assert_non_null(strstr(errstr, "field id"));
    zs_decoder_free(dec);
}

/* avro-c's allocations, counted through its allocator hook. */
static size_t avro_allocs;

static void *counting_allocator(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    avro_allocs++;
    return realloc(ptr, nsize);
}

/* Once warm, encoding and decoding a flat record, the shape of every input
 * event, allocates nothing. Filling the value is the caller's business and is
 * left out of the count. avro-c does allocate when decoding maps and arrays:
 * it makes every entry anew after a reset, and a map's table even when empty. */
static void no_allocation_per_message(void **state)
{
    (void)state;
    zs_buf_t msg;
    zs_buf_init(&msg, 1 << 16);
    zs_encoder_t *enc = NULL;
    assert_int_equal(zs_encoder_new(zs_schemas_latest(set, "Flat"), &enc, errstr, sizeof(errstr)),
                     ZS_OK);
    zs_decoder_t *dec = NULL;
    assert_int_equal(zs_decoder_new(set, &dec, errstr, sizeof(errstr)), ZS_OK);
    const zs_schema_t *reader;
    avro_value_t *out, f, b;
    size_t counted = 0;
    struct avro_allocator_state saved = AVRO_CURRENT_ALLOCATOR;
    avro_set_allocator(counting_allocator, NULL);
    for (int i = 0; i < 1000; i++) {
        avro_value_t *v = zs_encoder_value(enc);
        char id[32];
        snprintf(id, sizeof(id), "evt-%d", i * 7919);
        field(v, "event_id", &f);
        assert_int_equal(avro_value_set_string(&f, id), 0);
        field(v, "amount_fen", &f);
        assert_int_equal(avro_value_set_long(&f, i * 100LL), 0);
        field(v, "kind", &f);
        assert_int_equal(avro_value_set_enum(&f, i % 2), 0);
        field(v, "person_id", &f);
        assert_int_equal(avro_value_set_branch(&f, 1, &b), 0);
        assert_int_equal(avro_value_set_string(&b, id + (i % 5)), 0);
        size_t before = avro_allocs;
        assert_int_equal(zs_encoder_encode(enc, &msg, errstr, sizeof(errstr)), ZS_OK);
        assert_int_equal(
            zs_decoder_decode(dec, msg.data, msg.len, &reader, &out, errstr, sizeof(errstr)),
            ZS_OK);
        if (i >= 10)
            counted += avro_allocs - before;
        assert_true(avro_value_equal(v, out));
    }
    avro_set_allocator(saved.alloc, saved.user_data);
    zs_decoder_free(dec);
    zs_encoder_free(enc);
    zs_buf_free(&msg);
    assert_int_equal(counted, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_is_single_object),
        cmocka_unit_test(v2_reader_reads_v1),
        cmocka_unit_test(round_trip_latest),
        cmocka_unit_test(cut_and_corrupt_messages_fail_cleanly),
        cmocka_unit_test(foreign_messages_are_named),
        cmocka_unit_test(trailing_bytes_are_corrupt),
        cmocka_unit_test(huge_lengths_are_truncation),
        cmocka_unit_test(no_allocation_per_message),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
