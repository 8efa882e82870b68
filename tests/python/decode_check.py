# SPDX-License-Identifier: MIT
"""pylcc's decoding against C: a BPF program writes known values into a
struct with every member kind; the record, a hash map value and a per-CPU
array come back as Python objects equal to what the C put there.  Prints
"ok NAME" / "FAIL NAME: why" lines for tests/cli/test_pylcc.sh."""
import contextlib
import io
import os
import re
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from pylcc.lbcBase import ClbcBase, LbcError  # noqa: E402

PROG = r"""
#include "lbc.h"
struct inner { u8 a; s16 b; };
struct rec {
    s8 i8; u8 u8v; s16 i16; u16 u16v; s32 i32; u32 u32v; s64 i64; u64 u64v;
    bool flag;
    char name[8];
    u32 arr[3];
    struct inner in;
    struct inner ins[2];
    union { u32 word; u8 bytes[4]; } un;
    void *ptr;
    u32 b3:3, s5:5, rest:24;
    s32 neg:4, pad:28;
};
LBC_PERF_OUTPUT(out, struct rec, 128);
LBC_RINGBUF_OUTPUT(ring, struct rec, 4096 * 4);
LBC_HASH(vals, u32, struct rec, 16);
LBC_PERCPU_ARRAY(per, u32, u64, 1);
struct big { u64 seq; char pad[1016]; };
LBC_PERF_OUTPUT(flood, struct big, 128);
SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
    struct rec r = {};
    u32 k = 7, zero = 0;
    u64 *n;

    if ((bpf_get_current_pid_tgid() >> 32) != WANT_PID)
        return 0;
    r.i8 = -5; r.u8v = 250; r.i16 = -300; r.u16v = 60000; r.i32 = -70000;
    r.u32v = 4000000000u; r.i64 = -5000000000ll; r.u64v = 18000000000000000000ull;
    r.flag = 1;
    __builtin_memcpy(r.name, "abc\0xyz", 8);
    r.arr[0] = 1; r.arr[1] = 2; r.arr[2] = 3;
    r.in.a = 9; r.in.b = -2;
    r.ins[1].a = 4; r.ins[1].b = 5;
    r.un.word = 0x04030201;
    r.ptr = (void *)0xffff888012345678ull;
    r.b3 = 5; r.s5 = 17; r.rest = 123456;
    r.neg = -3; r.pad = 0;
    bpf_perf_event_output(ctx, &out, BPF_F_CURRENT_CPU, &r, sizeof(r));
    bpf_ringbuf_output(&ring, &r, sizeof(r), 0);
    bpf_map_update_elem(&vals, &k, &r, BPF_ANY);
    n = bpf_map_lookup_elem(&per, &zero);
    if (n)
        *n += 1;
    return 0;
}

/* Records far faster than anyone reads them: the perf buffer overflows. */
SEC("tp/syscalls/sys_enter_getpgid")
int on_getpgid(void *ctx)
{
    static struct big b;

    if ((bpf_get_current_pid_tgid() >> 32) != WANT_PID)
        return 0;
    b.seq++;
    bpf_perf_event_output(ctx, &flood, BPF_F_CURRENT_CPU, &b, sizeof(b));
    return 0;
}
char _license[] SEC("license") = "GPL";
"""

WANT = dict(i8=-5, u8v=250, i16=-300, u16v=60000, i32=-70000, u32v=4000000000,
            i64=-5000000000, u64v=18000000000000000000, flag=True, name="abc",
            arr=[1, 2, 3], ptr=0xffff888012345678, b3=5, s5=17, rest=123456, neg=-3, pad=0)


def check(name, cond, why):
    print(("ok   %s" % name) if cond else ("FAIL %s: %s" % (name, why)), flush=True)


def compare(obj):
    bad = ["%s=%r (want %r)" % (k, getattr(obj, k, None), v) for k, v in WANT.items()
           if getattr(obj, k, None) != v]
    if getattr(obj, "in").a != 9 or getattr(obj, "in").b != -2:
        bad.append("in=%r" % getattr(obj, "in"))
    if obj.ins[0].a != 0 or obj.ins[1].a != 4 or obj.ins[1].b != 5:
        bad.append("ins=%r" % obj.ins)
    if obj.un.word != 0x04030201 or obj.un.bytes != [1, 2, 3, 4]:
        bad.append("un=%r" % obj.un)
    return bad


