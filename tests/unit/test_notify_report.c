/* test_notify_report.c: zs-notify's per-county HTML reports
 * (consumers/notify_report.c): escaping, ID-number masking, only the
 * county's warnings, the plan's rule names in Chinese and English, number
 * formatting, the latest record of each warning, the trend, and a record
 * decoded from Avro; every page in one language, the evidence in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "notify_report.h"
#include "zs_avrojson.h"
#include "zs_schema.h"

/* 2025-01-01 00:00:00 UTC: 08:00 in Beijing. */
#define GENERATED INT64_C(1735689600000)

static zs_county_table_t *counties;

static int setup(void **state)
{
    (void)state;
    const char *dir = getenv("ZS_DATA_DIR");
    char path[1024], errstr[256];
    snprintf(path, sizeof(path), "%s/guangxi-counties.csv", dir != NULL ? dir : "data");
    if (zs_county_load(path, &counties, errstr, sizeof(errstr)) != ZS_OK) {
        fprintf(stderr, "%s\n", errstr);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zs_county_table_free(counties);
    return 0;
}

/* A warning record of county 451227 with income evidence. */
static notify_warning_t warning(const char *id, const char *household, const char *county,
                                notify_rule_t rule, notify_status_t status)
{
    notify_warning_t w;
    memset(&w, 0, sizeof(w));
    w.warning_id = id;
    w.household_id = household;
    w.county_code = county;
    w.rule = rule;
    w.severity = NOTIFY_SEVERITY_HIGH;
    w.status = status;
    w.risk = NOTIFY_RISK_UNSTABLE_EMPLOYMENT;
    w.year = 2024;
    w.month = 6;
    w.opened_year = 2024;
    w.opened_month = 3;
    w.has_t12m = true;
    w.t12m_fen = 987654;
    w.has_t12m_prev = true;
    w.t12m_prev_fen = 1012345;
    w.has_growth = true;
    w.growth_bp = -244;
    w.members_active = 4;
    w.components[0] = (notify_component_t){.component = NOTIFY_COMPONENT_WAGE,
                                           .current_fen = 2400000,
                                           .has_previous = true,
                                           .previous_fen = 2880000};
    w.ncomponents = 1;
    w.threshold_unit = NOTIFY_UNIT_NONE;
    w.program = NOTIFY_PROGRAM_NONE;
    w.threshold_source = "";
    w.detail = "top_fall=WAGE;wage_change_fen=-480000";
    w.ruleset_version = "2024.1";
    return w;
}

/* Renders list for county into a string the caller frees. */
static char *render(const notify_warning_t *list, size_t n, const char *county, notify_lang_t lang)
{
    zs_buf_t out;
    zs_buf_init(&out, (size_t)64 << 20);
    const zs_county_t *c = zs_county_find(counties, county, strlen(county));
    assert_int_equal(notify_report_html(list, n, county, c, lang, GENERATED, &out), ZS_OK);
    assert_non_null(out.data);
    return out.data; /* the buffer's memory, now the caller's */
}

/* True when s holds a run of exactly 18 characters shaped like a resident ID
 * number (17 digits and a digit or X), not inside a longer alphanumeric run. */
static bool has_id_number(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && ((s[j] >= '0' && s[j] <= '9') || (s[j] >= 'A' && s[j] <= 'Z') ||
                         (s[j] >= 'a' && s[j] <= 'z')))
            j++;
        if (j - i == 18) {
            bool digits = true;
            for (size_t k = i; k < i + 17; k++)
                digits = digits && s[k] >= '0' && s[k] <= '9';
            char last = s[i + 17];
            if (digits && ((last >= '0' && last <= '9') || last == 'X' || last == 'x'))
                return true;
        }
        i = j > i ? j : i + 1;
    }
    return false;
}

