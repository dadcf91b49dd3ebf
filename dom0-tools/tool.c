// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab-tool: the dom0 building blocks as commands, for people and for the
 * conductor's own bad-input tests.
 *
 *   gntlab-tool share  --domid D --pages N [--ro] [--seed S] [--hold SEC]
 *   gntlab-tool map    --domid D --refs R[,R...] [--seed S] [--ro]
 *   gntlab-tool grants [--domid D]
 *   gntlab-tool wait   --path P [--timeout SEC]
 *   gntlab-tool guest  --uri URI --name NAME (list|destroy)
 *
 * Exit status: 0 ok, 1 a check failed, 2 usage or environment error. Every
 * error names the library call that failed and its errno.
 */
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <xenctrl.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "gntlab_proto.h"
#include "xen_grants.h"
#include "xs_wait.h"

#define EXIT_CHECK 1
#define EXIT_USAGE 2

static const char *prog = "gntlab-tool";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s COMMAND [options]\n"
		"  share  --domid D --pages N [--ro] [--seed S] [--hold SEC]\n"
		"         grant N pages filled with pattern(S) to domain D (gntalloc),\n"
		"         print the refs, keep them SEC seconds (default 0), revoke\n"
		"  map    --domid D --refs R[,R...] [--seed S] [--ro]\n"
		"         map domain D's grants in dom0 (gntdev); with --seed, check\n"
		"         that the pages hold pattern(S)\n"
		"  grants [--domid D]\n"
		"         Xen's view: grants of dom0 currently mapped (by D)\n"
		"  wait   --path P [--timeout SEC]\n"
		"         wait (xenstore watch) until P exists; print its value\n"
		"  guest  --uri URI --name NAME list|destroy\n"
		"         libvirt: show or destroy a guest\n"
		"exit: 0 ok, 1 check failed, 2 usage or environment error\n",
		prog);
}

static int fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return s[0] >= '0' && s[0] <= '9' && !errno && !*end && *out <= max;
}

struct args {
	long domid;
	unsigned long pages, seed, hold, timeout;
	bool ro, have_seed;
	const char *refs, *path, *uri, *name;
};

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ "pages", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "hold", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "refs", required_argument, NULL, 'r' },
		{ "path", required_argument, NULL, 'p' },
		{ "uri", required_argument, NULL, 'u' },
		{ "name", required_argument, NULL, 'N' },
		{ "ro", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long v;
	int c;

	*a = (struct args){ .domid = -1, .timeout = 10 };
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!parse_uint(optarg, 0x7fef, &v))
				return fail_usage("bad --domid '%s' (0..32751)", optarg);
			a->domid = (long)v;
			break;
		case 'n':
			if (!parse_uint(optarg, GNTLAB_PROTO_MAX_REFS, &a->pages) || !a->pages)
				return fail_usage("bad --pages '%s' (1..4096)", optarg);
			break;
		case 's':
			if (!parse_uint(optarg, UINT32_MAX, &a->seed))
				return fail_usage("bad --seed '%s'", optarg);
			a->have_seed = true;
			break;
		case 'H':
			if (!parse_uint(optarg, 86400, &a->hold))
				return fail_usage("bad --hold '%s' (0..86400)", optarg);
			break;
		case 't':
			if (!parse_uint(optarg, 3600, &a->timeout) || !a->timeout)
				return fail_usage("bad --timeout '%s' (1..3600)", optarg);
			break;
		case 'r': a->refs = optarg; break;
		case 'p': a->path = optarg; break;
		case 'u': a->uri = optarg; break;
		case 'N': a->name = optarg; break;
		case 'o': a->ro = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	return 0;
}

