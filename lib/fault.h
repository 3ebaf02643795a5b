/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: faults the tests inject, read from BPFDELEGATE_TEST_FAULT.
 *
 * Only a library built with -DBPFD_TEST_FAULTS (build/faults/, linked into
 * build/tests/bpfdelegate-faults and the engine's integration test) reads
 * the variable.  In every other build bpfd_fault() is the constant
 * BPFD_FAULT_NONE: the compiler drops each fault branch, and neither the
 * variable's name nor the fault names are in the binary.  runc passes its
 * environment to hooks: a release oci-hook must not be steerable by it.
 *
 * The file-capability helper drops the variable with the rest of the
 * caller's environment (cmd/rootless.c); its tests name a fault in the
 * root-owned file BPFD_POLICY_DIR "/test-fault" instead (test builds
 * only, read when the variable is unset).
 */
#ifndef BPFD_FAULT_H
#define BPFD_FAULT_H

enum bpfd_fault {
	BPFD_FAULT_NONE = 0,
	BPFD_FAULT_CHILD_EXIT_AFTER_FSOPEN, /* child dies before the mount */
	BPFD_FAULT_CHILD_HANG,		    /* child never sends the fs fd */
	BPFD_FAULT_PARENT_EXIT_AFTER_RECV,  /* parent is killed mid-handshake */
	BPFD_FAULT_CHILD_SEND_TMPFS,	    /* child sends a tmpfs context */
	BPFD_FAULT_DROP_OPTIONS,	    /* the kernel accepts
					       delegate_cmds=MUSTFAIL and
					       ignores delegate_* options, as
					       before 6.9; CMD_CREATE works */
	BPFD_FAULT_CHILD_REARM_FAIL,	    /* the child's guards fail after it
					       became the namespace root */
	BPFD_FAULT_EXEC_REARM_FAIL,	/* run: they fail just before exec */
	BPFD_FAULT_CHILD_FALSE_SUCCESS, /* child reports err 0 before the
					   mount: an error lost on the way */
	BPFD_FAULT_PROBE_HANG,		/* list --pid's token child pauses
					   in the target's user namespace */
	BPFD_FAULT_CHILD_HANG_ATTACHED, /* (join) the child hangs once the
					   mount is in the target */
	BPFD_FAULT_UNDO_HANG, /* as CHILD_HANG_ATTACHED, and attach's clean-up
				 child pauses once in the target's mount
				 namespace (waited for 30 s, not 2) */
	BPFD_FAULT_CREATE_REFUSED,    /* CMD_CREATE fails with EPERM and
					 the log line of 5.10/6.1 ("Mounting
					 from non-initial user namespace is
					 not allowed"); options known */
	BPFD_FAULT_OLD_KERNEL,	      /* both, as Debian's 5.10 and 6.1 do */
	BPFD_FAULT_CHILD_PAUSE_EARLY, /* the engine's child pauses after its
					 set-up, before any namespace */
	BPFD_FAULT_LEARN_GONE, /* suggest --learn: the caller of bpf() is killed
				once its notification is received, before its
				attr is read */
	BPFD_FAULT_SERVE_SLOW, /* serve's worker takes 3 s (or until
					 the client hangs up) before
					 delegating */
	BPFD_FAULT_SERVE_NS_HANG, /* serve's namespace child pauses in
					 the caller's user namespace */
	BPFD_FAULT_NO_STATMOUNT,  /* statmount() fails with ENOSYS, as before
				    6.8: mount options come from mountinfo
				    through libmount */
	BPFD_FAULT_CHILD_SHORT_REPORT, /* the child's final record is one
					 probe result shorter than its
					 count says */
};

#ifdef BPFD_TEST_FAULTS
/* The fault named by BPFDELEGATE_TEST_FAULT; NONE when unset or unknown. */
enum bpfd_fault bpfd_fault(void);
#else
static inline enum bpfd_fault bpfd_fault(void)
{
	return BPFD_FAULT_NONE;
}
#endif

#endif
