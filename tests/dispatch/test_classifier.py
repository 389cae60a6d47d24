"""The department classifier on small synthetic messages built here.

The citizen messages data may not be copied into the repository, so these
tests make their own: short Chinese complaints whose wording gives the label.
"""

import itertools
import pickle
import random

import pytest

from dispatch.classifier import NotTrainedError, Prediction, TextClassifier
from dispatch.text import Segmenter, normalise

PLACES = ["芙蓉区", "雨花区", "A3区", "K8县", "岳麓区"]
TOPICS = {
    "城乡建设": ["小区物业不维修电梯", "开发商延期交房", "违章建筑占用绿地", "楼盘房产证办不下来",
             "老旧小区改造停工", "物业乱收停车费"],
    "劳动和社会保障": ["公司拖欠工资三个月", "单位不交养老保险", "退休金迟迟不发放", "老板不签劳动合同",
                "工伤认定拖着不办", "社保转移办不了"],
    "教育文体": ["学校强制学生补课", "幼儿园乱收费", "小学招生划片不公平", "老师体罚学生",
             "学位不够孩子上不了学", "体育馆长期不开放"],
    "环境保护": ["工厂夜间排放废气", "工地噪音扰民到深夜", "河道污水直排", "垃圾焚烧发出异味",
             "搅拌站粉尘污染严重", "养猪场污染水源"],
}
ENDINGS = ["，请领导尽快处理。", "，希望相关部门管一管！", "，已经反映多次没有结果。", "。"]


def synthetic_messages(per_label: int = 30, seed: int = 0) -> tuple[list[str], list[str]]:
    """Return (texts, labels): ``per_label`` messages for each topic above."""
    chooser = random.Random(seed)
    texts, labels = [], []
    for label, topics in TOPICS.items():
        combinations = list(itertools.product(PLACES, topics, ENDINGS))
        for place, topic, ending in chooser.sample(combinations, per_label):
            texts.append(f"尊敬的领导：{place}{topic}{ending}")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def classifier() -> TextClassifier:
    texts, labels = synthetic_messages()
    return TextClassifier(user_words=["芙蓉区", "雨花区"]).fit(texts, labels)


def test_prediction_has_label_confidence_alternatives_and_terms(classifier):
    prediction = classifier.predict("芙蓉区某小区物业不维修电梯，请处理")

    assert isinstance(prediction, Prediction)
    assert prediction.label == "城乡建设"
    assert 0.5 < prediction.confidence <= 1.0
    assert prediction.alternatives[0] == (prediction.label, prediction.confidence)
    assert len(prediction.alternatives) == 3
    assert prediction.top_terms


def test_alternatives_are_distinct_sorted_and_probabilities(classifier):
    for prediction in classifier.predict_many(["工厂排放废气", "孩子上不了学", "拖欠工资"]):
        confidences = [confidence for _, confidence in prediction.alternatives]
        assert confidences == sorted(confidences, reverse=True)
        assert len({label for label, _ in prediction.alternatives}) == 3
        assert all(0.0 <= confidence <= 1.0 for confidence in confidences)


def test_top_terms_are_words_of_the_text(classifier):
    text = "雨花区工地噪音扰民到深夜，希望管一管"
    prediction = classifier.predict(text)

    assert prediction.label == "环境保护"
    assert 1 <= len(prediction.top_terms) <= 5
    assert all(term in normalise(text) for term in prediction.top_terms)
    assert any(term in {"噪音", "扰民", "工地"} for term in prediction.top_terms)


def test_predict_many_matches_predict_one_by_one(classifier):
    texts = ["单位不交养老保险", "", "幼儿园乱收费问题", "ＡＢＣ全角 字符", "工地\x00噪音\x00扰民"]

    assert classifier.predict_many(texts) == [classifier.predict(text) for text in texts]
    assert classifier.predict_many([]) == []


def test_learns_the_synthetic_labels(classifier):
    texts, labels = synthetic_messages(per_label=10, seed=1)
    predicted = [prediction.label for prediction in classifier.predict_many(texts)]

    assert sum(p == t for p, t in zip(predicted, labels)) / len(labels) >= 0.9


def test_version_is_a_content_hash_and_metadata_is_kept():
    texts, labels = synthetic_messages(per_label=8)
    first = TextClassifier().fit(texts, labels, trained_at=None)
    again = TextClassifier().fit(texts, labels)
    other = TextClassifier().fit(texts[1:], labels[1:])

    assert first.version == again.version != other.version
    assert first.labels == tuple(sorted(TOPICS))
    assert first.training_rows == len(texts)


def test_pickles_and_predicts_the_same(classifier):
    restored = pickle.loads(pickle.dumps(classifier))

    assert restored.predict("河道污水直排") == classifier.predict("河道污水直排")


def test_two_labels_are_enough():
    texts, labels = synthetic_messages(per_label=10)
    pairs = [(t, l) for t, l in zip(texts, labels) if l in {"环境保护", "教育文体"}]
    model = TextClassifier().fit([t for t, _ in pairs], [l for _, l in pairs])

    prediction = model.predict("工厂排放废气")
    assert prediction.label == "环境保护"
    assert len(prediction.alternatives) == 2


def test_refuses_bad_training_data_and_use_before_training():
    with pytest.raises(ValueError):
        TextClassifier().fit(["一条"], ["甲", "乙"])
    with pytest.raises(ValueError):
        TextClassifier().fit(["一条", "两条"], ["甲", "甲"])
    with pytest.raises(NotTrainedError):
        TextClassifier().predict("物业")


def test_normalise_folds_width_case_greetings_and_control_characters():
    assert normalise("尊敬的领导：您好！ＡＢＣ１２３，Ａ３区　有噪音。谢谢！") == "abc123,a3区 有噪音。"
    assert normalise("①号楼\x00\t漏水\n ㎡") == "1号楼 漏水 m2"


def test_segmenter_keeps_user_words_whole():
    segmenter = Segmenter(["住建局"])

    assert "住建局" in segmenter.words("我向住建局反映小区物业问题")
    assert {"住建局", "小区", "物业"} <= set(segmenter.dictionary_words("住建局小区物业"))
    assert pickle.loads(pickle.dumps(segmenter)).user_words == ("住建局",)