def main():
    os.chdir(sys.argv[1])
    prog = PROG.replace("WANT_PID", str(os.getpid()))
    b = ClbcBase("decode", bpf_str=prog)
    got = []

    def cb(cpu, data, size):
        got.append(b.getMap("out", data, size))
        try:
            # perf pads a record to 8 bytes: one byte short of the type itself
            b.getMap("out", data, b._types["maps"]["out"]["cell"]["size"] - 1)
            got.append("no error for a short record")
        except LbcError as e:
            got.append(str(e))

    ring = []
    b.maps["out"].open_perf_buffer(cb)
    b.maps["ring"].open_ring_buffer(lambda cpu, data, size:
                                    ring.append((cpu, b.getMap("ring", data, size))))
    ncalls = 5
    threading.Thread(target=lambda: [os.getppid() for _ in range(ncalls)]).start()
    b.maps["out"].perf_buffer_poll(2)
    b.maps["ring"].ring_buffer_poll(0)
    recs = [g for g in got if not isinstance(g, str)]
    check("record_count", len(recs) == ncalls, "%d records for %d calls" % (len(recs), ncalls))
    if recs:
        bad = compare(recs[0])
        check("record_every_member_kind", not bad, "; ".join(bad))
    check("ring_buffer_records", len(ring) == ncalls and all(c == -1 and not compare(r)
                                                             for c, r in ring),
          "%d records: %r" % (len(ring), ring[:1]))
    errs = [g for g in got if isinstance(g, str)]
    check("short_record_refused", errs and "shorter than its type" in errs[0], errs[:1])
    vals = b.maps["vals"].get()
    check("hash_value_struct", list(vals) == [7] and not compare(vals[7]), repr(vals)[:300])
    per = b.maps["per"].get()
    ok = (list(per) == [0] and isinstance(per[0], list) and
          len(per[0]) >= int(subprocess.check_output(["nproc"])) and sum(per[0]) == ncalls)
    check("percpu_one_value_per_cpu", ok, repr(per))
    try:
        b.maps["nope"]
        check("unknown_map", False, "no KeyError")
    except KeyError:
        check("unknown_map", True, "")
    try:
        b.getMap("vals", None, 0)
        check("getmap_not_perf_output", False, "no error")
    except LbcError as e:
        check("getmap_not_perf_output", "not an LBC_PERF_OUTPUT or LBC_RINGBUF_OUTPUT" in str(e), str(e))
    lost_records(b)
    b.close()


def lost_records(b):
    """Every record is delivered or counted lost: by the default lost callback
    ("cpuN lost M events" on stdout, as pylcc prints) or by the caller's."""
    for how in ("default", "own"):
        got, lost, printed = [0], [], io.StringIO()
        b.maps["flood"].open_perf_buffer(lambda cpu, data, size: got.__setitem__(0, got[0] + 1),
                                         None if how == "default" else
                                         lambda cpu, n: lost.append(n))
        n = 20000
        cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(cpus)})
        for _ in range(n):          # 20 MB of records into 64 pages per CPU, unread
            os.getpgid(0)
        with contextlib.redirect_stdout(printed):
            b.maps["flood"].perf_buffer_poll(0.2)
            # The kernel says how many it lost with the first record it writes
            # once there is room again (perf's PERF_RECORD_LOST): one more.
            os.getpgid(0)
            n += 1
            b.maps["flood"].perf_buffer_poll(0.2)
        os.sched_setaffinity(0, cpus)
        if how == "default":
            lines = printed.getvalue().splitlines()
            lost = [int(m.group(1)) for m in
                    (re.fullmatch(r"cpu\d+ lost (\d+) events", ln) for ln in lines) if m]
            ok = len(lost) == len(lines)
        else:
            ok = True
        check("lost_records_%s_callback" % how, ok and sum(lost) > 0 and got[0] + sum(lost) == n,
              "%d delivered + %d lost != %d (%r)" % (got[0], sum(lost), n,
                                                    printed.getvalue()[:200]))


main()
