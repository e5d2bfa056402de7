/* test_csv.c: the streaming CSV reader and its header helpers, table by table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_csv.h"

#define MAX_FIELDS 8
#define MAX_ROWS   8

/* One row the reader should give: fields (NULL-ended) for a good row, or the
 * exact errstr of a malformed one. */
typedef struct exp_row {
    unsigned long line;             /* 0 ends the list */
    const char *fields[MAX_FIELDS]; /* good row: NULL-ended */
    const char *raw;                /* NULL: not checked */
    const char *err;                /* NULL: a good row */
    bool truncated;                 /* raw_truncated expected */
} exp_row_t;

typedef struct csv_case {
    const char *name;
    const char *in;
    size_t in_len; /* 0: strlen(in) */
    zs_csv_opts_t opts;
    exp_row_t rows[MAX_ROWS];
} csv_case_t;

/* A good row: line, raw text (NULL: not checked), then its fields. */
#define ROW(l, r, ...)                                                                             \
    {                                                                                              \
        .line = (l), .raw = (r), .fields = { __VA_ARGS__, NULL }                                   \
    }
/* A malformed row: line, raw text (NULL: not checked), exact errstr. */
#define BAD(l, r, e)                                                                               \
    {                                                                                              \
        .line = (l), .raw = (r), .err = (e)                                                        \
    }

