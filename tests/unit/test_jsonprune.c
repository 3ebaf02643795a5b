// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib/jsonprune.c: what it keeps, what it leaves to json-c, and
 * config.json parsed pruned and whole giving the same answers.
 */
#include <errno.h>

#include "internal.h"
#include "jsonprune.h"
#include "oci_same.h"
#include "testutil.h"

static const struct bpfd_json_keep keep[] = {
    {"root", NULL},	  {"annotations", NULL}, {"linux", "namespaces"},
    {"linux", "seccomp"}, {"process", "user"},	 {"process", "capabilities"},
};

static ssize_t prune(const char *text, char *out, size_t outlen)
{
	return bpfd_json_prune(text, strlen(text), keep, ARRAY_SIZE(keep), out,
			       outlen);
}

/* @text prunes to exactly @want. */
static void prunes_to(const char *text, const char *want)
{
	char out[1024];
	ssize_t n = prune(text, out, sizeof(out));

	print_message("# pruned: %s\n", n >= 0 ? out : "(whole)");
	assert_true(n >= 0);
	assert_string_equal(out, want);
	assert_int_equal((size_t)n, strlen(want));
}

/* @text is left to json-c whole, and parses the same both ways. */
static void left_whole(const char *text)
{
	char out[1024];

	print_message("# whole: %s\n", text);
	assert_int_equal(prune(text, out, sizeof(out)), -1);
	assert_true(oci_config_same_both_ways(text, strlen(text)));
}

static void test_keeps_what_is_read(void **unused)
{
	(void)unused;
	prunes_to("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\","
		  " \"readonly\": true},\n \"mounts\": [{\"destination\": "
		  "\"/proc\", \"options\": [\"nosuid\", 1, -2, null]}],\n"
		  " \"process\": {\"args\": [\"sh\"], \"user\": {\"uid\": 0},"
		  " \"capabilities\": {\"bounding\": [\"CAP_BPF\"]}},\n"
		  " \"linux\": {\"maskedPaths\": [\"/proc/kcore\"], "
		  "\"namespaces\": [{\"type\": \"user\"}]}}",
		  "{\"root\":{\"path\": \"rootfs\", \"readonly\": true},"
		  "\"linux\":{\"namespaces\":[{\"type\": \"user\"}]},"
		  "\"process\":{\"user\":{\"uid\": 0},\"capabilities\":"
		  "{\"bounding\": [\"CAP_BPF\"]}}}");
	/* nothing read: an empty object (json-c then says what is missing) */
	prunes_to(" {\"mounts\": [], \"hostname\": \"h\"} \n", "{}");
	/* a "linux" that is not an object is kept whole, for its type error */
	prunes_to("{\"linux\": \"x\", \"process\": null, \"root\": 5}",
		  "{\"root\":5,\"linux\":\"x\",\"process\":null}");
	/* escapes inside values (and in keys nobody compares) stay as they are */
	prunes_to("{\"annotations\": {\"a\\u00e9\\n\": \"\\\"\\/\\t\"}}",
		  "{\"annotations\":{\"a\\u00e9\\n\": \"\\\"\\/\\t\"}}");
}

/* json-c takes the last of duplicate keys: so does the pruning. */
static void test_duplicates_last(void **unused)
{
	(void)unused;
	prunes_to(
	    "{\"root\": {\"path\": \"a\"}, \"linux\": {\"namespaces\": "
	    "[1], \"seccomp\": {}}, \"root\": {\"path\": \"b\"}, "
	    "\"linux\": {\"namespaces\": [2], \"namespaces\": [3]}}",
	    "{\"root\":{\"path\": \"b\"},\"linux\":{\"namespaces\":[3]}}");
}

/* Outside the subset: -1, and the caller parses the whole text. */
static void test_left_whole(void **unused)
{
	char deep[256] = "{\"mounts\":";

	(void)unused;
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [1.5]}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [1e3]}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [012]}");
	left_whole(
	    "{\"root\": {\"path\": \"r\"}, \"x\": 123456789012345678901}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"\\ud800\"}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"tab\there\"}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"\\q\"}");
	left_whole("{\"root\": {\"path\": \"r\"}, \"x\": \"\\u12\"}");
	/* an escaped key that may spell one read ("\u0072oot" is "root") */
	left_whole("{\"root\": {\"path\": \"a\"}, \"\\u0072oot\": {\"path\": "
		   "\"b\"}}");
	left_whole("{\"linux\": {\"n\\u0061mespaces\": [{\"type\": "
		   "\"user\"}]}, \"root\": {\"path\": \"r\"}}");
	/* what json-c itself refuses, or not an object */
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": [1, 2,]}");
	left_whole("{\"root\": {\"path\": \"r\"}} trailing");
	left_whole("{\"root\": {\"path\": \"r\"}");
	left_whole("[{\"root\": {\"path\": \"r\"}}]");
	left_whole("{'root': {'path': 'r'}}");
	left_whole("");
	/* a NUL, raw or escaped, even in a member nobody reads */
	left_whole("{\"root\": {\"path\": \"r\"}, \"mounts\": \"\\u0000\"}");
	/* deeper than the scan goes (json-c's own limit is 32) */
	for (int i = 0; i < 25; i++)
		strcat(deep, "[");
	for (int i = 0; i < 25; i++)
		strcat(deep, "]");
	strcat(deep, ",\"root\":{\"path\":\"r\"}}");
	left_whole(deep);
	/* too little room for the result */
	{
		char out[8];

		assert_int_equal(prune("{\"root\": {\"path\": \"rootfs\"}}",
				       out, sizeof(out)),
				 -1);
	}
}

/* Valid configs, parsed both ways: the same fields. */
static void test_same_both_ways(void **unused)
{
	static const char *const docs[] = {
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
	    "\"process\":{\"user\":{\"uid\":1000},\"capabilities\":{"
	    "\"effective\":[\"CAP_BPF\",\"CAP_PERFMON\"],\"bounding\":["
	    "\"CAP_BPF\"]}},\"linux\":{\"namespaces\":[{\"type\":\"user\"},"
	    "{\"type\":\"mount\"}],\"seccomp\":{\"defaultAction\":"
	    "\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[{"
	    "\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
	    "\"index\":0,\"value\":18446744073709551615,\"op\":"
	    "\"SCMP_CMP_EQ\"}]}]}},\"mounts\":[{\"destination\":\"/x\"}],"
	    "\"annotations\":{\"bpfdelegate.io/maps\":\"array\"}}",
	    /* wrong types where they are read: the same refusal */
	    "{\"root\":{\"path\":7}}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":[]}",
	    "{\"root\":{\"path\":\"r\"},\"annotations\":{"
	    "\"bpfdelegate.io/mpas\":\"x\"}}",
	    "{\"root\":{\"path\":\"\"},\"linux\":{\"namespaces\":\"user\"}}",
	    "{\"mounts\":[]}",
	    "{\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":-1}}}",
	};

	(void)unused;
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		print_message("# %s\n", docs[i]);
		assert_true(
		    oci_config_same_both_ways(docs[i], strlen(docs[i])));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keeps_what_is_read),
	    cmocka_unit_test(test_duplicates_last),
	    cmocka_unit_test(test_left_whole),
	    cmocka_unit_test(test_same_both_ways),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
