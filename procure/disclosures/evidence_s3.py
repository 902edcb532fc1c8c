"""The S3-compatible evidence store (`evidence_url = "s3://bucket/prefix"`), through boto3.

Loaded only when that store is configured: boto3 comes with the prod extra, and a deployment
on the database store never imports it.

Credentials and the region come from boto3's standard chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_DEFAULT_REGION, ~/.aws, an instance or task role), never
from procure's settings, so no secret sits in procure.toml. The endpoint of a store other than
AWS (MinIO, Ceph, Garage...) is `evidence_s3_endpoint_url`, or boto3's own AWS_ENDPOINT_URL_S3.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from procure.disclosures.evidence_store import (
    EvidenceStoreUnavailable,
    StoredEntry,
    remove_unless_committed,
    sha256_of,
)

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Store:
    """Objects `prefix/stored_name` in one bucket; each carries its SHA-256 as metadata."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None = None):
        self.bucket = bucket
        self.prefix = prefix
        # a boto3 client is safe to share between threads (a session is not): one per app
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )

    @property
    def label(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, name: str, content: bytes) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(name),
                Body=content,
                Metadata={"sha256": sha256_of(content)},
            )
        except (BotoCoreError, ClientError) as error:
            raise EvidenceStoreUnavailable(
                "the file could not be stored, and nothing was saved", self.label
            ) from error
        remove_unless_committed(self, name)

    def get(self, name: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
            content: bytes = response["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise EvidenceStoreUnavailable("the file could not be read", self.label) from error
        except BotoCoreError as error:
            raise EvidenceStoreUnavailable("the file could not be read", self.label) from error
        return content

    def delete(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as error:
            raise EvidenceStoreUnavailable("a file could not be removed", self.label) from error

    def entries(self) -> Iterator[StoredEntry]:
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    name = item["Key"][len(start) :]
                    if "/" not in name:  # a deeper key is not one of this prefix's files
                        yield StoredEntry(name, item["LastModified"], item["Size"])
        except (BotoCoreError, ClientError) as error:
            raise EvidenceStoreUnavailable("its files could not be listed", self.label) from error
