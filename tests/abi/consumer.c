// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A program of someone else's: built by tests/cli/lib.bats against the
 * installed libbpfdelegate with `pkg-config --cflags --libs libbpfdelegate`
 * only.  Delegates CMDS and MAPS (two LISTs), checks, prints the token's
 * masks.
 *   consumer CMDS MAPS
 */
#include <stdio.h>

#include <bpfdelegate/bpfdelegate.h>

int main(int argc, char **argv)
{
	struct bpfd_names *names;
	struct bpfd_result *res = NULL;
	struct bpfd_delegation tok;
	struct bpfd_error e = {0};
	char buf[512];
	int r, k;
	BPFD_OPTS(o, .timeout_ms = 10000);

	if (argc != 3) {
		fprintf(stderr, "usage: consumer CMDS MAPS\n");
		return 2;
	}
	printf("library %s headers %d.%d.%d\n", bpfd_lib_version(),
	       BPFD_LIB_VERSION_MAJOR, BPFD_LIB_VERSION_MINOR,
	       BPFD_LIB_VERSION_PATCH);
	if (bpfd_names_load(&names, NULL, 0, &e) < 0 ||
	    bpfd_parse_list(names, BPFD_CMDS, argv[1], &o.deleg.mask[BPFD_CMDS],
			    &e) < 0 ||
	    bpfd_parse_list(names, BPFD_MAPS, argv[2], &o.deleg.mask[BPFD_MAPS],
			    &e) < 0) {
		fprintf(stderr, "consumer: %s\n",
			bpfd_error_format(&e, buf, sizeof(buf)));
		return 1;
	}
	o.names = names;
	r = bpfd_check(&o, &res, &e);
	if (r == 0)
		r = bpfd_result_delegation(res, BPFD_RESULT_TOKEN, &tok);
	if (r < 0) {
		fprintf(stderr, "consumer: %s\n",
			bpfd_error_format(&e, buf, sizeof(buf)));
		bpfd_result_free(res);
		bpfd_names_free(names);
		return 1;
	}
	for (k = 0; k < BPFD_NKINDS; k++) {
		bpfd_format_list(names, (enum bpfd_kind)k, tok.mask[k], buf,
				 sizeof(buf));
		printf("token %s=%s\n", bpfd_kind_name((enum bpfd_kind)k), buf);
	}
	bpfd_result_free(res);
	bpfd_names_free(names);
	return 0;
}
