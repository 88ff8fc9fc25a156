/* main.c: the jostle binary, with every built-in scenario linked in. */
#include "jostle.h"

int main(int argc, char **argv) { return jostle_main(argc, argv); }
