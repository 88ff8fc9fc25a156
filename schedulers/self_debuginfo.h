/*
 * self_debuginfo.h: private to jostle. The running program's own ELF and
 * DWARF, through elfutils' libdwfl: what traces name code and data with,
 * and what a campaign's parent names a crashed worker's frames with (its
 * mappings are the worker's: it forked it).
 */
#ifndef JOSTLE_SELF_DEBUGINFO_H
#define JOSTLE_SELF_DEBUGINFO_H

#include <stddef.h>

#include <elfutils/libdwfl.h>

/* This process's modules, reported on first use; NULL when libdwfl
 * cannot read them. */
Dwfl *jostle__self_dwfl(void);

/* The compile unit of mod holding the code at `at`, and its bias; NULL
 * when there is none. libdwfl finds units through .debug_aranges, which
 * clang does not write: then each unit's own ranges are asked. */
Dwarf_Die *jostle__self_cu(Dwfl_Module *mod, Dwarf_Addr at, Dwarf_Addr *bias);

/* The source file and line of the code at `at`, the file relative to its
 * unit's compile directory when it lies inside it (gcc names it as it was
 * typed, clang joined to that directory: both give scenarios/counter.c,
 * on any machine); NULL when unknown. */
const char *jostle__self_line(Dwfl_Module *mod, Dwarf_Addr at, int *line);

/* A C++ name as its source spells it ("worker(int)" for _ZL6workeri), in
 * buf; name itself when it is none, or when the program has no C++
 * library to demangle it (a C program). A fuzz target's renamed main
 * (jostle-cc --fuzz) is "main". NULL stays NULL. */
const char *jostle__self_demangle(const char *name, char *buf, size_t size);

#endif
