/*
 * run.c: `jostle run [options] -- ./prog [args]`, and the `-- ./prog` of
 * `replay` and `stress`: a command on an ordinary program built with
 * jostle-cc. jostle starts the program with the command in JOSTLE_SERVE
 * (harness/program.h); the program's own copy of jostle then runs the
 * command, with the program as its one scenario. A dynamically linked
 * program that was not rebuilt gets its copy of jostle preloaded
 * (tools/preload.c).
 */
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/errors.h"
#include "common/read_file.h"
#include "harness/program.h"
#include "harness/program_stdin.h"

/* The largest program file jostle reads to look for jostle-cc's mark. */
#define PROGRAM_MAX (1u << 30)

static const char run_help[] =
    "usage: %s run [options] -- PROGRAM [ARGS...]\n"
    "\n"
    "Runs PROGRAM, an ordinary program with its own main built with jostle-cc\n"
    "(jostle-cc prog.c -o prog), many times and prints its outcome histogram, as\n"
    "`stress` does for a scenario. Every run is a fresh process that starts from\n"
    "the program's initial state, and reads the same standard input from its\n"
    "start (a terminal gives none). A run's outcome is its exit status (exit=0 is\n"
    "allowed, any other is divergent), its death by a signal (a crash, with the\n"
    "last line it wrote: an assert's message), or jostle's verdict: a deadlock,\n"
    "a step limit, a hang, a race (--races).\n"
    "\n"
    "a program's outcomes (run and replay):\n"
    "  --allow-exit LIST       the exit statuses that are allowed (0,3; default: 0)\n"
    "  --outcome REGEX         a run that exits with an allowed status has for\n"
    "                          outcome the first match of REGEX (POSIX extended,\n"
    "                          ^ and $ at each line) in what it wrote, or the\n"
    "                          match's groups: --outcome 'counter=[0-9]+'; a run\n"
    "                          in which nothing matches is divergent\n"
    "  --allow REGEX           with --outcome: the outcomes that are allowed, those\n"
    "                          REGEX matches whole (default: every one)\n"
    "\n"
    "Other options are those of `stress` (see `%s help stress`); the default\n"
    "scheduler is random, a controlled one, so that every divergent run\n"
    "replays exactly: `%s replay [options] --seed S -- PROGRAM [ARGS...]`.\n"
    "\n"
    "A dynamically linked program that was not rebuilt runs too, with jostle\n"
    "preloaded (LD_PRELOAD): a process per run, and controlled schedulers switch\n"
    "at its synchronisation calls only.\n"
    "\n"
    "exit codes: 0 no divergence, 1 divergence found, 2 bad usage or input (a\n"
    "            statically linked program that was not built with jostle-cc),\n"
    "            3 internal error, 4 interrupted\n";

void jostle__help_run(void) {
  printf(run_help, jostle__prog, jostle__prog, jostle__prog);
}

/* The index of "--" in argv, or -1. */
int jostle__program_split(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--") == 0) return i;
  return -1;
}

/* path, or the file PATH finds for it: malloc'd, NULL when none. */
static char *locate(const char *path) {
  if (strchr(path, '/') != NULL) return strdup(path);
  const char *dirs = getenv("PATH");
  if (dirs == NULL) dirs = "/usr/bin:/bin";
  for (const char *d = dirs;;) {
    const char *end = strchr(d, ':');
    size_t n = end ? (size_t)(end - d) : strlen(d);
    char *full;
    if (asprintf(&full, "%.*s/%s", (int)n, n ? d : ".", path) < 0) return NULL;
    if (access(full, X_OK) == 0) return full;
    free(full);
    if (end == NULL) return NULL;
    d = end + 1;
  }
}

/* Why a program that was not rebuilt (its len bytes at `bytes`) cannot
 * have jostle preloaded, or NULL: it must be an ELF program that the
 * dynamic linker starts. */
static const char *preload_refused(const char *bytes, size_t len) {
  Elf64_Ehdr eh;
  if (len < sizeof eh || memcmp(bytes, ELFMAG, SELFMAG) != 0) return "it is no ELF program";
  memcpy(&eh, bytes, sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
    return "it is no x86-64 program";
  for (size_t i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    size_t at = eh.e_phoff + i * eh.e_phentsize;
    if (eh.e_phentsize < sizeof ph || at > len || len - at < sizeof ph) break;
    memcpy(&ph, bytes + at, sizeof ph);
    if (ph.p_type == PT_INTERP) return NULL;
  }
  return "it is statically linked, so jostle cannot be preloaded into it";
}

/* The preload library: beside this jostle (a build tree) or in ../lib (an
 * installed one). 0, or -1 when there is none. */
static int preload_library(char *buf, size_t size) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return -1;
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (slash == NULL) return -1;
  *slash = '\0';
  const char *const where[] = {"%s/" JOSTLE__PRELOAD_LIB, "%s/../lib/" JOSTLE__PRELOAD_LIB};
  for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
    if (snprintf(buf, size, where[i], self) < (int)size && access(buf, R_OK) == 0) return 0;
  return -1;
}

