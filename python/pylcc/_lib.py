# SPDX-License-Identifier: MIT
"""libsurf.so.0 through ctypes: the clcc API (include/surf/clcc.h).

The library is found in this order: $SURF_LIBSURF (a path), build/ of the
source tree this package sits in (python/ next to build/), then the dynamic
linker's search path (an installed libsurf.so.0).  surfcc likewise:
$SURFCC, the tree's build/surfcc, then PATH.
"""
import ctypes as ct
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_TREE_BUILD = os.path.normpath(os.path.join(_HERE, "..", "..", "build"))

EVENT_CB = ct.CFUNCTYPE(None, ct.c_void_p, ct.c_int, ct.c_void_p, ct.c_uint)
LOST_CB = ct.CFUNCTYPE(None, ct.c_void_p, ct.c_int, ct.c_ulonglong)


class _Ksym(ct.Structure):
    _fields_ = [("addr", ct.c_long), ("name", ct.c_char_p)]


def _fn(restype, *args):
    return ct.CFUNCTYPE(restype, *args)


class ClccStruct(ct.Structure):
    """struct clcc_struct, member for member (its function pointers take no handle)."""
    _fields_ = [
        ("handle", ct.c_void_p),
        ("status", ct.c_int),
        ("init", _fn(ct.c_int, ct.c_int, ct.c_int)),
        ("exit", _fn(None)),
        ("get_maps_id", _fn(ct.c_int, ct.c_char_p)),
        ("set_event_cb", _fn(ct.c_int, ct.c_int, EVENT_CB, LOST_CB)),
        ("event_loop", _fn(ct.c_int, ct.c_int, ct.c_int)),
        ("map_lookup_elem", _fn(ct.c_int, ct.c_int, ct.c_void_p, ct.c_void_p)),
        ("map_lookup_elem_flags", _fn(ct.c_int, ct.c_int, ct.c_void_p, ct.c_void_p, ct.c_ulong)),
        ("map_lookup_and_delete_elem", _fn(ct.c_int, ct.c_int, ct.c_void_p, ct.c_void_p)),
        ("map_delete_elem", _fn(ct.c_int, ct.c_int, ct.c_void_p)),
        ("map_update_elem", _fn(ct.c_int, ct.c_int, ct.c_void_p, ct.c_void_p)),
        ("map_get_next_key", _fn(ct.c_int, ct.c_int, ct.c_void_p, ct.c_void_p)),
        ("attach_perf_event", _fn(ct.c_int, ct.c_char_p, ct.c_int)),
        ("attach_kprobe", _fn(ct.c_int, ct.c_char_p, ct.c_char_p)),
        ("attach_kretprobe", _fn(ct.c_int, ct.c_char_p, ct.c_char_p)),
        ("attach_uprobe", _fn(ct.c_int, ct.c_char_p, ct.c_int, ct.c_char_p, ct.c_ulong)),
        ("attach_uretprobe", _fn(ct.c_int, ct.c_char_p, ct.c_int, ct.c_char_p, ct.c_ulong)),
        ("attach_tracepoint", _fn(ct.c_int, ct.c_char_p, ct.c_char_p, ct.c_char_p)),
        ("attach_raw_tracepoint", _fn(ct.c_int, ct.c_char_p, ct.c_char_p)),
        ("attach_cgroup", _fn(ct.c_int, ct.c_char_p, ct.c_int)),
        ("attach_netns", _fn(ct.c_int, ct.c_char_p, ct.c_int)),
        ("attach_xdp", _fn(ct.c_int, ct.c_char_p, ct.c_int)),
        ("get_map_types", _fn(ct.c_char_p)),
        ("ksym_search", _fn(ct.POINTER(_Ksym), ct.c_ulong)),
    ]


def _load():
    cands = [os.environ.get("SURF_LIBSURF"), os.path.join(_TREE_BUILD, "libsurf.so.0"),
             "libsurf.so.0"]
    errors = []
    for c in cands:
        if not c:
            continue
        if os.sep in c and not os.path.exists(c):
            continue
        try:
            return ct.CDLL(c, use_errno=True)
        except OSError as e:
            errors.append(str(e))
    raise OSError("pylcc: libsurf.so.0 not found (install surftrace, run from its "
                  "source tree after make, or set SURF_LIBSURF): " + "; ".join(errors))


lib = _load()
lib.clcc_init.restype = ct.POINTER(ClccStruct)
lib.clcc_init.argtypes = [ct.c_char_p]
lib.clcc_deinit.argtypes = [ct.POINTER(ClccStruct)]
lib.clcc_last_error.restype = ct.c_char_p
lib.clcc_last_error.argtypes = [ct.POINTER(ClccStruct)]
lib.clcc_num_cpus.restype = ct.c_int
lib.clcc_map_clear.argtypes = [ct.POINTER(ClccStruct), ct.c_int]
lib.clcc_symbolize.argtypes = [ct.POINTER(ClccStruct), ct.c_int, ct.c_ulong, ct.c_char_p,
                               ct.c_size_t]
lib.clcc_attach_uprobe_sym.argtypes = [ct.POINTER(ClccStruct), ct.c_char_p, ct.c_int,
                                       ct.c_char_p, ct.c_char_p, ct.c_int]
lib.clcc_attach_java_sym.argtypes = [ct.POINTER(ClccStruct), ct.c_char_p, ct.c_int, ct.c_char_p]
lib.clcc_attach_breakpoint.argtypes = [ct.POINTER(ClccStruct), ct.c_char_p, ct.c_int, ct.c_ulong]
lib.clcc_print_log2_hist_map.argtypes = [ct.POINTER(ClccStruct), ct.c_int, ct.c_char_p]
lib.clcc_poll.argtypes = [ct.POINTER(ClccStruct), ct.c_int]


def surfcc_path():
    env = os.environ.get("SURFCC")
    if env:
        return env
    tree = os.path.join(_TREE_BUILD, "surfcc")
    if os.access(tree, os.X_OK):
        return tree
    import shutil   # only when compiling

    found = shutil.which("surfcc")
    if not found:
        raise OSError("pylcc: surfcc not found (install surftrace, or set SURFCC)")
    return found
