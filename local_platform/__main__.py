"""`python -m local_platform` (what `make run` runs): the platform on loopback until Ctrl+C or SIGTERM.

Configured by `PORT`, `FIP_STATE_DIR`, `FIP_SCHEDULE_SECONDS`, `FIP_SCHEDULES_ENABLED`, `FIP_MOTO_PORT`,
`FIP_LOCAL_AWS` (`moto`, or `localstack` to start LocalStack as well), `FIP_LOCALSTACK_PORT`,
`AWS_ENDPOINT_URL` (an emulator already running, instead of both), `FIP_MAIL_FROM` (the sender of the
domains' email), `POWERTOOLS_LOG_LEVEL` and `FIP_EVENT_RETRY_SECONDS`.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from pydantic import ValidationError

from local_platform.config import PlatformConfig
from local_platform.console import configure_console
from local_platform.localstack import LocalStackError
from local_platform.moto_state import MotoStateError
from local_platform.platform import LocalPlatform, StateFolderError

log = logging.getLogger("local_platform.main")


def main() -> int:
    """Run the platform until a signal asks it to stop; answer the exit status."""
    configure_console()
    try:
        config = PlatformConfig()
    except ValidationError as error:
        log.error("the local platform's configuration is invalid:\n%s", error)
        return 2
    stopping = threading.Event()

    def request_stop(signal_number: int, _frame: FrameType | None) -> None:
        log.info("%s: stopping", signal.Signals(signal_number).name)
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    platform = LocalPlatform(config)
    try:
        platform.start()
    except (MotoStateError, LocalStackError, StateFolderError) as refused:
        log.error("the local platform could not start: %s", refused)
        return 1
    except Exception:
        log.exception("the local platform could not start")
        return 1
    log.info("%s", platform.describe())
    stopping.wait()
    platform.stop()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
