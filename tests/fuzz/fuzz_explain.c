// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The explain message parser: an errno name or number, or a libbpf token
 * message (bpfd_explain_parse, bpfd_errno_parse), and libbpf's load
 * failure messages (bpfd_load_msg_parse, bpfd_load_msg_explain).  Input:
 * the text.
 */
#include <bpfdelegate/diag.h>
#include <bpfdelegate/loadmsg.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	struct bpfd_explain_query q;
	struct bpfd_error err;
	int r, e;

	memset(&err, 0, sizeof(err));
	r = bpfd_explain_parse(text, &q, &err);
	if (r == 0) {
		FUZZ_CHECK(q.err > 0);
		FUZZ_CHECK(strnlen(q.path, sizeof(q.path)) < sizeof(q.path));
		FUZZ_CHECK(!q.path[0] || q.libbpf);
		(void)bpfd_explain_harmless(&q);
	} else {
		FUZZ_CHECK(r < 0 && err.err == -r);
		FUZZ_CHECK(strnlen(err.detail, sizeof(err.detail)) <
			   sizeof(err.detail));
	}
	{
		static struct bpfd_load_explanation x;
		struct bpfd_load_msg m;

		if (bpfd_load_msg_parse(text, &m, NULL) == 0) {
			FUZZ_CHECK(m.id != NULL);
			FUZZ_CHECK(strnlen(m.name, sizeof(m.name)) <
				   sizeof(m.name));
			FUZZ_CHECK(strnlen(m.target, sizeof(m.target)) <
				   sizeof(m.target));
			bpfd_load_msg_explain(&m, -1, &x);
			FUZZ_CHECK(x.n > 0 && x.n <= BPFD_LOAD_CAUSES_MAX);
			FUZZ_CHECK(strnlen(x.what, sizeof(x.what)) <
				   sizeof(x.what));
		} else {
			FUZZ_CHECK(m.id == NULL);
		}
	}
	e = bpfd_errno_parse(text);
	FUZZ_CHECK(e == -EINVAL || (e > 0 && strerrorname_np(e)));
	free(text);
	return 0;
}
