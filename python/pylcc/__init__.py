# SPDX-License-Identifier: MIT
"""pylcc: BPF programs in C, driven from Python, on surftrace's libsurf.

    from pylcc.lbcBase import ClbcBase

The BPF C text (which includes "lbc.h") is compiled locally by surfcc into
NAME.so, cached while the text, the options and the kernel stay the same,
and loaded through libsurf.so.0's clcc API; records and map values come back
as Python objects built from the program's own BTF.
"""
from .lbcBase import ClbcBase, LbcError

__all__ = ["ClbcBase", "LbcError"]
