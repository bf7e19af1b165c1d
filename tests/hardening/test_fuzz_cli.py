"""Issue 16: Hypothesis over record and spec bytes, through `check`, `build` and `review`.

Each example writes a logbook with one study whose spec or trial bytes are fuzzed (mutations of
valid files with tokens that broke the tool before: 5000-digit integers, impossible dates,
duplicate keys, NUL bytes, deep nesting, far-away times) beside a valid study, and runs the real
command in-process. Every outcome must be exit 0 or 1 with no exception escaping and no
traceback printed; the valid study must stay valid.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen import cli
from reportgen.store import dumps_record, write_spec, write_trial
from tests.conftest import REPO, make_spec, make_trial

VALID_TRIAL = dumps_record(make_trial()).encode()
VALID_SPEC = (
    b"study_id: demo\ntitle: Demo study\ngoal: Check the schema.\nworkload:\n  name: digits_mlp\n"
    b"search_space:\n- name: optimizer\n  role: fixed\n  value: adam\n- name: adam.learning_rate\n"
    b"  role: nuisance\n  scale: log\n  low: 0.0001\n  high: 0.01\n- name: width\n"
    b"  role: scientific\n  scale: discrete\n  values: [32, 64, 128]\ntrial_budget: 8\n"
    b"max_train_steps: 100\neval_every: 50\n"
)
TOKENS = [
    b"9" * 5000,
    b"2026-13-45",
    b"0000-00-00",
    b"2200-01-01T00:00:00Z",
    b"1900-01-01T00:00:00",
    b'"valid_error": [0.0, 0.0, 0.0],\n',
    b"trial_budget: 9\n",
    b"\x00",
    b"\xff\xfe",
    b"[" * 3000,
    b"{" * 3000,
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"-1",
    b"null",
    b"&a x\n",
    b"*a",
    b"!!python/object/apply:os.system ['true']",
    b"<script>alert(1)</script>",
    b"\\[x\\](https://evil.example)",
    b"\n- name: extra\n  role: fixed\n  value: 1\n",
    b'"',
    b":",
    b",",
    b"\n",
]


@st.composite
def mutated(draw, valid: bytes) -> bytes:
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 3))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "replace", "delete", "truncate"]))
        token = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)))
        if op == "insert":
            data[pos:pos] = token
        elif op == "replace":
            data[pos : pos + len(token)] = token
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        else:
            del data[pos:]
    return bytes(data)


def fuzzed(valid: bytes):  # type: ignore[no-untyped-def]
    return st.one_of(mutated(valid), st.binary(max_size=600))


files = st.tuples(st.one_of(st.just(VALID_SPEC), fuzzed(VALID_SPEC)), fuzzed(VALID_TRIAL))


def write_book(root: Path, spec: bytes, trial: bytes) -> Path:
    book = root / "logbook"
    write_spec(book, make_spec(study_id="other"))
    write_trial(book, make_trial(study_id="other"))
    (book / "demo" / "trials").mkdir(parents=True)
    (book / "demo" / "study.yaml").write_bytes(spec)
    (book / "demo" / "trials" / "t0000.json").write_bytes(trial)
    return book


def run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))  # an escaping exception fails the example
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err, out.out + out.err
    assert code in (0, 1), (code, out.err)
    return code, out.out + out.err


def fuzz(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@fuzz(150)
@given(files)
def test_check_never_raises(tmp_path_factory, capsys, spec_trial):
    root = tmp_path_factory.mktemp("fuzz-check")
    book = write_book(root, *spec_trial)
    code, text = run(capsys, "check", "--logbook", str(book))
    if code == 1:
        assert "demo" in text and "logbook/other" not in text, text


@fuzz(12)
@given(files)
def test_build_never_raises(tmp_path_factory, capsys, spec_trial):
    root = tmp_path_factory.mktemp("fuzz-build")
    book = write_book(root, *spec_trial)
    run(
        capsys,
        "build",
        "--logbook",
        str(book),
        "--docs",
        str(root / "docs"),
        "--site",
        str(root / "site"),
        "--config",
        str(REPO / "mkdocs.yml"),
    )
    assert (root / "site" / "studies" / "other" / "index.html").is_file()


def _git(repo: Path, *args: str) -> str:
    r = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return r.stdout.strip()


@fuzz(30)
@given(files)
def test_review_never_raises(tmp_path_factory, capsys, spec_trial):
    root = tmp_path_factory.mktemp("fuzz-review")
    repo = root / "repo"
    book = write_book(repo, VALID_SPEC, VALID_TRIAL)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "Test")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    (book / "demo" / "study.yaml").write_bytes(spec_trial[0])
    (book / "demo" / "trials" / "t0000.json").write_bytes(spec_trial[1])
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "head", "--allow-empty")
    out = root / "out"
    run(capsys, "review", "--repo", str(repo), "--base", "HEAD~1", "--head", "HEAD",
        "--out", str(out), "--no-charts")
    assert (out / "review.md").is_file()
    shutil.rmtree(root)
