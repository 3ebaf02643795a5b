// SPDX-License-Identifier: GPL-2.0-or-later
/* Output helpers shared by list, names, doctor and explain. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "diagfmt.h"

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
	const char *n = err > 0 ? strerrorname_np(err) : NULL;

	return n ? n : "?";
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

void fmt_print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
