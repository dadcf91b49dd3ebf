/* SPDX-License-Identifier: GPL-2.0 */
/* Allocation that cannot fail quietly: the host programs stop with exit 2. */
#ifndef GNTLAB_XALLOC_H
#define GNTLAB_XALLOC_H

#include <stddef.h>

void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
