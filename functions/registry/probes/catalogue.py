"""Reading what a service offers: a Cloudgene server's reference panels, a WES node's declared workflows.

Cloudgene 3 (genepi/cloudgene3 b396bfd): a reference panel is an installed application of category
`RefPanel` (imputationserver2's `refpanel` input is an `app_list` of that category, submitted as
`apps@<app id>`). `GET /api/v2/server/apps` (`AppController.list`, admins only: 401 without a valid
`X-Auth-Token`, 403 for a user who is not an admin) lists every application as an
`ApplicationResponse`: `id`, `name`, `version`, `enabled`, `loaded`, `category` and `source`, the
text of its cloudgene.yaml, whose `properties` carry the panel's `build` and `populations`
(`[{id, name, samples}]`, imputationserver2's README). Nothing else the server answers gives a
panel's build: the user-facing `GET /api/v2/server/apps/{app}` lists panels with their populations
only. The token is sent to the registered base URL alone: redirects are not followed (a redirect
would carry it elsewhere), and it is never logged or stored.

GA4GH WES 1.0/1.1: service-info declares the workflow languages and engines a node runs
(`workflow_type_versions`, `workflow_engine_versions`); the spec has no reference panels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from fip_core.container import per_container
from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import OutboundPolicy, outbound_settings
from registry.domain import Catalogue, CatalogueError
from registry.models.common import GenomeBuild, HealthStatus
from registry.models.health import WesDetails, remote_text
from registry.models.panels import CLOUDGENE_APP_PREFIX, PanelCreate
from registry.probes.http import get_json
from registry.probes.service import USER_AGENT
from registry.probes.wes import probe_wes

APPS_PATH = "/api/v2/server/apps"
PANEL_CATEGORY = "refpanel"  # imputationserver2 writes `RefPanel`; compared without case
MAX_APPS_BYTES = 8 * 1_048_576  # every installed app's cloudgene.yaml is in the list
MAX_SOURCE_CHARS = 262_144  # a panel's cloudgene.yaml is a few kB; a larger one is not read
MAX_APPS = 500
NOT_A_COUNT = frozenset({"off", "mixed", "all"})  # entries that are not a group of the panel's own samples
_APP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9@._:+-]{0,194}$")
_display = remote_text(200)


class HttpCatalogueReader:
    """Reads offers over HTTP(S), each connection under the outbound policy, never following redirects."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._client = OutboundClient(policy, user_agent=USER_AGENT, max_redirects=0)

    async def cloudgene_panels(self, base_url: str, token: str) -> Catalogue:
        """The server's reference panels, read with an admin's API token."""
        answer = await get_json(
            self._client, f"{base_url}{APPS_PATH}", headers={"X-Auth-Token": token}, max_body_bytes=MAX_APPS_BYTES
        )
        if answer.error:
            raise CatalogueError(answer.error, answer.http_status)
        if not isinstance(answer.document, list):
            raise CatalogueError("not a Cloudgene app list", answer.http_status)
        return cloudgene_catalogue(answer.document[:MAX_APPS])

    async def wes_workflows(self, base_url: str) -> Catalogue:
        """The node's declared workflow languages and engines (its service-info)."""
        outcome = await probe_wes(self._client, base_url)
        if outcome.status is not HealthStatus.HEALTHY or not isinstance(outcome.details, WesDetails):
            raise CatalogueError(outcome.error or "not a WES answer", outcome.http_status)
        return Catalogue(
            workflow_type_versions=outcome.details.workflow_type_versions,
            workflow_engine_versions=outcome.details.workflow_engine_versions,
        )


def cloudgene_catalogue(apps: list[Any]) -> Catalogue:
    """The reference panels among a Cloudgene server's applications, and the panel apps left out."""
    catalogue = Catalogue()
    for app in apps:
        if not isinstance(app, dict) or not _is_panel(app):
            continue
        app_id = app.get("id")
        if not isinstance(app_id, str) or not _APP_ID.match(app_id):
            catalogue.skipped.append((str(app_id)[:200], "its id is not a panel name"))
            continue
        try:
            catalogue.panels.append(_panel(app_id, app))
        except _UnreadableError as why:
            catalogue.skipped.append((app_id, str(why)))
    return catalogue


class _UnreadableError(Exception):
    """Why a panel app's description cannot be used."""


def _is_panel(app: Mapping[str, Any]) -> bool:
    category = app.get("category")
    return isinstance(category, str) and category.lower() == PANEL_CATEGORY


def _panel(app_id: str, app: Mapping[str, Any]) -> PanelCreate:
    properties = _properties(app.get("source"))
    build = properties.get("build")
    if build not in {b.value for b in GenomeBuild}:
        raise _UnreadableError("its cloudgene.yaml names no build hg19 or hg38")
    groups = properties.get("populations")
    populations = _populations(groups)
    name = app.get("name") if isinstance(app.get("name"), str) else None
    # `loaded` false: the server could not load the app (its errorMessage says why); it takes no jobs
    available = app.get("enabled") is True and app.get("loaded", True) is True
    try:
        return PanelCreate(
            slug=f"{CLOUDGENE_APP_PREFIX}{app_id}",
            display_name=_display(name) or app_id,
            build=GenomeBuild(build),
            populations=populations,
            sample_count=_sample_count(groups),
            is_available=available,
        )
    except ValidationError as error:
        fields = sorted({str(problem["loc"][0]) for problem in error.errors() if problem["loc"]})
        raise _UnreadableError(f"unusable {', '.join(fields) or 'values'}") from None


def _properties(source: Any) -> Mapping[str, Any]:
    if not isinstance(source, str) or not source.strip():
        raise _UnreadableError("the server sent no cloudgene.yaml for it")
    if len(source) > MAX_SOURCE_CHARS:
        raise _UnreadableError("its cloudgene.yaml is too large")
    try:
        document = yaml.safe_load(source)
    except yaml.YAMLError:
        raise _UnreadableError("its cloudgene.yaml is not YAML") from None
    properties = document.get("properties") if isinstance(document, dict) else None
    if not isinstance(properties, dict):
        raise _UnreadableError("its cloudgene.yaml has no properties")
    return properties


def _populations(groups: Any) -> list[str]:
    """Population ids as the submit form's `population` takes them: `[{id, name, samples}]`
    (imputationserver2), or `{id: name}` (older panels)."""
    if isinstance(groups, list):
        ids = [group.get("id") for group in groups if isinstance(group, dict)]
    elif isinstance(groups, dict):
        ids = list(groups)
    else:
        return []
    unique = dict.fromkeys(str(i) for i in ids if isinstance(i, str | int) and not isinstance(i, bool))
    return list(unique)[:100]


def _sample_count(groups: Any) -> int | None:
    """The panel's samples: the sum over its populations (`samples` -1 means not counted)."""
    if not isinstance(groups, list):
        return None
    counts = [
        group["samples"]
        for group in groups
        if isinstance(group, dict)
        and str(group.get("id", "")).lower() not in NOT_A_COUNT
        and isinstance(group.get("samples"), int)
        and not isinstance(group.get("samples"), bool)
        and group["samples"] > 0
    ]
    return sum(counts) if counts else None


@per_container
def http_catalogue_reader() -> HttpCatalogueReader:
    """The reader the outbound settings describe, made once per container."""
    return HttpCatalogueReader(OutboundPolicy.from_settings(outbound_settings()))
