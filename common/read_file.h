/*
 * read_file.h: private to jostle. Reads a whole file into memory, for the
 * formats jostle loads itself: schedule files, soak journals, fuzzer
 * inputs.
 */
#ifndef JOSTLE_READ_FILE_H
#define JOSTLE_READ_FILE_H

#include <stddef.h>

/* Reads all of `path`, at most `max` bytes, into a malloc'd buffer with a
 * NUL after its *len bytes. On failure (cannot open or read it, larger
 * than max, out of memory) returns NULL with err set to one line that
 * names the file. */
char *jostle__read_file(const char *path, size_t max, size_t *len, char *err, size_t errsize);

#endif