static const csv_case_t cases[] = {
    {.name = "plain",
     .in = "a,b,c\n1,2,3\n",
     .rows = {ROW(1, "a,b,c", "a", "b", "c"), ROW(2, "1,2,3", "1", "2", "3")}},
    {.name = "no final newline",
     .in = "a,b\n1,2",
     .rows = {ROW(1, "a,b", "a", "b"), ROW(2, "1,2", "1", "2")}},
    {.name = "CRLF",
     .in = "a,b\r\n1,2\r\n",
     .rows = {ROW(1, "a,b", "a", "b"), ROW(2, "1,2", "1", "2")}},
    {.name = "CRLF, no final line end",
     .in = "a,b\r\n1,2",
     .rows = {ROW(1, "a,b", "a", "b"), ROW(2, "1,2", "1", "2")}},
    {.name = "CR at end of file", .in = "a\r", .rows = {ROW(1, "a", "a")}},
    {.name = "quoted fields",
     .in = "\"a,b\",c\n\"\",\"x\"\n",
     .rows = {ROW(1, "\"a,b\",c", "a,b", "c"), ROW(2, "\"\",\"x\"", "", "x")}},
    {.name = "escaped quotes",
     .in = "\"say \"\"hi\"\"\",\"\"\"\"\n",
     .rows = {ROW(1, "\"say \"\"hi\"\"\",\"\"\"\"", "say \"hi\"", "\"")}},
    {.name = "LF inside quotes",
     .in = "\"l1\nl2\",x\ny,z\n",
     .rows = {ROW(1, "\"l1\nl2\",x", "l1\nl2", "x"), ROW(3, "y,z", "y", "z")}},
    {.name = "CRLF inside quotes of a CRLF file",
     .in = "h\r\n\"l1\r\nl2\r\n\",x\r\ny,z\r\n",
     .rows = {ROW(1, "h", "h"), ROW(2, "\"l1\r\nl2\r\n\",x", "l1\r\nl2\r\n", "x"),
              ROW(5, "y,z", "y", "z")}},
    {.name = "CR inside quotes", .in = "\"a\rb\"\n", .rows = {ROW(1, "\"a\rb\"", "a\rb")}},
    {.name = "byte order mark",
     .in = "\xEF\xBB\xBFid,name\n1,x\n",
     .rows = {ROW(1, "id,name", "id", "name"), ROW(2, "1,x", "1", "x")}},
    {.name = "byte order mark before a quote",
     .in = "\xEF\xBB\xBF\"id\"\n",
     .rows = {ROW(1, "\"id\"", "id")}},
    {.name = "byte order mark only", .in = "\xEF\xBB\xBF"},
    {.name = "empty fields",
     .in = ",,\na,,b\n\"\"\na,\n",
     .rows = {ROW(1, ",,", "", "", ""), ROW(2, "a,,b", "a", "", "b"), ROW(3, "\"\"", ""),
              ROW(4, "a,", "a", "")}},
    {.name = "comma at end of file", .in = "a,", .rows = {ROW(1, "a,", "a", "")}},
    {.name = "blank lines skipped, still counted",
     .in = "\na\n\n\r\nb\n\n\r\n",
     .rows = {ROW(2, "a", "a"), ROW(5, "b", "b")}},
    {.name = "empty file", .in = ""},
    {.name = "only blank lines", .in = "\n\r\n\n"},
    {.name = "spaces are data", .in = " a , b \n", .rows = {ROW(1, " a , b ", " a ", " b ")}},
    {.name = "Chinese text",
     .in = "姓名,村\n张三,\"龙州县, 上金乡\"\n",
     .rows = {ROW(1, "姓名,村", "姓名", "村"),
              ROW(2, "张三,\"龙州县, 上金乡\"", "张三", "龙州县, 上金乡")}},
    {.name = "unterminated quote at end of file",
     .in = "a,b\n1,\"abc\n2,3\n",
     .rows = {ROW(1, "a,b", "a", "b"),
              BAD(2, "1,\"abc\n2,3", "line 2, column 3: quoted field never closed")}},
    {.name = "escaped quote then end of file",
     .in = "\"a\"\"",
     .rows = {BAD(1, "\"a\"\"", "line 1, column 1: quoted field never closed")}},
    {.name = "quote inside an unquoted field",
     .in = "a,b\"c,d\n1,2\n",
     .rows = {BAD(1, "a,b\"c,d", "line 1, column 4: quote inside an unquoted field (field 2)"),
              ROW(2, "1,2", "1", "2")}},
    {.name = "text after a closing quote",
     .in = "\"ab\"c,d\n\"ab\" ,d\nx,y\n",
     .rows = {BAD(1, "\"ab\"c,d", "line 1, column 5: text after the closing quote of field 1"),
              BAD(2, "\"ab\" ,d", "line 2, column 5: text after the closing quote of field 1"),
              ROW(3, "x,y", "x", "y")}},
    {.name = "field longer than the bound",
     .in = "abcd,abcde,x\nok\n\"abcde\"\n",
     .opts = {.max_field_bytes = 4},
     .rows = {BAD(1, "abcd,abcde,x", "line 1, column 10: field 2 longer than 4 bytes"),
              ROW(2, "ok", "ok"),
              BAD(3, "\"abcde\"", "line 3, column 6: field 1 longer than 4 bytes")}},
    {.name = "more fields than the bound",
     .in = "a,b,c\nd,e\n",
     .opts = {.max_fields = 2},
     .rows = {BAD(1, "a,b,c", "line 1, column 4: more than 2 fields"), ROW(2, "d,e", "d", "e")}},
    {.name = "exactly the field bound",
     .in = "a,b,c\n",
     .opts = {.max_fields = 3},
     .rows = {ROW(1, "a,b,c", "a", "b", "c")}},
    {.name = "row longer than the bound",
     .in = "abcde\r\nabcdef\nab\n",
     .opts = {.max_row_bytes = 5},
     .rows = {ROW(1, "abcde", "abcde"),
              {.line = 2,
               .raw = "abcde",
               .err = "line 2, column 6: row longer than 5 bytes",
               .truncated = true},
              ROW(3, "ab", "ab")}},
    {.name = "resync after a multi-line bad row",
     .in = "h1,h2\n\"x\ny\"z,1\nq,r\n\"m\nn\",o\n",
     .rows = {ROW(1, "h1,h2", "h1", "h2"),
              BAD(2, "\"x\ny\"z,1", "line 3, column 3: text after the closing quote of field 1"),
              ROW(4, "q,r", "q", "r"), ROW(5, "\"m\nn\",o", "m\nn", "o")}},
    {.name = "unterminated quote stops at the field bound",
     .in = "\"abc\nd\ne\nf\ng\nh\n1,2\n",
     .opts = {.max_field_bytes = 8},
     .rows = {BAD(1, "\"abc\nd\ne\nf", "line 4, column 1: field 1 longer than 8 bytes"),
              ROW(5, "g", "g"), ROW(6, "h", "h"), ROW(7, "1,2", "1", "2")}},
    {.name = "error on a LF inside quotes ends the row",
     .in = "\"ab\nc\"\nx\n",
     .opts = {.max_row_bytes = 3},
     .rows = {BAD(1, "\"ab", "line 1, column 4: row longer than 3 bytes"),
              BAD(2, "c\"", "line 2, column 2: quote inside an unquoted field (field 1)"),
              ROW(3, "x", "x")}},
    {.name = "bare CR",
     .in = "a\rb\nc\n",
     .rows = {BAD(1, "a\rb", "line 1, column 2: carriage return not followed by a line feed"),
              ROW(2, "c", "c")}},
    {.name = "NUL byte",
     .in = "a\0b\nc\n",
     .in_len = 6,
     .rows = {BAD(1, NULL, "line 1, column 2: NUL byte"), ROW(2, "c", "c")}},
    {.name = "invalid UTF-8",
     .in = "a\xff,b\nc\n",
     .rows = {BAD(1, "a\xff,b", "line 1, column 2: invalid UTF-8 byte 0xFF"), ROW(2, "c", "c")}},
    {.name = "GBK instead of UTF-8",
     .in = "\xd5\xc5\xc8\xfd,1\nok\n",
     .rows = {BAD(1, "\xd5\xc5\xc8\xfd,1", "line 1, column 1: invalid UTF-8 byte 0xD5"),
              ROW(2, "ok", "ok")}},
    {.name = "overlong UTF-8",
     .in = "x,\xc0\xaf\n",
     .rows = {BAD(1, NULL, "line 1, column 3: invalid UTF-8 byte 0xC0")}},
    {.name = "UTF-8 surrogate",
     .in = "\xed\xa0\x80\n",
     .rows = {BAD(1, NULL, "line 1, column 1: invalid UTF-8 byte 0xED")}},
    {.name = "UTF-8 cut by a comma",
     .in = "\xe4\xb8,x\n",
     .rows = {BAD(1, NULL, "line 1, column 1: invalid UTF-8 byte 0xE4")}},
    {.name = "file ends inside a UTF-8 character",
     .in = "ab\xe4\xb8",
     .rows = {BAD(1, "ab\xe4\xb8", "line 1, column 3: file ends inside a UTF-8 character")}},
    /* Records the fast path (a whole record within the chunk read) takes or
     * hands to the byte-at-a-time reader: the same rows either way. */
    {.name = "quoted fields before CRLF",
     .in = "\"a\",\"b\"\r\n\"c\"\r\n",
     .rows = {ROW(1, "\"a\",\"b\"", "a", "b"), ROW(2, "\"c\"", "c")}},
    {.name = "escaped quote before CRLF keeps the field open",
     .in = "\"a\"\"\r\nb\"\r\nx\r\n",
     .rows = {ROW(1, "\"a\"\"\r\nb\"", "a\"\r\nb"), ROW(3, "x", "x")}},
    {.name = "bare CR after a closing quote",
     .in = "\"a\"\rb\nc\n",
     .rows = {BAD(1, "\"a\"\rb", "line 1, column 4: carriage return not followed by a line feed"),
              ROW(2, "c", "c")}},
    {.name = "NUL inside quotes",
     .in = "\"a\0b\"\nc\n",
     .in_len = 8,
     .rows = {BAD(1, NULL, "line 1, column 3: NUL byte"), ROW(2, "c", "c")}},
    {.name = "invalid UTF-8 inside quotes",
     .in = "x,\"a\xff\"\nc\n",
     .rows = {BAD(1, "x,\"a\xff\"", "line 1, column 5: invalid UTF-8 byte 0xFF"),
              ROW(2, "c", "c")}},
    {.name = "control characters are data",
     .in = "a\tb,\x01\n",
     .rows = {ROW(1, "a\tb,\x01", "a\tb", "\x01")}},
    {.name = "comma before CRLF", .in = "a,\r\n", .rows = {ROW(1, "a,", "a", "")}},
    {.name = "exactly the field and row bounds",
     .in = "\"a\"\"b\",cd\nabc,d\n",
     .opts = {.max_field_bytes = 3, .max_row_bytes = 9},
     .rows = {ROW(1, "\"a\"\"b\",cd", "a\"b", "cd"), ROW(2, "abc,d", "abc", "d")}},
    {.name = "one byte past the field and row bounds",
     .in = "\"a\"\"bc\"\nabcdefghij\nok\n",
     .opts = {.max_field_bytes = 3, .max_row_bytes = 9},
     .rows = {BAD(1, "\"a\"\"bc\"", "line 1, column 6: field 1 longer than 3 bytes"),
              {.line = 2,
               .raw = "abcdefghi",
               .err = "line 2, column 4: field 1 longer than 3 bytes",
               .truncated = true},
              ROW(3, "ok", "ok")}},
    {.name = "a trailing comma past the field bound",
     .in = "a,b,\na,b\n",
     .opts = {.max_fields = 2},
     .rows = {BAD(1, "a,b,", "line 1, column 4: more than 2 fields"), ROW(2, "a,b", "a", "b")}},
    {.name = "blank lines, then a last record without a line end",
     .in = "\n\r\n\"x\"",
     .rows = {ROW(3, "\"x\"", "x")}},
    {.name = "columns count characters",
     .in = "张三,李\"四\n",
     .rows = {BAD(1, "张三,李\"四", "line 1, column 5: quote inside an unquoted field (field 2)")}},
};

