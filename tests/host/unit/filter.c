// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the one test-filter matcher (tests/harness/th_filter.c). */
#include "harness.h"
#include "th_filter.h"

TH_DOC(filter, match,
       "Globs over suite/name, bare suite names, ',' and '+' separators; an empty or absent "
       "filter selects everything.")
TEST(filter, match)
{
	EXPECT_TRUE(th_filter_match(NULL, "gup/pin"));
	EXPECT_TRUE(th_filter_match("", "gup/pin"));
	EXPECT_TRUE(th_filter_match("gup/*", "gup/pin"));
	EXPECT_FALSE(th_filter_match("gup/*", "m2p/special_invariants"));
	EXPECT_TRUE(th_filter_match("m2p/special_*", "m2p/special_invariants"));
	EXPECT_TRUE(th_filter_match("gup", "gup/pin"));
	EXPECT_FALSE(th_filter_match("gu", "gup/pin"));
	EXPECT_TRUE(th_filter_match("*revoke*", "teardown/granter_revokes_while_mapped"));
	EXPECT_TRUE(th_filter_match("smoke,gup/pin", "gup/pin"));
	EXPECT_TRUE(th_filter_match("smoke+gup/pin", "gup/pin"));
	EXPECT_FALSE(th_filter_match("smoke+gup/pi", "gup/pin"));
}

TH_DOC(filter, selects_suite,
       "Whether a filter can select anything of a suite (dom0 skips whole scenarios on it).")
TEST(filter, selects_suite)
{
	EXPECT_TRUE(th_filter_selects_suite(NULL, "multi"));
	EXPECT_TRUE(th_filter_selects_suite("multi/*", "multi"));
	EXPECT_FALSE(th_filter_selects_suite("multi/*", "tools"));
	EXPECT_TRUE(th_filter_selects_suite("tools", "tools"));
	EXPECT_TRUE(th_filter_selects_suite("*revoke*", "reverse"));
	EXPECT_FALSE(th_filter_selects_suite("gup/pin,m2p", "tools"));
}

TH_DOC(filter, names,
       "A test that endangers the machine runs only when a pattern spells its name exactly: "
       "a glob or a bare suite name does not count.")
TEST(filter, names)
{
	EXPECT_FALSE(th_filter_names(NULL, "gntdev_teardown/madv_dofork"));
	EXPECT_FALSE(th_filter_names("", "gntdev_teardown/madv_dofork"));
	EXPECT_FALSE(th_filter_names("gntdev_teardown/*", "gntdev_teardown/madv_dofork"));
	EXPECT_FALSE(th_filter_names("gntdev_teardown", "gntdev_teardown/madv_dofork"));
	EXPECT_TRUE(th_filter_names("gntdev_teardown/madv_dofork", "gntdev_teardown/madv_dofork"));
	EXPECT_TRUE(th_filter_names("m2p/*+gntdev_teardown/madv_dofork",
				    "gntdev_teardown/madv_dofork"));
}
