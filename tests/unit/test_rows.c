/* test_rows.c: the JSON Lines reader and zs_rows over CSV and JSON Lines,
 * table by table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "zs_rows.h"

#define NCOLS    4
#define MAX_ROWS 12

static const zs_col_t cols[NCOLS] = {
    {"household_id", true}, {"amount_yuan", true}, {"note", false}, {"year", false}};

/* One row the reader should give. */
typedef struct exp_row {
    unsigned long line;   /* 0 ends the list */
    const char *f[NCOLS]; /* a good row's fields by column; NULL: absent */
    const char *raw;      /* NULL: not checked */
    zs_err_t err;         /* ZS_OK for a good row */
    const char *errstr;   /* a rejected row's exact errstr */
    bool truncated;       /* raw_truncated expected */
} exp_row_t;

typedef struct jsonl_case {
    const char *name;
    const char *in;
    bool ignore_unknown;
    zs_csv_opts_t limits;
    exp_row_t rows[MAX_ROWS];
} jsonl_case_t;

/* A good row: line, then the four columns (NULL: absent). */
#define ROW(l, a, b, c, d)                                                                         \
    {                                                                                              \
        .line = (l), .f = {(a), (b), (c), (d) }                                                    \
    }
/* A rejected row: line, error code, exact errstr. */
#define BAD(l, code, e)                                                                            \
    {                                                                                              \
        .line = (l), .err = (code), .errstr = (e)                                                  \
    }
/* The object most cases start from. */
#define HH "{\"household_id\":\"H\",\"amount_yuan\":"