static void test_escaping(void **state)
{
    (void)state;
    notify_warning_t w = warning("W-H1-INCOME_FALL---202403", "H<b>1&\"'", "451227",
                                 NOTIFY_RULE_INCOME_FALL, NOTIFY_STATUS_OPEN);
    w.detail = "note=<script>alert(1)</script>";
    w.threshold_source = "plan item 26 & \"statistics\"";
    w.has_threshold = true;
    w.threshold = 1000000;
    w.threshold_unit = NOTIFY_UNIT_FEN;
    w.person_id = "P<1>";
    char *html = render(&w, 1, "451227", NOTIFY_LANG_ZH);
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "H<b>1"));
    assert_null(strstr(html, "P<1>"));
    assert_non_null(strstr(html, "H&lt;b&gt;1&amp;&quot;&#39;"));
    /* The monitor's free texts are not shown at all (notify_evidence.c). */
    assert_null(strstr(html, "alert(1)"));
    assert_null(strstr(html, "statistics"));
    assert_non_null(strstr(html, "P&lt;1&gt;"));
    /* Self-contained: no script, no external file. */
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "<link"));
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "<style>"));
    free(html);
}

static void test_masking(void **state)
{
    (void)state;
    notify_warning_t w[2] = {
        warning("W-110105194912310021-INCOME_FALL---202403", "110105194912310021", "451227",
                NOTIFY_RULE_INCOME_FALL, NOTIFY_STATUS_OPEN),
        warning("W-H2-NO_WORK-P2-202403", "H2", "451227", NOTIFY_RULE_NO_WORK,
                NOTIFY_STATUS_CLEARED),
    };
    w[0].detail = "idno=45122719800101123X;wage_change_fen=-480000";
    w[0].person_id = "11010519491231002x";
    w[1].threshold_source = "from 450102199001011234";
    char *html = render(w, 2, "451227", NOTIFY_LANG_ZH);
    assert_false(has_id_number(html));
    assert_null(strstr(html, "110105194912310021"));
    assert_null(strstr(html, "45122719800101123X"));
    assert_non_null(strstr(html, "**************0021"));
    assert_null(strstr(html, "idno="));
    assert_non_null(strstr(html, "**************002x"));
    /* Longer alphanumeric runs are not ID numbers and stay. */
    w[1].household_id = "H1101051949123100211";
    free(html);
    html = render(w, 2, "451227", NOTIFY_LANG_EN);
    assert_non_null(strstr(html, "H1101051949123100211"));
    assert_false(has_id_number(html));
    free(html);
}

static void test_only_the_county(void **state)
{
    (void)state;
    notify_warning_t w[4] = {
        warning("W-HA-INCOME_FALL---202403", "HA", "451227", NOTIFY_RULE_INCOME_FALL,
                NOTIFY_STATUS_OPEN),
        warning("W-HOTHER-LOW_INCOME---202403", "HOTHER", "451221", NOTIFY_RULE_LOW_INCOME,
                NOTIFY_STATUS_OPEN),
        warning("W-HB-WEAK_LABOR---202403", "HB", "451227", NOTIFY_RULE_WEAK_LABOR,
                NOTIFY_STATUS_OPEN),
        warning("W-HC-SLOW_GROWTH---202403", "HC", "4512270", NOTIFY_RULE_SLOW_GROWTH,
                NOTIFY_STATUS_OPEN),
    };
    w[1].t12m_fen = 11111; /* would show in the trend */
    char *html = render(w, 4, "451227", NOTIFY_LANG_ZH);
    assert_non_null(strstr(html, "W-HA-INCOME_FALL---202403"));
    assert_non_null(strstr(html, "W-HB-WEAK_LABOR---202403"));
    assert_null(strstr(html, "HOTHER"));
    assert_null(strstr(html, "W-HC-"));
    assert_null(strstr(html, "111.11"));
    assert_non_null(strstr(html, "河池市"));
    assert_non_null(strstr(html, "巴马瑶族自治县"));
    assert_non_null(strstr(html, "国家乡村振兴重点帮扶县"));
    assert_non_null(strstr(html, "2025-01-01 08:00:00（北京时间）"));
    free(html);

    /* The collection: counties in order, and an index linking each. */
    notify_report_t *r = NULL;
    assert_int_equal(notify_report_new(&r), ZS_OK);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(notify_report_add(r, &w[i]), ZS_OK);
    assert_int_equal(notify_report_county_count(r), 3);
    assert_string_equal(notify_report_county_at(r, 0), "451221");
    assert_string_equal(notify_report_county_at(r, 1), "451227");
    assert_string_equal(notify_report_county_at(r, 2), "4512270");
    assert_null(notify_report_county_at(r, 3));
    notify_warning_t bad = w[0];
    bad.county_code = "";
    assert_int_equal(notify_report_add(r, &bad), ZS_ERR_INVALID);
    zs_buf_t out;
    zs_buf_init(&out, (size_t)1 << 20);
    assert_int_equal(notify_report_render_index(r, counties, NOTIFY_LANG_ZH, GENERATED, &out),
                     ZS_OK);
    assert_non_null(strstr(out.data, "<a href=\"451227.html\">451227</a>"));
    assert_non_null(strstr(out.data, "<a href=\"451221.html\">451221</a>"));
    assert_non_null(strstr(out.data, "南丹县"));
    /* A county with no warning: a page that says so. */
    zs_buf_reset(&out);
    assert_int_equal(notify_report_render(r, "450102", zs_county_find(counties, "450102", 6),
                                          NOTIFY_LANG_ZH, GENERATED, &out),
                     ZS_OK);
    assert_non_null(strstr(out.data, "无未解除的预警"));
    assert_null(strstr(out.data, "W-H"));
    zs_buf_free(&out);
    notify_report_free(r);
}

