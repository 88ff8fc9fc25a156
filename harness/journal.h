/*
 * journal.h: private to jostle. A soak's journal: the file DIR/journal.jsonl
 * that makes a soak resumable after anything, SIGKILL and power loss
 * included.
 *
 * The file is a header line, written whole before the first batch (as
 * journal.jsonl.tmp, flushed to disk and renamed), then one line appended
 * per finished batch: the runs it completed, as ranges of run indices, and
 * what they gave. Each line is "CRC32 JSON\n", the CRC-32 (IEEE) of the
 * JSON text in 8 hex digits, and is appended with one write() and
 * fdatasync()ed before the soak starts its next batch. So a soak killed
 * outright loses at most the batch in flight, whose line is missing or cut
 * short: the reader ignores a last line that is cut, or whose checksum does
 * not match, and truncates it away before appending again. Any other bad
 * line is damage, and the journal is refused.
 *
 * A journal holds one soak's batches, in order: each batch line names its
 * soak's campaign, the CRC-32 of the header's JSON (which holds the seed,
 * the arguments that choose the cells and the start time), and its batch
 * index, 0 on the first batch line and one more on each. A line that names
 * another campaign (two soaks wrote into one folder and one's header
 * replaced the other's), or whose index is not the next (two processes
 * appended to one journal), refuses the journal: its runs would be counted
 * under a seed that did not make them. One soak per folder is the lock's
 * to ensure (cli/soak.c); this check catches what the lock cannot see.
 */
#ifndef JOSTLE_JOURNAL_H
#define JOSTLE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "harness/runset.h"
#include "reports/result.h"

#define JOSTLE__JOURNAL_FILE "journal.jsonl"
#define JOSTLE__JOURNAL_VERSION 2

typedef struct jostle__journal jostle__journal;

/* What the soak was asked to do: enough to rebuild its cells. */
typedef struct jostle__journal_header {
  int n_args;
  char **args;                /* the soak's arguments after `soak`; the
                                 reader's are owned by the header */
  uint64_t seed;              /* the campaign seed it used */
  uint64_t started_unix_ns;   /* when it started */
  int n_program;
  char **program;             /* the program it soaks (its command line,
                                 argv[0] first), or none: scenarios */
} jostle__journal_header;

/* One finished batch. */
typedef struct jostle__batch {
  uint64_t index;             /* batches of the soak, counted from 0 */
  size_t cell;                /* the cell it ran, an index into the soak's */
  jostle__runset done;        /* the runs it completed */
  uint64_t soak_ns;           /* the soak's time used when it ended */
  /* Its results: scenario, scheduler and placement (to check the cell),
   * runs, divergent runs, elapsed time, time to the first divergence and
   * outcomes. */
  jostle__cell result;
} jostle__batch;

/* Called for each batch read, in order; returns 0, or -1 with a one-line
 * reason in err to refuse the journal. */
typedef int (*jostle__batch_fn)(void *ctx, const jostle__batch *b, char *err, size_t errsize);

/* Creates DIR/journal.jsonl with its header (DIR must exist and hold no
 * journal) and opens it for appending. Returns 0, or -1 with a one-line
 * reason in err. */
int jostle__journal_create(const char *dir, const jostle__journal_header *h,
                           jostle__journal **out, char *err, size_t errsize);

/* Reads the header of DIR/journal.jsonl into h; the caller frees it with
 * jostle__journal_header_free. Returns 0, or -1 with a one-line reason in
 * err (h then owns nothing). */
int jostle__journal_read_header(const char *dir, jostle__journal_header *h, char *err,
                                size_t errsize);

/* Reads DIR/journal.jsonl, passing each batch to `on_batch`, then drops a
 * cut last line and opens the journal for appending. Returns 0, or -1 with
 * a one-line reason in err. */
int jostle__journal_open(const char *dir, jostle__batch_fn on_batch, void *ctx,
                         jostle__journal **out, char *err, size_t errsize);

/* Appends batch b and flushes it to disk. Returns 0, or -1 with a one-line
 * reason in err. */
int jostle__journal_append(jostle__journal *j, const jostle__batch *b, char *err,
                           size_t errsize);

/* Closes the journal. */
void jostle__journal_close(jostle__journal *j);

/* Frees what a header read by jostle__journal_open owns. */
void jostle__journal_header_free(jostle__journal_header *h);

/* The CRC-32 (IEEE 802.3) of n bytes. */
uint32_t jostle__crc32(const void *data, size_t n);

#endif
