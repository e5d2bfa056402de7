/* test_desk_html.c: zs-desk's escaping for each context, ID number masking,
 * form and cookie decoding (consumers/desk_html.c), and the deterministic
 * event id of an action (consumers/desk_pages.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "desk_html.h"
#include "desk_pages.h"

static void expect(zs_err_t (*fn)(zs_buf_t *, const char *), const char *in, const char *want)
{
    zs_buf_t b;
    zs_buf_init(&b, 1 << 16);
    assert_int_equal(fn(&b, in), ZS_OK);
    assert_string_equal(b.len ? b.data : "", want);
    zs_buf_free(&b);
}

static void test_html(void **state)
{
    (void)state;
    const struct {
        const char *in, *want;
    } rows[] = {
        {"", ""},
        {"收入不增反降", "收入不增反降"},
        {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"\" onmouseover=\"x", "&quot; onmouseover=&quot;x"},
        {"' autofocus '", "&#39; autofocus &#39;"},
        {"a & b", "a &amp; b"},
        {"&amp;", "&amp;amp;"},
        {"tab\tnl\nbell\a.del\x7f.", "tab\tnl\nbell.del."},
        /* An ID number alone, next to Chinese text, or at the start: masked. */
        {"身份证110105194912310021号", "身份证**************0021号"},
        {"11010519491231002X", "**************002X"},
        /* The shared masker's rule (test_log.c): a digit too many, or an ID
         * glued to a word, is still someone's ID number; 16 digits are not. */
        {"1101051949123100211", "***************0211"},
        {"A110105194912310021", "A**************0021"},
        {"1101051949123100", "1101051949123100"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        expect(desk_html, rows[i].in, rows[i].want);
    zs_buf_t b;
    zs_buf_init(&b, 64);
    assert_int_equal(desk_html(&b, NULL), ZS_OK);
    assert_int_equal(b.len, 0);
    zs_buf_free(&b);
}

static void test_url(void **state)
{
    (void)state;
    expect(desk_url, "W-GX0000307-INCOME_FALL---202312", "W-GX0000307-INCOME_FALL---202312");
    expect(desk_url, "a/b?c=d&e#f", "a%2Fb%3Fc%3Dd%26e%23f");
    expect(desk_url, "javascript:x", "javascript%3Ax");
    expect(desk_url, "空 格", "%E7%A9%BA%20%E6%A0%BC");
    expect(desk_url, "~._-", "~._-");
}

