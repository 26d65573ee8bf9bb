/* The growable buffer every module builds text in. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

static void test_empty(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(sb.len, 0);
	char *s = strbuf_detach(&sb);
	assert_string_equal(s, "");
	free(s);
}

static void test_append_grow_binary(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 10000; i++)
		strbuf_append(&sb, "ab\0", 3);
	assert_int_equal(sb.len, 30000);
	assert_int_equal(sb.data[29999], '\0');
	assert_int_equal(sb.data[29998], 'b');
	assert_int_equal(sb.data[sb.len], '\0');
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	strbuf_printf(&sb, "%d-%s", 42, "x");
	strbuf_putc(&sb, '!');
	strbuf_puts(&sb, "yz");
	assert_string_equal(strbuf_str(&sb), "42-x!yz");
	strbuf_done(&sb);
	assert_null(sb.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append_grow_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
