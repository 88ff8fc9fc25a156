#!/bin/sh
# tests/programs.sh BUILD: program mode. The ordinary programs of
# tests/programs/ (plain C with main, pthreads and assert, no jostle in
# them), built by make as jostle-cc builds them, run under `jostle run`:
# the racy ones are found under the controlled schedulers and their
# reproduce lines replay the same outcome; the fixed twins stay clean
# under every scheduler; every run starts from the program's initial
# state; exits, crashes and deadlocks are outcomes of the program; bad
# input is one line and exit 2. The run counts are fixed seeds' (each
# controlled campaign's counts are a function of its seed); JOSTLE_SOAK=N
# multiplies the clean runs, CLEAN_RUNS (500) sets them (the sanitizer
# builds, whose runs are slower, use 100), RESET_RUNS (100,000) the runs of
# one seed in one process (10,000 there).
set -eu
# a run reads standard input whole: the caller's is none of the tests' business
exec </dev/null
build=${1:-build}
jostle="$build/jostle"
progs="$build/programs"
soak=${JOSTLE_SOAK:-1}
clean_runs=$((${CLEAN_RUNS:-500} * soak))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
fail() { echo "programs: FAIL: $*" >&2; exit 1; }
pass() { passed=$((passed + 1)); echo "ok $passed - $*"; }

# run EXPECTED_STATUS OUT ARGS...: jostle run, its status checked
run() {
  want=$1 out=$2
  shift 2
  set +e
  "$jostle" run --no-progress "$@" >"$tmp/$out" 2>"$tmp/$out.err"
  status=$?
  set -e
  [ $status -eq "$want" ] ||
    { cat "$tmp/$out" "$tmp/$out.err"; fail "jostle run $*: exit $status, expected $want"; }
  # a sanitizer's report about jostle's own code (sanitizer builds)
  ! grep -qE 'WARNING: ThreadSanitizer|runtime error:|ERROR: (Leak|Address)Sanitizer' \
    "$tmp/$out.err" || { cat "$tmp/$out.err"; fail "jostle run $*: a sanitizer's report"; }
}

# all_exit_0 OUT WHAT: every run in $tmp/OUT exited 0, else fails saying so
# of WHAT
all_exit_0() {
  grep -q "^  exit=0 .* 100\.000% " "$tmp/$1" ||
    { cat "$tmp/$1"; fail "$2: not exit=0 in every run"; }
}

# replay_line LINE OUT: runs a printed reproduce line (jostle replay ...)
# with this build's jostle, into $tmp/OUT; its exit status in $status
replay_line() {
  set +e
  eval "$(echo "$1" | sed "s|^jostle |\"$jostle\" |")" >"$tmp/$2" 2>&1
  status=$?
  set -e
}

# Under ThreadSanitizer's build the programs are not instrumented for
# jostle (its runtime owns the hooks): controlled runs switch at
# synchronisation calls only, so the finds that need a switch between two
# plain accesses are not checked there.
uninstrumented=${UNINSTRUMENTED:-0}

# 1. A lost update with an assert: found under random, pct and auto (whose
#    reproduce line names the member that found it), as a crash whose text
#    is the assert's message; its reproduce line replays it.
racy_scheds="random pct auto"
[ "$uninstrumented" = 0 ] || racy_scheds=""
for sched in $racy_scheds; do
  run 1 racy-$sched --scheduler $sched -n 1000 --seed 1 -j 1 --until-divergence \
    -- "$progs/bank_racy"
  grep -q "^  crash (SIGABRT): .*bank_racy.c:[0-9]*: main: Assertion .* failed\\. .*crash" \
    "$tmp/racy-$sched" || { cat "$tmp/racy-$sched"; fail "bank_racy under $sched: no crash"; }
  line=$(sed -n 's/^reproduce: //p' "$tmp/racy-$sched" | head -n 1)
  case "$line" in
  *" replay "*"--scheduler auto "*) fail "bank_racy under $sched: reproduce line '$line'" ;;
  *" replay "*" --seed 0x"*" -- $progs/bank_racy") ;;
  *) fail "bank_racy under $sched: reproduce line '$line'" ;;
  esac
  set +e
  eval "$(echo "$line" | sed "s|^jostle |\"$jostle\" |")" >"$tmp/replay-$sched" 2>&1
  status=$?
  set -e
  [ $status -eq 1 ] || { cat "$tmp/replay-$sched"; fail "replay of bank_racy: exit $status"; }
  grep -q "^outcome: crash (SIGABRT): .*Assertion" "$tmp/replay-$sched" ||
    { cat "$tmp/replay-$sched"; fail "replay of bank_racy under $sched: not the crash"; }
  pass "bank_racy found under $sched, and replayed"
done

# 1b. A barrier that does not count worker 0 (phases_racy: pthread_once
#     and barriers), and a lost update among C11 threads (c11_racy: mtx,
#     cnd, thrd_create and thrd_join): both found under random and pct,
#     as the assert's crash, replayed from the reproduce line.
for prog in $([ "$uninstrumented" = 0 ] && echo phases_racy c11_racy); do
  for sched in random pct; do
    run 1 $prog-$sched --scheduler $sched -n 1000 --seed 1 -j 1 --until-divergence \
      -- "$progs/$prog"
    grep -q "^  crash (SIGABRT): .*$prog.c:[0-9]*: main: Assertion .* failed\\. .*crash" \
      "$tmp/$prog-$sched" || { cat "$tmp/$prog-$sched"; fail "$prog under $sched: no crash"; }
    line=$(sed -n 's/^reproduce: //p' "$tmp/$prog-$sched" | head -n 1)
    set +e
    eval "$(echo "$line" | sed "s|^jostle |\"$jostle\" |")" >"$tmp/replay-$prog" 2>&1
    set -e
    grep -q "^outcome: crash (SIGABRT): .*$prog.c:[0-9]*: main: Assertion" "$tmp/replay-$prog" ||
      { cat "$tmp/replay-$prog"; fail "$prog under $sched: '$line' does not replay the crash"; }
  done
  pass "$prog is found under random and pct and replays"
