/*
 * trace_names.c: names of code and data addresses for traces (see
 * trace_names.h).
 *
 * elfutils' libdwfl reads the program's own ELF and DWARF: code addresses
 * become file:line and function (when built with -g), data addresses the
 * symbol they fall in. An access to the run's state is named as the code
 * names it, `s->count` or `s->items[3].key`: among the variables in scope
 * at the access, the first pointer to a struct as large as the state gives
 * the member, and the member's type says how its value reads. A helper
 * that is handed a part of the state (`read_config(const struct config
 * *c)`) has no such pointer: there the first pointer to a struct type that
 * the state holds where the access falls names it, `c->max_conns`. Both
 * are guesses from types (the variables' values are not known), right
 * when the code has one pointer of the type in scope. Scopes are the
 * concrete ones at the access, through inlined calls, so that code inlined
 * into a thread's body still sees the body's variables. Only the thread
 * holding the baton calls these, so the lookup needs no lock.
 */
#include "schedulers/trace_names.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedulers/self_debuginfo.h"

static void name_code(const void *pc, char *buf, size_t size) {
  Dwfl *dwfl = jostle__self_dwfl();
  Dwarf_Addr at = (Dwarf_Addr)(uintptr_t)pc - 1;
  Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, at) : NULL;
  GElf_Off off = 0;
  GElf_Sym sym;
  char plain[256];
  const char *fn = jostle__self_demangle(
      mod ? dwfl_module_addrinfo(mod, at, &off, &sym, NULL, NULL, NULL) : NULL, plain,
      sizeof plain);
  int lineno = 0;
  const char *file = mod ? jostle__self_line(mod, at, &lineno) : NULL;
  if (file != NULL)
    snprintf(buf, size, "%s:%d (%s)", file, lineno, fn ? fn : "?");
  else if (fn != NULL) /* code without line information: where in its function, the
                          same in every process whatever the load address */
    snprintf(buf, size, "%s+0x%llx", fn, (unsigned long long)off + 1);
  else
    snprintf(buf, size, "%p", pc);
}

static void name_function(const void *fn, char *buf, size_t size) {
  buf[0] = '\0';
  Dwfl *dwfl = jostle__self_dwfl();
  Dwarf_Addr at = (Dwarf_Addr)(uintptr_t)fn;
  Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, at) : NULL;
  GElf_Off off = 0;
  GElf_Sym sym;
  const char *raw = mod ? dwfl_module_addrinfo(mod, at, &off, &sym, NULL, NULL, NULL) : NULL;
  static const char trampoline[] = "execute_native_thread_routine"; /* and its _compat */
  if (raw == NULL || off != 0 || strncmp(raw, trampoline, sizeof trampoline - 1) == 0) return;
  char plain[256];
  snprintf(buf, size, "%s", jostle__self_demangle(raw, plain, sizeof plain));
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
 * not the code's names), or with `whole` only down to the largest object
 * that starts at `off` (what a pointer to it points to). *leaf is the
 * scalar's type when byte `off` is its first. */
static void append_path(Dwarf_Die *type, Dwarf_Word off, const char *sep, char *buf,
                        size_t size, int whole, jostle__value_type *leaf) {
  size_t len = strlen(buf);
  if (len >= size || (whole && off == 0)) return;
  Dwarf_Die elem, child, mtype;
  Dwarf_Word esize;
  if (dwarf_tag(type) == DW_TAG_array_type && type_of(type, DW_AT_type, &elem) != NULL &&
      dwarf_aggregate_size(&elem, &esize) == 0 && esize > 0) {
    snprintf(buf + len, size - len, "[%llu]", (unsigned long long)(off / esize));
    append_path(&elem, off % esize, ".", buf, size, whole, leaf);
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
    append_path(&mtype, off - at, ".", buf, size, whole, leaf);
    return;
  } while (dwarf_siblingof(&child, &child) == 0);
}

#define MAX_SCOPES 32

/* The scopes containing pc, outermost (the unit) first: the function,
 * its blocks and the inlined calls down to the innermost. Unlike
 * dwarf_getscopes, which goes from an inlined body to its abstract
 * definition, this keeps the caller's scopes. Returns their number. */
