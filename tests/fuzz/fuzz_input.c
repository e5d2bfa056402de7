/* fuzz_input.c: a libFuzzer target for every input path of zs-push: the
 * rows of each registry export, in CSV (its header row given) or JSON Lines,
 * through the contract's checks into the message they become. The first
 * byte picks the export and the format; the rest is the file. What it
 * promises, row by row:
 * - a refused row names a column of the export and says why;
 * - a flat export's row encoded straight to bytes (zs_input_encode) and
 *   through avro-c values (zs_input_convert, then the encoder) is refused by
 *   both with the same column and words, or accepted by both with the same
 *   bytes;
 * - an accepted row's message decodes, as the export's message;
 * - masking the free text of a row twice changes nothing the second time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "zs_codec.h"
#include "zs_county.h"
#include "zs_input.h"
#include "zs_rows.h"
#include "zs_schema.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zs_schemas_t *set;
static zs_decoder_t *dec;
static zs_county_table_t *counties;
static zs_encoder_t *enc[ZS_INPUT__COUNT];
static zs_buf_t fast, slow;

static void release(void)
{
    for (int k = 0; k < ZS_INPUT__COUNT; k++)
        zs_encoder_free(enc[k]);
    zs_decoder_free(dec);
    zs_schemas_free(set);
    zs_county_table_free(counties);
    zs_buf_free(&fast);
    zs_buf_free(&slow);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char errstr[512], path[4096];
    const char *schemas = getenv("ZS_SCHEMA_DIR"), *data = getenv("ZS_DATA_DIR");
    snprintf(path, sizeof(path), "%s/guangxi-counties.csv", data ? data : "data");
    if (zs_schemas_load(schemas ? schemas : "schemas", &set, errstr, sizeof(errstr)) != ZS_OK ||
        zs_decoder_new(set, &dec, errstr, sizeof(errstr)) != ZS_OK ||
        zs_county_load(path, &counties, errstr, sizeof(errstr)) != ZS_OK) {
        fprintf(stderr, "%s\n", errstr);
        abort();
    }
    for (int k = 0; k < ZS_INPUT__COUNT; k++) {
        if (k == ZS_INPUT_MEMBERS) /* a Member lives inside a Household */
            continue;
        const zs_schema_t *schema = zs_schemas_latest(set, zs_input_message((zs_input_kind_t)k));
        if (schema == NULL || zs_encoder_new(schema, &enc[k], errstr, sizeof(errstr)) != ZS_OK)
            abort();
    }
    zs_buf_init(&fast, (size_t)1 << 24);
    zs_buf_init(&slow, (size_t)1 << 24);
    atexit(release);
    return 0;
}

/* One accepted or refused row of kind. */
static void row_checks(zs_input_kind_t kind, const zs_row_t *row, size_t ncols)
{
    zs_input_mask_text(kind, row);
    CHECK(zs_input_mask_text(kind, row) == 0);
    char e1[512] = "", e2[512] = "";
    size_t bad1 = (size_t)-1, bad2 = (size_t)-1;
    const char *message = zs_input_message(kind);
    if (kind == ZS_INPUT_MEMBERS) { /* into a member of a household */
        avro_value_t members, m;
        CHECK(avro_value_get_by_name(zs_encoder_value(enc[ZS_INPUT_HOUSEHOLDS]), "members",
                                     &members, NULL) == 0);
        CHECK(avro_value_reset(&members) == 0 && avro_value_append(&members, &m, NULL) == 0);
        if (zs_input_convert(kind, row, counties, &m, &bad2, e2, sizeof(e2)) != ZS_OK)
            CHECK(bad2 < ncols && e2[0] != '\0');
        return;
    }
    zs_err_t r2 =
        zs_input_convert(kind, row, counties, zs_encoder_value(enc[kind]), &bad2, e2, sizeof(e2));
    if (r2 != ZS_OK) {
        CHECK(bad2 < ncols && e2[0] != '\0');
    } else {
        zs_buf_reset(&slow);
        CHECK(zs_encoder_encode(enc[kind], &slow, e2, sizeof(e2)) == ZS_OK);
    }
    if (kind != ZS_INPUT_HOUSEHOLDS) {
        zs_buf_reset(&fast);
        zs_err_t r1 = zs_input_encode(kind, row, counties, zs_schemas_latest(set, message), &fast,
                                      &bad1, e1, sizeof(e1));
        CHECK((r1 == ZS_OK) == (r2 == ZS_OK));
        if (r1 != ZS_OK) {
            CHECK(bad1 == bad2 && strcmp(e1, e2) == 0);
            return;
        }
        CHECK(fast.len == slow.len && memcmp(fast.data, slow.data, fast.len) == 0);
    }
    if (r2 != ZS_OK || slow.len == 0)
        return;
    const zs_schema_t *reader;
    avro_value_t *value;
    char e3[512];
    CHECK(zs_decoder_decode(dec, slow.data, slow.len, &reader, &value, e3, sizeof(e3)) == ZS_OK);
    const char *name = zs_schema_name(reader);
    size_t nl = strlen(name), ml = strlen(message);
    CHECK(nl >= ml && strcmp(name + nl - ml, message) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    zs_input_kind_t kind = (zs_input_kind_t)(data[0] % ZS_INPUT__COUNT);
    bool jsonl = (data[0] / ZS_INPUT__COUNT) % 2 == 1;
    size_t ncols;
    const zs_col_t *cols = zs_input_cols(kind, &ncols);
    /* CSV: the export's header row, then the input. */
    size_t head = 0;
    char header[1024];
    if (!jsonl)
        for (size_t i = 0; i < ncols && head < sizeof(header) - 64; i++)
            head += (size_t)snprintf(header + head, sizeof(header) - head, "%s%s", i ? "," : "",
                                     cols[i].name);
    char *text = malloc(head + 1 + size);
    if (text == NULL)
        return 0;
    memcpy(text, header, head);
    size_t len = head;
    if (!jsonl)
        text[len++] = '\n';
    memcpy(text + len, data + 1, size - 1);
    len += size - 1;
    FILE *fp = fmemopen(text, len ? len : 1, "r");
    if (fp == NULL) {
        free(text);
        return 0;
    }
    zs_rows_opts_t opts = {.cols = cols, .ncols = ncols};
    zs_rows_t *rows = NULL;
    char errstr[512];
    zs_err_t err = jsonl ? zs_rows_open_jsonl(fp, &opts, &rows, errstr, sizeof(errstr))
                         : zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr));
    for (int n = 0; err == ZS_OK && n < 64; n++) {
        zs_row_t row;
        zs_err_t r = zs_rows_next(rows, &row, errstr, sizeof(errstr));
        if (r == ZS_ERR_EOF || (r != ZS_OK && !zs_rows_is_row_error(r)))
            break;
        if (r == ZS_OK)
            row_checks(kind, &row, ncols);
    }
    zs_rows_close(rows);
    fclose(fp);
    free(text);
    return 0;
}
