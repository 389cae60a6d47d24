"""What routing needs in every process: the model in use, the rules, districts and service words.

One :class:`Router` lives on ``services.dispatch``. It keeps the current
model in memory and asks the model store on each use which model is current
(a one-line file and a small manifest), so a model promoted by ``hotline
model retrain`` in another process is picked up by every web process and
worker without a restart. A model is only ever loaded through the store,
which checks the pickle against its recorded sha256 first.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from config.catalogue import Catalogue
from config.districts import DistrictRecogniser
from config.settings import Settings
from dispatch.rules import RuleBook, load_rules
from dispatch.services_guess import ServiceMatcher

if TYPE_CHECKING:  # the classifier pulls in scikit-learn: imported when a model is first needed
    from dispatch.classifier import TextClassifier
    from dispatch.store import ModelInfo, ModelStore

log = logging.getLogger(__name__)

HOTLINE_ITSELF = "hotline_center"  # departments.yaml: the hotline answers, it is never dispatched to


@dataclass(frozen=True)
class LoadedModel:
    info: ModelInfo
    classifier: TextClassifier


class Router:
    """Routing's long-lived parts for one deployment.

    Args:
        min_confidence: below it a model's proposal is left to a dispatcher.
        rules_file: the rules file; None for ``config/data/dispatch_rules.yaml``.

    Raises:
        RulesError: the rules file is wrong (at start-up, with every problem listed).
    """

    def __init__(self, catalogue: Catalogue, store_dir: Path, *, min_confidence: float,
                 rules_file: Path | None = None, auto_dispatch: bool = True):
        self.catalogue = catalogue
        self.store_dir = Path(store_dir)
        self._store: ModelStore | None = None
        self.min_confidence = min_confidence
        self.auto_dispatch = auto_dispatch
        self.rules: RuleBook = load_rules(catalogue, rules_file)
        self.districts = DistrictRecogniser(catalogue)
        self.services = ServiceMatcher(catalogue, frozenset({HOTLINE_ITSELF}))
        self._loaded: LoadedModel | None = None
        self._refused: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, catalogue: Catalogue) -> "Router":
        return cls(catalogue, settings.model_store_dir,
                   min_confidence=settings.dispatch_min_confidence,
                   rules_file=Path(settings.dispatch_rules_file) if settings.dispatch_rules_file else None,
                   auto_dispatch=settings.dispatch_auto)

    @property
    def store(self) -> ModelStore:
        if self._store is None:
            from dispatch.store import ModelStore
            self._store = ModelStore(self.store_dir)
        return self._store

    def model(self) -> LoadedModel | None:
        """The current model, loaded (and hash-checked) once per promotion; None when there is none.

        A current model that fails its check is refused and logged once; the
        model loaded before it (checked when it was loaded) keeps routing.
        """
        from dispatch.store import ModelStoreError

        try:
            info = self.store.current()
        except (ModelStoreError, OSError, ValueError, TypeError) as exc:  # includes a hand-edited manifest
            log.error("dispatch model store unreadable: %s", exc)
            return self._loaded
        if info is None:
            return None
        loaded = self._loaded
        if loaded is not None and (loaded.info.name, loaded.info.sha256) == (info.name, info.sha256):
            return loaded
        with self._lock:
            loaded = self._loaded
            if loaded is not None and (loaded.info.name, loaded.info.sha256) == (info.name, info.sha256):
                return loaded
            if (info.name, info.sha256) in self._refused:
                return loaded
            try:
                classifier = self.store.load(info.name)
            except Exception as exc:  # refused by its hash, or unpicklable by this code: never stop routing
                log.error("dispatch model %s refused: %s", info.name, exc)
                self._refused.add((info.name, info.sha256))
                return loaded
            self._loaded = LoadedModel(info, classifier)
            log.info("dispatch model %s (version %s) loaded", info.name, info.version)
            return self._loaded


def router_of(services) -> Router:
    """The services' router, built on first use for services wired without one (scripts, some tests)."""
    router = getattr(services, "dispatch", None)
    if router is None:
        router = Router.from_settings(services.settings, services.catalogue)
        services.dispatch = router
    return router
