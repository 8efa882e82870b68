# surftrace - top-level build.  `make` builds everything into build/;
# `make test` installs what is missing, builds and runs every test;
# `make run` installs, builds and runs the default job; `make install`
# (PREFIX, DESTDIR) installs the programs, libsurf, its headers and
# pkg-config file; `make deb` builds a Debian package.  V=1 shows commands.

CC       ?= cc
BUILD    ?= build
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
            -Wshadow -Wformat=2 -Iinclude -Isrc/lib
DEPFLAGS := -MMD -MP
LIBS     := -lbpf -ltraceevent -lelf -ldw -lz -llzma
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# One version, in include/surf/api.h; the soname changes with the major.
VERSION  := $(shell sed -n 's/^\#define SURF_VERSION "\(.*\)"/\1/p' include/surf/api.h)
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
SONAME   := libsurf.so.$(SOMAJOR)

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share/surftrace
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Where Debian's python3 looks for packages of this prefix: dist-packages of
# /usr (the system's) or of /usr/local/lib/python3.X.
PYTHONDIR  ?= $(shell python3 -c 'import sys; p = "$(PREFIX)"; \
	print(p + "/lib/python3/dist-packages" if p == "/usr" else \
	      "%s/lib/python%d.%d/dist-packages" % ((p,) + sys.version_info[:2]))' 2>/dev/null)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' '$(1)' '$(2)'
endif

