/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by strlen_count.bpf.c and strlen_count.c. */
#ifndef STRLEN_COUNT_H
#define STRLEN_COUNT_H

#define STRLEN_KEY_LEN 80

struct strlen_key {
	char c[STRLEN_KEY_LEN];	/* the string, cut at 79 bytes, NUL-padded */
};

#endif