static const jsonl_case_t cases[] = {
    {.name = "basic",
     .in = "{\"household_id\":\"H1\",\"amount_yuan\":12.50}\n",
     .rows = {{.line = 1,
               .f = {"H1", "12.50", NULL, NULL},
               .raw = "{\"household_id\":\"H1\",\"amount_yuan\":12.50}"}}},
    {.name = "any order, whitespace, numbers as strings",
     .in =
         " { \"year\" : 2024 , \"note\":\"x\", \"amount_yuan\" : \"0.10\",\"household_id\":\"H2\" "
         "} \n",
     .rows = {ROW(1, "H2", "0.10", "x", "2024")}},
    {.name = "numbers keep their literal text",
     .in = HH "-0}\n" HH "1e3}\n" HH "1.5E-2}\n" HH "0}\n" HH "100.00}\n" HH "-12.5e+07}\n",
     .rows = {ROW(1, "H", "-0", NULL, NULL), ROW(2, "H", "1e3", NULL, NULL),
              ROW(3, "H", "1.5E-2", NULL, NULL), ROW(4, "H", "0", NULL, NULL),
              ROW(5, "H", "100.00", NULL, NULL), ROW(6, "H", "-12.5e+07", NULL, NULL)}},
    {.name = "true, false, null",
     .in = HH "1,\"note\":true,\"year\":null}\n" HH "1,\"note\":false}\n",
     .rows = {ROW(1, "H", "1", "true", NULL), ROW(2, "H", "1", "false", NULL)}},
    {.name = "escapes",
     .in = "{\"household_id\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\",\"amount_yuan\":1}\n",
     .rows = {ROW(1, "a\"b\\c/d\b\f\n\r\t", "1", NULL, NULL)}},
    {.name = "unicode escapes and surrogate pairs",
     .in = "{\"household_id\":\"\\u4e2d\\u6587\",\"amount_yuan\":1,"
           "\"note\":\"\\ud83d\\ude00 \\u00e9\\u20AC\\u0041\"}\n",
     .rows = {ROW(1, "中文", "1", "\xF0\x9F\x98\x80 é€A", NULL)}},
    {.name = "Chinese text as is",
     .in = "{\"household_id\":\"H1\",\"amount_yuan\":\"12.50\",\"note\":\"张三 龙州县\"}\n",
     .rows = {ROW(1, "H1", "12.50", "张三 龙州县", NULL)}},
    {.name = "BOM, CRLF, blank lines, no final line end",
     .in = "\xEF\xBB\xBF" HH "1}\r\n\r\n   \n\t\r\n" HH "2}",
     .rows = {{.line = 1, .f = {"H", "1", NULL, NULL}, .raw = HH "1}"},
              {.line = 5, .f = {"H", "2", NULL, NULL}, .raw = HH "2}"}}},
    {.name = "empty file", .in = ""},
    {.name = "only blank lines", .in = "\n \r\n\n"},
    {.name = "required member null or absent",
     .in = HH "null}\n{\"household_id\":\"H\"}\n{}\n",
     .rows = {BAD(1, ZS_ERR_INVALID, "line 1: missing required member \"amount_yuan\""),
              BAD(2, ZS_ERR_INVALID, "line 2: missing required member \"amount_yuan\""),
              BAD(3, ZS_ERR_INVALID, "line 3: missing required member \"household_id\"")}},
    {.name = "unknown member",
     .in = HH "1,\"x\":2}\n",
     .rows = {BAD(1, ZS_ERR_INVALID, "line 1, column 37: unknown member \"x\"")}},
    {.name = "unknown member ignored, but still flat",
     .in = HH "1,\"x\":2}\n" HH "1,\"x\":[1]}\n",
     .ignore_unknown = true,
     .rows = {ROW(1, "H", "1", NULL, NULL),
              BAD(2, ZS_ERR_INVALID, "line 2, column 41: member \"x\" holds an array")}},
    {.name = "duplicate member",
     .in = "{\"household_id\":\"H\",\"household_id\":\"I\",\"amount_yuan\":1}\n",
     .rows = {BAD(1, ZS_ERR_INVALID, "line 1, column 21: duplicate member \"household_id\"")}},
    {.name = "nested object",
     .in = "{\"household_id\":{\"a\":1},\"amount_yuan\":1}\n",
     .rows = {BAD(1, ZS_ERR_INVALID,
                  "line 1, column 17: member \"household_id\" holds an object")}},
    {.name = "syntax errors, each on its own line",
     .in = HH "1,}\n"
              "{\"household_id\" \"H\"}\n" HH "01}\n" HH "1.}\n" HH ".5}\n" HH "1e}\n" HH "-}\n" HH
              "tru}\n",
     .rows = {BAD(1, ZS_ERR_PARSE, "line 1, column 37: expected a member name in quotes"),
              BAD(2, ZS_ERR_PARSE, "line 2, column 17: expected ':' after a member name"),
              BAD(3, ZS_ERR_PARSE, "line 3, column 35: invalid number (leading zero)"),
              BAD(4, ZS_ERR_PARSE, "line 4, column 35: invalid number (no digit after '.')"),
              BAD(5, ZS_ERR_PARSE, "line 5, column 35: expected a value"),
              BAD(6, ZS_ERR_PARSE, "line 6, column 35: invalid number (no digit in exponent)"),
              BAD(7, ZS_ERR_PARSE, "line 7, column 35: invalid number"),
              BAD(8, ZS_ERR_PARSE, "line 8, column 35: expected a value")}},
    {.name = "more syntax errors",
     .in = "{\"household_id\":\"H\n"
           "{\"household_id\":\"a\tb\",\"amount_yuan\":1}\n" HH "1} x\n"
           "[1,2]\n" HH "1\n" HH "1 2}\n" HH "1}}\n" HH "+1}\n",
     .rows = {BAD(1, ZS_ERR_PARSE, "line 1, column 17: string never closed"),
              BAD(2, ZS_ERR_PARSE, "line 2, column 19: control character in a string"),
              BAD(3, ZS_ERR_PARSE, "line 3, column 38: text after the object"),
              BAD(4, ZS_ERR_PARSE, "line 4, column 1: a line must hold one JSON object"),
              BAD(5, ZS_ERR_PARSE, "line 5, column 36: expected ',' or '}' after a value"),
              BAD(6, ZS_ERR_PARSE, "line 6, column 37: expected ',' or '}' after a value"),
              BAD(7, ZS_ERR_PARSE, "line 7, column 37: text after the object"),
              BAD(8, ZS_ERR_PARSE, "line 8, column 35: expected a value")}},
    {.name = "bad escapes",
     .in = "{\"household_id\":\"\\ud83d\",\"amount_yuan\":1}\n"
           "{\"household_id\":\"\\ude00\",\"amount_yuan\":1}\n"
           "{\"household_id\":\"\\u0000\",\"amount_yuan\":1}\n"
           "{\"household_id\":\"\\x\",\"amount_yuan\":1}\n"
           "{\"household_id\":\"\\u12\",\"amount_yuan\":1}\n"
           "{\"household_id\":\"\\ud83d\\u0041\",\"amount_yuan\":1}\n",
     .rows = {BAD(1, ZS_ERR_PARSE,
                  "line 1, column 18: high surrogate \\uD83D not followed by a low one"),
              BAD(2, ZS_ERR_PARSE, "line 2, column 18: lone low surrogate \\uDE00"),
              BAD(3, ZS_ERR_PARSE, "line 3, column 18: \\u0000 (NUL) in a string"),
              BAD(4, ZS_ERR_PARSE, "line 4, column 18: invalid escape in a string"),
              BAD(5, ZS_ERR_PARSE, "line 5, column 18: \\u not followed by 4 hex digits"),
              BAD(6, ZS_ERR_PARSE,
                  "line 6, column 18: high surrogate \\uD83D not followed by a low one")}},
    {.name = "invalid UTF-8, columns count characters",
     .in = "{\"household_id\":\"\xff\"}\n"
           "{\"household_id\":\"张三\" x}\n"
           "{\"household_id\":\"\xd5\xc5\"}\n",
     .rows = {BAD(1, ZS_ERR_PARSE, "line 1, column 18: invalid UTF-8 byte 0xFF"),
              BAD(2, ZS_ERR_PARSE, "line 2, column 22: expected ',' or '}' after a value"),
              BAD(3, ZS_ERR_PARSE, "line 3, column 18: invalid UTF-8 byte 0xD5")}},
    {.name = "line longer than the bound, then the next line",
     .in = HH "1,\"note\":\"0123456789\"}\n" HH "2}\n" HH "12345}\r\n",
     .limits = {.max_row_bytes = 40},
     .rows = {{.line = 1,
               .raw = HH "1,\"not",
               .err = ZS_ERR_PARSE,
               .errstr = "line 1, column 41: line longer than 40 bytes",
               .truncated = true},
              ROW(2, "H", "2", NULL, NULL),
              {.line = 3, .f = {"H", "12345", NULL, NULL}, .raw = HH "12345}"}}},
    {.name = "value longer than the bound",
     .in = "{\"household_id\":\"HHHH\",\"amount_yuan\":1}\n"
           "{\"household_id\":\"HHH\",\"amount_yuan\":1234}\n"
           "{\"household_id\":\"\\u4e2d\",\"amount_yuan\":123}\n",
     .limits = {.max_field_bytes = 3},
     .rows = {BAD(1, ZS_ERR_PARSE, "line 1, column 17: value longer than 3 bytes"),
              BAD(2, ZS_ERR_PARSE, "line 2, column 37: value longer than 3 bytes"),
              ROW(3, "中", "123", NULL, NULL)}},
    {.name = "more members than the bound",
     .in = HH "1,\"note\":\"x\"}\n" HH "1}\n",
     .limits = {.max_fields = 2},
     .rows = {BAD(1, ZS_ERR_PARSE, "line 1, column 37: more than 2 members"),
              ROW(2, "H", "1", NULL, NULL)}},
    {.name = "resync: the lines after a bad one come out right",
     .in = "garbage\n\n" HH "1}\n{bad\n" HH "2}",
     .rows = {{.line = 1,
               .raw = "garbage",
               .err = ZS_ERR_PARSE,
               .errstr = "line 1, column 1: a line must hold one JSON object"},
              ROW(3, "H", "1", NULL, NULL),
              BAD(4, ZS_ERR_PARSE, "line 4, column 2: expected a member name in quotes"),
              ROW(5, "H", "2", NULL, NULL)}},
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
                      const zs_row_t *row, const char *errstr)
{
    if (err != exp->err || (exp->err != ZS_OK && strcmp(errstr, exp->errstr) != 0))
        fail_msg("%s (chunk %zu), line %lu: expected %s \"%s\", got %s \"%s\"", name, chunk,
                 exp->line, zs_err2str(exp->err), exp->errstr ? exp->errstr : "", zs_err2str(err),
                 errstr);
    if (row->line != exp->line)
        fail_msg("%s (chunk %zu): row at line %lu, expected %lu", name, chunk, row->line,
                 exp->line);
    if (exp->raw != NULL &&
        (row->raw_len != strlen(exp->raw) || memcmp(row->raw, exp->raw, row->raw_len) != 0))
        fail_msg("%s (chunk %zu), line %lu: raw text \"%.*s\"", name, chunk, exp->line,
                 (int)row->raw_len, row->raw);
    assert_int_equal(row->raw_truncated, exp->truncated);
    if (err != ZS_OK) {
        assert_true(zs_rows_is_row_error(err));
        assert_int_equal(row->ncols, 0);
        assert_int_equal(row->err_line, exp->line);
        assert_non_null(strstr(exp->errstr, row->reason));
        return;
    }
    assert_int_equal(row->raw[row->raw_len], '\0');
    assert_int_equal(row->ncols, NCOLS);
    for (size_t i = 0; i < NCOLS; i++) {
        const zs_field_t *f = &row->fields[i];
        const char *want = exp->f[i];
        if (want == NULL) {
            if (f->present)
                fail_msg("%s (chunk %zu), line %lu: %s present", name, chunk, exp->line,
                         cols[i].name);
            assert_int_equal(f->len, 0);
            assert_string_equal(f->data, "");
            continue;
        }
        if (!f->present || f->len != strlen(want) || memcmp(f->data, want, f->len) != 0)
            fail_msg("%s (chunk %zu), line %lu: %s is \"%.*s\", expected \"%s\"", name, chunk,
                     exp->line, cols[i].name, (int)f->len, f->data, want);
        assert_int_equal(f->data[f->len], '\0');
    }
}

