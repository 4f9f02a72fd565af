"""Rating scales and indicative criteria tables (abs_tool.model.scales, abs_tool.io.rating_tables,
abs_tool.analysis.rating).

Expected ratings are read off the tables of DOMAIN.md by hand; each case names the bound it
sits at or between.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abs_tool import InputError, load_rating_table
from abs_tool.analysis.rating import (
    TargetDefaultRates,
    bdr_tdr_pass,
    derive_el_table,
    dirr_rating,
    el_rating,
    pd_rating,
    tdr,
    weighted_quantile,
)
from abs_tool.credit.vasicek import conditional_pd, lhp_cdf, lhp_quantile
from abs_tool.io.rating_tables import (
    BUILTIN_TABLES,
    MAX_RATING_TABLE_BYTES,
    RatingTable,
    RatingTableError,
    rating_table_from_frame,
    rating_table_to_frame,
)
from abs_tool.model.scales import LOCAL_SCALE, MOODYS_SCALE, to_local_scale

# DOMAIN.md, "Indicative rating table (DIRR ...)" and "Indicative PD-based rating table".
DIRR_BP = {
    "Aaa": 0.06, "Aa1": 0.67, "Aa2": 1.3, "Aa3": 2.7, "A1": 5.2, "A2": 8.9, "A3": 13,
    "Baa1": 19, "Baa2": 27, "Baa3": 46, "Ba1": 72, "Ba2": 106, "Ba3": 143, "B1": 183,
    "B2": 231, "B3": 311, "Caa": 2500, "Ca": 10000,
}
RATING_FACTOR = {
    "Aaa": 1, "Aa1": 10, "Aa2": 20, "Aa3": 40, "A1": 70, "A2": 120, "A3": 180, "Baa1": 260,
    "Baa2": 360, "Baa3": 610, "Ba1": 940, "Ba2": 1350, "Ba3": 1766, "B1": 2220, "B2": 2720,
    "B3": 3490, "Caa1": 4770, "Caa2": 6500, "Caa3": 8070, "Ca": 10000,
}
DIRR_SOURCE = (
    "the constants of a widely copied structured-finance course case study; not verified "
    "against Moody's own text — ship it as an editable, labelled default."
)
PD_SOURCE = (
    "Moody's idealized default rates as used in its CLO rating approach, in several public "
    "transcriptions that agree."
)


def rank(symbols: object) -> np.ndarray:
    """Position on the Moody's scale (0 = Aaa); 'Caa' sits at Caa2, 'NR' after C."""
    order = {**{r: i for i, r in enumerate(MOODYS_SCALE)}, "Caa": 17, "NR": len(MOODYS_SCALE)}
    return np.array([order[s] for s in np.ravel(symbols)])


# --------------------------------------------------------------------------------------------
# Scales


def test_local_scale_one_notch_for_one_notch() -> None:
    got = to_local_scale(list(MOODYS_SCALE))
    expected = [
        "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-",
        "B+", "B", "B-", "CCC", "CCC", "CCC", "CC", "C",
    ]
    assert got.tolist() == expected
    assert set(expected) == set(LOCAL_SCALE)
    assert to_local_scale("Caa") == "CCC"
    assert to_local_scale("NR") == "NR"
    assert to_local_scale(np.array([["Aa2"], ["Baa3"]])).tolist() == [["AA"], ["BBB-"]]


def test_local_scale_rejects_unknown_symbols() -> None:
    with pytest.raises(InputError, match=r"unknown Moody's rating\(s\) \['AAA', 'Aa4'\]"):
        to_local_scale(["Aa1", "Aa4", "AAA"])


# --------------------------------------------------------------------------------------------
# Shipped tables


def test_builtin_tables_are_package_data_with_metadata() -> None:
    folder = resources.files("abs_tool").joinpath("data", "ratings")
    for name in BUILTIN_TABLES:
        assert folder.joinpath(f"{name}.csv").is_file()
        meta = json.loads(folder.joinpath(f"{name}.json").read_text(encoding="utf-8"))
        table = load_rating_table(name)
        assert table.label == meta["label"] == "indicative"
        assert table.source == meta["source"]


def test_dirr_table_is_domain_md() -> None:
    table = load_rating_table("dirr_moodys_style")
    assert table.kind == "dirr_bp"
    assert table.source == DIRR_SOURCE
    assert dict(zip(table.ratings, table.values[:, 0], strict=True)) == DIRR_BP


