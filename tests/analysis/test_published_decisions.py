"""Every decision of the published logbook names its score and agrees with its own tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.analysis import analyze_study
from reportgen.store import load_logbook

ROOT = Path(__file__).resolve().parents[2] / "logbook"


@pytest.fixture(scope="module")
def analyses():
    book = load_logbook(ROOT)
    out = []
    for s in book.studies:
        for rev in sorted(s.revisions):
            spec = s.spec_at(rev)
            related = {}
            if spec.baseline is not None and spec.baseline.study is not None:
                other = book.study(spec.baseline.study)
                related["baseline_trials"] = other.trials_at(other.spec.revision)
            if spec.round is not None and spec.round.previous is not None:
                other = book.study(spec.round.previous)
                related["previous_round_trials"] = other.trials_at(other.spec.revision)
            out.append((f"{s.study_id} r{rev}", analyze_study(spec, s.trials_at(rev), **related)))
    assert len(out) >= 18
    return out


def test_every_effect_names_its_metric_and_score(analyses):
    for name, a in analyses:
        d = a.decision
        assert d.estimand is not None, name
        assert d.estimand.metric == a.objective.metric, name
        assert d.estimand.label.startswith(a.objective.metric + ", "), name
        if d.effect is not None:
            assert f"in {d.estimand.label}" in d.reason, name


def test_no_decision_contradicts_its_own_retrain_table(analyses):
    """This search's difference lies inside the range the retrain table implies for the two
    compared groups (the table and the decision use the same score), and the effect lies among
    the per-seed differences it averages."""
    checked = 0
    for name, a in analyses:
        d = a.decision
        if d.effect is None or not d.comparisons or d.candidate is None or d.baseline is None:
            continue
        c, b = d.candidate, d.baseline
        if None in (c.ci_low, c.ci_high, b.ci_low, b.ci_high):
            continue
        sign = 1.0 if a.objective.direction == "minimize" else -1.0
        # positive = candidate better: (baseline - candidate) when lower is better
        ends = [sign * (b.ci_low - c.ci_high), sign * (b.ci_high - c.ci_low)]
        low, high = min(ends), max(ends)
        rows = d.comparisons[0].seeds
        assert rows and rows[0].seed == "this search", name
        assert low - 1e-12 <= rows[0].difference <= high + 1e-12, (name, rows[0], low, high)
        diffs = [r.difference for r in rows]
        assert min(diffs) - 1e-12 <= d.effect <= max(diffs) + 1e-12, name
        # the retrain table is on the decision's score: its means are the seed row's arms when
        # the look uses every retrain
        if c.n == d.comparisons[0].n_candidate and b.n == d.comparisons[0].n_baseline:
            assert rows[0].candidate == pytest.approx(c.mean), name
            assert rows[0].baseline == pytest.approx(b.mean), name
        # an adopt never stands against a table whose candidate is clearly worse, nor a reject
        # against one whose candidate is clearly better
        if d.verdict == "adopt":
            assert high > 0, name
        if d.verdict == "reject":
            assert low < 0, name
        checked += 1
    assert checked >= 8


def test_a_recorded_re_decision_names_the_verdict_the_page_shows(analyses):
    """The latest changelog entry of a revision that records a change of verdict on its records
    ("... was X, now Y": a re-decision by a new rule, or reruns added) stays true: Y is the
    verdict the current rule gives that revision. Earlier such entries are history."""
    import re

    pattern = re.compile(r"\bwas (?:\w+ )*?(adopt|reject|inconclusive)\b.*?"
                         r"\bnow (adopt|reject|inconclusive)\b")
    book = load_logbook(ROOT)
    by_name = dict(analyses)
    seen = 0
    for s in book.studies:
        latest: dict[int, re.Match] = {}
        for entry in s.spec.changelog:
            if entry.summary.startswith(("Re-decided", "Reruns added")):
                m = pattern.search(entry.summary)
                assert m, (s.study_id, "a re-decision names what it was and what it is now")
                assert m.group(1) != m.group(2), (s.study_id, "a re-decision changes the verdict")
                latest[entry.revision] = m
        for revision, m in latest.items():
            verdict = str(by_name[f"{s.study_id} r{revision}"].decision.verdict)
            assert m.group(2) == verdict, (s.study_id, m.group(0), verdict)
            seen += 1
    assert seen >= 5  # the round-3 rule changed five published verdicts
