#!/usr/bin/env python3
"""Reference values for WageExperienceReferenceTest (issue 16 finding 6).

A wage equation where potential experience is exactly age - education - 6 in every row, so the
regressors X = [1, educ, exper, expersq, female, urban] and the instruments
Z = [1, female, urban, age, agesq, feduc, meduc] are collinear taken together ([X Z] has rank
k + L - 1), while each has full column rank and Z'X has rank k: the model is identified and
R's ivreg, statsmodels and linearmodels all estimate it.

Run (from the repository root; statsmodels, numpy, pandas and linearmodels in a venv):

    python3 -m venv /tmp/ivref && /tmp/ivref/bin/pip install statsmodels numpy pandas \
        && /tmp/ivref/bin/pip install --find-links /work/shared/wheels linearmodels
    /tmp/ivref/bin/python causal-engine/src/test/resources/iv/make_wage_experience_reference.py            # references only
    /tmp/ivref/bin/python causal-engine/src/test/resources/iv/make_wage_experience_reference.py --simulate # redraw the CSV too

The CSV (wage_experience.csv) is simulated once with a fixed seed and committed; the references
(wage_experience_ref_py.json) are computed from the CSV as written (its rounded values), so they
do not depend on the generator. Values:

* coef, se_classical/hc0/hc1/hc2/hc3, sigma, df_resid: 2SLS as in datasets/README.md, by numpy from
  the formulas; statsmodels IV2SLS (coefficients, classical SEs) and linearmodels IV2SLS
  (unadjusted and robust covariances, debiased = n-k and not) must agree with them (`checks`).
* first_stage[endog]: OLS of each endogenous regressor on Z (statsmodels): coefficients, classical
  and HC1 SEs, F_classical (restricted model: exogenous regressors only), F_hc1 (Wald with HC1/m),
  partial R2, R2; linearmodels' first-stage partial R2 and robust partial F are cross-checked.
* wu_hausman: AER's test (y on [X, first-stage residuals] against y on X, anova F). The first-stage
  residuals of educ and exper sum to exactly zero here (educ + exper = age - 6 is in Z's span), so
  the augmented regression has rank k + 2, not k + 3: R (lm drops the aliased column) and
  statsmodels (pinv) test 2 degrees of freedom, df2 = n - k - 2. linearmodels' wu_hausman divides
  the same explained sum of squares by 3 (its df counts the regressors, not the rank); it is stored
  as `wu_hausman_linearmodels` and the test reconciles the two.
* overid: Sargan n*R2 of u on Z (statsmodels and linearmodels), Hansen J and two-step GMM with the
  2SLS residuals' weight (numpy, README formula).
"""
import json
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "wage_experience.csv")
OUT = os.path.join(HERE, "wage_experience_ref_py.json")

ENDOG = ["educ", "exper", "expersq"]
EXOG = ["female", "urban"]
INSTR = ["age", "agesq", "feduc", "meduc"]


def simulate(n=2000, seed=20261207):
    rng = np.random.default_rng(seed)
    female = rng.integers(0, 2, n)
    urban = (rng.random(n) < 0.6).astype(int)
    feduc = np.clip(np.round(rng.normal(11, 3, n)), 0, 20).astype(int)
    meduc = np.clip(np.round(0.5 * feduc + rng.normal(5.5, 2.5, n)), 0, 20).astype(int)
    ability = rng.normal(0, 1, n)
    age = rng.integers(26, 65, n)
    # older cohorts stayed in school a little less: education depends on age too, so age is a
    # relevant instrument for education and not only for experience
    educ = np.clip(np.round(6.5 + 0.25 * feduc + 0.2 * meduc - 0.03 * (age - 45) + 0.5 * urban
                            + 1.3 * ability + rng.normal(0, 1.5, n)), 8, 20).astype(int)
    exper = age - educ - 6
    expersq = exper * exper
    agesq = age * age
    noise = rng.normal(0, 1, n) * (0.3 + 0.15 * np.abs(ability) + 0.004 * exper)
    lwage = (0.6 + 0.075 * educ + 0.035 * exper - 0.0006 * expersq - 0.18 * female + 0.09 * urban
             + 0.12 * ability + noise)
    df = pd.DataFrame({"lwage": np.round(lwage, 6), "educ": educ, "exper": exper, "expersq": expersq,
                       "age": age, "agesq": agesq, "feduc": feduc, "meduc": meduc, "female": female,
                       "urban": urban})
    df.to_csv(CSV, index=False)


def ols(a, b):
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    return coef, b - a @ coef


