# Run inside gdb (gdb -batch -nx -x gdb_protos.py BINARY): the independent
# reader of the DWARF prototypes that test_uprobe_types.sh holds surftrace
# against.  Reads "NAME VADDR" lines from $PROTO_IN, writes one JSON object a
# line to $PROTO_OUT: the function gdb finds at that address (the address a
# symbol has, whatever alias it is exported under), its return type and its
# parameters, each reduced to what a probe can fetch.
import json
import os

import gdb

ARCH = os.environ.get("PROTO_ARCH", "x86_64")

INTS = (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_CHAR)
CHARS = ("char", "signed char", "unsigned char")


def peel(t):
    return t.unqualified().strip_typedefs().unqualified()


def kind(t):
    """[class, size]: int, str (a pointer to 1-byte chars), float, struct, void."""
    t = peel(t)
    if t.code in INTS:
        return ["int", t.sizeof]
    if t.code == gdb.TYPE_CODE_PTR:
        to = peel(t.target())
        if to.code in INTS and to.sizeof == 1 and to.name in CHARS:
            return ["str", 8]
        return ["int", t.sizeof]
    if t.code in (gdb.TYPE_CODE_FLT, gdb.TYPE_CODE_COMPLEX):
        return ["float", t.sizeof]
    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        return ["struct", t.sizeof]
    if t.code == gdb.TYPE_CODE_VOID:
        return ["void", 0]
    return ["other", t.sizeof]


def only_integers(t, depth=0):
    t = peel(t)
    if depth > 8:
        return False
    if t.code in INTS or t.code == gdb.TYPE_CODE_PTR:
        return True
    if t.code == gdb.TYPE_CODE_ARRAY:
        return only_integers(t.target(), depth + 1)
    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        return all(only_integers(f.type, depth + 1) for f in t.fields()
                   if hasattr(f, "bitpos"))
    return False


def int_regs(t):
    """Integer registers a parameter takes (x86_64 and aarch64 ABIs); None: not told."""
    t = peel(t)
    if t.code in INTS or t.code == gdb.TYPE_CODE_PTR:
        return 1 if t.sizeof <= 8 else None
    if t.code in (gdb.TYPE_CODE_FLT, gdb.TYPE_CODE_COMPLEX):
        return 0
    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        if t.sizeof > 16:   # x86_64: copied to the stack; aarch64: by reference
            return 1 if ARCH == "aarch64" else 0
        return (t.sizeof + 7) // 8 if only_integers(t) else None
    return None


def param(t):
    return {"kind": kind(t), "regs": int_regs(t), "ints": only_integers(t)}


def function_at(pc):
    """The outermost function block at pc, if its entry is there."""
    try:
        b = gdb.block_for_pc(pc)
    except RuntimeError:
        return None
    while b is not None and b.superblock is not None and not b.superblock.is_static:
        b = b.superblock
    if b is None or b.function is None:
        return None
    # A function split in parts (a .cold part) starts below its entry.
    if int(b.function.value().address) != pc:
        return None
    return b.function


def describe(name, pc):
    f = function_at(pc)
    if f is None:
        return {"name": name, "dwarf": False}
    src = f.symtab.filename if f.symtab else ""
    # gas writes "void f(void)" for every function of an assembly file.
    if src.endswith((".S", ".s")):
        return {"name": name, "dwarf": False, "asm": src}
    t = f.type
    return {"name": name, "dwarf": True, "func": f.name, "proto": str(t),
            "ret": param(t.target()),
            "params": [param(fl.type) for fl in t.fields()]}


with open(os.environ["PROTO_IN"]) as inp, open(os.environ["PROTO_OUT"], "w") as out:
    for line in inp:
        name, pc = line.split()
        out.write(json.dumps(describe(name, int(pc, 16))) + "\n")
