/*
 * trace_names.c: names of code and data addresses for traces (see
 * trace_names.h).
 *
 * elfutils' libdwfl reads the program's own ELF and DWARF: code addresses
 * become file:line and function (when built with -g), data addresses the
 * symbol they fall in. An access to the run's state is named as the code
 * names it, `s->count` or `s->items[3].key`: among the variables in scope
 * at the access, the first pointer to a struct as large as the state gives
 * the member, and the member's type says how its value reads. Only the
 * thread holding the baton calls these, so the lookup needs no lock.
 */
#include "schedulers/trace_names.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void jostle__trace_name_code(const void *pc, char *buf, size_t size) {
  Dwfl *dwfl = dwfl_for_self();
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

/* The DIE that `die`'s attribute `name` refers to, typedefs and
 * qualifiers (_Atomic too) peeled off; NULL when there is none. */
static Dwarf_Die *type_of(Dwarf_Die *die, unsigned name, Dwarf_Die *mem) {
  Dwarf_Attribute attr;
  Dwarf_Die ref;
  if (dwarf_attr_integrate(die, name, &attr) == NULL || dwarf_formref_die(&attr, &ref) == NULL ||
      dwarf_peel_type(&ref, mem) != 0)
    return NULL;
  return mem;
}

static int is_struct(Dwarf_Die *type) { return dwarf_tag(type) == DW_TAG_structure_type; }

/* What a value of a scalar type is; UNKNOWN for aggregates. */
static jostle__value_type classify(Dwarf_Die *type) {
  jostle__value_type t = {JOSTLE__VALUE_UNKNOWN, 0};
  Dwarf_Word size;
  Dwarf_Attribute attr;
  Dwarf_Word encoding = 0;
  if (dwarf_aggregate_size(type, &size) != 0) return t;
  switch (dwarf_tag(type)) {
  case DW_TAG_pointer_type: t.kind = JOSTLE__VALUE_POINTER; break;
  case DW_TAG_enumeration_type: t.kind = JOSTLE__VALUE_SIGNED; break;
  case DW_TAG_base_type:
    if (dwarf_formudata(dwarf_attr(type, DW_AT_encoding, &attr), &encoding) != 0) return t;
    switch (encoding) {
    case DW_ATE_signed: t.kind = JOSTLE__VALUE_SIGNED; break;
    case DW_ATE_unsigned: t.kind = JOSTLE__VALUE_UNSIGNED; break;
    case DW_ATE_signed_char:
    case DW_ATE_unsigned_char: t.kind = JOSTLE__VALUE_CHAR; break;
    case DW_ATE_boolean: t.kind = JOSTLE__VALUE_BOOL; break;
    case DW_ATE_float: t.kind = JOSTLE__VALUE_FLOAT; break;
    default: return t;
    }
    break;
  default: return t;
  }
  t.size = (unsigned)size;
  return t;
}

/* Appends to buf the path to byte `off` of an object of type `type`:
 * "[index]", or `sep` and a member's name ("." below the top), repeated
 * down to a scalar or a union (pthread_mutex_t is one: its insides are
 * not the code's names). *leaf is the scalar's type when byte `off` is
 * its first. */