def main():
    if "--simulate" in sys.argv or not os.path.exists(CSV):
        simulate()
    import statsmodels
    import statsmodels.api as sm
    from statsmodels.sandbox.regression.gmm import IV2SLS as SmIV2SLS
    import linearmodels
    from linearmodels.iv import IV2SLS as LmIV2SLS

    d = pd.read_csv(CSV)
    n = len(d)
    assert (d.exper == d.age - d.educ - 6).all()
    y = d.lwage.to_numpy(float)
    xnames = ["intercept"] + ENDOG + EXOG
    znames = ["intercept"] + EXOG + INSTR
    X = np.column_stack([np.ones(n)] + [d[c].to_numpy(float) for c in ENDOG + EXOG])
    Z = np.column_stack([np.ones(n)] + [d[c].to_numpy(float) for c in EXOG + INSTR])
    W = np.column_stack([np.ones(n)] + [d[c].to_numpy(float) for c in EXOG])
    k, L = X.shape[1], Z.shape[1]
    m, p = len(INSTR), len(ENDOG)
    rank = {"X": int(np.linalg.matrix_rank(X)), "Z": int(np.linalg.matrix_rank(Z)),
            "XZ": int(np.linalg.matrix_rank(np.column_stack([X, Z]))),
            "ZtX": int(np.linalg.matrix_rank(Z.T @ X)), "k": k, "L": L}
    assert rank["X"] == k and rank["Z"] == L and rank["ZtX"] == k and rank["XZ"] < k + L - 3

    # --- 2SLS by the formulas -----------------------------------------------------------------------
    zz_inv = np.linalg.inv(Z.T @ Z)
    Xhat = Z @ zz_inv @ (Z.T @ X)
    bread = np.linalg.inv(Xhat.T @ Xhat)
    b = bread @ (Xhat.T @ y)
    u = y - X @ b
    sigma2 = u @ u / (n - k)
    h = np.einsum("ij,jk,ik->i", X, bread, Xhat)

    def sandwich(w):
        return bread @ (Xhat.T * w) @ Xhat @ bread

    cov = {"classical": sigma2 * bread, "hc0": sandwich(u ** 2), "hc1": sandwich(u ** 2) * n / (n - k),
           "hc2": sandwich(u ** 2 / (1 - h)), "hc3": sandwich(u ** 2 / (1 - h) ** 2)}

    def named(v, names):
        return {t: float(x) for t, x in zip(names, v)}

    ref = {"engine": "python", "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                                            "pandas": pd.__version__, "statsmodels": statsmodels.__version__,
                                            "linearmodels": linearmodels.__version__},
           "dataset": "wage_experience.csv (simulated, exper = age - educ - 6 exactly)",
           "model": {"outcome": "lwage", "endogenous": ENDOG, "exogenous": EXOG, "instruments": INSTR},
           "rank": rank, "n": n, "df_resid": n - k, "sigma": float(np.sqrt(sigma2)),
           "coef": named(b, xnames)}
    for key, v in cov.items():
        ref["se_" + key] = named(np.sqrt(np.diag(v)), xnames)
    checks = {}

    # statsmodels IV2SLS
    sm_fit = SmIV2SLS(y, X, Z).fit()
    checks["statsmodels_IV2SLS_max_rel_diff_coef"] = float(np.max(np.abs(sm_fit.params - b) / np.abs(b)))
    checks["statsmodels_IV2SLS_max_rel_diff_se_classical"] = float(
        np.max(np.abs(sm_fit.bse - np.sqrt(np.diag(cov["classical"]))) / np.sqrt(np.diag(cov["classical"]))))

    # linearmodels IV2SLS, unadjusted and robust, debiased (n - k) and not
    dep = d.lwage
    exog = sm.add_constant(d[EXOG]).rename(columns={"const": "intercept"})
    lm = {}
    for cov_type, debiased, key in [("unadjusted", True, "classical"), ("robust", False, "hc0"),
                                    ("robust", True, "hc1")]:
        r = LmIV2SLS(dep, exog, d[ENDOG], d[INSTR]).fit(cov_type=cov_type, debiased=debiased)
        lm[key] = r
        se_ref = np.sqrt(np.diag(cov[key]))
        se_lm = r.std_errors[xnames].to_numpy()
        checks["linearmodels_" + key + "_max_rel_diff_coef"] = float(
            np.max(np.abs(r.params[xnames].to_numpy() - b) / np.abs(b)))
        checks["linearmodels_" + key + "_max_rel_diff_se"] = float(np.max(np.abs(se_lm - se_ref) / se_ref))
    ref["linearmodels"] = {key: {"coef": named(r.params[xnames], xnames), "se": named(r.std_errors[xnames], xnames)}
                           for key, r in lm.items()}

    # --- first stages ---------------------------------------------------------------------------------
    fs = {}
    lm_first = lm["hc1"].first_stage.diagnostics
    for j, e in enumerate(ENDOG):
        dj = d[e].to_numpy(float)
        full = sm.OLS(dj, Z).fit()
        robust = sm.OLS(dj, Z).fit(cov_type="HC1")
        restricted = sm.OLS(dj, W).fit()
        rss_u, rss_r = full.ssr, restricted.ssr
        f_classical = ((rss_r - rss_u) / m) / (rss_u / (n - L))
        rmat = np.zeros((m, L))
        rmat[:, L - m:] = np.eye(m)
        f_hc1 = float(np.squeeze(robust.wald_test(rmat, scalar=True, use_f=False).statistic)) / m
        fs[e] = {"coef": named(full.params, znames), "se_classical": named(full.bse, znames),
                 "se_hc1": named(robust.bse, znames), "F_classical": float(f_classical), "F_hc1": f_hc1,
                 "df1": m, "df2": n - L, "partial_r2": float((rss_r - rss_u) / rss_r),
                 "r_squared": float(full.rsquared),
                 "linearmodels_partial_r2": float(lm_first.loc[e, "partial.rsquared"]),
                 "linearmodels_partial_F_robust": float(lm_first.loc[e, "f.stat"])}
        checks["first_stage_" + e + "_rel_diff_partial_r2_linearmodels"] = float(
            abs(fs[e]["linearmodels_partial_r2"] - fs[e]["partial_r2"]) / fs[e]["partial_r2"])
    ref["first_stage"] = fs

    # --- Wu-Hausman, AER's way: anova(y ~ X, y ~ X + first-stage residuals) ---------------------------
    V = np.column_stack([ols(Z, d[e].to_numpy(float))[1] for e in ENDOG])
    restricted = sm.OLS(y, X).fit()
    augmented = sm.OLS(y, np.column_stack([X, V])).fit()
    f, pval, df1 = augmented.compare_f_test(restricted)
    ref["wu_hausman"] = {"statistic": float(f), "p-value": float(pval), "df1": int(round(df1)),
                         "df2": int(round(augmented.df_resid)),
                         "rank_augmented": int(np.linalg.matrix_rank(np.column_stack([X, V]))),
                         "max_abs_v_educ_plus_v_exper": float(np.max(np.abs(V[:, 0] + V[:, 1])))}
    for name in ["wu_hausman", "wooldridge_regression", "durbin"]:
        try:
            t = getattr(lm["classical"], name)
            t = t() if callable(t) else t
            ref[name + "_linearmodels"] = {"statistic": float(t.stat), "df1": int(t.df),
                                           "df2": int(getattr(t, "df_denom", 0) or 0), "p-value": float(t.pval)}
        except Exception as exc:  # linearmodels refits with the tested regressors as instruments: [Z, D] is singular
            ref[name + "_linearmodels"] = "unavailable: %s: %s" % (type(exc).__name__, exc)

    # --- over-identification ----------------------------------------------------------------------------
    df_over = m - p
    aux = sm.OLS(u, Z).fit()
    sargan = n * aux.rsquared
    from scipy import stats
    s = (Z.T * (u ** 2 / n)) @ Z
    s_inv = np.linalg.inv(s)
    zx, zy = Z.T @ X, Z.T @ y
    a = zx.T @ s_inv @ zx
    bg = np.linalg.solve(a, zx.T @ s_inv @ zy)
    gbar = Z.T @ (y - X @ bg) / n
    j_stat = n * gbar @ s_inv @ gbar
    vg = np.linalg.inv(a) * n
    ref["overid"] = {"df": df_over, "sargan_nR2": float(sargan), "sargan_p": float(stats.chi2.sf(sargan, df_over)),
                     "hansen_J": float(j_stat), "hansen_J_p": float(stats.chi2.sf(j_stat, df_over)),
                     "gmm2step_coef": named(bg, xnames), "gmm2step_se": named(np.sqrt(np.diag(vg)), xnames),
                     "sargan_linearmodels": float(lm["classical"].sargan.stat)}
    checks["sargan_rel_diff_linearmodels"] = float(abs(ref["overid"]["sargan_linearmodels"] - sargan) / sargan)
    ref["checks"] = checks
    with open(OUT, "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")
    print(json.dumps(checks, indent=1))


if __name__ == "__main__":
    main()
