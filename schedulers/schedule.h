/*
 * schedule.h: private to jostle. A schedule: the decisions of one
 * controlled run, in order, each the thread that a decision chose (the
 * thread to run next, or the waiter a signal wakes). Replaying the
 * decisions in order reproduces the run; the `replay` scheduler follows
 * them, and falls back to a fixed rule where an edited schedule names a
 * thread that cannot run (see replay.c).
 *
 * Schedule files keep a schedule with what is needed to replay it (the
 * scenario and its parameters) and what it did (the outcome). The format
 * is text, versioned and checksummed:
 *
 *   jostle-schedule 1
 *   scenario counter
 *   params threads=2 increments=1
 *   origin random seed 0x00000000000004d2
 *   outcome counter=1 (lost increments)
 *   verdict DIVERGENT
 *   spurious-wakeups 0
 *   decisions 6
 *   0 1 1 0 0 1
 *   checksum 0x8c1f3ba5d1e3a0f7
 *
 * Decisions are written 32 to a line. The checksum is FNV-1a (64-bit) over
 * every byte before the `checksum` line, so a truncated or edited file is
 * refused instead of replaying something else.
 */
#ifndef JOSTLE_SCHEDULE_H
#define JOSTLE_SCHEDULE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "common/text.h"

#define JOSTLE__SCHEDULE_VERSION 1
/* The most decisions a file may hold (a run has at most --step-limit
 * points, plus a decision per wake-up). */
#define JOSTLE__SCHEDULE_MAX 10000000ULL

/* A decision: a thread index, below JOSTLE_MAX_THREADS. */
typedef uint16_t jostle__decision;

typedef struct jostle__schedule {
  uint64_t n;             /* decisions held */
  uint64_t cap;           /* room for decisions */
  int overflow;           /* a recording needed more room than cap */
  jostle__decision d[];
} jostle__schedule;

/* A schedule with room for cap decisions in memory shared with child
 * processes (a worker records into it, the parent reads it after); NULL
 * when it cannot be mapped. */
jostle__schedule *jostle__schedule_shared(uint64_t cap);
void jostle__schedule_unshare(jostle__schedule *s);

/* A private copy of s's decisions, or NULL when out of memory. */
jostle__schedule *jostle__schedule_copy(const jostle__schedule *s);

/* Context switches: decisions that name another thread than the one
 * before. */
uint64_t jostle__schedule_switches(const jostle__schedule *s);

/* What a schedule file holds besides the decisions. */
typedef struct jostle__schedule_info {
  char scenario[64];
  char params[JOSTLE__PARAMS_MAX]; /* "threads=2 increments=1" */
  /* How it was made: "random seed 0x... depth 3", "replay of PATH, shrunk":
   * room for a path and a strategy's few options. */
  char origin[PATH_MAX + 256];
  char outcome[256];      /* as the run that wrote it saw it */
  char verdict[32];       /* its class: "DIVERGENT", "deadlock", ... */
  int spurious_wakeups;   /* the run modelled spurious wake-ups: 0 or 1 */
} jostle__schedule_info;

/* Writes s with info to path. Returns 0, or -1 with a one-line reason in
 * err. */
int jostle__schedule_save(const char *path, const jostle__schedule_info *info,
                          const jostle__schedule *s, char *err, size_t errsize);

/* Reads a schedule file made by jostle__schedule_save; every field is
 * checked: params must start with threads=N, and every decision must be
 * below JOSTLE_MAX_THREADS (a run's threads include those it creates). Returns the schedule (free() it), or NULL with a one-line
 * reason in err. */
jostle__schedule *jostle__schedule_load(const char *path, jostle__schedule_info *info,
                                        char *err, size_t errsize);

#endif
