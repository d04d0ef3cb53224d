"""A daemon thread that runs until asked to stop: the shape of the local timers and pollers."""

from __future__ import annotations

import threading


class BackgroundWorker:
    """Runs `_run` on its own thread; `_run` checks `_stopping` and returns once it is set."""

    def __init__(self, thread_name: str) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the worker to finish; what it is doing now, it finishes."""
        self._stopping.set()

    def join(self, timeout: float) -> None:
        """Wait for the worker to finish."""
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError
