"""Long finding lists read at a glance: groups with the most severe findings first, each group
most severe first, and beyond ten the rest collapsed (before: a 101-row loss-spike table sat
above "Design", in the order the analysis found them)."""

from __future__ import annotations

from reportgen.pages.checklist import FINDINGS_SHOWN, finding_groups
from reportgen.schema import Finding


def _f(key: str, severity: str, i: int) -> Finding:
    return Finding(key=key, severity=severity, message=f"{key} {i}", anchor="", subject=f"s{i}")


def test_groups_and_findings_are_ordered_by_severity_and_long_groups_collapse():
    findings = [_f("curves.noisy", "info", i) for i in range(3)]
    findings += [_f("loss_spikes.spike", "info" if i % 4 else "warning", i) for i in range(13)]
    findings += [_f("search_space.boundary", "problem", 0)]
    groups = finding_groups(findings)
    assert [g.key for g in groups] == ["search_space.boundary", "loss_spikes.spike", "curves.noisy"]
    spikes = groups[1]
    assert len(spikes.findings) == FINDINGS_SHOWN and len(spikes.more) == 3
    shown = [f.severity for f in spikes.findings]
    assert shown[:4] == ["warning"] * 4 and set(shown[4:]) == {"info"}
    assert spikes.more_label.startswith("3 more ")
    assert groups[2].more == () and groups[2].more_label == ""
