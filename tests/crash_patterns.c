// SPDX-License-Identifier: GPL-2.0
/* The kernel-log crash patterns (see crash_patterns.h). */
#include "crash_patterns.h"

#include <stdio.h>
#include <string.h>

#define BOTH (CRASH_CONSOLE | CRASH_KLOG)

// clang-format off
const struct crash_pattern crash_patterns[] = {
	/* Xen (its console only; listed for both, a kernel log never has them). */
	{"Panic on CPU", "Xen panic(): the hypervisor stopped", BOTH},
	{"Xen BUG at", "Xen BUG()", BOTH},
	{"Assertion '", "Xen ASSERT() failed (debug builds: \"Assertion '...' failed at file:line\")",
	 BOTH},
	{"Xen WARN at", "Xen WARN() / WARN_ON()", BOTH},
	{"Attempt to implicitly unmap",
	 "debug Xen: a PV guest cleared a grant PTE without GNTTABOP_unmap (the guest gets a #GP)",
	 BOTH},
	{"FATAL PAGE FAULT", "Xen faulted in hypervisor context", BOTH},
	{"domain_crash", "Xen killed a domain (domain_crash, domain_crash_sync)", BOTH},
	/* Linux. */
	{"Kernel panic", "Linux panic()", BOTH},
	{"BUG: KASAN:", "KASAN: invalid memory access", BOTH},
	{"BUG: KFENCE:", "KFENCE: invalid access to a sampled heap object (debug profile)", BOTH},
	{"BUG: ", "Linux BUG: reports (bad page state, page fault, soft lockup, KFENCE...)",
	 BOTH},
	{"kernel BUG at", "Linux BUG()/BUG_ON(), also under VM_BUG_ON*", BOTH},
	{"VM_BUG_ON", "DEBUG_VM's VM_BUG_ON_PAGE/FOLIO/MM dump before its BUG", BOTH},
	{"page dumped because", "dump_page(): a struct page found in a bad state (DEBUG_VM)", BOTH},
	/* DEBUG_LIST (before the WARN it prints them in). */
	{"list_add corruption", "DEBUG_LIST: list_add() on corrupted neighbours", BOTH},
	{"list_del corruption", "DEBUG_LIST: list_del() of a corrupted or deleted entry", BOTH},
	/* SLUB debugging (slub_debug, SLUB_DEBUG_ON): "BUG <cache> (...): <what>". */
	{"Poison overwritten", "SLUB: a freed object was written (use after free)", BOTH},
	{"Redzone overwritten", "SLUB: a write past an object's end (or before its start)", BOTH},
	{"Object already free", "SLUB: double free", BOTH},
	{"Freepointer corrupt", "SLUB: the free list of a slab corrupted", BOTH},
	{"ODEBUG:", "DEBUG_OBJECTS: an object freed or reinitialised while active", BOTH},
	{"Oops", "Linux oops", BOTH},
	{"WARNING: CPU:", "Linux WARN()", BOTH},
	{"WARNING: possible circular locking", "lockdep: lock order inversion", BOTH},
	{"WARNING: possible recursive locking", "lockdep: a lock taken twice", BOTH},
	{"WARNING: inconsistent lock state", "lockdep: a lock taken with and without IRQs off", BOTH},
	{"WARNING: suspicious RCU usage", "lockdep: RCU-protected data used outside RCU", BOTH},
	{"WARNING: bad unlock balance", "lockdep: a lock released that is not held", BOTH},
	{"WARNING: held lock freed", "lockdep: memory freed with a lock inside it held", BOTH},
	{"WARNING: lock held when returning to user space", "lockdep: a syscall returned with a lock held",
	 BOTH},
	/* On the console user space may print WARNING: too. */
	{"WARNING:", "any other kernel WARNING: (lockdep, RCU, grant table)", CRASH_KLOG},
	{"general protection fault", "x86 #GP in the kernel", BOTH},
	{"Bad page map", "a PTE pointing at a bad page (zap_pte_range)", BOTH},
	{"Bad page", "page state or page cache corruption", BOTH},
	{"Bad rss-counter", "an mm torn down with pages still counted", BOTH},
	{"Call Trace:", "a kernel stack dump", BOTH},
	/* Linux grant table: access ended while a peer still maps the page. */
	{"still pending", "grant table: g.e. still pending after end of access", CRASH_KLOG},
	{"leaking g.e.", "grant table: a grant entry leaked", CRASH_KLOG},
};
// clang-format on

