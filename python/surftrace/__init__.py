# SPDX-License-Identifier: MIT
"""surftrace for Python: the command line's expressions, events to Python code.

    import surftrace

    def cb(ev):                      # ev.name, ev.cpu, ev.pid, ev.comm, ev.time_ns,
        print(ev.comm, ev["sz"])     # ev.fields: {name: int or str}
    t = surftrace.surftrace(['e syscalls/sys_enter_read sz=count'], cb=cb)
    t.start(); t.loop(5); t.stop()

    with surftrace.surftrace(['P libc:getenv name=%0']) as t:
        for ev in t.events(timeout=2):
            ...

A bad expression raises surftrace.SurfError, whose str() shows the caret under
the bad part (as the command line does); .msg, .pos, .len, .line.  Tracing
stops and every event is removed at stop(), at the end of a with block, at
garbage collection and at interpreter exit.  Tracepoints (e), kernel probes
(p, r), user probes (P, R) and USDT probes (U) with their NAME=VALUE arguments
and f:; with a: clauses (all expressions, or all but lat()'s starts) the
kernel counts and results() reads them as dicts, in the shape of
`surftrace --json`.
"""
import atexit
import collections
import ctypes as ct
import os
import re
import sys

try:
    from pylcc._lib import lib      # one libsurf.so.0 for both packages
except ImportError:                 # run from the tree: pylcc is our sibling
    sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from pylcc._lib import lib

__all__ = ["surftrace", "SurfError", "Event"]


class SurfError(Exception):
    """A bad expression (pos/len: the part of line it is about) or a failure."""

    def __init__(self, msg, line=None, pos=0, length=0):
        Exception.__init__(self, msg)
        self.msg, self.line, self.pos, self.len = msg, line, pos, length

    def __str__(self):
        if self.line is None:
            return self.msg
        return "%s\n  %s\n  %s^%s" % (self.msg, self.line, " " * self.pos,
                                      "~" * max(self.len - 1, 0))


class _ExprError(ct.Structure):
    _fields_ = [("code", ct.c_int), ("pos", ct.c_size_t), ("len", ct.c_size_t),
                ("msg", ct.c_char * 512)]


class _EventField(ct.Structure):
    _fields_ = [("name", ct.c_char_p), ("cls", ct.c_int)]


_EVENT_FIELDS = ct.CFUNCTYPE(ct.c_int, ct.c_void_p, ct.c_char_p, ct.c_char_p,
                             ct.POINTER(_EventField), ct.c_int)
# Buffers the callback writes are void *: a char * argument would arrive as a copy.
_RESOLVE_USER = ct.CFUNCTYPE(ct.c_int, ct.c_void_p, ct.c_char_p, ct.c_char_p, ct.c_void_p,
                             ct.c_size_t, ct.POINTER(ct.c_uint64), ct.c_void_p, ct.c_size_t)

_RESOLVE_USDT = ct.CFUNCTYPE(ct.c_int, ct.c_void_p, ct.c_char_p, ct.c_char_p, ct.c_char_p,
                             ct.c_void_p, ct.c_size_t, ct.c_void_p, ct.c_void_p, ct.c_size_t)
_USER_TYPES = ct.CFUNCTYPE(ct.c_void_p, ct.c_void_p, ct.c_char_p)


class _Env(ct.Structure):
    _fields_ = [("event_fields", _EVENT_FIELDS), ("resolve_user", _RESOLVE_USER),
                ("resolve_usdt", _RESOLVE_USDT), ("kernel_function", ct.c_void_p),
                ("user_types", _USER_TYPES), ("kernel_symbol", ct.c_void_p),
                ("kernel_insn", ct.c_void_p), ("ctx", ct.c_void_p)]


class _ExprOpts(ct.Structure):
    _fields_ = [("sz", ct.c_size_t), ("arch", ct.c_void_p), ("name", ct.c_char_p),
                ("env", ct.POINTER(_Env))]


class _TypesOpts(ct.Structure):
    _fields_ = [("sz", ct.c_size_t), ("btf_path", ct.c_char_p), ("vmlinux_path", ct.c_char_p),
                ("elf_path", ct.c_char_p), ("sysfs_btf_dir", ct.c_char_p),
                ("no_modules", ct.c_bool), ("cache_dir", ct.c_char_p)]


