"""The model store: trained classifiers on disk, and which one is in use.

Each model is two files in the store's directory: ``<name>.pickle``, the
classifier, and ``<name>.json``, its manifest (version, the pickle's sha256,
labels, metrics, when and on how many rows it was trained). A one-line file
``CURRENT`` names the model the hotline routes with; promoting another model
rewrites it, so rolling back is promoting the previous name again.

Unpickling runs code chosen by whoever wrote the file, so :meth:`ModelStore.load`
reads only files inside its own directory and checks the pickle against the
sha256 in the manifest before unpickling it. That catches a corrupted or
swapped pickle; it does not stop someone who can rewrite both files, so the
directory must be writable only by the hotline's own account.
"""

import hashlib
import hmac
import json
import os
import pickle
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dispatch.classifier import TextClassifier

#: Model names: a letter or digit, then letters, digits, '.', '_' or '-'.
#: No separators and no "..", so a name can never leave the directory.
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: The file naming the active model.
CURRENT_FILE = "CURRENT"
#: Bumped when the manifest's fields change meaning.
MANIFEST_FORMAT = 1


class ModelStoreError(Exception):
    """Base class of the model store's errors."""


class InvalidModelNameError(ModelStoreError, ValueError):
    """Raised for a name that could point outside the store's directory."""


class ModelNotFoundError(ModelStoreError, LookupError):
    """Raised when no model of that name was saved."""


class ModelIntegrityError(ModelStoreError):
    """Raised when a model's pickle does not match its manifest."""


@dataclass(frozen=True)
class ModelInfo:
    """What the manifest says about a saved model.

    Attributes:
        name: The name it was saved under.
        version: The classifier's content hash (same data, same version).
        sha256: Hex digest of the pickle file.
        labels: The labels it can propose.
        trained_at: ISO 8601 time the caller trained it, or None.
        training_rows: How many labelled messages it learnt from.
        metrics: Evaluation figures given when saving (see training.evaluate).
    """

    name: str
    version: str
    sha256: str
    labels: tuple[str, ...]
    trained_at: str | None
    training_rows: int
    metrics: dict = field(default_factory=dict)


class ModelStore:
    """Saves, lists, loads and promotes classifiers in one directory.

    Args:
        directory: Where the models live; created when first saved to.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path_for(self, name: str) -> Path:
        """Return the pickle's path for ``name``.

        Raises:
            InvalidModelNameError: If ``name`` is not a plain file name.
        """
        if not MODEL_NAME.fullmatch(name) or ".." in name:
            raise InvalidModelNameError(f"invalid model name {name!r}")
        return self.directory / f"{name}.pickle"

    def save(self, classifier: TextClassifier, name: str, *,
             metrics: dict | None = None, replace: bool = False) -> ModelInfo:
        """Write ``classifier`` and its manifest under ``name``.

        Args:
            classifier: A fitted classifier.
            name: The model's name, e.g. ``dispatch-2026-11-22``.
            metrics: Evaluation figures to keep with it (JSON-able).
            replace: Overwrite a model of the same name instead of failing.

        Returns:
            The manifest written.

        Raises:
            InvalidModelNameError: If ``name`` is not a plain file name.
            ModelStoreError: If the name is taken (and not ``replace``) or
                the classifier was never fitted.
        """
        pickle_path = self.path_for(name)
        if classifier.version is None:
            raise ModelStoreError("cannot save a classifier that was never fitted")
        if pickle_path.exists() and not replace:
            raise ModelStoreError(f"a model named {name!r} exists already")
        self.directory.mkdir(parents=True, exist_ok=True)
        content = pickle.dumps(classifier, protocol=pickle.HIGHEST_PROTOCOL)
        info = ModelInfo(
            name=name,
            version=classifier.version,
            sha256=hashlib.sha256(content).hexdigest(),
            labels=tuple(classifier.labels),
            trained_at=classifier.trained_at.isoformat() if classifier.trained_at else None,
            training_rows=classifier.training_rows,
            metrics=dict(metrics or {}),
        )
        manifest = {"format": MANIFEST_FORMAT, **asdict(info)}
        self._write_atomically(pickle_path, content)
        self._write_atomically(
            self._manifest_path(name),
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode())
        return info

    def info(self, name: str) -> ModelInfo:
        """Read the manifest of ``name``.

        Raises:
            InvalidModelNameError: If ``name`` is not a plain file name.
            ModelNotFoundError: If there is no such model.
        """
        path = self._manifest_path(name)
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelNotFoundError(f"no model named {name!r} in {self.directory}") from None
        manifest.pop("format", None)
        manifest["labels"] = tuple(manifest["labels"])
        return ModelInfo(**manifest)

    def load(self, name: str) -> TextClassifier:
        """Load the classifier saved as ``name``, after checking its sha256.

        Raises:
            InvalidModelNameError: If ``name`` is not a plain file name.
            ModelNotFoundError: If there is no such model.
            ModelIntegrityError: If the pickle differs from the manifest's
                sha256 or is not a classifier.
        """
        info = self.info(name)
        try:
            content = self.path_for(name).read_bytes()
        except FileNotFoundError:
            raise ModelNotFoundError(f"model {name!r} has a manifest but no pickle") from None
        actual = hashlib.sha256(content).hexdigest()
        if not hmac.compare_digest(actual, info.sha256):
            raise ModelIntegrityError(
                f"model {name!r}: pickle sha256 {actual} differs from manifest {info.sha256}")
        classifier = pickle.loads(content)
        if not isinstance(classifier, TextClassifier):
            raise ModelIntegrityError(f"model {name!r} is a {type(classifier).__name__}")
        return classifier

    def list(self) -> list[ModelInfo]:
        """Return the manifests of all saved models, by name."""
        if not self.directory.is_dir():
            return []
        names = sorted(path.stem for path in self.directory.glob("*.json"))
        return [self.info(name) for name in names if MODEL_NAME.fullmatch(name)]

    def promote(self, name: str) -> ModelInfo:
        """Make ``name`` the model the hotline routes with.

        Raises:
            InvalidModelNameError: If ``name`` is not a plain file name.
            ModelNotFoundError: If there is no such model.
            ModelIntegrityError: If its pickle does not match its manifest.
        """
        self.load(name)  # never point CURRENT at a model that cannot load
        self._write_atomically(self.directory / CURRENT_FILE, f"{name}\n".encode())
        return self.info(name)

    def current(self) -> ModelInfo | None:
        """Return the active model's manifest, or None if none was promoted."""
        try:
            name = (self.directory / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return self.info(name)

    def _manifest_path(self, name: str) -> Path:
        return self.path_for(name).with_suffix(".json")

    def _write_atomically(self, path: Path, content: bytes) -> None:
        """Write via a temporary file and rename, so readers never see half a file."""
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
