"""The declared schedules fired by timers: each calls its function with the event an EventBridge
schedule rule would send, once shortly after start and then at the local interval."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from fip_core.declaration import DomainDeclaration, Schedule
from local_platform.events import scheduled_event
from local_platform.worker import BackgroundWorker

log = logging.getLogger(__name__)
FIRST_FIRING_SECONDS = 1.0  # the first firing waits for the platform's start-up lines
SUMMARY_LENGTH = 200


def rule_name(domain: DomainDeclaration, schedule: Schedule) -> str:
    """The name of the schedule's rule, as the CDK app would give it."""
    return f"{domain.name}-{schedule.name}"


def summarise(result: Any) -> str:
    """A function's answer on one line, cut short."""
    text = json.dumps(result, default=str, separators=(",", ":"))
    return text if len(text) <= SUMMARY_LENGTH else f"{text[: SUMMARY_LENGTH - 3]}..."


class ScheduleTimer(BackgroundWorker):
    """Fires one schedule until stopped; a failing firing is logged and the timer carries on."""

    def __init__(
        self, domain: DomainDeclaration, schedule: Schedule, interval_seconds: float, invoke: Callable[[Any], Any]
    ) -> None:
        self.domain = domain
        self.schedule = schedule
        self.interval_seconds = interval_seconds
        self.rule_name = rule_name(domain, schedule)
        self._invoke = invoke
        super().__init__(f"schedule-{self.rule_name}")

    def fire(self) -> bool:
        """Call the function once and log one status line; answer whether it succeeded."""
        label = f"[schedule] {self.rule_name} -> {self.domain.name}-{self.schedule.function}"
        started = time.perf_counter()
        try:
            result = self._invoke(scheduled_event(self.rule_name))
        except Exception:
            log.exception("%s: failed in %.2f s", label, time.perf_counter() - started)
            return False
        log.info("%s: ok in %.2f s %s", label, time.perf_counter() - started, summarise(result))
        return True

    def _run(self) -> None:
        next_firing = time.monotonic() + min(FIRST_FIRING_SECONDS, self.interval_seconds)
        while not self._stopping.wait(max(0.0, next_firing - time.monotonic())):
            self.fire()
            # a fixed rate like EventBridge's, but a firing that overran is not caught up on
            next_firing = max(next_firing + self.interval_seconds, time.monotonic())
