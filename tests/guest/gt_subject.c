// SPDX-License-Identifier: GPL-2.0
/* Subjects: the module's modes and the kernel's gntdev (see gt_subject.h). */
#include "gt_subject.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

const char *const gt_subject_name[GT_SUBJ_COUNT] = {
	[GNTLAB_MODE_SPECIAL] = "special",
	[GNTLAB_MODE_NOHOOK] = "nohook",
	[GNTLAB_MODE_PFNMAP] = "pfnmap",
	[GT_SUBJ_GNTDEV] = "gntdev",
};

const char *gt_subject_unavailable(uint32_t subj)
{
	if (gt_subject_is_gntdev(subj) && !gd_available())
		return GD_DEVICE " is missing (xen-gntdev not loaded, or no devtmpfs)";
	return NULL;
}

int gt_smap_map(int gtfd, uint32_t subj, const struct dom0_share *s, bool readonly,
		struct gt_smap *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->subj = subj;
	m->gdfd = -1;
	if (!gt_subject_is_gntdev(subj)) {
		rc = gt_map(gtfd, s, subj, readonly, &m->gt);
		m->addr = m->gt.addr;
		m->len = m->gt.len;
		return rc;
	}
	m->gdfd = gd_open();
	if (m->gdfd < 0)
		return errno;
	rc = gd_map_refs(m->gdfd, s->domid, s->ref, s->count, readonly, &m->gd);
	if (rc) {
		close(m->gdfd);
		m->gdfd = -1;
		return rc;
	}
	m->addr = m->gd.addr;
	m->len = m->gd.len;
	return 0;
}

int gt_smap_unmap(struct gt_smap *m)
{
	int rc = 0;

	if (!gt_subject_is_gntdev(m->subj)) {
		if (m->gt.addr || m->gt.reserved)
			rc = gt_unmap(&m->gt);
	} else if (m->gdfd >= 0) {
		rc = gd_unmap(&m->gd);
		close(m->gdfd);
		m->gdfd = -1;
	}
	m->addr = NULL;
	return rc;
}

int gt_smap_introspect(int gtfd, const struct gt_smap *m, const void *addr,
		       struct gntlab_introspect *in)
{
	if (!gt_subject_is_gntdev(m->subj))
		return gt_introspect(gtfd, addr, in);
#ifdef GNTLAB_IOC_INTROSPECT_ANY
	memset(in, 0, sizeof(*in));
	in->version = GNTLAB_INTROSPECT_VERSION;
	in->size = sizeof(*in);
	in->addr = (uint64_t)(uintptr_t)addr;
	return gt_ioctl(gtfd, GNTLAB_IOC_INTROSPECT_ANY, in);
#else
	(void)in;
	return EOPNOTSUPP;
#endif
}

int gt_smap_gup(int gtfd, const struct gt_smap *m, const void *addr, uint32_t kind, bool write,
		struct gntlab_gup_probe *p)
{
#ifdef GNTLAB_IOC_GUP_PROBE_ANY
	if (gt_subject_is_gntdev(m->subj)) {
		memset(p, 0, sizeof(*p));
		p->addr = (uint64_t)(uintptr_t)addr;
		p->kind = kind;
		p->write = write;
		return gt_ioctl(gtfd, GNTLAB_IOC_GUP_PROBE_ANY, p);
	}
#else
	(void)m;
#endif
	return gt_gup(gtfd, addr, kind, write, p);
}
