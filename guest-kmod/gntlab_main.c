// SPDX-License-Identifier: GPL-2.0
/*
 * gntlab: map Xen grants into user space from a 64-bit PV guest, the way
 * drivers/xen/gntdev.c does, with switches and probes for testing that
 * contract (see docs/module.md). ABI: gntlab.h.
 *
 * Objects and references
 *   struct gntlab_file (one per open fd) lists the reserved maps of the fd
 *   by mmap offset. struct gntlab_grant_map.users counts one reference for
 *   being listed (dropped by GNTLAB_IOC_UNMAP or close(fd)) and one per VMA
 *   (mmap, vm_ops->open, dropped by vm_ops->close). A VMA holds the file, so
 *   the fd is released only after the last VMA is gone. When users drops to
 *   zero, kernel halves still waiting for page references are finished by
 *   the map's unmap_work, which frees the map. Every map holds a module
 *   reference until it is freed, so rmmod is refused while any map (or its
 *   deferred unmap) exists; file_operations.owner does the same for fds.
 *
 * Locks, in the order they nest
 *   mmap lock of the mm (taken by the core for mmap, munmap, the notifier;
 *       by us for introspection and GUP probes)
 *   gntlab_file.lock (mutex): the fd's list of maps and the offset space.
 *       Held only to look up, insert or remove a list entry; never held
 *       while taking a map's lock.
 *   gntlab_grant_map.lock (mutex): the map's mapping state (grant handles,
 *       per-page state, VMA count, notify settings). Held by mmap while it
 *       maps, by the notifier while it unmaps, by vm_ops->close, by
 *       unmap_work, by introspection. Never held across
 *       mmu_interval_notifier_remove(), which waits for the notifier.
 *   PTE locks (spinlocks): taken inside map->lock by apply_to_page_range()
 *       walks.
 *   find_special_page() runs under a PTE lock and takes no lock: it reads
 *   the grant handle with READ_ONCE(); the notifier invalidates the handle
 *   before unmapping and then passes through every PTE lock of the range
 *   (see gntlab_unmap_va_range()).
 *   Counters are atomics.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <xen/events.h>
#include <xen/features.h>
#include <xen/xen.h>

#include "gntlab_priv.h"
#include "gntlab_compat.h"

/* Hard ceiling for max_grants: 4 Mi pages (16 GiB) in one map. */
#define GNTLAB_MAX_GRANTS_LIMIT	(1u << 22)
/* mmap offsets stay below 2^32 pages (fits 32-bit mmap2). */
#define GNTLAB_PGOFF_LIMIT	(1ul << 32)

static unsigned int max_grants = 65536;
module_param(max_grants, uint, 0444);
MODULE_PARM_DESC(max_grants, "Maximum number of grants in one map (default 65536)");

unsigned int gntlab_max_total_grants = 1u << 20;
module_param_named(max_total_grants, gntlab_max_total_grants, uint, 0444);
MODULE_PARM_DESC(max_total_grants,
		 "Maximum number of pages held by all maps together (default 1048576)");

struct gntlab_counters gntlab_stats;
struct workqueue_struct *gntlab_wq;
static struct dentry *gntlab_debugfs;

/* ------------------------------------------------------------------ */
/* Offset space of an fd */

/* Find the map at exactly [pgoff, pgoff + count) and take a reference. */
struct gntlab_grant_map *gntlab_find_map_get(struct gntlab_file *priv,
					     unsigned long pgoff,
					     unsigned int count)
{
	struct gntlab_grant_map *map, *found = NULL;

	mutex_lock(&priv->lock);
	list_for_each_entry(map, &priv->maps, node) {
		if (map->pgoff == pgoff && map->count == count) {
			refcount_inc(&map->users);
			found = map;
			break;
		}
	}
	mutex_unlock(&priv->lock);
	return found;
}