/* The domain must exist: a grant to a domid nobody holds is a typo. */
static int check_domain(long domid)
{
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	xc_domaininfo_t info;
	int rc;

	if (!xc) {
		fprintf(stderr, "%s: xc_interface_open: %s\n", prog, strerror(errno));
		return EXIT_USAGE;
	}
	rc = xc_domain_getinfolist(xc, (uint32_t)domid, 1, &info);
	xc_interface_close(xc);
	if (rc != 1 || info.domain != (domid_t)domid) {
		fprintf(stderr, "%s: no domain %ld (xc_domain_getinfolist)\n", prog, domid);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_share(struct args *a)
{
	xengntshr_handle *gs;
	uint32_t *refs;
	uint8_t *p;
	int rc;

	if (a->domid < 0 || !a->pages)
		return fail_usage("share needs --domid and --pages%s", "");
	rc = check_domain(a->domid);
	if (rc)
		return rc;
	gs = xengntshr_open(NULL, 0);
	if (!gs) {
		fprintf(stderr, "%s: xengntshr_open: %s\n", prog, strerror(errno));
		return EXIT_USAGE;
	}
	refs = calloc(a->pages, sizeof(*refs));
	p = refs ? xengntshr_share_pages(gs, (uint32_t)a->domid, (int)a->pages,
					 refs, !a->ro) : NULL;
	if (!p) {
		fprintf(stderr, "%s: xengntshr_share_pages(d%ld, %lu): %s\n", prog,
			a->domid, a->pages, strerror(errno));
		free(refs);
		xengntshr_close(gs);
		return EXIT_USAGE;
	}
	for (unsigned long i = 0; i < a->pages; i++)
		gntlab_pattern_fill(p + i * GNTLAB_PAGE_SIZE, (uint32_t)a->seed,
				    (uint32_t)i, 0, GNTLAB_PAGE_SIZE);
	printf("0");
	for (unsigned long i = 0; i < a->pages; i++)
		printf(" %u", refs[i]);
	printf("\n");
	fflush(stdout);
	if (a->hold)
		sleep((unsigned int)a->hold);
	rc = xengntshr_unshare(gs, p, a->pages);
	if (rc)
		fprintf(stderr, "%s: xengntshr_unshare: %s\n", prog, strerror(errno));
	free(refs);
	xengntshr_close(gs);
	return rc ? EXIT_CHECK : 0;
}

static int cmd_map(struct args *a)
{
	uint32_t refs[GNTLAB_PROTO_MAX_REFS];
	unsigned int n = 0;
	xengnttab_handle *gt;
	const char *s = a->refs;
	uint8_t *p;
	int rc = 0;

	if (a->domid < 0 || !a->refs)
		return fail_usage("map needs --domid and --refs%s", "");
	while (*s) {
		unsigned long v;
		char num[16];
		size_t len = strcspn(s, ",");

		if (len == 0 || len >= sizeof(num) || n == GNTLAB_PROTO_MAX_REFS)
			return fail_usage("bad --refs '%s'", a->refs);
		memcpy(num, s, len);
		num[len] = '\0';
		if (!parse_uint(num, UINT32_MAX, &v))
			return fail_usage("bad ref in --refs '%s'", a->refs);
		refs[n++] = (uint32_t)v;
		s += len + (s[len] == ',');
	}
	rc = check_domain(a->domid);
	if (rc)
		return rc;
	gt = xengnttab_open(NULL, 0);
	if (!gt) {
		fprintf(stderr, "%s: xengnttab_open: %s\n", prog, strerror(errno));
		return EXIT_USAGE;
	}
	p = xengnttab_map_domain_grant_refs(gt, n, (uint32_t)a->domid, refs,
					    a->ro ? PROT_READ : PROT_READ | PROT_WRITE);
	if (!p) {
		fprintf(stderr, "%s: xengnttab_map_domain_grant_refs(d%ld, %u refs): %s\n",
			prog, a->domid, n, strerror(errno));
		xengnttab_close(gt);
		return EXIT_USAGE;
	}
	if (a->have_seed)
		for (unsigned int i = 0; i < n; i++) {
			long bad = gntlab_pattern_check(p + (size_t)i * GNTLAB_PAGE_SIZE,
							(uint32_t)a->seed, i, 0,
							GNTLAB_PAGE_SIZE);
			if (bad >= 0) {
				fprintf(stderr, "%s: page %u (ref %u) differs at offset %ld\n",
					prog, i, refs[i], bad);
				rc = EXIT_CHECK;
				break;
			}
		}
	if (!rc)
		printf("mapped %u grants of d%ld%s\n", n, a->domid,
		       a->have_seed ? ", pattern intact" : "");
	if (xengnttab_unmap(gt, p, n)) {
		fprintf(stderr, "%s: xengnttab_unmap: %s\n", prog, strerror(errno));
		rc = EXIT_CHECK;
	}
	xengnttab_close(gt);
	return rc;
}

static int cmd_grants(struct args *a)
{
	static struct xen_grant_dump d;
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	char err[256];
	size_t shown = 0;

	if (!xc) {
		fprintf(stderr, "%s: xc_interface_open: %s\n", prog, strerror(errno));
		return EXIT_USAGE;
	}
	if (xen_grant_snapshot(xc, &d, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		xc_interface_close(xc);
		return EXIT_USAGE;
	}
	xc_interface_close(xc);
	printf("granter ref mapper mfn pin flags\n");
	for (size_t i = 0; i < d.count; i++) {
		const struct xen_active_grant *e = &d.entry[i];

		if (a->domid >= 0 && e->mapper != (uint32_t)a->domid)
			continue;
		printf("d%u %u d%u %#llx %#x %#x\n", e->granter, e->ref, e->mapper,
		       (unsigned long long)e->mfn, e->pin, e->flags);
		shown++;
	}
	printf("%zu active grant mappings\n", shown);
	return 0;
}

static int cmd_wait(struct args *a)
{
	struct xs_handle *xs;
	char *v;

	if (!a->path)
		return fail_usage("wait needs --path%s", "");
	xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "%s: xs_open: %s\n", prog, strerror(errno));
		return EXIT_USAGE;
	}
	v = xs_wait_for(xs, a->path, (int)a->timeout * 1000, NULL, NULL);
	if (!v) {
		fprintf(stderr, "%s: xenstore path %s did not appear within %lu s (%s)\n",
			prog, a->path, a->timeout, strerror(errno));
		xs_close(xs);
		return EXIT_USAGE;
	}
	printf("%s\n", v);
	free(v);
	xs_close(xs);
	return 0;
}

/*
 * libvirt, loaded by `guest` alone (dlopen): linked in, it and the ~50
 * libraries it needs were loaded by every start of gntlab-tool, which cost
 * ~0.5 s of CPU per run in a PV dom0 under TCG, for the commands that never
 * use it too (issue #14: the conductor's bad-input tests run it 11 times).
 */
static struct {
	virConnectPtr (*open)(const char *uri);
	int (*close)(virConnectPtr conn);
	virDomainPtr (*lookup)(virConnectPtr conn, const char *name);
	unsigned int (*get_id)(virDomainPtr dom);
	int (*is_active)(virDomainPtr dom);
	int (*destroy)(virDomainPtr dom);
	int (*free)(virDomainPtr dom);
	const char *(*last_error)(void);
	void (*set_error_func)(void *ud, virErrorFunc f);
} virt;

static bool virt_load(void)
{
	static const struct { const char *sym; size_t off; } syms[] = {
#define SYM(f, s) { s, offsetof(__typeof__(virt), f) }
		SYM(open, "virConnectOpen"), SYM(close, "virConnectClose"),
		SYM(lookup, "virDomainLookupByName"), SYM(get_id, "virDomainGetID"),
		SYM(is_active, "virDomainIsActive"), SYM(destroy, "virDomainDestroy"),
		SYM(free, "virDomainFree"), SYM(last_error, "virGetLastErrorMessage"),
		SYM(set_error_func, "virSetErrorFunc"),
#undef SYM
	};
	void *h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "%s: cannot load libvirt: %s\n", prog, dlerror());
		return false;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(h, syms[i].sym);

		if (!f) {
			fprintf(stderr, "%s: libvirt.so.0 has no %s\n", prog, syms[i].sym);
			return false;
		}
		memcpy((char *)&virt + syms[i].off, &f, sizeof(f));
	}
	return true;
}