static void test_csv(void **state)
{
    (void)state;
    expect(desk_csv, "plain", "plain");
    expect(desk_csv, "a,b", "\"a,b\"");
    expect(desk_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    expect(desk_csv, "two\nlines", "\"two\nlines\"");
    /* Spreadsheet formulas are defused. */
    expect(desk_csv, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
    expect(desk_csv, "+1", "\"'+1\"");
    expect(desk_csv, "-1", "\"'-1\"");
    expect(desk_csv, "@SUM(A1)", "\"'@SUM(A1)\"");
    expect(desk_csv, "110105194912310021", "**************0021");
}

static void test_mask(void **state)
{
    (void)state;
    char out[64];
    desk_mask("联系 110105194912310021 <b>", out, sizeof(out));
    assert_string_equal(out, "联系 **************0021 <b>");
    /* Cut to the buffer at a character boundary, never inside 联 (3 bytes). */
    desk_mask("ab联系", out, 5);
    assert_string_equal(out, "ab");
    desk_mask("ab联系", out, 6);
    assert_string_equal(out, "ab联");
    /* An ID number cut by the bound: masked before the cut, no digit in clear. */
    desk_mask("110105194912310021", out, 10);
    assert_string_equal(out, "*********");
}

static void test_form(void **state)
{
    (void)state;
    desk_form_t f = {0};
    const char *body =
        "csrf=ab12&action=MEASURE&measure=EMPLOYMENT&note=%E8%81%94%E7%B3%BB+a%26b%3D"
        "&empty=&flag";
    assert_int_equal(desk_form_parse(&f, body, strlen(body)), ZS_OK);
    assert_int_equal(f.n, 6);
    assert_string_equal(desk_form_get(&f, "csrf"), "ab12");
    assert_string_equal(desk_form_get(&f, "note"), "联系 a&b=");
    assert_string_equal(desk_form_get(&f, "empty"), "");
    assert_string_equal(desk_form_get(&f, "flag"), "");
    assert_null(desk_form_get(&f, "missing"));
    /* The first of two fields with one name. */
    assert_int_equal(desk_form_parse(&f, "a=1&a=2", 7), ZS_OK);
    assert_string_equal(desk_form_get(&f, "a"), "1");
    /* Empty bodies and empty pairs. */
    assert_int_equal(desk_form_parse(&f, "", 0), ZS_OK);
    assert_int_equal(f.n, 0);
    assert_int_equal(desk_form_parse(&f, "&&a=1&&", 7), ZS_OK);
    assert_int_equal(f.n, 1);
    /* Refused: bad escapes, NUL, broken UTF-8, overlong forms, too many fields. */
    const char *bad[] = {"a=%4",  "a=%G0",    "a=%",         "a=%00",
                         "a=%FF", "a=%C0%AF", "a=%ED%A0%80", "a=%E8%81"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(desk_form_parse(&f, bad[i], strlen(bad[i])), ZS_ERR_INVALID);
        assert_int_equal(f.n, 0);
    }
    char many[256] = "";
    for (int i = 0; i <= DESK_FORM_MAX; i++)
        strcat(many, "x=1&");
    assert_int_equal(desk_form_parse(&f, many, strlen(many)), ZS_ERR_INVALID);
    /* A body with a NUL byte inside its length. */
    assert_int_equal(desk_form_parse(&f, "a=1\0b=2", 7), ZS_ERR_INVALID);
    desk_form_free(&f);
    desk_form_free(NULL);
}

static void test_cookie(void **state)
{
    (void)state;
    char v[70];
    assert_true(desk_cookie_get("zs_session=abc; zs_login=def", "zs_login", v, sizeof(v)));
    assert_string_equal(v, "def");
    assert_true(desk_cookie_get("zs_session=abc; zs_login=def", "zs_session", v, sizeof(v)));
    assert_string_equal(v, "abc");
    /* A name that only ends like ours, or starts like it, is not ours. */
    assert_false(desk_cookie_get("xzs_session=abc", "zs_session", v, sizeof(v)));
    assert_false(desk_cookie_get("zs_session2=abc", "zs_session", v, sizeof(v)));
    assert_false(desk_cookie_get(NULL, "zs_session", v, sizeof(v)));
    assert_false(desk_cookie_get("", "zs_session", v, sizeof(v)));
    assert_false(desk_cookie_get("zs_session=0123456789", "zs_session", v, 5)); /* too long */
}

static void test_event_id(void **state)
{
    (void)state;
    char a[33], b[33];
    const int64_t day = 86400000, t = 1700000000000 / day * day;
    desk_action_event_id("W-1", DESK_ACTION_ACK, "officer1", DESK_MEASURE_NONE, "", t + 5, a);
    desk_action_event_id("W-1", DESK_ACTION_ACK, "officer1", DESK_MEASURE_NONE, "", t + 9999, b);
    assert_int_equal(strlen(a), 32);
    assert_true(strncmp(a, "desk-", 5) == 0);
    assert_int_equal(strspn(a + 5, "0123456789abcdef"), 27);
    assert_string_equal(a, b); /* a double click: one event */
    const struct {
        const char *w, *login, *note;
        desk_action_t act;
        desk_measure_t m;
        int64_t at;
    } other[] = {
        {"W-2", "officer1", "", DESK_ACTION_ACK, DESK_MEASURE_NONE, t},
        {"W-1", "officer2", "", DESK_ACTION_ACK, DESK_MEASURE_NONE, t},
        {"W-1", "officer1", "x", DESK_ACTION_ACK, DESK_MEASURE_NONE, t},
        {"W-1", "officer1", "", DESK_ACTION_RESOLVED, DESK_MEASURE_NONE, t},
        {"W-1", "officer1", "", DESK_ACTION_ACK, DESK_MEASURE_OTHER, t},
        {"W-1", "officer1", "", DESK_ACTION_ACK, DESK_MEASURE_NONE, t + day},
    };
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        desk_action_event_id(other[i].w, other[i].act, other[i].login, other[i].m, other[i].note,
                             other[i].at, b);
        assert_string_not_equal(a, b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html),     cmocka_unit_test(test_url),  cmocka_unit_test(test_csv),
        cmocka_unit_test(test_mask),     cmocka_unit_test(test_form), cmocka_unit_test(test_cookie),
        cmocka_unit_test(test_event_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