/* Find the map whose offsets contain pgoff and take a reference. */
static struct gntlab_grant_map *
gntlab_find_map_containing(struct gntlab_file *priv, u64 pgoff)
{
	struct gntlab_grant_map *map, *found = NULL;

	mutex_lock(&priv->lock);
	list_for_each_entry(map, &priv->maps, node) {
		if (pgoff >= map->pgoff && pgoff - map->pgoff < map->count) {
			refcount_inc(&map->users);
			found = map;
			break;
		}
	}
	mutex_unlock(&priv->lock);
	return found;
}

/* Give the map the first free offset range (first fit) and list it. */
static int gntlab_insert_map(struct gntlab_file *priv,
			     struct gntlab_grant_map *add)
{
	struct gntlab_grant_map *map;
	unsigned long pgoff = 0;
	int err = 0;

	mutex_lock(&priv->lock);
	list_for_each_entry(map, &priv->maps, node) {
		if (pgoff + add->count <= map->pgoff)
			break;
		pgoff = map->pgoff + map->count;
	}
	if (pgoff + add->count > GNTLAB_PGOFF_LIMIT) {
		err = -ENOSPC;
	} else {
		add->pgoff = pgoff;
		/* Before map, or at the tail if the loop ran through. */
		list_add_tail(&add->node, &map->node);
	}
	mutex_unlock(&priv->lock);
	return err;
}

/* Unlist the map; false if someone else unlisted it first. */
static bool gntlab_remove_map(struct gntlab_file *priv,
			      struct gntlab_grant_map *map)
{
	bool listed;

	mutex_lock(&priv->lock);
	listed = !list_empty(&map->node);
	list_del_init(&map->node);
	mutex_unlock(&priv->lock);
	return listed;
}

/* ------------------------------------------------------------------ */
/* ioctls */

static long gntlab_ioctl_map(struct gntlab_file *priv,
			     struct gntlab_map __user *uarg)
{
	struct gntlab_map op;
	struct gntlab_grant_map *map;
	size_t size;
	unsigned int i;
	int err;

	if (copy_from_user(&op, uarg, sizeof(op)))
		return -EFAULT;
	if (op.pad || (op.flags & ~GNTLAB_MAP_FLAGS_ALL) ||
	    op.mode >= GNTLAB_MODE_COUNT ||
	    op.count == 0 || op.count > max_grants)
		return -EINVAL;
	/* e.g. `special` on a kernel without a page hook (gntlab_compat.h) */
	if (!gntlab_mode_supported(op.mode))
		return -EOPNOTSUPP;
	size = array_size(op.count, sizeof(struct gntlab_grant_ref));
	if (size == SIZE_MAX)
		return -EINVAL;

	map = gntlab_map_alloc(op.count, op.mode,
			       op.flags & GNTLAB_MAP_READONLY);
	if (IS_ERR(map))
		return PTR_ERR(map);

	if (copy_from_user(map->grants, u64_to_user_ptr(op.refs), size)) {
		err = -EFAULT;
		goto err_put;
	}
	for (i = 0; i < op.count; i++) {
		/* domid_t is 16 bits: do not let a wider value wrap. */
		if (map->grants[i].domid > U16_MAX) {
			err = -EINVAL;
			goto err_put;
		}
	}

	/*
	 * Once listed, the map is findable: another thread may UNMAP it (its
	 * offset is easy to guess) and drop the index reference at once, on
	 * another CPU. So take our own reference *before* listing it, and
	 * hold it until we are done here. (Taking it after the insert left a
	 * window in which the map could be freed first: refcount_t's
	 * "addition on 0; use-after-free" WARN with two vCPUs.)
	 */
	refcount_inc(&map->users);
	err = gntlab_insert_map(priv, map);
	if (err) {
		gntlab_map_put(map);
		goto err_put;
	}
	op.index = (u64)map->pgoff << PAGE_SHIFT;
	if (copy_to_user(&uarg->index, &op.index, sizeof(op.index))) {
		/* Drop the index reference unless that UNMAP already did. */
		if (gntlab_remove_map(priv, map))
			gntlab_map_put(map);
		err = -EFAULT;
	}
	gntlab_map_put(map);
	return err;

err_put:
	gntlab_map_put(map);
	return err;
}