done

# 1c. The classic bugs as whole programs (dining philosophers, a bounded
#     buffer that waits with if, lazy initialisation without once,
#     check-then-insert, publishing before filling, a pool whose shutdown
#     drops queued tasks): each found under random and pct within 10,000
#     runs, its reproduce line replaying the same outcome. Under
#     ThreadSanitizer's build, where plain accesses and atomics are no
#     points, only those whose bug lies between synchronisation calls.
classics="philosophers_racy buffer_racy insert_racy shutdown_racy cxx_registry_racy"
[ "$uninstrumented" = 1 ] || classics="$classics lazy_racy publish_racy"
for prog in $classics; do
  for sched in random pct; do
    run 1 $prog-$sched --scheduler $sched -n 10000 --seed 1 -j 1 --until-divergence \
      -- "$progs/$prog"
    found=$(sed -n 's/^  \(.*[^ ]\)  *[0-9][0-9,]*  *[0-9.][0-9.]*%  *\(crash\|deadlock\|DIVERGENT\)  .*/\1/p' \
      "$tmp/$prog-$sched" | head -n 1)
    [ -n "$found" ] || { cat "$tmp/$prog-$sched"; fail "$prog under $sched: not found in 10,000 runs"; }
    line=$(sed -n 's/^reproduce: //p' "$tmp/$prog-$sched" | head -n 1)
    set +e
    eval "$(echo "$line" | sed "s|^jostle |\"$jostle\" |")" >"$tmp/replay-$prog" 2>&1
    set -e
    grep -qxF "outcome: $found" "$tmp/replay-$prog" ||
      { cat "$tmp/replay-$prog"; fail "$prog under $sched: '$line' does not replay '$found'"; }
  done
  pass "$prog is found under random and pct and replays"
done

# 2. The trace of a program's run names its own code and variables.
if [ "$uninstrumented" = 0 ]; then
"$jostle" replay --scheduler random --seed 0x1 --trace -- "$progs/bank_racy" \
  >"$tmp/trace" 2>&1 || true
grep -q "accounts\[[01]\]  .*bank_racy.c:[0-9]* (teller)" "$tmp/trace" ||
  { head -30 "$tmp/trace"; fail "the trace does not name accounts and teller"; }
pass "a program's trace names its variables and functions"
fi

# 2a. A C++ program's trace names its code as its source does (demangled),
#     its own functions and the C++ library's.
if [ "$uninstrumented" = 0 ]; then
"$jostle" replay --scheduler random --seed 0x1 --trace -- "$progs/cxx_registry_racy" \
  >"$tmp/trace-cxx" 2>&1 || true
grep -q "  pthread_once  .*once  .* (worker(int))$" "$tmp/trace-cxx" &&
  grep -q "  pthread_create  .* std::thread::_M_start_thread(" "$tmp/trace-cxx" &&
  ! grep -q " (_Z" "$tmp/trace-cxx" ||
  { head -40 "$tmp/trace-cxx"; fail "the C++ trace does not name once, worker(int) and std::thread"; }
pass "a C++ program's trace names its code as its source does"
fi

# 2b. A program's run saved as a schedule replays from it; the schedule
#     names the threads the program created.
if [ "$uninstrumented" = 0 ]; then
"$jostle" replay --scheduler random --seed 0x1 --save-schedule "$tmp/run.schedule" \
  -- "$progs/bank_racy" >"$tmp/saved" 2>&1 || true
set +e
"$jostle" replay --schedule "$tmp/run.schedule" -- "$progs/bank_racy" >"$tmp/from-schedule" 2>&1
set -e
grep -q "^recorded: .*: the same$" "$tmp/from-schedule" ||
  { cat "$tmp/saved" "$tmp/from-schedule"; fail "a program's saved schedule does not replay"; }
pass "a program's saved schedule replays the same outcome"
fi

# 3. Fixed twins: never flagged, under every scheduler. (Under
#    ThreadSanitizer's build, under free and noise, a C11 thread started by
#    the C library itself is one its runtime does not know, and the
#    runtime's own background thread keeps alive a process whose main
#    called pthread_exit.)
for prog in bank_fixed lock_order_fixed exit_thread phases_fixed c11_fixed detach_exit main_exit \
  philosophers_fixed buffer_fixed lazy_fixed insert_fixed publish_fixed shutdown_fixed \
  cxx_registry_fixed; do
  scheds="random pct pos surw auto free noise"
  case "$uninstrumented $prog" in
  "1 c11_fixed" | "1 main_exit") scheds="random pct pos surw auto" ;;
  esac
  for sched in $scheds; do
    run 0 clean --scheduler $sched -n $clean_runs --seed 7 -- "$progs/$prog"
    grep -q "^  exit=0 *$clean_runs " "$tmp/clean" ||
      { cat "$tmp/clean"; fail "$prog under $sched: not $clean_runs runs of exit=0"; }
  done
  pass "$prog: $clean_runs runs of exit=0 under each scheduler"
done

