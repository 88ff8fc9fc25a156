/* args_echo.c: exits with its argument count, and 0 when its one argument
 * is "ok": the program's arguments reach its main. */
#include <string.h>

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "ok") == 0) return 0;
  return argc;
}
