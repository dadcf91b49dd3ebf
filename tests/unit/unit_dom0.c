// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the dom0 tools' parsers: the conductor protocol values
 * (gntlab_proto.c) and Xen's grant-table dump (xen_grants.c), under
 * tests/harness (TAP; exit 1 if any check fails).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gntlab_proto.h"
#include "harness.h"
#include "xen_grants.h"
#include "req_chan.h"	/* after xenctrl.h (xen_grants.h) */

TEST(proto, refs)
{
	static struct gntlab_refs r, r2;
	char buf[256];

	EXPECT_TRUE(gntlab_refs_parse("0 8 9 10", &r) == 0 && r.domid == 0 && r.count == 3 &&
		    r.ref[2] == 10)
		TH_MSG("refs: parses domid and refs");
	EXPECT_TRUE(gntlab_refs_parse("7 1\n", &r) == 0 && r.domid == 7 && r.count == 1)
		TH_MSG("refs: trailing newline accepted");
	EXPECT_TRUE(gntlab_refs_parse("0", &r) == -1) TH_MSG("refs: no refs is an error");
	EXPECT_TRUE(gntlab_refs_parse("", &r) == -1) TH_MSG("refs: empty is an error");
	EXPECT_TRUE(gntlab_refs_parse("0 8 x", &r) == -1) TH_MSG("refs: garbage rejected");
	EXPECT_TRUE(gntlab_refs_parse("0 -1", &r) == -1) TH_MSG("refs: negative rejected");
	EXPECT_TRUE(gntlab_refs_parse("0 4294967296", &r) == -1) TH_MSG("refs: > u32 rejected");
	EXPECT_TRUE(gntlab_refs_parse("32752 1", &r) == -1)
		TH_MSG("refs: domid beyond DOMID_FIRST_RESERVED rejected");
	EXPECT_TRUE(gntlab_refs_parse("0 8,9", &r) == -1) TH_MSG("refs: commas rejected");

	r.domid = 3;
	r.count = 2;
	r.ref[0] = 11;
	r.ref[1] = 4000000000u;
	EXPECT_TRUE(gntlab_refs_format(&r, buf, sizeof(buf)) == 0 &&
		    !strcmp(buf, "3 11 4000000000"))
		TH_MSG("refs: formats");
	EXPECT_TRUE(gntlab_refs_parse(buf, &r2) == 0 && r2.count == 2 && r2.ref[1] == 4000000000u)
		TH_MSG("refs: format/parse round trip");
	EXPECT_TRUE(gntlab_refs_format(&r, buf, 8) == -1) TH_MSG("refs: short buffer reported");

	/* Too many refs for the protocol. */
	{
		size_t len = 8 * (GNTLAB_PROTO_MAX_REFS + 2);
		char *big = malloc(len), *p = big;

		p += sprintf(p, "0");
		for (int i = 0; i < GNTLAB_PROTO_MAX_REFS + 1; i++)
			p += sprintf(p, " %d", i);
		EXPECT_TRUE(gntlab_refs_parse(big, &r) == -1)
			TH_MSG("refs: more than MAX_REFS rejected");
		free(big);
	}
}

TEST(proto, cmd_ack)
{
	struct gntlab_cmd c;
	struct gntlab_ack a;

	EXPECT_TRUE(gntlab_cmd_parse("12 map rw 99", &c) == 0 && c.seq == 12 &&
		    !strcmp(c.verb, "map") && !strcmp(c.args, "rw 99"))
		TH_MSG("cmd: seq, verb, args");
	EXPECT_TRUE(gntlab_cmd_parse("3 quit", &c) == 0 && !strcmp(c.verb, "quit") &&
		    c.args[0] == '\0')
		TH_MSG("cmd: verb without args");
	EXPECT_TRUE(gntlab_cmd_parse("map rw", &c) == -1) TH_MSG("cmd: missing seq rejected");
	EXPECT_TRUE(gntlab_cmd_parse("1 ", &c) == -1) TH_MSG("cmd: missing verb rejected");
	EXPECT_TRUE(gntlab_cmd_parse("1 averyveryverylongverb", &c) == -1)
		TH_MSG("cmd: oversized verb rejected");
	EXPECT_TRUE(gntlab_ack_parse("12 0 mapped 4", &a) == 0 && a.seq == 12 && a.rc == 0 &&
		    !strcmp(a.text, "mapped 4"))
		TH_MSG("ack: seq, rc, text");
	EXPECT_TRUE(gntlab_ack_parse("5 -22", &a) == 0 && a.rc == -22 && a.text[0] == '\0')
		TH_MSG("ack: negative rc, no text");
	EXPECT_TRUE(gntlab_ack_parse("5 x", &a) == -1) TH_MSG("ack: non-numeric rc rejected");
}

TEST(proto, pattern)
{
	unsigned char page[4096];

	gntlab_pattern_fill(page, 7, 3, 0, sizeof(page));
	EXPECT_TRUE(gntlab_pattern_check(page, 7, 3, 0, sizeof(page)) == -1)
		TH_MSG("pattern: fill then check is intact");
	EXPECT_TRUE(gntlab_pattern_check(page, 8, 3, 0, sizeof(page)) >= 0)
		TH_MSG("pattern: another seed differs");
	EXPECT_TRUE(gntlab_pattern_check(page, 7, 4, 0, sizeof(page)) >= 0)
		TH_MSG("pattern: another page differs");
	page[1234] ^= 1;
	EXPECT_TRUE(gntlab_pattern_check(page, 7, 3, 0, sizeof(page)) == 1234)
		TH_MSG("pattern: reports the first bad offset");
	gntlab_pattern_fill(page + 2048, 9, 0, 2048, 2048);
	EXPECT_TRUE(gntlab_pattern_check(page + 2048, 9, 0, 2048, 2048) == -1)
		TH_MSG("pattern: offset ranges agree with full-page fill");
}