LIB_SRCS := $(sort $(wildcard src/lib/*/*.c))
# The static library's objects, the shared library's (-fPIC, symbols hidden
# unless SURF_API marks them) and the sanitized ones the unit tests link.
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
PIC_OBJS := $(LIB_SRCS:%.c=$(BUILD)/pic/%.o)
SAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/san/%.o)
CMDS     := surftrace surfcc surfgraph
# src/cmd/*.c other than the programs' mains: shared by the programs.
CMD_SRCS := $(filter-out $(CMDS:%=src/cmd/%.c),$(wildcard src/cmd/*.c))
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))

.PHONY: all test run deps unit fuzz bench bench-vm clean install uninstall deb
HELPERS  := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))
# The Java programs J expressions are shown on: with a JDK only.
ifneq ($(shell command -v javac 2>/dev/null),)
HELPERS  += $(patsubst tests/helpers/%.java,$(BUILD)/helpers/%.class,$(wildcard tests/helpers/*.java))
endif
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
all: $(BUILD)/libsurf.a $(BUILD)/libsurf.so $(CMDS:%=$(BUILD)/%) $(BUILD)/unit-tests $(HELPERS) \
     $(EXAMPLES) $(BUILD)/libsurf.pc

$(BUILD)/examples/%: examples/%.c $(BUILD)/libsurf.a
	@mkdir -p $(dir $@)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libsurf.a $(LIBS)

# Programs the tests trace: built with -g (DWARF), not optimised away.
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -g -O0 -Wall -Wextra $(LDFLAGS) -o $@ $<

$(BUILD)/helpers/%.class: tests/helpers/%.java
	@mkdir -p $(dir $@)
	$(call msg,JAVAC,$@)
	$(Q)javac -d $(BUILD)/helpers $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$< [pic])
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -fPIC -fvisibility=hidden -DSURF_DATADIR='"$(DATADIR)"' \
		-c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$< [san])
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -O1 $(SAN) -c $< -o $@

# The data directory surfcc looks in is compiled in (also in the static
# library's copy of cc.c, which the installed programs link).
$(BUILD)/obj/src/lib/clcc/cc.o: CFLAGS += -DSURF_DATADIR='"$(DATADIR)"'

$(BUILD)/libsurf.a: $(LIB_OBJS)
	@rm -f $@
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

# libsurf.so.VERSION with its soname; only what libsurf.map names is exported.
$(BUILD)/libsurf.so.$(VERSION): $(PIC_OBJS) libsurf.map
	$(call msg,LINK,$@)
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=libsurf.map -Wl,--no-undefined \
		-o $@ $(PIC_OBJS) $(LIBS)

$(BUILD)/libsurf.so: $(BUILD)/libsurf.so.$(VERSION)
	$(Q)ln -sf libsurf.so.$(VERSION) $(BUILD)/$(SONAME)
	$(Q)ln -sf libsurf.so.$(VERSION) $@

# For the PREFIX of this make: `make install PREFIX=...` writes its own.
PC_SED := -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@VERSION@|$(VERSION)|'
$(BUILD)/libsurf.pc: libsurf.pc.in include/surf/api.h Makefile
	$(call msg,GEN,$@)
	$(Q)sed $(PC_SED) $< > $@

# The programs take the field's libraries statically (as Debian's bpftool takes
# libbpf): ld.so's mapping and binding of six shared objects is 0.45 ms of
# every start, a quarter of an a: run's 2 ms start to attached.  libsurf.so
# links them as shared libraries.
PROG_LIBS := -Wl,-Bstatic -lbpf -ltraceevent -ldw -lelf -lz -llzma -lbz2 -llz4 -lzstd -Wl,-Bdynamic
$(BUILD)/%: $(BUILD)/obj/src/cmd/%.o $(CMD_OBJS) $(BUILD)/libsurf.a Makefile
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(CMD_OBJS) $(BUILD)/libsurf.a $(PROG_LIBS)

# The kernel's types for BPF programs (surfcc keeps its own copy in a cache).
$(BUILD)/vmlinux.h: $(BUILD)/surfcc
	$(BUILD)/surfcc --gen-vmlinux-h $@

# Unit tests run with AddressSanitizer and UndefinedBehaviorSanitizer.
$(BUILD)/unit-tests: $(SAN_OBJS) $(UNIT_SRCS:%.c=$(BUILD)/san/%.o)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LIBS)

# The fuzz target needs clang's libFuzzer.
$(BUILD)/fuzz-expr: tests/fuzz/fuzz_expr.c $(LIB_SRCS)
	@mkdir -p $(BUILD)
	clang $(filter-out -Wshadow -Wformat=2,$(CFLAGS)) -O1 -g -fsanitize=fuzzer,address,undefined \
		-o $@ $^ $(LIBS)

-include $(shell find $(BUILD)/obj $(BUILD)/pic $(BUILD)/san -type f -name '*.d' 2>/dev/null)

deps:
	@scripts/deps.sh

test: deps
	$(MAKE) all
	@tests/run.sh

# The kernel-probe tier alone: the binaries booted with Debian kernels (6.1,
# 6.12, 6.1 arm64; KERNELS=... for some) under qemu (scripts/vm/run.sh;
# `make test` runs it too).
.PHONY: test-vm
test-vm: $(CMDS:%=$(BUILD)/%) $(EXAMPLES) $(HELPERS)
	@SURF_BUILD=$(BUILD) bash scripts/vm/run.sh

run: deps
	$(MAKE) all
	$(BUILD)/surftrace 'e sched/sched_process_exec'

fuzz: $(BUILD)/fuzz-expr

$(BUILD)/bench-decode: bench/decode.c $(BUILD)/libsurf.a
	$(CC) $(CFLAGS) -O2 -o $@ $< $(BUILD)/libsurf.a $(LIBS)

$(BUILD)/bench-latency: bench/latency.c
	$(CC) $(CFLAGS) -O2 -o $@ $<

bench: all $(BUILD)/bench-decode $(BUILD)/bench-latency
	bench/show.sh
	$(BUILD)/bench-latency $(BUILD)/surftrace
	bench/throughput.sh
	$(BUILD)/bench-decode
	bench/bitehist.sh
	BUILD=$(BUILD) bench/agg.sh
	BUILD=$(BUILD) bench/pylcc.sh

# Start-up with kprobe expressions beside bpftrace, in the VM tier's guest (~40 s).
bench-vm: all
	BUILD=$(BUILD) bench/vm-startup.sh

clean:
	rm -rf $(BUILD)

# What `make install` writes, relative to DESTDIR: `make uninstall` removes
# exactly this.  Installing never rebuilds with other flags: `make all` first.
PUB_HEADERS := $(wildcard include/surf/*.h)
MANPAGES    := $(wildcard man/*.1)
BPF_FILES   := bpf/lbc.h
PY_FILES    := $(wildcard python/pylcc/*.py python/surftrace/*.py)
INSTALLED   := $(CMDS:%=$(BINDIR)/%) $(LIBDIR)/libsurf.so.$(VERSION) $(LIBDIR)/$(SONAME) \
               $(LIBDIR)/libsurf.so $(LIBDIR)/libsurf.a $(PKGCONFIGDIR)/libsurf.pc \
               $(PUB_HEADERS:include/%=$(INCLUDEDIR)/%) $(INCLUDEDIR)/clcc.h \
               $(BPF_FILES:%=$(DATADIR)/%) $(MANPAGES:man/%=$(MANDIR)/man1/%) \
               $(PY_FILES:python/%=$(PYTHONDIR)/%)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/surf \
		$(DESTDIR)$(DATADIR)/bpf $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(CMDS:%=$(BUILD)/%) $(DESTDIR)$(BINDIR)/
	install -m 644 $(BUILD)/libsurf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libsurf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsurf.so
	install -m 644 $(BUILD)/libsurf.a $(DESTDIR)$(LIBDIR)/
	sed $(PC_SED) libsurf.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libsurf.pc
	install -m 644 $(PUB_HEADERS) $(DESTDIR)$(INCLUDEDIR)/surf/
	install -m 644 include/clcc.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(BPF_FILES) $(DESTDIR)$(DATADIR)/bpf/
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(PYTHONDIR)/pylcc $(DESTDIR)$(PYTHONDIR)/surftrace
	install -m 644 $(wildcard python/pylcc/*.py) $(DESTDIR)$(PYTHONDIR)/pylcc/
	install -m 644 $(wildcard python/surftrace/*.py) $(DESTDIR)$(PYTHONDIR)/surftrace/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rm -rf $(DESTDIR)$(PYTHONDIR)/pylcc/__pycache__ $(DESTDIR)$(PYTHONDIR)/surftrace/__pycache__
	-rmdir $(DESTDIR)$(INCLUDEDIR)/surf $(DESTDIR)$(DATADIR)/bpf $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(PYTHONDIR)/pylcc \
		$(DESTDIR)$(PYTHONDIR)/surftrace 2>/dev/null

deb: all
	@scripts/deb.sh

# The bcc tutorial's lessons in C (examples/bcc/README.md).
include examples/bcc/Makefile.inc
