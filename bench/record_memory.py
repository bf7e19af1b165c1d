"""Peak memory of loading one trial file: at the size cap, above it, and a 4 GiB sparse file.

    python bench/record_memory.py

Each case runs in a fresh process and prints its peak resident memory (VmHWM) next to the
same process doing nothing but importing the store (the baseline of this run). Linux only. Synthetic records, for this bench only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
from reportgen.store import load_trial
from pathlib import Path
t = time.perf_counter()
rec, problems = load_trial(Path({path!r})) if {path!r} else (None, [])
took = time.perf_counter() - t
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(int(hwm) // 1024, f"{{took:.2f}}",
      "ok" if rec is not None else (str(problems[0]) if problems else "-"))
"""


def measure(path: str) -> tuple[int, str, str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), path=path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split(" ", 2)
    return int(out[0]), out[1], out[2].strip()


def record_of_size(folder: Path, target: int) -> Path:
    """A valid trial record of about ``target`` bytes (long curves of one point per step)."""
    sys.path.insert(0, str(ROOT))
    from reportgen.store import dumps_record
    from tests.conftest import make_trial

    base = json.loads(dumps_record(make_trial()))
    per_point = 6 * 9  # six columns of about nine characters each
    n = max(3, target // per_point)
    base["curves"] = {
        "step": list(range(n)),
        **{
            k: [0.123456] * n
            for k in ("train_loss", "valid_loss", "valid_error", "learning_rate", "grad_norm")
        },
        "extra": {},
    }
    base["max_train_steps"] = n
    base["best"] = {"step": 1, "value": 0.123456}
    path = folder / f"t{target}.json"
    text = json.dumps(base)
    n = int(n * target / len(text))  # second pass: the size asked for
    base["curves"] = {k: (v[:n] if k != "extra" else v) for k, v in base["curves"].items()}
    base["max_train_steps"] = n
    path.write_text(json.dumps(base))
    return path


def main() -> None:
    from reportgen.schema.limits import MAX_RECORD_BYTES

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base_mb, _, _ = measure("")
        print(f"baseline (imports only): {base_mb} MB peak")
        cases = [
            ("at the cap", record_of_size(folder, MAX_RECORD_BYTES - 1024)),
            ("96 MB record", record_of_size(folder, 96 * 1024 * 1024)),
        ]
        sparse = folder / "sparse.json"
        with open(sparse, "wb") as fh:
            fh.truncate(4 * 1024**3)
        cases.append(("4 GiB sparse file", sparse))
        for label, path in cases:
            mb, took, what = measure(str(path))
            size = path.stat().st_size / 2**20
            print(
                f"{label:18s} {size:8.1f} MiB on disk: peak {mb} MB "
                f"({mb - base_mb:+d} MB over baseline, x{mb / base_mb:.2f}), {took} s: {what[:90]}"
            )


if __name__ == "__main__":
    main()