def test_pd_table_is_domain_md() -> None:
    table = load_rating_table("idealized_pd_moodys")
    assert table.kind == "pd"
    assert table.source == PD_SOURCE
    assert table.horizons == (10.0,)
    assert dict(zip(table.ratings, table.values[:, 0] * 10_000, strict=True)) == pytest.approx(
        RATING_FACTOR, rel=1e-15)


def test_shipped_el_table_is_the_stated_derivation() -> None:
    shipped = load_rating_table("idealized_el_derived")
    derived = derive_el_table()
    assert shipped.kind == "el"
    assert shipped.lgd_ref == 1.0
    assert shipped.label == "indicative"
    assert "not Moody's published idealized expected loss rates" in shipped.source
    assert shipped.ratings == derived.ratings
    assert shipped.horizons == tuple(range(1, 11))
    # The file holds 10 significant digits of (1 - (1 - PD10)^(T/10)) x 1.0.
    np.testing.assert_allclose(shipped.values, derived.values, rtol=1e-9)
    # By hand: A2 (PD10 = 1.2%) at 3 years: 1 - 0.988^0.3.
    a2 = shipped.ratings.index("A2")
    assert shipped.values[a2, 2] == pytest.approx(1 - 0.988**0.3, rel=1e-9)


# --------------------------------------------------------------------------------------------
# DIRR


@pytest.mark.parametrize(
    ("dirr", "expected"),
    [
        (-3.0, "Aaa"),  # yield above coupon
        (0.06, "Aaa"),  # on the Aaa bound: bounds are inclusive
        (0.0600001, "Aa1"),
        (1.0, "Aa2"),  # 0.67 < 1.0 <= 1.3
        (13.0, "A3"),
        (46.5, "Ba1"),
        (311.0, "B3"),
        (2500.0, "Caa"),
        (3000.0, "Ca"),  # 2500 < 3000 <= 10000
        (10000.0, "Ca"),
        (10000.5, "NR"),  # beyond the worst bound
        (math.nan, "NR"),
    ],
)
def test_dirr_rating_hand_cases(dirr: float, expected: str) -> None:
    assert dirr_rating(dirr) == expected


def test_dirr_rating_is_monotone_and_keeps_shape() -> None:
    dirr = np.concatenate([[-1.0], np.logspace(-3, 4.2, 400)])
    got = dirr_rating(dirr)
    assert np.all(np.diff(rank(got)) >= 0)  # a worse DIRR never gives a better rating
    assert dirr_rating(np.array([[0.05, 1.0], [20.0, 3000.0]])).tolist() == [
        ["Aaa", "Aa2"], ["Baa2", "Ca"]]


# --------------------------------------------------------------------------------------------
# PD and EL


@pytest.mark.parametrize(
    ("pd", "wal", "expected"),
    [
        (0.002, 10.0, "Aa2"),  # rating factor 20 = 0.002 x 10,000, on the bound
        (0.0021, 10.0, "Aa3"),
        (0.012, 10.0, "A2"),  # factor 120
        (0.0119, 10.0, "A2"),
        (0.0121, 10.0, "A3"),
        (1.0e-5, 1.0, "Aaa"),  # 1 - 0.9999^0.1 = 1.0000045e-5
        (1.1e-5, 1.0, "Aa1"),
        (1.0004e-4, 1.0, "Aa1"),  # 1 - 0.999^0.1 = 1.00045e-4
        (1.0005e-4, 1.0, "Aa2"),
        (0.5, 3.0, "Ca"),  # Caa3 at 3y: 1 - 0.193^0.3 = 0.390 < 0.5
        (1.0, 3.0, "Ca"),  # Ca's PD10 is 1: every PD is within it
        (math.nan, 3.0, "NR"),
        (0.01, math.nan, "NR"),
    ],
)
def test_pd_rating_hand_cases(pd: float, wal: float, expected: str) -> None:
    assert pd_rating(pd, wal) == expected


def test_pd_rating_is_monotone_in_pd_and_wal() -> None:
    pds = np.concatenate([[0.0], np.logspace(-7, 0, 300)])
    for wal in (0.25, 1.0, 2.5, 10.0, 15.0):
        assert np.all(np.diff(rank(pd_rating(pds, wal))) >= 0)
    # The same PD over a longer life is a better rating (thresholds grow with T).
    wals = np.linspace(0.1, 20, 200)
    for class_pd in (1e-5, 1e-3, 0.05):
        assert np.all(np.diff(rank(pd_rating(class_pd, wals))) <= 0)
    assert pd_rating([[0.002], [0.012]], [10.0, 5.0]).shape == (2, 2)


