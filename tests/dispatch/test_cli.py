"""``hotline model`` and ``hotline dispatch`` as an operator runs them: train, evaluate, promote, refuse tampering."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from config.catalogue import load_catalogue
from dispatch import corpus
from dispatch.store import ModelStore
from hotline.cli import main
from hotline.demo.messages import SAMPLES

CATALOGUE = load_catalogue()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Settings through the environment, as the command line reads them: a model store and no shared data."""
    monkeypatch.setenv("HOTLINE_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("HOTLINE_CITIZEN_MESSAGES_DIR", str(tmp_path / "no-shared-data"))
    monkeypatch.setenv("HOTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    return ModelStore(tmp_path / "models")


@pytest.fixture
def history(tmp_path) -> Path:
    """A city's labelled history: the samples and catalogue texts as label,text,split rows (labels are departments)."""
    examples = corpus.sample_examples(SAMPLES, CATALOGUE, exclude=["hotline_center"])
    examples += corpus.catalogue_examples(CATALOGUE, exclude=["hotline_center"])
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "text", "split"])
        writer.writerows([e.label, e.text, "test" if e.held_out else "train"] for e in examples)
    return path


def test_train_evaluate_list_promote(env, history, capsys):
    assert main(["model", "train", "--data", str(history), "--out", "city-2026"]) == 0
    out = capsys.readouterr().out
    assert "model city-2026" in out and "held-out rows: n=" in out
    assert env.current() is None  # trained, not yet in use

    assert main(["model", "evaluate", "--model", "city-2026", "--data", str(history), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    for field in ("n", "accuracy", "macro_f1", "top3_recall", "per_label"):
        assert field in figures
    assert figures["model"] == "city-2026" and figures["compared_by"] == "label"
    assert figures["n"] == sum(1 for row in csv.DictReader(history.open(encoding="utf-8")) if row["split"] == "test")
    water = figures["per_label"]["water"]
    assert {"precision", "recall", "f1", "support"} <= set(water) and water["support"] > 0
    assert 0.3 < figures["accuracy"] <= 1 and figures["top3_recall"] >= figures["accuracy"]

    assert main(["model", "promote", "city-2026"]) == 0
    assert env.current().name == "city-2026"
    assert main(["model", "list"]) == 0
    assert "* city-2026" in capsys.readouterr().out


def test_a_model_file_changed_after_training_is_refused(env, history, capsys):
    assert main(["model", "train", "--data", str(history), "--out", "m1"]) == 0
    pickle_path = env.path_for("m1")
    pickle_path.write_bytes(pickle_path.read_bytes() + b"tampered")
    capsys.readouterr()
    assert main(["model", "evaluate", "--model", "m1", "--data", str(history)]) == 2
    assert "sha256" in capsys.readouterr().err
    assert main(["model", "promote", "m1"]) == 2
    assert main(["model", "evaluate", "--model", "../m1", "--data", str(history)]) == 2  # names only, no paths


def test_evaluate_by_department_when_the_labels_are_categories(env, history, tmp_path, capsys):
    assert main(["model", "train", "--data", str(history), "--out", "m1", "--promote"]) == 0
    categories = tmp_path / "categories.csv"
    categories.write_text("label,text\n环境保护,工地晚上施工噪音扰民，睡不着觉\n交通运输,出租车拒载还绕路\n",
                          encoding="utf-8")
    capsys.readouterr()
    assert main(["model", "evaluate", "--data", str(categories), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["compared_by"] == "department" and figures["n"] == 2
    assert set(figures["per_label"]) <= {"environment", "transport"} | set(CATALOGUE._departments_by_code)


def test_unknown_labels_and_missing_columns_are_reported_by_line(env, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("label,text\nwater,停水了\n不存在的类别,啥\n", encoding="utf-8")
    assert main(["model", "train", "--data", str(bad), "--out", "x"]) == 2
    assert "不存在的类别（第3行）" in capsys.readouterr().err
    bad.write_text("category,text\nwater,停水了\n", encoding="utf-8")
    assert main(["model", "train", "--data", str(bad), "--out", "x"]) == 2
    assert "需要列 label,text" in capsys.readouterr().err


def test_default_model_trains_from_samples_and_catalogue_and_is_put_in_use_once(env, capsys):
    assert main(["model", "default", "--name", "day-one"]) == 0
    captured = capsys.readouterr()
    assert "no shared citizen messages" in captured.err and "day-one is now in use" in captured.out
    info = env.current()
    assert info.name == "day-one" and "water" in info.labels and "hotline_center" not in info.labels
    assert info.metrics["training"]["sources"] == ["samples", "catalogue", "board"]
    assert main(["model", "default", "--if-missing"]) == 0
    assert "nothing to do" in capsys.readouterr().out and env.current().name == "day-one"


def test_dispatch_rules_check(env, tmp_path, capsys):
    assert main(["dispatch", "rules"]) == 0
    assert "1. 燃气泄漏: → gas" in capsys.readouterr().out
    wrong = tmp_path / "rules.yaml"
    wrong.write_text("rules:\n  - {name: x, keywords: [漏水], department: nobody}\n", encoding="utf-8")
    assert main(["dispatch", "rules", "--path", str(wrong)]) == 1
    assert "承办单位 nobody 不在" in capsys.readouterr().out


def test_retrain_from_the_command_line_compares_on_the_same_held_out_rows(env, history, tmp_path, capsys):
    from hotline.migrate import upgrade

    upgrade(f"sqlite:///{tmp_path / 'unused.sqlite3'}")  # a ledger with no corrections yet
    no_split = tmp_path / "no-split.csv"
    rows = list(csv.DictReader(history.open(encoding="utf-8")))
    no_split.write_text("label,text\n" + "".join(f"{r['label']},\"{r['text']}\"\n" for r in rows), encoding="utf-8")
    assert main(["model", "train", "--data", str(no_split), "--out", "city", "--promote"]) == 0
    held_out = env.info("city").metrics["held_out"]["n"]
    assert 0.1 * len(rows) < held_out < 0.3 * len(rows)  # one text in five, by hash
    capsys.readouterr()
    assert main(["model", "retrain", "--name", "city-2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["corrections"] == 0 and result["old"]["n"] == result["new"]["n"] == held_out
    assert result["promoted"] and env.current().name == "city-2"  # the same data: not worse
    assert main(["model", "retrain", "--since", "yesterday"]) == 2
