/*
 * program_stdin.h: private to jostle. A program's standard input, the
 * same for every run: each run reads it from its beginning, as the first
 * would, whichever worker runs it and however many runs read it before.
 *
 * `jostle run` (and replay, stress, soak of a program) takes the input
 * before it starts the program: a terminal gives way to /dev/null (a run
 * waiting for the terminal would be a hang of jostle's making); a pipe or
 * socket is read to its end and kept in a file named by its contents,
 * $TMPDIR/jostle-input-HASH, which reproduce lines name (a memory file
 * where none can be written); a regular file read from its start and other
 * devices stay as they are. Each worker opens the file again, for an
 * offset of its own, and each run starts at 0.
 */
#ifndef JOSTLE_PROGRAM_STDIN_H
#define JOSTLE_PROGRAM_STDIN_H

#include <stddef.h>

/* In jostle, before it starts the program: NULL, or what is wrong (one
 * line). Says once on stderr when a pipe keeps it waiting. */
const char *jostle__program_stdin_take(void);

/* In a worker, before its first run. */
void jostle__program_stdin_own(void);

/* Before each run, in the process that runs it or the one it is forked
 * from: the input from its beginning, stdin's buffer dropped. */
void jostle__program_stdin_rewind(void);

/* The file the input comes from when a reproduce line can name it (a
 * regular file), into buf; else buf is "". */
void jostle__program_stdin_file(char *buf, size_t size);

#endif
