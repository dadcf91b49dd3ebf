// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab test harness: kselftest-like tests for plain glibc user space
 * (dom0 tools, PV guest programs). Every test runs in its own forked child,
 * in its own process group, with a timeout; results come out as TAP 13.
 * See README.md in this directory.
 */
#ifndef GNTLAB_HARNESS_H
#define GNTLAB_HARNESS_H

#include <stddef.h>
#include <stdint.h>

enum th_verdict { TH_PASS, TH_FAIL, TH_SKIP };

/* Handed to the reporter; the strings live only for the duration of the call. */
struct th_result {
	const char *name; /* "suite/name" */
	enum th_verdict verdict;
	const char *reason; /* "" on a plain pass */
	const char *log;    /* TH_LOG and failure lines, newline-separated */
	double seconds;
};

typedef int (*th_check_fn)(const char *test_name, char *msg, size_t len, void *arg);

void th_set_reporter(void (*fn)(const struct th_result *r, void *arg), void *arg);
void th_set_before_each(th_check_fn fn, void *arg);
void th_set_after_each(th_check_fn fn, void *arg);
int th_main(int argc, char **argv);

#define TH_MAIN                                                                                    \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		return th_main(argc, argv);                                                        \
	}

/* ---- registration (internal) ------------------------------------------- */

struct th_test {
	const char *name;
	const char *file;
	int line;
	unsigned int timeout; /* seconds, 0: the run's default */
	int signal;	      /* the child must die from this signal, 0: none */
	size_t self_size;     /* fixture size, 0 for a plain TEST */
	void (*setup)(void *self);
	void (*teardown)(void *self);
	void (*body)(void *self);
	unsigned int seq;
	struct th_test *next;
};

void th_register(struct th_test *t);