def test_el_rating_matches_pd_rating_at_whole_years() -> None:
    # The derived table with LGD_ref = 1 is the PD table scaled in time: same thresholds.
    els = np.logspace(-6, -0.05, 200)
    for wal in (1.0, 4.0, 10.0):
        assert el_rating(els, wal).tolist() == pd_rating(els, wal).tolist()


@pytest.mark.parametrize(
    ("el", "wal", "lgd_ref", "expected"),
    [
        (0.002, 10.0, None, "Aa2"),
        (0.001, 10.0, 0.5, "Aa2"),  # thresholds halved: Aa2 0.002 x 0.5 = 0.001
        (0.00101, 10.0, 0.5, "Aa3"),
        # WAL 0.5: half of the year-1 value. Baa1 1 - 0.974^0.1 = 2.632e-3, halved 1.316e-3;
        # A3 1 - 0.982^0.1 = 1.815e-3, halved 0.908e-3 < 0.001.
        (0.001, 0.5, None, "Baa1"),
        # WAL 2.5: halfway between years 2 and 3 for A2: (2.4125e-3 + 3.6176e-3) / 2 = 3.015e-3.
        (0.003, 2.5, None, "A2"),
        (math.nan, 2.0, None, "NR"),
    ],
)
def test_el_rating_hand_cases(el: float, wal: float, lgd_ref: float | None, expected: str) -> None:
    assert el_rating(el, wal, lgd_ref=lgd_ref) == expected


def test_el_rating_beyond_lgd_ref_is_not_rated() -> None:
    # With LGD_ref = 0.4 no threshold exceeds 0.4: a class losing 45% meets no rating.
    assert el_rating(0.45, 5.0, lgd_ref=0.4) == "NR"


