r"""Truncated power series in the drive amplitude (axis 0 = order), for the consistent
expansion of observables (Eq. 30 at first order, Eqs. 68–71 at second order of
Huybrechts & Roscilde, arXiv:2402.16824)."""

from __future__ import annotations

import numpy as np

__all__ = ["mul", "reciprocal", "sqrt", "dot", "cross", "transverse_frame_series",
           "quadratic_form", "split_magnitude"]


def mul(a: np.ndarray, b: np.ndarray, length: int | None = None) -> np.ndarray:
    length = length or a.shape[0]
    out = np.zeros((length,) + np.broadcast_shapes(a.shape[1:], b.shape[1:]),
                   dtype=np.result_type(a, b))
    for k in range(length):
        for i in range(max(0, k - b.shape[0] + 1), min(k, a.shape[0] - 1) + 1):
            out[k] += a[i] * b[k - i]
    return out


def reciprocal(a: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    out[0] = 1.0 / a[0]
    for k in range(1, a.shape[0]):
        out[k] = -sum(a[i] * out[k - i] for i in range(1, k + 1)) / a[0]
    return out


def sqrt(a: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    out[0] = np.sqrt(a[0])
    for k in range(1, a.shape[0]):
        out[k] = (a[k] - sum(out[i] * out[k - i] for i in range(1, k))) / (2 * out[0])
    return out


def dot(a: np.ndarray, b: np.ndarray, length: int | None = None) -> np.ndarray:
    return mul(a, b, length).sum(axis=-1)


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros_like(a)
    for k in range(a.shape[0]):
        for i in range(k + 1):
            out[k] += np.cross(a[i], b[k - i])
    return out


def transverse_frame_series(mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Series version of :func:`steadysqueeze.observables.transverse_frame`."""
    n = mul(mean, reciprocal(sqrt(dot(mean, mean)))[:, None])
    lead = n[0] / np.linalg.norm(n[0])
    reference = np.eye(3)[int(np.argmin(np.abs(lead)))] if abs(lead[0]) > 0.9 else np.eye(3)[0]
    ref = np.zeros_like(n)
    ref[0] = reference
    e1 = ref - mul(dot(ref, n)[:, None], n)
    e1 = mul(e1, reciprocal(sqrt(dot(e1, e1)))[:, None])
    return e1, cross(e1, n)


def quadratic_form(u: np.ndarray, C: np.ndarray, v: np.ndarray) -> np.ndarray:
    return dot(u, mul(C, v[:, None, :]).sum(axis=-1))


def split_magnitude(d: np.ndarray, order: int, scale: float,
                    tolerance: float) -> tuple[np.ndarray, int | None]:
    r"""Series of :math:`|\mathbf{d}|` for a 2-vector series whose lowest non-zero order is q.

    :math:`|\mathbf{d}| = \lambda^q\sqrt{\sum_k (\mathbf{d}\cdot\mathbf{d})_{k+2q}\lambda^k}`,
    which needs :math:`\mathbf{d}\cdot\mathbf{d}` to order p + q (available from d to order p).
    """
    norms = np.linalg.norm(d, axis=1)
    nonzero = np.flatnonzero(norms > tolerance * scale)
    magnitude = np.zeros(order + 1)
    if nonzero.size == 0:
        return magnitude, None
    q = int(nonzero[0])
    dd = dot(d, d, length=order + q + 1)
    magnitude[q:] = sqrt(dd[2 * q:2 * q + order - q + 1])
    return magnitude, q
