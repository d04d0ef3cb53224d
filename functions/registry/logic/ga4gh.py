"""The registry as GA4GH sees it: Service Registry 1.0.0 answers built from the services."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from fip_core.problems import NotFoundError
from registry.dal.repository import RegistryRepository
from registry.domain import ServiceRecord
from registry.models.common import ApiType
from registry.models.ga4gh import ExternalService, Organization, Service, ServiceType
from registry.models.health import WesDetails
from registry.probes.wes import WES_PREFIX
from registry.settings import RegistrySettings

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
CLOUDGENE_TYPE = ServiceType(group="com.cloudgene", artifact="cloudgene-api", version="2.0.0")


def ga4gh_id(service: ServiceRecord, settings: RegistrySettings) -> str:
    """The service's id in GA4GH reverse-domain form: `<prefix>.<slug>`."""
    return f"{settings.ga4gh_id_prefix}.{service.slug}"


def external_service(service: ServiceRecord, settings: RegistrySettings) -> ExternalService:
    """A registered service as a GA4GH ExternalService, using what its last healthy probe reported."""
    details = service.probe_details
    return ExternalService(
        id=ga4gh_id(service, settings),
        name=service.name,
        type=_service_type(service),
        description=service.description or None,
        organization=Organization(
            name=service.institution or service.name, url=service.institution_url or _origin(service.base_url)
        ),
        contact_url=service.contact_url,
        documentation_url=service.documentation_url,
        created_at=_rfc3339(service.created_at),
        updated_at=_rfc3339(service.updated_at),
        version=(details.version if isinstance(details, WesDetails) else None) or "unknown",
        url=api_url(service),
    )


def list_external_services(repo: RegistryRepository, settings: RegistrySettings) -> list[ExternalService]:
    """Every active service."""
    return [external_service(service, settings) for service in repo.services.active()]


def get_external_service(repo: RegistryRepository, service_id: str, settings: RegistrySettings) -> ExternalService:
    """One active service by its GA4GH id."""
    prefix = f"{settings.ga4gh_id_prefix}."
    found = repo.services.by_slug(service_id.removeprefix(prefix)) if service_id.startswith(prefix) else None
    if found is None or not found.is_active:
        raise NotFoundError(f"no service with id '{service_id}'; ids look like '{prefix}<slug>'")
    return external_service(found, settings)


def service_types(repo: RegistryRepository, settings: RegistrySettings) -> list[ServiceType]:
    """The distinct types of the active services."""
    seen: dict[tuple[str, str, str], ServiceType] = {}
    for service in repo.services.active():
        kind = _service_type(service)
        seen.setdefault((kind.group, kind.artifact, kind.version), kind)
    return [seen[key] for key in sorted(seen)]


def registry_service_info(settings: RegistrySettings) -> Service:
    """This registry's own service-info."""
    return Service(
        id=f"{settings.ga4gh_id_prefix}.service-registry",
        name=f"{settings.organization_name} service registry",
        type=ServiceType(group="org.ga4gh", artifact="service-registry", version="1.0.0"),
        description="Imputation services (Cloudgene API v2 servers and GA4GH WES nodes) the platform submits jobs to.",
        organization=Organization(name=settings.organization_name, url=settings.organization_url),
        documentation_url=f"{settings.public_api_url.rstrip('/')}/docs",
        environment=None,
        version=settings.platform_version,
    )


def _service_type(service: ServiceRecord) -> ServiceType:
    if service.api_type is ApiType.MICHIGAN:
        return CLOUDGENE_TYPE
    details = service.probe_details
    reported = details.supported_wes_versions if isinstance(details, WesDetails) else []
    versions = [v for v in reported if _SEMVER.match(v)]
    version = max(versions, key=lambda v: tuple(int(p) for p in v.split("."))) if versions else "1.0.0"
    return ServiceType(group="org.ga4gh", artifact="wes", version=version)


def api_url(service: ServiceRecord) -> str:
    """Where the service's API is: Cloudgene's `/api/v2`, a WES node's root as its last check found it."""
    if service.api_type is ApiType.MICHIGAN:
        return f"{service.base_url}/api/v2"
    if isinstance(service.probe_details, WesDetails):
        return service.probe_details.api_url
    return service.base_url if service.base_url.endswith(WES_PREFIX) else f"{service.base_url}{WES_PREFIX}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