def test_el_rating_is_monotone() -> None:
    els = np.concatenate([[0.0], np.logspace(-7, 0, 300)])
    for wal in (0.3, 1.0, 7.5):
        assert np.all(np.diff(rank(el_rating(els, wal))) >= 0)
        assert np.all(np.diff(rank(el_rating(els, wal, lgd_ref=0.45))) >= 0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: pd_rating(1.2, 3.0), r"`pd` must be in \[0, 1\] \(got 1.2\)"),
        (lambda: pd_rating(0.1, 0.0),
         r"`wal_years` must be a positive number of years \(got 0.0\)"),
        (lambda: el_rating(0.001, 12.0), r"beyond the last horizon .* \(10 years\)"),
        (lambda: el_rating(-0.1, 2.0), r"`el` must be in \[0, 1\]"),
        (lambda: el_rating(0.001, 2.0, lgd_ref=1.5), r"`lgd_ref` must be in \(0, 1\]"),
        (lambda: dirr_rating(1.0, load_rating_table("idealized_pd_moodys")),
         r"`idealized_pd_moodys` is a `pd` table; this needs a `dirr_bp` table"),
        (lambda: el_rating(0.001, 2.0, load_rating_table("idealized_pd_moodys")),
         r"needs a `el` table"),
    ],
)
def test_metric_ratings_reject_bad_input(call: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        call()  # type: ignore[operator]


def test_el_rating_lgd_ref_needs_a_derived_table() -> None:
    derived = derive_el_table()
    pasted = RatingTable(name="pasted", kind="el", ratings=derived.ratings,
                         thresholds=derived.thresholds, horizons=derived.horizons,
                         source="user", label="indicative", lgd_ref=None)
    assert el_rating(0.002, 10.0, pasted) == "Aa2"
    with pytest.raises(InputError, match=r"`pasted` is not derived as PD x LGD_ref"):
        el_rating(0.002, 10.0, pasted, lgd_ref=0.5)


# --------------------------------------------------------------------------------------------
# Weighted quantile, TDR, BDR >= TDR


def test_weighted_quantile_equal_weights_is_numpy_inverted_cdf() -> None:
    rng = np.random.default_rng(3)
    values = rng.gamma(2.0, 0.05, 1001)
    q = np.concatenate([[0.0, 1.0], np.linspace(0.001, 0.999, 97), [0.5, 0.25]])
    expected = np.quantile(values, q, method="inverted_cdf")
    np.testing.assert_array_equal(weighted_quantile(values, q), expected)
    np.testing.assert_array_equal(weighted_quantile(values, q, np.ones(1001)), expected)
    np.testing.assert_array_equal(weighted_quantile(values, q, np.full(1001, 7.0)), expected)


def test_weighted_quantile_with_weights() -> None:
    rng = np.random.default_rng(4)
    values = rng.normal(size=500)
    weights = rng.exponential(size=500)
    q = np.linspace(0.01, 0.99, 50)
    expected = np.quantile(values, q, method="inverted_cdf", weights=weights)
    np.testing.assert_array_equal(weighted_quantile(values, q, weights), expected)
    # Integer weights are repetitions.
    counts = rng.integers(0, 4, 500)
    np.testing.assert_array_equal(
        weighted_quantile(values, q, counts),
        np.quantile(np.repeat(values, counts), q, method="inverted_cdf"))
    # By hand: values 1, 2, 3 with weights 1, 2, 1; CDF 0.25, 0.75, 1.
    assert weighted_quantile([3.0, 1.0, 2.0], [0.25, 0.26, 0.75, 0.76], [1, 1, 2]).tolist() == [
        1.0, 2.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([], 0.5), r"non-empty and contain no NaN"),
        (([1.0, math.nan], 0.5), r"non-empty and contain no NaN"),
        (([1.0, 2.0], 1.5), r"quantile levels must be in \[0, 1\]"),
        (([1.0, 2.0], 0.5, [1.0]), r"one weight per sample value \(got 1 for 2\)"),
        (([1.0, 2.0], 0.5, [1.0, -1.0]), r"finite, >= 0 and not all zero"),
        (([1.0, 2.0], 0.5, [0.0, 0.0]), r"finite, >= 0 and not all zero"),
    ],
)
def test_weighted_quantile_rejects_bad_input(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(InputError, match=match):
        weighted_quantile(*args)  # type: ignore[arg-type]


def test_tdr_confidence_levels_and_quantile_function() -> None:
    # Confidence of R at WAL T: 1 - PD_R(T) = (1 - PD10_R)^(T/10). By hand, T = 2:
    # Aaa 0.9999^0.2 = 0.99998, A2 0.988^0.2 = 0.997588, B2 0.728^0.2 = 0.938483.
    pd, rho = 0.03, 0.1
    result = tdr(lambda q: lhp_quantile(q, pd, rho), ["B2", "Aaa", "A2"], wal_years=2.0)
    assert result.ratings == ("Aaa", "A2", "B2")
    np.testing.assert_allclose(result.confidence, [0.9999**0.2, 0.988**0.2, 0.728**0.2],
                               rtol=1e-14)
    np.testing.assert_allclose(result.tdr, lhp_quantile(np.array(result.confidence), pd, rho),
                               rtol=1e-14)
    assert result.tail_weight is None
    assert result.table == "idealized_pd_moodys"
    assert list(result.by_rating()) == ["Aaa", "A2", "B2"]
    assert np.all(np.diff(result.tdr) < 0)  # better ratings withstand more defaults
    everything = tdr(lambda q: lhp_quantile(q, pd, rho), wal_years=2.0)
    assert everything.ratings == load_rating_table("idealized_pd_moodys").ratings


def test_tdr_from_importance_sampled_paths() -> None:
    # Lifetime default rates of a large pool, sampled with the factor shifted into the bad
    # tail (Z ~ N(-3, 1)) and weighted by phi(z) / phi(z + 3). The true tail probability of
    # the estimated TDR must be within 4 standard errors of 1 - confidence, the standard
    # error being that of the weighted indicator at the true quantile.
    pd, rho, shift, n = 0.02, 0.15, -3.0, 100_000
    z = np.random.default_rng(5).standard_normal(n) + shift
    weights = np.exp(-0.5 * z**2 + 0.5 * (z - shift) ** 2)
    rates = conditional_pd(pd, rho, z)
    result = tdr(rates, ["Aaa", "Aa2", "A2"], wal_years=3.0, weights=weights)
    for confidence, estimate in zip(result.confidence, result.tdr, strict=True):
        true_quantile = lhp_quantile(confidence, pd, rho)
        indicator = weights * (rates > true_quantile)
        se = indicator.std() / math.sqrt(n)
        tail = 1.0 - lhp_cdf(estimate, pd, rho)
        assert abs(tail - (1 - confidence)) <= 4 * se, (confidence, tail, se)
    assert result.tail_weight is not None
    np.testing.assert_allclose(result.tail_weight, 1 - np.array(result.confidence), rtol=0.1)


def test_tdr_rejects_bad_input() -> None:
    with pytest.raises(InputError, match=r"rating\(s\) \['AAA'\] not in rating table"):
        tdr([0.1, 0.2], ["AAA"], wal_years=2.0)
    with pytest.raises(InputError, match=r"`weights` apply to a sample"):
        tdr(lambda q: q, ["Aaa"], wal_years=2.0, weights=[1.0])
    with pytest.raises(InputError, match=r"`wal_years` must be a positive number"):
        tdr([0.1, 0.2], ["Aaa"], wal_years=-1.0)
    with pytest.raises(InputError, match=r"needs a `pd` table"):
        tdr([0.1], ["Aaa"], wal_years=1.0, table=load_rating_table("dirr_moodys_style"))


def test_bdr_tdr_pass() -> None:
    tdrs = {"Aaa": 0.30, "Aa2": 0.22, "A2": 0.15, "Baa2": 0.10, "Ba2": 0.06}
    bdr = np.array([0.35, 0.30, 0.2999, 0.16, 0.10, 0.07, 0.05, math.nan])
    assert bdr_tdr_pass(bdr, tdrs).tolist() == [
        "Aaa", "Aaa", "Aa2", "A2", "Baa2", "Ba2", "NR", "NR"]
    assert bdr_tdr_pass(0.2, tdrs) == "A2"  # 0.15 <= 0.2 < 0.22
    # A higher break-even never earns a worse rating.
    chain = bdr_tdr_pass(np.linspace(0, 0.4, 81), tdrs)
    assert np.all(np.diff(rank(chain)) <= 0)
    result = TargetDefaultRates(("Aaa", "A2"), (0.9999, 0.99), (0.3, 0.15), 2.0, "t", None)
    assert bdr_tdr_pass(0.2, result) == "A2"
    with pytest.raises(InputError, match=r"unknown rating\(s\) \['AA'\]"):
        bdr_tdr_pass(0.2, {"AA": 0.1})
    with pytest.raises(InputError, match=r"TDRs must be finite"):
        bdr_tdr_pass(0.2, {"Aa2": math.nan})


# --------------------------------------------------------------------------------------------
# Table validation and user tables


def frame(rows: list[tuple[str, object]], column: str = "dirr_bp_max") -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rating", column])


def from_frame(df: pd.DataFrame, kind: str = "dirr_bp") -> RatingTable:
    return rating_table_from_frame(df, name="user", kind=kind, source="test")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([("Aaa", 1.0), ("Aa1", 0.5)],
         r"row 3, column `dirr_bp_max`: is below the value for `Aaa` above it \(1\); "
         r"thresholds must not decrease from best to worst rating \(got '0.5'\)"),
        ([("Aaa", 1.0), ("AA+", 2.0)], r"row 3, column `rating`: unknown rating"),
        ([("Aa1", 1.0), ("Aaa", 2.0)], r"row 3, column `rating`: ratings must run from best to "
                                       r"worst"),
        ([("Aaa", 1.0), ("Aaa", 2.0)], r"row 3, column `rating`: appears twice \(also row 2\)"),
        ([("Aaa", "x"), ("Aa1", "")], r"2 problem\(s\).*row 2, column `dirr_bp_max`: must be a "
                                      r"number \(got 'x'\).*row 3"),
        ([("Aaa", -1.0)], r"row 2, column `dirr_bp_max`: must be >= 0 bp"),
        ([("B3", 300.0), ("Caa", 2500.0), ("Caa1", 3000.0)],
         r"use either `Caa` or `Caa1`-`Caa3`, not both"),
        ([], r"the table has no ratings"),
    ],
)
def test_table_validation_names_row_and_field(rows: list[tuple[str, object]], match: str) -> None:
    with pytest.raises(RatingTableError, match=f"(?s){match}"):
        from_frame(frame(rows))


