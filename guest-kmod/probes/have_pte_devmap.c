// SPDX-License-Identifier: GPL-2.0
/* Probe: pte_devmap() (removed in Linux 6.17, "mm: remove devmap related functions and page table bits"). */
#include <linux/mm.h>

int probe_devmap(pte_t pte);
int probe_devmap(pte_t pte)
{
	return pte_devmap(pte);
}