static void test_names(void **state)
{
    (void)state;
    static const char *const zh[NOTIFY_RULE__COUNT - 1] = {
        "收入不增反降",         "增速缓慢",
        "年人均收入低于1万元",  "有返贫风险",
        "有务工需求但没有务工", "务工时间未达到6个月",
        "劳动力不足",           "大额支出",
        "补贴未及时发放",       "补贴未足额发放",
        "补贴重复发放",         "应发尽发"};
    static const char *const risks[NOTIFY_RISK__COUNT] = {
        "因病",       "因残",           "因学",     "因灾", "因意外事故",
        "因产业失败", "因务工就业不稳", "缺劳动力", "其他"};
    notify_warning_t w[NOTIFY_RULE__COUNT - 1];
    char ids[NOTIFY_RULE__COUNT - 1][32];
    for (int i = 0; i < NOTIFY_RULE__COUNT - 1; i++) {
        assert_string_equal(notify_rule_name((notify_rule_t)i, NOTIFY_LANG_ZH), zh[i]);
        snprintf(ids[i], sizeof(ids[i]), "W-H%d-R", i);
        w[i] = warning(ids[i], ids[i] + 2, "451227", (notify_rule_t)i, NOTIFY_STATUS_OPEN);
        w[i].risk = (notify_risk_t)(i % NOTIFY_RISK__COUNT);
    }
    for (int i = 0; i < NOTIFY_RISK__COUNT; i++)
        assert_string_equal(notify_risk_name((notify_risk_t)i, NOTIFY_LANG_ZH), risks[i]);
    assert_string_equal(notify_rule_name(NOTIFY_RULE_INCOME_FALL, NOTIFY_LANG_EN), "Income fell");
    assert_string_equal(notify_rule_name((notify_rule_t)99, NOTIFY_LANG_ZH), "未知规则");
    assert_string_equal(notify_risk_name(NOTIFY_RISK_LABOR_SHORTAGE, NOTIFY_LANG_EN),
                        "Labour shortage");

    char *html = render(w, NOTIFY_RULE__COUNT - 1, "451227", NOTIFY_LANG_ZH);
    assert_non_null(strstr(html, "<html lang=\"zh-CN\">"));
    for (int i = 0; i < NOTIFY_RULE__COUNT - 1; i++)
        assert_non_null(strstr(html, zh[i]));
    for (int i = 0; i < NOTIFY_RISK__COUNT; i++)
        assert_non_null(strstr(html, risks[i]));
    assert_non_null(strstr(html, "预警记录不含乡镇信息"));
    assert_non_null(strstr(html, "工资性收入"));
    assert_non_null(strstr(html, "新发"));
    free(html);

    html = render(w, NOTIFY_RULE__COUNT - 1, "451227", NOTIFY_LANG_EN);
    assert_non_null(strstr(html, "<html lang=\"en\">"));
    assert_non_null(strstr(html, "Income fell"));
    assert_non_null(strstr(html, "Annual per-capita income below 10,000 yuan"));
    assert_non_null(strstr(html, "Unstable employment"));
    assert_non_null(strstr(html, "Warning records carry no township"));
    assert_non_null(strstr(html, "(Beijing time, UTC+8)"));
    assert_null(strstr(html, "收入不增反降"));
    assert_null(strstr(html, "因务工就业不稳"));
    /* The region's names stay as the region writes them. */
    assert_non_null(strstr(html, "巴马瑶族自治县"));
    free(html);

    notify_lang_t lang = NOTIFY_LANG_ZH;
    assert_int_equal(notify_lang_parse("en", &lang), ZS_OK);
    assert_int_equal(lang, NOTIFY_LANG_EN);
    assert_int_equal(notify_lang_parse("zh", &lang), ZS_OK);
    assert_int_equal(lang, NOTIFY_LANG_ZH);
    assert_int_equal(notify_lang_parse("fr", &lang), ZS_ERR_INVALID);
    assert_int_equal(notify_lang_parse(NULL, &lang), ZS_ERR_INVALID);
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        int64_t fen;
        const char *yuan;
    } yuan[] = {
        {0, "0.00"},
        {5, "0.05"},
        {-5, "-0.05"},
        {100, "1.00"},
        {99999, "999.99"},
        {100000, "1,000.00"},
        {1000000, "10,000.00"},
        {123456789, "1,234,567.89"},
        {-123456789, "-1,234,567.89"},
        {INT64_MAX, "92,233,720,368,547,758.07"},
        {INT64_MIN, "-92,233,720,368,547,758.08"},
    };
    char s[48];
    for (size_t i = 0; i < sizeof(yuan) / sizeof(yuan[0]); i++) {
        notify_report_yuan(yuan[i].fen, s, sizeof(s));
        assert_string_equal(s, yuan[i].yuan);
    }
    static const struct {
        int64_t bp;
        const char *pct;
    } pct[] = {{0, "0.00%"},   {5, "0.05%"},       {-250, "-2.50%"},
               {650, "6.50%"}, {10000, "100.00%"}, {-10000, "-100.00%"}};
    for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
        notify_report_percent(pct[i].bp, s, sizeof(s));
        assert_string_equal(s, pct[i].pct);
    }
    notify_warning_t w = warning("W-H1-SLOW_GROWTH---202403", "H1", "451227",
                                 NOTIFY_RULE_SLOW_GROWTH, NOTIFY_STATUS_UPDATED);
    w.has_threshold = true;
    w.threshold = 650;
    w.threshold_unit = NOTIFY_UNIT_BASIS_POINTS;
    w.has_observed = true;
    w.observed = -244;
    w.threshold_source = "regional rural income growth 2024";
    notify_warning_t e = warning("W-H2-LARGE_EXPENSE---202405", "H2", "451227",
                                 NOTIFY_RULE_LARGE_EXPENSE, NOTIFY_STATUS_OPEN);
    e.has_amount = true;
    e.amount_fen = 2500050;
    e.has_threshold = true;
    e.threshold = 2000000;
    e.threshold_unit = NOTIFY_UNIT_FEN;
    e.risk = NOTIFY_RISK_ILLNESS;
    e.ncomponents = 0;
    notify_warning_t sub = warning("W-H3-SUBSIDY_MISSING-P3_DIBAO-202405", "H3", "451227",
                                   NOTIFY_RULE_SUBSIDY_MISSING, NOTIFY_STATUS_OPEN);
    sub.program = NOTIFY_PROGRAM_DIBAO;
    sub.has_threshold = true;
    sub.threshold = 6 /* months */;
    sub.threshold_unit = NOTIFY_UNIT_MONTHS;
    notify_warning_t list[3] = {w, e, sub};
    char *html = render(list, 3, "451227", NOTIFY_LANG_ZH);
    assert_non_null(strstr(html, "近12个月人均纯收入：9,876.54 元"));
    assert_non_null(strstr(html, "上年同期：10,123.45 元"));
    assert_non_null(strstr(html, "增速：-2.44%"));
    assert_non_null(
        strstr(html, "阈值：6.50%（依据：当年农村居民人均可支配收入增速（方案第33条））"));
    assert_non_null(strstr(html, "观测值：-2.44%"));
    assert_non_null(strstr(html, "涉及金额：25,000.50 元"));
    assert_non_null(strstr(html, "阈值：20,000.00 元"));
    assert_non_null(strstr(html, "阈值：6 个月"));
    assert_non_null(strstr(html, "农村低保"));
    /* Components: current, a year earlier, the change. */
    assert_non_null(strstr(html, "24,000.00"));
    assert_non_null(strstr(html, "28,800.00"));
    assert_non_null(strstr(html, "-4,800.00"));
    assert_non_null(strstr(html, "2024年3月"));
    free(html);
    html = render(list, 3, "451227", NOTIFY_LANG_EN);
    assert_non_null(strstr(html, "Per-capita T12M net income: 9,876.54 yuan"));
    assert_non_null(strstr(html, "2024-03"));
    assert_non_null(strstr(html, "Threshold: 6 months"));
    free(html);
}