static const char dump_text[] =
	"(XEN) some earlier line\n"
	"(XEN) gnttab_usage_print_all [ key 'g' pressed\n"
	"(XEN)       -------- active --------       -------- shared --------\n"
	"(XEN) [ref] localdom mfn      pin          localdom gmfn     flags\n"
	"(XEN) grant-table for remote d0 (v1)\n"
	"(XEN)   1 frames (64 max), 0 maptrack frames (1024 max)\n"
	"(XEN) no active grant table entries\n"
	"(XEN) gnttab_usage_print_all ] done\n"
	"(XEN) gnttab_usage_print_all [ key 'g' pressed\n"
	"(XEN)       -------- active --------       -------- shared --------\n"
	"(XEN) [ref] localdom mfn      pin          localdom gmfn     flags\n"
	"(XEN) grant-table for remote d0 (v1)\n"
	"(XEN)   1 frames (64 max), 1 maptrack frames (1024 max)\n"
	"(XEN) [0x008]      1 0x1a2b3c 0x00000101          1 0x04f1e2 0x1b\n"
	"(XEN) [0x009]      1 0x1a2b3d 0x00000101          1 0x04f1e3 0x1b\n"
	"(XEN) grant-table for remote d1 (v1)\n"
	"(XEN)   1 frames (64 max), 0 maptrack frames (1024 max)\n"
	"(XEN) [0x000]      0 0x0abcde 0x00000001          0 0x000fee 0x19\n"
	"(XEN) gnttab_usage_print_all ] done\n";

TEST(xen_grants, dump)
{
	static struct xen_grant_dump d;
	char *trunc;

	EXPECT_TRUE(xen_grant_dump_parse(dump_text, &d) == 0 && d.complete)
		TH_MSG("xen dump: last complete dump found");
	EXPECT_TRUE(d.count == 3) TH_MSG("xen dump: three active entries in the last dump");
	EXPECT_TRUE(xen_grant_dump_count(&d, 0, 8) == 1 && xen_grant_dump_count(&d, 0, 9) == 1)
		TH_MSG("xen dump: d0 refs 8 and 9 active");
	EXPECT_TRUE(xen_grant_dump_count(&d, 0, 0) == 0 && xen_grant_dump_count(&d, 1, 0) == 1)
		TH_MSG("xen dump: entries attributed to the right granter");
	EXPECT_TRUE(d.entry[0].mapper == 1 && d.entry[0].mfn == 0x1a2b3c &&
		    d.entry[0].pin == 0x101 && d.entry[0].flags == 0x1b)
		TH_MSG("xen dump: fields of an entry");
	{
		const uint32_t refs[] = {8, 9, 10}, zero[] = {0};

		EXPECT_TRUE(xen_grant_dump_count_refs(&d, 0, 1, refs, 3) == 2)
			TH_MSG("xen dump: count_refs by granter, mapper and ref");
		EXPECT_TRUE(xen_grant_dump_count_refs(&d, 0, 2, refs, 3) == 0)
			TH_MSG("xen dump: count_refs ignores other mappers");
		EXPECT_TRUE(xen_grant_dump_count_refs(&d, 1, -1, zero, 1) == 1 &&
			    xen_grant_dump_count_refs(&d, 0, -1, zero, 1) == 0)
			TH_MSG("xen dump: count_refs with any mapper, per granter");
	}
	EXPECT_TRUE(xen_grant_dump_parse("(XEN) nothing here\n", &d) == -1)
		TH_MSG("xen dump: no dump is an error");
	trunc = strdup(dump_text);
	trunc[strlen(trunc) - 25] = '\0'; /* cut the last "] done" */
	EXPECT_TRUE(xen_grant_dump_parse(trunc, &d) == -1)
		TH_MSG("xen dump: truncated dump is an error");
	free(trunc);
}

TH_DOC(chan, take,
       "dom0's end of the request channel (dom0-tools/req_chan.c) takes each request once,\n"
       "when the guest's sequence number changed, and NUL-terminates its copy whatever the\n"
       "guest left in the page.");
TEST(chan, take)
{
	static struct gntlab_chan pg;
	struct req_chan c = { .page = &pg };
	char buf[GNTLAB_CHAN_TEXT + 1];

	ASSERT_TRUE(sizeof(pg) <= GNTLAB_PAGE_SIZE);
	EXPECT_EQ(req_chan_take(&c, buf, sizeof(buf)), 0) TH_MSG("nothing sent yet");
	snprintf(pg.req, sizeof(pg.req), "%s", "4097 leakcheck");
	pg.req_seq = 4097;
	ASSERT_EQ(req_chan_take(&c, buf, sizeof(buf)), 1);
	EXPECT_STREQ(buf, "4097 leakcheck");
	EXPECT_EQ(req_chan_take(&c, buf, sizeof(buf)), 0) TH_MSG("the same request twice");
	memset(pg.req, 'x', sizeof(pg.req));	/* no NUL at all */
	pg.req_seq = 4098;
	ASSERT_EQ(req_chan_take(&c, buf, sizeof(buf)), 1);
	EXPECT_EQ(strlen(buf), (size_t)GNTLAB_CHAN_TEXT);
	ASSERT_EQ(req_chan_take(&c, buf, 8), 0);
	pg.req_seq = 4099;
	ASSERT_EQ(req_chan_take(&c, buf, 8), 1);
	EXPECT_EQ(strlen(buf), (size_t)7) TH_MSG("a smaller buffer truncates");
	EXPECT_EQ(req_chan_fd(&c), -1) TH_MSG("no event channel: no fd");
}

TH_MAIN
