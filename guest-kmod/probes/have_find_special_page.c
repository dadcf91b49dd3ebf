// SPDX-License-Identifier: GPL-2.0
/* Probe: vm_operations_struct.find_special_page (Linux up to 6.17). */
#include <linux/mm.h>

static struct page *probe_hook(struct vm_area_struct *vma, unsigned long addr)
{
	return NULL;
}

const struct vm_operations_struct probe_vmops = {
	.find_special_page = probe_hook,
};