static void test_latest_and_trend(void **state)
{
    (void)state;
    /* One episode: OPEN at 2024Q1, CLEARED at 2024Q2; another stays open. */
    notify_warning_t w[4] = {
        warning("W-H1-LOW_INCOME---202403", "H1", "451227", NOTIFY_RULE_LOW_INCOME,
                NOTIFY_STATUS_OPEN),
        warning("W-H2-LOW_INCOME---202403", "H2", "451227", NOTIFY_RULE_LOW_INCOME,
                NOTIFY_STATUS_OPEN),
        warning("W-H1-LOW_INCOME---202403", "H1", "451227", NOTIFY_RULE_LOW_INCOME,
                NOTIFY_STATUS_CLEARED),
        warning("W-H3-LOW_INCOME---202403", "H3", "451227", NOTIFY_RULE_LOW_INCOME,
                NOTIFY_STATUS_OPEN),
    };
    w[0].month = 3;
    w[0].t12m_fen = 900000;
    w[0].has_t12m_prev = false;
    w[1].month = 3;
    w[1].t12m_fen = 800000;
    w[1].has_t12m_prev = false;
    w[2].t12m_fen = 1100000; /* 2024Q2 */
    w[2].has_t12m_prev = false;
    w[3].month = 3;
    w[3].t12m_fen = 600001;
    w[3].has_t12m_prev = true;
    w[3].t12m_prev_fen = 700000; /* 2023Q1 */
    char *html = render(w, 4, "451227", NOTIFY_LANG_ZH);
    assert_non_null(strstr(html, "未解除的预警（2）"));
    assert_non_null(strstr(html, "已解除的预警（1）"));
    /* The cleared one is in the cleared table only. */
    const char *cleared = strstr(html, "id=\"cleared-warnings\"");
    assert_non_null(cleared);
    const char *first = strstr(html, "W-H1-LOW_INCOME---202403");
    assert_true(first > cleared);
    /* 2024Q1: H1 9,000.00, H2 8,000.00, H3 6,000.01: the median 8,000.00,
     * the mean 7,666.67; 2023Q1 from H3's year-earlier figure; 2024Q2: H1. */
    assert_non_null(strstr(html, "<tr><td>2024年第1季度</td><td class=\"num\">3</td><td "
                                 "class=\"num\">8,000.00</td><td class=\"num\">7,666.67</td>"));
    assert_non_null(strstr(html, "<tr><td>2023年第1季度</td><td class=\"num\">1</td><td "
                                 "class=\"num\">7,000.00</td>"));
    assert_non_null(strstr(html, "<tr><td>2024年第2季度</td><td class=\"num\">1</td><td "
                                 "class=\"num\">11,000.00</td>"));
    assert_non_null(strstr(html, "<polyline"));
    free(html);
}

