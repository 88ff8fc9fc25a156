# jostle: plain Makefile.
#   make                         library (static, shared), jostle, examples
#   make check                   the test suite (Check), CLI tests, examples, check-layers
#   make check-layers            the include rule between the folders
#   make SANITIZER=thread check  the same tree under ThreadSanitizer
#   make SANITIZER=address,undefined check
#   make bench                   benchmarks against baselines measured in the same run
#   make bench-checkers          runs to the first bug of the strategies' bench family
#   make bench-handover          controlled runs with many threads, both hand-overs
#   make bench-programs          program mode's cost per run beside exec per run
#   make bench-corpus            the racy programs: runs to jostle's first find beside native reruns
#   make install PREFIX=/usr/local
# Sanitizer builds go to their own folder, so they never mix with the plain one.

CC ?= cc
PREFIX ?= /usr/local
SANITIZER ?=
WERROR ?=
comma := ,
O := build$(if $(SANITIZER),-$(subst $(comma),-,$(SANITIZER)))

WARN := -Wall -Wextra -Wshadow -Wundef -Wstrict-prototypes -Wmissing-prototypes \
        $(if $(WERROR),-Werror)
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -fPIC -fvisibility=hidden -pthread -I. -Iinclude $(WARN)
SAN_FLAGS := $(if $(SANITIZER),-fsanitize=$(SANITIZER) -fno-omit-frame-pointer -DJOSTLE_SANITIZER \
             $(if $(findstring undefined,$(SANITIZER)),-fno-sanitize-recover=undefined))
# jostle's own code is built with the sanitizer; the built-in scenarios are not:
# the racy ones race on purpose, and the sanitizer is here to find races in jostle.
CFLAGS_JOSTLE := $(BASE_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
CFLAGS_SCENARIO := $(BASE_CFLAGS) $(CFLAGS)
# Scenarios are compiled for ThreadSanitizer's entry points and linked
# without its runtime: schedulers/tsan_hooks.c defines them, so every load,
# store and atomic is a scheduling point. clang would drop the load of x++
# (leaving one point after it) without -tsan-instrument-read-before-write.
# Under SANITIZER=thread the real runtime owns the entry points: the hooks
# are left out and scenarios are compiled plain.
TSAN_BUILD := $(findstring thread,$(SANITIZER))
CC_IS_CLANG := $(findstring clang,$(shell $(CC) --version 2>/dev/null))
INSTRUMENT := $(if $(TSAN_BUILD),,-fsanitize=thread $(if $(CC_IS_CLANG),-mllvm -tsan-instrument-read-before-write))
HWLOC_LIBS := $(shell pkg-config --libs hwloc 2>/dev/null || echo -lhwloc)
# jansson writes and reads JSON results; libdw names source lines in traces.
DEP_LIBS := $(HWLOC_LIBS) $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson) \
            $(shell pkg-config --libs libdw 2>/dev/null || echo -ldw)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm)
LIBS := $(DEP_LIBS) -lm -pthread
# Scenario code's synchronisation calls go through schedulers/sync_wrap.c.
# Calls jostle does not model: a controlled run ends at them, `unsupported: CALL`.
UNMODELLED_SYMS := pthread_cancel syscall pthread_rwlock_timedrdlock pthread_rwlock_timedwrlock \
  pthread_rwlock_clockrdlock pthread_rwlock_clockwrlock
WRAP_SYMS := pthread_mutex_lock pthread_mutex_trylock pthread_mutex_timedlock \
  pthread_mutex_clocklock pthread_mutex_unlock pthread_spin_lock pthread_spin_trylock pthread_spin_unlock \
  pthread_rwlock_rdlock pthread_rwlock_tryrdlock pthread_rwlock_wrlock \
  pthread_rwlock_trywrlock pthread_rwlock_unlock pthread_cond_wait \
  pthread_cond_timedwait pthread_cond_clockwait pthread_cond_signal pthread_cond_broadcast sem_wait \
  sem_trywait sem_timedwait sem_post sched_yield usleep nanosleep sleep clock_nanosleep \
  thrd_sleep clock_gettime gettimeofday time timespec_get poll read write recv send \
  pthread_create pthread_join \
  pthread_once call_once pthread_barrier_init pthread_barrier_destroy pthread_barrier_wait \
  mtx_lock mtx_timedlock mtx_trylock mtx_unlock cnd_wait cnd_timedwait cnd_signal \
  cnd_broadcast thrd_create thrd_join thrd_yield pthread_detach thrd_detach pthread_exit \
  thrd_exit __cxa_guard_acquire __cxa_guard_release __cxa_guard_abort $(UNMODELLED_SYMS)
