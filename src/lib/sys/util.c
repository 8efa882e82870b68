// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/fault.h"
#include "sys/util.h"

char *surf_read_file(const char *path, size_t *size)
{
	size_t cap = 8192, n = 0;
	char *buf, *grown;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	/* Read to EOF: tracefs and procfs report a size of 0. */
	while ((got = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)got;
		if (n + 1 == cap) {
			grown = realloc(buf, cap * 2);
			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = '\0';
	if (size)
		*size = n;
	return buf;
}

size_t surf_edit_distance_max(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), row[128];

	if (la >= 127 || lb >= 127)
		return SIZE_MAX;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], least;

		row[0] = i;
		least = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
			if (best < least)
				least = best;
		}
		/* Every later row is at least this row's minimum: give up early. */
		if (least > max)
			return max + 1;
	}
	return row[lb];
}

size_t surf_edit_distance(const char *a, const char *b)
{
	return surf_edit_distance_max(a, b, SIZE_MAX - 1);
}

int surf_fault_countdown[SURF_FAULT_NR];
