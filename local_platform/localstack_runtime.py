"""LocalStack's runtime on this host, as `localstack start --host` runs it, with two of its defaults
changed. Run by LocalStack's own Python (.venv-localstack) from `local_platform.localstack`; the
platform never imports it.

- Its S3 service asks DNS whether `s3.<LOCALSTACK_HOST>` resolves when it starts
  (localstack/utils/aws/aws_stack.py, `get_s3_hostname`): a query to the machine's resolver, off
  loopback. The answer is given here instead ("no": internal S3 calls then go to localhost).
- It keeps S3 objects in a fixed /tmp folder shared by every LocalStack on the machine
  (localstack/services/s3/provider.py); here they go to the platform's state folder.

It also stops when the platform's process is gone, even if that process was killed and could not
stop it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from localstack.cli.main import main as localstack_cli  # type: ignore[import-not-found]
from localstack.services.s3 import provider  # type: ignore[import-not-found]
from localstack.utils.aws import aws_stack  # type: ignore[import-not-found]

PARENT_CHECK_SECONDS = 1.0
# LocalStack's shutdown can hang (seen here with a long poll in flight): an orphan does not wait longer
SHUTDOWN_GRACE_SECONDS = 15.0


def _stop_when_orphaned(parent: int) -> None:
    """SIGTERM this process (LocalStack shuts down on it) once the platform's process is gone, and end
    it outright if the shutdown does not finish in time: nobody is left to stop it."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Event().wait(SHUTDOWN_GRACE_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    """Start LocalStack in this process; returns when it has shut down."""
    _stop_when_orphaned(int(os.environ["FIP_PLATFORM_PID"]))
    aws_stack.CACHE_S3_HOSTNAME_DNS_STATUS = False
    provider.DEFAULT_S3_TMP_DIR = os.environ["FIP_LOCALSTACK_S3_DIR"]
    sys.argv = ["localstack", "start", "--host", "--no-banner"]
    localstack_cli()


if __name__ == "__main__":
    main()