# 3a. --races: a data race the exit status does not show is the run's
#     outcome, named by the program's own variable and lines, with the
#     exit status kept as the check's; its reproduce line replays it. The
#     fixed twins have none.
if [ "$uninstrumented" = 0 ]; then
  for sched in random pct pos; do
    run 1 races-$sched --scheduler $sched --races -n 20 --seed 2 -- "$progs/hits_racy"
    grep -q "^  race on hits: write at tests/programs/hits_racy.c:[0-9]* (visitor) vs read at tests/programs/hits_racy.c:[0-9]* (visitor)  *20 " \
      "$tmp/races-$sched" || { cat "$tmp/races-$sched"; fail "hits_racy under $sched --races: no race"; }
    grep -q "the check: exit=0, allowed (the check judged 0 of its 20 runs divergent)" \
      "$tmp/races-$sched" || { cat "$tmp/races-$sched"; fail "hits_racy: the exit status is not kept"; }
    grep -q "^WARNING: DATA RACE on hits$" "$tmp/races-$sched" ||
      { cat "$tmp/races-$sched"; fail "hits_racy under $sched: no full report"; }
    line=$(sed -n 's/^reproduce: //p' "$tmp/races-$sched" | head -n 1)
    set +e
    eval "$(echo "$line" | sed "s|^jostle |\"$jostle\" |")" >"$tmp/race-replay" 2>&1
    set -e
    grep -q "^outcome: race on hits: " "$tmp/race-replay" ||
      { cat "$tmp/race-replay"; fail "hits_racy's race does not replay from '$line'"; }
  done
  run 0 no-races -n 50 --seed 2 -- "$progs/hits_racy"
  for prog in phases_racy c11_racy; do
    run 1 races-$prog --scheduler random --races -n 20 --seed 2 -- "$progs/$prog"
    grep -q "^  race on " "$tmp/races-$prog" || { cat "$tmp/races-$prog"; fail "$prog --races: no race"; }
  done
  for prog in bank_fixed lock_order_fixed exit_thread phases_fixed c11_fixed detach_exit main_exit; do
    for sched in random pct pos; do
      run 0 clean-races --scheduler $sched --races -n $clean_runs --seed 7 -- "$progs/$prog"
    done
  done
  pass "--races: a program's race is found and replays; the fixed twins have none"
fi

# 3b. surw profiles a program's calibration run, which ends in the
#     program's exit in a process of its own: order_print's histogram
#     under surw is not random's for the same seed (without a profile surw
#     walks as random does), and it is the same with one worker or two
#     (each makes its own profile) and with a process per run.
hist() { grep "^  order=" "$tmp/$1" | awk '{print $1, $2}'; }
run 0 surw-1 --scheduler surw -n 300 --seed 1 -j 1 --outcome '^order=[AB]+$' -- "$progs/order_print"
run 0 surw-2 --scheduler surw -n 300 --seed 1 -j 2 --outcome '^order=[AB]+$' -- "$progs/order_print"
run 0 surw-random --scheduler random -n 300 --seed 1 -j 1 --outcome '^order=[AB]+$' -- "$progs/order_print"
JOSTLE_PROGRAM_RUNS=fork "$jostle" run --no-progress --scheduler surw -n 300 --seed 1 -j 2 \
  --outcome '^order=[AB]+$' -- "$progs/order_print" >"$tmp/surw-fork" 2>&1
[ -n "$(hist surw-1)" ] && [ "$(hist surw-1)" = "$(hist surw-2)" ] &&
  [ "$(hist surw-1)" = "$(hist surw-fork)" ] && [ "$(hist surw-1)" != "$(hist surw-random)" ] ||
  { cat "$tmp/surw-1" "$tmp/surw-2" "$tmp/surw-fork" "$tmp/surw-random"
    fail "surw on a program: no profile, or one that depends on the worker"; }
pass "surw profiles a program's runs, the same in every worker"

# 4. Each run starts from the program's initial state: exit_code exits 3
#    when its global counter of runs is not 0 as loaded. Its lost update
#    is its exit status, 1, a divergent outcome.
want=1
[ "$uninstrumented" = 0 ] || want=0
run $want exit-code --scheduler random -n 2000 --seed 5 -- "$progs/exit_code"
grep -q "exit=3" "$tmp/exit-code" && { cat "$tmp/exit-code"; fail "a run saw an earlier run's state"; }
[ "$uninstrumented" = 1 ] || grep -q "^  exit=1 .*DIVERGENT" "$tmp/exit-code" ||
  { cat "$tmp/exit-code"; fail "exit_code's exit 1 is not divergent"; }
grep -q "^  exit=0 .*allowed" "$tmp/exit-code" || fail "exit_code's exit 0 is not allowed"
pass "every run starts from the initial state; an exit status is the outcome"

# 4b. quick_exit ends a run as exit does, with its status.
for s in random pct; do
  run 0 quick-exit-$s --scheduler $s -n 200 --seed 3 -- "$progs/quick_exit"
  grep -q "^  exit=0 .* 200 100.000%  allowed" "$tmp/quick-exit-$s" ||
    { cat "$tmp/quick-exit-$s"; fail "quick_exit under $s: not exit=0 in every run"; }
done
pass "quick_exit ends a run with its status"

# 4c. Runs that share a worker's process start from the program's initial
#     state. fresh_state checks, as it starts, its data, zeroed data,
#     thread-locals (main's and a new thread's), arguments, errno, rand,
#     getopt, exit handlers and a signal disposition, changes them all,
#     leaves heap blocks allocated, and exits with a signature of its first
#     heap address: one outcome under every scheduler, the one of runs in
#     processes of their own (JOSTLE_PROGRAM_RUNS=fork), and the runs kept
#     sharing the process.
fresh="$progs/fresh_state -v -n 3"
set +e
JOSTLE_PROGRAM_RUNS=fork "$jostle" run --no-progress --scheduler random -n 20 --seed 2 \
  -- $fresh >"$tmp/fresh-fork" 2>&1
set -e
signature=$(sed -n 's/^  \(exit=[0-9]*\) .* 100\.000% .*/\1/p' "$tmp/fresh-fork")
[ -n "$signature" ] || { cat "$tmp/fresh-fork"; fail "fresh_state in a process per run: not one exit"; }
for sched in free random pct pos surw; do
  want=1
  [ "$signature" = exit=0 ] && want=0
  run $want fresh-$sched --scheduler $sched -n $clean_runs --seed 2 -- $fresh
  grep -q "^  $signature .* 100\.000% " "$tmp/fresh-$sched" ||
    { cat "$tmp/fresh-$sched"; fail "fresh_state under $sched: not $signature in every run"; }
  ! grep -q "every run is a process of its own" "$tmp/fresh-$sched.err" ||
    { cat "$tmp/fresh-$sched.err"; fail "fresh_state under $sched: its runs stopped sharing"; }
done
pass "runs sharing a process start from the initial state (fresh_state, every scheduler)"