def test_table_validation_of_columns_and_kinds() -> None:
    with pytest.raises(RatingTableError, match=r"column `dirr_bp_max`: missing column"):
        from_frame(frame([("Aaa", 1.0)], column="bound"))
    with pytest.raises(RatingTableError, match=r"column `rating_factor`: must be in \[0, 10000\] "
                                               r"\(got '12000.0'\)"):
        from_frame(frame([("Aaa", 12000.0)], column="rating_factor"), kind="pd")
    with pytest.raises(RatingTableError, match=r"needs columns year_1, year_2"):
        from_frame(frame([("Aaa", 0.001)], column="y1"), kind="el")
    with pytest.raises(RatingTableError, match=r"`kind`: must be one of"):
        from_frame(frame([("Aaa", 1.0)]), kind="moodys")
    el = pd.DataFrame({"rating": ["Aaa", "Aa1"], "year_2": [0.1, 0.2], "year_1": [0.05, 0.1]})
    with pytest.raises(RatingTableError, match=r"increasing positive horizons"):
        from_frame(el, kind="el")
    with pytest.raises(RatingTableError, match=r"column `lgd_ref`: must be in \(0, 1\] or null"):
        rating_table_from_frame(el[["rating", "year_1"]], name="u", kind="el", source="s",
                                lgd_ref=2.0)
    with pytest.raises(RatingTableError, match=r"column `label`: must be a non-empty text"):
        rating_table_from_frame(frame([("Aaa", 1.0)]), name="u", kind="dirr_bp", source="s",
                                label=" ")