static long gntlab_ioctl_unmap(struct gntlab_file *priv,
			       struct gntlab_unmap __user *uarg)
{
	struct gntlab_unmap op;
	struct gntlab_grant_map *map;

	if (copy_from_user(&op, uarg, sizeof(op)))
		return -EFAULT;
	if (op.pad || offset_in_page(op.index) || op.count == 0)
		return -EINVAL;

	map = gntlab_find_map_get(priv, op.index >> PAGE_SHIFT, op.count);
	if (!map)
		return -ENOENT;
	mutex_lock(&priv->lock);
	if (list_empty(&map->node)) {
		/* Another thread unmapped it meanwhile. */
		mutex_unlock(&priv->lock);
		gntlab_map_put(map);
		return -ENOENT;
	}
	list_del_init(&map->node);
	mutex_unlock(&priv->lock);

	/* Our lookup reference, then the index reference. A mapped VMA
	 * keeps the map until it goes away.
	 */
	gntlab_map_put(map);
	gntlab_map_put(map);
	return 0;
}

static long gntlab_ioctl_set_unmap_notify(struct gntlab_file *priv,
					  struct gntlab_unmap_notify __user *uarg)
{
	struct gntlab_unmap_notify op;
	struct gntlab_grant_map *map;
	u32 old_action = 0, old_port = 0;
	int err = 0;

	if (copy_from_user(&op, uarg, sizeof(op)))
		return -EFAULT;
	if (op.action & ~(GNTLAB_NOTIFY_CLEAR_BYTE | GNTLAB_NOTIFY_SEND_EVENT))
		return -EINVAL;

	map = gntlab_find_map_containing(priv, op.index >> PAGE_SHIFT);
	if (!map)
		return -ENOENT;

	/* Hold the port while the map may signal it (as gntdev does). */
	if (op.action & GNTLAB_NOTIFY_SEND_EVENT) {
		err = evtchn_get(op.event_channel_port);
		if (err)
			goto out_put;
	}

	mutex_lock(&map->lock);
	/* The byte is cleared through the kernel alias: it must be writable. */
	if ((op.action & GNTLAB_NOTIFY_CLEAR_BYTE) &&
	    (map->readonly || (map->mmap_claimed && map->kalias_ro))) {
		mutex_unlock(&map->lock);
		if (op.action & GNTLAB_NOTIFY_SEND_EVENT)
			evtchn_put(op.event_channel_port);
		err = -EINVAL;
		goto out_put;
	}
	old_action = map->notify_action;
	old_port = map->notify_port;
	map->notify_action = op.action;
	map->notify_port = op.event_channel_port;
	map->notify_offset = op.index - ((u64)map->pgoff << PAGE_SHIFT);
	mutex_unlock(&map->lock);

	if (old_action & GNTLAB_NOTIFY_SEND_EVENT)
		evtchn_put(old_port);
out_put:
	gntlab_map_put(map);
	return err;
}

static void gntlab_read_stats(struct gntlab_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->live_maps = atomic64_read(&gntlab_stats.live_maps);
	st->live_grants_user = atomic64_read(&gntlab_stats.live_grants_user);
	st->live_grants_kernel = atomic64_read(&gntlab_stats.live_grants_kernel);
	st->pages_held = atomic64_read(&gntlab_stats.pages_held);
	st->deferred_unmaps = atomic64_read(&gntlab_stats.deferred_unmaps);
	st->map_errors = atomic64_read(&gntlab_stats.map_errors);
	st->unmap_errors = atomic64_read(&gntlab_stats.unmap_errors);
}

