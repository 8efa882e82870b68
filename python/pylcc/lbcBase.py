# SPDX-License-Identifier: MIT
"""ClbcBase: the seeds' pylcc API over libsurf's clcc (see pylcc/__init__.py).

    class CeventOut(ClbcBase):
        def __init__(self):
            super().__init__("eventOut", bpf_str=bpfProg)
        def _cb(self, cpu, data, size):
            e = self.getMap('e_out', data, size)      # e.c_pid, e.c_comm ...
        def loop(self):
            self.maps['e_out'].open_perf_buffer(self._cb)
            self.maps['e_out'].perf_buffer_poll()
"""
import ctypes as ct
import errno
import json
import os
import struct
import sys

# sha256 without hashlib's OpenSSL (4 MB of RSS), which a loaded tool never needs.
try:
    from _sha2 import sha256        # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256

from . import _lib
from ._lib import lib

__all__ = ["ClbcBase", "LbcError", "decode"]


class LbcError(Exception):
    """A failure of compiling, loading or driving a BPF program; str() is the reason."""


# --- records and values, decoded by the program's BTF layout (surfcc's JSON) -----

class LbcObject(object):
    """A struct or union: its members as attributes, in declaration order."""

    def __init__(self, name, fields):
        self.__dict__["_name"] = name
        self.__dict__["_fields"] = list(fields)
        for k, v in fields:
            self.__dict__[k] = v

    def __setattr__(self, key, value):
        raise AttributeError("a decoded %s is read-only" % self._name)

    def _asdict(self):
        return dict(self._fields)

    def __eq__(self, other):
        return isinstance(other, LbcObject) and self._fields == other._fields

    def __hash__(self):
        return hash(tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in self._fields))

    def __repr__(self):
        return "%s(%s)" % (self._name or "struct",
                           ", ".join("%s=%r" % (k, v) for k, v in self._fields))


def _int(buf, off, size, signed):
    return int.from_bytes(buf[off:off + size], sys.byteorder, signed=signed)


def decode(layout, buf, off=0):
    """The Python value of the bytes buf[off:] laid out as `layout`."""
    kind, size = layout["kind"], layout.get("size", 0)
    if kind in ("int", "char"):
        return _int(buf, off, size, layout.get("signed", False))
    if kind == "bool":
        return bool(_int(buf, off, size, False))
    if kind == "ptr":
        return _int(buf, off, size, False)
    if kind == "float":
        return struct.unpack_from("<d" if size == 8 else "<f", buf, off)[0]
    if kind == "array":
        elem = layout["elem"]
        if elem["kind"] == "char":      # text: cut at the first NUL
            raw = bytes(buf[off:off + layout["len"]])
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        step = elem["size"]
        return [decode(elem, buf, off + i * step) for i in range(layout["len"])]
    if kind in ("struct", "union"):
        fields = []
        for m in layout["members"]:
            if "bits" in m:
                fields.append((m["name"], _bitfield(m, buf, off)))
            elif m["name"]:
                fields.append((m["name"], decode(m["type"], buf, off + m["offset"])))
            else:   # an anonymous struct or union: its members are the parent's
                inner = decode(m["type"], buf, off + m["offset"])
                fields.extend(inner._fields)
        return LbcObject(layout.get("name"), fields)
    return None


def _bitfield(m, buf, off):
    start = off * 8 + m["bit_offset"]
    first, nbytes = start // 8, (start % 8 + m["bits"] + 7) // 8
    v = int.from_bytes(buf[first:first + nbytes], sys.byteorder) >> (start % 8)
    v &= (1 << m["bits"]) - 1
    if m["type"].get("signed") and v >> (m["bits"] - 1):
        v -= 1 << m["bits"]
    return v


def _check_size(layout, size, what):
    if size < layout["size"]:
        raise LbcError("%s: a record of %d bytes, shorter than its type (%d bytes)"
                       % (what, size, layout["size"]))


