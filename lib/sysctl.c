// SPDX-License-Identifier: LGPL-2.1-or-later
/* Small /proc and /sys files: a first line, a sysctl's number. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool bpfd_read_line(const char *path, char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, (int)len, f))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

long bpfd_sysctl_long(const char *path)
{
	char buf[32], *end;
	long v;

	if (!bpfd_read_line(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	return errno || end == buf || v < 0 ? -1 : v;
}
