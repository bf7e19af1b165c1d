"""The probe gallery: valid studies, each firing the findings it was built for (on its page
too), every finding key covered, and every checklist row failing on one probe and passing on
the calm one."""

from __future__ import annotations

import pytest

from reportgen.guidance import GUIDANCE
from reportgen.pages.checklist import checklist
from tests.conftest import run_cli
from tests.probes.build import fired_keys
from tests.probes.gallery import ALL_ROWS, BY_NAME, PROBES

# the probe on which each checklist question must not pass
FAILS_ON = {
    "stability": "loss-spike",
    "design": "lr-fixed",
    "boundaries": "boundary",
    "density": "near-best",
    "infeasible": "infeasible",
    "curves": "overfitting",
    "isolation": "undertuned",
    "variance": "boundary",
}


def test_every_probe_is_a_valid_study(probe_gallery):
    logbook, _, _ = probe_gallery
    done = run_cli("check", "--logbook", str(logbook))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_probe_fires_its_findings_and_its_page_shows_them(probe_gallery, probe):
    _, _, evidence = probe_gallery
    ev = evidence[probe.name]
    for key in probe.fires:
        assert key in ev.fired, (probe.name, key, sorted(ev.fired))
        assert f'data-key="{key}"' in ev.page, (probe.name, key, "fired but not on the page")


def test_every_finding_key_has_a_probe():
    keys = {k for k in GUIDANCE if not k.startswith("section.")}
    covered = {k for p in PROBES for k in p.fires}
    assert keys - covered == set(), "finding keys without a probe"


@pytest.mark.parametrize("topic", ALL_ROWS)
def test_each_checklist_row_fails_on_a_probe_and_passes_on_the_calm_one(probe_gallery, topic):
    logbook, _, _ = probe_gallery
    from reportgen.pages.notes import CHECKLIST

    title = next(t.title for t in CHECKLIST if t.id == topic)
    statuses = {}
    for name in (FAILS_ON[topic], "calm"):
        _, (_, a) = fired_keys(logbook, BY_NAME[name].spec["study_id"])
        statuses[name] = {i.title: i.status for i in checklist(a.findings, a.scopes)}[title]
    assert statuses[FAILS_ON[topic]] in ("warning", "problem"), statuses
    assert statuses["calm"] == "ok", statuses
    assert topic in BY_NAME["calm"].passes
