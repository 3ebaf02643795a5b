// SPDX-License-Identifier: LGPL-2.1-or-later
/* Quoting of untrusted bytes for one-line messages. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "quote.h"

static bool printable(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* One byte, escaped, into @out (at least 5 bytes); its length. */
static size_t escape_byte(char *out, unsigned char c, bool quoting)
{
	if (quoting && (c == '\\' || c == '\'')) {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (printable(c)) {
		out[0] = (char)c;
		return 1;
	}
	snprintf(out, 5, "\\x%02x", c);
	return 4;
}

/* Escape @n bytes of @s into @buf: all of them, or a prefix and "...". */
static char *escape(char *buf, size_t len, const char *s, size_t n,
		    bool quoting)
{
	static const char cut[] = "...";
	size_t used = quoting ? 1 : 0, close = quoting ? 1 : 0;
	bool fits = n == 0;

	if (len == 0)
		return buf;
	if (len < used + close + sizeof(cut)) {
		buf[0] = '\0';
		return buf;
	}
	if (quoting)
		buf[0] = '\'';
	for (size_t i = 0, total = 0; i < n; i++) {
		char one[5];

		total += escape_byte(one, (unsigned char)s[i], quoting);
		if (i + 1 == n && used + total + close + 1 <= len)
			fits = true;
	}
	for (size_t i = 0; i < n; i++) {
		char one[5];
		size_t k = escape_byte(one, (unsigned char)s[i], quoting);
		/* Room for this byte and, unless all fits, the cut mark. */
		size_t need = k + close + 1 + (fits ? 0 : sizeof(cut) - 1);

		if (used + need > len) {
			memcpy(buf + used, cut, sizeof(cut) - 1);
			used += sizeof(cut) - 1;
			break;
		}
		memcpy(buf + used, one, k);
		used += k;
	}
	if (quoting)
		buf[used++] = '\'';
	buf[used] = '\0';
	return buf;
}

char *bpfd_quote_mem(char *buf, size_t len, const char *s, size_t n)
{
	return escape(buf, len, s ? s : "", s ? n : 0, true);
}

char *bpfd_quote(char *buf, size_t len, const char *s)
{
	return bpfd_quote_mem(buf, len, s, s ? strlen(s) : 0);
}

char *bpfd_escape_line(char *buf, size_t len, const char *s)
{
	return escape(buf, len, s ? s : "", s ? strlen(s) : 0, false);
}
