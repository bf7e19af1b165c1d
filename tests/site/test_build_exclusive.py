"""One build at a time: two builds of one site used to tear it (the search index unparsable or
holding a tenth of its entries), and every later build said "site unchanged". A build now holds
a lock on the docs and site folders, and a site whose files do not match its marker is built
again. A ``--site`` that is a symbolic link stays a link."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from reportgen.site.build_lock import docs_lock, site_lock
from reportgen.site.output import MARKER, built_digest
from tests.conftest import REPO
from tests.site.conftest import build_into
from tests.site.helpers import write_logbook


def _build(root: Path, *extra: str) -> subprocess.Popen:
    code = "import sys; from reportgen.cli import main; sys.exit(main(sys.argv[1:]))"
    args = [
        "build", "--logbook", str(root / "logbook"), "--docs", str(root / "docs"),
        "--site", str(root / "site"), "--config", str(REPO / "mkdocs.yml"), "--jobs", "1", *extra,
    ]  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=os.environ | {"PYTHONPATH": str(REPO)},
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _entries(site: Path) -> int:
    return len(json.loads((site / "search" / "search_index.json").read_text())["docs"])


def test_a_second_build_waits_for_the_first(tmp_path):
    write_logbook(tmp_path / "logbook", n=8, steps=40)
    build_into(tmp_path, tmp_path / "logbook")
    whole = _entries(tmp_path / "site")
    (tmp_path / "docs" / "extra.md").write_text("# Extra\n")  # MkDocs must run again
    lock = site_lock(tmp_path / "site")
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a build in flight holds the site
    proc = _build(tmp_path)
    time.sleep(3)
    assert proc.poll() is None, proc.communicate()  # it waits, it does not write
    assert built_digest(tmp_path / "site")  # the finished site is untouched meanwhile
    os.close(fd)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"waiting for another reportgen build that holds {lock}" in err
    assert _entries(tmp_path / "site") == whole + 1


def test_builds_started_together_leave_a_whole_site(tmp_path):
    write_logbook(tmp_path / "logbook", n=8, steps=40)
    build_into(tmp_path, tmp_path / "logbook")
    whole = _entries(tmp_path / "site")
    for i in range(3):
        (tmp_path / "docs" / "extra.md").write_text(f"# Extra {i}\n")
        procs = [_build(tmp_path) for _ in range(2)]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
        assert _entries(tmp_path / "site") == whole + 1
        assert built_digest(tmp_path / "site")
    assert docs_lock(tmp_path / "docs" / "studies").is_file()


def test_a_torn_site_is_built_again(tmp_path):
    """Files that no longer match the marker (cut short, removed) are not a finished site."""
    logbook = write_logbook(tmp_path / "logbook", n=8, steps=40)
    site = build_into(tmp_path, logbook)
    index = site / "search" / "search_index.json"
    whole = index.read_text()
    index.write_text(whole[: len(whole) // 10])
    assert not built_digest(site)
    assert json.loads((site / MARKER).read_text())["output_digest"]
    proc = _build(tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "site written to" in err, err
    assert index.read_text() == whole
    (site / "index.html").unlink()
    proc = _build(tmp_path)
    _, err = proc.communicate(timeout=300)
    assert "site written to" in err and (site / "index.html").is_file(), err


def test_a_site_that_is_a_symbolic_link_stays_one(tmp_path):
    logbook = write_logbook(tmp_path / "logbook", n=8, steps=40)
    target = tmp_path / "published" / "logbook-site"
    target.mkdir(parents=True)
    (tmp_path / "site").symlink_to(target)
    build_into(tmp_path, logbook)
    assert (tmp_path / "site").is_symlink()
    assert os.readlink(tmp_path / "site") == str(target)
    assert (target / "index.html").is_file() and built_digest(target)