static int scopes_at(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *scopes) {
  int n = 0;
  scopes[n++] = *cu;
  for (Dwarf_Die child; n < MAX_SCOPES && dwarf_child(&scopes[n - 1], &child) == 0;) {
    int found = 0;
    do {
      int tag = dwarf_tag(&child);
      found = (tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block ||
               tag == DW_TAG_inlined_subroutine) && dwarf_haspc(&child, pc) == 1;
    } while (!found && dwarf_siblingof(&child, &child) == 0);
    if (!found) break;
    scopes[n++] = child;
  }
  return n;
}

/* The struct a pointer variable points to; NULL when var is none. */
static Dwarf_Die *pointee_struct(Dwarf_Die *var, Dwarf_Die *mem) {
  Dwarf_Die pointer;
  int tag = dwarf_tag(var);
  if ((tag != DW_TAG_variable && tag != DW_TAG_formal_parameter) ||
      type_of(var, DW_AT_type, &pointer) == NULL || dwarf_tag(&pointer) != DW_TAG_pointer_type ||
      type_of(&pointer, DW_AT_type, mem) == NULL || !is_struct(mem))
    return NULL;
  return mem;
}

/* Where an object of type `part` that holds byte `off` of an object of
 * type `whole` starts in it; 0 when none does. */
static int part_at(Dwarf_Die *whole, Dwarf_Die *part, Dwarf_Word off, Dwarf_Word *at) {
  Dwarf_Die elem, child, mtype;
  Dwarf_Word esize;
  if (dwarf_dieoffset(whole) == dwarf_dieoffset(part)) {
    *at = 0;
    return 1;
  }
  if (dwarf_tag(whole) == DW_TAG_array_type && type_of(whole, DW_AT_type, &elem) != NULL &&
      dwarf_aggregate_size(&elem, &esize) == 0 && esize > 0) {
    if (!part_at(&elem, part, off % esize, at)) return 0;
    *at += off - off % esize;
    return 1;
  }
  if (!is_struct(whole) || dwarf_child(whole, &child) != 0) return 0;
  do {
    Dwarf_Attribute attr;
    Dwarf_Word start = 0, msize;
    if (dwarf_tag(&child) != DW_TAG_member || type_of(&child, DW_AT_type, &mtype) == NULL ||
        dwarf_aggregate_size(&mtype, &msize) != 0 ||
        (dwarf_attr(&child, DW_AT_data_member_location, &attr) != NULL &&
         dwarf_formudata(&attr, &start) != 0) ||
        off < start || off >= start + msize)
      continue;
    if (!part_at(&mtype, part, off - start, at)) return 0;
    *at += start;
    return 1;
  } while (dwarf_siblingof(&child, &child) == 0);
  return 0;
}

/* Where a `part` holding byte `off` of the state starts, in a struct of
 * the unit as large as the state that has one there; 0 when none has. */
static int part_of_state(Dwarf_Die *cu, size_t state_size, Dwarf_Die *part, Dwarf_Word off,
                         Dwarf_Word *at) {
  Dwarf_Die type;
  Dwarf_Word size;
  if (dwarf_child(cu, &type) != 0) return 0;
  do {
    if (is_struct(&type) && dwarf_aggregate_size(&type, &size) == 0 && size == state_size &&
        part_at(&type, part, off, at))
      return 1;
  } while (dwarf_siblingof(&type, &type) == 0);
  return 0;
}

/* var's name and the path to byte `off` of its `target` ("s->count");
 * with `whole`, a pointer to the largest object there ("&s->items[2]", or
 * "s" for the target itself). 0 when off fell in padding. */
static int name_through(Dwarf_Die *var, Dwarf_Die *target, Dwarf_Word off, char *buf,
                        size_t size, int whole, jostle__value_type *leaf) {
  Dwarf_Attribute attr;
  const char *name = dwarf_formstring(dwarf_attr_integrate(var, DW_AT_name, &attr));
  if (name == NULL) return 0;
  if (whole && off == 0) {
    snprintf(buf, size, "%s", name);
    return 1;
  }
  size_t len = (size_t)snprintf(buf, size, "%s%s", whole ? "&" : "", name);
  append_path(target, off, "->", buf, size, whole, leaf);
  return strlen(buf) > len;
}