# 4d. A run is the same function of its seed in a shared process as in a
#     process of its own: interleave exits with a fingerprint of the order
#     its threads took a lock (up to 256 outcomes), and the histograms of
#     both ways, outcome by outcome with their counts and first seeds, are
#     equal under every controlled scheduler.
rows() { grep -E "^  (exit=|crash|hang|deadlock|step-limit|limit)" "$1" | sort; }
for sched in random pct pos surw; do
  set +e
  "$jostle" run --no-progress --scheduler $sched -n 1000 --seed 9 \
    -- "$progs/interleave" >"$tmp/il-shared" 2>&1
  JOSTLE_PROGRAM_RUNS=fork "$jostle" run --no-progress --scheduler $sched -n 1000 --seed 9 \
    -- "$progs/interleave" >"$tmp/il-fork" 2>&1
  set -e
  rows "$tmp/il-shared" >"$tmp/il-shared.rows"
  rows "$tmp/il-fork" >"$tmp/il-fork.rows"
  [ "$(wc -l <"$tmp/il-shared.rows")" -gt 1 ] ||
    { cat "$tmp/il-shared"; fail "interleave under $sched: one outcome only"; }
  diff "$tmp/il-shared.rows" "$tmp/il-fork.rows" >"$tmp/il.diff" ||
    { cat "$tmp/il.diff"; fail "interleave under $sched: a shared process and a process per run differ"; }
done
pass "each run is the same function of its seed, shared or in a process of its own"

# 4e. The reset is exact after many runs: RESET_RUNS (100,000) runs of one
#     seed in one worker all end as the run of that seed in a fresh process
#     (replay), for two seeds of interleave under random.
reset_runs=${RESET_RUNS:-100000}
for seed in $(sed -n 's/^  exit=[0-9]* .* \(0x[0-9a-f]*\)$/\1/p' "$tmp/il-shared" | head -n 2); do
  set +e
  "$jostle" replay --scheduler random --seed "$seed" -- "$progs/interleave" >"$tmp/il-replay" 2>&1
  set -e
  outcome=$(sed -n 's/^outcome: //p' "$tmp/il-replay")
  [ -n "$outcome" ] || { cat "$tmp/il-replay"; fail "replay of interleave: no outcome"; }
  want=1
  [ "$outcome" = exit=0 ] && want=0
  run $want il-many --scheduler random -j 1 -n "$reset_runs" --run-seed "$seed" \
    -- "$progs/interleave"
  grep -q "^  $outcome .* 100\.000% " "$tmp/il-many" ||
    { cat "$tmp/il-many"; fail "interleave seed $seed: not $outcome in all $reset_runs runs"; }
done
pass "$reset_runs runs of one seed in one process end as a fresh process's run of it"

# 4f. What a reset cannot undo is said in one line, and later runs get
#     processes of their own: exit_thread's worker calls exit while main
#     waits for it, under free, where jostle cannot end main.
run 0 forks --scheduler free -n 50 -- "$progs/exit_thread"
grep -q "^  exit=0 *50 " "$tmp/forks" || { cat "$tmp/forks"; fail "exit_thread under free: not 50 runs of exit=0"; }
grep -q "^jostle: exit-thread: from now on every run is a process of its own (slower): a thread other than main called exit while main ran$" \
  "$tmp/forks.err" || { cat "$tmp/forks.err"; fail "exit_thread under free: no line saying why runs stopped sharing"; }
pass "a program whose runs cannot share a process is told so, and runs on"

# 4g. Sleeps take no time under a controlled scheduler: sleepy_fixed
#     sleeps an hour four ways (sleep, usleep, nanosleep, clock_nanosleep)
#     and spins on a lock that backs off with sleep(0); every run ends with
#     exit 0, none is a hang (real sleeps would be one, after --timeout).
for sched in random pct pos surw auto; do
  run 0 sleepy-$sched --scheduler $sched -n $clean_runs --seed 4 --timeout 30s \
    -- "$progs/sleepy_fixed"
  all_exit_0 sleepy-$sched "sleepy_fixed under $sched"
done
pass "sleeps are virtual time under every controlled scheduler"

# 4g2. The clocks read that virtual time: clocks_fixed checks that its
#      20 ms sleep took 20 ms, that a timed wait nobody ends returns at its
#      deadline, and waits 1 ms on the clock alone. Under every controlled
#      scheduler every run exits 0 and reads the same start time
#      (2026-01-01 00:00:00 UTC); under free, real time, it exits 0 too.
for sched in random pct pos surw auto; do
  run 0 clocks-$sched --scheduler $sched -n 40 --seed 4 --outcome '^started=.*$' \
    -- "$progs/clocks_fixed"
  grep -q "^  started=1767225600 time=0  *40 100\.000% " "$tmp/clocks-$sched" ||
    { cat "$tmp/clocks-$sched"; fail "clocks_fixed under $sched: not 40 runs of the same time"; }
done
run 0 clocks-free --scheduler free -n 40 --seed 4 -- "$progs/clocks_fixed"
all_exit_0 clocks-free "clocks_fixed under free"
pass "a controlled run's clocks read its virtual time, the same in every run"

# 4g3. A program's alarm rings in its run's time: alarm_fixed asks for
#      SIGALRM in a second and naps 100 ms at a time until it rings. Under
#      every controlled scheduler it rings after the tenth nap of every run
#      (a real alarm would ring a real second later, after the assert on
#      100 naps); under free, in real time, it exits 0 too.
for sched in random pct pos surw auto; do
  run 0 alarm-$sched --scheduler $sched -n 40 --seed 4 --outcome '^naps=.*$' \
    -- "$progs/alarm_fixed"
  grep -q "^  naps=10  *40 100\.000% " "$tmp/alarm-$sched" ||
    { cat "$tmp/alarm-$sched"; fail "alarm_fixed under $sched: not 40 runs of naps=10"; }
done
run 0 alarm-free --scheduler free -n 2 --seed 4 -- "$progs/alarm_fixed"
all_exit_0 alarm-free "alarm_fixed under free"
pass "a program's alarm rings in its run's virtual time"

