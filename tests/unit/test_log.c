/* test_log.c: log line formats, JSON escaping, ID number masking, level
 * filtering and whole lines from several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_log.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("'%s' does not contain '%s'", hay, needle);
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle) != NULL)
        fail_msg("'%s' contains '%s'", hay, needle);
}

/* ---- ID number masking ---- */

typedef struct mask_case {
    const char *in;
    const char *out;
    size_t count;
} mask_case_t;

static const mask_case_t mask_cases[] = {
    /* masked: 17 digits and a digit or X/x */
    {"11010519491231002X", "**************002X", 1},
    {"11010519491231002x", "**************002x", 1},
    {"110105194912310021", "**************0021", 1},
    {"id=11010519491231002X,", "id=**************002X,", 1},
    {"(450102198001011234)", "(**************1234)", 1},
    {"x_11010519491231002X-y", "x_**************002X-y", 1},
    {"身份证11010519491231002X号", "身份证**************002X号", 1},
    {"a 110105194912310021 b 11010519491231002X.", "a **************0021 b **************002X.", 2},
    {"\"11010519491231002X\"\n", "\"**************002X\"\n", 1},
    /* Regression, "ID numbers in free text are not masked": next to letters,
     * with spaces inside, a digit too many or too few. */
    {"A11010519491231002X", "A**************002X", 1},
    {"ID11010519491231002Xabc", "ID**************002Xabc", 1},
    {"11010519491231002XY", "**************002XY", 1},
    {"(11010519491231002)", "(*************1002)", 1}, /* 17 digits, a word */
    {"11010519491231002", "*************1002", 1},     /* 17 digits */
    {"1101051949123100212", "***************0212", 1}, /* 19 digits */
    {"身份证1101051949123100212号", "身份证***************0212号", 1},
    {"1101051949123100X", "*************100X", 1},       /* 16 digits and X */
    {"110105 19491231 002X", "****** ******** 002X", 1}, /* grouped */
    {"村民 110105 1949 1231 0021 户", "村民 ****** **** **** 0021 户", 1},
    {"1 1010 5194 9123 1002 1", "* **** **** **** *002 1", 1}, /* spaced: 17 and more */
    {"a 110105194912310021b", "a **************0021b", 1},
    /* untouched: other numbers */
    {"", "", 0},
    {"1101051949123100", "1101051949123100", 0},         /* 16 digits */
    {"11010519491231002123", "11010519491231002123", 0}, /* 20 digits */
    {"E0123456789012345678901234567890", "E0123456789012345678901234567890", 0},
    {"110105 1949123100", "110105 1949123100", 0}, /* 16 in groups */
    {"household 4501020001 in 450102", "household 4501020001 in 450102", 0},
    {"amount 1234567890123456.78", "amount 1234567890123456.78", 0},
    {"at 2024-06-01T00:00:00+08:00, 1717171717171 ms",
     "at 2024-06-01T00:00:00+08:00, 1717171717171 ms", 0},
    {"X11010519X", "X11010519X", 0},
    /* 17 or 19 glued to letters: ids ("H" and 19 digits), not ID numbers */
    {"H1101051949123100211", "H1101051949123100211", 0},
    {"11010519491231002Y", "11010519491231002Y", 0},
};

static void masks_id_numbers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(mask_cases) / sizeof(mask_cases[0]); i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", mask_cases[i].in);
        size_t count = zs_log_mask_idnumbers(buf, strlen(buf));
        if (count != mask_cases[i].count || strcmp(buf, mask_cases[i].out) != 0)
            fail_msg("case %zu '%s': got '%s' (%zu), want '%s' (%zu)", i, mask_cases[i].in, buf,
                     count, mask_cases[i].out, mask_cases[i].count);
    }
}

