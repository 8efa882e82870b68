# SPDX-License-Identifier: MIT
# Run from the source tree: pylcc is in ../../python (installed, it is on sys.path).
import os
import sys

_tree = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")
if os.path.isdir(os.path.join(_tree, "pylcc")):
    sys.path.insert(0, os.path.normpath(_tree))
