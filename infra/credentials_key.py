"""A domain's credentials key (`Resource.CREDENTIALS_KEY`): the customer-managed KMS key that encrypts
users' tokens for external services, usable only with the encryption context that binds a ciphertext
to its user and service."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from users.settings import CREDENTIALS_ENCRYPTION_CONTEXT_KEYS, CREDENTIALS_ENCRYPTION_PURPOSE


class CredentialsKey(Construct):
    """A rotated, retained key under a stack-unique alias; callers grant encrypting and decrypting to one
    function each."""

    def __init__(self, scope: Construct, construct_id: str, *, domain: str, alias_name: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the tokens for external services that users store with the {domain} domain",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.alias = self.key.add_alias(alias_name)

    @property
    def key_id(self) -> str:
        """What the functions name the key by: its alias."""
        return self.alias.alias_name

    def grant_encrypt(self, grantee: iam.IGrantable) -> None:
        """Let a function encrypt with this key, with the credentials' encryption context only."""
        self._grant(grantee, "kms:Encrypt")

    def grant_decrypt(self, grantee: iam.IGrantable) -> None:
        """Let a function decrypt with this key, with the credentials' encryption context only."""
        self._grant(grantee, "kms:Decrypt")

    def _grant(self, grantee: iam.IGrantable, action: str) -> None:
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[action],
            resource_arns=[self.key.key_arn],
            conditions={
                "StringEquals": {"kms:EncryptionContext:purpose": CREDENTIALS_ENCRYPTION_PURPOSE},
                # every key in the context is one of these: nothing else can be smuggled in
                "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": list(CREDENTIALS_ENCRYPTION_CONTEXT_KEYS)},
            },
        )