static void append_path(Dwarf_Die *type, Dwarf_Word off, const char *sep, char *buf,
                        size_t size, jostle__value_type *leaf) {
  size_t len = strlen(buf);
  if (len >= size) return;
  Dwarf_Die elem, child, mtype;
  Dwarf_Word esize;
  if (dwarf_tag(type) == DW_TAG_array_type && type_of(type, DW_AT_type, &elem) != NULL &&
      dwarf_aggregate_size(&elem, &esize) == 0 && esize > 0) {
    snprintf(buf + len, size - len, "[%llu]", (unsigned long long)(off / esize));
    append_path(&elem, off % esize, ".", buf, size, leaf);
    return;
  }
  if (!is_struct(type) || dwarf_child(type, &child) != 0) {
    if (off == 0) *leaf = classify(type);
    return;
  }
  do {
    Dwarf_Attribute attr;
    Dwarf_Word at = 0, msize;
    if (dwarf_tag(&child) != DW_TAG_member || type_of(&child, DW_AT_type, &mtype) == NULL ||
        dwarf_aggregate_size(&mtype, &msize) != 0)
      continue;
    if (dwarf_attr(&child, DW_AT_data_member_location, &attr) != NULL &&
        dwarf_formudata(&attr, &at) != 0)
      continue;
    if (off < at || off >= at + msize) continue;
    const char *name = dwarf_diename(&child);
    if (name != NULL) snprintf(buf + len, size - len, "%s%s", sep, name);
    append_path(&mtype, off - at, ".", buf, size, leaf);
    return;
  } while (dwarf_siblingof(&child, &child) == 0);
}

/* Names byte `off` of the run's state as the code at pc does, "s->count";
 * 0 when no variable in scope points to a struct of the state's size. */
static int name_state(const void *pc, size_t state_size, size_t off, char *buf, size_t size,
                      jostle__value_type *leaf) {
  Dwfl *dwfl = dwfl_for_self();
  Dwarf_Addr at = (Dwarf_Addr)(uintptr_t)pc - 1, bias;
  Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, at) : NULL;
  Dwarf_Die *cu = mod ? dwfl_module_addrdie(mod, at, &bias) : NULL;
  Dwarf_Die *scopes = NULL;
  int n = cu ? dwarf_getscopes(cu, at - bias, &scopes) : 0;
  int named = 0;
  for (int i = 0; i < n && !named; i++) {
    Dwarf_Die var, pointer, target;
    Dwarf_Word target_size;
    if (dwarf_child(&scopes[i], &var) != 0) continue;
    do {
      int tag = dwarf_tag(&var);
      if ((tag != DW_TAG_variable && tag != DW_TAG_formal_parameter) ||
          type_of(&var, DW_AT_type, &pointer) == NULL || dwarf_tag(&pointer) != DW_TAG_pointer_type ||
          type_of(&pointer, DW_AT_type, &target) == NULL || !is_struct(&target) ||
          dwarf_aggregate_size(&target, &target_size) != 0 || target_size != state_size)
        continue;
      Dwarf_Attribute attr;
      const char *name = dwarf_formstring(dwarf_attr_integrate(&var, DW_AT_name, &attr));
      if (name == NULL) continue;
      size_t len = (size_t)snprintf(buf, size, "%s", name);
      append_path(&target, off, "->", buf, size, leaf);
      named = strlen(buf) > len; /* not when the offset fell in padding */
      break;
    } while (dwarf_siblingof(&var, &var) == 0);
  }
  free(scopes);
  return named;
}

void jostle__trace_name_data(const jostle__control *c, const void *addr, const void *pc,
                             char *buf, size_t size, jostle__value_type *type) {
  *type = (jostle__value_type){JOSTLE__VALUE_UNKNOWN, 0};
  if (addr == NULL) {
    buf[0] = '\0';
    return;
  }
  uintptr_t a = (uintptr_t)addr, lo = (uintptr_t)c->run_state;
  if (a - lo < c->run_state_size) {
    if (pc == NULL || !name_state(pc, c->run_state_size, a - lo, buf, size, type)) {
      *type = (jostle__value_type){JOSTLE__VALUE_UNKNOWN, 0};
      snprintf(buf, size, "state+0x%zx", (size_t)(a - lo));
    }
    return;
  }
  Dwfl *dwfl = dwfl_for_self();
  Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, a) : NULL;
  GElf_Off off = 0;
  GElf_Sym sym;
  const char *name = mod ? dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL) : NULL;
  if (name != NULL)
    snprintf(buf, size, "%s+0x%llx", name, (unsigned long long)off);
  else
    snprintf(buf, size, "%p", addr);
}