/* The program's environment preloads lib, first; what LD_PRELOAD held
 * goes on after it, and is kept for the program's own children. */
static int preload(const char *lib) {
  const char *was = getenv("LD_PRELOAD");
  char *list;
  if (asprintf(&list, "%s%s%s", lib, was && *was ? " " : "", was ? was : "") < 0) return -1;
  int rc = setenv(JOSTLE__PRELOAD_WAS_ENV, was ? was : "", 1) | setenv("LD_PRELOAD", list, 1);
  free(list);
  return rc;
}

int jostle__program_start(const char *typed, const char *cmd, int argc, char **argv,
                          int split, int default_random) {
  if (split + 1 >= argc)
    return jostle__usage_error("%s: give the program after --: %s %s [options] -- PROGRAM "
                               "[ARGS...]", typed, jostle__prog, typed);
  const char *path = argv[split + 1];
  char *file = locate(path);
  if (file == NULL) return jostle__usage_error("%s: no program '%s' (not found in PATH)", typed,
                                               path);
  char err[256];
  size_t len;
  char *bytes = jostle__read_file(file, PROGRAM_MAX, &len, err, sizeof err);
  if (bytes == NULL) {
    free(file);
    return jostle__usage_error("%s: %s", typed, err);
  }
  const char mark[] = JOSTLE__SERVE_MARK;
  int marked = memmem(bytes, len, mark, sizeof mark - 1) != NULL;
  const char *why_not = marked ? NULL : preload_refused(bytes, len);
  free(bytes);
  char lib[PATH_MAX];
  if (why_not == NULL && !marked && preload_library(lib, sizeof lib) != 0)
    why_not = "this jostle has no " JOSTLE__PRELOAD_LIB " to preload (a sanitizer build "
              "has none)";
  if (why_not != NULL) {
    free(file);
    return jostle__usage_error("%s: %s was not built with jostle-cc, and %s: rebuild it "
                               "(jostle-cc prog.c -o prog)", typed, path, why_not);
  }
  if (!marked && preload(lib) != 0) {
    free(file);
    return jostle__internal_error("out of memory");
  }
  /* The command's words, as the program's jostle will read them. */
  size_t size = strlen(cmd) + 32;
  int has_scheduler = 0;
  for (int i = 1; i < split; i++) {
    size += strlen(argv[i]) + 1;
    if (strchr(argv[i], JOSTLE__SERVE_SEP) != NULL) {
      free(file);
      return jostle__usage_error("%s: option %d holds a byte 0x1f, which jostle cannot pass "
                                 "on", typed, i);
    }
    if (strncmp(argv[i], "--scheduler", 11) == 0) has_scheduler = 1;
  }
  char *serve = malloc(size);
  if (serve == NULL) {
    free(file);
    return jostle__internal_error("out of memory");
  }
  size_t at = (size_t)snprintf(serve, size, "%s", cmd);
  if (default_random && !has_scheduler)
    at += (size_t)snprintf(serve + at, size - at, "%c--scheduler=random", JOSTLE__SERVE_SEP);
  for (int i = 1; i < split; i++)
    at += (size_t)snprintf(serve + at, size - at, "%c%s", JOSTLE__SERVE_SEP, argv[i]);
  if (setenv(JOSTLE__SERVE_ENV, serve, 1) != 0) {
    free(serve);
    free(file);
    return jostle__internal_error("out of memory");
  }
  free(serve);
  const char *input = jostle__program_stdin_take();
  if (input != NULL) {
    unsetenv(JOSTLE__SERVE_ENV);
    free(file);
    return jostle__usage_error("%s: %s", typed, input);
  }
  fflush(NULL);
  execv(file, argv + split + 1);
  int e = errno;
  unsetenv(JOSTLE__SERVE_ENV);
  jostle__usage_error("%s: cannot run %s: %s", typed, path, strerror(e));
  free(file);
  return EXIT_USAGE;
}

int jostle__cmd_run(int argc, char **argv) {
  /* in the program jostle run started: the campaign, as stress runs it */
  if (jostle__program_served != NULL) return jostle__stress_as("run", argc, argv);
  int split = jostle__program_split(argc, argv);
  for (int i = 1; i < (split < 0 ? argc : split); i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      jostle__help_run();
      return EXIT_CLEAN;
    }
  if (split < 0)
    return jostle__usage_error("run: give the program after --: %s run [options] -- PROGRAM "
                               "[ARGS...]", jostle__prog);
  return jostle__program_start("run", "run", argc, argv, split, 1);
}
