// SPDX-License-Identifier: GPL-2.0-or-later
/* Output helpers shared by list, names, doctor and explain. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "diagfmt.h"
#include "internal.h"

#define WIDTH 79

void fmt_wrap(FILE *out, int col, int indent, const char *text)
{
	const char *p = text;
	bool first = true; /* no word on this line yet */

	while (*p == ' ')
		p++;
	while (*p) {
		size_t word = strcspn(p, " ");

		if (!first && col + 1 + (int)word > WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			first = true;
		}
		if (!first) {
			fputc(' ', out);
			col++;
		}
		col += fprintf(out, "%.*s", (int)word, p);
		first = false;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

const char *fmt_errname(int err)
{
	return bpfd_errno_name(err, "?");
}

json_object *fmt_errno_json(int err)
{
	return err > 0 ? json_object_new_string(fmt_errname(err)) : NULL;
}

json_object *fmt_masks_json(const struct bpfd_names *names,
			    const struct bpfd_delegation *d)
{
	json_object *o = json_object_new_object();

	for (int k = 0; k < BPFD_NKINDS; k++) {
		json_object *m = json_object_new_object();
		char buf[4096], hex[24];

		snprintf(hex, sizeof(hex), "0x%llx",
			 (unsigned long long)d->mask[k]);
		bpfd_format_list(names, (enum bpfd_kind)k, d->mask[k], buf,
				 sizeof(buf));
		json_object_object_add(m, "mask", json_object_new_string(hex));
		json_object_object_add(m, "list", json_object_new_string(buf));
		json_object_object_add(o, bpfd_kind_name((enum bpfd_kind)k), m);
	}
	return o;
}

json_object *fmt_str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

/* Length of the valid UTF-8 sequence at @s (up to @n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80	     ? 1
		     : (s[0] & 0xe0) == 0xc0 ? 2
		     : (s[0] & 0xf0) == 0xe0 ? 3
		     : (s[0] & 0xf8) == 0xf0 ? 4
					     : 0;

	if (!len || len > n || (len == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * Paths and messages may hold any bytes, JSON must be UTF-8: each byte
 * that does not start a valid sequence is written as U+FFFD.  JSON's own
 * syntax is ASCII, so this is safe on the whole document.
 */
static void put_utf8(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text);

	while (n) {
		size_t l = utf8_len(s, n);

		if (l)
			fwrite(s, 1, l, stdout);
		else
			fputs("\xef\xbf\xbd", stdout);
		s += l ? l : 1;
		n -= l ? l : 1;
	}
	putchar('\n');
}

void fmt_print_json(json_object *o)
{
	put_utf8(json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

json_object *fmt_owner_json(const struct bpfd_owner_info *ow)
{
	json_object *o = json_object_new_object();

	json_object_object_add(
	    o, "userns", json_object_new_string(bpfd_owner_name(ow->owner)));
	json_object_object_add(
	    o, "userns_inode",
	    ow->userns_ino ? json_object_new_int64((int64_t)ow->userns_ino)
			   : NULL);
	json_object_object_add(o, "errno", fmt_errno_json(ow->err));
	json_object_object_add(o, "token_created",
			       json_object_new_boolean(ow->err == 0));
	json_object_object_add(o, "method", json_object_new_string(ow->how));
	return o;
}
