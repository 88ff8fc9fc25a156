/*
 * environment.h: private to jostle. The environment probe that fills the
 * metadata of report files (reports/formats.h keeps the type and formats
 * it; finding the values is the harness's).
 */
#ifndef JOSTLE_ENVIRONMENT_H
#define JOSTLE_ENVIRONMENT_H

#include "reports/formats.h"

/* Sets every field of m: the environment parts (jostle version, command
 * line from argv, start time now, host, compiler, commit, topology) as
 * found, the configuration parts to 0 for the caller to fill. The commit is
 * the JOSTLE_COMMIT macro when jostle was built with one, else the
 * environment's JOSTLE_COMMIT, else GITHUB_SHA, else what `git rev-parse
 * HEAD` says in the current folder (when git is on PATH and answers a
 * commit id), else "". The topology is
 * hwloc's as placement loads it (schedulers/placement.h). */
void jostle__environment_collect(jostle__report_meta *m, int argc, char **argv);

#endif
