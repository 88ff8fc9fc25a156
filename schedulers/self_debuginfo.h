/*
 * self_debuginfo.h: private to jostle. The running program's own ELF and
 * DWARF, through elfutils' libdwfl: what traces name code and data with,
 * and what a campaign's parent names a crashed worker's frames with (its
 * mappings are the worker's: it forked it).
 */
#ifndef JOSTLE_SELF_DEBUGINFO_H
#define JOSTLE_SELF_DEBUGINFO_H

#include <elfutils/libdwfl.h>

/* This process's modules, reported on first use; NULL when libdwfl
 * cannot read them. */
Dwfl *jostle__self_dwfl(void);

#endif