static long gntlab_ioctl_stats(void __user *uarg)
{
	struct gntlab_stats st;

	gntlab_read_stats(&st);
	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static long gntlab_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	struct gntlab_file *priv = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case GNTLAB_IOC_MAP:
		return gntlab_ioctl_map(priv, uarg);
	case GNTLAB_IOC_UNMAP:
		return gntlab_ioctl_unmap(priv, uarg);
	case GNTLAB_IOC_SET_UNMAP_NOTIFY:
		return gntlab_ioctl_set_unmap_notify(priv, uarg);
	case GNTLAB_IOC_STATS:
		return gntlab_ioctl_stats(uarg);
	case GNTLAB_IOC_INTROSPECT:
		return gntlab_ioctl_introspect(filp, uarg);
	case GNTLAB_IOC_GUP_PROBE:
		return gntlab_ioctl_gup_probe(filp, uarg);
	case GNTLAB_IOC_INTROSPECT_ANY:
		return gntlab_ioctl_introspect_any(filp, uarg);
	case GNTLAB_IOC_GUP_PROBE_ANY:
		return gntlab_ioctl_gup_probe_any(filp, uarg);
	default:
		return -ENOTTY;
	}
}

/* ------------------------------------------------------------------ */
/* File operations */

/* Fault injection point (gntlab_priv.h): the fd's state. */
static GNTLAB_FI_POINT struct gntlab_file *gntlab_alloc_file(void)
{
	if (gntlab_should_fail(GNTLAB_FI_ALLOC_FILE))
		return NULL;
	return kzalloc(sizeof(struct gntlab_file), GFP_KERNEL);
}
ALLOW_ERROR_INJECTION(gntlab_alloc_file, NULL);

static int gntlab_open(struct inode *inode, struct file *filp)
{
	struct gntlab_file *priv;

	priv = gntlab_alloc_file();
	if (!priv)
		return -ENOMEM;
	mutex_init(&priv->lock);
	INIT_LIST_HEAD(&priv->maps);
	filp->private_data = priv;
	return nonseekable_open(inode, filp);
}

/* Last reference to the file: no VMA uses any of its maps any more. */
static int gntlab_release(struct inode *inode, struct file *filp)
{
	struct gntlab_file *priv = filp->private_data;
	struct gntlab_grant_map *map, *tmp;
	LIST_HEAD(maps);

	mutex_lock(&priv->lock);
	list_splice_init(&priv->maps, &maps);
	mutex_unlock(&priv->lock);

	list_for_each_entry_safe(map, tmp, &maps, node) {
		list_del_init(&map->node);
		gntlab_map_put(map);
	}
	mutex_destroy(&priv->lock);
	kfree(priv);
	return 0;
}

static const struct file_operations gntlab_fops = {
	.owner = THIS_MODULE,
	.open = gntlab_open,
	.release = gntlab_release,
	.unlocked_ioctl = gntlab_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = gntlab_mmap,
#if HAVE_NO_LLSEEK
	.llseek = no_llseek,	/* since 6.12 the default without .llseek */
#endif
};

static struct miscdevice gntlab_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gntlab",
	.fops = &gntlab_fops,
	.mode = 0600,
};

/* ------------------------------------------------------------------ */
/* debugfs: /sys/kernel/debug/gntlab/stats, one "name value" per line */

static int gntlab_stats_show(struct seq_file *m, void *unused)
{
	struct gntlab_stats st;

	gntlab_read_stats(&st);
	seq_printf(m, "live_maps %llu\n", st.live_maps);
	seq_printf(m, "live_grants_user %llu\n", st.live_grants_user);
	seq_printf(m, "live_grants_kernel %llu\n", st.live_grants_kernel);
	seq_printf(m, "pages_held %llu\n", st.pages_held);
	seq_printf(m, "deferred_unmaps %llu\n", st.deferred_unmaps);
	seq_printf(m, "map_errors %llu\n", st.map_errors);
	seq_printf(m, "unmap_errors %llu\n", st.unmap_errors);
	seq_printf(m, "cached_pages %u\n", gntlab_cached_pages());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gntlab_stats);

/* ------------------------------------------------------------------ */
/* Fault injection: /sys/kernel/debug/gntlab/fail/ (gntlab_priv.h) */

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static DECLARE_FAULT_ATTR(gntlab_fail_attr);
/* The one point that may fail; GNTLAB_FI_COUNT: none. */
static u32 gntlab_fail_point = GNTLAB_FI_COUNT;