const size_t crash_pattern_count = sizeof(crash_patterns) / sizeof(crash_patterns[0]);

static int is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Does pat stand at line[i] as a whole word-start (and, if it ends in a letter, word-end)? */
static int found_at(const char *line, size_t len, size_t i, const char *pat, size_t pl)
{
	if (i + pl > len || memcmp(line + i, pat, pl) != 0)
		return 0;
	if (i > 0 && is_word_char(line[i - 1]))
		return 0;
	if (is_letter(pat[pl - 1]) && i + pl < len && is_letter(line[i + pl]))
		return 0;
	return 1;
}

const struct crash_pattern *crash_match(const char *line, size_t len, enum crash_log log)
{
	for (size_t p = 0; p < crash_pattern_count; p++) {
		const char *pat = crash_patterns[p].text;
		size_t pl = strlen(pat);

		if (!(crash_patterns[p].logs & (unsigned int)log))
			continue;
		for (size_t i = 0; i + pl <= len; i++)
			if (line[i] == pat[0] && found_at(line, len, i, pat, pl))
				return &crash_patterns[p];
	}
	return NULL;
}

const struct crash_pattern *crash_find(const char *text, enum crash_log log, const char **line,
				       size_t *len)
{
	while (*text) {
		size_t l = strcspn(text, "\n");
		const struct crash_pattern *p = crash_match(text, l, log);

		if (p) {
			if (line)
				*line = text;
			if (len)
				*len = l;
			return p;
		}
		text += l + (text[l] == '\n');
	}
	return NULL;
}

size_t crash_count(const char *text, enum crash_log log)
{
	size_t n = 0;
	const char *line;
	size_t len;

	while (crash_find(text, log, &line, &len)) {
		n++;
		text = line + len + (line[len] == '\n');
	}
	return n;
}

/* ---- known reports ------------------------------------------------------ */

// clang-format off
const struct known_report known_reports[] = {
	{
		.id = "gntdev-map-ioctl-copy-to-user-under-lock",
		.title = "lockdep: circular locking dependency between gntdev's priv->lock and "
			 "mmap_lock (drivers/xen/gntdev.c copies the map ioctl's result to user "
			 "space under priv->lock)",
		.headline = "WARNING: possible circular locking dependency detected",
		.sig = {"(&priv->lock", "(&mm->mmap_lock", "gntdev_mmap+", "_copy_to_user+",
			"gntdev_ioctl", NULL},
		.kernels = "6.1.192..6.2",
		.ref = "lore.kernel.org/r/20260622112541.38194-1-vulab@iscas.ac.cn",
		.why = "Linux's own gntdev driver, not gntlab.ko. The stable patch \"xen/gntdev: "
		       "fix error handling in ioctl\" (Wentao Liang, v2, June 2026, Cc: stable; "
		       "Fixes: 1401c00e59ea, 68b025c813c2) holds priv->lock across "
		       "copy_to_user() in gntdev_ioctl_map_grant_ref() (Debian's "
		       "linux-source-6.1 6.1.192-3, drivers/xen/gntdev.c lines 678-689), "
		       "so a fault there takes mmap_lock inside priv->lock, while "
		       "gntdev_mmap() takes priv->lock inside mmap_lock (vm_mmap_pgoff): an "
		       "ABBA deadlock between a map ioctl whose result page is not present "
		       "and an mmap() of the same gntdev file. Before the patch the copy ran "
		       "after mutex_unlock(). Seen on 6.1.192; no upstream fix found yet.",
	},
};
// clang-format on

