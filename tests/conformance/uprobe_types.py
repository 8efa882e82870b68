#!/usr/bin/env python3
"""Every exported function of some binaries: what `surftrace -S 'P BIN:FUNC
a0=%0 ...'` and `'R BIN:FUNC r=$retval'` make of each argument and of the
return value, held against the DWARF prototype gdb finds at the symbol's
address (gdb_protos.py), and the file offset of the uprobe against the
symbol's value (readelf -s) moved through the PT_LOAD that holds it
(readelf -l).

Usage: uprobe_types.py SURFTRACE BINARY...
Prints one "MISMATCH ..." line per disagreement, then
"N functions checked, M mismatches" (functions whose prototype was compared).
"""
import json
import os
import platform
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Integer argument registers, in the order the ABI fills them.
REGS = {"x86_64": ["di", "si", "dx", "cx", "r8", "r9"],
        "aarch64": ["x%d" % i for i in range(8)]}[platform.machine()]
BATCH = 200          # surftrace takes at most 256 expressions

mismatches = []


def mismatch(binary, name, what):
    mismatches.append("MISMATCH %s %s: %s" % (os.path.basename(binary), name, what))


def readelf(*args):
    return subprocess.run(["readelf", "-W"] + list(args), capture_output=True, text=True,
                          check=True).stdout


def loads(binary):
    segs = []
    for line in readelf("-l", binary).splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            segs.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))  # offset, vaddr, filesz
    return segs


def file_offset(segs, vaddr):
    for off, va, filesz in segs:
        if va <= vaddr < va + filesz:
            return vaddr - va + off
    return None


def functions(binary):
    """Exported functions: {probe name: (vaddr, ifunc)}; .dynsym, or .symtab for a program."""
    out = {}
    for table in ("--dyn-syms", "--syms"):
        for line in readelf(table, binary).splitlines():
            f = line.split()
            if len(f) < 8 or not f[0].endswith(":") or f[3] not in ("FUNC", "IFUNC"):
                continue
            if f[6] == "UND" or f[4] not in ("GLOBAL", "WEAK") or f[5] != "DEFAULT":
                continue
            name = f[7]
            # name@@VER is what the bare name means; name@VER is asked for by its version.
            if "@@" in name:
                name = name.split("@@")[0]
            out.setdefault(name, (int(f[1], 16), f[3] == "IFUNC"))
        if out:
            break
    return out


def oracle(binary, names):
    with tempfile.TemporaryDirectory() as tmp:
        inp, outp = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        with open(inp, "w") as f:
            for name, (vaddr, _) in names.items():
                f.write("%s %x\n" % (name, vaddr))
        env = dict(os.environ, PROTO_IN=inp, PROTO_OUT=outp, PROTO_ARCH=platform.machine())
        subprocess.run(["gdb", "-batch", "-nx", "-iex", "set debuginfod enabled off",
                        "-x", os.path.join(HERE, "gdb_protos.py"), binary],
                       env=env, capture_output=True, check=True)
        with open(outp) as f:
            return {d["name"]: d for d in map(json.loads, f)}


def fetch(kind, reg):
    """The fetch text surftrace must give a value of this kind held in reg, or None: refused."""
    cls, size = kind
    if cls == "str":
        return "+0x0(%s):string" % reg
    if cls in ("int", "struct") and size in (1, 2, 4, 8):
        return "%s:u%d" % (reg, size * 8)
    return None


def expected(d):
    """{arg name: fetch text or None (refused)} for the entry probe, and the $retval one.

    The integer registers are filled in order by the parameters that travel
    in them: a double takes none, a small struct of integers one per 8 bytes.
    """
    args, used = {}, 0
    for i, p in enumerate(d["params"]):
        if used is None or p["regs"] in (None, 0) or used >= len(REGS):
            args["a%d" % i] = None
        elif p["regs"] == 1:
            args["a%d" % i] = fetch(p["kind"], "%" + REGS[used])
        else:
            args["a%d" % i] = None
        used = None if used is None or p["regs"] is None else used + p["regs"]
    r = d["ret"]
    ok = r["kind"][0] in ("int", "str") or (r["kind"][0] == "struct" and r["ints"])
    return args, fetch(r["kind"], "$retval") if ok else None