/* The function each point is, for `points` and for people to read. */
static const char *const gntlab_fi_names[GNTLAB_FI_COUNT] = {
	[GNTLAB_FI_ALLOC_FILE] = "gntlab_alloc_file",
	[GNTLAB_FI_MAP_SINGLE] = "gntlab_map_alloc_single",
	[GNTLAB_FI_MAP_STRUCT] = "gntlab_alloc_map_struct",
	[GNTLAB_FI_ARRAY] = "gntlab_alloc_array",
	[GNTLAB_FI_POOL_PAGES] = "gntlab_alloc_pool_pages",
	[GNTLAB_FI_NOTIFIER] = "gntlab_notifier_insert",
	[GNTLAB_FI_PTE] = "gntlab_find_pte_cb",
	[GNTLAB_FI_MAP_REFS] = "gntlab_map_refs",
};

bool gntlab_should_fail(enum gntlab_fi point)
{
	return READ_ONCE(gntlab_fail_point) == point &&
	       should_fail(&gntlab_fail_attr, 1);
}

static int gntlab_fail_points_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < GNTLAB_FI_COUNT; i++)
		seq_printf(m, "%u %s\n", i, gntlab_fi_names[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gntlab_fail_points);

static void gntlab_fail_debugfs(void)
{
	struct dentry *dir = fault_create_debugfs_attr("fail", gntlab_debugfs,
						       &gntlab_fail_attr);

	if (IS_ERR(dir))
		return;
	debugfs_create_u32("point", 0600, dir, &gntlab_fail_point);
	debugfs_create_file("points", 0444, dir, NULL, &gntlab_fail_points_fops);
}
#else
static void gntlab_fail_debugfs(void)
{
}
#endif

/* ------------------------------------------------------------------ */

static int __init gntlab_init(void)
{
	int err;

	/* Only the PV path (Xen writes the user PTEs) is implemented. */
	if (!xen_pv_domain())
		return -ENODEV;
	if (!xen_feature(XENFEAT_gnttab_map_avail_bits)) {
		pr_err("Xen lacks XENFEAT_gnttab_map_avail_bits: grant PTEs could not be special\n");
		return -ENODEV;
	}
	if (max_grants == 0 || max_grants > GNTLAB_MAX_GRANTS_LIMIT) {
		pr_err("max_grants must be 1..%u\n", GNTLAB_MAX_GRANTS_LIMIT);
		return -EINVAL;
	}
	if (gntlab_max_total_grants == 0) {
		pr_err("max_total_grants must be at least 1\n");
		return -EINVAL;
	}

	if (gntlab_cache_init())
		return -ENOMEM;
	gntlab_wq = alloc_workqueue("gntlab_unmap", GNTLAB_WQ_PERCPU, 0);
	if (!gntlab_wq) {
		gntlab_cache_exit();
		return -ENOMEM;
	}

	gntlab_debugfs = debugfs_create_dir("gntlab", NULL);
	debugfs_create_file("stats", 0444, gntlab_debugfs, NULL,
			    &gntlab_stats_fops);
	gntlab_fail_debugfs();

	err = misc_register(&gntlab_misc);
	if (err) {
		debugfs_remove_recursive(gntlab_debugfs);
		destroy_workqueue(gntlab_wq);
		gntlab_cache_exit();
		return err;
	}
	pr_info("ready: max_grants %u max_total_grants %u\n",
		max_grants, gntlab_max_total_grants);
	return 0;
}

static void __exit gntlab_exit(void)
{
	misc_deregister(&gntlab_misc);
	debugfs_remove_recursive(gntlab_debugfs);
	/*
	 * No map is left (each holds a module reference), but the work item
	 * that freed the last one may still be returning: drain it.
	 */
	destroy_workqueue(gntlab_wq);
	gntlab_cache_exit();
}

module_init(gntlab_init);
module_exit(gntlab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xen grant-mapping test module (PV guest, gntdev-like)");
