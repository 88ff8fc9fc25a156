/*
 * self_debuginfo.c: the program's own debugging information (see
 * self_debuginfo.h).
 */
#include "schedulers/self_debuginfo.h"

#include <stddef.h>
#include <unistd.h>

Dwfl *jostle__self_dwfl(void) {
  static Dwfl *dwfl;
  static int tried;
  if (tried) return dwfl;
  tried = 1;
  static const Dwfl_Callbacks callbacks = {
      .find_elf = dwfl_linux_proc_find_elf,
      .find_debuginfo = dwfl_standard_find_debuginfo,
  };
  dwfl = dwfl_begin(&callbacks);
  if (dwfl != NULL &&
      (dwfl_linux_proc_report(dwfl, getpid()) != 0 || dwfl_report_end(dwfl, NULL, NULL) != 0)) {
    dwfl_end(dwfl);
    dwfl = NULL;
  }
  return dwfl;
}