# 4g4. Threads that talk through pipes: pipe_fixed's consumer reads what
#      its producer writes and answers through a pipe that main polls.
#      Under a controlled scheduler a read that would wait lets the other
#      threads run; every run exits 0 under every scheduler (before, a
#      reader scheduled first waited in the kernel with the baton, and the
#      run was a hang).
for sched in free noise random pct pos surw auto; do
  run 0 pipe-$sched --scheduler $sched -n $((clean_runs / 5)) --seed 4 --timeout 30s \
    -- "$progs/pipe_fixed"
  all_exit_0 pipe-$sched "pipe_fixed under $sched"
done
pass "threads that talk through pipes run under every scheduler"

# 4h. No false alarm at a real program's scale: many_fixed (500 threads,
#     100 of them detached, 5,000 mutexes, a barrier of 400, sleeps) ends
#     with exit 0 in every run under every scheduler.
many_runs=$((clean_runs / 25))
for sched in free noise random pct pos surw auto; do
  run 0 many-$sched --scheduler $sched -n $many_runs --seed 4 --timeout 60s \
    -- "$progs/many_fixed"
  all_exit_0 many-$sched "many_fixed under $sched"
done
pass "500 threads, 5,000 mutexes, a barrier and sleeps: clean under every scheduler"

# 4h2. A thread on a stack the program gives it (pthread_attr_setstack)
#      runs on that stack, and one that asks for a stack larger than the
#      default gets it: stacks ends with exit 0 under every scheduler (a
#      spare's own stack made its check fail in every run).
for sched in free noise random pct pos surw auto; do
  run 0 stacks-$sched --scheduler $sched -n 20 --seed 4 -- "$progs/stacks"
  all_exit_0 stacks-$sched "stacks under $sched"
done
pass "threads run on the stacks their attributes give"

# 4b. A start-up longer than the step limit (300,000 stores by main alone)
#     is no step-limit: a lone thread's points count 1 in 100.
for sched in random pct; do
  run 0 startup-$sched --scheduler $sched -n 5 --seed 1 -- "$progs/long_startup"
  grep -q "^  exit=0 *5 " "$tmp/startup-$sched" ||
    { cat "$tmp/startup-$sched"; fail "long_startup under $sched: not 5 runs of exit=0"; }
done
pass "a long start-up alone is no step-limit"

# 5. A lock-order deadlock is a deadlock, naming the threads by their
#    functions (transfer, philosopher) and the mutexes by the program's own
#    names alone (account_lock[0], forks[2]), one
#    row per deadlock: lock_order's two threads can take the locks in
#    either order, yet the text is one, under every controlled scheduler.
for sched in random pct pos; do
  run 1 deadlock --scheduler $sched -n 300 --seed 3 -- "$progs/lock_order"
  [ "$(grep -c "^  deadlock (" "$tmp/deadlock")" -eq 1 ] &&
    grep -q "^  deadlock (thread 0 waits for thread 1 to finish; thread 1 (transfer) waits for account_lock\[[01]\] held by thread 2; thread 2 (transfer) waits for account_lock\[[01]\] held by thread 1) " \
    "$tmp/deadlock" || { cat "$tmp/deadlock"; fail "lock_order under $sched: not one named deadlock"; }
done
run 1 deadlock --scheduler random -n 300 --seed 3 -- "$progs/philosophers_racy"
grep -q "^  deadlock (.*thread 1 (philosopher) waits for forks\[[0-2]\] held by thread [0-9].*) " \
  "$tmp/deadlock" || { cat "$tmp/deadlock"; fail "philosophers_racy: the forks are not named"; }
run 1 deadlock --scheduler random -n 100 --seed 3 -- "$progs/lock_order_big"
grep -q "^  deadlock (.*thread 1 (transfer) waits for bank\.lock\[[01]\] held by thread 2; .*) " \
  "$tmp/deadlock" || { cat "$tmp/deadlock"; fail "lock_order_big: locks past the file's pages are not named"; }
pass "a deadlock of a program's threads is found, its threads and mutexes named as the program names them"

# 6. The program's arguments reach its main, and its reproduce line.
run 0 args -n 20 -- "$progs/args_echo" ok
run 1 args2 -n 20 -- "$progs/args_echo" 'a b' c
grep -q "^  exit=3 *20 " "$tmp/args2" || { cat "$tmp/args2"; fail "args_echo: not exit=3"; }
grep -q "^reproduce: .* -- $progs/args_echo 'a b' c$" "$tmp/args2" ||
  { cat "$tmp/args2"; fail "args_echo: reproduce line without its arguments"; }
pass "arguments reach main and the reproduce line"

# 6b. --allow-exit: a program whose success is another status. args_echo
#     exits 3 with two arguments: allowed with --allow-exit 0,3 (jostle
#     exits 0), divergent with --allow-exit 0,4, whose reproduce line keeps
#     the option and replays to the same verdict; a bad list, or the option
#     on a scenario, is one line and exit 2.
run 0 allow3 -n 20 --allow-exit 0,3 -- "$progs/args_echo" 'a b' c
grep -q "^  exit=3 .* allowed " "$tmp/allow3" || { cat "$tmp/allow3"; fail "--allow-exit 0,3: exit=3 not allowed"; }
run 1 allow4 -n 20 --allow-exit 0,4 -- "$progs/args_echo" 'a b' c
line=$(sed -n 's/^reproduce: //p' "$tmp/allow4" | head -n 1)
case "$line" in
*" --allow-exit 0,4 -- $progs/args_echo 'a b' c") ;;
*) fail "--allow-exit 0,4: reproduce line '$line'" ;;
esac
replay_line "$line" allow4-replay
[ $status -eq 1 ] && grep -q "^verdict: DIVERGENT" "$tmp/allow4-replay" ||
  { cat "$tmp/allow4-replay"; fail "--allow-exit 0,4: the replay is not divergent"; }
run 2 allow-bad -n 20 --allow-exit 0,x -- "$progs/args_echo"
[ "$(wc -l <"$tmp/allow-bad.err")" -eq 1 ] && grep -q "bad --allow-exit '0,x'" "$tmp/allow-bad.err" ||
  { cat "$tmp/allow-bad.err"; fail "--allow-exit 0,x: not one line"; }
