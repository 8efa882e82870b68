#!/usr/bin/env python3
"""Probe every instruction boundary of some functions while the program runs.

Usage: bounds.py SURFTRACE PROGRAM FILE:FUNC[,FUNC...]...

The boundaries are objdump's (-d over the symbol's value and size from
readelf -s).  Each offset that is not one, and the function's size, must be
refused by surftrace -S with exit status 2.  Every boundary is probed with
`P FILE:FUNC+OFF`, many per surftrace run, while `PROGRAM 3 OUT` runs: OUT
must be what the program writes without probes, and each probe must fire
as many times as gdb, single-stepping the same run, sees that instruction
run (gdb_count.py).  Prints "MISMATCH ..." lines, then "N boundaries probed,
M offsets refused, K mismatches".
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 200         # surftrace takes at most 256 expressions
ARGS = "3"          # calls of each function

mismatches = []


def run(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


def symbol(path, name):
    """(vaddr, size) of function name: .symtab, else .dynsym (name@@VERSION)."""
    for table in ("--syms", "--dyn-syms"):
        for line in run("readelf", "-W", table, path).stdout.splitlines():
            f = line.split()
            if len(f) >= 8 and f[3] in ("FUNC", "IFUNC") and f[6] != "UND" and \
               (f[7] == name or f[7] == name + "@@" + f[7].split("@@")[-1]):
                return int(f[1], 16), int(f[2], 0)
    raise SystemExit("no function %s in %s" % (name, path))


def boundaries(path, vaddr, size):
    """{offset: instruction text} of the function, as objdump decodes it."""
    out = run("objdump", "-d", "--no-show-raw-insn", "--start-address=0x%x" % vaddr,
              "--stop-address=0x%x" % (vaddr + size), path).stdout
    insns = {int(m.group(1), 16) - vaddr: m.group(2).strip()
             for m in re.finditer(r"^\s*([0-9a-f]+):\t(.*)$", out, re.M)}
    return {o: t for o, t in insns.items() if 0 <= o < size}


def compile_only(st, exprs):
    """{expr: error message} of the expressions surftrace -S refuses (exit 2)."""
    refused = {}
    for i in range(0, len(exprs), BATCH):
        todo = exprs[i:i + BATCH]
        p = run(st, "-S", *todo)
        err = p.stderr.splitlines()
        for k, l in enumerate(err):
            if k and l.startswith("  ") and l[2:] in todo:
                refused[l[2:]] = (p.returncode, err[k - 1])
    return refused


def check(st, prog, specs, tmp):
    env = dict(os.environ, LD_BIND_NOW="1")     # no lazy binding inside the stepped calls
    points = []         # (file, func, vaddr, size, offset)
    insn = {}           # (file, func, offset): objdump's text
    inside = []
    kernel_refused = []
    for spec in specs:
        path, names = spec.rsplit(":", 1)
        for name in names.split(","):
            vaddr, size = symbol(path, name)
            offs = boundaries(path, vaddr, size)
            points += [(path, name, vaddr, size, o) for o in sorted(offs)]
            insn.update({(path, name, o): t for o, t in offs.items()})
            inside += ["P %s:%s+%d" % (path, name, o) for o in range(1, size + 1)
                       if o not in offs]

    # Inside an instruction or past the end: refused, exit 2, with the reason.
    refused = compile_only(st, inside)
    for e in inside:
        rc, msg = refused.get(e, (0, None))
        if rc != 2 or not re.search(r"inside the instruction|past the end|do not decode", msg):
            mismatches.append("MISMATCH '%s' not refused: %s" % (e, msg or "accepted"))

    # What the program writes, and what gdb counts, without probes.
    ref = os.path.join(tmp, "ref")
    if run(prog, ARGS, ref, env=env).returncode:
        raise SystemExit("%s does not run" % prog)
    cin, cout = os.path.join(tmp, "count.in"), os.path.join(tmp, "count.out")
    with open(cin, "w") as f:
        for path, name, vaddr, size in sorted({p[:4] for p in points}):
            f.write("%s %x %d\n" % (path, vaddr, size))
    run("gdb", "-batch", "-nx", "-iex", "set debuginfod enabled off", "-x",
        os.path.join(HERE, "gdb_count.py"), "--args", prog, ARGS, os.path.join(tmp, "gdb.out"),
        env=dict(env, COUNT_IN=cin, COUNT_OUT=cout), check=True)
    want = collections.Counter()
    with open(cout) as f:
        for line in f:
            path, vaddr, off, n = line.split()
            want[(path, int(vaddr, 16), int(off))] = int(n)
    with open(ref) as f:
        expected_out = f.read()

    comm = os.path.basename(prog)[:15]
    for i in range(0, len(points), BATCH):
        batch = points[i:i + BATCH]
        out = os.path.join(tmp, "out%d" % i)
        while True:
            p = run(st, "-q", "-c", "%s %s %s" % (prog, ARGS, out),
                    *["P %s:%s+%d" % (path, name, o) for path, name, _, _, o in batch], env=env)
            # x86 uprobes refuse instructions with a segment or lock prefix
            # (arch/x86/kernel/uprobes.c, is_prefix_bad): the run stops there.
            m = re.search(r"the kernel refused 'P (.+):(\w+)\+(\d+)'", p.stderr)
            if p.returncode != 1 or not m:
                break
            point = (m.group(1), m.group(2), int(m.group(3)))
            text = insn.get(point, "?")
            kernel_refused.append("%s:%s+%d (%s)" % (os.path.basename(point[0]), point[1],
                                                     point[2], text))
            if not re.match(r"(cs|ds|es|ss|lock)\b", text):
                mismatches.append("MISMATCH the kernel refused %s:%s+%d (%s): %s" %
                                  (point + (text, p.stderr.strip())))
            batch = [b for b in batch if (b[0], b[1], b[4]) != point]
        got = collections.Counter()
        for line in p.stdout.splitlines():
            m = re.match(r"\s*(.+)-(\d+)\s+\[\d+\].*?: f(\d+): \(", line)
            if m and m.group(1) == comm:
                got[int(m.group(3))] += 1
        lost = re.search(r"(\d+) lost", p.stderr)
        if p.returncode or (lost and lost.group(1) != "0"):
            mismatches.append("MISMATCH %s probes %d..%d: exit %d: %s" %
                              (comm, i, i + len(batch) - 1, p.returncode, p.stderr.strip()[-300:]))
        written = open(out).read() if os.path.exists(out) else "(nothing)"
        if written != expected_out:
            mismatches.append("MISMATCH %s probes %d..%d: the program wrote %r, not %r" %
                              (comm, i, i + len(batch) - 1, written, expected_out))
        for k, (path, name, vaddr, _, o) in enumerate(batch):
            n = want[(os.path.realpath(path), vaddr, o)]
            if got[k] != n:
                mismatches.append("MISMATCH %s:%s+%d fired %d times, gdb ran it %d times" %
                                  (os.path.basename(path), name, o, got[k], n))
    for k in kernel_refused:
        print("the kernel cannot probe", k)
    for m in mismatches:
        print(m)
    print("%d boundaries probed, %d offsets refused, %d mismatches" %
          (len(points) - len(kernel_refused), len(refused), len(mismatches)))
    return 1 if mismatches else 0


def main():
    with tempfile.TemporaryDirectory(prefix="surf-bounds-") as tmp:
        return check(sys.argv[1], sys.argv[2], sys.argv[3:], tmp)


if __name__ == "__main__":
    sys.exit(main())
