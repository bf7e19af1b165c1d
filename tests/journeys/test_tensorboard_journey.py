"""A TensorBoard sweep logged as tensorboardX's and PyTorch's docs show it: ``add_scalar`` from
step 1 during training, then ``add_hparams`` with the final metrics. Before: every run was
refused ("train_loss has non-finite values"), because ``add_hparams`` writes its metrics at
step 0 in a subfolder and the merge made a step 0 without a training loss; imported, the
``hparam/*`` metrics became one-point curves. (``torch`` is not installed by the project: its
writer writes the same files as tensorboardX's.)"""

from __future__ import annotations

import json

from tests.journeys.helpers import reportgen


def _sweep(runs) -> None:  # type: ignore[no-untyped-def]
    from tensorboardX import SummaryWriter

    for lr, width in ((0.001, 32), (0.01, 32), (0.001, 64), (0.01, 64), (0.03, 64)):
        writer = SummaryWriter(str(runs / f"lr{lr}_w{width}"))
        loss = 2.0
        for step in range(1, 201):
            loss *= 1 - lr * width / 64
            writer.add_scalar("train/loss", loss, step)
            if step % 20 == 0:
                writer.add_scalar("val/loss", loss * 1.1 + 1 / width, step)
        writer.add_hparams({"lr": lr, "width": width}, {"hparam/val_loss": loss * 1.1 + 1 / width})
        writer.close()


def test_a_sweep_logged_as_the_docs_show_imports_and_checks(tmp_path):
    _sweep(tmp_path / "runs")
    r = reportgen(
        "import", "tensorboard", "runs", "--study", "tb-sweep", "--scientific", "width",
        "--baseline", "width=32", "--candidate", "64", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "5 runs added" in r.stderr
    trials = [json.loads(p.read_text()) for p in (tmp_path / "logbook/tb-sweep/trials").glob("*.json")]
    assert len(trials) == 5 and {t["status"] for t in trials} == {"complete"}
    for t in trials:
        assert t["curves"]["step"][0] == 1 and len(t["curves"]["step"]) == 200
        assert not any(k.startswith("hparam") for k in t["curves"]["extra"])
        reported = t["provenance"]["source"]["attrs"]
        assert float(reported["hparam/val_loss"]) > 0  # the summary metric is kept, as reported
    assert reportgen("check", cwd=tmp_path).returncode == 0