WRAP_LDFLAGS := $(foreach s,$(WRAP_SYMS),-Wl,--wrap=$(s)) -Wl,-u,jostle__sync_wrap_linked
# An ordinary program's main and exits go through tools/program_main.c (program mode).
PROGRAM_LDFLAGS := -Wl,--wrap=main -Wl,--wrap=exit -Wl,--wrap=_exit -Wl,--wrap=_Exit \
  -Wl,--wrap=quick_exit
# An ordinary program's calls that change the process beyond its own data are
# renamed in its objects (objcopy --redefine-syms, program.syms) to jostle's
# (harness/heap.c, harness/program_calls.c): its heap is jostle's, and what
# its runs change is put back, or stops its runs sharing a process.
PROGRAM_SYMS := malloc calloc realloc reallocarray free posix_memalign aligned_alloc \
  memalign valloc pvalloc malloc_usable_size strdup strndup getline getdelim \
  atexit on_exit __cxa_atexit signal sigaction pthread_key_create setenv putenv unsetenv clearenv \
  chdir fchdir rand random srand srandom drand48 lrand48 mrand48 srand48 \
  getopt getopt_long getopt_long_only open open64 openat openat64 creat creat64 fopen \
  fopen64 fdopen freopen freopen64 tmpfile tmpfile64 opendir fdopendir popen socket \
  socketpair accept accept4 pipe pipe2 dup dup2 dup3 mkstemp mkostemp eventfd \
  epoll_create epoll_create1 timerfd_create signalfd memfd_create inotify_init \
  inotify_init1 alarm ualarm setitimer
# Test programs that run scenarios under controlled schedulers. The others
# are linked without the wrappers: Check's own locking would become points.
WRAPPED_TESTS := check_campaign check_scenarios check_control check_schedule
LDFLAGS_ALL := $(SAN_FLAGS) $(LDFLAGS)

