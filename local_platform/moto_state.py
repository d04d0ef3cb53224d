"""moto's in-memory AWS state kept in a file, so the local platform's accounts, keys, bus and queues
outlive a restart (and a crash).

moto keeps every resource as Python objects in its backends. After each request that may have
changed them, and before the caller sees the answer, the backends in use are pickled to the state
file (written whole, then renamed over the old one): whatever moto answered is on disk, and a crash
loses only a request that was never answered. At start the file is loaded back into the backends.

Why not moto's request recorder: replaying requests recreates resources but not their secrets. A
KMS key's material comes from `os.urandom` (moto/kms/utils.py), so a ciphertext stored before the
replay no longer decrypts; seeding moto's random ids does not help either, because the pollers'
requests interleave with sign-ups in a different order on every run. The recording also grows
with every poll and sign-in, and replaying `PutEvents` would deliver old events again.

The file is tied to the moto version that wrote it: moto's classes change between releases, so a
file from another version is refused with a message rather than loaded into objects that would
fail later. It holds Cognito passwords and key material as moto does, so it is private to its owner.

A save pickles every backend: about 4 ms for 400 accounts (130 KB). A domain that keeps large S3
objects in moto will want S3 saved per object rather than with every change.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import moto
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from moto.backends import get_backend
from moto.core.base_backend import BackendDict

log = logging.getLogger(__name__)

FORMAT = 1
PICKLE_ATTEMPTS = 5  # a request changing a backend while it is pickled makes pickle raise; try again
READ_ONLY_ACTION_PREFIXES = ("Get", "List", "Describe")
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PRIVATE_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    dsa.DSAPrivateKey,
)
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class MotoStateError(RuntimeError):
    """The state file cannot be loaded; the message says what to do."""


class MotoState:
    """moto's backends saved to, and loaded from, one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._changes = 0  # requests that may have changed the backends, counted when answered
        self._saved_changes = 0
        self._last_written: bytes | None = None

    def restore(self) -> bool:
        """Load the file into moto's backends, if there is one; answer whether there was."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return False
        try:
            snapshot = pickle.loads(data)  # noqa: S301 - the platform's own file in its own state folder
        except Exception as error:
            raise MotoStateError(self._unusable(f"it cannot be read ({error!r})")) from error
        if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
            raise MotoStateError(self._unusable("it is not a state file of this platform"))
        if snapshot.get("moto") != moto.__version__:
            raise MotoStateError(
                self._unusable(f"moto {snapshot.get('moto')} wrote it and this is moto {moto.__version__}")
            )
        for service, accounts in snapshot["backends"].items():
            backends = get_backend(service)
            for account_id, regions in accounts.items():
                for region, backend in regions.items():
                    backends[account_id][region] = backend
        self._last_written = data
        return True

    def save(self) -> None:
        """Write the backends in use to the file, unless they are what was written last."""
        with self._lock:
            self._changes += 1
            self._write_snapshot(self._changes)

    def after_change(self) -> None:
        """Save after a request that may have changed the backends. Requests answered while a save
        was running are covered by one save that starts after them, not by one save each."""
        with self._lock:
            self._changes += 1
            wanted = self._changes
        with self._lock:
            if self._saved_changes < wanted:
                self._write_snapshot(self._changes)

    def wsgi(self, app: WsgiApp) -> WsgiApp:
        """moto's WSGI application, saving the state after each request that may change it."""

        def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            answer = app(environ, start_response)
            if not _may_change_state(environ):
                return answer
            # moto has built the whole answer: save before it goes out, so an answer means saved
            try:
                body = list(answer)
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
            try:
                self.after_change()
            except Exception:
                log.exception("! could not save the AWS state to %s", self.path)
            return body

        return application

    def _write_snapshot(self, changes: int) -> None:
        data = _pickle_backends()
        if data != self._last_written:
            temporary = self.path.with_name(f"{self.path.name}.tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, self.path)
            self._last_written = data
        self._saved_changes = changes

    def _unusable(self, why: str) -> str:
        return (
            f"the local AWS state in {self.path} cannot be used: {why}. Accounts, API tokens and stored "
            f"tokens live in it; to start afresh without them, run `make clean` or delete that file "
            f"and the users database beside it."
        )


def _may_change_state(environ: dict[str, Any]) -> bool:
    """Whether a request may change moto's state. Reads are GETs (REST services) or JSON-protocol
    actions named Get*/List*/Describe*; everything else (form-encoded actions included) counts as a
    change, since an extra save costs a millisecond and a missing one loses data."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return not target.rpartition(".")[2].startswith(READ_ONLY_ACTION_PREFIXES)
    return str(environ.get("REQUEST_METHOD", "")).upper() not in READ_ONLY_METHODS


def _pickle_backends() -> bytes:
    for attempt in range(1, PICKLE_ATTEMPTS + 1):
        buffer = io.BytesIO()
        # moto's own list of the backends in use (what its reset goes through)
        in_use = list(BackendDict._instances)  # type: ignore[misc]  # noqa: SLF001
        snapshot = {
            "format": FORMAT,
            "moto": moto.__version__,
            "backends": {backends.service_name: {a: dict(r) for a, r in backends.items()} for backends in in_use},
        }
        try:
            _BackendPickler(buffer).dump(snapshot)
        except RuntimeError:  # "dictionary changed size during iteration": a request ran meanwhile
            if attempt == PICKLE_ATTEMPTS:
                raise
            continue
        return buffer.getvalue()
    raise AssertionError("unreachable")


class _BackendPickler(pickle.Pickler):
    """Pickles moto's objects, with what pickle cannot take by itself replaced by a recipe."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, BackendDict):  # a backend holding another service's backends: the live ones
            return get_backend, (obj.service_name,)
        if isinstance(obj, _PRIVATE_KEY_TYPES):  # KMS asymmetric keys, Cognito's signing key
            pem = obj.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return _load_private_key, (pem,)
        if isinstance(obj, threading.Condition):  # SQS queues wait on one; waiters do not outlive a restart
            return threading.Condition, ()
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if isinstance(obj, _LOCK_TYPES[1]) else threading.Lock), ()
        return NotImplemented


def _load_private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)