def test_user_table_round_trip_through_files(tmp_path: Path) -> None:
    original = derive_el_table(lgd_ref=0.45, horizons=(0.5, 1, 2, 5), name="my_el")
    csv_path = tmp_path / "my_el.csv"
    rating_table_to_frame(original).to_csv(csv_path, index=False, float_format="%.17g")
    csv_path.with_suffix(".json").write_text(json.dumps({
        "kind": "el", "label": original.label, "source": original.source,
        "description": original.description, "lgd_ref": original.lgd_ref,
    }), encoding="utf-8")
    assert load_rating_table(csv_path) == original
    assert load_rating_table(str(csv_path)) == original
    assert original.columns == ("year_0.5", "year_1", "year_2", "year_5")


def test_user_table_file_errors(tmp_path: Path) -> None:
    csv_path = tmp_path / "bounds.csv"
    csv_path.write_text("rating,dirr_bp_max\nAaa,0.1\nAa1,0.05\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bounds.json: file not found"):
        load_rating_table(csv_path)
    csv_path.with_suffix(".json").write_text('{"kind": "dirr_bp", "label": "mine"}',
                                             encoding="utf-8")
    with pytest.raises(InputError, match=r"bounds.json: missing key `source`"):
        load_rating_table(csv_path)
    csv_path.with_suffix(".json").write_text(
        '{"kind": "dirr_bp", "label": "mine", "source": "me", "sauce": 1}', encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown key `sauce`"):
        load_rating_table(csv_path)
    csv_path.with_suffix(".json").write_text(
        '{"kind": "dirr_bp", "label": "mine", "source": "me"}', encoding="utf-8")
    with pytest.raises(RatingTableError, match=r"bounds.csv, row 3, column `dirr_bp_max`"):
        load_rating_table(csv_path)
    with pytest.raises(InputError, match=r"unknown rating table 'moodys'; give one of"):
        load_rating_table("moodys")


def test_user_table_files_are_read_within_limits(tmp_path: Path) -> None:
    """Regression: a sidecar in GBK escaped as UnicodeDecodeError, and a huge file was read
    whole."""
    csv_path = tmp_path / "bounds.csv"
    csv_path.write_text("rating,dirr_bp_max\nAaa,0.1\n", encoding="utf-8")
    sidecar = csv_path.with_suffix(".json")
    sidecar.write_bytes('{"kind": "dirr_bp", "label": "我的", "source": "me"}'.encode("gbk"))
    with pytest.raises(InputError, match=r"bounds.json: not UTF-8 text \(byte \d+\)"):
        load_rating_table(csv_path)
    with sidecar.open("wb") as huge:
        huge.truncate(MAX_RATING_TABLE_BYTES + 1)  # sparse: refused from its size
    with pytest.raises(InputError, match=r"bounds.json: the file has 1,048,577 bytes, over "):
        load_rating_table(csv_path)


def test_rating_table_is_validated_on_construction() -> None:
    with pytest.raises(RatingTableError, match=r"rating table `t`.*a `pd` table has \(10.0,\)"):
        RatingTable(name="t", kind="pd", ratings=("Aaa",), thresholds=((0.0001,),),
                    horizons=(5.0,), source="s", label="indicative")
    with pytest.raises(RatingTableError, match=r"one row per rating and 1 column"):
        RatingTable(name="t", kind="dirr_bp", ratings=("Aaa", "Aa1"), thresholds=((0.1,),),
                    horizons=(), source="s", label="indicative")
