/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one test-filter syntax of gntlab, shared by the host runner, dom0's
 * conductor, the guest agent and the harness.
 *
 * A filter is a list of patterns separated by ',' or '+' ('+' is how a
 * filter travels on a kernel command line, where ',' is taken). A test
 * "suite/name" is selected when any pattern matches it:
 *   - as an fnmatch(3) glob over the whole name, e.g. gup/[star],
 *     m2p/special_[star], [star]revoke[star] (a star also matches a
 *     slash), or
 *   - as a bare suite name ("gup" selects every gup/ test).
 * An empty or absent filter selects everything. No other syntax exists.
 */
#ifndef GNTLAB_TH_FILTER_H
#define GNTLAB_TH_FILTER_H

#include <stdbool.h>

/* Is test "suite/name" selected by filter (NULL or "" select all)? */
bool th_filter_match(const char *filter, const char *name);

/* Could filter select any test of this suite? (for skipping whole phases) */
bool th_filter_selects_suite(const char *filter, const char *suite);

/* Does one pattern of filter spell name exactly (no glob)? For tests that
 * run only when asked for by name (hazards to the machine). */
bool th_filter_names(const char *filter, const char *name);

#endif
