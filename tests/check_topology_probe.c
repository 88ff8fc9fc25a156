/*
 * check_topology_probe.c: loading the topology never binds the process.
 *
 * hwloc's x86 backend learns the cache and core layout by binding the
 * calling process to each processor in turn and running cpuid there. On
 * a loaded machine each bind waits for that processor's run queue: a
 * `jostle stress` that only wanted to count processors could stall for
 * seconds before its first run. placement.c loads the topology from the
 * operating system's description alone.
 *
 * Each test runs in its own forked child. The child installs a seccomp
 * filter that kills it at its first sched_setaffinity system call (hwloc
 * makes the call directly, so no library function can be interposed),
 * then loads the topology: a bind is a test that died of SIGSYS.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "schedulers/placement.h"
#include "tests/check_main.h"

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef THIS_ARCH
/* From here on, sched_setaffinity kills the process. */
static void forbid_binding(void) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sched_setaffinity, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
  ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
  ck_assert_msg(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0,
                "seccomp filter refused: %s", strerror(errno));
}

START_TEST(loading_the_topology_binds_nothing) {
  forbid_binding();
  ck_assert_int_eq(jostle__topology_load(), 0);
  ck_assert_int_gt(jostle__topology_n_pus(), 0);
  ck_assert_int_gt(jostle__topology_n_cores(), 0);
}
END_TEST

/* The filter does catch a bind: binding this thread dies of SIGSYS. */
START_TEST(binding_is_caught) {
  ck_assert_int_eq(jostle__topology_load(), 0);
  forbid_binding();
  (void)jostle__bind_self(0);
}
END_TEST
#endif

int main(void) {
  Suite *s = suite_create("topology_probe");
  TCase *tc = jostle_check_case(s, "probe", 30, 1);
#ifdef THIS_ARCH
  tcase_add_test(tc, loading_the_topology_binds_nothing);
  tcase_add_test_raise_signal(tc, binding_is_caught, SIGSYS);
#endif
  return jostle_check_run(s);
}
