"""Benchmark: the dispatch classifier against a plain baseline on held-out messages.

    .venv/bin/python scripts/bench_dispatch.py [--data DIR] [--write-docs]

Trains ``dispatch.training.train`` on the ``train`` split of the citizen
messages data (``--data``, by default ../shared/data/citizen_messages from
the repository root) and measures it on the held-out ``test`` split: macro-F1,
accuracy, top-3 recall, calibration, training time, the latency of one ticket
at a time (``predict``) and the throughput of batches (``predict_many``).
A plain baseline, character 1-2-gram TF-IDF with a linear SVM in
scikit-learn's own pipeline, is trained and timed the same way in the same
run. The machine is shared with other work, so besides wall-clock times it
reports this process's CPU time and the load average.

With ``--write-docs`` the figures replace this benchmark's section of
docs/benchmarks.md (between its markers), leaving other sections as they are.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from dispatch.training import evaluate, split_messages, train  # noqa: E402

MARKERS = ("<!-- bench_dispatch:start -->", "<!-- bench_dispatch:end -->")
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "citizen_messages"
#: Tickets per predict_many call when measuring batch throughput.
BATCH_SIZE = 256
#: Passes over the test split when timing; the best and worst are reported.
PASSES = 5
#: Confidence thresholds shown with the share of tickets above them and their accuracy.
THRESHOLDS = (0.5, 0.7, 0.8, 0.9)
GOALS = {"macro_f1": 0.90, "top3_recall": 0.98, "batch_per_s": 2000, "p99_ms": 5.0, "train_s": 120}


class Baseline:
    """Character 1-2-gram TF-IDF and a linear SVM: what one would try first."""

    def __init__(self) -> None:
        self.pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True), LinearSVC())

    def fit(self, texts, labels) -> "Baseline":
        self.pipeline.fit(texts, labels)
        return self

    def predict_many(self, texts) -> np.ndarray:
        return self.pipeline.decision_function(texts)

    def predict(self, text: str) -> np.ndarray:
        return self.pipeline.decision_function([text])


def timed(function, *args):
    """Run ``function(*args)``; return its result, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure_speed(model, texts: list[str]) -> dict:
    """Single-ticket latencies and batch throughput, per pass over ``texts``.

    Other work on the machine preempts this process at random, so each
    figure is kept per pass, and the report gives the best and the worst.
    """
    model.predict(texts[0])  # warm up (first-call imports, caches)
    passes = []
    for _ in range(PASSES):
        latencies = np.array([timed(model.predict, text)[1:] for text in texts]) * 1000
        wall_total = cpu_total = 0.0
        for start in range(0, len(texts), BATCH_SIZE):
            _, wall, cpu = timed(model.predict_many, texts[start:start + BATCH_SIZE])
            wall_total, cpu_total = wall_total + wall, cpu_total + cpu
        passes.append({
            "p50_ms": np.percentile(latencies[:, 0], 50), "p99_ms": np.percentile(latencies[:, 0], 99),
            "cpu_p99_ms": np.percentile(latencies[:, 1], 99),
            "batch_per_s": len(texts) / wall_total, "cpu_batch_per_s": len(texts) / max(cpu_total, 1e-9),
        })
    figures = {}
    for key in passes[0]:
        values = sorted(float(one[key]) for one in passes)
        best, worst = (values[-1], values[0]) if key.endswith("per_s") else (values[0], values[-1])
        figures[key], figures[f"{key}_worst"] = best, worst
    return figures


def measure(data: Path) -> dict:
    """Train both models on ``train``, then score and time them on ``test``."""
    groups = split_messages(data / "messages.csv")
    training, test = groups["train"], groups["test"]
    load_before = os.getloadavg()
    model, train_wall, train_cpu = timed(
        lambda: train(training.texts, training.labels, trained_at=None))
    figures = evaluate(model, test.texts, test.labels)
    predictions = model.predict_many(test.texts)
    confidence = np.array([prediction.confidence for prediction in predictions])
    correct = np.array([p.label == truth for p, truth in zip(predictions, test.labels)])
    thresholds = [(threshold, float((confidence >= threshold).mean()),
                   float(correct[confidence >= threshold].mean()) if (confidence >= threshold).any()
                   else float("nan")) for threshold in THRESHOLDS]
    ours = {**figures, "train_s": train_wall, "train_cpu_s": train_cpu,
            **measure_speed(model, test.texts)}

    baseline, base_wall, base_cpu = timed(lambda: Baseline().fit(training.texts, training.labels))
    scores = baseline.predict_many(test.texts)
    classes = baseline.pipeline.classes_
    ranked = classes[np.argsort(-scores, axis=1)]
    theirs = {
        "macro_f1": f1_score(test.labels, ranked[:, 0], average="macro"),
        "accuracy": accuracy_score(test.labels, ranked[:, 0]),
        "top3_recall": float(np.mean([t in row[:3] for t, row in zip(test.labels, ranked)])),
        "train_s": base_wall, "train_cpu_s": base_cpu, **measure_speed(baseline, test.texts),
    }
    return {"ours": ours, "baseline": theirs, "thresholds": thresholds,
            "train_rows": len(training.texts), "test_rows": len(test.texts),
            "load": (load_before, os.getloadavg())}