LIB_SRCS := $(filter-out $(if $(TSAN_BUILD),schedulers/tsan_hooks.c), \
              $(wildcard common/*.c) $(wildcard harness/*.c) $(wildcard schedulers/*.c) \
              $(wildcard reports/*.c) $(wildcard cli/*.c))
SCENARIO_SRCS := $(wildcard scenarios/*.c)
EXAMPLE_SRCS := $(wildcard scenarios/examples/*.c)
TEST_SRCS := $(wildcard tests/check_*.c)
BENCH_FAMILY := bench/checkers.c bench/pipeline.c bench/aba.c
BENCH_SRCS := $(filter-out bench/ladder.c $(BENCH_FAMILY),$(wildcard bench/*.c))
HEADERS := $(wildcard include/*.h common/*.h harness/*.h cli/*.h schedulers/*.h reports/*.h \
             scenarios/*.h tests/*.h)

LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
# The library `jostle run` preloads into a program that was not rebuilt.
# Not in sanitizer builds: their runtime would have to be loaded first.
PRELOAD_LIB := $(if $(SANITIZER),,$(O)/libjostle-preload.so)
SCENARIO_OBJS := $(SCENARIO_SRCS:%.c=$(O)/%.o)
TEST_SCENARIO_OBJS := $(O)/tests/scenarios_test.o $(O)/tests/fail_fork.o $(O)/tests/scenarios_traced.o \
  $(O)/tests/scenarios_sync.o
EXAMPLES := $(patsubst scenarios/examples/%.c,$(O)/examples/%,$(EXAMPLE_SRCS))
# The sanitizer settings are linked whole into every program (nothing calls them).
SAN_OBJ := $(if $(SANITIZER),$(O)/tools/sanitizer.o)
TESTS := $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRCS))
# Ordinary programs (tests/programs/): built as jostle-cc builds them, no glue.
PROGRAMS := $(patsubst tests/programs/%.c,$(O)/programs/%,$(wildcard tests/programs/*.c)) \
  $(patsubst tests/programs/%.cpp,$(O)/programs/%,$(wildcard tests/programs/*.cpp))
BENCHES := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRCS))

.PHONY: all check check-layers bench bench-checkers bench-handover bench-programs bench-corpus bench-races install demo clean fuzz wrap-flags
.SECONDARY:
all: $(O)/libjostle.a $(O)/libjostle-fuzz.a $(O)/libjostle.so $(O)/jostle $(O)/jostle-test $(EXAMPLES) \
  $(PRELOAD_LIB)

$(O)/scenarios/%.o: scenarios/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SCENARIO) $(INSTRUMENT) -c $< -o $@

# The code the hook tests drive, instrumented as scenarios are (under
# SANITIZER=thread, for the real runtime: check_hooks then checks that).
$(O)/tests/instrumented_test.o: tests/instrumented_test.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(if $(TSAN_BUILD),$(CFLAGS_JOSTLE),$(CFLAGS_SCENARIO) $(INSTRUMENT)) -c $< -o $@

# Test scenarios whose traces and races are checked: instrumented as
# scenarios are.
$(O)/tests/scenarios_traced.o $(O)/tests/scenarios_sync.o: $(O)/tests/%.o: tests/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SCENARIO) $(INSTRUMENT) -c $< -o $@

$(O)/tests/%.o: tests/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_JOSTLE) $(CHECK_CFLAGS) $(if $(TSAN_BUILD),-DJOSTLE_UNINSTRUMENTED) -c $< -o $@

$(O)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_JOSTLE) -c $< -o $@

# tools/program_main.o is linked only where PROGRAM_LDFLAGS ask for its __wrap_main.
$(O)/libjostle.a: $(LIB_OBJS) $(O)/tools/program_main.o
	rm -f $@ && ar rcs $@ $^

# What a program's link puts around its objects, and the names its calls take.
PROGRAM_PARTS := $(O)/jostle-program-begin.o $(O)/jostle-program-end.o $(O)/jostle-program.syms \
  $(O)/jostle-program-new.o
# Plain data, compiled without a sanitizer: AddressSanitizer's redzones
# around a marker would lie inside the range a reset copies.
$(O)/jostle-program-%.o: tools/program_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SCENARIO) -c $< -o $@
# $(call program_link,OBJECT): links an ordinary program's object as
# jostle-cc does (tools/jostle-cc.in).
# $(call program_link,OBJECT,LINKER,EXTRA): a C++ program's is linked by
# the C++ compiler, with its library static and jostle's operator new.
define program_link
	objcopy --redefine-syms=$(O)/jostle-program.syms $(1)
	$(if $(2),$(2),$(CC)) $(LDFLAGS_ALL) $(WRAP_LDFLAGS) $(PROGRAM_LDFLAGS) -o $@ \
	  $(O)/jostle-program-begin.o $(1) $(O)/jostle-program-end.o $(3) $(SAN_OBJ) \
	  $(O)/libjostle.a $(LIBS)
endef
PROGRAM_CXX := $(if $(CC_IS_CLANG),clang++,c++)
# The C++ library static, so that its calls reach the wrappers; its guard
# of a function's statics (which the wrappers call) and its demangler
# (which names C++ code in traces) linked in; jostle's operator new.
CXX_PROGRAM_LINK := -static-libstdc++ -Wl,-u,__cxa_guard_acquire -Wl,-u,__cxa_demangle \
  $(O)/jostle-program-new.o
$(O)/jostle-program.syms: Makefile
	@mkdir -p $(dir $@)
	printf '%s\n' $(foreach s,$(PROGRAM_SYMS),"$(s) jostle__prog_$(s)") > $@

# The libFuzzer driver (LLVMFuzzerTestOneInput, for jostle-cc --fuzz) is
# an archive of its own: neither libjostle exports fuzzer entry points.
$(O)/libjostle-fuzz.a: $(O)/tools/fuzz.o
	rm -f $@ && ar rcs $@ $^

# jostle whole, with the wrappers interposed, for `jostle run` to preload
# into a program that was not rebuilt (tools/preload.c; PRELOAD_LIB).
# Every wrapped call must be interposed there too: the link checks it.
$(O)/libjostle-preload.so: $(LIB_OBJS) $(O)/tools/preload.o
	$(CC) -shared $(LDFLAGS_ALL) -o $@.tmp $^ $(LIBS) -ldl
	@nm -D --defined-only $@.tmp | awk '{print $$NF}' > $@.syms
	@for s in $(WRAP_SYMS) exit _exit _Exit __libc_start_main; do \
	  grep -qx "$$s" $@.syms || { echo "tools/preload.c does not interpose $$s (WRAP_SYMS)"; \
	  rm -f $@.tmp $@.syms; exit 1; }; done
	@rm -f $@.syms && mv $@.tmp $@

# The wrappers need --wrap at the program's own link: static library only.
$(O)/libjostle.so.0: $(filter-out $(O)/schedulers/sync_wrap.o,$(LIB_OBJS))
	$(CC) -shared $(LDFLAGS_ALL) -Wl,-soname,libjostle.so.0 -o $@ $^ $(LIBS)

$(O)/libjostle.so: $(O)/libjostle.so.0
	ln -sf libjostle.so.0 $@

# The scenario objects are linked whole: each registers itself in a constructor.
$(O)/jostle: $(O)/tools/main.o $(SCENARIO_OBJS) $(SAN_OBJ) $(O)/libjostle.a
	$(CC) $(LDFLAGS_ALL) $(WRAP_LDFLAGS) -o $@ $^ $(LIBS)

# jostle with the test-only scenarios (crash, hang) as well, for the CLI tests.
$(O)/jostle-test: $(O)/tools/main.o $(SCENARIO_OBJS) $(TEST_SCENARIO_OBJS) $(SAN_OBJ) $(O)/libjostle.a
	$(CC) $(LDFLAGS_ALL) $(WRAP_LDFLAGS) -o $@ $^ $(LIBS)

# Examples build as a user's program would: the public header and the shared library.
$(O)/examples/%: scenarios/examples/%.c include/jostle.h $(O)/libjostle.so
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SCENARIO) $(LDFLAGS_ALL) -o $@ $< -L$(O) -ljostle -Wl,-rpath,'$$ORIGIN/..'

$(O)/tests/check_%: $(O)/tests/check_%.o $(SCENARIO_OBJS) $(TEST_SCENARIO_OBJS) $(SAN_OBJ) \
                   $(O)/libjostle-fuzz.a $(O)/libjostle.a
	$(CC) $(LDFLAGS_ALL) $(if $(filter $(notdir $@),$(WRAPPED_TESTS)),$(WRAP_LDFLAGS)) \
	  -o $@ $^ $(CHECK_LIBS) $(LIBS)

$(O)/tests/check_hooks: $(O)/tests/check_hooks.o $(O)/tests/instrumented_test.o $(SAN_OBJ) $(O)/libjostle.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CHECK_LIBS) $(LIBS)

$(O)/programs/%: tests/programs/%.c $(SAN_OBJ) $(O)/libjostle.a $(PROGRAM_PARTS)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -pthread $(INSTRUMENT) -c $< -o $@.o
	$(call program_link,$@.o)
$(O)/programs/%: tests/programs/%.cpp $(SAN_OBJ) $(O)/libjostle.a $(PROGRAM_PARTS)
	@mkdir -p $(dir $@)
	$(PROGRAM_CXX) -std=c++17 -O2 -g -pthread $(INSTRUMENT) -c $< -o $@.o
	$(call program_link,$@.o,$(PROGRAM_CXX),$(CXX_PROGRAM_LINK))

# jostle's own inputs as fuzz targets: tests/fuzz_NAME.c defines
# LLVMFuzzerTestOneInput. In make check each is linked with
# tests/corpus_driver.c and runs every file of its seed corpus
# tests/corpus/NAME/ (saved crashes included), in every sanitizer build;
# make fuzz links the same file with libFuzzer.
FUZZ_INPUT_SRCS := $(wildcard tests/fuzz_*.c)
FUZZ_INPUT_TESTS := $(patsubst tests/fuzz_%.c,$(O)/tests/fuzz-%,$(FUZZ_INPUT_SRCS))
$(O)/tests/fuzz-%: $(O)/tests/fuzz_%.o $(O)/tests/corpus_driver.o $(SAN_OBJ) $(O)/libjostle.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

# JOSTLE_SOAK=N multiplies the run counts of the behaviour tests (soak runs).
# A sanitizer's report about jostle's own code fails the suite even when the
# test around it passed (racy scenarios' intended races are suppressed in
# tools/sanitizer.c).
SAN_REPORT := WARNING: ThreadSanitizer|runtime error:|ERROR: LeakSanitizer
# The scenario fuzz targets are clang's: checked in the plain build only.
check: check-layers all $(TESTS) $(FUZZ_INPUT_TESTS) $(PROGRAMS) $(if $(SANITIZER),,fuzz)
	@rm -f $(O)/check.passed
	@set -e; for t in $(TESTS); do echo "== $$t"; \
	  JOSTLE_BIN=$(O)/jostle-test $$t > $$t.log 2>&1 || { cat $$t.log; exit 1; }; \
	  cat $$t.log; ! grep -qE '$(SAN_REPORT)' $$t.log || { echo "$$t: sanitizer report"; exit 1; }; \
	  sed -n 's/.*Checks: \([0-9]*\),.*/\1/p' $$t.log >> $(O)/check.passed; done
	@set -e; for t in $(FUZZ_INPUT_TESTS); do c=tests/corpus/$${t##*/fuzz-}; echo "== $$t $$c"; \
	  $$t $$c > $$t.log 2>&1 || { cat $$t.log; exit 1; }; \
	  cat $$t.log; ! grep -qE '$(SAN_REPORT)' $$t.log || { echo "$$t: sanitizer report"; exit 1; }; \
	  sed -n 's/.*: \([0-9]*\) inputs$$/\1/p' $$t.log >> $(O)/check.passed; done
	@echo "== strategies"; sh tests/strategies_stay_home.sh && echo 1 >> $(O)/check.passed
	@echo "== examples"; JOSTLE_BUILD=$(O) EXAMPLE_FLAGS="$(SAN_FLAGS)" sh tests/examples.sh \
	  > $(O)/examples.log 2>&1 || { cat $(O)/examples.log; exit 1; }; cat $(O)/examples.log; \
	  sed -n 's/^examples: \([0-9]*\) passed, 0 failed.*/\1/p' $(O)/examples.log >> $(O)/check.passed
	@echo "== programs"; UNINSTRUMENTED=$(if $(TSAN_BUILD),1,0) CLEAN_RUNS=$(if $(SANITIZER),100,500) \
	  RESET_RUNS=$(if $(SANITIZER),10000,100000) \
	  sh tests/programs.sh $(O) > $(O)/programs.log 2>&1 \
	  || { cat $(O)/programs.log; exit 1; }; cat $(O)/programs.log; \
	  sed -n 's/^programs: \([0-9]*\) passed, 0 failed.*/\1/p' $(O)/programs.log >> $(O)/check.passed
	@echo "== layers"; sh tests/check_layers.sh && echo 1 >> $(O)/check.passed
	$(if $(SANITIZER),,@echo "== fuzz targets"; sh tests/fuzz.sh $(O) $(F) && echo 1 >> $(O)/check.passed)
	@awk '{ n += $$1 } END { print n " passed, 0 failed" }' $(O)/check.passed

# What each folder may include (scripts/check-layers.sh): common/ only
# itself and include/; schedulers/ and reports/ those and their own;
# harness/ anything but the CLI's cli/ folder.
check-layers:
	@sh scripts/check-layers.sh

# Baselines are plain programs: no jostle, no sanitizer.
$(O)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SCENARIO) -o $@ $< -pthread

# The hooks' cost: one loop built plain and instrumented, both with the
# library (the loop attaches a jostle__thread). Compiled and linked apart:
# -fsanitize=thread at the link would bring the real runtime in.
$(O)/bench/hooks_loop $(O)/bench/hooks_loop-instrumented: bench/hooks_loop.c $(O)/libjostle.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SCENARIO) $(if $(findstring instrumented,$@),$(INSTRUMENT)) -c $< -o $@.o
	$(CC) $(LDFLAGS_ALL) -o $@ $@.o $(O)/libjostle.a $(LIBS)

# bench/race_loop.c, an ordinary program, with ThreadSanitizer's own
# runtime and as jostle-cc builds a program (its plain build is a baseline).
$(O)/bench/race_loop-tsan: bench/race_loop.c
	$(CC) -O2 -g -pthread -fsanitize=thread -o $@ $<

$(O)/bench/race_loop-jostle: bench/race_loop.c $(SAN_OBJ) $(O)/libjostle.a $(PROGRAM_PARTS)
	$(CC) -O2 -g -pthread $(INSTRUMENT) -c $< -o $@.o
	$(call program_link,$@.o)

RACE_BENCH := $(O)/bench/race_loop $(O)/bench/race_loop-tsan $(O)/bench/race_loop-jostle

bench: all $(BENCHES) $(O)/bench/hooks_loop-instrumented $(O)/bench/jostle-family fuzz \
       $(F)/bench/fuzz-ladder $(PROGRAMS) $(RACE_BENCH)
	@sh bench/run.sh $(O)
	@sh bench/handover.sh $(O)
	@sh bench/programs.sh $(O)
	@sh bench/corpus.sh $(O)
	@sh bench/races.sh $(O)
	@sh bench/checkers.sh $(O)
	@SCENARIO=pipeline sh bench/checkers.sh $(O)
	@SCENARIO=aba sh bench/checkers.sh $(O)
	@sh bench/fuzz.sh $(O) $(F)

# The strategies' bench family (bench/checkers.c, one checker among N
# setters; bench/pipeline.c, a consumer among N producers; bench/aba.c, a
# lock-free stack's ABA) in a jostle of its own, instrumented as scenarios
# are; bench/checkers.sh alone: make bench-checkers.
$(O)/bench/family-%.o: bench/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SCENARIO) $(INSTRUMENT) -c $< -o $@

