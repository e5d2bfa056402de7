/* test_buf.c: the bounded growable buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zs_buf.h"

static void grows_and_keeps_nul(void **state)
{
    (void)state;
    zs_buf_t buf;
    zs_buf_init(&buf, 1000);
    for (int i = 0; i < 100; i++)
        assert_int_equal(zs_buf_addc(&buf, 'a'), ZS_OK);
    assert_int_equal(buf.len, 100);
    assert_int_equal(buf.data[100], '\0');
    assert_int_equal(zs_buf_addf(&buf, "%d-%s", 42, "x"), ZS_OK);
    assert_string_equal(buf.data + 100, "42-x");
    zs_buf_reset(&buf);
    assert_int_equal(buf.len, 0);
    zs_buf_free(&buf);
}

static void refuses_past_max(void **state)
{
    (void)state;
    zs_buf_t buf;
    zs_buf_init(&buf, 8);
    assert_int_equal(zs_buf_adds(&buf, "12345678"), ZS_OK);
    assert_int_equal(zs_buf_addc(&buf, '9'), ZS_ERR_OVERFLOW);
    assert_int_equal(buf.len, 8);
    assert_int_equal(zs_buf_addf(&buf, "%s", "more"), ZS_ERR_OVERFLOW);
    zs_buf_free(&buf);
    zs_buf_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_and_keeps_nul),
        cmocka_unit_test(refuses_past_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