/* Names byte `off` of the run's state as the code at pc does, "s->count"
 * or, in a helper given a part of the state, "c->max_conns" (`whole`: as
 * name_through); 0 when no variable in scope points to the state or to
 * such a part. */
static int name_state(const void *pc, size_t state_size, size_t off, char *buf, size_t size,
                      int whole, jostle__value_type *leaf) {
  Dwfl *dwfl = jostle__self_dwfl();
  Dwarf_Addr at = (Dwarf_Addr)(uintptr_t)pc - 1, bias;
  Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, at) : NULL;
  Dwarf_Die *cu = mod ? jostle__self_cu(mod, at, &bias) : NULL;
  Dwarf_Die scopes[MAX_SCOPES];
  int n = cu ? scopes_at(cu, at - bias, scopes) : 0;
  /* a pointer to the whole state first, innermost scope first; then one
   * to a part of it */
  for (int pass = 0; pass < 2; pass++) {
    for (int i = n - 1; i >= 0; i--) {
      Dwarf_Die var, target;
      Dwarf_Word target_size, start;
      if (dwarf_child(&scopes[i], &var) != 0) continue;
      do {
        if (pointee_struct(&var, &target) == NULL ||
            dwarf_aggregate_size(&target, &target_size) != 0)
          continue;
        if (pass == 0 && target_size == state_size)
          return name_through(&var, &target, off, buf, size, whole, leaf);
        if (pass == 1 && target_size < state_size &&
            part_of_state(cu, state_size, &target, off, &start))
          return name_through(&var, &target, off - start, buf, size, whole, leaf);
      } while (dwarf_siblingof(&var, &var) == 0);
    }
  }
  return 0;
}

/* The DIE of the variable at address `start` (its symbol's, named `name`)
 * among the top-level variables of mod's units, and its type in *type;
 * 0 when the DWARF has none. */
static int find_global_type(Dwfl_Module *mod, const char *name, GElf_Addr start,
                            Dwarf_Die *type) {
  Dwarf_Addr bias;
  Dwarf_Die *cu = NULL;
  while ((cu = dwfl_module_nextcu(mod, cu, &bias)) != NULL) {
    Dwarf_Die var;
    if (dwarf_child(cu, &var) != 0) continue;
    do {
      if (dwarf_tag(&var) != DW_TAG_variable) continue;
      const char *var_name = dwarf_diename(&var);
      Dwarf_Attribute attr;
      Dwarf_Op *ops;
      size_t n_ops;
      if (var_name == NULL || strcmp(var_name, name) != 0 ||
          dwarf_attr(&var, DW_AT_location, &attr) == NULL ||
          dwarf_getlocation(&attr, &ops, &n_ops) != 0 || n_ops != 1 ||
          ops[0].atom != DW_OP_addr || ops[0].number + bias != start)
        continue;
      return type_of(&var, DW_AT_type, type) != NULL;
    } while (dwarf_siblingof(&var, &var) == 0);
  }
  return 0;
}

/* find_global_type, remembered: a deadlock's text names its objects in
 * every run that ends in one, and looking through every unit takes long. */
#define GLOBALS_KEPT 64
typedef struct known_global {
  GElf_Addr start;
  int found;
  Dwarf_Die type;
} known_global;
static known_global globals[GLOBALS_KEPT];
static int n_globals;

static int global_type(Dwfl_Module *mod, const char *name, GElf_Addr start, Dwarf_Die *type) {
  for (int i = 0; i < n_globals; i++)
    if (globals[i].start == start) {
      *type = globals[i].type;
      return globals[i].found;
    }
  int found = find_global_type(mod, name, start, type);
  if (n_globals < GLOBALS_KEPT)
    globals[n_globals++] = (known_global){start, found, found ? *type : (Dwarf_Die){0}};
  return found;
}

/* The module whose data holds a. libdwfl knows a module by the pages
 * mapped from its file, so data past them (a large .bss: a program's big
 * arrays, libFuzzer's counters) is no module's to dwfl_addrmodule; a
 * loaded segment's size in memory covers it. */
typedef struct data_search {
  Dwarf_Addr a;
  Dwfl_Module *mod;
} data_search;