const size_t known_report_count = sizeof(known_reports) / sizeof(known_reports[0]);

/* "6.1.192-x" -> {6, 1, 192}; the number of parts read (0: none). */
static int version_parse(const char *s, size_t len, unsigned long v[3])
{
	int parts = 0;
	size_t i = 0;

	v[0] = v[1] = v[2] = 0;
	while (parts < 3 && i < len && s[i] >= '0' && s[i] <= '9') {
		unsigned long n = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && n < 100000)
			n = n * 10 + (unsigned long)(s[i++] - '0');
		v[parts++] = n;
		if (i < len && s[i] == '.' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')
			i++;
		else
			break;
	}
	return parts;
}

static int version_cmp(const unsigned long a[3], const unsigned long b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int crash_release_in(const char *range, const char *release)
{
	const char *dots = strstr(range, "..");
	unsigned long v[3], lo[3], hi[3];

	if (!version_parse(release, strlen(release), v))
		return -1;
	if (!dots) {
		int parts = version_parse(range, strlen(range), lo);

		if (!parts || range[strspn(range, "0123456789.")])
			return -1;
		for (int i = 0; i < parts; i++)
			if (v[i] != lo[i])
				return 0;
		return 1;
	}
	if (dots > range && (!version_parse(range, (size_t)(dots - range), lo) ||
			     strspn(range, "0123456789.") < (size_t)(dots - range)))
		return -1;
	if (dots[2] && (!version_parse(dots + 2, strlen(dots + 2), hi) ||
			dots[2 + strspn(dots + 2, "0123456789.")]))
		return -1;
	if (dots > range && version_cmp(v, lo) < 0)
		return 0;
	if (dots[2] && version_cmp(v, hi) >= 0)
		return 0;
	return 1;
}

static int contains(const char *line, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= len; i++)
		if (line[i] == s[0] && memcmp(line + i, s, n) == 0)
			return 1;
	return 0;
}

/* The release of a "<release> #<n>" identification line, if line has one. */
static void find_release(const char *line, size_t len, char *out, size_t outlen)
{
	for (size_t i = 1; i + 2 < len; i++) {
		size_t start = i - 1;

		if (line[i] != ' ' || line[i + 1] != '#' || line[i + 2] < '0' || line[i + 2] > '9')
			continue;
		while (start > 0 && line[start - 1] != ' ')
			start--;
		if (line[start] < '0' || line[start] > '9' || !memchr(line + start, '.', i - start))
			continue;
		snprintf(out, outlen, "%.*s", (int)(i - start), line + start);
		return;
	}
}

/* From the "[  12.345678]" timestamp on, or NULL (a repeat needs one). */
static const char *stamp(const char *line, size_t len, size_t *rest)
{
	for (size_t i = 0; i < len; i++) {
		size_t j = i + 1;

		if (line[i] != '[')
			continue;
		while (j < len && line[j] == ' ')
			j++;
		if (j == len || line[j] < '0' || line[j] > '9')
			continue;
		j += strspn(line + j, "0123456789.");
		if (j < len && line[j] == ']') {
			*rest = len - i;
			while (*rest && line[i + *rest - 1] == ' ')
				(*rest)--;
			return line + i;
		}
	}
	return NULL;
}

void crash_scan_init(struct crash_scan *s, enum crash_log log, crash_report_fn fn, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->log = log;
	s->fn = fn;
	s->arg = arg;
}

static void emit(struct crash_scan *s, enum crash_kind kind, const struct crash_pattern *p,
		 const struct known_report *k, const char *line, size_t len, int repeat)
{
	struct crash_report r = {kind, p, k, line, len, repeat};

	if (s->fn)
		s->fn(&r, s->arg);
}

