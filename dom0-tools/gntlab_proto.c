// SPDX-License-Identifier: GPL-2.0
/*
 * Conductor protocol helpers shared by dom0 and the guest agent: the verb
 * tables, the test pattern and the parsers/formatters of the xenstore values.
 */
#include "gntlab_proto.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gntlab_pattern_fill(void *buf, uint32_t seed, uint32_t page, uint32_t off,
			 size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = gntlab_pattern_byte(seed, page, off + (uint32_t)i);
}

long gntlab_pattern_check(const void *buf, uint32_t seed, uint32_t page,
			  uint32_t off, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != gntlab_pattern_byte(seed, page, off + (uint32_t)i))
			return (long)i;
	return -1;
}

/* Parse one unsigned decimal number; advances *s past it. */
static int parse_u32(const char **s, uint32_t *out)
{
	const char *p = *s;
	char *end;
	unsigned long v;

	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	*s = end;
	return 0;
}

static int at_end(const char *s)
{
	while (*s == ' ' || *s == '\n')
		s++;
	return *s == '\0';
}

int gntlab_refs_parse(const char *s, struct gntlab_refs *out)
{
	out->count = 0;
	if (!s || parse_u32(&s, &out->domid) || out->domid > 0x7fef)
		return -1;
	while (!at_end(s)) {
		if (*s != ' ' || out->count == GNTLAB_PROTO_MAX_REFS)
			return -1;
		if (parse_u32(&s, &out->ref[out->count]))
			return -1;
		out->count++;
	}
	return out->count ? 0 : -1;
}

int gntlab_refs_format(const struct gntlab_refs *r, char *buf, size_t len)
{
	size_t used;
	int n;

	if (r->count == 0 || r->count > GNTLAB_PROTO_MAX_REFS)
		return -1;
	n = snprintf(buf, len, "%u", r->domid);
	if (n < 0 || (size_t)n >= len)
		return -1;
	used = (size_t)n;
	for (uint32_t i = 0; i < r->count; i++) {
		n = snprintf(buf + used, len - used, " %u", r->ref[i]);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

int gntlab_cmd_parse(const char *s, struct gntlab_cmd *out)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s || parse_u32(&s, &out->seq) || *s != ' ')
		return -1;
	s++;
	n = strcspn(s, " ");
	if (n == 0 || n >= sizeof(out->verb))
		return -1;
	memcpy(out->verb, s, n);
	s += n;
	while (*s == ' ')
		s++;
	if (strlen(s) >= sizeof(out->args))
		return -1;
	strcpy(out->args, s);
	return 0;
}

int gntlab_ack_parse(const char *s, struct gntlab_ack *out)
{
	char *end;
	long rc;

	memset(out, 0, sizeof(*out));
	if (!s || parse_u32(&s, &out->seq) || *s != ' ')
		return -1;
	errno = 0;
	rc = strtol(s + 1, &end, 10);
	if (errno || end == s + 1 || rc < INT_MIN || rc > INT_MAX)
		return -1;
	out->rc = (int)rc;
	s = end;
	while (*s == ' ')
		s++;
	snprintf(out->text, sizeof(out->text), "%s", s);
	return 0;
}

