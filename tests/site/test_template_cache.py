"""Compiled theme templates kept between builds: the next build compiles none and writes the
same site; an edited template is compiled again; an unusable cache folder costs only time."""

from __future__ import annotations

import jinja2
import pytest

from reportgen.site.page_reuse import CACHE_NAME
from reportgen.template_cache import cache_folder, with_cache
from tests.site.conftest import build_into, copy_fixture_logbook
from tests.site.test_determinism import _tree


def _compiles(monkeypatch, *, pages: bool = False) -> list[str]:
    """Names of the templates Jinja compiles from files from now on: the theme's, or with
    ``pages`` our page templates (``*.j2``, the page renderer's own environment)."""
    seen: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *a, **kw):
        if filename is not None and name.endswith(".j2") == pages:
            seen.append(name)
        return real(self, source, name, filename, *a, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return seen


def test_a_second_build_compiles_no_template_and_writes_the_same_site(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTGEN_TEMPLATE_CACHE", str(tmp_path / "cache"))
    copy_fixture_logbook(tmp_path / "logbook")
    compiled = _compiles(monkeypatch)
    build_into(tmp_path / "a", tmp_path / "logbook")
    first = list(compiled)
    assert "main.html" in first and any(n.startswith("partials/") for n in first)
    stored = list((tmp_path / "cache").rglob("*.cache"))
    assert len(stored) >= len(set(first))

    compiled.clear()
    warm = build_into(tmp_path / "b", tmp_path / "logbook")
    assert compiled == []  # every template came from the cache

    monkeypatch.setenv("REPORTGEN_TEMPLATE_CACHE", "off")
    cold = build_into(tmp_path / "c", tmp_path / "logbook")
    assert set(compiled) == set(first)  # without the cache every template is compiled again
    tw, tc = _tree(warm), _tree(cold)
    tw.pop(CACHE_NAME, None), tc.pop(CACHE_NAME, None)
    assert tw.keys() == tc.keys() and "studies/fixture-width/index.html" in tw
    assert [k for k in tw if tw[k] != tc[k]] == []


def test_the_page_renderer_compiles_its_templates_once_for_every_process(tmp_path, monkeypatch):
    from reportgen.pages import render

    monkeypatch.setenv("REPORTGEN_TEMPLATE_CACHE", str(tmp_path / "cache"))
    seen = _compiles(monkeypatch, pages=True)
    for _ in range(2):  # as two build workers would: a fresh environment each
        render._environment.cache_clear()
        render.environment().get_template("study.md.j2")
    render._environment.cache_clear()
    assert "study.md.j2" in seen and seen.count("study.md.j2") == 1


def _render(folder, name: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)))
    env = with_cache(env)
    assert env.bytecode_cache is not None
    return env.get_template(name).render(who="logbook")


def test_an_edited_template_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.delenv("REPORTGEN_TEMPLATE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the default folder
    (tmp_path / "t").mkdir()
    page = tmp_path / "t" / "page.html"
    page.write_text("hello {{ who }}")
    assert _render(tmp_path / "t", "page.html") == "hello logbook"
    assert list((tmp_path / "cache" / "reportgen" / "jinja").rglob("*.cache"))
    page.write_text("goodbye {{ who }}")  # same name, new source
    assert _render(tmp_path / "t", "page.html") == "goodbye logbook"


@pytest.mark.parametrize("how", ["off", "unusable"])
def test_without_a_usable_cache_folder_the_environment_is_left_alone(tmp_path, monkeypatch, how):
    if how == "off":
        monkeypatch.setenv("REPORTGEN_TEMPLATE_CACHE", "off")
    else:
        (tmp_path / "file").write_text("not a folder")
        monkeypatch.setenv("REPORTGEN_TEMPLATE_CACHE", str(tmp_path / "file" / "jinja"))
    assert cache_folder() is None
    env = jinja2.Environment(loader=jinja2.DictLoader({"a": "x"}))
    assert with_cache(env).bytecode_cache is None


def test_a_planted_compiled_template_never_runs(tmp_path, monkeypatch):
    """Jinja un-marshals what its bytecode cache holds: a file planted in the cache folder (a
    valid Jinja bytecode file whose code writes a marker) is compiled afresh, never run."""
    import marshal

    from jinja2.bccache import bc_magic

    monkeypatch.setenv("REPORTGEN_TEMPLATE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.html").write_text("hello {{ who }}")
    assert _render(tmp_path / "t", "page.html") == "hello logbook"
    (stored,) = (tmp_path / "cache").rglob("*.cache")
    marker = tmp_path / "ran"
    payload = compile(f"open({str(marker)!r}, 'w').write('ran')", "<planted>", "exec")
    checksum = __import__("hashlib").sha1(b"hello {{ who }}").hexdigest()
    planted = bc_magic + __import__("pickle").dumps(checksum, 2) + marshal.dumps(payload)
    stored.write_bytes(planted)  # what Jinja's own FileSystemBytecodeCache would load and run
    assert _render(tmp_path / "t", "page.html") == "hello logbook"
    assert not marker.exists()
    stored.write_bytes(stored.read_bytes()[:40])  # a torn file: compiled again too
    assert _render(tmp_path / "t", "page.html") == "hello logbook"


def test_a_full_disk_under_the_template_cache_only_warns(tmp_path, monkeypatch, capsys):
    import errno

    from reportgen.store import cache_seal

    monkeypatch.setenv("REPORTGEN_TEMPLATE_CACHE", str(tmp_path / "cache"))

    def full(*a, **kw):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_seal, "write_sealed", full)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.html").write_text("hello {{ who }}")
    (tmp_path / "t" / "other.html").write_text("bye {{ who }}")
    assert _render(tmp_path / "t", "page.html") == "hello logbook"
    assert _render(tmp_path / "t", "other.html") == "bye logbook"
    err = capsys.readouterr().err
    assert err.count("compiled templates not kept") == 1 and "No space left" in err
