// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writes the seed corpus of fuzz_btf_enums: small valid BTF files holding
 * the four enums of this machine's kernel BTF (bpf_cmd, bpf_map_type,
 * bpf_prog_type, bpf_attach_type, copied by libbpf) after one type of each
 * other kind the reader must skip.  /sys/kernel/btf/vmlinux itself is
 * ~6 MB: too big to check in.
 *   vmlinux4.btf  the four enums as the kernel has them
 *   enum64.btf    bpf_attach_type as an ENUM64, a forward "enum bpf_cmd;"
 *   suffix.btf    bpf_prog_type named by the tail of a longer string, so
 *                 that the reader needs its second pass
 * Usage: gen_btf_seeds DIR   (run by `make fuzz-seeds`)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

static const char *const enums[] = {"bpf_cmd", "bpf_map_type", "bpf_prog_type",
				    "bpf_attach_type"};

static void die(const char *what)
{
	fprintf(stderr, "gen_btf_seeds: %s failed\n", what);
	exit(1);
}

/* One type of each kind with data after its record, then a few without. */
static void fillers(struct btf *b)
{
	int i, s, fp, v, ds;

	i = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	if (i < 0 || btf__add_ptr(b, i) < 0 || btf__add_const(b, i) < 0 ||
	    btf__add_typedef(b, "s32", i) < 0 ||
	    btf__add_float(b, "f", 4) < 0 || btf__add_array(b, i, i, 4) < 0)
		die("btf__add_int & co");
	s = btf__add_struct(b, "bpf_x", 8);
	if (s < 0 || btf__add_field(b, "a", i, 0, 0) < 0 ||
	    btf__add_field(b, "b", i, 32, 0) < 0 ||
	    btf__add_fwd(b, "bpf_y", BTF_FWD_UNION) < 0)
		die("btf__add_struct");
	fp = btf__add_func_proto(b, i);
	if (fp < 0 || btf__add_func_param(b, "x", i) < 0 ||
	    btf__add_func(b, "bpf_f", BTF_FUNC_GLOBAL, fp) < 0)
		die("btf__add_func_proto");
	v = btf__add_var(b, "bpf_v", BTF_VAR_GLOBAL_ALLOCATED, i);
	ds = v < 0 ? v : btf__add_datasec(b, ".data", 4);
	if (ds < 0 || btf__add_datasec_var_info(b, v, 0, 4) < 0 ||
	    btf__add_decl_tag(b, "tag", s, 0) < 0)
		die("btf__add_var");
}

static void copy_enum(struct btf *b, const struct btf *vm, const char *name,
		      const char *as, bool as64)
{
	int id = btf__find_by_name_kind(vm, name, BTF_KIND_ENUM);
	const struct btf_type *t = btf__type_by_id(vm, id);
	const struct btf_enum *e;

	if (id < 0 || !t)
		die(name);
	if ((as64 ? btf__add_enum64(b, as, 4, false)
		  : btf__add_enum(b, as, 4)) < 0)
		die("btf__add_enum");
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++) {
		const char *n = btf__name_by_offset(vm, e->name_off);

		if ((as64 ? btf__add_enum64_value(b, n, (__u64)e->val)
			  : btf__add_enum_value(b, n, e->val)) < 0)
			die("btf__add_enum_value");
	}
}

static void write_btf(const struct btf *b, const char *dir, const char *file)
{
	char path[4096];
	__u32 size;
	const void *raw = btf__raw_data(b, &size);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "we");
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f))
		die(path);
	printf("%s: %u bytes\n", path, size);
}

int main(int argc, char **argv)
{
	struct btf *vm, *b;
	int id;

	if (argc != 2) {
		fprintf(stderr, "Usage: gen_btf_seeds DIR\n");
		return 2;
	}
	vm = btf__load_vmlinux_btf();
	if (!vm)
		die("btf__load_vmlinux_btf");

	b = btf__new_empty();
	fillers(b);
	for (int k = 0; k < 4; k++)
		copy_enum(b, vm, enums[k], enums[k], false);
	write_btf(b, argv[1], "vmlinux4.btf");
	btf__free(b);

	b = btf__new_empty();
	if (btf__add_fwd(b, "bpf_cmd", BTF_FWD_ENUM) < 0)
		die("btf__add_fwd");
	fillers(b);
	for (int k = 0; k < 4; k++)
		copy_enum(b, vm, enums[k], enums[k], k == 3);
	write_btf(b, argv[1], "enum64.btf");
	btf__free(b);

	/* "xbpf_prog_type" holds the name at offset + 1; the enum is added
	 * under another name, then pointed there */
	b = btf__new_empty();
	fillers(b);
	id = btf__add_str(b, "xbpf_prog_type");
	if (id < 0)
		die("btf__add_str");
	for (int k = 0; k < 4; k++) {
		copy_enum(b, vm, enums[k], k == 2 ? "other" : enums[k], false);
		if (k == 2)
			((struct btf_type *)btf__type_by_id(
			     b, (__u32)btf__type_cnt(b) - 1))
			    ->name_off = (__u32)id + 1;
	}
	write_btf(b, argv[1], "suffix.btf");
	btf__free(b);
	btf__free(vm);
	return 0;
}
