/*
 * self_debuginfo.c: the program's own debugging information (see
 * self_debuginfo.h).
 */
#include "schedulers/self_debuginfo.h"

#include <dwarf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

Dwarf_Die *jostle__self_cu(Dwfl_Module *mod, Dwarf_Addr at, Dwarf_Addr *bias) {
  Dwarf_Die *cu = dwfl_module_addrdie(mod, at, bias);
  if (cu != NULL) return cu;
  while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
    if (dwarf_haspc(cu, at - *bias) > 0) return cu;
  return NULL;
}

const char *jostle__self_line(Dwfl_Module *mod, Dwarf_Addr at, int *line) {
  Dwarf_Addr bias;
  Dwarf_Die *cu = jostle__self_cu(mod, at, &bias);
  Dwarf_Line *l = cu ? dwarf_getsrc_die(cu, at - bias) : NULL;
  const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
  if (file == NULL || dwarf_lineno(l, line) != 0) return NULL;
  Dwarf_Attribute attr;
  const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
  size_t n = dir ? strlen(dir) : 0;
  if (n > 0 && strncmp(file, dir, n) == 0 && file[n] == '/') return file + n + 1;
  return file;
}

/* The C++ library's demangler, weak: linked into C++ programs only. */
__attribute__((weak)) char *__cxa_demangle(const char *mangled, char *out, size_t *len,
                                           int *status);

const char *jostle__self_demangle(const char *name, char *buf, size_t size) {
  /* a program's main in a fuzz target (jostle-cc --fuzz renames it) */
  if (name != NULL && strcmp(name, "jostle_fuzz_main") == 0) return "main";
  if (name == NULL || strncmp(name, "_Z", 2) != 0 || __cxa_demangle == NULL) return name;
  int status = 0;
  char *plain = __cxa_demangle(name, NULL, NULL, &status);
  if (plain == NULL) return name;
  snprintf(buf, size, "%s", plain);
  free(plain);
  return buf;
}