def surftrace(st, exprs):
    """Compile exprs with -S: ({expr: uprobe_events line}, {expr: error}), in batches."""
    lines, errors = {}, {}
    for i in range(0, len(exprs), BATCH):
        todo = exprs[i:i + BATCH]
        while todo:
            p = subprocess.run([st, "-S"] + todo, capture_output=True, text=True)
            if p.returncode == 0:
                defs = [l for l in p.stdout.splitlines() if "_events" in l]
                for e, l in zip(todo, defs):
                    lines[e] = l
                break
            err = p.stderr.splitlines()
            bad = {}
            for k, l in enumerate(err):
                if l.startswith("  ") and l[2:] in todo and k:
                    bad[l[2:]] = err[k - 1]
            if not bad:
                for e in todo:
                    errors[e] = p.stderr.strip() or "exit %d" % p.returncode
                break
            errors.update(bad)
            todo = [e for e in todo if e not in bad]
    return lines, errors


def check(st, binary):
    names = functions(binary)
    segs = loads(binary)
    protos = oracle(binary, names)
    good, bad, want = [], [], {}
    checked = 0
    for name, (vaddr, ifunc) in sorted(names.items()):
        d = protos.get(name, {"dwarf": False})
        point = "%s:%s" % (binary, name)
        if ifunc or not d["dwarf"]:
            # No prototype to compare (assembly, an IFUNC's run-time choice): the offset only.
            e = "P %s" % point
            good.append(e)
            want[e] = (name, vaddr, None)
            continue
        checked += 1
        args, ret = expected(d)
        ok = " ".join("%s=%%%d" % (a, i) for i, a in enumerate(args) if args[a])
        e = ("P %s %s" % (point, ok)).rstrip()
        good.append(e)
        want[e] = (name, vaddr, {a: args[a] for a in args if args[a]})
        for i, a in enumerate(args):
            if not args[a]:
                e = "P %s %s=%%%d" % (point, a, i)
                bad.append(e)
                want[e] = (name, vaddr, d["proto"])
        e = "R %s r=$retval" % point
        (good if ret else bad).append(e)
        want[e] = (name, vaddr, {"r": ret} if ret else d["proto"])
    lines, errors = surftrace(st, good + bad)
    for e in good:
        name, vaddr, args = want[e]
        if e in errors:
            # An IFUNC that picks the vDSO's code (time, gettimeofday) has none here to probe.
            if not (names[name][1] and "is an IFUNC" in errors[e]):
                mismatch(binary, name, "'%s' refused: %s" % (e, errors[e]))
            continue
        m = re.search(r"'[pr]:f\d+ ([^ ']+):0x([0-9a-f]+)(.*)'", lines.get(e, ""))
        if not m:
            mismatch(binary, name, "'%s' gave no uprobe line" % e)
            continue
        off = file_offset(segs, vaddr)
        if not names[name][1] and int(m.group(2), 16) != off:
            mismatch(binary, name, "offset 0x%s, readelf -s and -l say 0x%x" % (m.group(2), off))
        got = dict(kv.split("=", 1) for kv in m.group(3).split())
        for a, text in (args or {}).items():
            if got.get(a) != text:
                mismatch(binary, name, "%s is %s, gdb's prototype %s says %s" %
                         (a, got.get(a), protos[name]["proto"], text))
    for e in bad:
        name, _, proto = want[e]
        if e not in errors:
            mismatch(binary, name, "'%s' accepted (%s), but gdb's prototype %s puts it where "
                     "a probe cannot read it" % (e, lines.get(e, "?"), proto))
    return checked, len(names)


def main():
    st, total, names = sys.argv[1], 0, 0
    for binary in sys.argv[2:]:
        c, n = check(st, binary)
        print("%s: %d exported functions, %d with a prototype" % (binary, n, c))
        total += c
        names += n
    for m in mismatches:
        print(m)
    print("%d functions checked, %d mismatches" % (total, len(mismatches)))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
