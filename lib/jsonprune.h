/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A JSON object with only the members a reader needs, for json-c to parse
 * instead of the whole document (issue 11: json-c took ~60 us for runc's
 * 3.7 KB default config.json, of which the hook reads five members).
 */
#ifndef BPFD_JSONPRUNE_H
#define BPFD_JSONPRUNE_H

#include <stddef.h>
#include <sys/types.h>

/* A member to keep: @key at the top level, or @sub inside the object that
 * is @key's value (NULL: @key's whole value). */
struct bpfd_json_keep {
	const char *key;
	const char *sub;
};

/*
 * Write to @out (@outlen bytes) a JSON object holding, of the object
 * @text, only the members @keep names, each value byte for byte as in
 * @text; of duplicate keys the last, as json-c takes them.  A @key whose
 * value is not an object is kept whole when any @sub of it is asked for.
 *
 * Only the subset of jsonscan.h is taken, and no escape in the keys that
 * are compared.  So json-c parses the result into exactly the values it
 * would have read from @text, and accepts @text.
 * Returns the length written (NUL-terminated), or -1 for anything outside
 * that subset or longer than @outlen: the caller parses @text whole, and
 * json-c says what is wrong with it.
 */
ssize_t bpfd_json_prune(const char *text, size_t len,
			const struct bpfd_json_keep *keep, size_t nkeep,
			char *out, size_t outlen);

#endif
