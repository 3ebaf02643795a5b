// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bpf() wrappers.  Each one zeroes its attr struct from lib/compat.h and
 * hands the kernel only the prefix it fills: a kernel that predates a field
 * rejects a larger size whose tail is not all zero (E2BIG), so a call
 * without a token never mentions the token fields at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpfdelegate/sysbpf.h>

#include "compat.h"
#include "internal.h"

static int sys_bpf(int cmd, void *attr, unsigned int size)
{
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : (int)ret;
}

static uint64_t ptr_to_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int bpfd_token_create(int bpffs_fd)
{
	struct bpfd_attr_token_create attr;

	if (bpffs_fd < 0)
		return -EBADF;
	memset(&attr, 0, sizeof(attr));
	attr.bpffs_fd = (__u32)bpffs_fd;
	return sys_bpf(BPFD_BPF_TOKEN_CREATE, &attr,
		       offsetofend(struct bpfd_attr_token_create, bpffs_fd));
}

int bpfd_token_create_probe(void)
{
	struct bpfd_attr_token_create attr;

	memset(&attr, 0, sizeof(attr));
	attr.bpffs_fd = (__u32)-1;
	return sys_bpf(BPFD_BPF_TOKEN_CREATE, &attr,
		       offsetofend(struct bpfd_attr_token_create, bpffs_fd));
}

int bpfd_obj_get_info(int fd, void *info, uint32_t *len)
{
	struct bpfd_attr_obj_info attr;
	int err;

	if (!info || !len)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.bpf_fd = (__u32)fd;
	attr.info_len = *len;
	attr.info = ptr_to_u64(info);
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr,
		      offsetofend(struct bpfd_attr_obj_info, info));
	if (err == 0)
		*len = attr.info_len;
	return err;
}

int bpfd_token_info(int token_fd, struct bpfd_delegation *out)
{
	struct bpfd_token_info info;
	uint32_t len = sizeof(info);
	struct statfs sfs;
	int err;

	if (!out)
		return -EINVAL;
	/*
	 * Only a token's info has the shape of struct bpf_token_info: a map or
	 * program fd would "succeed" with a different struct.  A token's
	 * inode lives on its bpffs, map/prog/link fds on anon_inodefs, and a
	 * plain file of the bpffs is refused by the kernel (EINVAL).
	 */
	if (fstatfs(token_fd, &sfs) < 0)
		return -errno;
	if ((unsigned long)sfs.f_type != BPF_FS_MAGIC)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	/* Before 6.17 the kernel has no token branch here: -EINVAL. */
	err = bpfd_obj_get_info(token_fd, &info, &len);
	if (err < 0)
		return err;
	if (len < sizeof(info))
		return -EINVAL;
	out->mask[BPFD_CMDS] = info.allowed_cmds;
	out->mask[BPFD_MAPS] = info.allowed_maps;
	out->mask[BPFD_PROGS] = info.allowed_progs;
	out->mask[BPFD_ATTACHS] = info.allowed_attachs;
	return 0;
}

/*
 * kernel/bpf/token.c prints "any" when every bit below the kernel's
 * __MAX_BPF_* is set, whatever the bits above; otherwise "0x%llx".  So
 * "any" reads back as BPFD_MASK_ANY even for a mask of just the known bits.
 */
static int parse_fdinfo_value(const char *s, uint64_t *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, "any", 3) == 0 && (s[3] == '\n' || s[3] == '\0')) {
		*out = BPFD_MASK_ANY;
		return 0;
	}
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	return 0;
}