/* Only s[0..len) is looked at: a run cut by len is judged by what is inside. */
static void masks_within_length(void **state)
{
    (void)state;
    char buf[] = "11010519491231002X";
    assert_int_equal(zs_log_mask_idnumbers(buf, 16), 0);
    assert_string_equal(buf, "11010519491231002X");
    char two[] = "110105194912310021 then more";
    assert_int_equal(zs_log_mask_idnumbers(two, 18), 1);
    assert_string_equal(two, "**************0021 then more");
}

/* ---- lines ---- */

static char *captured;
static size_t captured_len;
static FILE *capture;

static int start_capture(void **state)
{
    (void)state;
    captured = NULL;
    captured_len = 0;
    capture = open_memstream(&captured, &captured_len);
    if (capture == NULL)
        return -1;
    zs_log_set_output(capture);
    return 0;
}

static int stop_capture(void **state)
{
    (void)state;
    zs_log_set_output(NULL);
    fclose(capture);
    free(captured);
    captured = NULL;
    zs_log_init(NULL, ZS_LOG_INFO, ZS_LOG_TEXT);
    return 0;
}

/* True if s starts with a timestamp like 2026-11-29T06:40:00.123Z. */
static bool is_timestamp(const char *s)
{
    const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    for (size_t i = 0; shape[i] != '\0'; i++) {
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return false;
    }
    return true;
}

static void text_line(void **state)
{
    (void)state;
    zs_log_init("zs-monitor", ZS_LOG_INFO, ZS_LOG_TEXT);
    zs_log_info("partition %d restored in %s", 3, "12ms");
    assert_true(is_timestamp(captured));
    assert_string_equal(captured + 24, " zs-monitor INFO partition 3 restored in 12ms\n");
}

static void levels_filter(void **state)
{
    (void)state;
    zs_log_init("zs-push", ZS_LOG_WARN, ZS_LOG_TEXT);
    assert_false(zs_log_enabled(ZS_LOG_INFO));
    assert_true(zs_log_enabled(ZS_LOG_ERROR));
    zs_log_debug("d");
    zs_log_info("i");
    zs_log_warn("w");
    zs_log_error("e");
    zs_log(ZS_LOG_ERROR, "%s", "direct");
    size_t lines = 0;
    for (const char *p = captured; *p != '\0'; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3);
    assert_contains(captured, " zs-push WARN w\n");
    assert_contains(captured, " zs-push ERROR e\n");
    assert_contains(captured, " zs-push ERROR direct\n");
    assert_lacks(captured, " i\n");
}

/* A message cannot forge a second line. */
static void text_escapes_controls(void **state)
{
    (void)state;
    zs_log_init("zs", ZS_LOG_DEBUG, ZS_LOG_TEXT);
    zs_log_debug("a\nb\rc\td\x01"
                 "e\x7f 中 \xff");
    assert_string_equal(captured + 24, " zs DEBUG a\\nb\\rc\td\\x01e\\x7f 中 \\xff\n");
}

static void json_line(void **state)
{
    (void)state;
    zs_log_init("zs-monitor", ZS_LOG_DEBUG, ZS_LOG_JSON);
    zs_log_warn("late record at offset %lld", 42LL);
    assert_string_equal(captured + 7 + 24, "\",\"prog\":\"zs-monitor\",\"level\":\"warn\","
                                           "\"msg\":\"late record at offset 42\"}\n");
    assert_true(strncmp(captured, "{\"ts\":\"", 7) == 0);
    assert_true(is_timestamp(captured + 7));
}

typedef struct json_case {
    const char *msg;     /* what is logged */
    const char *escaped; /* the msg field as written */
    const char *decoded; /* the msg field read back by a JSON parser */
} json_case_t;

