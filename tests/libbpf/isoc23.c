// SPDX-License-Identifier: GPL-2.0
/* Debian trixie builds libbpf.a against glibc 2.41, whose headers (C23
 * mode) redirect sscanf, fscanf and strtoull to the __isoc23_ variants that
 * first appeared in glibc 2.38.  Debian 12 has glibc 2.36: forward them to
 * the C99 functions.  The only difference (C23 also accepts "0b" binary
 * numbers) does not matter for what libbpf parses: /proc and sysfs files,
 * kernel versions, its own environment variables. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int __isoc23_sscanf(const char *s, const char *fmt, ...);
int __isoc23_fscanf(FILE *f, const char *fmt, ...);
unsigned long long __isoc23_strtoull(const char *s, char **end, int base);

int __isoc23_sscanf(const char *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsscanf(s, fmt, ap);
	va_end(ap);
	return n;
}

int __isoc23_fscanf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfscanf(f, fmt, ap);
	va_end(ap);
	return n;
}

unsigned long long __isoc23_strtoull(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}