static void table(void **state)
{
    (void)state;
    static const size_t chunks[] = {1, 2, 3, 7, 0};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const jsonl_case_t *tc = &cases[c];
        for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
            FILE *fp = text_file(tc->in, strlen(tc->in));
            zs_rows_opts_t opts = {.cols = cols,
                                   .ncols = NCOLS,
                                   .ignore_unknown = tc->ignore_unknown,
                                   .limits = tc->limits};
            opts.limits.chunk_size = chunks[k];
            zs_rows_t *rows = NULL;
            char errstr[256];
            assert_int_equal(zs_rows_open_jsonl(fp, &opts, &rows, errstr, sizeof(errstr)), ZS_OK);
            zs_row_t row;
            for (const exp_row_t *exp = tc->rows; exp->line != 0; exp++) {
                errstr[0] = '\0';
                zs_err_t err = zs_rows_next(rows, &row, errstr, sizeof(errstr));
                check_row(tc->name, chunks[k], exp, err, &row, errstr);
            }
            zs_err_t err = zs_rows_next(rows, &row, errstr, sizeof(errstr));
            if (err != ZS_ERR_EOF)
                fail_msg("%s (chunk %zu): a row more than expected at line %lu: %s", tc->name,
                         chunks[k], row.line, errstr);
            assert_int_equal(zs_rows_next(rows, &row, errstr, sizeof(errstr)), ZS_ERR_EOF);
            zs_rows_close(rows);
            fclose(fp);
        }
    }
}