static const json_case_t json_cases[] = {
    {"plain", "plain", "plain"},
    {"say \"hi\"", "say \\\"hi\\\"", "say \"hi\""},
    {"back\\slash", "back\\\\slash", "back\\slash"},
    {"a\nb\r\tc", "a\\nb\\r\\tc", "a\nb\r\tc"},
    {"\x01\x1f\x7f", "\\u0001\\u001f\\u007f", "\x01\x1f\x7f"},
    {"脱贫户 é", "脱贫户 é", "脱贫户 é"},
    {"emoji \xF0\x9F\x98\x80", "emoji \xF0\x9F\x98\x80", "emoji \xF0\x9F\x98\x80"},
    /* not UTF-8: a stray byte, a cut sequence, an overlong form, a surrogate */
    {"bad \xff!", "bad \\ufffd!", "bad \xEF\xBF\xBD!"},
    {"cut \xe4\xb8", "cut \\ufffd\\ufffd", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},
    {"over \xc0\xaf", "over \\ufffd\\ufffd", "over \xEF\xBF\xBD\xEF\xBF\xBD"},
    {"sur \xed\xa0\x80", "sur \\ufffd\\ufffd\\ufffd", "sur \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"id 11010519491231002X", "id **************002X", "id **************002X"},
};

static void json_escaping(void **state)
{
    (void)state;
    zs_log_init("zs \"quoted\"", ZS_LOG_INFO, ZS_LOG_JSON);
    for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
        const json_case_t *c = &json_cases[i];
        char want[256];
        size_t start = captured_len;
        zs_log_info("%s", c->msg);
        const char *line = captured + start;
        snprintf(want, sizeof(want), "\"msg\":\"%s\"}\n", c->escaped);
        assert_contains(line, "\"prog\":\"zs \\\"quoted\\\"\",");
        assert_contains(line, want);

        json_error_t jerr;
        json_t *obj = json_loads(line, 0, &jerr);
        if (obj == NULL)
            fail_msg("case %zu: not JSON: %s: %s", i, jerr.text, line);
        assert_string_equal(json_string_value(json_object_get(obj, "msg")), c->decoded);
        assert_string_equal(json_string_value(json_object_get(obj, "level")), "info");
        assert_string_equal(json_string_value(json_object_get(obj, "prog")), "zs \"quoted\"");
        assert_true(is_timestamp(json_string_value(json_object_get(obj, "ts"))));
        json_decref(obj);
    }
}

static void masks_ids_in_lines(void **state)
{
    (void)state;
    zs_log_init("zs-push", ZS_LOG_INFO, ZS_LOG_TEXT);
    zs_log_error("line %d: id_number=%s fails its check digit", 7, "45010219800101123X");
    assert_lacks(captured, "45010219800101123X");
    assert_contains(captured, "id_number=**************123X fails");
}

/* A long message is cut and marked; the word cut in half is dropped, so an
 * ID number at the cut shows none of its digits. */
static void truncates_long_messages(void **state)
{
    (void)state;
    static char msg[ZS_LOG_MSG_MAX + 100];
    zs_log_init("zs", ZS_LOG_INFO, ZS_LOG_TEXT);
    memset(msg, ' ', ZS_LOG_MSG_MAX - 6);
    snprintf(msg + ZS_LOG_MSG_MAX - 6, 100, "110105194912310021 tail");
    zs_log_info("%s", msg);
    assert_lacks(captured, "11010");
    assert_lacks(captured, "tail");
    size_t len = strlen(captured);
    assert_true(len < 24 + 10 + ZS_LOG_MSG_MAX + 20);
    assert_string_equal(captured + len - 13, " [truncated]\n");
}

