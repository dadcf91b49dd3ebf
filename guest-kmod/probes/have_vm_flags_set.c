// SPDX-License-Identifier: GPL-2.0
/* Probe: vm_flags_set()/vm_flags_clear() (Linux 6.3+; vm_flags became read-only). */
#include <linux/mm.h>

void probe_flags(struct vm_area_struct *vma);
void probe_flags(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO);
	vm_flags_clear(vma, VM_IO);
}
