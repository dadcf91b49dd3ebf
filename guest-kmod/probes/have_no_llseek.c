// SPDX-License-Identifier: GPL-2.0
/* Probe: no_llseek (removed in Linux 6.12, "fs: remove no_llseek"; a file without .llseek is not seekable there). */
#include <linux/fs.h>

const struct file_operations probe_fops = {
	.llseek = no_llseek,
};
