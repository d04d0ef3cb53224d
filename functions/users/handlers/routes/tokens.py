"""Routes of one's own personal API tokens and stored external service tokens."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from fip_core.http import answers, current_principal, json_response, no_content, route_group, source_ip
from users.adapters.clock import system_clock
from users.adapters.kms import credential_cipher
from users.dal.unit_of_work import users_reading, users_repository
from users.handlers.routes.common import (
    PROFILE,
)
from users.logic import credentials, tokens
from users.models.credentials import CredentialStore, StoredCredential, StoredCredentialList
from users.models.tokens import ApiToken, ApiTokenCreate, ApiTokenCreated, ApiTokenList
from users.settings import users_settings

router = route_group()


@router.get(
    "/me/api-tokens", summary="Your personal API tokens", tags=[PROFILE], responses=answers(200, ApiTokenList, 401)
)
def my_tokens() -> ApiTokenList:
    with users_reading() as repo:
        return tokens.list_tokens(repo, current_principal(router).user_id)


@router.post(
    "/me/api-tokens",
    summary="Create a personal API token (shown once; needs a signed-in session)",
    tags=[PROFILE],
    responses=answers(201, ApiTokenCreated, 401, 403),
)
def create_token(body: ApiTokenCreate) -> Response[ApiTokenCreated]:
    with users_repository() as repo:
        created = tokens.create_token(
            repo, current_principal(router), body, users_settings(), source_ip(router), system_clock()
        )
    return json_response(created, HTTPStatus.CREATED)


@router.delete(
    "/me/api-tokens/<token_id>",
    summary="Revoke one of your API tokens",
    tags=[PROFILE],
    responses=answers(200, ApiToken, 401, 404),
)
def revoke_token(token_id: Annotated[str, Path(max_length=64)]) -> ApiToken:
    with users_repository() as repo:
        return tokens.revoke_token(repo, current_principal(router), token_id, source_ip(router), system_clock())


@router.get(
    "/me/credentials",
    summary="Services you stored a token for",
    tags=[PROFILE],
    responses=answers(200, StoredCredentialList, 401),
)
def my_credentials() -> StoredCredentialList:
    with users_reading() as repo:
        return credentials.list_credentials(repo, current_principal(router).user_id)


@router.put(
    "/me/credentials/<service_id>",
    summary="Store your token for a service (encrypted; never shown again)",
    tags=[PROFILE],
    responses=answers(200, StoredCredential, 401),
)
def store_credential(service_id: UUID, body: CredentialStore) -> StoredCredential:
    with users_repository() as repo:
        return credentials.store_credential(
            repo,
            credential_cipher(),
            current_principal(router),
            str(service_id),
            body.token.get_secret_value(),
            system_clock(),
        )


@router.delete(
    "/me/credentials/<service_id>",
    summary="Forget your token for a service",
    tags=[PROFILE],
    responses=answers(204, None, 401, 404),
)
def delete_credential(service_id: UUID) -> Response[None]:
    with users_repository() as repo:
        credentials.delete_credential(repo, current_principal(router), str(service_id), system_clock())
    return no_content()