class _EngineOpts(ct.Structure):
    _fields_ = [("sz", ct.c_size_t), ("tracefs", ct.c_char_p), ("group", ct.c_char_p),
                ("ring_pages", ct.c_uint), ("pid", ct.c_int), ("inherit", ct.c_bool),
                ("callchain", ct.c_bool), ("workers", ct.c_uint), ("queue_len", ct.c_uint),
                ("offline", ct.c_bool), ("exclude_self", ct.c_bool), ("cache_dir", ct.c_char_p)]


class _Record(ct.Structure):
    _fields_ = [("event", ct.c_void_p), ("cpu", ct.c_int), ("pid", ct.c_int), ("tid", ct.c_int),
                ("time_ns", ct.c_uint64), ("period", ct.c_uint64), ("raw", ct.c_void_p),
                ("raw_size", ct.c_uint32), ("callchain", ct.c_void_p),
                ("nr_callchain", ct.c_uint32), ("user_strings", ct.c_void_p)]


class _FieldInfo(ct.Structure):
    _fields_ = [("name", ct.c_char_p), ("kind", ct.c_int), ("offset", ct.c_uint32),
                ("size", ct.c_uint32), ("is_signed", ct.c_bool), ("dynamic", ct.c_bool),
                ("common", ct.c_bool), ("user_string", ct.c_bool)]


class _Stats(ct.Structure):
    _fields_ = [("records", ct.c_uint64), ("lost", ct.c_uint64), ("dropped", ct.c_uint64),
                ("unread", ct.c_uint64), ("throttled", ct.c_uint64)]


_RECORD_CB = ct.CFUNCTYPE(None, ct.c_void_p, ct.POINTER(_Record))


class _AggRef(ct.Structure):
    _fields_ = [("src", ct.c_int), ("name", ct.c_char_p), ("index", ct.c_int),
                ("pos", ct.c_size_t), ("len", ct.c_size_t)]


class _Agg(ct.Structure):
    """struct surf_agg, as far as the module reads it."""
    _fields_ = [("kind", ct.c_int), ("value", _AggRef), ("lmin", ct.c_int64),
                ("lmax", ct.c_int64), ("lstep", ct.c_int64), ("keys", ct.c_void_p),
                ("nkeys", ct.c_int), ("lat_event", ct.c_char_p), ("lat_start", ct.c_char_p)]


class _ProbeDef(ct.Structure):
    """struct surf_probe_def, as far as the module reads it."""
    _fields_ = [("kind", ct.c_int), ("name", ct.c_char_p), ("symbol", ct.c_char_p),
                ("offset", ct.c_uint64), ("location", ct.c_char_p), ("path", ct.c_char_p),
                ("group", ct.c_char_p), ("event", ct.c_char_p), ("args", ct.c_void_p),
                ("nargs", ct.c_int), ("filter", ct.c_char_p), ("module", ct.c_char_p),
                ("agg", ct.POINTER(_Agg))]


class _AggOpts(ct.Structure):
    _fields_ = [("sz", ct.c_size_t), ("tracefs", ct.c_char_p), ("arch", ct.c_char_p),
                ("max_entries", ct.c_uint), ("start", ct.c_void_p), ("pid", ct.c_int),
                ("cache_dir", ct.c_char_p), ("max_map_bytes", ct.c_ulonglong),
                ("error", ct.POINTER(_ExprError))]


class _PrintOpts(ct.Structure):
    _fields_ = [("sz", ct.c_size_t), ("top", ct.c_uint), ("json", ct.c_bool)]


_AGG_LAT = 9    # SURF_AGG_LAT
_libc = ct.CDLL(None)
_libc.open_memstream.restype = ct.c_void_p
_libc.open_memstream.argtypes = [ct.POINTER(ct.c_char_p), ct.POINTER(ct.c_size_t)]
_libc.fclose.argtypes = [ct.c_void_p]
_libc.free.argtypes = [ct.c_void_p]