set +e
"$jostle" stress --allow-exit 0 counter >"$tmp/allow-scn" 2>&1
status=$?
set -e
[ $status -eq 2 ] && grep -q "only a program has exit statuses" "$tmp/allow-scn" ||
  { cat "$tmp/allow-scn"; fail "--allow-exit on a scenario: exit $status"; }
pass "--allow-exit names the allowed exit statuses, and reproduce lines keep it"

# 6b2. --outcome REGEX takes a run's outcome from what the program wrote
#      (order_print prints order=AB or order=BA, as the schedule had it):
#      a histogram of both, each allowed; with --allow AB, BA is divergent,
#      what its first run wrote is kept, and its reproduce line keeps both
#      options and replays to BA; a process per run gives the same
#      histogram; a run in which nothing matches is divergent; a bad
#      regex, --allow alone and --outcome on a scenario are one line and
#      exit 2.
run 0 printed -n 200 --seed 1 -j 1 --outcome '^order=[AB]+$' -- "$progs/order_print"
grep -q "^  order=AB .* allowed " "$tmp/printed" && grep -q "^  order=BA .* allowed " "$tmp/printed" &&
  ! grep -q "^  exit=" "$tmp/printed" || { cat "$tmp/printed"; fail "--outcome: not order=AB and order=BA"; }
run 1 printed-allow -n 200 --seed 1 -j 1 --outcome '^order=([AB]+)$' --allow AB -- "$progs/order_print"
grep -q "^  AB .* allowed " "$tmp/printed-allow" && grep -q "^  BA .* DIVERGENT " "$tmp/printed-allow" &&
  grep -q "^    | order=BA$" "$tmp/printed-allow" ||
  { cat "$tmp/printed-allow"; fail "--outcome with --allow AB: BA not divergent, or its output not kept"; }
line=$(sed -n 's/^reproduce: //p' "$tmp/printed-allow" | head -n 1)
case "$line" in
*" --outcome '^order=([AB]+)\$' --allow AB -- $progs/order_print") ;;
*) fail "--outcome: reproduce line '$line'" ;;
esac
replay_line "$line" printed-replay
[ $status -eq 1 ] && grep -q "^outcome: BA$" "$tmp/printed-replay" ||
  { cat "$tmp/printed-replay"; fail "--outcome: the replay is not BA"; }
JOSTLE_PROGRAM_RUNS=fork "$jostle" run --no-progress -n 200 --seed 1 -j 1 \
  --outcome '^order=([AB]+)$' --allow AB -- "$progs/order_print" >"$tmp/printed-fork" 2>&1 || true
[ "$(grep "^  [AB]" "$tmp/printed-allow")" = "$(grep "^  [AB]" "$tmp/printed-fork")" ] ||
  { cat "$tmp/printed-allow" "$tmp/printed-fork"; fail "--outcome: a process per run gives another histogram"; }
run 1 printed-none -n 20 --outcome 'total=[0-9]+' -- "$progs/order_print"
grep -q "^  exit=0 (nothing it wrote matched --outcome) .* DIVERGENT " "$tmp/printed-none" ||
  { cat "$tmp/printed-none"; fail "--outcome matching nothing: not divergent"; }
for bad in "--outcome (" "--allow AB"; do
  run 2 printed-bad -n 20 $bad -- "$progs/order_print"
  [ "$(wc -l <"$tmp/printed-bad.err")" -eq 1 ] && grep -q -- "--allow REGEX judges\|bad --outcome '('" \
    "$tmp/printed-bad.err" || { cat "$tmp/printed-bad.err"; fail "$bad: not one line"; }
done
set +e
"$jostle" stress --outcome x counter >"$tmp/printed-scn" 2>&1
status=$?
set -e
[ $status -eq 2 ] && [ "$(wc -l <"$tmp/printed-scn")" -eq 1 ] &&
  grep -q "only a program prints its outcome" "$tmp/printed-scn" ||
  { cat "$tmp/printed-scn"; fail "--outcome on a scenario: exit $status"; }
pass "--outcome takes the outcome from what the program wrote, --allow judges it"

# 6b3. Every run reads the same standard input, from its start: read_input
#      prints items=3 bytes=19 for its three lines, in every run, whether
#      the input is a file or a pipe, the runs share a process or not, under
#      a controlled scheduler or free, with two workers; a reproduce line
#      names the file (for a pipe, the file jostle kept it in), and replays
#      it; no input is none for every run.
printf 'first\nsecond\nthird\n' >"$tmp/input"
for sched in random free; do
  for runs in shared fork; do
    JOSTLE_PROGRAM_RUNS=$runs "$jostle" run --no-progress -n 300 --seed 1 -j 2 \
      --scheduler $sched --outcome '^items=.*$' -- "$progs/read_input" <"$tmp/input" \
      >"$tmp/input-file" 2>&1 || { cat "$tmp/input-file"; fail "read_input: exit $?"; }
    grep -q "^  items=3 bytes=19  *300 " "$tmp/input-file" ||
      { cat "$tmp/input-file"; fail "read_input < file ($sched, $runs): not 300 runs of items=3"; }
    printf 'first\nsecond\nthird\n' | JOSTLE_PROGRAM_RUNS=$runs "$jostle" run --no-progress \
      -n 300 --seed 1 -j 2 --scheduler $sched --outcome '^items=.*$' -- "$progs/read_input" \
      >"$tmp/input-pipe" 2>&1 || { cat "$tmp/input-pipe"; fail "read_input: exit $?"; }
    grep -q "^  items=3 bytes=19  *300 " "$tmp/input-pipe" ||
      { cat "$tmp/input-pipe"; fail "read_input from a pipe ($sched, $runs): not 300 runs of items=3"; }
  done
done
run 1 input-allow -n 5 --seed 1 -j 1 --outcome '^items=.*$' --allow 'items=0.*' \
  -- "$progs/read_input" <"$tmp/input"
