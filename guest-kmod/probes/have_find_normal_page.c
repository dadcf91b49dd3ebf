// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: vm_operations_struct.find_normal_page (Linux 6.18+, "mm: rename
 * vm_ops->find_special_page() to vm_ops->find_normal_page()"; the member
 * exists only with CONFIG_FIND_NORMAL_PAGE, selected by XEN_GNTDEV).
 */
#include <linux/mm.h>

static struct page *probe_hook(struct vm_area_struct *vma, unsigned long addr)
{
	return NULL;
}

const struct vm_operations_struct probe_vmops = {
	.find_normal_page = probe_hook,
};