_P = ct.c_void_p
for _name, _res, _args in [
        ("surf_types__open", ct.c_int, [ct.POINTER(_P), ct.POINTER(_TypesOpts)]),
        ("surf_types__close", None, [_P]),
        ("surf_expr__compile", ct.c_int, [_P, ct.c_char_p, ct.POINTER(_ExprOpts),
                                          ct.POINTER(_P), ct.POINTER(_ExprError)]),
        ("surf_probe_def__free", None, [_P]),
        ("surf_tracefs__find", ct.c_int, [ct.c_char_p, ct.c_size_t, ct.c_bool]),
        ("surf_tracefs__event_fields", ct.c_int, [ct.c_char_p, ct.c_char_p, ct.c_char_p,
                                                  ct.POINTER(_EventField), ct.c_int]),
        ("surf_elf__find_binary", ct.c_int, [ct.c_char_p, ct.c_int, ct.c_void_p, ct.c_size_t]),
        ("surf_elf__symbol_offset", ct.c_int, [ct.c_void_p, ct.c_char_p,
                                               ct.POINTER(ct.c_uint64), ct.c_void_p,
                                               ct.c_size_t]),
        ("surf_usdt__find", ct.c_int, [ct.c_void_p, ct.c_char_p, ct.c_char_p, ct.c_void_p,
                                       ct.c_void_p, ct.c_void_p, ct.c_size_t]),
        ("surf_engine__new", ct.c_int, [ct.POINTER(_P), ct.POINTER(_EngineOpts)]),
        ("surf_engine__free", None, [_P]),
        ("surf_engine__add_probe", ct.c_int, [_P, _P, _RECORD_CB, _P, ct.POINTER(_P)]),
        ("surf_engine__start", ct.c_int, [_P]),
        ("surf_engine__poll", ct.c_int, [_P, ct.c_int]),
        ("surf_engine__stop", ct.c_int, [_P]),
        ("surf_engine__drain", ct.c_int, [_P]),
        ("surf_engine__last_error", ct.c_char_p, [_P]),
        ("surf_engine__comm", ct.c_char_p, [_P, ct.c_int]),
        ("surf_engine__stats", None, [_P, ct.POINTER(_Stats)]),
        ("surf_event__name", ct.c_char_p, [_P]),
        ("surf_event__nfields", ct.c_int, [_P]),
        ("surf_event__field_info", ct.POINTER(_FieldInfo), [_P, ct.c_int]),
        ("surf_record__int", ct.c_uint64, [ct.POINTER(_Record), ct.c_int]),
        ("surf_record__str", ct.c_char_p, [ct.POINTER(_Record), ct.c_int,
                                           ct.POINTER(ct.c_uint32)]),
        ("surf_aggregator__new", ct.c_int, [ct.POINTER(_P), _P, ct.POINTER(_AggOpts),
                                             ct.c_char_p, ct.c_size_t]),
        ("surf_aggregator__attach", ct.c_int, [_P]),
        ("surf_aggregator__print", ct.c_int, [_P, ct.c_void_p, ct.POINTER(_PrintOpts)]),
        ("surf_aggregator__free", None, [_P])]:
    _f = getattr(lib, _name)
    _f.restype, _f.argtypes = _res, _args


class Event(object):
    """One event: name, cpu, pid, tid, comm, time_ns, and fields by name (ev["sz"])."""
    __slots__ = ("name", "cpu", "pid", "tid", "comm", "time_ns", "fields")

    def __getitem__(self, key):
        return self.fields[key]

    def __repr__(self):
        return "Event(%s cpu=%d pid=%d comm=%s %s)" % (
            self.name, self.cpu, self.pid, self.comm,
            " ".join("%s=%r" % kv for kv in self.fields.items()))


_live = set()
_saved_term = None


@atexit.register
def _stop_all():
    for t in list(_live):
        t.stop()


def _on_term(signum, frame):
    raise SystemExit(128 + signum)


def _hold_term(hold):
    """While something traces, SIGTERM (if nobody else handles it) exits through
    SystemExit, so that with-blocks and atexit remove the events; the default
    action would leave them in tracefs for the next run to sweep."""
    import signal
    import threading
    global _saved_term
    if threading.current_thread() is not threading.main_thread():
        return
    if hold and _saved_term is None and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        _saved_term = signal.signal(signal.SIGTERM, _on_term)
    elif not hold and not _live and _saved_term is not None:
        signal.signal(signal.SIGTERM, _saved_term)
        _saved_term = None