/* zs_rows over CSV: fields by expected column, whatever the header's order. */
static void rows_csv(void **state)
{
    (void)state;
    static const char text[] = "note,household_id,year,amount_yuan\n"
                               "hi,H1,2024,12.50\n"
                               ",H2,2024,0\n"
                               "H3,2024\n"
                               "\"x\"y,H4,2024,1\n"
                               "ok,H5,2025,3";
    static const exp_row_t want[] = {
        ROW(2, "H1", "12.50", "hi", "2024"),
        ROW(3, "H2", "0", "", "2024"),
        BAD(4, ZS_ERR_INVALID, "line 4: 2 fields, header has 4"),
        BAD(5, ZS_ERR_PARSE, "line 5, column 4: text after the closing quote of field 1"),
        ROW(6, "H5", "3", "ok", "2025"),
    };
    FILE *fp = text_file(text, strlen(text));
    zs_rows_opts_t opts = {.cols = cols, .ncols = NCOLS};
    zs_rows_t *rows = NULL;
    zs_row_t row;
    char errstr[256];
    assert_int_equal(zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr)), ZS_OK);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        zs_err_t err = zs_rows_next(rows, &row, errstr, sizeof(errstr));
        check_row("rows over CSV", 0, &want[i], err, &row, errstr);
    }
    assert_int_equal(zs_rows_next(rows, &row, errstr, sizeof(errstr)), ZS_ERR_EOF);
    zs_rows_close(rows);
    fclose(fp);

    /* Optional columns the header lacks are absent, not empty. */
    fp = text_file("household_id,amount_yuan\nH1,1\n", strlen("household_id,amount_yuan\nH1,1\n"));
    assert_int_equal(zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_rows_next(rows, &row, errstr, sizeof(errstr)), ZS_OK);
    check_row("absent optional columns", 0, &(exp_row_t)ROW(2, "H1", "1", NULL, NULL), ZS_OK, &row,
              errstr);
    zs_rows_close(rows);
    fclose(fp);
}

