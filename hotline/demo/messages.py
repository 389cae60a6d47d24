"""Where the demo's ticket texts come from: the project's own samples, plus real messages when present.

The real messages (``settings.citizen_messages_dir``) are public competition
data whose licence is not ours to grant, so they are read where they lie and
never copied into the repository.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from config.catalogue import Catalogue

SAMPLES = Path(__file__).resolve().parent / "messages.yaml"
REAL_MESSAGES_USED = 900  # enough to fill several months beside the samples, quick to load
TITLE_LENGTH = 24


@dataclass(frozen=True)
class DemoMessage:
    key: str               # stable id, so loading twice finds what the first load made
    service: str | None
    department: str
    title: str
    content: str
    address: str = ""
    urgency: str = "normal"
    reply: str = ""
    answerable: bool = False
    repeat_of: str | None = None


def project_samples(catalogue: Catalogue, path: Path = SAMPLES) -> list[DemoMessage]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    samples = []
    for index, item in enumerate(data):
        service = catalogue.service(item["service"])
        repeat = item.get("repeat_of")
        samples.append(DemoMessage(
            key=f"sample-{index}", service=service.code, department=service.department,
            title=item["title"], content=item["content"], address=item.get("address", ""),
            urgency=item.get("urgency", "normal"), reply=item.get("reply", ""),
            answerable=bool(item.get("answerable")),
            repeat_of=f"sample-{repeat}" if repeat is not None else None))
    return samples


def real_messages(catalogue: Catalogue, folder: Path, seed: int = 12345) -> list[DemoMessage]:
    """Labelled messages from the shared folder, mapped to departments by ``label_map.yaml``."""
    path = folder / "messages.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(i, row) for i, row in enumerate(csv.DictReader(handle)) if row.get("text") and row.get("label")]
    random.Random(seed).shuffle(rows)
    messages = []
    for index, row in rows[:REAL_MESSAGES_USED]:
        target = catalogue.label_target(row["label"])
        text = row["text"].strip()
        messages.append(DemoMessage(
            key=f"board-{index}", service=target.service, department=target.department,
            title=text[:TITLE_LENGTH], content=text))
    return messages
