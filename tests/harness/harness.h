// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab test harness: kselftest-like tests for plain glibc user space
 * (dom0 tools, PV guest programs). Every test runs in its own forked child,
 * in its own process group, with a timeout; results come out as TAP 13.
 * See README.md in this directory.
 */
#ifndef GNTLAB_HARNESS_H
#define GNTLAB_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a test's outcome tells a CI user:
 *   PASS   the code under test did what the test asserts
 *   FAIL   the code under test is wrong (a check failed, it crashed or hung)
 *   SKIP   a capability is missing; the reason says which
 *   ERROR  the test or its environment broke (setup failed, dom0 or
 *          xenstore unreachable): nothing is known about the code under test
 *   XFAIL  failed as expected: a known bug or open question, named by ref
 *   XPASS  expected to fail (ref) but passed: look at it, then drop the XFAIL
 * FAIL, ERROR and XPASS fail the run; SKIP and XFAIL do not.
 */
enum th_verdict { TH_PASS, TH_FAIL, TH_SKIP, TH_ERROR, TH_XFAIL, TH_XPASS };

/* "PASS", "FAIL", ... for a verdict. */
const char *th_verdict_name(enum th_verdict v);

/* Handed to the reporter; the strings live only for the duration of the call. */
struct th_result {
	const char *name; /* "suite/name" or "suite/<variant>_name" */
	enum th_verdict verdict;
	const char *ref;    /* XFAIL/XPASS: the known bug's reference; "" otherwise */
	const char *reason; /* "" on a plain pass */
	const char *log;    /* TH_LOG and failure lines, newline-separated */
	double seconds;
};

/*
 * A before/after-each check: 0 fine, non-zero a failure (msg says what).
 * An after-each check may return TH_CHECK_XFAIL instead: it saw a known
 * problem outside the code under test (a known kernel report), msg is
 * "REF what"; a test that otherwise passed or skipped becomes XFAIL (REF).
 */
typedef int (*th_check_fn)(const char *test_name, char *msg, size_t len, void *arg);
#define TH_CHECK_XFAIL 2

void th_set_reporter(void (*fn)(const struct th_result *r, void *arg), void *arg);
void th_set_before_each(th_check_fn fn, void *arg);
void th_set_after_each(th_check_fn fn, void *arg);
int th_main(int argc, char **argv);
/* Inside a test: did this run's filter (--filter or $TH_FILTER) name
 * suite/name exactly? A test that endangers the machine runs only then. */
bool th_run_names(const char *name);

#define TH_MAIN                                                                                    \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		return th_main(argc, argv);                                                        \
	}

/* ---- registration (internal) ------------------------------------------- */

/* One FIXTURE_VARIANT_ADD entry. */
struct th_variant {
	const char *name;
	const void *data;
	int line;
	struct th_variant *next;
};

/* Per FIXTURE: its variants, in definition order (none: run once). */
struct th_fixture_info {
	const char *name;
	struct th_variant *variants;
};

struct th_test {
	const char *name; /* "suite/name" (variants: the base name) */
	const char *file;
	int line;
	unsigned int timeout;		       /* seconds, 0: the run's default */
	int signal;			       /* the child must die from this signal, 0: none */
	size_t self_size;		       /* fixture size, 0 for a plain TEST */
	const struct th_fixture_info *fixture; /* NULL for a plain TEST */
	void (*setup)(void *self, const void *variant);
	void (*teardown)(void *self, const void *variant);
	void (*body)(void *self, const void *variant);
	unsigned int seq;
	struct th_test *next;
};

/* TH_DOC: a description attached to the test "suite/name". */
struct th_doc {
	const char *name;
	const char *text;
	struct th_doc *next;
};

void th_register(struct th_test *t);
void th_register_variant(struct th_fixture_info *f, struct th_variant *v);
void th_register_doc(struct th_doc *d);

