"""The other domains' internal functions, invoked through Lambda's Invoke API as the declaration says."""

from __future__ import annotations

from typing import Any

from fip_core import calls
from fip_core.declaration import InternalCall
from fip_core.problems import UnavailableError
from jobs import DOMAIN
from jobs.declaration import CREDENTIALS, DISCOVER, INPUTS, RESULTS, SUBMISSION


def _invoke(call: InternalCall, payload: dict[str, Any]) -> dict[str, Any]:
    """The call's answer; a target that failed, timed out or could not be reached is a 503 problem (the
    request that needed it changed nothing and may be sent again), never an unexplained 500."""
    try:
        return dict(calls.invoke(DOMAIN, call, payload))
    except calls.InternalCallError as error:
        raise UnavailableError(
            f"the {call.domain} domain did not answer ({call.target}); nothing was done, try again"
        ) from error


class InvokedDomains:
    """Each call goes to the function its declared call names (`fip_core.calls`)."""

    def service(self, service_id: str) -> dict[str, Any]:
        """The registry's submission details of a service."""
        return _invoke(SUBMISSION, {"service_id": service_id})

    def inputs(
        self, user_id: str, file_ids: list[str], *, links: bool, recipient: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The files domain's answer about a user's files (recording the service the links are for)."""
        call: dict[str, Any] = {"user_id": user_id, "file_ids": file_ids, "links": links}
        return _invoke(INPUTS, call | ({"recipient": recipient} if recipient else {}))

    def discover(self, panel: str, build: str) -> dict[str, Any]:
        """The registry's ranking of the services offering the panel on the build."""
        return _invoke(DISCOVER, {"panel": panel, "build": build})

    def credential(self, user_id: str, service_id: str) -> dict[str, Any]:
        """The users domain's token of a user for a service (never logged)."""
        return _invoke(CREDENTIALS, {"user_id": user_id, "service_id": service_id})

    def results(self, call: dict[str, Any]) -> dict[str, Any]:
        """The files domain's answer to registering a result file or completing its upload."""
        return _invoke(RESULTS, call)