/* The raw text of a CSV row is the record as in the file, quotes, commas
 * and all, whichever way the reader took it (whole from its buffer, or byte
 * by byte across reads); the fields are its unquoted values. */
static void rows_csv_raw_text(void **state)
{
    (void)state;
    static const char text[] = "household_id,amount_yuan,note\r\n"
                               "H1,12.50,\"a, \"\"b\"\"\"\r\n"
                               "H2,0,\r\n"
                               "\r\n"
                               "\"H3\",1,\"x\ny\"\r\n"
                               "H4,2,z";
    static const exp_row_t want[] = {
        {.line = 2, .f = {"H1", "12.50", "a, \"b\"", NULL}, .raw = "H1,12.50,\"a, \"\"b\"\"\""},
        {.line = 3, .f = {"H2", "0", "", NULL}, .raw = "H2,0,"},
        {.line = 5, .f = {"H3", "1", "x\ny", NULL}, .raw = "\"H3\",1,\"x\ny\""},
        {.line = 7, .f = {"H4", "2", "z", NULL}, .raw = "H4,2,z"},
    };
    static const size_t chunks[] = {1, 7, 0};
    for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
        FILE *fp = text_file(text, strlen(text));
        zs_rows_opts_t opts = {.cols = cols, .ncols = NCOLS};
        opts.limits.chunk_size = chunks[k];
        zs_rows_t *rows = NULL;
        zs_row_t row;
        char errstr[256];
        assert_int_equal(zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr)), ZS_OK);
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
            zs_err_t err = zs_rows_next(rows, &row, errstr, sizeof(errstr));
            check_row("raw text over CSV", chunks[k], &want[i], err, &row, errstr);
        }
        assert_int_equal(zs_rows_next(rows, &row, errstr, sizeof(errstr)), ZS_ERR_EOF);
        zs_rows_close(rows);
        fclose(fp);
    }
}

/* Where a column's value is in the raw text, in both formats, good rows and
 * rejected ones: what zs-push masks an ID number column by. */
