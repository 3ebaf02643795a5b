/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UAPI that Debian 12's linux-libc-dev (6.1) lacks: BPF tokens (6.9) and
 * token info (6.17).  Only fills gaps: our own BPFD_-prefixed names never
 * clash with newer headers, and the attr layouts are checked against the
 * kernel's documented offsets at compile time.
 */
#ifndef BPFD_COMPAT_H
#define BPFD_COMPAT_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/types.h>

/* enum bpf_cmd: BPF_TOKEN_CREATE (6.9).  An enum, so #ifndef can't see it. */
#define BPFD_BPF_TOKEN_CREATE 36

/* Set in map_flags / prog_flags / btf_flags / open_flags: the token fd field
 * is read only when this flag is set. */
#define BPFD_F_TOKEN_FD (1U << 16)

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* The kernel-internal errno 524 that leaks out of some bpf() paths (not
 * in the UAPI headers: include/linux/errno.h). */
#define BPFD_ENOTSUPP 524

/* statx(2): Linux 5.8 (the same tokens as <linux/stat.h>, so including
 * that one later does not warn). */
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* lsm_list_modules(2): Linux 6.8; glibc 2.36 does not name it.  Include
 * <sys/syscall.h> before this header. */
#ifndef SYS_lsm_list_modules
#define SYS_lsm_list_modules 461
#endif

struct bpfd_attr_token_create {
	__u32 flags;
	__u32 bpffs_fd;
};

struct bpfd_attr_map_create {
	__u32 map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 inner_map_fd;
	__u32 numa_node;
	char map_name[16];
	__u32 map_ifindex;
	__u32 btf_fd;
	__u32 btf_key_type_id;
	__u32 btf_value_type_id;
	__u32 btf_vmlinux_value_type_id;
	__aligned_u64 map_extra;
	__s32 value_type_btf_obj_fd;
	__s32 map_token_fd;
};
_Static_assert(offsetof(struct bpfd_attr_map_create, map_extra) == 64,
	       "map_extra");
_Static_assert(offsetof(struct bpfd_attr_map_create, map_token_fd) == 76,
	       "map_token_fd");

struct bpfd_attr_prog_load {
	__u32 prog_type;
	__u32 insn_cnt;
	__aligned_u64 insns;
	__aligned_u64 license;
	__u32 log_level;
	__u32 log_size;
	__aligned_u64 log_buf;
	__u32 kern_version;
	__u32 prog_flags;
	char prog_name[16];
	__u32 prog_ifindex;
	__u32 expected_attach_type;
	__u32 prog_btf_fd;
	__u32 func_info_rec_size;
	__aligned_u64 func_info;
	__u32 func_info_cnt;
	__u32 line_info_rec_size;
	__aligned_u64 line_info;
	__u32 line_info_cnt;
	__u32 attach_btf_id;
	__u32 attach_prog_fd; /* union with attach_btf_obj_fd */
	__u32 core_relo_cnt;
	__aligned_u64 fd_array;
	__aligned_u64 core_relos;
	__u32 core_relo_rec_size;
	__u32 log_true_size;
	__s32 prog_token_fd;
};
_Static_assert(offsetof(struct bpfd_attr_prog_load, expected_attach_type) == 68,
	       "eat");
_Static_assert(offsetof(struct bpfd_attr_prog_load, log_true_size) == 140,
	       "log_true_size");
_Static_assert(offsetof(struct bpfd_attr_prog_load, prog_token_fd) == 144,
	       "prog_token_fd");

struct bpfd_attr_btf_load {
	__aligned_u64 btf;
	__aligned_u64 btf_log_buf;
	__u32 btf_size;
	__u32 btf_log_size;
	__u32 btf_log_level;
	__u32 btf_log_true_size;
	__u32 btf_flags;
	__s32 btf_token_fd;
};
_Static_assert(offsetof(struct bpfd_attr_btf_load, btf_flags) == 32,
	       "btf_flags");
_Static_assert(offsetof(struct bpfd_attr_btf_load, btf_token_fd) == 36,
	       "btf_token_fd");

struct bpfd_attr_get_fd_by_id {
	__u32 id;
	__u32 next_id;
	__u32 open_flags;
	__s32 fd_by_id_token_fd;
};
_Static_assert(offsetof(struct bpfd_attr_get_fd_by_id, fd_by_id_token_fd) == 12,
	       "fd_by_id_token_fd");

struct bpfd_attr_obj_info {
	__u32 bpf_fd;
	__u32 info_len;
	__aligned_u64 info;
};

/* struct bpf_token_info (6.17+) */
struct bpfd_token_info {
	__u64 allowed_cmds;
	__u64 allowed_maps;
	__u64 allowed_progs;
	__u64 allowed_attachs;
};

/*
 * statmount(2) (6.8) and its mount options (STATMOUNT_MNT_OPTS, 6.11):
 * Debian 12's headers (6.1) have neither.  Only the fields we read; the
 * kernel writes at most bufsize bytes and says in mask what it filled.
 * The syscall number is the same on every architecture (the unified
 * table since 6.8).
 */
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
/* pidfs ioctls (6.11): an fd of a process's namespace without /proc.  Before
 * 6.11 a pidfd answers ENOTTY (an anon inode before 6.9, pidfs after). */
#ifndef PIDFD_GET_MNT_NAMESPACE
#define PIDFD_GET_MNT_NAMESPACE _IO(0xFF, 3)
#endif
#ifndef PIDFD_GET_NET_NAMESPACE
#define PIDFD_GET_NET_NAMESPACE _IO(0xFF, 4)
#endif
#ifndef PIDFD_GET_USER_NAMESPACE
#define PIDFD_GET_USER_NAMESPACE _IO(0xFF, 9)
#endif
/* statx: the 64-bit mount id statmount() takes (6.8) */
#define BPFD_STATX_MNT_ID_UNIQUE 0x4000U
#define BPFD_STATMOUNT_SB_BASIC 0x1U
#define BPFD_STATMOUNT_MNT_OPTS 0x80U
#define BPFD_MNT_ID_REQ_SIZE_VER0 24 /* 6.8 */
#define BPFD_SB_RDONLY 1U

struct bpfd_mnt_id_req {
	__u32 size;
	__u32 spare;
	__u64 mnt_id;
	__u64 param;
};

struct bpfd_statmount {
	__u32 size;
	__u32 mnt_opts; /* [str] offset in str[], 6.11 */
	__u64 mask;
	__u32 sb_dev_major;
	__u32 sb_dev_minor;
	__u64 sb_magic;
	__u32 sb_flags;
	__u32 fs_type;
	__u64 mnt_id;
	__u64 mnt_parent_id;
	__u32 mnt_id_old;
	__u32 mnt_parent_id_old;
	__u64 mnt_attr;
	__u64 mnt_propagation;
	__u64 mnt_peer_group;
	__u64 mnt_master;
	__u64 propagate_from;
	__u32 mnt_root;
	__u32 mnt_point;
	__u64 mnt_ns_id;
	__u64 spare2[50 - 1];
	char str[];
};
/* 6.8's struct statmount is 512 bytes; the strings follow. */
_Static_assert(sizeof(struct bpfd_statmount) == 512, "statmount");
_Static_assert(offsetof(struct bpfd_statmount, sb_flags) == 32, "sb_flags");
_Static_assert(offsetof(struct bpfd_statmount, mnt_ns_id) == 112, "mnt_ns_id");

#endif