static int holds_data(Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr start,
                      void *arg) {
  (void)user, (void)name, (void)start;
  data_search *d = arg;
  Dwarf_Addr bias;
  Elf *elf = dwfl_module_getelf(mod, &bias);
  size_t n;
  if (elf == NULL || elf_getphdrnum(elf, &n) != 0) return DWARF_CB_OK;
  for (size_t i = 0; i < n; i++) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf, (int)i, &ph) != NULL && ph.p_type == PT_LOAD &&
        d->a - bias >= ph.p_vaddr && d->a - bias - ph.p_vaddr < ph.p_memsz) {
      d->mod = mod;
      return DWARF_CB_ABORT;
    }
  }
  return DWARF_CB_OK;
}

static Dwfl_Module *data_module(Dwfl *dwfl, Dwarf_Addr a) {
  Dwfl_Module *mod = dwfl_addrmodule(dwfl, a);
  if (mod != NULL) return mod;
  data_search d = {a, NULL};
  (void)dwfl_getmodules(dwfl, holds_data, &d, 0);
  return d.mod;
}

static void name_data(const jostle__control *c, const void *addr, const void *pc, char *buf,
                      size_t size, jostle__value_type *type) {
  *type = (jostle__value_type){JOSTLE__VALUE_UNKNOWN, 0};
  if (addr == NULL) {
    buf[0] = '\0';
    return;
  }
  uintptr_t a = (uintptr_t)addr, lo = (uintptr_t)c->run_state;
  if (a - lo < c->run_state_size) {
    if (pc == NULL || !name_state(pc, c->run_state_size, a - lo, buf, size, 0, type)) {
      *type = (jostle__value_type){JOSTLE__VALUE_UNKNOWN, 0};
      snprintf(buf, size, "state+0x%zx", (size_t)(a - lo));
    }
    return;
  }
  Dwfl *dwfl = jostle__self_dwfl();
  Dwfl_Module *mod = dwfl ? data_module(dwfl, a) : NULL;
  GElf_Off off = 0;
  GElf_Sym sym;
  char plain[256];
  const char *raw = mod ? dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL) : NULL;
  const char *name = jostle__self_demangle(raw, plain, sizeof plain);
  Dwarf_Die var_type;
  /* a global's element or member by the code's names: "forks[1]", "config.lock" */
  if (name != NULL && name == raw && global_type(mod, raw, a - off, &var_type)) {
    snprintf(buf, size, "%s", name);
    append_path(&var_type, off, ".", buf, size, 0, type);
    return;
  }
  if (name != NULL && off == 0) /* a global or static, at its start */
    snprintf(buf, size, "%s", name);
  else if (name != NULL)
    snprintf(buf, size, "%s+0x%llx", name, (unsigned long long)off);
  else
    snprintf(buf, size, "%p", addr);
}

static void name_pointer(const jostle__control *c, const void *addr, const void *pc,
                         char *buf, size_t size) {
  jostle__value_type ignored;
  size_t off = (size_t)((uintptr_t)addr - (uintptr_t)c->run_state);
  if (pc == NULL || !name_state(pc, c->run_state_size, off, buf, size, 1, &ignored))
    snprintf(buf, size, "&state+0x%zx", off);
}

/* Naming reads the DWARF through elfutils, whose own locks must be no
 * scheduling points of the thread that names (in a program jostle was
 * preloaded into, tools/preload.c, they reach the wrappers): while it
 * names, the thread is no run's. */
#define QUIETLY(call)                          \
  do {                                         \
    jostle__thread *was_ = jostle__self;       \
    jostle__self = NULL;                       \
    call;                                      \
    jostle__self = was_;                       \
  } while (0)

void jostle__trace_name_code(const void *pc, char *buf, size_t size) {
  QUIETLY(name_code(pc, buf, size));
}

void jostle__trace_name_function(const void *fn, char *buf, size_t size) {
  QUIETLY(name_function(fn, buf, size));
}

void jostle__trace_name_data(const jostle__control *c, const void *addr, const void *pc,
                             char *buf, size_t size, jostle__value_type *type) {
  QUIETLY(name_data(c, addr, pc, buf, size, type));
}

void jostle__trace_name_pointer(const jostle__control *c, const void *addr, const void *pc,
                                char *buf, size_t size) {
  QUIETLY(name_pointer(c, addr, pc, buf, size));
}
