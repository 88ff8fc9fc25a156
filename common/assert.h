/*
 * assert.h: private to jostle. An assertion for internal invariants that
 * NDEBUG does not remove: a broken invariant is a bug in jostle, and going
 * on would only report wrong numbers.
 */
#ifndef JOSTLE_ASSERT_H
#define JOSTLE_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define JOSTLE_ASSERT(expr)                                                  \
  do {                                                                       \
    if (!(expr)) {                                                           \
      fprintf(stderr, "jostle: internal error: %s:%d: assertion '%s' failed\n", \
              __FILE__, __LINE__, #expr);                                    \
      abort();                                                               \
    }                                                                        \
  } while (0)

#endif
