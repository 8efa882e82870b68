# surftrace - top-level build.  `make` builds everything into build/;
# `make test` installs what is missing, builds and runs every test;
# `make run` installs, builds and runs the default job.

CC       ?= cc
BUILD    ?= build
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
            -Wshadow -Wformat=2 -fPIC -Iinclude -Isrc/lib
LIBS     := -lbpf -ltraceevent -lelf -ldw -lz -llzma -lcapstone
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRCS := $(sort $(wildcard src/lib/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
SAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/san/%.o)
CMDS     := surftrace surfcc surfgraph
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))

.PHONY: all test run deps unit fuzz bench clean install man
HELPERS  := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
all: $(BUILD)/libsurf.a $(BUILD)/libsurf.so $(CMDS:%=$(BUILD)/%) $(BUILD)/unit-tests $(HELPERS) \
     $(EXAMPLES)

$(BUILD)/examples/%: examples/%.c $(BUILD)/libsurf.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libsurf.a $(LIBS)

# Programs the tests trace: built with -g (DWARF), not optimised away.
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -g -O0 -Wall -Wextra -o $@ $<

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h include/surf/*.h src/lib/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c $(wildcard include/*.h include/surf/*.h src/lib/*/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O1 $(SAN) -c $< -o $@

$(BUILD)/libsurf.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libsurf.so: $(LIB_OBJS)
	$(CC) -shared -o $@ $^ $(LIBS)

$(BUILD)/%: $(BUILD)/obj/src/cmd/%.o $(BUILD)/libsurf.a
	$(CC) -o $@ $< $(BUILD)/libsurf.a $(LIBS)

# The kernel's types for BPF programs (surfcc keeps its own copy in a cache).
$(BUILD)/vmlinux.h: $(BUILD)/surfcc
	$(BUILD)/surfcc --gen-vmlinux-h $@

# Unit tests run with AddressSanitizer and UndefinedBehaviorSanitizer.
$(BUILD)/unit-tests: $(SAN_OBJS) $(UNIT_SRCS:%.c=$(BUILD)/san/%.o)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

# The fuzz target needs clang's libFuzzer.
$(BUILD)/fuzz-expr: tests/fuzz/fuzz_expr.c $(LIB_SRCS)
	@mkdir -p $(BUILD)
	clang $(filter-out -Wshadow -Wformat=2,$(CFLAGS)) -O1 -g -fsanitize=fuzzer,address,undefined \
		-o $@ $^ $(LIBS)

deps:
	@scripts/deps.sh

test: deps
	$(MAKE) all
	@tests/run.sh

# The kernel-probe tier alone: the binaries booted with Debian's 6.1 kernel
# under qemu (scripts/vm/run.sh; `make test` runs it too).
.PHONY: test-vm
test-vm: $(CMDS:%=$(BUILD)/%) $(EXAMPLES) $(HELPERS)
	@SURF_BUILD=$(BUILD) bash scripts/vm/run.sh

run: deps
	$(MAKE) all
	$(BUILD)/surftrace 'e sched/sched_process_exec'

fuzz: $(BUILD)/fuzz-expr

$(BUILD)/bench-decode: bench/decode.c $(BUILD)/libsurf.a
	$(CC) $(CFLAGS) -O2 -o $@ $< $(BUILD)/libsurf.a $(LIBS)

bench: all $(BUILD)/bench-decode
	bench/show.sh
	bench/throughput.sh
	$(BUILD)/bench-decode
	bench/bitehist.sh

clean:
	rm -rf $(BUILD)

# The bcc tutorial's lessons in C (examples/bcc/README.md).
include examples/bcc/Makefile.inc
