"""Issue 35 items 3 and 6: one number helper, real infeasible reasons in findings, commands as
code in finding text, no emoji badges, the first-screen card and long tables collapsed."""

from __future__ import annotations

import pytest

from reportgen.analysis import analyze_study
from reportgen.guidance import GUIDANCE
from reportgen.numbers import decimals_for, number
from reportgen.pages.playbook_sections import SHOWN_ROWS, playbook_sections
from reportgen.pages.checklist import checklist
from reportgen.pages.study import summary_card
from reportgen.store import load_study
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("x", "resolution", "shown"),
    [
        (3.998e-06, 1 / 60, "0.000"),  # a spread far below one of 60 examples
        (0.0333333, 1 / 60, "0.033"),
        (0.05, 1 / 60, "0.05"),
        (0.0123456, 1 / 2000, "0.01235"),
        (3.998e-06, None, "3.998e-06"),  # no resolution known: significant digits
        (None, 1 / 60, "—"),
        (float("nan"), None, "nan"),
        (7, 1 / 60, "7"),
    ],
)
def test_number_shows_the_precision_its_sample_supports(x, resolution, shown):
    assert number(x, resolution=resolution) == shown
    assert decimals_for(1 / 60) == 3 and decimals_for(1 / 10000) == 5


def _analysed(study):
    records, problems = load_study(REPO / "logbook" / study, REPO / "logbook")
    assert problems == [] and records is not None
    return records.spec, analyze_study(records.spec, list(records.trials))


def test_resolution_comes_from_the_validation_examples():
    from tests.conftest import make_spec, make_trial

    trials = [make_trial(trial_id=f"t{i}", index=i, eval_examples=60) for i in range(3)]
    a = analyze_study(make_spec(), trials)
    assert a.summary.resolution == pytest.approx(1 / 60)  # valid_error on 60 examples
    a = analyze_study(make_spec(objective={"metric": "valid_loss"}), trials)
    assert a.summary.resolution is None  # a loss has no such step


def test_infeasible_finding_quotes_a_real_reason():
    _, a = _analysed("clip-digits")
    msgs = [f.message for f in a.findings if f.key == "infeasible.fraction"]
    assert msgs and all("N (limit N)" not in m and " at step N" not in m for m in msgs)
    assert any("exploded to" in m for m in msgs)


def test_no_emoji_in_guidance_titles():
    for g in GUIDANCE.values():
        assert all(ord(c) < 0x2600 for c in g.title), g.title
    assert any(g.title.endswith("(open research)") for g in GUIDANCE.values())


def test_first_screen_card_names_metric_and_next_step():
    spec, a = _analysed("sgd-vs-adam-fashion")
    card = summary_card(spec, a, checklist(a.findings, a.scopes))
    score = a.decision.estimand.label if a.decision.estimand else a.objective.metric
    assert score in card.effect
    assert str(card.next_step).strip() and "`" not in str(card.next_step)
    assert "&#96;" not in str(card.question)


def test_long_spike_table_sorted_and_collapsed():
    spec, a = _analysed("activation-digits-1000")
    assert len(a.extras.spikes) > SHOWN_ROWS
    pb = playbook_sections(spec, a, {})
    assert len(pb.spikes) == SHOWN_ROWS
    assert len(pb.spikes) + len(pb.spikes_more) == len(a.extras.spikes)
    sizes = [float(kv.note.split("×")[0]) for kv in (*pb.spikes, *pb.spikes_more)]
    assert sizes == sorted(sizes, reverse=True)