/* libvirt prints every error to stderr by default; we report our own. */
static void virt_quiet(void *ud, virErrorPtr e)
{
	(void)ud;
	(void)e;
}

/* Connect, retrying while libvirtd starts (as guest.c's guest_connect). */
static virConnectPtr virt_connect(const char *uri, int timeout_s)
{
	long long deadline = xs_now_ms() + timeout_s * 1000LL;

	virt.set_error_func(NULL, virt_quiet);
	for (;;) {
		virConnectPtr c = virt.open(uri);

		if (c || xs_now_ms() > deadline)
			return c;
		usleep(200 * 1000);
	}
}

static int cmd_guest(struct args *a, const char *action)
{
	virConnectPtr conn;
	virDomainPtr dom;
	int rc = 0;

	if (!a->uri || !a->name || !action ||
	    (strcmp(action, "list") && strcmp(action, "destroy")))
		return fail_usage("guest needs --uri, --name and list|destroy%s", "");
	if (!virt_load())
		return EXIT_USAGE;
	conn = virt_connect(a->uri, 2);
	if (!conn) {
		fprintf(stderr, "%s: cannot connect to %s: %s (is libvirtd running?)\n",
			prog, a->uri, virt.last_error());
		return EXIT_USAGE;
	}
	dom = virt.lookup(conn, a->name);
	if (!dom) {
		fprintf(stderr, "%s: no guest '%s' at %s\n", prog, a->name, a->uri);
		virt.close(conn);
		return EXIT_USAGE;
	}
	if (!strcmp(action, "list"))
		printf("%s id %d %s\n", a->name, (int)virt.get_id(dom),
		       virt.is_active(dom) > 0 ? "running" : "inactive");
	else if (virt.destroy(dom) < 0) {
		fprintf(stderr, "%s: virDomainDestroy(%s): %s\n", prog, a->name, virt.last_error());
		rc = EXIT_CHECK;
	}
	virt.free(dom);
	virt.close(conn);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd;
	struct args a;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	cmd = argv[1];
	rc = parse(argc - 1, argv + 1, &a);
	if (rc)
		return rc;
	if (!strcmp(cmd, "share"))
		return optind + 1 == argc ? cmd_share(&a) : fail_usage("unexpected '%s'", argv[optind + 1]);
	if (!strcmp(cmd, "map"))
		return cmd_map(&a);
	if (!strcmp(cmd, "grants"))
		return cmd_grants(&a);
	if (!strcmp(cmd, "wait"))
		return cmd_wait(&a);
	if (!strcmp(cmd, "guest"))
		return cmd_guest(&a, optind + 1 < argc ? argv[optind + 1] : NULL);
	return fail_usage("unknown command '%s' (try --help)", cmd);
}