class surftrace(object):
    """Trace expressions (the command line's syntax) into cb(event), or iterate."""

    def __init__(self, exprs, cb=None, pid=0, ring_pages=0):
        if isinstance(exprs, str):
            exprs = [exprs]
        self._cb, self._engine, self._defs = cb, None, []
        self._queue = collections.deque()
        self._pid, self._pages, self._error = pid, ring_pages, None
        tfs = ct.create_string_buffer(512)
        self._tracefs = tfs.value if lib.surf_tracefs__find(tfs, 512, True) == 0 else None
        types = _P()
        ret = lib.surf_types__open(ct.byref(types), ct.byref(_TypesOpts(sz=ct.sizeof(_TypesOpts))))
        if ret:
            raise SurfError("cannot load the kernel's types: %s" % os.strerror(-ret))
        self._types = types
        # The compiler asks the system through these (the command line's do the same).
        self._user_types = {}
        self._env = _Env(event_fields=_EVENT_FIELDS(self._event_fields),
                         resolve_user=_RESOLVE_USER(self._resolve_user),
                         resolve_usdt=_RESOLVE_USDT(self._resolve_usdt),
                         user_types=_USER_TYPES(self._open_user_types))
        try:
            for i, line in enumerate(exprs):
                self._defs.append(self._compile(line, "f%d" % i))
            self._check_kinds(exprs)
        except Exception:
            self.stop()
            raise

    def _event_fields(self, ctx, group, event, fields, nmax):
        if not self._tracefs:
            return -2
        return lib.surf_tracefs__event_fields(self._tracefs, group, event, fields, nmax)

    @staticmethod
    def _find_binary(binary, path, path_len, errbuf, errlen):
        ret = lib.surf_elf__find_binary(binary, 0, path, path_len)
        if ret:
            msg = b"no binary or library '%s'" % binary
            ct.memmove(errbuf, msg[:errlen - 1] + b"\0", min(len(msg) + 1, errlen))
        return ret

    def _resolve_user(self, ctx, binary, sym, path, path_len, offset, errbuf, errlen):
        ret = self._find_binary(binary, path, path_len, errbuf, errlen)
        return ret or lib.surf_elf__symbol_offset(path, sym, offset, errbuf, errlen)

    def _resolve_usdt(self, ctx, binary, provider, name, path, path_len, probe, errbuf, errlen):
        # No arch: the binary's own machine decides how its notes read.
        ret = self._find_binary(binary, path, path_len, errbuf, errlen)
        return ret or lib.surf_usdt__find(path, provider, name, None, probe, errbuf, errlen)

    def _open_user_types(self, ctx, path):
        """A user binary's DWARF types, opened once a path (None: it has none)."""
        if path not in self._user_types:
            t = _P()
            o = _TypesOpts(sz=ct.sizeof(_TypesOpts), elf_path=path)
            self._user_types[path] = t if lib.surf_types__open(ct.byref(t), ct.byref(o)) == 0 \
                else None
        t = self._user_types[path]
        return t.value if t else None

    def _compile(self, line, name):
        opts = _ExprOpts(sz=ct.sizeof(_ExprOpts), name=name.encode(), env=ct.pointer(self._env))
        d, err = _P(), _ExprError()
        ret = lib.surf_expr__compile(self._types, line.encode(), ct.byref(opts), ct.byref(d),
                                     ct.byref(err))
        if ret:
            raise SurfError(err.msg.decode(errors="replace") or os.strerror(-ret), line,
                            err.pos, err.len)
        return d

    def _on_record(self, ctx, rec):
        r = rec.contents
        ev = Event()
        ev.name = lib.surf_event__name(r.event).decode()
        ev.cpu, ev.pid, ev.tid, ev.time_ns = r.cpu, r.pid, r.tid, r.time_ns
        comm = lib.surf_engine__comm(self._engine, r.tid)
        ev.comm = comm.decode(errors="replace") if comm else ""
        ev.fields = {}
        for i in range(lib.surf_event__nfields(r.event)):
            fi = lib.surf_event__field_info(r.event, i).contents
            if fi.common:
                continue
            if fi.kind == 1:    # a string
                n = ct.c_uint32()
                s = lib.surf_record__str(rec, i, ct.byref(n))
                ev.fields[fi.name.decode()] = (s or b"").decode(errors="replace")
            elif fi.kind == 0:
                v = lib.surf_record__int(rec, i)
                if fi.is_signed and fi.size < 8 and v >> (fi.size * 8 - 1) & 1:
                    v -= 1 << (fi.size * 8)
                elif fi.is_signed and fi.size == 8 and v >> 63:
                    v -= 1 << 64
                ev.fields[fi.name.decode()] = v
        if self._cb:
            try:
                self._cb(ev)
            except BaseException as e:      # raised again by loop()
                self._error = self._error or e
        else:
            self._queue.append(ev)

    def _def(self, d):
        return ct.cast(d, ct.POINTER(_ProbeDef)).contents

    def _lat_start(self, i):
        """The expression a lat() starts from, as the command line matches it."""
        me = self._def(self._defs[i])
        a = me.agg.contents
        for j, d in enumerate(self._defs):
            o = self._def(d)
            if j == i:
                continue
            if a.lat_event and o.name == a.lat_event:
                return d
            if not a.lat_event and j < i and o.location == me.location and \
                    chr(o.kind) == {"R": "P", "r": "p"}.get(chr(me.kind)):
                return d
        raise SurfError("f%d: lat() has no start expression among these" % i)

    def _check_kinds(self, exprs):
        """What the command line refuses before anything reaches the kernel: a
        tracer streams or aggregates (lat() starts aside), and NAME=FIELD of a
        tracepoint is for a: clauses and lat() starts (its fields are shown)."""
        aggs = [i for i, d in enumerate(self._defs) if self._def(d).agg]
        starts = set(self._lat_start(i).value for i in aggs
                     if self._def(self._defs[i]).agg.contents.kind == _AGG_LAT)
        for i, d in enumerate(self._defs):
            me = self._def(d)
            if aggs and not me.agg and d.value not in starts:
                raise SurfError("f%d: streaming events and aggregating them in one tracer is "
                                "not done yet: give a: to every expression or to none "
                                "(or use two tracers)" % i)
            if not aggs and chr(me.kind) == "e" and me.nargs:
                name = ct.cast(me.args, ct.POINTER(ct.c_char_p))[0].decode()
                m = re.search(r"(?<![\w.])%s=" % re.escape(name), exprs[i])
                raise SurfError("a tracepoint shows its own fields: NAME=FIELD (%s=) is for "
                                "a: clauses and lat() starts" % name, exprs[i],
                                m.start() if m else 0, len(name) + 1 if m else 0)

    def _start_aggregations(self):
        """a: clauses: a BPF program and map each (surf/agg.h); all or none aggregate."""
        self._aggs = []
        starts = set()
        for i, d in enumerate(self._defs):
            a = self._def(d).agg
            if a and a.contents.kind == _AGG_LAT:
                starts.add(self._lat_start(i).value)
        for i, d in enumerate(self._defs):
            if not self._def(d).agg:
                continue            # a lat() start (_check_kinds saw to it)
            a = self._def(d).agg.contents
            opts = _AggOpts(sz=ct.sizeof(_AggOpts), tracefs=self._tracefs, pid=self._pid,
                            start=self._lat_start(i) if a.kind == _AGG_LAT else None)
            agg, why = _P(), ct.create_string_buffer(512)
            ret = lib.surf_aggregator__new(ct.byref(agg), d, ct.byref(opts), why, 512)
            if ret:
                raise SurfError("f%d: %s" % (i, why.value.decode() or os.strerror(-ret)))
            self._aggs.append(agg)
            ret = lib.surf_aggregator__attach(agg)
            if ret:
                raise SurfError("f%d: cannot attach: %s" % (i, os.strerror(-ret)))

    def results(self):
        """What every a: clause counted so far: one dict each, in the shape of
        `surftrace --json` ({"probe", "agg", "entries": [{"key": [...], "value"
        or "buckets"}]})."""
        import json
        out = []
        for agg in getattr(self, "_aggs", []):
            buf, size = ct.c_char_p(), ct.c_size_t()
            f = _libc.open_memstream(ct.byref(buf), ct.byref(size))
            popts = _PrintOpts(sz=ct.sizeof(_PrintOpts), json=True)
            ret = lib.surf_aggregator__print(agg, f, ct.byref(popts))
            _libc.fclose(f)
            text = ct.string_at(buf, size.value).decode()
            _libc.free(buf)
            if ret:
                raise SurfError("reading an aggregation: %s" % os.strerror(-ret))
            out.append(json.loads(text))
        return out

    def start(self):
        """Create the events (or the aggregations) in the kernel and start tracing."""
        if self._engine or getattr(self, "_aggs", None):
            return
        if any(self._def(d).agg for d in self._defs):
            _live.add(self)
            _hold_term(True)
            try:
                self._start_aggregations()
            except Exception:
                self.stop()
                raise
            return
        opts = _EngineOpts(sz=ct.sizeof(_EngineOpts), tracefs=self._tracefs, pid=self._pid,
                           inherit=self._pid > 0, ring_pages=self._pages, exclude_self=True)
        eng = _P()
        ret = lib.surf_engine__new(ct.byref(eng), ct.byref(opts))
        if ret:
            raise SurfError("cannot set up tracing: %s" % os.strerror(-ret))
        self._engine = eng
        _live.add(self)
        _hold_term(True)
        self._record_cb = _RECORD_CB(self._on_record)
        for d in self._defs:
            ret = lib.surf_engine__add_probe(eng, d, self._record_cb, None, None)
            if ret:
                err = lib.surf_engine__last_error(eng)
                self.stop()
                raise SurfError("cannot add the event: %s" % (err.decode() if err else
                                                               os.strerror(-ret)))
        ret = lib.surf_engine__start(eng)
        if ret:
            self.stop()
            raise SurfError("cannot start tracing: %s" % os.strerror(-ret))

    def loop(self, timeout=-1):
        """Deliver events to cb for timeout seconds (-1: until Ctrl-C); with a:
        clauses, only wait (the kernel counts)."""
        import time
        end = None if timeout < 0 else time.monotonic() + timeout
        if getattr(self, "_aggs", None):
            while end is None or time.monotonic() < end:
                time.sleep(0.2 if end is None else max(0, min(0.2, end - time.monotonic())))
            return
        while end is None or time.monotonic() < end:
            left = 200 if end is None else max(0, min(200, int((end - time.monotonic()) * 1000)))
            ret = lib.surf_engine__poll(self._engine, left)
            if self._error:
                e, self._error = self._error, None
                raise e
            if ret < 0 and ret != -4:   # -EINTR: Python's signal handlers run next
                raise SurfError("polling: %s" % os.strerror(-ret))

    def events(self, timeout=-1):
        """Iterate over the events (start()ed if need be) for timeout seconds."""
        import time
        self.start()
        end = None if timeout < 0 else time.monotonic() + timeout
        while end is None or time.monotonic() < end:
            while self._queue:
                yield self._queue.popleft()
            left = 200 if end is None else max(0, min(200, int((end - time.monotonic()) * 1000)))
            lib.surf_engine__poll(self._engine, left)
        while self._queue:
            yield self._queue.popleft()

    def stats(self):
        """{"records": N, "lost": N}: what was delivered and what the kernel dropped."""
        st = _Stats()
        if self._engine:
            lib.surf_engine__stats(self._engine, ct.byref(st))
        return {"records": st.records, "lost": st.lost}

    def stop(self):
        """Stop, remove every event and program from the kernel, free everything."""
        for agg in getattr(self, "_aggs", []):
            lib.surf_aggregator__free(agg)
        self._aggs = []
        if self._engine:
            lib.surf_engine__stop(self._engine)
            lib.surf_engine__drain(self._engine)
            lib.surf_engine__free(self._engine)
            self._engine = None
        _live.discard(self)
        _hold_term(False)
        for d in self._defs:
            lib.surf_probe_def__free(d)
        self._defs = []
        if getattr(self, "_types", None):
            lib.surf_types__close(self._types)
            self._types = None
        for t in getattr(self, "_user_types", {}).values():
            if t:
                lib.surf_types__close(t)
        self._user_types = {}

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def __del__(self):
        try:
            self.stop()
        except Exception:
            pass