static ssize_t read_small_file(int dirfd, const char *path, char *buf,
			       size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off + 1 < size) {
		ssize_t n = read(fd, buf + off, size - 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	return (ssize_t)off;
}

int bpfd_token_fdinfo(int token_fd, struct bpfd_delegation *out)
{
	return bpfd_token_fdinfo_at(AT_FDCWD, token_fd, out);
}

int bpfd_token_fdinfo_at(int proc_fd, int token_fd, struct bpfd_delegation *out)
{
	static const char *const keys[BPFD_NKINDS] = {
	    [BPFD_CMDS] = "allowed_cmds:",
	    [BPFD_MAPS] = "allowed_maps:",
	    [BPFD_PROGS] = "allowed_progs:",
	    [BPFD_ATTACHS] = "allowed_attachs:",
	};
	struct bpfd_delegation d;
	char path[64], buf[4096];
	unsigned int found = 0;
	ssize_t n;

	if (!out)
		return -EINVAL;
	if (token_fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "%sself/fdinfo/%d",
		 proc_fd == AT_FDCWD ? "/proc/" : "", token_fd);
	n = read_small_file(proc_fd, path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	memset(&d, 0, sizeof(d));
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');

		if (next)
			*next++ = '\0';
		for (int k = 0; k < BPFD_NKINDS; k++) {
			size_t kl = strlen(keys[k]);

			if (strncmp(line, keys[k], kl) != 0)
				continue;
			if (parse_fdinfo_value(line + kl, &d.mask[k]) < 0)
				return -EINVAL;
			found |= 1U << k;
		}
		line = next;
	}
	if (found != (1U << BPFD_NKINDS) - 1)
		return -ENOENT;
	*out = d;
	return 0;
}

int bpfd_map_create(const struct bpfd_map_opts *o, int token_fd)
{
	struct bpfd_attr_map_create attr;
	unsigned int size;

	if (!o)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = o->type;
	attr.key_size = o->key_size;
	attr.value_size = o->value_size;
	attr.max_entries = o->max_entries;
	attr.map_flags = o->flags;
	attr.inner_map_fd = (__u32)o->inner_map_fd;
	attr.btf_fd = (__u32)o->btf_fd;
	attr.btf_key_type_id = o->btf_key_type_id;
	attr.btf_value_type_id = o->btf_value_type_id;
	attr.btf_vmlinux_value_type_id = o->btf_vmlinux_value_type_id;
	attr.map_extra = o->map_extra;
	/* map_extra is 5.16+, the token 6.9+: mention each only when used. */
	size =
	    offsetofend(struct bpfd_attr_map_create, btf_vmlinux_value_type_id);
	if (o->map_extra)
		size = offsetofend(struct bpfd_attr_map_create, map_extra);
	if (token_fd >= 0) {
		attr.map_flags |= BPFD_F_TOKEN_FD;
		attr.map_token_fd = token_fd;
		size = offsetofend(struct bpfd_attr_map_create, map_token_fd);
	}
	return sys_bpf(BPF_MAP_CREATE, &attr, size);
}

int bpfd_prog_load(const struct bpfd_prog_opts *o, int token_fd)
{
	struct bpfd_attr_prog_load attr;
	unsigned int size;

	if (!o || !o->insns || !o->insn_cnt)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = o->type;
	attr.expected_attach_type = o->expected_attach_type;
	attr.prog_flags = o->flags;
	attr.insns = ptr_to_u64(o->insns);
	attr.insn_cnt = o->insn_cnt;
	attr.license = ptr_to_u64(o->license ? o->license : "GPL");
	if (o->log_buf && o->log_size) {
		attr.log_buf = ptr_to_u64(o->log_buf);
		attr.log_size = o->log_size;
		attr.log_level = o->log_level ? o->log_level : 1;
	}
	attr.attach_btf_id = o->attach_btf_id;
	attr.attach_prog_fd = (__u32)o->attach_fd;
	size = offsetofend(struct bpfd_attr_prog_load, expected_attach_type);
	if (o->attach_btf_id || o->attach_fd)
		size = offsetofend(struct bpfd_attr_prog_load, attach_prog_fd);
	if (token_fd >= 0) {
		attr.prog_flags |= BPFD_F_TOKEN_FD;
		attr.prog_token_fd = token_fd;
		size = offsetofend(struct bpfd_attr_prog_load, prog_token_fd);
	}
	return sys_bpf(BPF_PROG_LOAD, &attr, size);
}

int bpfd_btf_load(const void *data, uint32_t size, int token_fd)
{
	struct bpfd_attr_btf_load attr;
	unsigned int attr_size;

	if (!data || !size)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.btf = ptr_to_u64(data);
	attr.btf_size = size;
	attr_size = offsetofend(struct bpfd_attr_btf_load, btf_log_level);
	if (token_fd >= 0) {
		attr.btf_flags = BPFD_F_TOKEN_FD;
		attr.btf_token_fd = token_fd;
		attr_size =
		    offsetofend(struct bpfd_attr_btf_load, btf_token_fd);
	}
	return sys_bpf(BPF_BTF_LOAD, &attr, attr_size);
}

int bpfd_btf_get_fd_by_id(uint32_t id, int token_fd)
{
	struct bpfd_attr_get_fd_by_id attr;
	unsigned int size;

	memset(&attr, 0, sizeof(attr));
	attr.id = id;
	size = offsetofend(struct bpfd_attr_get_fd_by_id, id);
	if (token_fd >= 0) {
		/* Before 6.15 the kernel rejects the token field: -EINVAL. */
		attr.open_flags = BPFD_F_TOKEN_FD;
		attr.fd_by_id_token_fd = token_fd;
		size = offsetofend(struct bpfd_attr_get_fd_by_id,
				   fd_by_id_token_fd);
	}
	return sys_bpf(BPF_BTF_GET_FD_BY_ID, &attr, size);
}

int bpfd_btf_get_fd_by_id_takes_token(void)
{
	struct bpfd_attr_get_fd_by_id attr;
	int r;

	memset(&attr, 0, sizeof(attr));
	attr.open_flags = BPFD_F_TOKEN_FD;
	attr.fd_by_id_token_fd = -1;
	/* No id: nothing can be opened, whatever the kernel does first. */
	r = sys_bpf(
	    BPF_BTF_GET_FD_BY_ID, &attr,
	    offsetofend(struct bpfd_attr_get_fd_by_id, fd_by_id_token_fd));
	if (r >= 0) {
		close(r);
		return -EPROTO;
	}
	return r == -EBADF ? 1 : r == -EINVAL ? 0 : r;
}
