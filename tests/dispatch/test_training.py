"""Reading labelled CSV files, training and the evaluation figures."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from dispatch.training import (
    LabelledCsvError,
    evaluate,
    read_labelled_csv,
    read_unlabelled_csv,
    split_messages,
    train,
)
from tests.support.shared_data import SHARED_DATA

SHARED_MESSAGES = SHARED_DATA / "citizen_messages"
#: Short synthetic complaints; the wording gives the label.
MESSAGES = {
    "教育文体": ["学校强制补课", "幼儿园乱收费", "老师体罚学生", "学位不够上不了学"],
    "劳动和社会保障": ["公司拖欠工资", "单位不交养老保险", "退休金迟迟不发", "老板不签劳动合同"],
    "环境保护": ["工厂夜间排放废气", "工地噪音扰民", "河道污水直排", "垃圾焚烧有异味"],
}


def labelled(places=("芙蓉区", "雨花区", "K8县")) -> tuple[list[str], list[str]]:
    rows = [(f"{place}{complaint}，请处理", label)
            for label, complaints in MESSAGES.items() for complaint in complaints for place in places]
    return [text for text, _ in rows], [label for _, label in rows]


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def test_reads_label_and_text_with_extra_columns(tmp_path):
    path = write(tmp_path / "m.csv", 'label,text,split\n环境保护,工厂排放废气,train\n'
                                     '教育文体,"学校补课,\n收费",test\n')

    texts, labels = read_labelled_csv(path)
    assert labels == ["环境保护", "教育文体"]
    assert texts == ["工厂排放废气", "学校补课,\n收费"]


def test_split_messages_groups_rows_by_split(tmp_path):
    path = write(tmp_path / "m.csv", "label,text,split\n甲,一,train\n乙,二,test\n甲,三,train\n")

    groups = split_messages(path)
    assert groups["train"].texts == ["一", "三"] and groups["train"].labels == ["甲", "甲"]
    assert groups["test"].labels == ["乙"]


@pytest.mark.parametrize("content, message", [
    ("text,split\n一,train\n", "line 1: missing column(s) label"),
    ("label,text\n甲,一\n乙,\n", "line 3: empty text"),
    ('label,text\n甲,"多\n行"\n ,二\n', "line 4: empty label"),
    ("label,text\n", "no rows"),
])
def test_csv_errors_name_the_line(tmp_path, content, message):
    with pytest.raises(LabelledCsvError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_labelled_csv(write(tmp_path / "bad.csv", content))


def test_split_column_is_required_for_split_messages(tmp_path):
    with pytest.raises(LabelledCsvError, match="split"):
        split_messages(write(tmp_path / "m.csv", "label,text\n甲,一\n"))


def test_reads_unlabelled_texts(tmp_path):
    assert read_unlabelled_csv(write(tmp_path / "u.csv", "text\n一\n\n二\n")) == ["一", "二"]


def test_train_and_evaluate_report_json_figures():
    texts, labels = labelled()
    when = datetime(2026, 11, 22, tzinfo=timezone.utc)
    classifier = train(texts, labels, trained_at=when, user_words=["芙蓉区"])
    held_out_texts, held_out_labels = labelled(places=("岳麓区", "A3区"))

    figures = evaluate(classifier, held_out_texts, held_out_labels)

    assert classifier.trained_at == when
    assert figures["n"] == 24
    assert figures["accuracy"] >= 0.9 and figures["macro_f1"] >= 0.9
    assert figures["top3_recall"] == 1.0
    assert 0 <= figures["expected_calibration_error"] <= 1
    assert set(figures["per_label"]) == set(MESSAGES)
    assert set(figures["per_label"]["环境保护"]) == {"precision", "recall", "f1", "support"}
    assert figures["per_label"]["环境保护"]["support"] == 8


def test_evaluate_refuses_mismatched_input():
    classifier = train(*labelled(), trained_at=None)
    with pytest.raises(ValueError):
        evaluate(classifier, ["一"], [])


@pytest.mark.skipif(not (SHARED_MESSAGES / "messages.csv").is_file(),
                    reason="the shared citizen messages data is not on this machine")
def test_reads_the_shared_messages_file():
    groups = split_messages(SHARED_MESSAGES / "messages.csv")

    assert len(groups["train"].texts) > 2000 and len(groups["test"].texts) > 500
    assert len(set(groups["train"].labels)) == 7
