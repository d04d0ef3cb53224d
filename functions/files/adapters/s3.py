"""The bucket of inputs and results in S3: presigned multipart uploads and downloads, ranged reads."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any, BinaryIO

from files.logic.ports import StoredPart

READ_CHUNK = 1024 * 1024  # what one read from a ranged GET's stream takes: the buffer is at most this


class S3Store:
    """One bucket, through a boto3 S3 client (SigV4, so presigned URLs work in every region)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def start_upload(self, key: str) -> str:
        """Begin a multipart upload of `key`; its upload id."""
        return str(self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"])

    def part_urls(self, key: str, upload_id: str, parts: int, seconds: int) -> list[str]:
        """A presigned PUT for each part, 1 to `parts`, valid for `seconds`."""
        return [
            self.client.generate_presigned_url(
                "upload_part",
                Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": number},
                ExpiresIn=seconds,
            )
            for number in range(1, parts + 1)
        ]

    def received_parts(self, key: str, upload_id: str) -> list[StoredPart]:
        """The parts received so far, in order, through every page of ListParts."""
        parts: list[StoredPart] = []
        marker = 0
        while True:
            answer = self.client.list_parts(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker, MaxParts=1000
            )
            parts += [StoredPart(p["PartNumber"], p["ETag"], p["Size"]) for p in answer.get("Parts", [])]
            if not answer.get("IsTruncated"):
                return parts
            marker = int(answer["NextPartNumberMarker"])

    def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Assemble the object from its parts `(number, etag)`."""
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": number, "ETag": etag} for number, etag in parts]},
        )

    def abort(self, key: str, upload_id: str) -> None:
        """Give up an upload and drop its parts; an upload already gone is no error."""
        with contextlib.suppress(self.client.exceptions.NoSuchUpload):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def delete(self, key: str) -> None:
        """Delete an object (S3 answers the same for one that is gone)."""
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def download_url(self, key: str, filename: str, seconds: int) -> str:
        """A presigned GET, downloaded as `filename`."""
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                },
                ExpiresIn=seconds,
            )
        )

    def source(self, key: str, size: int) -> S3Object:
        """The object as a source of ranged reads."""
        return S3Object(self.client, self.bucket, key, size)


@dataclass(frozen=True)
class S3Object:
    """An S3 object read with ranged GETs from any offset: never more than a read's chunk in memory."""

    client: Any
    bucket: str
    key: str
    size: int

    def open_at(self, offset: int) -> BinaryIO:
        """A stream of the object from `offset` to its end."""
        if offset >= self.size:
            return io.BytesIO(b"")  # S3 refuses a range that starts at or past the end
        body = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={offset}-")["Body"]
        return _Chunked(body)  # type: ignore[return-value]

    def read_at(self, offset: int, length: int) -> bytes:
        """At most `length` bytes from `offset`."""
        if offset >= self.size or length <= 0:
            return b""
        last = min(offset + length, self.size) - 1
        answer = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={offset}-{last}")
        return bytes(answer["Body"].read())


class _Chunked(io.RawIOBase):
    """A GET's body read in chunks of READ_CHUNK: the validator's small reads (a block header, a block)
    come from memory rather than each from the socket."""

    def __init__(self, body: Any) -> None:
        super().__init__()
        self.body = body
        self.buffer = b""
        self.at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            rest, self.buffer, self.at = self.buffer[self.at :] + self.body.read(), b"", 0
            return bytes(rest)
        if len(self.buffer) - self.at < size:
            self.buffer = self.buffer[self.at :] + self.body.read(max(size, READ_CHUNK))
            self.at = 0
        data = self.buffer[self.at : self.at + size]
        self.at += len(data)
        return data

    def close(self) -> None:
        self.body.close()
        super().close()
