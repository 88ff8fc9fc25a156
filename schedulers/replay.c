/*
 * replay.c: the `replay` controlled scheduler. It follows a recorded
 * schedule (--schedule FILE): each decision names the thread to run next,
 * or the waiter a signal wakes. A schedule recorded from a run replays that
 * run exactly. An edited or shrunk schedule may name a thread that cannot
 * run at that moment, or end early: the current thread then goes on if it
 * can (at a yield, the next runnable thread after it does), else the
 * lowest-numbered runnable thread (jostle__control_pick_runnable).
 */
#include "schedulers/strategy.h"

static const char *replay_validate(const jostle__sched_cfg *cfg) {
  return cfg->replay ? NULL : "the replay scheduler follows a schedule: give --schedule FILE";
}

const jostle__sched_ops jostle__sched_replay = {
    .name = "replay",
    .summary = "controlled: follows a recorded schedule (--schedule FILE)",
    .follows_schedule = 1,
    .validate = replay_validate,
    .point = jostle__control_point,
    .pick = jostle__control_pick_runnable,
};