line=$(sed -n 's/^reproduce: //p' "$tmp/input-allow" | head -n 1)
case "$line" in
*" -- $progs/read_input < $tmp/input") ;;
*) fail "read_input: the reproduce line does not name the input: '$line'" ;;
esac
replay_line "$line" input-replay
[ $status -eq 1 ] && grep -q "^outcome: items=3 bytes=19$" "$tmp/input-replay" ||
  { cat "$tmp/input-replay"; fail "read_input: the replay of '$line'"; }
# from a pipe: the input is kept in a file named by its contents, which the
# reproduce line names, and the same input is the same file
for i in 1 2; do
  printf 'first\nsecond\nthird\n' | TMPDIR=$tmp "$jostle" run --no-progress -n 5 --seed 1 -j 1 \
    --outcome '^items=.*$' --allow 'items=0.*' -- "$progs/read_input" >"$tmp/input-kept" 2>&1 ||
    [ $? -eq 1 ] || { cat "$tmp/input-kept"; fail "read_input from a pipe: exit $?"; }
done
line=$(sed -n 's/^reproduce: //p' "$tmp/input-kept" | head -n 1)
case "$line" in
*" -- $progs/read_input < $tmp/jostle-input-"????????????????) ;;
*) { cat "$tmp/input-kept"; fail "read_input from a pipe: the reproduce line names no input: '$line'"; } ;;
esac
[ "$(ls "$tmp" | grep -c '^jostle-input-')" -eq 1 ] ||
  { ls "$tmp"; fail "read_input: one input kept in two files"; }
replay_line "$line" input-replay-kept
[ $status -eq 1 ] && grep -q "^outcome: items=3 bytes=19$" "$tmp/input-replay-kept" ||
  { cat "$tmp/input-replay-kept"; fail "read_input: the replay of '$line'"; }
run 0 input-none -n 100 --seed 1 -j 2 --outcome '^items=.*$' -- "$progs/read_input"
grep -q "^  items=0 bytes=0  *100 " "$tmp/input-none" ||
  { cat "$tmp/input-none"; fail "read_input with no input: not 100 runs of items=0"; }
pass "every run reads the same standard input from its start; reproduce lines name its file"

# 6c. jostle soak takes a program after --: every cell of its scheduler
#     set runs the program, the reports name it, the racy one's soak exits 1
#     and the fixed one's 0, and --resume DIR -- PROGRAM goes on, as does
#     --resume DIR alone (the journal names the program). (The racy
#     one is insert_racy, whose bug lies between synchronisation calls: it
#     is found in every build.)
set +e
"$jostle" soak --no-progress --duration 2s --scheduler-set random,free --out "$tmp/soak-fixed" \
  -- "$progs/bank_fixed" >"$tmp/soak-fixed.out" 2>&1
fixed_status=$?
"$jostle" soak --no-progress --duration 2s --scheduler-set random,pct --out "$tmp/soak-racy" \
  -- "$progs/insert_racy" >"$tmp/soak-racy.out" 2>&1
racy_status=$?
"$jostle" soak --no-progress --resume "$tmp/soak-racy" -- "$progs/insert_racy" \
  >"$tmp/soak-resumed.out" 2>&1
resumed_status=$?
"$jostle" soak --no-progress --resume "$tmp/soak-fixed" >"$tmp/soak-plain-resume.out" 2>&1
plain_resume_status=$?
set -e
[ $plain_resume_status -eq 0 ] && grep -q "^result bank-fixed .*divergent=0 .*scheduler=free" \
  "$tmp/soak-plain-resume.out" ||
  { cat "$tmp/soak-plain-resume.out"; fail "soak --resume DIR of a program's soak: exit $plain_resume_status"; }
[ $fixed_status -eq 0 ] && grep -q "^result bank-fixed .*divergent=0 .*scheduler=random" "$tmp/soak-fixed.out" &&
  grep -q "^result bank-fixed .*divergent=0 .*scheduler=free" "$tmp/soak-fixed.out" ||
  { cat "$tmp/soak-fixed.out"; fail "soak of bank_fixed: exit $fixed_status"; }
[ $racy_status -eq 1 ] && grep -q "^  crash (SIGABRT): .*insert_racy.c:[0-9]*: main: Assertion" "$tmp/soak-racy.out" ||
  { cat "$tmp/soak-racy.out"; fail "soak of insert_racy: exit $racy_status"; }
grep -q '"program": " -- '"$progs"'/insert_racy"' "$tmp/soak-racy/results.json" ||
  fail "soak of insert_racy: results.json does not name the program"
[ $resumed_status -eq 1 ] && grep -q "^result insert-racy " "$tmp/soak-resumed.out" ||
  { cat "$tmp/soak-resumed.out"; fail "soak --resume of insert_racy: exit $resumed_status"; }
pass "jostle soak runs a program, and resumes it"

# 7. The same binary is the user's program when jostle does not start it.
"$progs/args_echo" ok || fail "args_echo ok, run on its own: not exit 0"
set +e
"$progs/args_echo" x y >/dev/null 2>&1
status=$?
set -e
[ $status -eq 3 ] || fail "args_echo x y, run on its own: exit $status, expected 3"
pass "the program runs as itself when run on its own"

# 8. JSON keeps the program: a report of it reproduces with the program.
run 1 json -n 50 --seed 1 --json "$tmp/r.json" -- "$progs/args_echo" a
grep -q '"program": " -- .*args_echo a"' "$tmp/r.json" || fail "the JSON has no program"
"$jostle" report "$tmp/r.json" >"$tmp/report" || true
grep -q "^reproduce: .* -- $progs/args_echo a$" "$tmp/report" ||
  { cat "$tmp/report"; fail "the report of the JSON lost the program"; }
pass "JSON results keep the program"

# 9. Bad input: one line, exit 2.
printf '#!/bin/sh\nexit 0\n' >"$tmp/script"
chmod +x "$tmp/script"
for args in "-- $tmp/script" "-- $tmp/no-such-program" "-n 5" "--"; do
  set +e
  # shellcheck disable=SC2086
  "$jostle" run $args >"$tmp/bad" 2>"$tmp/bad.err"
  status=$?
  set -e
  [ $status -eq 2 ] || fail "jostle run $args: exit $status, expected 2"
  [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] || { cat "$tmp/bad.err"; fail "jostle run $args: not one line"; }