def _perfmap(pid):
    """`jcmd PID Compiler.perfmap`: the JVM writes /tmp/perf-PID.map."""
    import shutil   # only for Java
    import subprocess

    jcmd = shutil.which("jcmd")
    if not jcmd:
        raise LbcError("attachJavaSym: no jcmd on PATH to write /tmp/perf-%d.map "
                       "(run `jcmd %d Compiler.perfmap` with the JVM's JDK)" % (pid, pid))
    r = subprocess.run([jcmd, str(pid), "Compiler.perfmap"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    if r.returncode or not os.path.exists("/tmp/perf-%d.map" % pid):
        raise LbcError("attachJavaSym: `jcmd %d Compiler.perfmap` failed (exit %d): %s"
                       % (pid, r.returncode, r.stdout.strip()))


def _raise(p, what):
    msg = lib.clcc_last_error(p)
    raise LbcError("%s: %s" % (what, msg.decode() if msg else "failed"))


# --- maps ------------------------------------------------------------------------

class _Map(object):
    def __init__(self, base, name, mid, info):
        self._base, self.name, self._id, self.info = base, name, mid, info
        self._p = base._p

    def _fns(self):
        return self._p.contents


class CeventMap(_Map):
    """LBC_PERF_OUTPUT and LBC_RINGBUF: records to a callback cb(cpu, data, size)."""

    def open_perf_buffer(self, cb, lost_cb=None):
        def on_event(ctx, cpu, data, size):
            try:
                cb(cpu, data, size)
            except BaseException as e:      # raised again by perf_buffer_poll
                self._base._cb_error = self._base._cb_error or e

        def on_lost(ctx, cpu, count):
            if lost_cb:
                lost_cb(cpu, count)
            else:
                print("cpu%d lost %d events" % (cpu, count))
        # Kept alive as long as the map: C holds only the pointers.
        self._cbs = (_lib.EVENT_CB(on_event), _lib.LOST_CB(on_lost))
        ret = self._fns().set_event_cb(self._id, self._cbs[0], self._cbs[1])
        if ret:
            _raise(self._p, "open_perf_buffer(%s)" % self.name)

    def perf_buffer_poll(self, timeout=-1):
        """Poll until timeout seconds (-1: until Ctrl-C, then KeyboardInterrupt)."""
        left = timeout
        while True:
            step = 1 if left < 0 or left > 1 else left
            ret = self._fns().event_loop(self._id, int(step) if step >= 1 else 0)
            err = self._base._cb_error
            if err:
                self._base._cb_error = None
                raise err
            if ret == -errno.EINTR:
                raise KeyboardInterrupt
            if ret < 0:
                raise LbcError("perf_buffer_poll(%s): %s" % (self.name, os.strerror(-ret)))
            if left >= 0:
                left -= step
                if left <= 0:
                    return

    # bcc's names for a ring buffer (there cpu is -1 and nothing is counted lost)
    def open_ring_buffer(self, cb):
        self.open_perf_buffer(cb)

    def ring_buffer_poll(self, timeout=-1):
        self.perf_buffer_poll(timeout)


class CtableMap(_Map):
    """Hash and array maps: keys and values decoded by their BTF types."""

    def __init__(self, base, name, mid, info):
        _Map.__init__(self, base, name, mid, info)
        self._percpu = info["type"] in ("perHash", "perArray", "lruPerHash")
        self._ncpus = lib.clcc_num_cpus()
        self._ks, self._vs = info["key_size"], info["value_size"]
        self._vstride = (self._vs + 7) // 8 * 8

    def _key_obj(self, raw):
        k = self.info.get("key")
        return decode(k, raw) if k else bytes(raw)

    def _value_obj(self, raw):
        v = self.info.get("value")
        if not self._percpu:
            return decode(v, raw) if v else bytes(raw)
        # One value per CPU, each at an 8-byte stride.
        return [decode(v, raw, c * self._vstride) if v else
                bytes(raw[c * self._vstride:c * self._vstride + self._vs])
                for c in range(self._ncpus)]

    def _raw_keys(self):
        keys, cur = [], None
        nxt = ct.create_string_buffer(self._ks)
        while self._fns().map_get_next_key(self._id, cur, nxt) == 0:
            keys.append(nxt.raw)
            cur = ct.create_string_buffer(nxt.raw, self._ks)
        return keys

    def _lookup(self, raw_key):
        val = ct.create_string_buffer(self._vstride * (self._ncpus if self._percpu else 1))
        ret = self._fns().map_lookup_elem(self._id, ct.create_string_buffer(raw_key, self._ks),
                                          val)
        return val.raw if ret == 0 else None

    def _encode_key(self, key):
        if isinstance(key, (bytes, bytearray)):
            return bytes(key)
        k = self.info.get("key")
        if isinstance(key, int) and k and k["kind"] in ("int", "char", "bool"):
            return key.to_bytes(self._ks, sys.byteorder, signed=k.get("signed", False))
        raise LbcError("%s: give a key as an int or as its %d bytes" % (self.name, self._ks))

    def getKeys(self):
        return [self._key_obj(k) for k in self._raw_keys()]

    def getKeyValue(self, key):
        raw = self._lookup(self._encode_key(key))
        return None if raw is None else self._value_obj(raw)

    def get(self):
        out = {}
        for k in self._raw_keys():
            raw = self._lookup(k)
            if raw is not None:     # removed meanwhile: skipped
                out[self._key_obj(k)] = self._value_obj(raw)
        return out

    def clear(self):
        ret = lib.clcc_map_clear(self._p, self._id)
        if ret:
            _raise(self._p, "clear(%s)" % self.name)

    def getThenClear(self):
        out = self.get()
        for k in self._raw_keys():
            self._fns().map_delete_elem(self._id, ct.create_string_buffer(k, self._ks))
        return out


class CstackMap(_Map):
    """LBC_STACK: a stack id's addresses (getArr) and their names (getStacks)."""

    def getArr(self, stack_id):
        if stack_id < 0:
            return []
        ips = ct.create_string_buffer(self.info["value_size"])
        key = ct.c_uint32(stack_id)
        if self._fns().map_lookup_elem(self._id, ct.byref(key), ips) != 0:
            return []
        addrs = struct.unpack_from("<%dQ" % (self.info["value_size"] // 8), ips.raw)
        return [a for a in addrs if a] if 0 not in addrs else list(addrs[:addrs.index(0)])

    def getStacks(self, stack_id, pid=0):
        buf = ct.create_string_buffer(512)
        names = []
        for a in self.getArr(stack_id):
            lib.clcc_symbolize(self._p, pid, a, buf, len(buf))
            names.append(buf.value.decode("utf-8", "replace"))
        return names


_MAP_CLASSES = {"event": CeventMap, "ringbuf": CeventMap, "stack": CstackMap}


# --- the program -----------------------------------------------------------------

def _kernel_id():
    """What a .so compiled for this kernel depends on: release and BTF identity."""
    rel = os.uname().release
    try:
        st = os.stat("/sys/kernel/btf/vmlinux")
        return "%s %d" % (rel, st.st_size)
    except OSError:
        return rel


class ClbcBase(object):
    """A BPF program from C text: compiled (cached), loaded, attached (attach=1).

    name      the .so's name: NAME.so, in so_dir (default: the current directory)
    bpf_str   the C text; None: NAME.bpf.c next to the calling script or in the
              current directory; without either, an existing NAME.so is loaded
              and no compiler is needed
    env       more clang flags ("-DLBC_DEBUG")
    attach    0: load only, attach with the attach* methods
    """

    def __init__(self, name, bpf_str=None, env="", attach=1, log_level=-1, so_dir=None):
        self._name, self._p, self._cb_error = name, None, None
        so_dir = so_dir or os.getcwd()
        self.so_path = os.path.join(so_dir, name + ".so")
        src = bpf_str
        if src is None:
            for d in (os.path.dirname(os.path.abspath(sys.argv[0] or ".")), os.getcwd()):
                path = os.path.join(d, name + ".bpf.c")
                if os.path.exists(path):
                    with open(path) as f:
                        src = f.read()
                    break
        if src is not None:
            self._build(src, env)
        elif not os.path.exists(self.so_path):
            raise LbcError("%s: no bpf_str, no %s.bpf.c and no %s" % (name, name, self.so_path))
        self._load(log_level, attach)

    # The cache: NAME.so is rebuilt only when the text, env or kernel changed.
    def _build(self, src, env):
        key = sha256(("\0".join([src, env, _kernel_id()])).encode()).hexdigest()
        stamp = self.so_path + ".lbc"
        try:
            with open(stamp) as f:
                if f.read().strip() == key and os.path.exists(self.so_path):
                    return
        except OSError:
            pass
        srcfile = self.so_path[:-3] + ".bpf.c"
        if not os.path.exists(srcfile) or open(srcfile).read() != src:
            with open(srcfile, "w") as f:
                f.write(src)
        import subprocess   # here: 2.4 MB of RSS that a cached program does not need

        cmd = [_lib.surfcc_path(), "--output", self.so_path]
        if env:
            cmd += ["--env", env]
        cmd.append(srcfile)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if r.returncode:
            raise LbcError("compiling %s failed:\n%s" % (srcfile, r.stdout.rstrip()))
        with open(stamp, "w") as f:
            f.write(key + "\n")

    def _load(self, log_level, attach):
        self._p = lib.clcc_init(self.so_path.encode())
        if not self._p:
            raise LbcError("cannot load %s: %s" % (self.so_path, os.strerror(ct.get_errno())))
        ret = self._p.contents.init(log_level, 1 if attach else 0)
        if ret:
            msg = lib.clcc_last_error(self._p)
            lib.clcc_deinit(self._p)
            self._p = None
            raise LbcError("loading %s: %s" % (self.so_path, msg.decode() if msg else
                                                os.strerror(-ret)))
        self._types = json.loads(self._p.contents.get_map_types().decode())
        self.maps = {}
        for name, info in self._types.get("maps", {}).items():
            mid = self._p.contents.get_maps_id(name.encode())
            if mid < 0:
                continue
            cls = _MAP_CLASSES.get(info["type"], CtableMap)
            self.maps[name] = cls(self, name, mid, info)

    def getMap(self, name, data, size):
        """A record (the CELL of LBC_PERF_OUTPUT or LBC_RINGBUF_OUTPUT) as an object."""
        info = self._types["maps"].get(name)
        if not info or "cell" not in info:
            raise LbcError("getMap: '%s' is not an LBC_PERF_OUTPUT or LBC_RINGBUF_OUTPUT map "
                           "(a map with a record type)" % name)
        _check_size(info["cell"], size, "getMap(%s)" % name)
        return decode(info["cell"], ct.string_at(data, size))

    def showHist(self, name, unit="value"):
        """An LBC_HIST map printed as bcc prints a log2 histogram."""
        sys.stdout.flush()
        if lib.clcc_print_log2_hist_map(self._p, self.maps[name]._id, unit.encode()):
            _raise(self._p, "showHist(%s)" % name)

    # attach calls (seed 6.3.9): 0, else LbcError with the reason
    def _attach(self, what, ret):
        if ret:
            _raise(self._p, what)
        return 0

    def attachKprobe(self, function, symbol):
        return self._attach("attachKprobe", self._p.contents.attach_kprobe(
            function.encode(), symbol.encode()))

    def attachKretprobe(self, function, symbol):
        return self._attach("attachKretprobe", self._p.contents.attach_kretprobe(
            function.encode(), symbol.encode()))

    def attachUprobe(self, function, pid, binaryPath, offset=0):
        return self._attach("attachUprobe", self._p.contents.attach_uprobe(
            function.encode(), pid, binaryPath.encode(), offset))

    def attachUretprobe(self, function, pid, binaryPath, offset=0):
        return self._attach("attachUretprobe", self._p.contents.attach_uretprobe(
            function.encode(), pid, binaryPath.encode(), offset))

    def attachUprobeSym(self, function, pid, binary, symbol, ret=False):
        """By symbol: 'libc', 'malloc' (surftrace's resolution of BIN and SYM)."""
        return self._attach("attachUprobeSym", lib.clcc_attach_uprobe_sym(
            self._p, function.encode(), pid, binary.encode(), symbol.encode(), 1 if ret else 0))

    def attachJavaSym(self, function, pid, symbol, jcmd=True):
        """A SEC("perf_event") program on a JIT-compiled Java method of JVM pid
        ('Ltest;::square_test', 'test::square_test', 'com.acme.*::handle*'):
        an execute hardware breakpoint at its address in the JVM's perf map,
        /tmp/perf-PID.map.  With jcmd, `jcmd PID Compiler.perfmap` writes that
        map when there is none, or again when it does not name the method
        (compiled since) or is stale.  LbcError with the reason otherwise:
        not JIT-compiled yet, or hardware breakpoints not delivered here."""
        args = (self._p, function.encode(), pid, symbol.encode())
        path = "/tmp/perf-%d.map" % pid
        if not jcmd:
            return self._attach("attachJavaSym", lib.clcc_attach_java_sym(*args))
        if not os.path.exists(path):
            _perfmap(pid)
            return self._attach("attachJavaSym", lib.clcc_attach_java_sym(*args))
        # The map there may be older than the method's compilation: a quiet
        # first try, then a new snapshot for the errors one would cure.
        quiet = os.environ.get("CLCC_QUIET")
        os.environ["CLCC_QUIET"] = "1"
        try:
            ret = lib.clcc_attach_java_sym(*args)
        finally:
            if quiet is None:
                del os.environ["CLCC_QUIET"]
            else:
                os.environ["CLCC_QUIET"] = quiet
        if ret in (-errno.ENOENT, -errno.ESTALE):
            _perfmap(pid)
            ret = lib.clcc_attach_java_sym(*args)
        elif ret and quiet is None:
            sys.stderr.write("clcc: %s\n" % lib.clcc_last_error(self._p).decode())
        return self._attach("attachJavaSym", ret)

    def attachBreakpoint(self, function, pid, addr):
        """A SEC("perf_event") program on an execute hardware breakpoint at addr in process pid."""
        return self._attach("attachBreakpoint", lib.clcc_attach_breakpoint(
            self._p, function.encode(), pid, addr))

    def attachTracepoint(self, function, category, name):
        return self._attach("attachTracepoint", self._p.contents.attach_tracepoint(
            function.encode(), category.encode(), name.encode()))

    def attachRawTracepoint(self, function, name):
        return self._attach("attachRawTracepoint", self._p.contents.attach_raw_tracepoint(
            function.encode(), name.encode()))

    def attachCgroup(self, function, fd):
        return self._attach("attachCgroup", self._p.contents.attach_cgroup(function.encode(), fd))

    def attachNetns(self, function, fd):
        return self._attach("attachNetns", self._p.contents.attach_netns(function.encode(), fd))

    def attachXdp(self, function, ifindex):
        return self._attach("attachXdp", self._p.contents.attach_xdp(function.encode(), ifindex))

    def attachPerfEvent(self, function, fd):
        return self._attach("attachPerfEvent", self._p.contents.attach_perf_event(
            function.encode(), fd))

    def close(self):
        """Detach and unload (also at garbage collection and interpreter exit)."""
        if self._p:
            self._p.contents.exit()
            lib.clcc_deinit(self._p)
            self._p = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
