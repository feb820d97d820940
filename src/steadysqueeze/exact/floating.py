"""Subnormal floats flushed to zero while the single-precision preconditioner works.

The block factors of the Liouvillian and the vectors they are applied to decay over tens
of decades with the excitation number, far below float32's smallest normal number
(1.2e-38). In the subnormal range an x86 core computes about a hundred times slower,
and SuperLU's single-precision factorisation and solves spent most of their time there:
at N = 300 (tfi, Jx = 4γ, Δ = −2γ) they took 25 s and 53 s against 12 s and 47 s in
double precision, and 8.6 s and 37 s with subnormals flushed. Flushing (the FTZ and DAZ
bits of the SSE control register MXCSR) only drops numbers below 1e-38 of float32's
range from the preconditioner, which the flexible GMRES in double precision corrects.

The control register belongs to a thread, so :func:`subnormals_flushed` is entered by
each thread that factorises or sweeps, and restores what it found. It acts on x86-64
Linux (glibc's ``fegetenv``/``fesetenv``, whose ``fenv_t`` holds MXCSR at byte 28) and
is a no-op elsewhere, where the single-precision sweep may be slower than the double one
(``SweepOptions(precision="double")``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import platform
import sys
from collections.abc import Iterator

__all__ = ["subnormals_flushed", "can_flush_subnormals"]

#: flush-to-zero (bit 15) and denormals-are-zero (bit 6) of MXCSR
_FTZ_DAZ = 0x8040
#: glibc's x86-64 fenv_t: 28 bytes of x87 state, then MXCSR
_FENV_BYTES, _MXCSR_OFFSET = 32, 28


@functools.cache
def _libm() -> ctypes.CDLL | None:
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return None
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    except OSError:
        return None
    env = (ctypes.c_uint8 * _FENV_BYTES)()
    if libm.fegetenv(env) != 0:
        return None
    mxcsr = int.from_bytes(bytes(env[_MXCSR_OFFSET:]), "little")
    # a real MXCSR has its six exception masks (0x1f80) set by default, nothing above 16 bits
    return libm if mxcsr >> 16 == 0 and mxcsr & 0x1f80 == 0x1f80 else None


def can_flush_subnormals() -> bool:
    """Whether :func:`subnormals_flushed` acts on this platform."""
    return _libm() is not None


@contextlib.contextmanager
def subnormals_flushed() -> Iterator[None]:
    """Within the block, this thread flushes subnormal floats to zero (module docstring)."""
    libm = _libm()
    if libm is None:
        yield
        return
    saved = (ctypes.c_uint8 * _FENV_BYTES)()
    libm.fegetenv(saved)
    flushed = (ctypes.c_uint8 * _FENV_BYTES).from_buffer_copy(saved)
    mxcsr = int.from_bytes(bytes(flushed[_MXCSR_OFFSET:]), "little") | _FTZ_DAZ
    flushed[_MXCSR_OFFSET:] = mxcsr.to_bytes(4, "little")
    libm.fesetenv(flushed)
    try:
        yield
    finally:
        libm.fesetenv(saved)
