/*
 * corpus_driver.c: runs a fuzz target of jostle's own inputs
 * (tests/fuzz_NAME.c) over saved inputs, without libFuzzer. make check
 * links each target with this file and runs it on its seed corpus,
 * tests/corpus/NAME/, saved crashes included:
 *
 *   build/tests/fuzz-NAME tests/corpus/NAME [FILE | DIR]...
 *
 * Each argument is a file, or a directory whose regular files are read in
 * sorted order (not its subdirectories). Every input is handed to
 * LLVMFuzzerTestOneInput exactly as libFuzzer would hand it: a buffer of
 * exactly its size, so that AddressSanitizer sees a read past the end. A
 * target's property fails by aborting; the driver then names the input it
 * was running before it dies. Exit status: 0 when every input ran, 1 when
 * an argument cannot be read or there is no input at all (an empty corpus
 * tests nothing and is a defect).
 *
 * Targets may silence stdout and stderr (the command-line target does), so
 * the driver keeps copies of both descriptors from before it calls the
 * target and writes its own lines there.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The target's property, and its optional set-up (libFuzzer's interface). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The sanitizers call this back before they end the process on a report. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static int out_fd = STDOUT_FILENO, err_fd = STDERR_FILENO;
/* The input being run, for the line a crash leaves behind. */
static const char *current;

static void write_all(int fd, const char *text) {
  for (size_t len = strlen(text); len > 0;) {
    ssize_t n = write(fd, text, len);
    if (n <= 0) return;
    text += n;
    len -= (size_t)n;
  }
}

/* Async-signal-safe: only write(2). */
static void name_current(void) {
  if (current == NULL) return;
  write_all(err_fd, "corpus_driver: the input that failed: ");
  write_all(err_fd, current);
  write_all(err_fd, "\n");
}

static void on_fatal_signal(int sig) {
  name_current();
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Under a sanitizer, it owns SIGSEGV and friends and reports through the
 * death callback; abort() from a broken property is SIGABRT either way. */
static void watch_crashes(void) {
  if (__sanitizer_set_death_callback != NULL) __sanitizer_set_death_callback(name_current);
  signal(SIGABRT, on_fatal_signal);
#ifndef JOSTLE_SANITIZER
  signal(SIGSEGV, on_fatal_signal);
  signal(SIGBUS, on_fatal_signal);
  signal(SIGFPE, on_fatal_signal);
  signal(SIGILL, on_fatal_signal);
#endif
}

/* Runs the target on the file at path; 0, or -1 after saying why not. */
static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    dprintf(err_fd, "corpus_driver: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, size = 0;
  uint8_t *buf = malloc(cap);
  for (size_t n; buf != NULL && (n = fread(buf + size, 1, cap - size, f)) > 0;) {
    size += n;
    if (size == cap) {
      uint8_t *grown = realloc(buf, cap * 2);
      if (grown == NULL) free(buf);
      buf = grown;
      cap *= 2;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (buf == NULL || bad) {
    dprintf(err_fd, "corpus_driver: cannot read %s: %s\n", path,
            buf == NULL ? "out of memory" : "read error");
    free(buf);
    return -1;
  }
  /* Exactly `size` bytes, as libFuzzer hands them: a read past the end is
   * then a heap overflow that AddressSanitizer reports. */
  uint8_t *data = malloc(size ? size : 1);
  if (data == NULL) {
    dprintf(err_fd, "corpus_driver: %s: out of memory\n", path);
    free(buf);
    return -1;
  }
  memcpy(data, buf, size);
  free(buf);
  current = path;
  LLVMFuzzerTestOneInput(data, size);
  current = NULL;
  free(data);
  return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs every regular file of directory dir, in sorted order; the number
 * run, or -1 after saying why not. */
static long run_dir(const char *dir) {
  struct dirent **names;
  int n = scandir(dir, &names, NULL, by_name);
  if (n < 0) {
    dprintf(err_fd, "corpus_driver: cannot list %s: %s\n", dir, strerror(errno));
    return -1;
  }
  long ran = 0;
  int failed = 0;
  for (int i = 0; i < n; i++) {
    char path[4096];
    struct stat st;
    int fits = snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) < (int)sizeof path;
    if (!fits) {
      dprintf(err_fd, "corpus_driver: %s/%s: path too long\n", dir, names[i]->d_name);
      failed = 1;
    } else if (!failed && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      if (run_file(path) != 0) failed = 1;
      else ran++;
    }
    free(names[i]);
  }
  free(names);
  return failed ? -1 : ran;
}

int main(int argc, char **argv) {
  /* Copies taken before the target's set-up, which may silence 1 and 2. */
  int fd = dup(STDOUT_FILENO);
  if (fd >= 0) out_fd = fd;
  fd = dup(STDERR_FILENO);
  if (fd >= 0) err_fd = fd;
  const char *prog = argc > 0 ? argv[0] : "corpus_driver";
  if (argc < 2) {
    dprintf(err_fd, "usage: %s FILE|DIR...\n"
                    "runs the fuzz target on each file, and on each regular file of each DIR\n",
            prog);
    return 1;
  }
  watch_crashes();
  /* The target may change argv (libFuzzer lets it): keep the arguments. */
  int n_args = argc - 1;
  char **args = argv + 1;
  if (LLVMFuzzerInitialize != NULL) LLVMFuzzerInitialize(&argc, &argv);

  long total = 0;
  for (int i = 0; i < n_args; i++) {
    struct stat st;
    if (stat(args[i], &st) != 0) {
      dprintf(err_fd, "%s: cannot read %s: %s\n", prog, args[i], strerror(errno));
      return 1;
    }
    if (S_ISDIR(st.st_mode)) {
      long ran = run_dir(args[i]);
      if (ran < 0) return 1;
      dprintf(out_fd, "%s: %ld inputs\n", args[i], ran);
      if (ran == 0) {
        dprintf(err_fd, "%s: %s holds no inputs: a corpus needs at least one\n", prog, args[i]);
        return 1;
      }
      total += ran;
    } else {
      if (run_file(args[i]) != 0) return 1;
      total++;
    }
  }
  if (total == 0) {
    dprintf(err_fd, "%s: no inputs\n", prog);
    return 1;
  }
  return 0;
}