#define TH_DEFINE(s_, n_, tmo, sig, size, fix, su, td, run)                                        \
	static struct th_test th_test_##s_##_##n_ = {                                              \
		.name = #s_ "/" #n_,                                                               \
		.file = __FILE__,                                                                  \
		.line = __LINE__,                                                                  \
		.timeout = (tmo),                                                                  \
		.signal = (sig),                                                                   \
		.self_size = (size),                                                               \
		.fixture = (fix),                                                                  \
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
	static void th_run_##suite##_##name(void *self __attribute__((unused)),                    \
					    const void *variant __attribute__((unused)))           \
	{                                                                                          \
		th_body_##suite##_##name();                                                        \
	}                                                                                          \
	TH_DEFINE(suite, name, tmo, sig, 0, NULL, NULL, NULL, th_run_##suite##_##name)             \
	static void th_body_##suite##_##name(void)

#define TH_TEST_F(fix, suite, name, tmo, sig)                                                      \
	static void th_body_##suite##_##name(struct th_fixture_##fix *self,                        \
					     const struct th_variant_##fix *variant);              \
	static void th_run_##suite##_##name(void *self, const void *variant)                       \
	{                                                                                          \
		th_body_##suite##_##name(self, variant);                                           \
	}                                                                                          \
	TH_DEFINE(suite, name, tmo, sig, sizeof(struct th_fixture_##fix), &th_fixinfo_##fix,       \
		  th_setup_v_##fix, th_teardown_v_##fix, th_run_##suite##_##name)                  \
	static void th_body_##suite##_##name(                                                      \
		struct th_fixture_##fix *self __attribute__((unused)),                             \
		const struct th_variant_##fix *variant __attribute__((unused)))

/* ---- defining tests ----------------------------------------------------- */

#define TEST(suite, name)		   TH_TEST(suite, name, 0, 0)
#define TEST_TIMEOUT(suite, name, seconds) TH_TEST(suite, name, seconds, 0)
#define TEST_SIGNAL(suite, name, sig)	   TH_TEST(suite, name, 0, sig)

/*
 * FIXTURE(f) { fields };  FIXTURE_SETUP(f) { ... }  FIXTURE_TEARDOWN(f) { ... }
 * The child gets a zeroed struct; teardown runs once setup has returned, even
 * when the body ends by ASSERT, SKIP or ERROR.
 */
#define FIXTURE(fix)                                                                               \
	struct th_variant_##fix;                                                                   \
	static struct th_fixture_info th_fixinfo_##fix = {.name = #fix};                           \
	struct th_fixture_##fix
#define FIXTURE_SETUP(fix)                                                                         \
	static void th_setup_##fix(struct th_fixture_##fix *self,                                  \
				   const struct th_variant_##fix *variant);                        \
	static void th_setup_v_##fix(void *self, const void *variant)                              \
	{                                                                                          \
		th_setup_##fix(self, variant);                                                     \
	}                                                                                          \
	static void th_setup_##fix(struct th_fixture_##fix *self __attribute__((unused)),          \
				   const struct th_variant_##fix *variant __attribute__((unused)))
#define FIXTURE_TEARDOWN(fix)                                                                      \
	static void th_teardown_##fix(struct th_fixture_##fix *self,                               \
				      const struct th_variant_##fix *variant);                     \
	static void th_teardown_v_##fix(void *self, const void *variant)                           \
	{                                                                                          \
		th_teardown_##fix(self, variant);                                                  \
	}                                                                                          \
	static void th_teardown_##fix(struct th_fixture_##fix *self __attribute__((unused)),       \
				      const struct th_variant_##fix *variant                       \
				      __attribute__((unused)))

/*
 * Variants (kselftest style): every TEST_F of a fixture that has variants
 * runs once per variant, named "suite/<variant>_<name>", in the order the
 * variants are defined; `variant` points at that variant's data in setup,
 * teardown and body (NULL for a fixture without variants).
 *   FIXTURE_VARIANT(f) { fields };
 *   FIXTURE_VARIANT_ADD(f, special) { .mode = 1 };
 * FIXTURE_VARIANT(f) is also the type: `const FIXTURE_VARIANT(f) *v`.
 */
#define FIXTURE_VARIANT(fix) struct th_variant_##fix
#define FIXTURE_VARIANT_ADD(fix, vname)                                                            \
	static const struct th_variant_##fix th_vdata_##fix##_##vname;                             \
	static struct th_variant th_var_##fix##_##vname = {                                        \
		.name = #vname,                                                                    \
		.data = &th_vdata_##fix##_##vname,                                                 \
		.line = __LINE__,                                                                  \
	};                                                                                         \
	__attribute__((constructor)) static void th_vreg_##fix##_##vname(void)                     \
	{                                                                                          \
		th_register_variant(&th_fixinfo_##fix, &th_var_##fix##_##vname);                   \
	}                                                                                          \
	static const struct th_variant_##fix th_vdata_##fix##_##vname =

#define TEST_F(fix, suite, name)		  TH_TEST_F(fix, suite, name, 0, 0)
#define TEST_F_TIMEOUT(fix, suite, name, seconds) TH_TEST_F(fix, suite, name, seconds, 0)
#define TEST_F_SIGNAL(fix, suite, name, sig)	  TH_TEST_F(fix, suite, name, 0, sig)

/*
 * TH_DOC(suite, name, "markdown") at file scope: the description of test
 * suite/name (for a TEST_F with variants, name is the base name and the
 * text documents every variant). `--list --verbose` prints it.
 */
#define TH_DOC(s_, n_, text_)                                                                      \
	static struct th_doc th_doc_##s_##_##n_ = {.name = #s_ "/" #n_, .text = (text_)};          \
	__attribute__((constructor)) static void th_docreg_##s_##_##n_(void)                       \
	{                                                                                          \
		th_register_doc(&th_doc_##s_##_##n_);                                              \
	}

/* ---- inside a test (or any function it calls) --------------------------- */

void th_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void th_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void th_skip(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
void th_error(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
void th_xfail(const char *file, int line, const char *ref, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * For library code (transport helpers and the like): the environment broke.
 * Inside a harness test it ends the test with ERROR, like ERROR(); anywhere
 * else it prints the message on stderr and exits with status 2.
 */
void th_error_hook(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define TH_LOG(fmt, ...) th_log(fmt, ##__VA_ARGS__)
#define TH_MSG(fmt, ...) th_msg(fmt, ##__VA_ARGS__)
/* Ends the test: a capability is missing. */
#define SKIP(fmt, ...) th_skip(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
/* Ends the test: the test or its environment broke (not the code under test). */
#define ERROR(fmt, ...) th_error(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
/*
 * When cond holds, the test is expected to fail because of the known bug
 * ref (one word: XSA-396, a commit, a URL): a later failure (check, crash,
 * timeout) makes it XFAIL, a pass XPASS. The test goes on either way.
 */
#define XFAIL_IF(cond, ref, fmt, ...)                                                              \
	do {                                                                                       \
		if (cond)                                                                          \
			th_xfail(__FILE__, __LINE__, ref, fmt, ##__VA_ARGS__);                     \
	} while (0)

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
