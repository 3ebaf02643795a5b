/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Thin bpf() wrappers that can carry a BPF token.  They work against
 * Debian 12's 6.1 UAPI headers and libbpf 1.1 (neither knows tokens): the
 * attr layouts with token fields come from lib/compat.h.
 *
 * All return an fd (owned by the caller, close-on-exec as bpf() makes every
 * fd) or 0 on success and a negative errno on failure.  A token_fd < 0
 * means "no token"; otherwise BPF_F_TOKEN_FD is set for the caller.
 */
#ifndef BPFDELEGATE_SYSBPF_H
#define BPFDELEGATE_SYSBPF_H

#include <stdint.h>

#include <bpfdelegate/delegation.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpf_insn;

/* bpf(BPF_TOKEN_CREATE) from the root of a bpffs (not an O_PATH fd). */
int bpfd_token_create(int bpffs_fd);

/*
 * The token's four masks, from BPF_OBJ_GET_INFO_BY_FD (6.17+).
 * -EINVAL on kernels that cannot report token info this way.
 */
int bpfd_token_info(int token_fd, struct bpfd_delegation *out);

/*
 * The token's four masks from /proc/self/fdinfo/FD ("allowed_cmds:" ...).
 * -ENOENT when the fdinfo has no such lines (not a token).
 */
int bpfd_token_fdinfo(int token_fd, struct bpfd_delegation *out);

/*
 * The same through @proc_fd, a directory fd of a procfs mount: a process
 * that joined a container's mount namespace reads its own fdinfo through
 * the host's /proc (the container's has no "self" for it).
 */
int bpfd_token_fdinfo_at(int proc_fd, int token_fd,
			 struct bpfd_delegation *out);

struct bpfd_map_opts {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
	uint64_t map_extra;
	int inner_map_fd; /* 0 = none */
	int btf_fd;	  /* 0 = none */
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	uint32_t btf_vmlinux_value_type_id;
};
int bpfd_map_create(const struct bpfd_map_opts *o, int token_fd);

struct bpfd_prog_opts {
	uint32_t type;
	uint32_t expected_attach_type;
	uint32_t flags;
	const struct bpf_insn *insns;
	uint32_t insn_cnt;
	const char *license; /* NULL = "GPL" */
	uint32_t attach_btf_id;
	int attach_fd; /* attach_prog_fd / attach_btf_obj_fd, 0 = none */
	char *log_buf; /* optional verifier log */
	uint32_t log_size;
	uint32_t log_level;
};
int bpfd_prog_load(const struct bpfd_prog_opts *o, int token_fd);

/* bpf(BPF_BTF_LOAD) of a raw BTF blob. */
int bpfd_btf_load(const void *data, uint32_t size, int token_fd);

/*
 * bpf(BPF_BTF_GET_FD_BY_ID); with @token_fd >= 0 the token is passed
 * (BPF_F_TOKEN_FD).  Only Linux 6.15+ reads that field: an older kernel
 * fails the call with EINVAL whatever the token (see below).
 */
int bpfd_btf_get_fd_by_id(uint32_t id, int token_fd);

/*
 * Does the running kernel take a token for BPF_BTF_GET_FD_BY_ID?  Asked by
 * what it does, not by its version: with BPF_F_TOKEN_FD and token fd -1,
 * a kernel that reads the field fails to get the token (EBADF, 6.15+);
 * one that does not know it rejects the non-zero tail of the attr
 * (EINVAL: 6.9 to 6.14 ignore any token for this command, and have no
 * token at all before 6.9).  1 yes, 0 no, or -errno (e.g. -EPERM from a
 * seccomp filter: cannot tell).
 */
int bpfd_btf_get_fd_by_id_takes_token(void);

/* bpf(BPF_OBJ_GET_INFO_BY_FD); *len in/out. */
int bpfd_obj_get_info(int fd, void *info, uint32_t *len);

#ifdef __cplusplus
}
#endif
#endif
