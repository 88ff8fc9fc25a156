/*
 * program_main.c: what jostle-cc links into an ordinary program (one with
 * its own main) with -Wl,--wrap=main,--wrap=exit,--wrap=_exit,--wrap=_Exit,
 * --wrap=quick_exit:
 * the program's main unless jostle started it (JOSTLE_SERVE, see
 * harness/program.h), and its exits, which end a run of the program. The
 * program's data lies between the markers of tools/program_begin.c and
 * tools/program_end.c, which jostle-cc links around its objects.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/program.h"

int __real_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp);
_Noreturn void __real_exit(int status);
_Noreturn void __wrap_exit(int status);
_Noreturn void __real__exit(int status);
_Noreturn void __wrap__exit(int status);
_Noreturn void __real__Exit(int status);
_Noreturn void __wrap__Exit(int status);
_Noreturn void __real_quick_exit(int status);
_Noreturn void __wrap_quick_exit(int status);

/* What `jostle run` looks for in a program before it starts it. */
__attribute__((used)) static const char mark[] = JOSTLE__SERVE_MARK;

extern char jostle__program_data_begin, jostle__program_data_end;
extern char jostle__program_bss_begin, jostle__program_bss_end;
extern _Thread_local char jostle__program_tdata_begin, jostle__program_tdata_end;
extern _Thread_local char jostle__program_tbss_begin, jostle__program_tbss_end;

static void tls_of_self(char **data, char **data_end, char **zero, char **zero_end) {
  *data = &jostle__program_tdata_begin;
  *data_end = &jostle__program_tdata_end;
  *zero = &jostle__program_tbss_begin;
  *zero_end = &jostle__program_tbss_end;
}

void jostle__program_image_of_self(jostle__program_image *image) {
  *image = (jostle__program_image){
      .data = &jostle__program_data_begin,
      .data_end = &jostle__program_data_end,
      .bss = &jostle__program_bss_begin,
      .bss_end = &jostle__program_bss_end,
      .tls = tls_of_self,
  };
}

/* The program's main in a libFuzzer target (jostle-cc --fuzz renames it),
 * where __real_main is libFuzzer's. */
__attribute__((weak)) int jostle_fuzz_main(int argc, char **argv, char **envp);

int __wrap_main(int argc, char **argv, char **envp) {
  const char *serve = getenv(JOSTLE__SERVE_ENV);
  if (serve == NULL) return __real_main(argc, argv, envp);
  /* the program's own children are the program's, not jostle's */
  char *mine = strdup(serve);
  unsetenv(JOSTLE__SERVE_ENV);
  if (mine == NULL) return 3;
  jostle__program_image image;
  jostle__program_image_of_self(&image);
  int status = jostle__program_serve(mine, jostle_fuzz_main ? jostle_fuzz_main : __real_main,
                                     &image, argc, argv, envp);
  free(mine);
  return status;
}

void __wrap_exit(int status) {
  jostle__program_exiting(status, 1);
  __real_exit(status);
}

void __wrap__exit(int status) {
  jostle__program_exiting(status, 0);
  __real__exit(status);
}

void __wrap__Exit(int status) {
  jostle__program_exiting(status, 0);
  __real__Exit(status);
}

/* Neither the exit handlers nor stdio's buffers (those of at_quick_exit
 * run in libc). */
void __wrap_quick_exit(int status) {
  jostle__program_exiting(status, 0);
  __real_quick_exit(status);
}
