"""A domain's customer-managed KMS key (`EncryptionKeySpec`, built by `infra.resources.encryption_key`),
usable only with the encryption context its spec names (the users domain's binds each stored token
to its user and service)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from fip_core.resources import EncryptionKeySpec, variable_stem
from fip_core.settings import env_prefix

_ACTIONS = {"encrypt": "kms:Encrypt", "decrypt": "kms:Decrypt"}


class DomainKey(Construct):
    """A rotated, retained key under a stack-unique alias; the functions the spec names may encrypt or
    decrypt with it, with its encryption context only."""

    def __init__(
        self, scope: Construct, construct_id: str, *, domain: str, spec: EncryptionKeySpec, alias_name: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.domain = domain
        self.spec = spec
        self.key = kms.Key(
            self,
            "Key",
            description=spec.description,
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.alias = self.key.add_alias(alias_name)

    @property
    def key_id(self) -> str:
        """What the functions name the key by: its alias."""
        return self.alias.alias_name

    @property
    def environment(self) -> Mapping[str, str]:
        """`<DOMAIN>_<NAME>_KEY_ID`: the alias."""
        return {f"{env_prefix(self.domain)}{variable_stem(self.spec.name)}_KEY_ID": self.key_id}

    @property
    def event_name(self) -> str:
        """A key sends no events to subscribe to."""
        raise ValueError("an encryption key sends no events to subscribe to")

    def grant(self, roles: Mapping[str, iam.IGrantable]) -> None:
        """Let each function encrypt or decrypt as the spec says, with the spec's encryption context only."""
        for function, uses in self.spec.access().items():
            iam.Grant.add_to_principal(
                grantee=roles[function],
                actions=[_ACTIONS[use] for use in uses],
                resource_arns=[self.key.key_arn],
                conditions={
                    "StringEquals": {"kms:EncryptionContext:purpose": self.spec.purpose},
                    # every key in the context is one of these: nothing else can be smuggled in
                    "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": list(self.spec.context_keys)},
                },
            )