/* A stdio file holding len bytes of s, positioned at its start. */
static FILE *text_file(const char *s, size_t len)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    if (len > 0)
        assert_int_equal(fwrite(s, 1, len, fp), len);
    rewind(fp);
    return fp;
}

static void check_row(const char *name, size_t chunk, const exp_row_t *exp, zs_err_t err,
                      const zs_csv_row_t *row, const char *errstr)
{
    if (exp->err == NULL && err != ZS_OK)
        fail_msg("%s (chunk %zu), line %lu: %s", name, chunk, exp->line, errstr);
    if (exp->err != NULL && (err != ZS_ERR_PARSE || strcmp(errstr, exp->err) != 0))
        fail_msg("%s (chunk %zu): expected \"%s\", got %s \"%s\"", name, chunk, exp->err,
                 zs_err2str(err), errstr);
    if (row->line != exp->line)
        fail_msg("%s (chunk %zu): row at line %lu, expected %lu", name, chunk, row->line,
                 exp->line);
    if (exp->raw != NULL &&
        (row->raw_len != strlen(exp->raw) || memcmp(row->raw, exp->raw, row->raw_len) != 0))
        fail_msg("%s (chunk %zu), line %lu: raw text \"%.*s\"", name, chunk, exp->line,
                 (int)row->raw_len, row->raw);
    assert_int_equal(row->raw[row->raw_len], '\0');
    assert_int_equal(row->raw_truncated, exp->truncated);
    if (exp->err != NULL) {
        assert_int_equal(row->nfields, 0);
        assert_int_equal(row->err_line, strtoul(exp->err + strlen("line "), NULL, 10));
        assert_non_null(strstr(exp->err, row->reason));
        return;
    }
    size_t n = 0;
    while (exp->fields[n] != NULL)
        n++;
    if (row->nfields != n)
        fail_msg("%s (chunk %zu), line %lu: %zu fields, expected %zu", name, chunk, exp->line,
                 row->nfields, n);
    for (size_t i = 0; i < n; i++) {
        const zs_field_t *f = &row->fields[i];
        if (f->len != strlen(exp->fields[i]) || memcmp(f->data, exp->fields[i], f->len) != 0)
            fail_msg("%s (chunk %zu), line %lu: field %zu is \"%.*s\", expected \"%s\"", name,
                     chunk, exp->line, i + 1, (int)f->len, f->data, exp->fields[i]);
        assert_int_equal(f->data[f->len], '\0');
        assert_true(f->present);
    }
}

