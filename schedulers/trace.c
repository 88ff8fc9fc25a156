/*
 * trace.c: step-by-step traces of controlled runs (see trace.h).
 *
 * Code and data addresses are named with elfutils' libdwfl, which reads
 * the program's own ELF and DWARF: code addresses become file:line and
 * function (when built with -g), data addresses the symbol they fall in.
 * The lookup is set up at the first trace line, in the process that runs
 * the scenario.
 */
#include "schedulers/trace.h"

#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static Dwfl *dwfl_for_self(void) {
  static Dwfl *dwfl;
  static int tried;
  if (tried) return dwfl;
  tried = 1;
  static const Dwfl_Callbacks callbacks = {
      .find_elf = dwfl_linux_proc_find_elf,
      .find_debuginfo = dwfl_standard_find_debuginfo,
  };
  dwfl = dwfl_begin(&callbacks);
  if (dwfl == NULL) return NULL;
  if (dwfl_linux_proc_report(dwfl, getpid()) != 0 || dwfl_report_end(dwfl, NULL, NULL) != 0) {
    dwfl_end(dwfl);
    dwfl = NULL;
  }
  return dwfl;
}

/* "scenarios/counter.c:31 (counter_thread)" for the code at pc. */
static void name_code(const void *pc, char *buf, size_t size) {
  Dwfl *dwfl = dwfl_for_self();
  /* pc is a return address: the call is the instruction before it */
  Dwarf_Addr at = (Dwarf_Addr)(uintptr_t)pc - 1;
  Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, at) : NULL;
  const char *fn = mod ? dwfl_module_addrname(mod, at) : NULL;
  Dwfl_Line *line = mod ? dwfl_module_getsrc(mod, at) : NULL;
  int lineno = 0;
  const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
  if (file != NULL)
    snprintf(buf, size, "%s:%d (%s)", file, lineno, fn ? fn : "?");
  else if (fn != NULL)
    snprintf(buf, size, "%p (%s)", pc, fn);
  else
    snprintf(buf, size, "%p", pc);
}

static const jostle__object *object_at(const jostle__control *c, const void *addr) {
  for (int i = 0; i < c->n_objects; i++)
    if (c->objects[i].addr == addr) return &c->objects[i];
  return NULL;
}

/* "mutex#1 state+0x8", "state+0x10", "config_global+0x4", "0x7f..." */
static void name_data(const jostle__control *c, const void *addr, char *buf, size_t size) {
  if (addr == NULL) {
    buf[0] = '\0';
    return;
  }
  size_t len = 0;
  const jostle__object *o = object_at(c, addr);
  if (o != NULL)
    len = (size_t)snprintf(buf, size, "%s#%d ", jostle__object_kind_name(o->kind), o->id);
  if (len >= size) return;
  uintptr_t a = (uintptr_t)addr, lo = (uintptr_t)c->run_state;
  if (a - lo < c->run_state_size) {
    snprintf(buf + len, size - len, "state+0x%zx", (size_t)(a - lo));
    return;
  }
  Dwfl *dwfl = dwfl_for_self();
  Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, a) : NULL;
  GElf_Off off = 0;
  GElf_Sym sym;
  const char *name = mod ? dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL) : NULL;
  if (name != NULL)
    snprintf(buf + len, size - len, "%s+0x%llx", name, (unsigned long long)off);
  else
    snprintf(buf + len, size - len, "%p", addr);
}

static const char *operation(const jostle__point *p) {
  if (p->call != NULL) return p->call;
  switch (p->kind) {
  case JOSTLE__POINT_YIELD: return "jostle_yield";
  case JOSTLE__POINT_READ: return "read";
  case JOSTLE__POINT_WRITE: return "write";
  case JOSTLE__POINT_ATOMIC: return "atomic";
  case JOSTLE__POINT_SYNC: return "sync";
  }
  return "?";
}

#define LINE "%6s  %-4s %-24s %-22s %s\n"

void jostle__trace_header(void) {
  printf(LINE, "step", "thr", "operation", "address", "source");
  fflush(stdout);
}

void jostle__trace_point(const jostle__control *c, int thread, const jostle__point *p) {
  char data[160], code[512];
  name_data(c, p->addr, data, sizeof data);
  name_code(p->pc, code, sizeof code);
  char step[24], thr[8];
  snprintf(step, sizeof step, "%llu", (unsigned long long)c->n_steps);
  snprintf(thr, sizeof thr, "T%d", thread);
  printf(LINE, step, thr, operation(p), data, code);
  fflush(stdout);
}

void jostle__trace_event(const jostle__control *c, int thread, const char *what,
                         const jostle__object *o) {
  char step[24] = "", thr[8], event[96];
  snprintf(thr, sizeof thr, "T%d", thread);
  if (o == NULL) {
    snprintf(event, sizeof event, "%s", what);
  } else if (o->kind == JOSTLE__OBJ_THREAD) {
    snprintf(step, sizeof step, "%llu", (unsigned long long)c->n_steps);
    snprintf(event, sizeof event, "%s T%d to finish", what, o->count);
  } else {
    /* a block is a step of its own */
    snprintf(step, sizeof step, "%llu", (unsigned long long)c->n_steps);
    int len = snprintf(event, sizeof event, "%s %s#%d", what, jostle__object_kind_name(o->kind),
                       o->id);
    if (o->owner >= 0 && len > 0 && (size_t)len < sizeof event)
      snprintf(event + len, sizeof event - (size_t)len, " (held by T%d)", o->owner);
  }
  printf("%6s  %-4s %s\n", step, thr, event);
  fflush(stdout);
}

void jostle__trace_switch(const jostle__control *c, int from, int to) {
  (void)c;
  printf("        T%d -> T%d\n", from, to);
  fflush(stdout);
}