#define TH_DEFINE(s_, n_, tmo, sig, size, su, td, run)                                             \
	static struct th_test th_test_##s_##_##n_ = {                                              \
		.name = #s_ "/" #n_,                                                               \
		.file = __FILE__,                                                                  \
		.line = __LINE__,                                                                  \
		.timeout = (tmo),                                                                  \
		.signal = (sig),                                                                   \
		.self_size = (size),                                                               \
		.setup = (su),                                                                     \
		.teardown = (td),                                                                  \
		.body = (run),                                                                     \
	};                                                                                         \
	__attribute__((constructor)) static void th_reg_##s_##_##n_(void)                          \
	{                                                                                          \
		th_register(&th_test_##s_##_##n_);                                                 \
	}

#define TH_TEST(suite, name, tmo, sig)                                                             \
	static void th_body_##suite##_##name(void);                                                \
	static void th_run_##suite##_##name(void *self __attribute__((unused)))                    \
	{                                                                                          \
		th_body_##suite##_##name();                                                        \
	}                                                                                          \
	TH_DEFINE(suite, name, tmo, sig, 0, NULL, NULL, th_run_##suite##_##name)                   \
	static void th_body_##suite##_##name(void)

#define TH_TEST_F(fix, suite, name, tmo, sig)                                                      \
	static void th_body_##suite##_##name(struct th_fixture_##fix *self);                       \
	static void th_run_##suite##_##name(void *self)                                            \
	{                                                                                          \
		th_body_##suite##_##name(self);                                                    \
	}                                                                                          \
	TH_DEFINE(suite, name, tmo, sig, sizeof(struct th_fixture_##fix), th_setup_v_##fix,        \
		  th_teardown_v_##fix, th_run_##suite##_##name)                                    \
	static void th_body_##suite##_##name(struct th_fixture_##fix *self __attribute__((unused)))

/* ---- defining tests ----------------------------------------------------- */

#define TEST(suite, name)		   TH_TEST(suite, name, 0, 0)
#define TEST_TIMEOUT(suite, name, seconds) TH_TEST(suite, name, seconds, 0)
#define TEST_SIGNAL(suite, name, sig)	   TH_TEST(suite, name, 0, sig)

/*
 * FIXTURE(f) { fields };  FIXTURE_SETUP(f) { ... }  FIXTURE_TEARDOWN(f) { ... }
 * The child gets a zeroed struct; teardown runs once setup has returned, even
 * when the body ends by ASSERT or SKIP.
 */
#define FIXTURE(fix) struct th_fixture_##fix
#define FIXTURE_SETUP(fix)                                                                         \
	static void th_setup_##fix(struct th_fixture_##fix *self);                                 \
	static void th_setup_v_##fix(void *self)                                                   \
	{                                                                                          \
		th_setup_##fix(self);                                                              \
	}                                                                                          \
	static void th_setup_##fix(struct th_fixture_##fix *self __attribute__((unused)))
#define FIXTURE_TEARDOWN(fix)                                                                      \
	static void th_teardown_##fix(struct th_fixture_##fix *self);                              \
	static void th_teardown_v_##fix(void *self)                                                \
	{                                                                                          \
		th_teardown_##fix(self);                                                           \
	}                                                                                          \
	static void th_teardown_##fix(struct th_fixture_##fix *self __attribute__((unused)))
#define TEST_F(fix, suite, name)		  TH_TEST_F(fix, suite, name, 0, 0)
#define TEST_F_TIMEOUT(fix, suite, name, seconds) TH_TEST_F(fix, suite, name, seconds, 0)
#define TEST_F_SIGNAL(fix, suite, name, sig)	  TH_TEST_F(fix, suite, name, 0, sig)

/* ---- inside a test (or any function it calls) --------------------------- */

void th_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void th_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void th_skip(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define TH_LOG(fmt, ...) th_log(fmt, ##__VA_ARGS__)
#define TH_MSG(fmt, ...) th_msg(fmt, ##__VA_ARGS__)
#define SKIP(fmt, ...)	 th_skip(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

enum th_op { TH_EQ, TH_NE, TH_LT, TH_LE, TH_GT, TH_GE };

int th_check_int(const char *file, int line, int is_assert, enum th_op op, const char *as,
		 const char *bs, unsigned long long a, int a_signed, unsigned long long b,
		 int b_signed);
int th_check_bool(const char *file, int line, int is_assert, const char *what, const char *xs,
		  int value, int want);
int th_check_ptr(const char *file, int line, int is_assert, const char *what, const char *xs,
		 uintptr_t p, int want_null);
int th_check_str(const char *file, int line, int is_assert, const char *as, const char *bs,
		 const char *a, const char *b);
int th_bail(int is_assert);

/*
 * A check is one `for` statement: its body runs only on failure, so an
 * optional trailing TH_MSG(...) adds context to the message, and th_bail()
 * then reports it and, for ASSERT, leaves the test (longjmp to teardown).
 */
#define TH_ON_FAIL(check, is_assert)                                                               \
	for (int th_failed_ = (check); th_failed_; th_failed_ = th_bail(is_assert))

#define TH_IS_SIGNED(v) ((__typeof__(v))-1 < (__typeof__(v))1)
#define TH_INT(a, b, op, is_assert)                                                                \
	TH_ON_FAIL(({                                                                              \
			   __typeof__(a) th_a_ = (a);                                              \
			   __typeof__(b) th_b_ = (b);                                              \
			   th_check_int(__FILE__, __LINE__, is_assert, TH_##op, #a, #b,            \
					(unsigned long long)th_a_, TH_IS_SIGNED(th_a_),            \
					(unsigned long long)th_b_, TH_IS_SIGNED(th_b_));           \
		   }),                                                                             \
		   is_assert)
#define TH_BOOL(x, want, is_assert, what)                                                          \
	TH_ON_FAIL(th_check_bool(__FILE__, __LINE__, is_assert, what, #x, !!(x), want), is_assert)
#define TH_PTR(x, want_null, is_assert, what)                                                      \
	TH_ON_FAIL(                                                                                \
		th_check_ptr(__FILE__, __LINE__, is_assert, what, #x, (uintptr_t)(x), want_null),  \
		is_assert)
#define TH_STR(a, b, is_assert)                                                                    \
	TH_ON_FAIL(th_check_str(__FILE__, __LINE__, is_assert, #a, #b, (a), (b)), is_assert)

#define ASSERT_EQ(a, b)	   TH_INT(a, b, EQ, 1)
#define ASSERT_NE(a, b)	   TH_INT(a, b, NE, 1)
#define ASSERT_LT(a, b)	   TH_INT(a, b, LT, 1)
#define ASSERT_LE(a, b)	   TH_INT(a, b, LE, 1)
#define ASSERT_GT(a, b)	   TH_INT(a, b, GT, 1)
#define ASSERT_GE(a, b)	   TH_INT(a, b, GE, 1)
#define ASSERT_TRUE(x)	   TH_BOOL(x, 1, 1, "TRUE")
#define ASSERT_FALSE(x)	   TH_BOOL(x, 0, 1, "FALSE")
#define ASSERT_NULL(x)	   TH_PTR(x, 1, 1, "NULL")
#define ASSERT_NONNULL(x)  TH_PTR(x, 0, 1, "NONNULL")
#define ASSERT_STREQ(a, b) TH_STR(a, b, 1)

#define EXPECT_EQ(a, b)	   TH_INT(a, b, EQ, 0)
#define EXPECT_NE(a, b)	   TH_INT(a, b, NE, 0)
#define EXPECT_LT(a, b)	   TH_INT(a, b, LT, 0)
#define EXPECT_LE(a, b)	   TH_INT(a, b, LE, 0)
#define EXPECT_GT(a, b)	   TH_INT(a, b, GT, 0)
#define EXPECT_GE(a, b)	   TH_INT(a, b, GE, 0)
#define EXPECT_TRUE(x)	   TH_BOOL(x, 1, 0, "TRUE")
#define EXPECT_FALSE(x)	   TH_BOOL(x, 0, 0, "FALSE")
#define EXPECT_NULL(x)	   TH_PTR(x, 1, 0, "NULL")
#define EXPECT_NONNULL(x)  TH_PTR(x, 0, 0, "NONNULL")
#define EXPECT_STREQ(a, b) TH_STR(a, b, 0)

#endif
