"""The platform's HTTP API through httpx: JSON in and out, problem JSON as `ApiError`, a signed-in
session's access token renewed once with its refresh token when the platform refuses it."""

from __future__ import annotations

from typing import Any

import httpx

from fip.config import Settings
from fip.errors import ApiError, CliError

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
CONNECT_RETRIES = 2  # a connection refused or reset before anything was sent is tried again
UNAUTHORISED = (401, 403)


def http_client(**options: Any) -> httpx.Client:
    """A client with `fip`'s timeouts and connection retries; plain (no credentials) unless `options`
    say otherwise: for presigned S3 URLs, which carry their own signature."""
    return httpx.Client(timeout=TIMEOUT, transport=httpx.HTTPTransport(retries=CONNECT_RETRIES), **options)


class Api:
    """Calls to the platform as the configured user."""

    def __init__(self, settings: Settings, *, need_token: bool = True) -> None:
        if not settings.api_url:
            raise CliError("no platform URL: set FIP_API_URL or run `fip login --api-url URL`")
        if need_token and not settings.token:
            raise CliError("not signed in: run `fip login`, or set FIP_TOKEN to a personal API token")
        self.settings = settings
        self.client = http_client(
            base_url=settings.api_url.rstrip("/"), headers={"Accept": "application/json", "User-Agent": "fip"}
        )

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> Any:
        """The JSON answer of one call (None for an empty one); a problem answer raises `ApiError`.
        A query parameter or a field of a JSON object `body` that is None is left out: the platform's default."""
        query = present(params or {})
        if isinstance(body, dict):
            body = present(body)
        response = self._send(method, path, body, query, headers, authenticated)
        if response.status_code in UNAUTHORISED and authenticated and self._renew_session():
            response = self._send(method, path, body, query, headers, authenticated)
        return answer_of(response)

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        params: dict[str, Any],
        headers: dict[str, str] | None,
        authenticated: bool,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if authenticated and self.settings.token:
            sent["Authorization"] = f"Bearer {self.settings.token}"
        try:
            return self.client.request(method, path, json=body, params=params, headers=sent)
        except httpx.HTTPError as error:
            raise CliError(f"cannot reach {self.settings.api_url}: {error}") from error

    def _renew_session(self) -> bool:
        """Swap an expired session access token for a new one, once; a personal API token is not renewed."""
        refresh_token, self.settings.refresh_token = self.settings.refresh_token, None
        if not refresh_token:
            return False
        try:
            tokens = self.call("POST", "/auth/refresh", body={"refresh_token": refresh_token}, authenticated=False)
        except ApiError:
            return False
        self.settings.token = tokens["access_token"]
        self.settings.save(token=tokens["access_token"])
        self.settings.refresh_token = refresh_token
        return True

    def pages(self, path: str, params: dict[str, Any], limit: int) -> dict[str, Any]:
        """Up to `limit` items of a paged list (`items`, `total`), page after page."""
        items: list[Any] = []
        total = 0
        while len(items) < limit:
            page = self.call(
                "GET", path, params={**params, "limit": min(limit - len(items), 100), "offset": len(items)}
            )
            items += page["items"]
            total = page.get("total", len(items))
            if not page["items"] or len(items) >= total:
                break
        return {"items": items[:limit], "total": total}


def present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that have a value."""
    return {key: value for key, value in fields.items() if value is not None}


def answer_of(response: httpx.Response) -> Any:
    """A response's JSON, or `ApiError` for an error status."""
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if response.is_error:
        raise ApiError(response.status_code, body)
    return body
