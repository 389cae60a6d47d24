"""Dispatch fixtures: one small routing model trained once per session, the catalogue's departments, staff.

The model learns from the project's own samples and the catalogue (the
shared citizen messages are not needed, so the tests run anywhere); each test
gets a copy of its store in its own model directory, so a test that tampers
with a file or promotes another model touches only its copy.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from config.catalogue import load_catalogue
from dispatch.learning import DataPlan, Places, examples_for, train_examples
from dispatch.store import ModelStore
from hotline.demo.messages import SAMPLES
from hotline.job_runs import run_job
from hotline.jobs import Job, JobStatus
from hotline.web.app import create_app
from tests.support.factories import UserFactory
from tracking.accounts import Department
from tracking.actions import Actor
from tracking.catalogue_sync import sync_departments
from tracking.states import Role

MODEL_NAME = "test-model"
TRAINED_AT = datetime(2026, 11, 20, tzinfo=timezone.utc)
# Samples and catalogue only: the same plan everywhere, whether or not the shared messages are present.
TEST_PLAN = DataPlan(sources=("samples", "catalogue"))


@pytest.fixture(scope="session")
def trained_store(tmp_path_factory) -> Path:
    """A model store holding one promoted model trained on the samples and the catalogue."""
    directory = tmp_path_factory.mktemp("models")
    catalogue = load_catalogue()
    store = ModelStore(directory)
    examples = examples_for(TEST_PLAN, catalogue, Places(samples=SAMPLES, board=directory / "absent"))
    train_examples(store, catalogue, examples, name=MODEL_NAME, now=TRAINED_AT, plan=TEST_PLAN)
    store.promote(MODEL_NAME)
    return directory


@pytest.fixture
def model_store(settings, trained_store) -> ModelStore:
    """This test's copy of the trained store, in the settings' model directory."""
    shutil.copytree(trained_store, settings.model_store_dir, dirs_exist_ok=True)
    return ModelStore(settings.model_store_dir)


@dataclass
class People:
    agent: Actor
    boss: Actor
    departments: dict[str, Department]

    def staff(self, services, code: str) -> Actor:
        return UserFactory.create(services, Role.DEPARTMENT, department=self.departments[code])


@pytest.fixture
def people(services) -> People:
    """The catalogue's departments loaded into the ledger, an agent and a supervisor."""
    sync_departments(services.db, services.catalogue)
    with services.db.reading() as session:
        departments = {d.code: d for d in session.scalars(select(Department))}
    return People(UserFactory.create(services, Role.AGENT), UserFactory.create(services, Role.SUPERVISOR), departments)


@pytest.fixture
async def client(aiohttp_client, settings, services):
    return await aiohttp_client(create_app(settings, services, start_background=False))


def run_pending_jobs(services, name: str | None = None) -> list[JobStatus | None]:
    """Run every pending job (of one task, if named) once, as a worker would."""
    with services.db.reading() as session:
        query = select(Job.id).where(Job.status == JobStatus.PENDING).order_by(Job.id)
        ids = list(session.scalars(query.where(Job.name == name) if name else query))
    return [run_job(services, job_id, services.clock()) for job_id in ids]
