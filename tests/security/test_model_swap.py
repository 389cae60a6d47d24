"""A routing model swapped on disk: the hotline never unpickles it and keeps routing without it.

Unpickling runs whatever code the file names, so a pickle planted in the model
directory is an attack on every process that loads it. The store checks each
pickle against the sha256 in its manifest before unpickling (dispatch.store).
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from config.settings import Settings
from dispatch.classifier import TextClassifier
from dispatch.router import router_of
from dispatch.store import ModelIntegrityError, ModelStore
from hotline.services import build_services
from hotline.web.app import create_app

TEXTS = ["小区停水三天了", "自来水管爆了漫水", "水压太低洗不了澡", "燃气味道很大", "天然气表不走字", "燃气灶打不着火"]
LABELS = ["water", "water", "water", "gas", "gas", "gas"]


class Planted:
    """A pickle that runs a command when loaded: what an attacker would plant."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def store(tmp_path) -> ModelStore:
    models = ModelStore(tmp_path / "models")
    models.save(TextClassifier().fit(TEXTS, LABELS), "m1")
    models.promote("m1")
    return models


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_planted_pickle_is_refused_and_never_run(aiohttp_client, database_url, tmp_path, clock, store):
    marker = tmp_path / "the-planted-code-ran"
    store.path_for("m1").write_bytes(pickle.dumps(Planted(marker)))
    with pytest.raises(ModelIntegrityError):
        store.load("m1")
    settings = Settings.from_env({}, database_url=database_url, var_dir=str(tmp_path / "var"),
                                 model_dir=str(store.directory),
                                 secret_key="test-secret-" + "x" * 32)
    services = build_services(settings, clock=clock)
    try:
        assert router_of(services).model() is None  # refused: nothing to route with, and nothing ran
        from hotline.auth import create_api_key
        key = create_api_key(services.db, name="agent", now=clock())
        client = await aiohttp_client(create_app(settings, services, start_background=False))
        response = await client.post("/api/v1/dispatch/propose", json={"text": "小区停水三天了"},
                                     headers={"Authorization": f"Bearer {key}"})
        assert response.status == 200  # the console still gets an answer (catalogue keywords)
        assert (await response.json())["model_version"] is None
    finally:
        services.close()
    assert not marker.exists()


def test_a_valid_but_different_model_swapped_in_is_refused(store):
    poisoned = TextClassifier().fit(TEXTS, ["gas", "gas", "gas", "water", "water", "water"])
    store.path_for("m1").write_bytes(pickle.dumps(poisoned))
    with pytest.raises(ModelIntegrityError):
        store.load("m1")
