/*
 * program_reset.c: the state every run of a served program starts from,
 * and the way back to it (program_reset.h).
 */
#include "harness/program_reset.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/heap.h"
#include "harness/program_calls.h"
#include "schedulers/spares.h"

typedef struct range {
  char *at;
  size_t size;
  char *image;          /* the bytes at the mark */
} range;

static struct {
  range data, bss, tls, tls_zero;
  int *fds;             /* open at the mark, ascending */
  int n_fds;
  char why[160];
} mark;

static const char *keep(range *r, char *begin, char *end) {
  r->at = begin;
  r->size = (size_t)(end - begin);
  r->image = r->size ? malloc(r->size) : NULL;
  if (r->size && r->image == NULL) return "out of memory for the program's data";
  if (r->size) memcpy(r->image, begin, r->size);
  return NULL;
}

static void put_back(const range *r) {
  if (r->size) memcpy(r->at, r->image, r->size);
}

static int inside(const void *p, const range *r) {
  return (const char *)p >= r->at && (const char *)p < r->at + r->size;
}

/* The open descriptors, ascending, into *fds (malloc'd); their number, or
 * -1. */
static int open_fds(int **fds) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  int n = 0, cap = 64, self = dirfd(d);
  int *list = malloc((size_t)cap * sizeof *list);
  for (struct dirent *e; list != NULL && (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd == self) continue;
    if (n == cap) {
      int *more = realloc(list, (size_t)(cap *= 2) * sizeof *list);
      if (more == NULL) {
        free(list);
        list = NULL;
        break;
      }
      list = more;
    }
    list[n++] = fd;
  }
  closedir(d);
  if (list == NULL) return -1;
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && list[j - 1] > list[j]; j--) {
      int t = list[j];
      list[j] = list[j - 1];
      list[j - 1] = t;
    }
  *fds = list;
  return n;
}

const char *jostle__program_reset_mark(const jostle__program_image *image) {
  if (image->data == NULL || image->data_end < image->data || image->bss_end < image->bss)
    return "its data is not laid out as jostle-cc links it";
  const char *why = keep(&mark.data, image->data, image->data_end);
  if (why == NULL) why = keep(&mark.bss, image->bss, image->bss_end);
  /* jostle's own data must lie outside: a link that reordered sections */
  if (why == NULL && (inside(&mark, &mark.data) || inside(&mark, &mark.bss)))
    why = "its data is not laid out as jostle-cc links it";
  if (why == NULL && image->tls != NULL) {
    char *data, *data_end, *zero, *zero_end;
    image->tls(&data, &data_end, &zero, &zero_end);
    why = keep(&mark.tls, data, data_end);
    mark.tls_zero = (range){.at = zero, .size = (size_t)(zero_end - zero)};
    jostle__spares_tls = image->tls;
  }
  if (why == NULL && (mark.n_fds = open_fds(&mark.fds)) < 0)
    why = "its open descriptors cannot be listed (/proc/self/fd)";
  if (why != NULL) return why;
  jostle__heap_mark();
  jostle__program_calls_sharing = 1;
  jostle__spares_on = 1;
  return NULL;
}

/* A descriptor open now that was not at the mark, or -1. */
static int new_fd(void) {
  int *now, n = open_fds(&now);
  if (n < 0) return 0; /* cannot tell: take the unknown as a change */
  int found = -1;
  for (int i = 0, j = 0; i < n && found < 0; i++) {
    while (j < mark.n_fds && mark.fds[j] < now[i]) j++;
    if (j == mark.n_fds || mark.fds[j] != now[i]) found = now[i];
  }
  free(now);
  return found;
}

const char *jostle__program_reset(void) {
  if (jostle__spares_reap() > 0) return "a thread was still running when the program exited";
  int opened = jostle__program_calls_opened();
  const char *kept = jostle__program_calls_reset();
  put_back(&mark.data);
  put_back(&mark.bss);
  put_back(&mark.tls);
  if (mark.tls_zero.size) memset(mark.tls_zero.at, 0, mark.tls_zero.size);
  jostle__heap_reset();
  if (kept != NULL) {
    snprintf(mark.why, sizeof mark.why, "it called %s, whose effect a run cannot undo", kept);
    return mark.why;
  }
  int fd = opened ? new_fd() : -1;
  if (fd >= 0) {
    snprintf(mark.why, sizeof mark.why, "a run left descriptor %d open", fd);
    return mark.why;
  }
  return NULL;
}
