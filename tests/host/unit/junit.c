// SPDX-License-Identifier: GPL-2.0
/* junit.xml (fake runs and the writer) against junit.xsd, and the schema is not vacuous. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/*
 * junit.xml of fake runs (passes, a skip, a failure with diagnostics, a crash)
 * is valid against junit.xsd, the structure Jenkins and GitLab read; and the
 * schema is not vacuous: documents they would misread are rejected.
 */
TEST_TIMEOUT(junit, schema, 60)
{
	static const char *const scenarios[] = {"pass", "fail", "crash"};
	// clang-format off
	static const char *const bad[] = {
		/* testcase without classname */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" time=\"0\"/></testsuite></testsuites>",
		/* two verdicts for one test */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"1\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" classname=\"a\" time=\"0\"><failure message=\"m\"/>"
		"<skipped/></testcase></testsuite></testsuites>",
		/* failure without its message */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"1\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" classname=\"a\" time=\"0\"><failure/></testcase>"
		"</testsuite></testsuites>",
		/* a negative time, a count that is not a number */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" "
		"time=\"-1.000\"><testcase name=\"x\" classname=\"a\" time=\"0\"/></testsuite>"
		"</testsuites>",
		"<testsuites><testsuite name=\"a\" tests=\"one\" failures=\"0\" errors=\"0\" "
		"time=\"0\"/></testsuites>",
		/* system-out before the verdict */
		"<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"1\" errors=\"0\" "
		"time=\"0\"><testcase name=\"x\" classname=\"a\" time=\"0\"><system-out>o"
		"</system-out><failure message=\"m\"/></testcase></testsuite></testsuites>",
		/* <testsuite> as the root */
		"<testsuite name=\"a\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"0\"/>",
	};
	// clang-format on
	char *dir, path[4400];

	ut_need_junit_schema();
	dir = ut_tmpdir("junit-schema");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		struct e2e e;

		e2e_run(&e, scenarios[i], scenarios[i], NULL);
		EXPECT_TRUE(e.junit != NULL);
		snprintf(path, sizeof(path), "%s/junit.xml", e.results);
		ut_check_schema(path, true);
		e2e_free(&e);
	}
	/* What the runner's own writer makes of odd input, straight from it. */
	{
		struct results r;
		char *out;

		ut_sample_results(&r);
		out = UT_CAPTURE(report_write_junit, &r);
		snprintf(path, sizeof(path), "%s/sample.xml", dir);
		ut_write_file(path, out);
		ut_check_schema(path, true);
		free(out);
		results_free(&r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad%zu.xml", dir, i);
		ut_write_file(path, bad[i]);
		ut_check_schema(path, false);
	}
	free(dir);
}
