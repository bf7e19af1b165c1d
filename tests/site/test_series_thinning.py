"""Issue 39 item 4: a long curve in the playbook series charts keeps the lowest and highest value
of each stretch and every marked step, and its chart says it was thinned; the dense early
panel keeps every step."""

from __future__ import annotations

import numpy as np

from reportgen.schema import Best, Curves
from reportgen.site.playbook_charts import SERIES_BUCKETS, _rows, _thinned
from tests.conftest import make_trial


def _long(n: int = 1000):
    steps = list(range(1, n + 1))
    loss = list(np.linspace(2.0, 0.1, n))
    if n > 437:
        loss[437] = 9.0  # one spike inside a stretch
    return make_trial(curves=Curves(step=steps, train_loss=loss, valid_loss=loss,
                                    valid_error=[0.5] * n, learning_rate=[1e-3] * n,
                                    grad_norm=[1.0] * n), max_train_steps=n,
                      best=Best(step=n, value=0.5), final_value=0.5)  # fmt: skip


def test_a_long_series_keeps_extremes_and_marks_and_says_so():
    t = _long()
    rows = _rows(t, t.curves.train_loss, {700}, "spike episode")
    assert len(rows) <= 4 * SERIES_BUCKETS + 3  # min and max per stretch, ends, the mark
    steps = {r["x"] for r in rows}
    assert {1, 1000, 438, 700} <= steps  # ends, the spike (min/max of its stretch), the mark
    marked = [r for r in rows if r.get("mark")]
    assert [(r["x"], r["note"]) for r in marked] == [(700, "spike episode")]
    assert all("mark" not in r for r in rows if r["x"] != 700)
    title = _thinned("Training loss", [t])
    assert isinstance(title, dict) and "25 stretches" in " ".join(title["subtitle"])


def test_short_series_and_the_dense_panel_are_drawn_whole():
    t = _long()
    assert len(_rows(t, t.curves.train_loss, every=True)) == 1000
    short = _long(40)
    assert len(_rows(short, short.curves.train_loss)) == 40
    assert _thinned("Training loss", [short]) == "Training loss"
