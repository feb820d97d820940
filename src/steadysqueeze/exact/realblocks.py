r"""The local-emission Liouvillian in real coordinates, applied without assembly.

Every :math:`\rho^J` is Hermitian and :math:`\mathcal{L}` maps Hermitian to Hermitian
matrices, so each parity sub-block :math:`X` (rows and columns of one index parity; the
parity of M − M' is conserved) is stored as the *real* matrix
:math:`R = \mathrm{Re}\,X + \mathrm{Im}\,X` (symmetric part = Re X, antisymmetric part
= Im X). For a real symmetric :math:`H_J` and the diagonal decay :math:`D_J =
\gamma(J^z + N/2)` the Liouvillian (Eq. 1) becomes the real map

.. math::
    R \mapsto ([H, R])^T - \tfrac12 (D R + R D) + \sum_s W_s \circ R_s[\text{shift}],

where the jump terms :math:`c\,A\rho A^T` act entrywise with symmetric weights
:math:`W = w w^T`, so they act on R as on X. All arithmetic is real: half the memory of
the complex form and fewer flops, with the same sparsity pattern.

Assumptions (checked, ``ValueError`` otherwise): local emission, H real symmetric and
changing M by an even amount (the steady state lives in the parity-even sector).

**Excitation window.** With ``max_excitations=K`` only the entries
:math:`\rho^J_{MM'}` with :math:`\max(M, M') + N/2 \le K` are kept (at most K emitters
up in either state): block J keeps its lowest :math:`K - (N/2 - J) + 1` levels, and the
blocks with :math:`N/2 - J > K` are dropped. Local emission only lowers the excitation
number, so every jump stays inside the window; only H leads out of it. The windowed
operator is the principal submatrix of the full one (a Galerkin truncation); see
:mod:`.window` for how K is chosen and the result checked on the full operator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..models import Model
from ..spin import collective_spin, spin_values
from .channels import local_emission_jumps

__all__ = ["RealBlockLiouvillian", "SubBlock", "Jump"]


@dataclass
class SubBlock:
    """Parity sub-block p of block J: rows/columns ``idx = p, p+2, ...`` of ρ^J."""

    k: int                      #: block index (0 ↔ J = N/2)
    J: float
    parity: int
    m: int                      #: size
    offset: int                 #: start in the global vector (row-major m × m)
    h_diags: list[tuple[int, np.ndarray]]   #: H restricted: (offset o ≥ 0, H[a, a+o])
    d: np.ndarray               #: decay operator diagonal γ(J^z + N/2) on idx

    @property
    def stop(self) -> int:
        return self.offset + self.m * self.m


@dataclass
class Jump:
    """Y[t][t0:t0+n, t0:t0+n] += w wᵀ ∘ R[s][s0:s0+n, s0:s0+n]."""

    source: int
    target: int
    s0: int
    t0: int
    w: np.ndarray

    @property
    def W(self) -> np.ndarray:
        return np.outer(self.w, self.w)


class RealBlockLiouvillian:
    r"""Local-emission Liouvillian on the real coordinates R = Re X + Im X of every
    parity sub-block X of every :math:`\rho^J` (ordered by descending J, p = 0, 1,
    row-major). Matrix-free :meth:`matvec`; sparse diagonal blocks :meth:`block_matrix`.
    """

    dtype = np.dtype(float)

    def __init__(self, model: Model, N: int, max_excitations: int | None = None) -> None:
        if model.dissipation != "local":
            raise ValueError("RealBlockLiouvillian needs local emission")
        if not model.conserves_parity:
            raise ValueError("RealBlockLiouvillian needs a Hamiltonian conserving the parity "
                             "of M - M'")
        self.model, self.N, self.gamma = model, int(N), float(model.rate)
        window = None if max_excitations is None or max_excitations >= self.N \
            else int(max_excitations)
        if window is not None and window < 0:
            raise ValueError(f"max_excitations must be >= 0, got {max_excitations}")
        self.max_excitations = window
        self.coupling_key = ("real local emission", self.N, self.gamma, window)
        self.all_J_values = spin_values(self.N)
        self.window_sizes = [int(round(2 * J + 1)) if window is None
                             else min(int(round(2 * J + 1)), window - k + 1)
                             for k, J in enumerate(self.all_J_values)]
        self.J_values = [J for J, n in zip(self.all_J_values, self.window_sizes) if n > 0]
        self.nblocks = len(self.J_values)
        self.subs: list[SubBlock] = []
        self.block_subs: list[list[int]] = []
        offset = 0
        for k, J in enumerate(self.J_values):
            spin = collective_spin(float(J))
            H = sp.csr_array(model.hamiltonian(self.N, spin))
            if H.nnz and np.abs(H.data.imag).max() > 1e-13 * max(np.abs(H.data).max(), 1):
                raise ValueError("RealBlockLiouvillian needs a real symmetric Hamiltonian")
            n = self.window_sizes[k]
            Hd = H.real[:n, :n].toarray()
            if not np.allclose(Hd, Hd.T, rtol=0, atol=1e-13 * max(np.abs(Hd).max(), 1)):
                raise ValueError("Hamiltonian is not symmetric")
            d = self.gamma * (spin.m[:n] + self.N / 2)
            mine = []
            for p in (0, 1):
                idx = np.arange(p, n, 2)
                if idx.size == 0:
                    continue
                h = Hd[np.ix_(idx, idx)]
                odd = Hd[np.ix_(idx, np.arange(1 - p, n, 2))] if n > 1 else np.zeros((0,))
                if odd.size and np.abs(odd).max() > 0:
                    raise ValueError("Hamiltonian does not conserve the parity of M - M'")
                diags = [(o, np.diagonal(h, o).copy()) for o in range(idx.size)
                         if o == 0 or np.any(np.diagonal(h, o) != 0)]
                mine.append(len(self.subs))
                self.subs.append(SubBlock(k, float(J), p, idx.size, offset, diags, d[idx]))
                offset += idx.size ** 2
            self.block_subs.append(mine)
        self.size = offset
        self.block_range = [(self.subs[s[0]].offset, self.subs[s[-1]].stop)
                            for s in self.block_subs]
        self.jumps = self._jumps()
        self.jumps_into: list[list[Jump]] = [[] for _ in range(self.nblocks)]
        for jp in self.jumps:
            self.jumps_into[self.subs[jp.target].k].append(jp)
        self.diag_positions = np.concatenate(
            [s.offset + np.arange(s.m) * (s.m + 1) for s in self.subs])

    # -- structure ---------------------------------------------------------------------
    def _jumps(self) -> list[Jump]:
        """Local-emission jumps J → J, J − 1, J + 1 (:func:`.channels.local_emission_jumps`)
        between parity sub-blocks."""
        sub_of = {(s.k, s.parity): i for i, s in enumerate(self.subs)}
        out: list[Jump] = []
        for k, j in enumerate(self.J_values):
            n = self.window_sizes[k]
            i_full = np.arange(n)
            for channel in local_emission_jumps(self.N, self.gamma, float(j)):
                target = k + channel.block_step
                if target >= self.nblocks:
                    continue    # below the window: no source entry reaches it (see above)
                n_t = self.window_sizes[target]
                tgt = i_full + channel.index_shift
                for p in (0, 1):
                    if (k, p) not in sub_of:
                        continue
                    sel = ((i_full % 2 == p) & (tgt >= 0) & (tgt < n_t)
                           & (channel.amplitude[:n] != 0))
                    if not sel.any():
                        continue
                    src, dst = i_full[sel], tgt[sel]
                    out.append(Jump(sub_of[(k, p)], sub_of[(target, int(dst[0] % 2))],
                                    int(src[0] // 2), int(dst[0] // 2),
                                    np.sqrt(channel.coefficient) * channel.amplitude[:n][sel]))
        return out

    # -- vectors -------------------------------------------------------------------------
    def view(self, x: np.ndarray, i: int) -> np.ndarray:
        s = self.subs[i]
        return x[s.offset:s.stop].reshape(s.m, s.m)

    def trace(self, x: np.ndarray, k_from: int = 0) -> float:
        start = self.block_range[k_from][0]
        d = self.diag_positions
        return float(x[d[d >= start]].sum())

    def to_blocks(self, x: np.ndarray) -> dict[float, np.ndarray]:
        """Real coordinates → dict J ↦ Hermitian ρ^J (M ascending), every J of N (zero
        outside the excitation window)."""
        out = {float(J): np.zeros((int(round(2 * J + 1)),) * 2, dtype=complex)
               for J in self.all_J_values}
        for i, s in enumerate(self.subs):
            R = self.view(x, i)
            end = s.parity + 2 * s.m
            out[s.J][s.parity:end:2, s.parity:end:2] = (R + R.T) / 2 + 0.5j * (R - R.T)
        return out

    def from_blocks(self, blocks: dict[float, np.ndarray]) -> np.ndarray:
        """Hermitian blocks (e.g. a previous solution, any window) → real coordinates."""
        x = np.empty(self.size)
        for i, s in enumerate(self.subs):
            end = s.parity + 2 * s.m
            X = np.asarray(blocks[s.J])[s.parity:end:2, s.parity:end:2]
            self.view(x, i)[...] = X.real + X.imag
        return x

    def excitation_profile(self, x: np.ndarray) -> np.ndarray:
        r"""``profile[n]`` = max :math:`|\rho^J_{MM'}|` over the entries whose larger index
        has n excitations, :math:`\max(M, M') + N/2 = n`, for n = 0 … N."""
        profile = np.zeros(self.N + 1)
        for i, s in enumerate(self.subs):
            R = self.view(x, i)
            levels = int(round(self.N / 2 - s.J)) + s.parity + 2 * np.arange(s.m)
            n = np.maximum(levels[:, None], levels[None, :])
            np.maximum.at(profile, n.ravel(), np.sqrt((R ** 2 + R.T ** 2) / 2).ravel())
        return profile

    # -- operator ------------------------------------------------------------------------
    def coherent(self, i: int, R: np.ndarray, out: np.ndarray) -> None:
        """out = ([H, R])ᵀ − (D R + R D)/2 on sub-block i."""
        s = self.subs[i]
        C = np.empty_like(R)
        h0 = s.h_diags[0][1]
        np.subtract(h0[:, None] * R, R * h0[None, :], out=C)
        for o, h in s.h_diags[1:]:
            # (H R)[a] += H[a, a+o] R[a+o] and H[a+o, a] R[a]; (R H)[:, b] likewise
            C[:-o] += h[:, None] * R[o:]
            C[o:] += h[:, None] * R[:-o]
            C[:, :-o] -= R[:, o:] * h[None, :]
            C[:, o:] -= R[:, :-o] * h[None, :]
        out[...] = C.T
        out -= 0.5 * (s.d[:, None] + s.d[None, :]) * R

    def add_jump(self, jp: Jump, x: np.ndarray, y: np.ndarray, y_offset: int = 0) -> None:
        """y[target] += W ∘ x[source] (y may be a slice of the global vector at y_offset)."""
        s, t = self.subs[jp.source], self.subs[jp.target]
        L = jp.w.size
        Xs = x[s.offset:s.stop].reshape(s.m, s.m)[jp.s0:jp.s0 + L, jp.s0:jp.s0 + L]
        Yt = y[t.offset - y_offset:t.stop - y_offset].reshape(t.m, t.m)
        Yt[jp.t0:jp.t0 + L, jp.t0:jp.t0 + L] += jp.w[:, None] * Xs * jp.w[None, :]

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """L x in real coordinates."""
        y = np.empty_like(x)
        for i in range(len(self.subs)):
            self.coherent(i, self.view(x, i), self.view(y, i))
        for jp in self.jumps:
            self.add_jump(jp, x, y)
        return y

    def coupling(self, x: np.ndarray, k: int, source: int) -> np.ndarray:
        """Contribution of block ``source`` (≠ k) of x to block k of L x."""
        a, b = self.block_range[k]
        out = np.zeros(b - a)
        for jp in self.jumps_into[k]:
            if self.subs[jp.source].k == source:
                self.add_jump(jp, x, out, a)
        return out

    def block_matrix(self, k: int) -> sp.csr_array:
        """Sparse real diagonal block k (both sub-blocks and the same-J jump)."""
        a, b = self.block_range[k]
        rows, cols, vals = [], [], []
        for i in self.block_subs[k]:
            s = self.subs[i]
            m, base = s.m, s.offset - a
            A, B = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
            A, B = A.ravel(), B.ravel()
            h0 = s.h_diags[0][1]
            # diagonal part: −(d_a + d_b)/2 on R_ab, (h_bb − h_aa) on R_ba
            rows += [base + A * m + B, base + A * m + B]
            cols += [base + A * m + B, base + B * m + A]
            vals += [-0.5 * (s.d[A] + s.d[B]), h0[B] - h0[A]]
            for o, h in s.h_diags[1:]:
                # Y_ab += Σ_c H_bc R_ca − Σ_c H_ac R_bc,  c = b ± o resp. a ± o
                for sign in (+1, -1):
                    ok = (B + sign * o >= 0) & (B + sign * o < m)
                    hb = h[np.minimum(B, B + sign * o)[ok]]
                    rows.append(base + (A * m + B)[ok])
                    cols.append(base + (B + sign * o)[ok] * m + A[ok])
                    vals.append(hb)
                    ok = (A + sign * o >= 0) & (A + sign * o < m)
                    ha = h[np.minimum(A, A + sign * o)[ok]]
                    rows.append(base + (A * m + B)[ok])
                    cols.append(base + B[ok] * m + A[ok] + sign * o)
                    vals.append(-ha)
        for jp in self.jumps_into[k]:
            s, t = self.subs[jp.source], self.subs[jp.target]
            if s.k != k:
                continue
            L = jp.w.size
            ls = np.arange(L)
            rows.append(t.offset - a + ((jp.t0 + ls)[:, None] * t.m + (jp.t0 + ls)[None, :]).ravel())
            cols.append(s.offset - a + ((jp.s0 + ls)[:, None] * s.m + (jp.s0 + ls)[None, :]).ravel())
            vals.append(np.outer(jp.w, jp.w).ravel())
        r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        keep = v != 0
        M = sp.coo_array((v[keep], (r[keep], c[keep])), shape=(b - a, b - a)).tocsr()
        M.sum_duplicates()
        return M

    # -- scales ----------------------------------------------------------------------------
    @property
    def rate_scale(self) -> float:
        """max |L_ij| of the complex Liouvillian (same definition as ``steadysqueeze.exact``)."""
        scale = max((float(np.max(jp.w) ** 2) for jp in self.jumps), default=0.0)
        for s in self.subs:
            h0 = s.h_diags[0][1]
            g = -1j * h0 - 0.5 * s.d
            scale = max(scale, float(np.abs(g[:, None] + g.conj()[None, :]).max()))
            for _, h in s.h_diags[1:]:
                scale = max(scale, float(np.abs(h).max(initial=0.0)))
        return scale

    def relative_residual(self, x: np.ndarray) -> float:
        r"""max |L ρ| / max |L_ij| for real coordinates x (|L ρ|_ab from its S and A parts)."""
        y = self.matvec(x)
        worst = 0.0
        for i in range(len(self.subs)):
            Y = self.view(y, i)
            worst = max(worst, float(np.sqrt(((Y + Y.T) / 2) ** 2 + ((Y - Y.T) / 2) ** 2).max()))
        return worst / self.rate_scale