done
"$jostle" run -- "$tmp/script" 2>&1 | grep -q "was not built with jostle-cc" ||
  fail "a program not built with jostle-cc is not named as such"
# an option of another command, as the program's jostle reads it: named as typed
run 2 wrong-command --input x -- "$progs/bank_fixed"
grep -qx "jostle: run: '--input' is an option of replay, not of run (see 'jostle run --help')" \
  "$tmp/wrong-command.err" || { cat "$tmp/wrong-command.err"; fail "an error of jostle run names another command"; }
pass "bad input is one line and exit 2"

# 10. A program that was not rebuilt (cc, c++), dynamically linked: jostle
#     is preloaded. Each says so in one line: runs are processes of their
#     own, and controlled schedulers switch at its synchronisation calls
#     only. A lost update between two critical sections (insert_racy, in C;
#     cxx_registry_racy, through the C++ library's own threads and mutexes)
#     is found under random and pct and replays from its reproduce line,
#     and the replay's trace names the program's mutex and lines; a lock-order
#     deadlock is found; the fixed twin stays clean under every scheduler;
#     every run reads the same standard input; --races, and a statically linked program, are refused in one line.
#     Sanitizer builds have no preload library: the refusal says so.
cc -O2 -g -pthread tests/programs/bank_fixed.c -o "$tmp/native_bank_fixed"
if [ ! -e "$build/libjostle-preload.so" ]; then
  run 2 native-none -n 5 -- "$tmp/native_bank_fixed"
  [ "$(wc -l <"$tmp/native-none.err")" -eq 1 ] &&
    grep -q "has no libjostle-preload.so" "$tmp/native-none.err" ||
    { cat "$tmp/native-none.err"; fail "no preload library: not said in one line"; }
  pass "without a preload library, a program that was not rebuilt is refused in one line"
else
  cc -O2 -g -pthread tests/programs/insert_racy.c -o "$tmp/native_insert_racy"
  cc -O2 -g -pthread tests/programs/lock_order.c -o "$tmp/native_lock_order"
  c++ -std=c++17 -O2 -g -pthread tests/programs/cxx_registry_racy.cpp -o "$tmp/native_cxx_registry"
  for prog in native_insert_racy native_cxx_registry; do
    for sched in random pct; do
      run 1 $prog-$sched --scheduler $sched -n 2000 --seed 1 -j 1 --until-divergence \
        -- "$tmp/$prog"
      grep -q "^jostle: .*: not rebuilt with jostle-cc: the controlled schedulers switch at its synchronisation calls only" \
        "$tmp/$prog-$sched.err" &&
        grep -q "^jostle: .*: as it is, every run is a process of its own (slower): it was not rebuilt with jostle-cc$" \
          "$tmp/$prog-$sched.err" || { cat "$tmp/$prog-$sched.err"; fail "$prog: the preload is not said"; }
      grep -q "^  crash (SIGABRT): .*Assertion .* crash " "$tmp/$prog-$sched" ||
        { cat "$tmp/$prog-$sched"; fail "$prog under $sched: not found in 2,000 runs"; }
      line=$(sed -n 's/^reproduce: //p' "$tmp/$prog-$sched" | head -n 1)
      set +e
      eval "$(echo "$line" | sed "s|^jostle replay |\"$jostle\" replay --trace |")" \
        >"$tmp/replay-$prog" 2>&1
      status=$?
      set -e
      [ $status -eq 1 ] && grep -q "^outcome: crash (SIGABRT): .*Assertion" "$tmp/replay-$prog" &&
        grep -q "  pthread_mutex_lock  *mutex#[0-9]* lock  .*\.[ch]:[0-9]* ([a-z]" "$tmp/replay-$prog" ||
        { cat "$tmp/replay-$prog"; fail "$prog under $sched: '$line' does not replay, traced"; }
    done
  done
  run 1 native-deadlock -n 200 --seed 1 -- "$tmp/native_lock_order"
  grep -q "^  deadlock (.*waits for account_lock\[[01]\] held by thread .*) .* deadlock " "$tmp/native-deadlock" ||
    { cat "$tmp/native-deadlock"; fail "native lock_order: no deadlock"; }
  for sched in random pct pos surw auto free noise; do
    run 0 native-clean --scheduler $sched -n 200 --seed 7 -- "$tmp/native_bank_fixed"
    grep -q "^  exit=0 *200 " "$tmp/native-clean" ||
      { cat "$tmp/native-clean"; fail "native bank_fixed under $sched: not 200 runs of exit=0"; }
  done
  cc -O2 -g -pthread tests/programs/read_input.c -o "$tmp/native_read_input"
  run 0 native-input -n 100 -j 2 --outcome '^items=.*$' -- "$tmp/native_read_input" <"$tmp/input"
  grep -q "^  items=3 bytes=19  *100 " "$tmp/native-input" ||
    { cat "$tmp/native-input"; fail "native read_input < file: not 100 runs of items=3"; }
  run 2 native-races --races -n 5 -- "$tmp/native_bank_fixed"
  [ "$(wc -l <"$tmp/native-races.err")" -eq 1 ] &&
    grep -q -- "--races needs a program rebuilt with jostle-cc" "$tmp/native-races.err" ||
    { cat "$tmp/native-races.err"; fail "--races on a program not rebuilt: not one line"; }
  if cc -static -O2 -pthread tests/programs/bank_fixed.c -o "$tmp/static_bank" 2>/dev/null; then
    run 2 native-static -n 5 -- "$tmp/static_bank"
    [ "$(wc -l <"$tmp/native-static.err")" -eq 1 ] && grep -q "statically linked" "$tmp/native-static.err" ||
      { cat "$tmp/native-static.err"; fail "a static program: not one line"; }
  fi
  pass "a program that was not rebuilt: found, replayed, traced and clean with jostle preloaded"
fi

echo "programs: $passed passed, 0 failed"
