"""The encryption key kind: an `EncryptionKeySpec` as a customer-managed KMS key under an alias, in the
CDK app (`infra/encryption_key.py`: `alias/fip-<environment>-<domain>-<name>`) and locally
(`alias/fip-<domain>-<name>`).

What was encrypted before a restart must decrypt after it. moto keeps its keys in its state file,
so the alias is found again. LocalStack's free edition keeps nothing, so the key is made again at
every start with the same key id and key material, through its `_custom_id_` and
`_custom_key_material_` tags, from a file kept in LocalStack's state folder (readable by its owner
only: the material is a secret). moto ignores those tags. Neither emulator enforces the encryption
context condition of the grants, which is IAM's; both do bind a ciphertext to its context.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from fip_core.resources import EncryptionKeySpec, variable_stem
from fip_core.settings import env_prefix
from infra.resources.kind import BuiltResource, CloudContext, LocalContext, Provisioned, construct_id

if TYPE_CHECKING:
    from constructs import Construct

KEY_MATERIAL_BYTES = 32  # a symmetric KMS key is AES-256


class EncryptionKeyKind:
    """Builds and provisions `EncryptionKeySpec`s."""

    spec_type = EncryptionKeySpec

    def build(self, scope: Construct, spec: EncryptionKeySpec, cloud: CloudContext) -> BuiltResource:
        """A rotated, retained key under a stack-unique alias."""
        from infra.constants import NAME_PREFIX  # the CDK only when building (see infra/resources/kind.py)
        from infra.encryption_key import DomainKey

        alias = f"alias/{NAME_PREFIX}-{cloud.environment}-{cloud.domain}-{spec.name}"
        return DomainKey(scope, construct_id(spec, "Key"), domain=cloud.domain, spec=spec, alias_name=alias)

    def provision(self, spec: EncryptionKeySpec, local: LocalContext) -> Provisioned:
        """The key under its alias, made unless the alias exists (pinned on LocalStack)."""
        kms = local.client("kms")
        alias = f"alias/fip-{local.domain}-{spec.name}"
        if not any(found["AliasName"] == alias for found in kms.list_aliases()["Aliases"]):
            tags: list[dict[str, str]] = []
            if local.emulator == "localstack" and local.state_dir is not None:
                tags = pinned_key_tags(local.state_dir / f"{local.domain}-{spec.name}-key.json")
            key = kms.create_key(Description=spec.description, Tags=tags)
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyMetadata"]["KeyId"])
        variable = f"{env_prefix(local.domain)}{variable_stem(spec.name)}_KEY_ID"
        return Provisioned(environment={variable: alias}, description=f"KMS key {alias}")


def pinned_key_tags(pin_file: Path) -> list[dict[str, str]]:
    """Tags that make LocalStack create a key with the key id and key material kept in `pin_file`
    (made with fresh ones the first time): the key made after a restart is the key made before it."""
    if not pin_file.exists():
        pin_file.parent.mkdir(parents=True, exist_ok=True)
        material = base64.b64encode(secrets.token_bytes(KEY_MATERIAL_BYTES)).decode()
        # the key material is a secret: readable by its owner only, as moto's state file is
        descriptor = os.open(pin_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump({"key_id": str(uuid.uuid4()), "material": material}, file)
    stored = json.loads(pin_file.read_text())
    return [
        {"TagKey": "_custom_id_", "TagValue": stored["key_id"]},
        {"TagKey": "_custom_key_material_", "TagValue": stored["material"]},
    ]
