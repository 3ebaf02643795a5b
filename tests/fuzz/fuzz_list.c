// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The LIST parser (bpfd_parse_list) and the name lookups behind it: kernel
 * and systemd spellings, suggestions for unknown names, presets.
 * Input: one byte (bits 0-1 the kind, bit 2 "no name table"), then the
 * text.  Checks that whatever parses formats back to the same mask.
 */
#include <bpfdelegate/delegation.h>

#include "fuzz.h"

static struct bpfd_names *table(void)
{
	static struct bpfd_names *names;

	/* the built-in table: the same on every machine */
	if (!names)
		FUZZ_CHECK(bpfd_names_load(&names, NULL, BPFD_NAMES_NO_BTF,
					   NULL) == 0);
	return names;
}

/* Whatever bpfd_parse_list() accepts, bpfd_format_list() writes back. */
static void round_trip(const struct bpfd_names *names, enum bpfd_kind kind,
		       uint64_t mask)
{
	int len = bpfd_format_list(names, kind, mask, NULL, 0);
	char *buf, small[8];
	uint64_t again = 0;

	FUZZ_CHECK(len >= 0);
	buf = malloc((size_t)len + 1);
	FUZZ_CHECK(buf);
	FUZZ_CHECK(bpfd_format_list(names, kind, mask, buf, (size_t)len + 1) ==
		   len);
	FUZZ_CHECK(strlen(buf) == (size_t)len);
	/* a short buffer gets a truncated, terminated string */
	FUZZ_CHECK(bpfd_format_list(names, kind, mask, small, sizeof(small)) ==
		   len);
	FUZZ_CHECK(strlen(small) < sizeof(small));
	if (mask) {
		FUZZ_CHECK(bpfd_parse_list(names, kind, buf, &again, NULL) ==
			   0);
		FUZZ_CHECK(again == mask);
	}
	free(buf);
}

static void lookups(const struct bpfd_names *names, enum bpfd_kind kind,
		    const char *text, size_t cut)
{
	char sd[300], near[160];
	int v = bpfd_names_lookup(names, kind, text);

	if (v >= 0) {
		const char *canon = bpfd_names_get(names, kind, (unsigned)v);

		FUZZ_CHECK(v < 64 && canon);
		/* systemd's spelling of a name reads back as the same value */
		FUZZ_CHECK(bpfd_name_systemd(kind, canon, sd, sizeof(sd)) > 0);
		FUZZ_CHECK(bpfd_names_lookup(names, kind, sd) == v);
	}
	if (bpfd_name_systemd(kind, text, sd, sizeof(sd)) >= 0)
		FUZZ_CHECK(strlen(sd) < sizeof(sd));
	/* suggestions into buffers of every size up to the full one */
	cut %= sizeof(near) + 1;
	if (bpfd_names_suggest(names, kind, text, 3, near, cut) > 0)
		FUZZ_CHECK(strlen(near) < cut);
	(void)bpfd_preset_find(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct bpfd_names *names;
	struct bpfd_delegation d = {{0}};
	struct bpfd_error err;
	enum bpfd_kind kind;
	uint64_t mask = 0;
	char *text;
	int r;

	if (size < 1)
		return 0;
	kind = (enum bpfd_kind)(data[0] & 3);
	names = data[0] & 4 ? NULL : table();
	text = fuzz_str(data + 1, size - 1);
	memset(&err, 0, sizeof(err));
	r = bpfd_parse_list(names, kind, text, &mask, &err);
	if (r == 0)
		round_trip(names, kind, mask);
	else
		FUZZ_CHECK(r == -EINVAL && mask == 0 && err.err == EINVAL);
	if (names)
		lookups(names, kind, text, size);
	r = bpfd_preset_apply(names, text, &d, &err);
	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
	free(text);
	return 0;
}