static void test_from_avro(void **state)
{
    (void)state;
    const char *dir = getenv("ZS_SCHEMA_DIR");
    char errstr[512];
    zs_schemas_t *set = NULL;
    assert_int_equal(zs_schemas_load(dir != NULL ? dir : "schemas", &set, errstr, sizeof(errstr)),
                     ZS_OK);
    const zs_schema_t *schema = zs_schemas_latest(set, "Warning");
    assert_non_null(schema);
    avro_value_iface_t *iface = avro_generic_class_from_schema(zs_schema_avro(schema));
    avro_value_t v;
    assert_int_equal(avro_generic_value_new(iface, &v), 0);
    const char *text =
        "{\"warning_id\":\"W-H9-SUBSIDY_SHORT-P1_PENSION-202405\",\"household_id\":\"H9\","
        "\"county_code\":\"451227\",\"person_id\":{\"string\":\"P1\"},\"rule\":\"SUBSIDY_SHORT\","
        "\"severity\":\"MEDIUM\",\"status\":\"UPDATED\",\"year\":2024,\"month\":6,"
        "\"opened_year\":2024,\"opened_month\":5,\"evidence\":{\"t12m_per_capita_fen\":null,"
        "\"t12m_prev_per_capita_fen\":null,\"growth_bp\":{\"int\":-250},\"members_active\":3,"
        "\"components\":[{\"component\":\"EXPENSE\",\"current_fen\":500,\"previous_fen\":null}],"
        "\"threshold\":{\"long\":20000},\"threshold_unit\":{\"zengshou.ThresholdUnit\":\"FEN\"},"
        "\"observed\":{\"long\":15000},\"threshold_source\":\"entitlement\","
        "\"program\":{\"zengshou.SubsidyProgram\":\"PENSION\"},\"amount_fen\":{\"long\":5000},"
        "\"detail\":\"due_fen=20000\"},\"risk_type\":\"OTHER\",\"ruleset_version\":\"2024.1\","
        "\"sources\":[{\"topic\":\"zs.subsidy\",\"partition\":3,\"offset\":17,"
        "\"event_id\":{\"string\":\"S-DUE\"}},{\"topic\":\"zs.subsidy\",\"partition\":3,"
        "\"offset\":42,\"event_id\":{\"string\":\"S-PAID\"}}],\"sources_truncated\":true,"
        "\"emitted_at\":1717200000000}";
    json_error_t jerr;
    json_t *json = json_loads(text, 0, &jerr);
    assert_non_null(json);
    assert_int_equal(zs_avrojson_read(&v, zs_schema_avro(schema), json, errstr, sizeof(errstr)),
                     ZS_OK);
    json_decref(json);
    notify_warning_t w;
    assert_int_equal(notify_warning_from_avro(&v, &w, errstr, sizeof(errstr)), ZS_OK);
    assert_string_equal(w.warning_id, "W-H9-SUBSIDY_SHORT-P1_PENSION-202405");
    assert_string_equal(w.county_code, "451227");
    assert_string_equal(w.person_id, "P1");
    assert_int_equal(w.rule, NOTIFY_RULE_SUBSIDY_SHORT);
    assert_int_equal(w.severity, NOTIFY_SEVERITY_MEDIUM);
    assert_int_equal(w.status, NOTIFY_STATUS_UPDATED);
    assert_int_equal(w.risk, NOTIFY_RISK_OTHER);
    assert_int_equal(w.opened_month, 5);
    assert_false(w.has_t12m);
    assert_true(w.has_growth);
    assert_int_equal(w.growth_bp, -250);
    assert_int_equal(w.ncomponents, 1);
    assert_int_equal(w.components[0].component, NOTIFY_COMPONENT_EXPENSE);
    assert_false(w.components[0].has_previous);
    assert_int_equal(w.threshold_unit, NOTIFY_UNIT_FEN);
    assert_int_equal(w.program, NOTIFY_PROGRAM_PENSION);
    assert_true(w.has_amount);
    assert_int_equal(w.amount_fen, 5000);
    assert_string_equal(w.detail, "due_fen=20000");
    assert_true(w.emitted_at == INT64_C(1717200000000));
    char *html = render(&w, 1, "451227", NOTIFY_LANG_ZH);
    assert_non_null(strstr(html, "补贴未足额发放"));
    assert_non_null(strstr(html, "城乡居民养老保险待遇"));
    assert_non_null(strstr(html, "涉及金额：50.00 元"));
    free(html);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    zs_schemas_free(set);
}