const struct gntlab_verb gntlab_cmd_verbs[GNTLAB_CMD_COUNT] = {
	[GNTLAB_CMD_MAP] = { "map", "`ro|rw` `seed`",
		"maps every ref through `/dev/gntlab` (mode `special`), checks `pattern(seed)` over every page, and for `rw` writes `pattern(seed+1)` into the second half of every page; stays mapped",
		"rc 0: pattern intact (and reply written)" },
	[GNTLAB_CMD_UNMAP] = { "unmap", "",
		"`munmap` + `GNTLAB_IOC_UNMAP`, then waits (<= 5 s) for the module's counters to be zero",
		"rc 0: nothing of ours is left mapped" },
	[GNTLAB_CMD_PROBE_REVOKED] = { "probe-revoked", "",
		"tries to map the refs again (read-only)",
		"rc 0: the map was refused, and the refusal left no counter non-zero" },
	[GNTLAB_CMD_SUITE] = { "suite", "`filter` [`exclude`]",
		"runs `gntlab-guest-tests --filter` on the tests the filter selects less those `exclude` selects (`--exclude`: dom0 runs them in its second guest); the program talks to dom0 over req/rsp itself",
		"rc: the program's exit status, 128 + n if signal n killed it; 3: the filter selects no guest test" },
	[GNTLAB_CMD_GRANT] = { "grant", "`n` `seed`",
		"shares n pages with dom0 through its own gntalloc, filled with pattern(seed), refs in `grefs`",
		"rc 0: granted" },
	[GNTLAB_CMD_CHECK_GRANT] = { "check-grant", "`seed` `off` `len`",
		"checks its granted pages hold pattern(seed) in [off, off+len)",
		"rc 0: intact" },
	[GNTLAB_CMD_PEEK] = { "peek", "`page` `off`",
		"reads one byte of its granted pages",
		"text: the value" },
	[GNTLAB_CMD_UNGRANT] = { "ungrant", "",
		"revokes what it granted",
		"rc 0: revoked" },
	[GNTLAB_CMD_UNLOAD] = { "unload", "",
		"maps one ref, tries `delete_module` (must be refused), unmaps, closes, unloads, reloads",
		"rc 0: refused, then unloaded and reloaded" },
	[GNTLAB_CMD_DEMO] = { "demo", "",
		"maps the first ref read-only, publishes `obs/demo/<n>` lines (message, PTE/P2M/M2P facts, GUP probes)",
		"text: the number of lines" },
	[GNTLAB_CMD_BENCH] = { "bench", "",
		"runs `/bin/gntlab-bench` (`make bench`, docs/bench.md); the program talks to dom0 over req/rsp",
		"rc: the program's exit status (0: every map worked, every touched byte held dom0's pattern), 128 + n if signal n killed it" },
	[GNTLAB_CMD_SOAK] = { "soak", "`filter` `ioctls` `cycles` `seconds`",
		"runs the tests of `/bin/gntlab-soak` the filter selects (`make soak`, docs/soak.md) with SOAK_IOCTLS, SOAK_CYCLES and SOAK_SECONDS (its time bound) in its environment; the program talks to dom0 over req/rsp",
		"rc: the program's exit status, 128 + n if signal n killed it" },
	[GNTLAB_CMD_GALLOC] = { "galloc", "`slot` `raw|shr` `n` `seed`",
		"grants n writable pages to dom0 through the kernel's gntalloc: `raw` = its own `/dev/xen/gntalloc` fd, `IOCTL_GNTALLOC_ALLOC_GREF` + `mmap` of the returned index; `shr` = `xengntshr_share_pages`; fills them with pattern(seed); the first `galloc` turns on grant-table.c's `pr_debug` lines (dynamic debug) for `gkmsg`",
		"text: `refs <ref>...`" },
	[GNTLAB_CMD_GNOTIFY] = { "gnotify", "`slot` `off|-` `port|-`",
		"`IOCTL_GNTALLOC_SET_UNMAP_NOTIFY` on page 0 of a `raw` slot: clear byte `off`, and/or signal an event channel it binds (`IOCTL_EVTCHN_BIND_INTERDOMAIN`) to dom0's unbound `port`",
		"rc 0: armed; text: the action and the guest's local port" },
	[GNTLAB_CMD_GREVOKE] = { "grevoke", "`slot` `unshare|munmap-dealloc|dealloc-munmap|close`",
		"ends the guest's use of the slot's grants: `xengntshr_unshare` (shr), or on the raw fd `munmap` then `IOCTL_GNTALLOC_DEALLOC_GREF`, the ioctl then `munmap`, or `munmap` + `close` without the ioctl; gntalloc then ends foreign access (deferred while mapped)",
		"rc 0: the calls succeeded; text: how long they took" },
	[GNTLAB_CMD_GPEEK] = { "gpeek", "`slot` `page` `off`",
		"reads one byte of a slot's pages through the guest's own mapping", "text: the value" },
	[GNTLAB_CMD_GCHECK] = { "gcheck", "`slot` `seed` `off` `len`",
		"checks the slot's pages hold pattern(seed) in [off, off+len)", "rc 0: intact" },
	[GNTLAB_CMD_GKMSG] = { "gkmsg", "`slot` `ms`",
		"reads the guest kernel log since the slot was granted for grant-table.c's lines about its refs (`deferring g.e.`, `freeing g.e.`, `g.e. ... still pending`, `leaking g.e.`); waits up to `ms` for every ref to be freed",
		"text: `deferred D freed F pending P leaked L of N waited MS span MS` (span: first deferral to last free, guest clock, -1 if none); rc ENOTSUP: no dynamic debug" },
	[GNTLAB_CMD_GEVBIND] = { "gevbind", "",
		"allocates an event channel port for dom0 to bind (`IOCTL_EVTCHN_BIND_UNBOUND_PORT` on `/dev/xen/evtchn`)",
		"text: the guest's port" },
	[GNTLAB_CMD_GEVWAIT] = { "gevwait", "`ms`",
		"waits up to `ms` for an event on that port (reads and unmasks what `/dev/xen/evtchn` delivers)",
		"text: `fired <0|1> waited <ms> other <n>`" },
	[GNTLAB_CMD_QUIT] = { "quit", "",
		"unmaps and revokes anything left, acks, exits; the guest powers off",
		"rc 0" },
};