/* Every case, with chunks so small that every boundary falls everywhere. */
static void table(void **state)
{
    (void)state;
    static const size_t chunks[] = {1, 2, 3, 5, 0};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const csv_case_t *tc = &cases[c];
        for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
            size_t len = tc->in_len != 0 ? tc->in_len : strlen(tc->in);
            FILE *fp = text_file(tc->in, len);
            zs_csv_opts_t opts = tc->opts;
            opts.chunk_size = chunks[k];
            zs_csv_t *csv = NULL;
            char errstr[256];
            assert_int_equal(zs_csv_open(fp, &opts, &csv, errstr, sizeof(errstr)), ZS_OK);
            zs_csv_row_t row;
            for (const exp_row_t *exp = tc->rows; exp->line != 0; exp++) {
                errstr[0] = '\0';
                zs_err_t err = zs_csv_next(csv, &row, errstr, sizeof(errstr));
                check_row(tc->name, chunks[k], exp, err, &row, errstr);
            }
            zs_err_t err = zs_csv_next(csv, &row, errstr, sizeof(errstr));
            if (err != ZS_ERR_EOF)
                fail_msg("%s (chunk %zu): a row more than expected at line %lu: %s", tc->name,
                         chunks[k], row.line, zs_err2str(err));
            assert_int_equal(zs_csv_next(csv, &row, errstr, sizeof(errstr)), ZS_ERR_EOF);
            zs_csv_close(csv);
            fclose(fp);
        }
    }
}

