/*
 * program_end.c: the markers after a program's own objects (see
 * tools/program_begin.c).
 */
char jostle__program_data_end = 1;
char jostle__program_bss_end;
_Thread_local char jostle__program_tdata_end = 1;
_Thread_local char jostle__program_tbss_end;
