"""What the monitoring logic is given: transactions and a clock."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from monitoring.dal.repository import MonitoringRepository

Transaction = Callable[[], AbstractContextManager[MonitoringRepository]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class MonitoringAdapters:
    """Everything the logic reaches outside itself."""

    reading: Transaction
    transaction: Transaction
    clock: Clock