/* The visible text of a page: no <style>, no <title>, no tags, no place
 * names marked lang="zh-CN" (proper names, not translated), with each of
 * the ids given (codes) removed. The caller frees it. */
static char *visible(const char *html, const char *const *ids, size_t nids)
{
    size_t n = strlen(html);
    char *t = malloc(n + 1);
    assert_non_null(t);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        static const struct {
            const char *open, *close;
        } skip[] = {
            {"<style", "</style>"}, {"<title", "</title>"}, {"<span lang=\"zh-CN\"", "</span>"}};
        bool skipped = false;
        for (size_t s = 0; s < 3 && !skipped; s++)
            if (strncmp(html + i, skip[s].open, strlen(skip[s].open)) == 0) {
                const char *end = strstr(html + i, skip[s].close);
                assert_non_null(end);
                i = (size_t)(end - html) + strlen(skip[s].close);
                skipped = true;
            }
        if (skipped)
            continue;
        if (html[i] == '<') {
            const char *end = strchr(html + i, '>');
            assert_non_null(end);
            i = (size_t)(end - html) + 1;
            t[k++] = ' ';
            continue;
        }
        if (html[i] == '&') { /* an entity: one character of punctuation */
            const char *end = strchr(html + i, ';');
            assert_non_null(end);
            i = (size_t)(end - html) + 1;
            t[k++] = '_';
            continue;
        }
        t[k++] = html[i++];
    }
    t[k] = '\0';
    for (size_t j = 0; j < nids; j++)
        for (char *p = strstr(t, ids[j]); p != NULL; p = strstr(p, ids[j]))
            memset(p, ' ', strlen(ids[j]));
    return t;
}

