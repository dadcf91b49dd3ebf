// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: get_user_pages()/pin_user_pages()/get_user_pages_remote() take a
 * vmas array (gone in Linux 6.5: "mm/gup: remove vmas parameter from
 * get_user_pages_remote()" and its siblings).
 */
#include <linux/mm.h>

long probe_gup(unsigned long addr, struct page **page);
long probe_gup(unsigned long addr, struct page **page)
{
	return get_user_pages(addr, 1, 0, page, NULL) +
	       pin_user_pages(addr, 1, 0, page, NULL) +
	       get_user_pages_remote(current->mm, addr, 1, 0, page, NULL, NULL);
}