const struct gntlab_verb gntlab_req_verbs[GNTLAB_REQ_COUNT] = {
	[GNTLAB_REQ_SHARE] = { "share", "`count` `rw|ro` `seed`",
		"shares count pages (gntalloc) filled with pattern(seed); refs in `share/<id>/<k>`, and for up to 16 pages also in the answer",
		"`<id> <chunks>` [`<domid> <ref>...`]" },
	[GNTLAB_REQ_UNSHARE] = { "unshare", "`id`", "revokes the share", "" },
	[GNTLAB_REQ_FILL] = { "fill", "`id` `seed`", "refills the pages with pattern(seed)", "" },
	[GNTLAB_REQ_CHECK] = { "check", "`id` `seed` `off` `len`",
		"checks [off, off+len) of every page", "rc 0 `intact`, else the first bad byte" },
	[GNTLAB_REQ_ACTIVE] = { "active", "`id`",
		"counts the share's refs Xen marks as mapped: the `GTF_reading`/`GTF_writing` flags "
		"Xen keeps in dom0's grant entries while a mapping pins them (read from dom0's own "
		"grant table, mapped read-only; Xen's `g` dump if that table cannot be mapped, or "
		"with `GNTLAB_GRANTS=dump` in the conductor's environment)", "`<n>`" },
	[GNTLAB_REQ_FRAMES] = { "frames", "`id` `page`",
		"dom0's PFN of the page (`/proc/self/pagemap`) and the MFN in its grant entry (from Xen's `g` dump, 0 if not mapped)",
		"`<pfn> <mfn>`" },
	[GNTLAB_REQ_LEAKCHECK] = { "leakcheck", "",
		"revokes what the test left shared; checks Xen marks no grant of dom0 for this guest "
		"as mapped (the entries' flags, as for `active`; when they show one, Xen's `g` dump "
		"is asked too and both counts are in the answer)",
		"rc 0 `clean ...`, else what is left" },
	[GNTLAB_REQ_BYTE] = { "byte", "`id` `page` `off`",
		"reads one byte of its page of share `id`", "`<v>`" },
	[GNTLAB_REQ_EVTCHN_BIND] = { "evtchn-bind", "`guest port`",
		"binds an interdomain channel (libxenevtchn) to a port the guest allocated with `IOCTL_EVTCHN_BIND_UNBOUND_PORT`, replacing any previous one, and consumes the event Xen marks pending on the new port at bind time",
		"`<dom0 port> drained <0|1>`" },
	[GNTLAB_REQ_EVTCHN_WAIT] = { "evtchn-wait", "`ms` [`id` `page` `off`]",
		"waits up to `ms` for the event; when it arrives, before anything else, reads the byte and counts the share's refs Xen lists as mapped",
		"`fired <0|1> byte <v|-1> active <n|-1> waited <ms>`" },
	[GNTLAB_REQ_EVTCHN_CLOSE] = { "evtchn-close", "", "unbinds the channel", "" },
	[GNTLAB_REQ_DIAG] = { "diag", "`text`", "prints `GNTLAB-DIAG <line>` for each line of text", "" },
	[GNTLAB_REQ_BENCH] = { "bench", "`json`",
		"prints `GNTLAB-LOG bench <json>` (one measurement of `make bench`; the runner files it in `bench.log`)",
		"" },
	[GNTLAB_REQ_SOAK] = { "soak", "`record` `key=value`...",
		"prints `GNTLAB-LOG soak <record> <key=value>... t=<s> d0_free_kb=<n> xen_free_kb=<n>` (dom0 adds its uptime and free memory, and Xen's; `make soak`'s report, tools/soak/, reads them from `soak.log`)",
		"" },
	[GNTLAB_REQ_MATRIX] = { "matrix", "`row` `col` `expected` `observed`",
		"prints `GNTLAB-MATRIX`", "" },
	[GNTLAB_REQ_CHAN] = { "chan", "`ref` `port`",
		"maps the page the guest program granted (ref) and binds an interdomain event channel to its unbound port; the program's later requests and their answers go through that page (struct gntlab_chan, docs/protocol.md), not xenstore, until the program ends",
		"`<dom0 port>`" },
	[GNTLAB_REQ_RESULT] = { "result", "`ok|fail|skip|error|xfail|xpass` `name` [`reason`] [`\\n` `log lines`]",
		"prints the test's log lines (after the first newline) as `GNTLAB-DIAG`, then its `GNTLAB-TAP` line (tests/markers.h); for xfail/xpass the reason starts with the reference",
		"" },
};

int gntlab_verb_find(const struct gntlab_verb *t, int n, const char *verb)
{
	for (int i = 0; i < n; i++)
		if (t[i].name && !strcmp(t[i].name, verb))
			return i;
	return -1;
}

/* A table cell: '|' would end the cell. */
static void cell(FILE *f, const char *s)
{
	fputc(' ', f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputs(" |", f);
}

void gntlab_verbs_markdown(FILE *f, const struct gntlab_verb *t, int n)
{
	fputs("| verb | args | does | answer |\n|---|---|---|---|\n", f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "| `%s` |", t[i].name);
		cell(f, t[i].args);
		cell(f, t[i].does);
		cell(f, t[i].reply);
		fputc('\n', f);
	}
}

void gntlab_verbs_print(FILE *f)
{
	fputs("### Commands (cmd/ack): dom0 -> guest agent\n\n", f);
	gntlab_verbs_markdown(f, gntlab_cmd_verbs, GNTLAB_CMD_COUNT);
	fputs("\n### Requests (req/rsp): guest program -> dom0\n\n", f);
	gntlab_verbs_markdown(f, gntlab_req_verbs, GNTLAB_REQ_COUNT);
}
