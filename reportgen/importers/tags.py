"""Which logged metric names become which curve column (TensorBoard tags, MLflow metric keys)."""

from __future__ import annotations

import re

from reportgen.schema import CURVE_COLUMNS

DEFAULT_TAGS: dict[str, tuple[str, ...]] = {
    "train_loss": ("train_loss", "train/loss", "loss/train", "training_loss", "loss"),
    "valid_loss": (
        "valid_loss",
        "val_loss",
        "validation_loss",
        "eval_loss",
        "valid/loss",
        "val/loss",
        "eval/loss",
        "loss/valid",
        "loss/val",
        "loss/validation",
    ),
    "valid_error": (
        "valid_error",
        "val_error",
        "validation_error",
        "valid/error",
        "val/error",
        "error/valid",
        "error/val",
    ),
    "learning_rate": ("learning_rate", "lr", "train/lr", "train/learning_rate"),
    "grad_norm": ("grad_norm", "gradient_norm", "train/grad_norm"),
}


def column_for(tag: str, overrides: dict[str, str]) -> str:
    """The curve column of a tag: an explicit mapping, a default name, else a sanitised extra."""
    if tag in overrides:
        return overrides[tag]
    for column, names in DEFAULT_TAGS.items():
        if tag.lower() in names:
            return column
    name = re.sub(r"[^A-Za-z0-9_]+", "_", tag).strip("_") or "metric"
    return name if name not in CURVE_COLUMNS else f"{name}_"


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``TAG=COLUMN`` pairs from the command line."""
    out: dict[str, str] = {}
    for item in items:
        tag, sep, column = item.partition("=")
        if not sep or not tag or not column:
            raise ValueError(f"--tag {item!r}: expected TAG=COLUMN")
        out[tag] = column
    return out