/* The open report ends: known if a known report's whole signature was in it. */
static void scan_close(struct crash_scan *s)
{
	const struct known_report *k = NULL;
	size_t hl = strlen(s->head);

	for (size_t i = 0; i < known_report_count && i < KNOWN_REPORTS_MAX && !k; i++) {
		unsigned int all = 0;

		if (!contains(s->head, hl, known_reports[i].headline))
			continue;
		for (int j = 0; j < KNOWN_SIG_MAX && known_reports[i].sig[j]; j++)
			all |= 1u << j;
		if ((s->found[i] & all) == all && s->release[0] &&
		    crash_release_in(known_reports[i].kernels, s->release) == 1)
			k = &known_reports[i];
	}
	s->open = 0;
	if (k) {
		size_t rest;
		const char *st = stamp(s->head, hl, &rest);

		if (st && s->nseen < CRASH_SCAN_SEEN) {
			snprintf(s->seen[s->nseen], CRASH_SCAN_LINE, "%.*s", (int)rest, st);
			s->seen_known[s->nseen++] = k;
		}
	}
	emit(s, k ? CRASH_KNOWN : CRASH_UNKNOWN, s->head_pat, k, s->head, hl, 0);
}

/* A line inside the open report: what of the signatures it holds. */
static void scan_body(struct crash_scan *s, const char *line, size_t len)
{
	s->lines++;
	if (!s->release[0])
		find_release(line, len, s->release, sizeof(s->release));
	for (size_t i = 0; i < known_report_count && i < KNOWN_REPORTS_MAX; i++)
		for (int j = 0; j < KNOWN_SIG_MAX && known_reports[i].sig[j]; j++)
			if (!(s->found[i] & (1u << j)) && contains(line, len, known_reports[i].sig[j]))
				s->found[i] |= 1u << j;
}

void crash_scan_line(struct crash_scan *s, const char *line, size_t len)
{
	const struct crash_pattern *p = crash_match(line, len, s->log);
	const char *st;
	size_t rest;

	if (s->open) {
		if (!p || !strcmp(p->text, "Call Trace:")) {
			scan_body(s, line, len);
			if (contains(line, len, "</TASK>") || s->lines >= CRASH_SCAN_MAX_LINES)
				scan_close(s);
			return;
		}
		scan_close(s); /* another report starts: this one ends here */
	}
	if (!p)
		return;
	/* The headline of a known report already seen, quoted again. */
	st = stamp(line, len, &rest);
	for (unsigned int i = 0; st && i < s->nseen; i++)
		if (strlen(s->seen[i]) == rest && !memcmp(s->seen[i], st, rest)) {
			emit(s, CRASH_KNOWN, p, s->seen_known[i], line, len, 1);
			return;
		}
	for (size_t i = 0; i < known_report_count; i++)
		if (contains(line, len, known_reports[i].headline)) {
			s->open = 1;
			s->head_pat = p;
			snprintf(s->head, sizeof(s->head), "%.*s", (int)len, line);
			s->lines = 0;
			memset(s->found, 0, sizeof(s->found));
			s->release[0] = '\0';
			scan_body(s, line, len);
			return;
		}
	emit(s, CRASH_UNKNOWN, p, NULL, line, len, 0);
}

void crash_scan_end(struct crash_scan *s)
{
	if (s->open)
		scan_close(s);
}

void crash_verdict_init(struct crash_verdict *v)
{
	memset(v, 0, sizeof(*v));
}

void crash_verdict_add(const struct crash_report *r, void *arg)
{
	struct crash_verdict *v = arg;

	if (r->kind == CRASH_KNOWN) {
		if (!v->known++)
			v->first_known = r->known;
		return;
	}
	if (!v->unknown++) {
		v->pattern = r->pattern;
		snprintf(v->line, sizeof(v->line), "%.*s", (int)r->len, r->line);
	}
}

int crash_judge(const char *text, enum crash_log log, struct crash_verdict *v)
{
	struct crash_scan s;

	crash_verdict_init(v);
	crash_scan_init(&s, log, crash_verdict_add, v);
	while (*text) {
		size_t l = strcspn(text, "\n");

		crash_scan_line(&s, text, l);
		text += l + (text[l] == '\n');
	}
	crash_scan_end(&s);
	return v->unknown ? CRASH_UNKNOWN : v->known ? CRASH_KNOWN : 0;
}
