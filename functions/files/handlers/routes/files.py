"""Routes of files: upload (start, resume, complete, abort), list, read, narrow where it may go, download,
delete."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from files.handlers.wiring import files_adapters
from files.logic import uploads
from files.models.files import (
    Completion,
    Download,
    FileCreate,
    FileCreated,
    FilePage,
    FileStatus,
    FileView,
    UploadState,
)
from files.settings import files_settings
from fip_core.http import answers, current_principal, json_response, no_content, route_group
from fip_core.residency import ResidencyRules

router = route_group()
FILES = "Genotype files"


def _caller() -> str:
    return current_principal(router).user_id


@router.post(
    "/files",
    summary="Start uploading a file: presigned part URLs",
    tags=[FILES],
    responses=answers(201, FileCreated, 422),
)
def create_file(body: FileCreate) -> Response[FileCreated]:
    created = uploads.create_file(files_adapters(), files_settings(), _caller(), body)
    return json_response(created, HTTPStatus.CREATED, {"Location": f"/files/{created.id}"})


@router.get("/files", summary="List your files", tags=[FILES], responses=answers(200, FilePage))
def list_files(
    status: Annotated[FileStatus | None, Query(description="Only files in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> FilePage:
    return uploads.list_files(files_adapters(), _caller(), status, limit, offset)


@router.get(
    "/files/<file_id>",
    summary="A file, its status and what its validation found",
    tags=[FILES],
    responses=answers(200, FileView, 404),
)
def get_file(file_id: UUID) -> FileView:
    return uploads.get_file(files_adapters(), current_principal(router), str(file_id))


@router.delete("/files/<file_id>", summary="Delete a file", tags=[FILES], responses=answers(204, None, 404))
def delete_file(file_id: UUID) -> Response[None]:
    uploads.delete_file(files_adapters(), _caller(), str(file_id))
    return no_content()


@router.post(
    "/files/<file_id>/complete",
    summary="Complete an upload: its parts are assembled and validated",
    tags=[FILES],
    responses=answers(200, FileView, 404, 409, 422),
)
def complete_upload(file_id: UUID, body: Completion) -> FileView:
    return uploads.complete_upload(files_adapters(), _caller(), str(file_id), body)


@router.post(
    "/files/<file_id>/abort",
    summary="Give up an upload",
    tags=[FILES],
    responses=answers(204, None, 404, 409),
)
def abort_upload(file_id: UUID) -> Response[None]:
    uploads.abort_upload(files_adapters(), _caller(), str(file_id))
    return no_content()


@router.get(
    "/files/<file_id>/upload",
    summary="Resume an upload: the part URLs again, and the parts received",
    tags=[FILES],
    responses=answers(200, UploadState, 404, 409),
)
def upload_state(file_id: UUID) -> UploadState:
    return uploads.upload_state(files_adapters(), files_settings(), _caller(), str(file_id))


@router.put(
    "/files/<file_id>/residency",
    summary="Narrow where jobs may send your file",
    description="The countries and services your file may be sent to, within the platform's residency policy "
    "(`GET /residency-policy`): a narrowing only narrows, since every job is held to both. Empty lists narrow "
    "nothing. Replaces the file's narrowing whole; jobs already accepted are held to it when they are failed "
    "over or retried.",
    tags=[FILES],
    responses=answers(200, FileView, 404, 422),
)
def narrow_residency(file_id: UUID, body: ResidencyRules) -> FileView:
    return uploads.narrow_residency(files_adapters(), _caller(), str(file_id), body)


@router.get(
    "/files/<file_id>/download",
    summary="A short-lived link to download your file",
    tags=[FILES],
    responses=answers(200, Download, 403, 404, 409),
)
def download_file(file_id: UUID) -> Download:
    return uploads.download(files_adapters(), files_settings(), current_principal(router), str(file_id))
