/* The whole-value parsers behind flags, the config file and /set. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/parse.h"

static void test_double(void **state)
{
	(void)state;
	double d = -1;
	assert_int_equal(parse_double("0.2", &d), 0);
	assert_true(d == 0.2);
	assert_int_equal(parse_double("-2", &d), 0);
	assert_true(d == -2);
	assert_int_equal(parse_double("1e-3", &d), 0);
	assert_true(d == 1e-3);
	assert_int_equal(parse_double("+.5", &d), 0);
	assert_true(d == 0.5);
	/* Only a whole finite decimal number: nothing around it, no hex,
	 * inf, nan or overflow; *out stays as it was. */
	d = 7;
	static const char *const bad[] = {"", " 1", "1 ", "1x", "0x10", "inf", "nan", "1e999", "-", ".", "e5",
					  "1,5", "--1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse_double(bad[i], &d) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
		assert_true(d == 7);
	}
}

static void test_ll(void **state)
{
	(void)state;
	long long v = -1;
	assert_int_equal(parse_ll("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_ll("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(parse_ll("+7", &v), 0);
	assert_int_equal(v, 7);
	v = 3;
	static const char *const bad[] = {"", " 1", "1 ", "1.0", "0x10", "9223372036854775808", "-", "+-1", "1e3"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse_ll(bad[i], &v) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
		assert_int_equal(v, 3);
	}
}

static void test_int(void **state)
{
	(void)state;
	int v = -1;
	assert_int_equal(parse_int("2147483647", &v), 0);
	assert_int_equal(v, 2147483647);
	assert_int_equal(parse_int("-2147483647", &v), 0);
	assert_int_equal(v, -2147483647);
	v = 5;
	assert_int_equal(parse_int("2147483648", &v), -1);
	assert_int_equal(parse_int("-2147483649", &v), -1);
	assert_int_equal(parse_int("1.5", &v), -1);
	assert_int_equal(v, 5);
}

static void test_bool(void **state)
{
	(void)state;
	static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes", "oN"};
	static const char *const no[] = {"false", "no", "off", "0", "FALSE", "No", "OFF"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		bool b = false;
		assert_int_equal(parse_bool(yes[i], &b), 0);
		assert_true(b);
		assert_int_equal(parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	bool b = true;
	static const char *const bad[] = {"", "y", "n", "2", "true ", "enabled", "10"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse_bool(bad[i], &b) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
		assert_true(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_ll),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_bool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