$(O)/bench/jostle-family: $(O)/tools/main.o \
  $(patsubst bench/%.c,$(O)/bench/family-%.o,$(BENCH_FAMILY)) $(SAN_OBJ) $(O)/libjostle.a
	$(CC) $(LDFLAGS_ALL) $(WRAP_LDFLAGS) -o $@ $^ $(LIBS)

bench-checkers: $(O)/bench/jostle-family
	@sh bench/checkers.sh $(O)
	@SCENARIO=pipeline sh bench/checkers.sh $(O)
	@SCENARIO=aba sh bench/checkers.sh $(O)

bench-handover: all
	@sh bench/handover.sh $(O)

bench-programs: all $(O)/programs/bank_fixed
	@sh bench/programs.sh $(O)

bench-races: all $(RACE_BENCH)
	@sh bench/races.sh $(O)

bench-corpus: all $(PROGRAMS)
	@sh bench/corpus.sh $(O)

# ---- fuzzing with clang's libFuzzer: make fuzz ----------------------------
# build-fuzz/fuzz-SCENARIO for every built-in scenario: one program,
# fuzz-scenarios, hard-linked under each name, fuzzes the scenario its own
# name gives (tools/fuzz.c). Scenario code is instrumented for the hooks
# and for coverage; jostle's own code is plain, so that coverage is the
# scenario's. build-fuzz/fuzz-input-NAME fuzzes one of jostle's own input
# formats (tests/fuzz_NAME.c), with coverage of jostle's code and
# AddressSanitizer + UndefinedBehaviorSanitizer.
FUZZ_CC ?= clang
F := build-fuzz
FUZZ_CFLAGS := $(BASE_CFLAGS) $(CFLAGS)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -DJOSTLE_SANITIZER
FUZZ_LIB_SRCS := $(wildcard common/*.c) $(wildcard harness/*.c) $(wildcard cli/*.c) \
                 $(wildcard schedulers/*.c) $(wildcard reports/*.c)

$(F)/plain/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# Scenario code: libFuzzer's coverage without stack-depth tracking (its
# thread-local __sancov_lowest_stack would reach the hooks), and the hooks.
# The coverage counters reach them too: schedulers/points.c skips them.
FUZZ_COVERAGE := -fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp,indirect-calls
FUZZ_SCENARIO_CC = $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COVERAGE) -fsanitize=thread \
  -mllvm -tsan-instrument-read-before-write
$(F)/scenarios/%.o: scenarios/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_SCENARIO_CC) -c $< -o $@
$(F)/bench/%.o: bench/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_SCENARIO_CC) -c $< -o $@

$(F)/cov/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(F)/cov/libjostle.a: $(FUZZ_LIB_SRCS:%.c=$(F)/cov/%.o)
	rm -f $@ && ar rcs $@ $^

$(F)/plain/libjostle.a: $(FUZZ_LIB_SRCS:%.c=$(F)/plain/%.o)
	rm -f $@ && ar rcs $@ $^

$(F)/fuzz-scenarios: $(F)/plain/tools/fuzz.o $(SCENARIO_SRCS:%.c=$(F)/%.o) $(F)/plain/libjostle.a
	$(FUZZ_CC) -fsanitize=fuzzer $(WRAP_LDFLAGS) -o $@ $^ $(LIBS)

# bench/ladder.c's deep races, for bench/fuzz.sh only.
$(F)/bench/fuzz-ladder: $(F)/plain/tools/fuzz.o $(F)/bench/ladder.o $(F)/plain/libjostle.a
	$(FUZZ_CC) -fsanitize=fuzzer $(WRAP_LDFLAGS) -o $@ $^ $(LIBS)

$(F)/fuzz-input-%: $(F)/cov/tests/fuzz_%.o $(F)/cov/libjostle.a
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIBS)

fuzz: $(O)/jostle $(F)/fuzz-scenarios $(patsubst tests/fuzz_%.c,$(F)/fuzz-input-%,$(FUZZ_INPUT_SRCS))
	@for s in $$(./$(O)/jostle list | awk 'NR > 1 {print $$1}'); do \
	  ln -f $(F)/fuzz-scenarios $(F)/fuzz-$$s; done
	@echo "fuzz targets in $(F)/: fuzz-SCENARIO for each built-in, fuzz-input-NAME for each input format"

# The wrappers' link flags, for scripts that link outside make
# (scripts/oss-fuzz-build.sh).
wrap-flags:
	@echo $(WRAP_LDFLAGS)

# jostle stress on every built-in, then what came out and what to do next
# (scripts/demo.sh; it exits 0 when jostle found what it found, 1 included).
demo: $(O)/jostle
	sh scripts/demo.sh ./$(O)/jostle

install: $(O)/libjostle.a $(O)/libjostle-fuzz.a $(O)/libjostle.so $(O)/jostle $(PROGRAM_PARTS) \
  $(PRELOAD_LIB)
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/jostle.h $(DESTDIR)$(PREFIX)/include/
	$(if $(PRELOAD_LIB),install -m 755 $(PRELOAD_LIB) $(DESTDIR)$(PREFIX)/lib/)
	install -m 644 $(O)/libjostle.a $(O)/libjostle-fuzz.a $(PROGRAM_PARTS) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(O)/libjostle.so.0 $(DESTDIR)$(PREFIX)/lib/libjostle.so.0
	ln -sf libjostle.so.0 $(DESTDIR)$(PREFIX)/lib/libjostle.so
	install -m 755 $(O)/jostle $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' jostle.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/jostle.pc
	sed -e 's|@LIBDIR@|$(PREFIX)/lib|' -e 's|@INCLUDEDIR@|$(PREFIX)/include|' \
	  -e 's|@WRAP_LDFLAGS@|$(WRAP_LDFLAGS)|' -e 's|@PROGRAM_LDFLAGS@|$(PROGRAM_LDFLAGS)|' -e 's|@LIBS@|$(DEP_LIBS) -lm -pthread|' \
	  tools/jostle-cc.in > $(DESTDIR)$(PREFIX)/bin/jostle-cc
	chmod 755 $(DESTDIR)$(PREFIX)/bin/jostle-cc

clean:
	rm -rf build build-*