static void raw_spans(void **state)
{
    (void)state;
    static const struct {
        bool jsonl;
        const char *text;
        size_t col;        /* expected column */
        const char *value; /* the span's bytes; NULL: no span */
    } cases[] = {
        /* Expected columns: household_id 0, amount_yuan 1, note 2, year 3. */
        {false, "note,household_id,year,amount_yuan\nhi,H1,2024,12.50\n", 0, "H1"},
        {false, "note,household_id,year,amount_yuan\nhi,H1,2024,12.50\n", 1, "12.50"},
        {false, "note,household_id,year,amount_yuan\nhi,H1,2024,12.50\n", 2, "hi"},
        {false, "note,household_id,year,amount_yuan\nhi,H1,2024,12.50\n", 3, "2024"},
        {false, "note,household_id,year,amount_yuan\n\"a, \"\"b\"\"\",H1,2024,1\n", 2,
         "a, \"\"b\"\""},
        {false, "household_id,note,amount_yuan\nH1,\"x\ny\",7\n", 1, "7"},
        {false, "household_id,note,amount_yuan\nH1,\"x\ny\",7\n", 2, "x\ny"},
        /* A column the header lacks has no span. */
        {false, "household_id,amount_yuan\nH1,1\n", 2, NULL},
        /* A rejected row (too few fields): the fields it has. */
        {false, "household_id,amount_yuan,note\nH1,1\n", 1, "1"},
        {false, "household_id,amount_yuan,note\nH1,1\n", 2, NULL},
        {true, "{\"household_id\":\"H1\",\"amount_yuan\":12.50}\n", 0, "H1"},
        {true, "{\"household_id\":\"H1\",\"amount_yuan\":12.50}\n", 1, "12.50"},
        {true, "{\"household_id\":\"H1\",\"amount_yuan\":12.50}\n", 2, NULL},
        {true, "{\"note\":\"a\\\"b\", \"household_id\":\"H1\",\"amount_yuan\":1}\n", 2, "a\\\"b"},
        /* A rejected row (an unknown member after it): the value is still found. */
        {true, "{\"note\":\"1101\",\"what\":1,\"household_id\":\"H\",\"amount_yuan\":1}\n", 2,
         "1101"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FILE *fp = text_file(cases[i].text, strlen(cases[i].text));
        zs_rows_opts_t opts = {.cols = cols, .ncols = NCOLS};
        zs_rows_t *rows = NULL;
        zs_row_t row;
        char errstr[256];
        assert_int_equal(cases[i].jsonl
                             ? zs_rows_open_jsonl(fp, &opts, &rows, errstr, sizeof(errstr))
                             : zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr)),
                         ZS_OK);
        zs_rows_next(rows, &row, errstr, sizeof(errstr));
        size_t off = 0, len = 0;
        bool found = zs_rows_raw_span(rows, &row, cases[i].col, &off, &len);
        if (found != (cases[i].value != NULL) ||
            (found &&
             (len != strlen(cases[i].value) || memcmp(row.raw + off, cases[i].value, len) != 0)))
            fail_msg("case %zu: found %d '%.*s', want '%s'", i, found, (int)len,
                     found ? row.raw + off : "", cases[i].value ? cases[i].value : "(none)");
        zs_rows_close(rows);
        fclose(fp);
    }
}

/* Files zs_rows_open_csv refuses, and why. */
static void rows_csv_open_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ignore_unknown;
        zs_err_t err;
        const char *errstr;
    } bad[] = {
        {"", false, ZS_ERR_INVALID, "no header row (empty file)"},
        {"\n\n", false, ZS_ERR_INVALID, "no header row (empty file)"},
        {"household_id,amount\"yuan\n", false, ZS_ERR_PARSE,
         "header row: line 1, column 20: quote inside an unquoted field (field 2)"},
        {"household_id,amount_yuan,zzz\n", false, ZS_ERR_INVALID,
         "line 1: unknown column \"zzz\" (field 3 of the header)"},
        {"household_id,amount_yuan,zzz\n", true, ZS_OK, ""},
        {"household_id,note\n", false, ZS_ERR_INVALID,
         "line 1: missing required column \"amount_yuan\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE *fp = text_file(bad[i].text, strlen(bad[i].text));
        zs_rows_opts_t opts = {
            .cols = cols, .ncols = NCOLS, .ignore_unknown = bad[i].ignore_unknown};
        zs_rows_t *rows = NULL;
        char errstr[256] = "";
        assert_int_equal(zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr)), bad[i].err);
        assert_string_equal(errstr, bad[i].errstr);
        assert_true((rows != NULL) == (bad[i].err == ZS_OK));
        zs_rows_close(rows);
        fclose(fp);
    }
    /* A stream that cannot be read: an I/O error at open, in both formats. */
    FILE *fp = fopen("/dev/null", "w");
    assert_non_null(fp);
    zs_rows_opts_t opts = {.cols = cols, .ncols = NCOLS};
    zs_rows_t *rows = NULL;
    char errstr[256];
    assert_int_equal(zs_rows_open_csv(fp, &opts, &rows, errstr, sizeof(errstr)), ZS_ERR_IO);
    assert_int_equal(zs_rows_open_jsonl(fp, &opts, &rows, errstr, sizeof(errstr)), ZS_ERR_IO);
    assert_null(rows);
    fclose(fp);
    zs_rows_close(NULL);
    assert_false(zs_rows_is_row_error(ZS_OK));
    assert_false(zs_rows_is_row_error(ZS_ERR_EOF));
    assert_false(zs_rows_is_row_error(ZS_ERR_IO));
}