/* The first ASCII letter in t, or NULL. */
static const char *first_latin(const char *t)
{
    for (; *t; t++)
        if ((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z'))
            return t;
    return NULL;
}

/* The first Chinese character or full-width punctuation in t (UTF-8:
 * U+3000-U+303F, U+3400-U+9FFF, U+FF00-U+FFEF), or NULL. */
static const char *first_cjk(const char *t)
{
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if ((p[0] & 0xf0) != 0xe0 || p[1] == 0 || p[2] == 0)
            continue;
        unsigned cp = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
        if ((cp >= 0x3000 && cp <= 0x303f) || (cp >= 0x3400 && cp <= 0x9fff) ||
            (cp >= 0xff00 && cp <= 0xffef))
            return (const char *)p;
    }
    return NULL;
}

/* Regression, "reports in one language": a Chinese page showed the
 * monitor's English evidence texts ("依据: T12M a year earlier (plan items
 * 26, 33)", "说明: T12M 2024-01..2024-12, 4 active members") and quarters as
 * "2024Q1". Every rule, open and cleared, in both languages: a Chinese page
 * has no Latin letter but in ids, an English page no Chinese character outside
 * place names. */
static void test_one_language(void **state)
{
    (void)state;
    static const char *const ids[] = {"W-H1-INCOME_FALL---202406", "H1", "P1", "2024.1"};
    notify_warning_t list[2 * NOTIFY_RULE_UNKNOWN];
    for (int r = 0; r < NOTIFY_RULE_UNKNOWN; r++) {
        notify_warning_t w = warning(ids[0], ids[1], "451227", (notify_rule_t)r,
                                     r % 2 ? NOTIFY_STATUS_OPEN : NOTIFY_STATUS_UPDATED);
        w.person_id = ids[2];
        w.risk = (notify_risk_t)(r % NOTIFY_RISK__COUNT);
        w.threshold_source = "T12M a year earlier (plan items 26, 33)";
        w.detail = "T12M 2024-01..2024-12, 4 active members";
        w.has_threshold = w.has_observed = w.has_amount = true;
        w.threshold = 650;
        w.observed = r == NOTIFY_RULE_WEAK_LABOR ? 2000 : 7;
        w.amount_fen = 123456;
        w.threshold_unit = (notify_unit_t)(r % NOTIFY_UNIT_UNKNOWN);
        w.program =
            r >= NOTIFY_RULE_SUBSIDY_MISSING ? (notify_program_t)(r % 11) : NOTIFY_PROGRAM_NONE;
        list[2 * r] = w;
        list[2 * r + 1] = w;
        list[2 * r + 1].status = NOTIFY_STATUS_CLEARED;
        list[2 * r + 1].opened_month = 1;
    }
    for (int lang = 0; lang < 2; lang++) {
        char *html = render(list, 2 * NOTIFY_RULE_UNKNOWN, "451227", (notify_lang_t)lang);
        char *t = visible(html, ids, sizeof(ids) / sizeof(ids[0]));
        const char *bad = lang == NOTIFY_LANG_ZH ? first_latin(t) : first_cjk(t);
        if (bad != NULL)
            fail_msg("%s page: \"%.40s\"", lang == NOTIFY_LANG_ZH ? "zh" : "en", bad);
        free(t);
        free(html);
    }
}

/* Each rule's note and basis, from the figures alone. */
static void test_evidence_words(void **state)
{
    (void)state;
    notify_warning_t w = warning("W", "H", "451227", NOTIFY_RULE_INCOME_FALL, NOTIFY_STATUS_OPEN);
    char s[256];
    notify_evidence_note(&w, NOTIFY_LANG_ZH, s, sizeof(s));
    assert_string_equal(s, "统计期间2023年7月至2024年6月，按家庭人口4人计算人均");
    notify_evidence_note(&w, NOTIFY_LANG_EN, s, sizeof(s));
    assert_string_equal(s,
                        "Income of the 12 months 2023-07 to 2024-06, divided by 4 active members");
    w.month = 12;
    notify_evidence_note(&w, NOTIFY_LANG_ZH, s, sizeof(s));
    assert_string_equal(s, "统计期间2024年1月至2024年12月，按家庭人口4人计算人均");
    w.rule = NOTIFY_RULE_WEAK_LABOR; /* 1 of 3: 3333 bp; 0 of 3: 0 */
    w.members_active = 3;
    w.has_observed = true;
    w.observed = 3333;
    notify_evidence_note(&w, NOTIFY_LANG_ZH, s, sizeof(s));
    assert_string_equal(s, "劳动力1人，家庭人口3人");
    w.observed = 0;
    notify_evidence_note(&w, NOTIFY_LANG_EN, s, sizeof(s));
    assert_string_equal(s, "0 in the labour force of 3 active members");
    w.rule = NOTIFY_RULE_SHORT_WORK; /* September: 3 months left, 2 worked */
    w.month = 9;
    w.observed = 5;
    notify_evidence_note(&w, NOTIFY_LANG_ZH, s, sizeof(s));
    assert_string_equal(s, "今年已外出务工2个月，年内还剩3个月");
    w.rule = NOTIFY_RULE_NOT_ENROLLED;
    w.program = NOTIFY_PROGRAM_DISABILITY;
    w.observed = 2;
    notify_evidence_note(&w, NOTIFY_LANG_ZH, s, sizeof(s));
    assert_string_equal(s, "残疾等级2级，本季度未领取残疾人两项补贴");
    w.rule = NOTIFY_RULE_SUBSIDY_SHORT;
    w.threshold = 50000;
    w.observed = 30000;
    notify_evidence_note(&w, NOTIFY_LANG_EN, s, sizeof(s));
    assert_string_equal(s, "300.00 yuan paid by the end of the following month of 500.00 yuan due");
    w.rule = NOTIFY_RULE_LARGE_EXPENSE;
    w.has_amount = true;
    w.amount_fen = 2500000;
    w.threshold_unit = NOTIFY_UNIT_BASIS_POINTS;
    w.observed = 6250;
    notify_evidence_note(&w, NOTIFY_LANG_ZH, s, sizeof(s));
    assert_string_equal(s, "困难支出25,000.00元，占近12个月家庭纯收入的62.50%");
    assert_string_equal(
        notify_evidence_basis(NOTIFY_RULE_LARGE_EXPENSE, NOTIFY_UNIT_FEN, NOTIFY_LANG_ZH),
        "大额支出金额标准（方案第32条）");
    assert_string_equal(
        notify_evidence_basis(NOTIFY_RULE_LARGE_EXPENSE, NOTIFY_UNIT_BASIS_POINTS, NOTIFY_LANG_ZH),
        "占近12个月家庭纯收入的比例（方案第32条）");
    assert_string_equal(notify_evidence_basis((notify_rule_t)99, NOTIFY_UNIT_FEN, NOTIFY_LANG_EN),
                        "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),        cmocka_unit_test(test_masking),
        cmocka_unit_test(test_only_the_county), cmocka_unit_test(test_names),
        cmocka_unit_test(test_numbers),         cmocka_unit_test(test_latest_and_trend),
        cmocka_unit_test(test_from_avro),       cmocka_unit_test(test_one_language),
        cmocka_unit_test(test_evidence_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
