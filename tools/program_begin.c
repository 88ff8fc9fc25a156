/*
 * program_begin.c: linked by jostle-cc before a program's own objects, as
 * tools/program_end.c is after them. The linker lays out each section's
 * input in command-line order, so the program's writable data, its
 * zeroed data and its thread-local variables lie between these markers
 * and jostle's own do not: what a run of the program may change, and what
 * goes back to its image between runs that share a process
 * (harness/program_reset.c).
 */
char jostle__program_data_begin = 1;
char jostle__program_bss_begin;
_Thread_local char jostle__program_tdata_begin = 1;
_Thread_local char jostle__program_tbss_begin;
