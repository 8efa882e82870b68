#!/usr/bin/env python3
"""Generated bad expressions for surftrace (issue 12, part 1 of tests/stress).

Mutations of valid expressions of every kind: tracepoints with filters, user
probes (P/R/U) on copies of build/helpers programs, and kernel probes (p/r,
with -S only: this kernel has no kprobes).  The mutations: wrong names, bad
numbers, chained comparisons, unbalanced parentheses, long names, NUL bytes
in -f files, empty strings, multibyte characters, operators and truncations.
Each mutant runs with -S and live (-t 0.3 with a workload under -c); both must
accept it (exit 0), or both refuse it with exit 2 and a caret under the bad
part.  A refused one must not have written to the kernel (strace: no event
created, no perf event opened, no filter set, no BPF program loaded); no run
may leave a group of its pid, or any event on the copies, behind; messages
about valid UTF-8 are valid UTF-8; and a -f file with a NUL byte is refused
whatever precedes the NUL (the rest would be lost silently).

  bad_exprs.py SEED COUNT ROOT

Prints "ok NAME" or "FAIL NAME" followed by indented details, one per mutation
kind and property; the suite turns them into pass/fail.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

SEED, COUNT, ROOT = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ST = os.path.join(ROOT, "build/surftrace")
# Copies of the helper programs, in a directory of a fixed name length (the
# mutations depend on lengths): an event on one of them is this run's,
# whatever its group is called.
TMP = tempfile.mkdtemp(prefix="surfstress.")
H = os.path.join(TMP, "h")
os.mkdir(H)
for prog in ("tuprobe", "seqgen", "tstruct", "usdtprog"):
    shutil.copy2(os.path.join(ROOT, "build/helpers", prog), H)
TFS = "/sys/kernel/tracing"
WORKLOAD = f"{H}/tuprobe 1000 1"
CARET = re.compile(rb"^\s*\^~*\s*$", re.M)
# A NUL byte cannot be shown under its line: its file, line and column name it instead.
NUL_AT = re.compile(rb"^surftrace: .*:\d+: a NUL byte at column \d+", re.M)


def located(out):
    return CARET.search(out) or NUL_AT.search(out)

# Valid expressions (kind letter first); live ones are run with the workload.
VALID = [
    "e sched/sched_switch f:prev_pid==1",
    'e sched/sched_switch f:prev_comm=="bash"&&next_pid>0',
    'e syscalls/sys_enter_openat f:filename.ustring~"*.conf"',
    "e syscalls/sys_enter_read f:count>=16",
    "e syscalls/sys_exit_read f:ret<0",
    "e sched/sched_process_exec",
    "e sched/sched_process_fork f:child_pid!=0||parent_pid==1",
    f"P {H}/tuprobe:func v=%0 a=%1->a b=%1->b",
    f"P {H}/tuprobe:func v=%0 f:v==1",
    f"R {H}/tuprobe:func r=$retval f:r>5",
    f"P {H}/seqgen:seq_mark t=%0 s=%1 f:s<10&&t==0",
    f"P {H}/tstruct:main",
    f"U {H}/usdtprog:surftest:tick i=%0 big=%1",
    'p wake_up_new_task comm=%0->comm f:comm=="bash"',
    "r do_filp_open pos=$retval->f_pos",
    "p do_sys_openat2 dfd=%0 f:dfd==1",
    "p wake_up_new_task users=S%0->mm->mm_users",
]

BAD_NUMBERS = ["3.5", "1e", "1e5", "99999999999999999999999", "18446744073709551616",
               "0000000000000000000001", "-2147483648", "0x", "0xg1", "08", "1_000",
               "\u0663", "\uff11", "\u4e2d100", "+-1", "--1", "1.", ".5", "NaN", "inf"]
MULTIBYTE = ["\u4e2d", "\u00e9", "\U0001f600", "\u0301", "\u200b", "\ufeff", "\u00a0"]
OPERATORS = ["==", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "~", "&", "=", "->", ".", "[",
             "]", "%", "$", "@", "!(", ")"]


def mutate(rng, expr):
    """One mutation of EXPR: (kind, bytes, how it is given: arg or file)."""
    kind = rng.choice(["name", "number", "chain", "paren", "longname", "nul", "empty",
                       "multibyte", "junk", "truncate"])
    toks = expr.split(" ")
    if kind == "name":
        # A near-miss of one word of the target or an argument: a letter
        # more, a letter less, or another case.
        i = rng.randrange(1, len(toks))
        t = toks[i]
        m = rng.randrange(3)
        t = t + "x" if m == 0 else (t[:-1] if m == 1 and len(t) > 1 else t.swapcase())
        toks[i] = t
        s = " ".join(toks)
    elif kind == "number":
        nums = list(re.finditer(r"(?<![%\w])\d+", expr))
        bad = rng.choice(BAD_NUMBERS)
        if nums:
            n = rng.choice(nums)
            s = expr[:n.start()] + bad + expr[n.end():]
        else:
            s = expr + (" f:" if "f:" not in expr else "&&") + "common_pid==" + bad
    elif kind == "chain":
        s = expr + (" f:common_pid==1==\"bash\"" if "f:" not in expr else '==1=="bash"')
    elif kind == "paren":
        body = expr if "f:" in expr else expr + " f:common_pid>0"
        i = rng.randrange(body.index("f:") + 2, len(body) + 1)
        s = body[:i] + rng.choice(["(", ")", "((", "))", "()"]) + body[i:]
    elif kind == "longname":
        # Argument names the kernel refuses over 31 characters (and 31 it takes).
        n = rng.choice([31, 32, 33, 64, 300])
        name = "a" * n
        if expr[0] == "e":
            s = expr + (" f:" if "f:" not in expr else "&&") + name + "==1"
        elif re.search(r" \w+=", expr):
            s = re.sub(r" (\w+)=", " " + name + "=", expr, count=1)
        else:
            head, sep, filt = expr.partition(" f:")
            s = head + " " + name + "=%0" + sep + filt
    elif kind == "nul":
        b = expr.encode()
        i = rng.randrange(1, len(b) + 1)
        return kind, b[:i] + b"\0" + b[i:] + rng.choice([b"", b" && BOGUS", b"&&common_pid==1"]), "file"
    elif kind == "empty":
        # Only on the command line: a blank line in a -f file is no expression.
        s = rng.choice(["", " ", "\t", toks[0], expr + " =%0", expr + " f:", expr + " v=",
                        expr.split(":")[0] + ":" if ":" in expr else expr + " x=%"])
        return kind, s.encode(), "arg"
    elif kind == "multibyte":
        i = rng.randrange(0, len(expr) + 1)
        s = expr[:i] + rng.choice(MULTIBYTE) + expr[i:]
    elif kind == "junk":
        i = rng.randrange(0, len(expr) + 1)
        s = expr[:i] + rng.choice(OPERATORS) + expr[i:]
    else:  # truncate
        s = expr[:rng.randrange(1, len(expr))]
    mode = "file" if rng.random() < 0.15 else "arg"
    return kind, s.encode(), mode


def valid_utf8(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def events_on(directory):
    """Dynamic events on a program in DIRECTORY, whoever made them."""
    found = []
    for f in ("uprobe_events", "dynamic_events"):
        try:
            found += [l for l in open(os.path.join(TFS, f)) if directory + "/" in l]
        except OSError:
            pass
    return [l.rstrip() for l in found]


def groups_of(pid):
    """Dynamic-event groups of PID (surftrace_PID, or surftrace_PID_... ) still in tracefs."""
    pat = re.compile(r"surftrace_%d(?![0-9])[^/ ]*" % pid)
    found = set()
    for f in ("kprobe_events", "uprobe_events", "dynamic_events"):
        try:
            found |= set(pat.findall(open(os.path.join(TFS, f)).read()))
        except OSError:
            pass
    return found


def kernel_writes(log):
    """What a strace log shows surftrace giving the kernel (sweeping others' aside)."""
    out = []
    for line in log.splitlines():
        m = re.search(r"write\(\d+</sys/kernel/(?:debug/)?tracing/([^>]*)>, \"(.{0,60})", line)
        if m and not m.group(2).startswith("-:"):
            out.append("write " + m.group(1) + ": " + m.group(2))
        elif "mkdir(\"/sys/kernel/tracing" in line and "= 0" in line:
            out.append(line.split(" ", 1)[1][:100])
        elif re.search(r"perf_event_open\(|PERF_EVENT_IOC_SET_FILTER|BPF_PROG_LOAD", line) \
                and not re.search(r"= -1 E", line):
            out.append(line.split(" ", 1)[1][:100])
    # The most telling first: an event or a filter, then the rings.
    return sorted(out, key=lambda w: "PERF_COUNT_SW_DUMMY" in w)


def run(args, tmp, idx, timeout):
    """Run surftrace ARGS under strace; (rc, output, writes, pid)."""
    log = os.path.join(tmp, f"strace.{idx}")
    cmd = ["strace", "--seccomp-bpf", "-f", "-y", "-qq", "-s", "64", "-o", log, "-e",
           "trace=execve,write,mkdir,perf_event_open,ioctl,bpf", ST] + args
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        rc, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        rc, out = "timeout", e.stdout or b""
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    lines = [l for l in text.splitlines() if l[:1].isdigit()]
    pid = int(lines[0].split(" ", 1)[0]) if lines else 0
    # Lines of the workload (-c: processes that exec) are not surftrace's;
    # its own threads' are.
    workload = {l.split(" ", 1)[0] for l in lines[1:] if " execve(" in l}
    mine = "\n".join(l for l in lines if l.split(" ", 1)[0] not in workload)
    return rc, out, kernel_writes(mine), pid


def check_one(job):
    idx, base, kind, data, mode, tmp = job
    kernel = base[0] in "pr"
    if mode == "file":
        path = os.path.join(tmp, f"expr.{idx}")
        open(path, "wb").write(data + b"\n")
        exprs = ["-f", path]
    else:
        if b"\0" in data:
            data = data.replace(b"\0", b"")
        # After "--": a generated expression may start with '-' (getopt's, not ours).
        exprs = ["--", os.fsdecode(data)]
    problems = []
    rc_s, out_s, w_s, _ = run(["-S"] + exprs, tmp, f"{idx}S", 20)
    if w_s:
        problems.append(("written", f"-S wrote to the kernel: {w_s[0]}"))
    s_ok = rc_s == 0
    s_refused = rc_s == 2 and located(out_s)
    if valid_utf8(data) and not valid_utf8(out_s):
        # A caret line cut through a multibyte character, or a name cut short.
        problems.append(("utf8", "-S printed invalid UTF-8: " + repr(out_s[-200:])))
    if kind == "nul" and not s_refused:
        # What follows a NUL would be lost silently: the file is refused.
        problems.append(("refused", f"-S exit {rc_s}: " + out_s.decode(errors="replace")[-200:]))
    if not s_ok and not s_refused:
        problems.append(("agree", f"-S exit {rc_s}{'' if rc_s != 2 else ' without a caret line'}: "
                         + out_s.decode(errors="replace")[-300:]))
    if not kernel:
        rc_l, out_l, w_l, pid = run(["-q", "-t", "0.3", "-c", WORKLOAD] + exprs, tmp, f"{idx}L", 20)
        live_ok = rc_l == 0
        live_refused = rc_l == 2 and located(out_l)
        if not (live_ok or live_refused):
            problems.append(("agree", f"live exit {rc_l}{'' if rc_l != 2 else ' without a caret line'}: "
                             + out_l.decode(errors="replace")[-300:]))
        elif live_ok != s_ok:
            problems.append(("agree", f"-S exit {rc_s}, live exit {rc_l}: "
                             + (out_l if not live_ok else out_s).decode(errors="replace")[-300:]))
        if not live_ok and w_l:
            problems.append(("written", f"refused live after writing to the kernel: {w_l[0]}"))
        left = groups_of(pid) if pid else set()
        if left:
            problems.append(("left", f"left behind: {sorted(left)}"))
    return idx, base, kind, data, mode, problems


def main():
    rng = random.Random(SEED)
    jobs = []
    for idx in range(COUNT):
        base = VALID[idx % len(VALID)]
        kind, data, mode = mutate(rng, base)
        jobs.append((idx, base, kind, data, mode, TMP))
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(check_one, jobs))
    left = events_on(H)
    if left:
        print(f"FAIL bad_exprs_nothing_left_on_the_programs: {len(left)} events")
        for line in left[:6]:
            print("  " + line)
    else:
        print(f"ok   bad_exprs_nothing_left_on_the_programs ({COUNT} expressions)")
    kinds = sorted({r[2] for r in results})
    for prop, what in (("agree", "-S and live agree: both run, or both exit 2 with a caret"),
                       ("written", "nothing written to the kernel for a refused expression"),
                       ("left", "no group of the run's pid left behind"),
                       ("utf8", "messages about valid UTF-8 input are valid UTF-8"),
                       ("refused", "a -f file with a NUL byte refused, the byte located")):
        for kind in kinds if prop != "refused" else ["nul"]:
            mine = [r for r in results if r[2] == kind]
            bad = [(r, d) for r in mine for p, d in r[5] if p == prop]
            name = f"bad_exprs_{prop}[{kind}]"
            if not bad:
                print(f"ok   {name} ({len(mine)} expressions)")
                continue
            nbad = len({id(r) for r, _ in bad})
            print(f"FAIL {name}: {nbad} of {len(mine)} expressions ({what})")
            for r, d in bad[:6]:
                print(f"  {r[4]} {r[3]!r} (from {r[1]!r})")
                print("    " + d.replace("\n", "\n    "))


try:
    main()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