/* A message that grows past the line buffer when escaped stays valid JSON. */
static void truncates_escaped_json(void **state)
{
    (void)state;
    static char msg[ZS_LOG_MSG_MAX];
    zs_log_init("zs", ZS_LOG_INFO, ZS_LOG_JSON);
    memset(msg, '\x01', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    zs_log_info("%s", msg);
    json_error_t jerr;
    json_t *obj = json_loads(captured, 0, &jerr);
    if (obj == NULL)
        fail_msg("not JSON: %s", jerr.text);
    const char *m = json_string_value(json_object_get(obj, "msg"));
    assert_non_null(m);
    size_t len = strlen(m);
    assert_true(len > 1000);
    assert_string_equal(m + len - 12, " [truncated]");
    json_decref(obj);
}

static void names_and_levels(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        zs_err_t err;
        zs_log_level_t level;
    } levels[] = {
        {"debug", ZS_OK, ZS_LOG_DEBUG}, {"info", ZS_OK, ZS_LOG_INFO},
        {"warn", ZS_OK, ZS_LOG_WARN},   {"error", ZS_OK, ZS_LOG_ERROR},
        {"INFO", ZS_ERR_INVALID, 0},    {"warning", ZS_ERR_INVALID, 0},
        {"", ZS_ERR_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        zs_log_level_t level = (zs_log_level_t)99;
        assert_int_equal(zs_log_level_parse(levels[i].name, &level), levels[i].err);
        assert_int_equal(level, levels[i].err == ZS_OK ? levels[i].level : 99);
    }
    zs_log_format_t format;
    assert_int_equal(zs_log_format_parse("json", &format), ZS_OK);
    assert_int_equal(format, ZS_LOG_JSON);
    assert_int_equal(zs_log_format_parse("text", &format), ZS_OK);
    assert_int_equal(format, ZS_LOG_TEXT);
    assert_int_equal(zs_log_format_parse("xml", &format), ZS_ERR_INVALID);

    static const zs_log_level_t from_syslog[] = {
        ZS_LOG_ERROR, ZS_LOG_ERROR, ZS_LOG_ERROR, ZS_LOG_ERROR,
        ZS_LOG_WARN,  ZS_LOG_INFO,  ZS_LOG_INFO,  ZS_LOG_DEBUG,
    };
    for (int i = 0; i < 8; i++)
        assert_int_equal(zs_log_level_from_syslog(i), from_syslog[i]);
}

static void prog_name_cut(void **state)
{
    (void)state;
    char prog[200];
    memset(prog, 'p', sizeof(prog) - 1);
    prog[sizeof(prog) - 1] = '\0';
    zs_log_init(prog, ZS_LOG_INFO, ZS_LOG_TEXT);
    zs_log_info("x");
    assert_int_equal(strlen(captured), 24 + 1 + 63 + 1 + 4 + 1 + 1 + 1);
}

#define THREADS 4
#define LINES   250

static void *log_lines(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < LINES; i++)
        zs_log_info("thread %d line %d %s", id, i,
                    "padding padding padding padding padding padding padding padding");
    return NULL;
}

/* Every line arrives whole, however the threads interleave. */
static void whole_lines_from_threads(void **state)
{
    (void)state;
    pthread_t threads[THREADS];
    zs_log_init("zs-monitor", ZS_LOG_INFO, ZS_LOG_TEXT);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, log_lines, (void *)(intptr_t)t), 0);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    fflush(capture);
    size_t lines = 0;
    for (char *line = captured; *line != '\0'; lines++) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        *end = '\0';
        int id, n;
        char pad[8];
        assert_true(is_timestamp(line));
        assert_int_equal(sscanf(line + 24, " zs-monitor INFO thread %d line %d %7s", &id, &n, pad),
                         3);
        assert_true(strlen(line) > 100);
        line = end + 1;
    }
    assert_int_equal(lines, THREADS * LINES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masks_id_numbers),
        cmocka_unit_test(masks_within_length),
        cmocka_unit_test_setup_teardown(text_line, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(levels_filter, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(text_escapes_controls, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(json_line, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(json_escaping, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(masks_ids_in_lines, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(truncates_long_messages, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(truncates_escaped_json, start_capture, stop_capture),
        cmocka_unit_test(names_and_levels),
        cmocka_unit_test_setup_teardown(prog_name_cut, start_capture, stop_capture),
        cmocka_unit_test_setup_teardown(whole_lines_from_threads, start_capture, stop_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
