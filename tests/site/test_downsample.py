"""Min/max-bucket downsampling keeps extremes, ends and where a curve stops."""

from __future__ import annotations

import math

from reportgen.analysis.downsample import downsample_curves, minmax_indices


def test_short_curves_are_kept_whole():
    assert minmax_indices([3.0, 1.0, 2.0], 5).tolist() == [0, 1, 2]


def test_each_bucket_keeps_its_min_and_max_and_the_ends():
    values = [0.0] * 100
    values[17] = 5.0  # spike in bucket 1 (indices 10..19)
    values[42] = -3.0  # dip in bucket 4
    idx = minmax_indices(values, 10).tolist()
    assert 17 in idx and 42 in idx and idx[0] == 0 and idx[-1] == 99
    assert len(idx) <= 2 * 10 + 2


def test_first_non_finite_value_is_kept():
    values = [1.0 / (k + 1) for k in range(60)] + [math.nan] * 40
    idx = minmax_indices(values, 10).tolist()
    assert 60 in idx


def test_columns_share_one_step_axis():
    step = list(range(0, 1000, 10))
    d = downsample_curves(
        step, {"a": [float(k % 7) for k in range(100)], "b": [float(-k) for k in range(100)]}, 5
    )
    assert len(d.step) == len(d.columns["a"]) == len(d.columns["b"]) < 100
    assert d.step == sorted(d.step) and d.n_original == 100
    assert d.columns["b"][d.step.index(990)] == -99.0


def test_batched_mask_matches_one_curve_at_a_time():
    import numpy as np

    from reportgen.analysis.downsample import minmax_mask

    rng = np.random.default_rng(3)
    block = rng.standard_normal((6, 300))
    block[2, 120:] = np.nan
    block[4, [7, 99]] = np.inf
    mask = minmax_mask(block, 20)
    for row, m in zip(block, mask, strict=True):
        assert np.flatnonzero(m).tolist() == minmax_indices(row, 20).tolist()


def test_round_sig_matches_printf_including_ties():
    import numpy as np

    from reportgen.site.prepare import round_sig

    rng = np.random.default_rng(0)
    values = np.concatenate(
        [
            rng.lognormal(sigma=8, size=3000) * rng.choice([-1, 1], 3000),
            np.round(rng.random(3000), 7),  # 7 decimals, like the runners write: many ties
            [0.830375, 0.0, 1e-30, 123456789.0, 99999.5, math.nan, math.inf],
        ]
    )
    got = round_sig(values, 5)
    want = [float(f"{v:.5g}") for v in values.tolist()]
    assert [g for g, w in zip(got.tolist(), want, strict=True) if g != w and g == g] == []
    assert got[list(values).index(0.830375)] == 0.83037
    assert math.isnan(got[-2]) and got[-1] == math.inf
