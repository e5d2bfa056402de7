/* fuzz_decode.c: libFuzzer target for the message decoder. Any bytes must
 * decode or fail with an error and a message; never crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zs_codec.h"

static zs_schemas_t *set;
static zs_decoder_t *dec;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void release(void)
{
    zs_decoder_free(dec);
    zs_schemas_free(set);
}

/* Loads the schemas once, before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char errstr[512];
    const char *dir = getenv("ZS_SCHEMA_DIR");
    if (zs_schemas_load(dir ? dir : "schemas", &set, errstr, sizeof(errstr)) != ZS_OK ||
        zs_decoder_new(set, &dec, errstr, sizeof(errstr)) != ZS_OK)
        abort();
    atexit(release);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errstr[512];
    /* The input picks a schema for its header, so the fuzzer reaches datums
     * of every message without having to guess fingerprints. */
    if (size < 1)
        return 0;
    const zs_schema_t *schema = zs_schemas_at(set, data[0] % zs_schemas_count(set));
    uint8_t *msg = malloc(size - 1 + ZS_CODEC_HEADER_SIZE);
    if (msg == NULL)
        return 0;
    uint64_t fp = zs_schema_fingerprint(schema);
    msg[0] = 0xC3;
    msg[1] = 0x01;
    for (int i = 0; i < 8; i++)
        msg[2 + i] = (uint8_t)(fp >> (8 * i));
    memcpy(msg + ZS_CODEC_HEADER_SIZE, data + 1, size - 1);
    const zs_schema_t *reader;
    avro_value_t *value;
    errstr[0] = '\0';
    zs_err_t err = zs_decoder_decode(dec, msg, size - 1 + ZS_CODEC_HEADER_SIZE, &reader, &value,
                                     errstr, sizeof(errstr));
    if (err != ZS_OK && errstr[0] == '\0')
        abort(); /* every failure must say why */
    /* The raw input as a whole message too: headers that are not ours. */
    zs_decoder_decode(dec, data, size, &reader, &value, errstr, sizeof(errstr));
    free(msg);
    return 0;
}
