/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: how to exercise each BPF command, map type, program type and
 * attach type with a trivial object, the capabilities the kernel checks for
 * it (in the bpffs owner's user namespace when a token is used), or why it
 * cannot be exercised.  Values are the kernel's UAPI enum values, which
 * never change; names are only for notes and documentation.
 */
#ifndef BPFD_PROBE_TABLE_H
#define BPFD_PROBE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Capabilities checked by the kernel with unprivileged BPF disabled. */
enum bpfd_probe_cap {
	BPFD_PCAP_BPF = 1U << 0,
	BPFD_PCAP_NET_ADMIN = 1U << 1,
	BPFD_PCAP_PERFMON = 1U << 2,
	BPFD_PCAP_SYS_ADMIN = 1U << 3,
};

/* What a map recipe needs beyond its own attributes. */
enum bpfd_map_need {
	BPFD_NEED_NONE,
	BPFD_NEED_INNER_MAP, /* *_of_maps: an inner array map fd */
	BPFD_NEED_BTF,	     /* local storage: BTF key and value types */
	BPFD_NEED_PAGES,     /* ring buffers: max_entries = one page */
};

struct bpfd_map_recipe {
	const char *name; /* NULL: no entry for this value */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
	uint64_t map_extra;
	uint8_t need; /* enum bpfd_map_need */
	uint8_t caps; /* enum bpfd_probe_cap */
	bool unpriv;  /* creatable by anyone when unprivileged BPF is on */
	const char *untestable; /* why no trivial map can be made, or NULL */
};

#define BPFD_PROBE_MAX_ATTACH 17

struct bpfd_prog_recipe {
	const char *name; /* NULL: no entry for this value */
	uint32_t eat;	  /* expected_attach_type used for the type probe */
	uint32_t flags;	  /* prog_flags, e.g. BPF_F_SLEEPABLE */
	int32_t ret;	  /* r0: the program is "r0 = ret; exit" */
	uint8_t caps;
	bool unpriv;
	const char *untestable;
	uint8_t nattach; /* attach types this program type is loaded with */
	uint8_t attach[BPFD_PROBE_MAX_ATTACH];
};

/*
 * ATT(a, b, ...) in a struct bpfd_prog_recipe initializer: the attach types
 * and their count.  More than BPFD_PROBE_MAX_ATTACH is a compile-time error
 * (an array initializer with excess elements is only a warning, and
 * nattach would then count past the end of attach[]); the Makefile's
 * tests/compile/ checks that it stays one.
 */
#define BPFD_ATT_COUNT(...) (sizeof((uint8_t[]){__VA_ARGS__}) / sizeof(uint8_t))
#define ATT(...)                                                               \
	.nattach =                                                             \
	    BPFD_ATT_COUNT(__VA_ARGS__) +                                      \
	    0 * sizeof(struct {                                                \
		    _Static_assert(BPFD_ATT_COUNT(__VA_ARGS__) <=              \
				       BPFD_PROBE_MAX_ATTACH,                  \
				   "ATT(): more than "                         \
				   "BPFD_PROBE_MAX_ATTACH attach types");      \
		    char unused;                                               \
	    }),                                                                \
	.attach = {__VA_ARGS__}

/* Recipe for map type / program type @type, or NULL when unknown. */
const struct bpfd_map_recipe *bpfd_probe_map_recipe(uint32_t type);
const struct bpfd_prog_recipe *bpfd_probe_prog_recipe(uint32_t type);

/*
 * The program type loaded to exercise attach type @attach (*@prog_type
 * set), or NULL with *@why set to the reason none can be.
 */
const struct bpfd_prog_recipe *
bpfd_probe_attach_prog(uint32_t attach, uint32_t *prog_type, const char **why);

/* Commands the kernel checks a token for. */
enum {
	BPFD_CMD_MAP_CREATE = 0,
	BPFD_CMD_PROG_LOAD = 5,
	BPFD_CMD_BTF_LOAD = 18,
	BPFD_CMD_BTF_GET_FD_BY_ID = 19,
};

/* Capabilities the kernel checks for command @cmd (0 = none or n/a). */
unsigned int bpfd_probe_cmd_caps(uint32_t cmd);

#define BPFD_PROBE_CMD_UNTESTABLE                                              \
	"the kernel consults a token only for map_create, prog_load, "         \
	"btf_load, btf_get_fd_by_id (6.15+)"

/* btf_get_fd_by_id where bpfd_btf_get_fd_by_id_takes_token() says no. */
#define BPFD_PROBE_BTF_ID_NO_TOKEN                                             \
	"this kernel takes no token for it (EINVAL for the token field; "      \
	"Linux 6.15+ does)"

#endif
