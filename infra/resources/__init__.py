"""The kinds of resource a domain may declare, one object each, found from a spec's type.

A new kind is a spec type in `fip_core/resources.py` and an object here that builds it in the CDK
app and provisions it locally (`kind.ResourceKind`); a new resource of an existing kind is one line
in its domain's declaration. Nothing here imports the CDK when imported: the local platform does.
"""

from __future__ import annotations

from typing import Any

from fip_core.resources import ResourceSpec
from infra.resources.bucket import BucketKind
from infra.resources.email_identity import EmailIdentityKind
from infra.resources.encryption_key import EncryptionKeyKind
from infra.resources.kind import ResourceKind
from infra.resources.user_pool import UserPoolKind

KINDS: tuple[ResourceKind[Any], ...] = (UserPoolKind(), EncryptionKeyKind(), BucketKind(), EmailIdentityKind())


def kind_of(spec: ResourceSpec) -> ResourceKind[Any]:
    """The kind that builds and provisions this spec."""
    for kind in KINDS:
        if type(spec) is kind.spec_type:
            return kind
    raise LookupError(f"no kind builds a {type(spec).__name__}: add one to infra/resources")