/* The same rows as CSV and as JSON Lines come out the same. */
static void same_rows_both_formats(void **state)
{
    (void)state;
    static const char csv[] = "household_id,year,amount_yuan,note\n"
                              "H1,2024,12.50,\"村, \"\"屯\"\"\"\n"
                              "H2,,0,\n";
    static const char jsonl[] =
        "{\"household_id\":\"H1\",\"year\":2024,\"amount_yuan\":12.50,\"note\":\"村, "
        "\\\"屯\\\"\"}\n"
        "{\"household_id\":\"H2\",\"year\":\"\",\"amount_yuan\":0,\"note\":\"\"}\n";
    FILE *fc = text_file(csv, strlen(csv));
    FILE *fj = text_file(jsonl, strlen(jsonl));
    zs_rows_opts_t opts = {.cols = cols, .ncols = NCOLS};
    zs_rows_t *rc = NULL, *rj = NULL;
    char errstr[256];
    assert_int_equal(zs_rows_open_csv(fc, &opts, &rc, errstr, sizeof(errstr)), ZS_OK);
    assert_int_equal(zs_rows_open_jsonl(fj, &opts, &rj, errstr, sizeof(errstr)), ZS_OK);
    for (int n = 0; n < 2; n++) {
        zs_row_t a, b;
        assert_int_equal(zs_rows_next(rc, &a, errstr, sizeof(errstr)), ZS_OK);
        assert_int_equal(zs_rows_next(rj, &b, errstr, sizeof(errstr)), ZS_OK);
        for (size_t i = 0; i < NCOLS; i++) {
            assert_int_equal(a.fields[i].present, b.fields[i].present);
            assert_int_equal(a.fields[i].len, b.fields[i].len);
            assert_string_equal(a.fields[i].data, b.fields[i].data);
        }
    }
    zs_rows_close(rc);
    zs_rows_close(rj);
    fclose(fc);
    fclose(fj);
}

/* ~10 MB of JSON Lines, far more than one chunk, a bad line now and then. */
static void large_file(void **state)
{
    (void)state;
    enum { NROWS = 140000, BAD_EVERY = 7919 };
    FILE *fp = tmpfile();
    assert_non_null(fp);
    for (int i = 0; i < NROWS; i++) {
        if (i % BAD_EVERY == 3)
            assert_true(fprintf(fp, "{\"household_id\":\"HH%07d\",\"amount_yuan\":12.50,}\n", i) >
                        0);
        else
            assert_true(fprintf(fp,
                                "{\"household_id\":\"HH%07d\",\"amount_yuan\":12.50,"
                                "\"note\":\"\\u9f99\\u5dde\\u53bf \\\"%d\\\"\"}\r\n",
                                i, i % 100) > 0);
    }
    assert_true(ftell(fp) > 10 * 1000 * 1000);
    rewind(fp);
    zs_rows_opts_t opts = {.cols = cols, .ncols = NCOLS};
    zs_rows_t *rows = NULL;
    zs_row_t row;
    char errstr[256];
    assert_int_equal(zs_rows_open_jsonl(fp, &opts, &rows, errstr, sizeof(errstr)), ZS_OK);
    int good = 0, bad = 0;
    for (int i = 0; i < NROWS; i++) {
        char want[64];
        zs_err_t err = zs_rows_next(rows, &row, errstr, sizeof(errstr));
        assert_int_equal(row.line, (unsigned long)i + 1);
        if (i % BAD_EVERY == 3) {
            assert_int_equal(err, ZS_ERR_PARSE);
            bad++;
            continue;
        }
        assert_int_equal(err, ZS_OK);
        snprintf(want, sizeof(want), "HH%07d", i);
        assert_string_equal(row.fields[0].data, want);
        snprintf(want, sizeof(want), "龙州县 \"%d\"", i % 100);
        assert_string_equal(row.fields[2].data, want);
        good++;
    }
    assert_int_equal(zs_rows_next(rows, &row, errstr, sizeof(errstr)), ZS_ERR_EOF);
    assert_int_equal(good + bad, NROWS);
    assert_int_equal(bad, (NROWS - 3 + BAD_EVERY - 1) / BAD_EVERY);
    zs_rows_close(rows);
    fclose(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(rows_csv),
        cmocka_unit_test(rows_csv_raw_text),
        cmocka_unit_test(raw_spans),
        cmocka_unit_test(rows_csv_open_errors),
        cmocka_unit_test(same_rows_both_formats),
        cmocka_unit_test(large_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