def machine() -> str:
    """CPU model, cores, Python and library versions, for the record."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    libraries = ", ".join(f"{name} {version(name)}" for name in ("scikit-learn", "numpy", "scipy", "jieba"))
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; {libraries}"


def report(result: dict, data: Path) -> str:
    """The Markdown section for docs/benchmarks.md."""
    ours, theirs = result["ours"], result["baseline"]
    load_before, load_after = result["load"]

    def row(label, key, unit="", digits=3, goal=""):
        return f"| {label} | {ours[key]:.{digits}f}{unit} | {theirs[key]:.{digits}f}{unit} | {goal} |"

    def timing(label, key, unit, digits, goal=""):
        cells = [f"{model[key]:,.{digits}f}{unit} ({model[key + '_worst']:,.{digits}f})"
                 for model in (ours, theirs)]
        return f"| {label} | {cells[0]} | {cells[1]} | {goal} |"

    lines = [
        MARKERS[0],
        "## Dispatch classifier (scripts/bench_dispatch.py)",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}. "
        f"Load average {load_before[0]:.1f} before, {load_after[0]:.1f} after: the two cores were "
        "shared with other work, so wall-clock times are pessimistic; CPU time is this process's own.",
        "",
        f"Data: `{data.name}` (see its README), trained on the `train` split ({result['train_rows']:,} "
        f"messages, 7 labels), measured on the held-out `test` split ({result['test_rows']:,}), "
        "which was not used for any choice.",
        "",
        "| | dispatch classifier | baseline: char 1-2-gram TF-IDF + LinearSVC | goal |",
        "|---|---|---|---|",
        row("macro-F1", "macro_f1", goal="≥ 0.90"),
        row("accuracy", "accuracy"),
        row("top-3 recall", "top3_recall", goal="≥ 0.98"),
        row("training, wall", "train_s", " s", 1, "< 120 s"),
        row("training, CPU", "train_cpu_s", " s", 1),
        timing("one ticket at a time, p50 wall", "p50_ms", " ms", 2),
        timing("one ticket at a time, p99 wall", "p99_ms", " ms", 2, "< 5 ms"),
        timing("one ticket at a time, p99 CPU", "cpu_p99_ms", " ms", 2),
        timing(f"batches of {BATCH_SIZE}, tickets/s wall", "batch_per_s", "", 0, "≥ 2,000"),
        timing(f"batches of {BATCH_SIZE}, tickets/s of CPU", "cpu_batch_per_s", "", 0),
        "",
        f"Timings: best of {PASSES} passes over the test split (worst in brackets); the spread is "
        "other work's preemption, which the CPU-time rows leave out.",
        "",
        f"Confidence of the dispatch classifier: mean {ours['mean_confidence']:.3f} against accuracy "
        f"{ours['accuracy']:.3f}, expected calibration error {ours['expected_calibration_error']:.3f} "
        "(10 bins). For triage thresholds:",
        "",
        "| confidence ≥ | share of tickets | their accuracy |",
        "|---|---|---|",
        *[f"| {threshold} | {share:.1%} | {accuracy:.1%} |"
          for threshold, share, accuracy in result["thresholds"]],
        "",
        "Per label (dispatch classifier):",
        "",
        "| label | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
        *[f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
          for label, v in ours["per_label"].items()],
        "",
        *CHOICES,
        "",
        "Reproduce: `.venv/bin/python scripts/bench_dispatch.py [--data DIR] --write-docs`.",
        MARKERS[1],
    ]
    return "\n".join(lines)


#: How the model was chosen; figures from development runs, not rerun by this script.
CHOICES = [
    "How the model was chosen: macro-F1 of 5-fold cross-validation inside `train` (mostly the mean "
    "of 3 shuffles; measured while developing, not rerun by this script). Character 1-2-grams + "
    "linear SVM: 0.882 to 0.886 by C; adding jieba precise-mode words: 0.888; adding instead every "
    "jieba dictionary word found in the text (overlapping, like jieba's full mode): 0.891 to 0.895, "
    "the model kept, with class weights 'balanced' (0.889 without) and C = 0.5 (0.25 to 2 within "
    "0.005). The final code scores 0.895 ± 0.001 there, the baseline above 0.880 ± 0.002, so expect "
    "about 0.895 on new messages from the same board. Did not help: character 1-3 or 1-4-grams (0.883, 0.866), precise-mode word bigrams, "
    "logistic regression (0.874), ComplementNB (0.852), SGD (0.866), ridge (0.886), averaging "
    "these models' probabilities (at best 0.892), vocabulary and idf fitted on `train` plus the "
    "4,254 unlabelled messages (0.893), self-training on the unlabelled messages (0.877 to 0.888 "
    "by confidence threshold), an extra block for the first 20 or 40 characters (the title; "
    "0.880 to 0.884), truncating long messages (-0.003 at 500 characters), min_df 1 or 3. No clear "
    "difference: removing place codes, mapping digits to 0, stripping greetings (kept, for "
    "readable top terms).",
]


def write_docs(section: str) -> None:
    """Replace our marked section of docs/benchmarks.md (or add it), keeping the others."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if MARKERS[0] in text and MARKERS[1] in text:
        before, rest = text.split(MARKERS[0], 1)
        text = before + section + rest.split(MARKERS[1], 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with messages.csv (default: ../shared/data/citizen_messages)")
    parser.add_argument("--write-docs", action="store_true", help="update our section of docs/benchmarks.md")
    args = parser.parse_args()
    if not (args.data / "messages.csv").is_file():
        parser.error(f"no messages.csv in {args.data}")
    section = report(measure(args.data), args.data)
    print(section)
    if args.write_docs:
        write_docs(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
