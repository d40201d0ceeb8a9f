"""The few names of the `cython` module the text stage's records use, for an install without Cython.

The hot records (`facts.Proposed`, `facts.MessageFacts`, `ages.AgeMention`, `dialogue.Turn`)
are written in Cython's pure-Python mode: `@cython.cclass` and `@cython.dataclasses.dataclass`
make them C structs when `make speedups` compiles their module, and plain dataclasses when it
does not. Cython ships these names for the plain case itself (its `Shadow` module); this file
stands in where Cython is not installed, so the `.py` files run as they are everywhere.
"""

from __future__ import annotations

import dataclasses  # noqa: F401 (`cython.dataclasses.dataclass`, `cython.dataclasses.field`)

compiled = False  # `cython.compiled`: True only inside a compiled module


def _same(obj):
    return obj


cclass = final = _same  # class decorators that only mean something to the compiler


def locals(**_types):  # noqa: A001 (the name Cython gives it)
    return _same


Py_ssize_t = uint = longlong = int
bint = bool
