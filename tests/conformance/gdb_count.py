# Run inside gdb (gdb -batch -nx -x gdb_count.py --args PROGRAM ARGS...):
# the independent count of how many times each instruction of some
# functions runs, that test_boundaries.sh holds the uprobes' hits against.
# $COUNT_IN has "FILE VADDR SIZE" lines (a function of FILE, by its ELF
# address); each call of one of them from elsewhere is single-stepped to its
# return, and every instruction inside the functions is counted.
# $COUNT_OUT gets "FILE VADDR OFFSET COUNT" lines.
import os

import gdb

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set startup-with-shell off")

funcs = []
with open(os.environ["COUNT_IN"]) as f:
    for line in f:
        path, vaddr, size = line.split()
        funcs.append((os.path.realpath(path), int(vaddr, 16), int(size)))

gdb.execute("break main", to_string=True)
gdb.execute("run", to_string=True)
pid = gdb.selected_inferior().pid


def load_bias(path):
    """Where the file is mapped: its lowest mapping (first PT_LOAD at vaddr 0), or 0 (ET_EXEC)."""
    with open(path, "rb") as f:
        f.seek(16)
        if int.from_bytes(f.read(2), "little") == 2:     # ET_EXEC
            return 0
    with open("/proc/%d/maps" % pid) as m:
        starts = [int(l.split("-")[0], 16) for l in m if l.rstrip().endswith(" " + path)]
    return min(starts)


ranges = []     # (runtime start, end, file, vaddr)
for path, vaddr, size in funcs:
    start = load_bias(path) + vaddr
    ranges.append((start, start + size, path, vaddr))
    gdb.Breakpoint("*0x%x" % start, internal=True)
gdb.execute("delete 1")


def where(pc):
    for start, end, path, vaddr in ranges:
        if start <= pc < end:
            return (path, vaddr, pc - start)
    return None


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xffffffffffffffff


counts = {}
while True:
    gdb.execute("continue", to_string=True)
    if not gdb.selected_inferior().pid:
        break
    sp0 = reg("sp")
    # Step until the outermost call returns (its return pops the stack above sp0).
    while reg("sp") <= sp0:
        w = where(reg("pc"))
        if w:
            counts[w] = counts.get(w, 0) + 1
        gdb.execute("stepi", to_string=True)
        if not gdb.selected_inferior().pid:
            break
    if not gdb.selected_inferior().pid:
        break

with open(os.environ["COUNT_OUT"], "w") as out:
    for (path, vaddr, off), n in sorted(counts.items()):
        out.write("%s %x %d %d\n" % (path, vaddr, off, n))
