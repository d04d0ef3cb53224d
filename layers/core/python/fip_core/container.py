"""What one Lambda container makes once and keeps: settings read from the environment, boto3
clients, adapters and the engines built from them. All of it is forgotten at once when the
environment changes under a running process (the local platform, the tests), so nothing made
for the old environment survives a change of the new one."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_forgetters: list[Callable[[], None]] = []


def per_container[T](factory: Callable[..., T]) -> functools._lru_cache_wrapper[T]:
    """Make once per container (per distinct arguments) and keep, until `forget_container` is called."""
    cached = functools.cache(factory)
    _forgetters.append(cached.cache_clear)
    return cached


def on_forget(forget: Callable[[], Any]) -> None:
    """Also call this when the container's state is forgotten (to close what cannot simply be dropped)."""
    _forgetters.append(forget)


def forget_container() -> None:
    """Forget everything made per container; the next use makes it afresh from the environment."""
    for forget in _forgetters:
        forget()


@contextmanager
def long_lived_heap_set_aside() -> Iterator[None]:
    """Keep the collector off what the container already holds while a burst of short-lived
    objects comes and goes (a health sweep's thousand requests): a full collection otherwise
    walks every module, schema and client loaded, 0.2 s a time with this platform's imports.
    The objects come back under the collector afterwards, so nothing set aside can leak."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
