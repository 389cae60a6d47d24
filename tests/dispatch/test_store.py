"""The model store: round trip, manifest, the active model, refusing tampering."""

import json
from datetime import datetime, timezone

import pytest

from dispatch.classifier import TextClassifier
from dispatch.store import (
    InvalidModelNameError,
    ModelIntegrityError,
    ModelNotFoundError,
    ModelStore,
    ModelStoreError,
)

TRAINED_AT = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
#: Short synthetic complaints; the wording gives the label.
MESSAGES = {
    "城乡建设": ["小区物业不维修电梯", "开发商延期交房", "违章建筑占用绿地", "物业乱收停车费"],
    "劳动和社会保障": ["公司拖欠工资", "单位不交养老保险", "退休金迟迟不发", "老板不签劳动合同"],
    "环境保护": ["工厂夜间排放废气", "工地噪音扰民", "河道污水直排", "垃圾焚烧有异味"],
}


@pytest.fixture(scope="module")
def classifier() -> TextClassifier:
    texts, labels = [], []
    for label, complaints in MESSAGES.items():
        for place in ("芙蓉区", "雨花区", "K8县"):
            for complaint in complaints:
                texts.append(f"{place}{complaint}，请尽快处理")
                labels.append(label)
    return TextClassifier().fit(texts, labels, trained_at=TRAINED_AT)


@pytest.fixture
def store(tmp_path) -> ModelStore:
    return ModelStore(tmp_path / "models")


def test_save_writes_pickle_and_manifest_and_load_round_trips(store, classifier):
    info = store.save(classifier, "dispatch-v1", metrics={"macro_f1": 0.91})
    manifest = json.loads((store.directory / "dispatch-v1.json").read_text(encoding="utf-8"))

    assert store.path_for("dispatch-v1").is_file()
    assert manifest["version"] == classifier.version == info.version
    assert manifest["labels"] == sorted(MESSAGES)
    assert manifest["trained_at"] == "2026-11-22T09:30:00+00:00"
    assert manifest["training_rows"] == 36 and manifest["metrics"] == {"macro_f1": 0.91}
    assert len(manifest["sha256"]) == 64
    loaded = store.load("dispatch-v1")
    assert loaded.version == classifier.version
    assert loaded.predict("工厂排放废气") == classifier.predict("工厂排放废气")


def test_list_promote_and_current(store, classifier):
    assert store.list() == [] and store.current() is None
    store.save(classifier, "b-model")
    store.save(classifier, "a-model")

    assert [info.name for info in store.list()] == ["a-model", "b-model"]
    assert store.promote("b-model").name == "b-model"
    assert store.current().name == "b-model"
    store.promote("a-model")
    assert store.current().name == "a-model"


def test_refuses_a_tampered_pickle(store, classifier):
    store.save(classifier, "model")
    path = store.path_for("model")
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))

    with pytest.raises(ModelIntegrityError):
        store.load("model")
    with pytest.raises(ModelIntegrityError):
        store.promote("model")
    assert store.current() is None


@pytest.mark.parametrize("name", ["../outside", "a/b", "..", "x..y", "/etc/passwd", "", ".hidden",
                                  "a\\b", "名字"])
def test_refuses_names_that_could_leave_the_directory(store, name):
    with pytest.raises(InvalidModelNameError):
        store.load(name)
    with pytest.raises(InvalidModelNameError):
        store.path_for(name)


def test_missing_model_and_name_clash(store, classifier):
    with pytest.raises(ModelNotFoundError):
        store.load("nothing")
    store.save(classifier, "model")
    with pytest.raises(ModelStoreError):
        store.save(classifier, "model")
    assert store.save(classifier, "model", replace=True).name == "model"


def test_refuses_to_save_an_untrained_classifier(store):
    with pytest.raises(ModelStoreError):
        store.save(TextClassifier(), "empty")
