"""The declared Lambda functions run in this process: each handler imported once, like a warm
container, and invoked by one caller at a time, like a single container serves one event at a time."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fip_core.declaration import DomainDeclaration
from local_platform.events import lambda_context

Handler = Callable[[Any, Any], Any]


def import_handler(dotted_path: str) -> Handler:
    """The handler a dotted path such as `registry.handlers.api.handler` names."""
    module_name, _, attribute = dotted_path.rpartition(".")
    if not module_name:
        raise ValueError(f"handler {dotted_path!r} is not a dotted path 'package.module.function'")
    handler = getattr(importlib.import_module(module_name), attribute)
    if not callable(handler):
        raise TypeError(f"{dotted_path} is not callable")
    return handler  # type: ignore[no-any-return]


@dataclass
class LocalFunction:
    """One function's warm container: its handler, loaded on first use, and the lock that keeps it
    to one invocation at a time (Powertools keeps per-invocation state in module globals)."""

    domain: str
    name: str
    handler_path: str
    loader: Callable[[str], Handler] = import_handler
    _handler: Handler | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def function_name(self) -> str:
        """The function's name as Lambda would show it: `<domain>-<function>`."""
        return f"{self.domain}-{self.name}"

    def invoke(self, event: Any) -> Any:
        """Call the handler with the event and a fresh context; exceptions propagate as they would
        surface as a function error."""
        with self._lock:
            if self._handler is None:
                self._handler = self.loader(self.handler_path)
            return self._handler(event, lambda_context(function_name=self.function_name))


class FunctionRuntime:
    """Every declared function of every domain, by domain and function name."""

    def __init__(
        self, domains: tuple[DomainDeclaration, ...], loader: Callable[[str], Handler] = import_handler
    ) -> None:
        self._functions = {
            (domain.name, function.name): LocalFunction(domain.name, function.name, function.handler, loader)
            for domain in domains
            for function in domain.functions
        }

    def function(self, domain: str, name: str) -> LocalFunction:
        """The function `name` of `domain`."""
        try:
            return self._functions[(domain, name)]
        except KeyError:
            raise KeyError(f"{domain} declares no function {name!r}") from None

    def invoke(self, domain: str, name: str, event: Any) -> Any:
        """Invoke a function synchronously, as `lambda:Invoke` with `RequestResponse` would."""
        return self.function(domain, name).invoke(event)