/* Reads the first row of text; the caller closes *csv and *fp. */
static void first_row(const char *text, FILE **fp, zs_csv_t **csv, zs_csv_row_t *row)
{
    char errstr[256];
    *fp = text_file(text, strlen(text));
    assert_int_equal(zs_csv_open(*fp, NULL, csv, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_csv_next(*csv, row, errstr, sizeof(errstr)), ZS_OK);
}

typedef struct header_case {
    const char *header;
    bool ignore_unknown;
    const char *err; /* NULL: maps */
    size_t map[4];   /* expected map when it maps */
} header_case_t;

#define ABSENT ZS_COL_ABSENT

static void header_map(void **state)
{
    (void)state;
    static const zs_col_t cols[] = {
        {"household_id", true}, {"year", true}, {"month", true}, {"note", false}};
    static const header_case_t hcases[] = {
        {"household_id,year,month\n", false, NULL, {0, 1, 2, ABSENT}},
        {"month,household_id,note,year\n", false, NULL, {1, 3, 0, 2}},
        {"household_id,year,month,extra\n",
         false,
         "line 1: unknown column \"extra\" (field 4 of the header)",
         {0}},
        {"household_id,year,month,extra\n", true, NULL, {0, 1, 2, ABSENT}},
        {"Household_id,year,month\n",
         false,
         "line 1: unknown column \"Household_id\" (field 1 of the header)",
         {0}},
        {"household_id,year\n", false, "line 1: missing required column \"month\"", {0}},
        {"household_id,year,month,year\n",
         false,
         "line 1: duplicate column \"year\" (fields 2 and 4 of the header)",
         {0}},
        {"\n\"household_id\",\"year\",\"month\",\"note\"\n", false, NULL, {0, 1, 2, 3}},
    };
    for (size_t c = 0; c < sizeof(hcases) / sizeof(hcases[0]); c++) {
        FILE *fp = NULL;
        zs_csv_t *csv = NULL;
        zs_csv_row_t row;
        char errstr[256] = "";
        size_t map[4];
        first_row(hcases[c].header, &fp, &csv, &row);
        zs_err_t err =
            zs_csv_header_map(&row, cols, 4, hcases[c].ignore_unknown, map, errstr, sizeof(errstr));
        if (hcases[c].err != NULL) {
            assert_int_equal(err, ZS_ERR_INVALID);
            assert_string_equal(errstr, hcases[c].err);
        } else {
            assert_int_equal(err, ZS_OK);
            for (size_t i = 0; i < 4; i++)
                assert_int_equal(map[i], hcases[c].map[i]);
        }
        zs_csv_close(csv);
        fclose(fp);
    }
}

static void check_width(void **state)
{
    (void)state;
    FILE *fp = NULL;
    zs_csv_t *csv = NULL;
    zs_csv_row_t row;
    char errstr[256];
    first_row("a,b,c\n\n\n1,2,3\n4,5\n", &fp, &csv, &row);
    size_t width = row.nfields;
    assert_int_equal(zs_csv_next(csv, &row, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_csv_check_width(&row, width, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_csv_next(csv, &row, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_csv_check_width(&row, width, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_string_equal(errstr, "line 5: 2 fields, header has 3");
    zs_csv_close(csv);
    fclose(fp);
}

/* ~10 MB, far more than one chunk, with a bad row now and then: every row
 * comes out, the bad ones rejected, with the right line numbers. */
static void large_file(void **state)
{
    (void)state;
    enum { NROWS = 170000, BAD_EVERY = 9973 };
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_true(fputs("household_id,county_code,note,amount_yuan\n", fp) >= 0);
    for (int i = 0; i < NROWS; i++) {
        if (i % BAD_EVERY == 7)
            assert_true(fprintf(fp, "HH%07d,450102,bad\"quote,1\n", i) > 0);
        else
            assert_true(fprintf(fp, "HH%07d,450102,\"龙州县, \"\"上金乡\"\"\r\n第%d屯\",12.50\r\n",
                                i, i % 100) > 0);
    }
    long size = ftell(fp);
    assert_true(size > 10 * 1000 * 1000);
    rewind(fp);

    zs_csv_t *csv = NULL;
    char errstr[256];
    assert_int_equal(zs_csv_open(fp, NULL, &csv, errstr, sizeof(errstr)), ZS_OK);
    zs_csv_row_t row;
    assert_int_equal(zs_csv_next(csv, &row, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(row.nfields, 4);
    unsigned long line = 2;
    int good = 0, bad = 0;
    for (int i = 0; i < NROWS; i++) {
        char expect[64];
        zs_err_t err = zs_csv_next(csv, &row, errstr, sizeof(errstr));
        assert_int_equal(row.line, line);
        snprintf(expect, sizeof(expect), "HH%07d", i);
        if (i % BAD_EVERY == 7) {
            assert_int_equal(err, ZS_ERR_PARSE);
            assert_memory_equal(row.raw, expect, strlen(expect));
            bad++;
            line += 1;
            continue;
        }
        assert_int_equal(err, ZS_OK);
        assert_int_equal(row.nfields, 4);
        assert_string_equal(row.fields[0].data, expect);
        snprintf(expect, sizeof(expect), "龙州县, \"上金乡\"\r\n第%d屯", i % 100);
        assert_string_equal(row.fields[2].data, expect);
        assert_string_equal(row.fields[3].data, "12.50");
        good++;
        line += 2;
    }
    assert_int_equal(zs_csv_next(csv, &row, errstr, sizeof(errstr)), ZS_ERR_EOF);
    assert_int_equal(bad, (NROWS - 7 + BAD_EVERY - 1) / BAD_EVERY);
    assert_int_equal(good + bad, NROWS);
    zs_csv_close(csv);
    fclose(fp);
}

/* A record of 200 KB of quoted text stays bounded by the default bounds:
 * rejected, not read whole into memory. */
static void bounded_memory(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_true(fputs("a,\"", fp) >= 0);
    for (int i = 0; i < 200000; i++)
        assert_true(fputc('x', fp) != EOF);
    assert_true(fputs("\"\nb,c\n", fp) >= 0);
    rewind(fp);
    zs_csv_t *csv = NULL;
    zs_csv_row_t row;
    char errstr[256];
    assert_int_equal(zs_csv_open(fp, NULL, &csv, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_csv_next(csv, &row, errstr, sizeof(errstr)), ZS_ERR_PARSE);
    assert_string_equal(errstr, "line 1, column 65540: field 2 longer than 65536 bytes");
    assert_int_equal(row.raw_len, 200004);
    assert_int_equal(zs_csv_next(csv, &row, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.fields[1].data, "c");
    zs_csv_close(csv);
    zs_csv_close(NULL);
    fclose(fp);
}

/* A stream that cannot be read is an I/O error at open, not an empty file;
 * bounds that could overflow are refused. */
static void open_errors(void **state)
{
    (void)state;
    zs_csv_t *csv = NULL;
    char errstr[256];
    FILE *fp = fopen("/dev/null", "w");
    assert_non_null(fp);
    assert_int_equal(zs_csv_open(fp, NULL, &csv, errstr, sizeof(errstr)), ZS_ERR_IO);
    assert_null(csv);
    fclose(fp);
    zs_csv_opts_t huge = {.max_row_bytes = SIZE_MAX};
    assert_int_equal(zs_csv_open(stdin, &huge, &csv, errstr, sizeof(errstr)), ZS_ERR_INVALID);
    assert_null(csv);
}

/* A deterministic generator of CSV-ish text: mostly plain bytes, with every
 * byte that matters to the reader (quotes, commas, CR, LF, NUL, UTF-8 and
 * broken UTF-8) often enough. */
static size_t gen_text(uint32_t *seed, char *out, size_t max)
{
    static const char *const atoms[] = {"a",    "bc", "1.5",  ",",     ",",     "\"",  "\"\"",
                                        "\n",   "\n", "\r\n", "\r",    "\0",    "张",  "\xe4\xb8",
                                        "\xff", " ",  "\t",   "\"x\"", ",\"\"", "HH12"};
    size_t n = 0;
    size_t want = 1 + *seed % max;
    while (n < want) {
        *seed = *seed * 1103515245u + 12345u;
        const char *a = atoms[(*seed >> 16) % (sizeof(atoms) / sizeof(atoms[0]))];
        size_t len = a[0] == '\0' ? 1 : strlen(a);
        if (n + len > max)
            break;
        memcpy(out + n, a, len);
        n += len;
    }
    return n;
}

/* Every row of text with chunk size 1 (every record goes byte by byte) and
 * with the default chunk (whole records take the fast path): the same rows,
 * errors, positions and raw text. */
static void fast_path_agrees(void **state)
{
    (void)state;
    static const zs_csv_opts_t bounds[] = {
        {0},
        {.max_field_bytes = 4, .max_fields = 3, .max_row_bytes = 12},
    };
    uint32_t seed = 42;
    char text[512];
    for (int iter = 0; iter < 4000; iter++) {
        size_t len = gen_text(&seed, text, sizeof(text));
        const zs_csv_opts_t *lim = &bounds[iter % 2];
        zs_csv_opts_t o1 = *lim, o2 = *lim;
        o1.chunk_size = 1;
        FILE *f1 = text_file(text, len), *f2 = text_file(text, len);
        zs_csv_t *c1 = NULL, *c2 = NULL;
        char e1[256], e2[256];
        assert_int_equal(zs_csv_open(f1, &o1, &c1, e1, sizeof(e1)), ZS_OK);
        assert_int_equal(zs_csv_open(f2, &o2, &c2, e2, sizeof(e2)), ZS_OK);
        for (;;) {
            zs_csv_row_t r1, r2;
            e1[0] = e2[0] = '\0';
            zs_err_t err1 = zs_csv_next(c1, &r1, e1, sizeof(e1));
            zs_err_t err2 = zs_csv_next(c2, &r2, e2, sizeof(e2));
            if (err1 != err2 || strcmp(e1, e2) != 0)
                fail_msg("input %d: %s \"%s\" byte by byte, %s \"%s\" in chunks", iter,
                         zs_err2str(err1), e1, zs_err2str(err2), e2);
            if (err1 == ZS_ERR_EOF)
                break;
            assert_int_equal(r1.line, r2.line);
            assert_int_equal(r1.raw_len, r2.raw_len);
            assert_memory_equal(r1.raw, r2.raw, r1.raw_len + 1);
            assert_int_equal(r1.raw_truncated, r2.raw_truncated);
            assert_int_equal(r1.err_line, r2.err_line);
            assert_int_equal(r1.err_column, r2.err_column);
            assert_string_equal(r1.reason, r2.reason);
            assert_int_equal(r1.nfields, r2.nfields);
            for (size_t i = 0; i < r1.nfields; i++) {
                assert_int_equal(r1.fields[i].len, r2.fields[i].len);
                assert_memory_equal(r1.fields[i].data, r2.fields[i].data, r1.fields[i].len + 1);
                assert_true(r2.fields[i].present);
            }
        }
        zs_csv_close(c1);
        zs_csv_close(c2);
        fclose(f1);
        fclose(f2);
    }
}

static void utf8_check(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_true(zs_utf8_valid("", 0, &bad));
    assert_true(zs_utf8_valid("a张\xF0\x9F\x98\x80", 8, &bad));
    assert_false(zs_utf8_valid("ab\xE5\xBC", 4, &bad));
    assert_int_equal(bad, 2);
    assert_false(zs_utf8_valid("a\x80", 2, &bad));
    assert_int_equal(bad, 1);
    assert_false(zs_utf8_valid("\xF4\x90\x80\x80", 4, &bad)); /* past U+10FFFF */
    assert_int_equal(bad, 0);
    assert_false(zs_utf8_valid("\xE0\x80\x80", 3, NULL)); /* overlong */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),          cmocka_unit_test(header_map),
        cmocka_unit_test(check_width),    cmocka_unit_test(large_file),
        cmocka_unit_test(bounded_memory), cmocka_unit_test(open_errors),
        cmocka_unit_test(utf8_check),     cmocka_unit_test(fast_path_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
