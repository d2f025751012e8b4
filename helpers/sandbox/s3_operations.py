"""S3 operation names from path-style REST requests (best effort: the kit's common calls)."""

from __future__ import annotations

from collections.abc import Mapping

_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}
_BUCKET_SUBRESOURCES = {
    "policy": "Policy",
    "policyStatus": "PolicyStatus",
    "tagging": "Tagging",
    "acl": "Acl",
    "versioning": "Versioning",
    "encryption": "Encryption",
    "publicAccessBlock": "PublicAccessBlock",
    "ownershipControls": "OwnershipControls",
    "lifecycle": "LifecycleConfiguration",
    "notification": "NotificationConfiguration",
    "cors": "Cors",
    "website": "Website",
    "logging": "Logging",
    "replication": "Replication",
}
_OBJECT_SUBRESOURCES = {"tagging": "Tagging", "acl": "Acl"}


_MULTIPART = {
    "POST": "CompleteMultipartUpload",
    "PUT": "UploadPart",
    "DELETE": "AbortMultipartUpload",
    "GET": "ListParts",
}
_BUCKET_LISTINGS = {
    "location": "GetBucketLocation",
    "versions": "ListObjectVersions",
    "uploads": "ListMultipartUploads",
}


def _subresource(verb: str, kind: str, names: dict[str, str], query: Mapping[str, str]) -> str:
    """e.g. PutBucketPolicy for PUT ?policy; "" without a known subresource."""
    sub = next((name for name in names if name in query), None)
    return f"{verb}{kind}{names[sub]}" if sub and verb else ""


def _object_operation(method: str, query: Mapping[str, str], headers: Mapping) -> str:
    verb = _VERBS.get(method, "")
    if "uploads" in query:
        return "CreateMultipartUpload"
    if "uploadId" in query:
        return _MULTIPART.get(method, "")
    if named := _subresource(verb, "Object", _OBJECT_SUBRESOURCES, query):
        return named
    if method == "PUT" and "x-amz-copy-source" in headers:
        return "CopyObject"
    return "HeadObject" if method == "HEAD" else f"{verb}Object" if verb else ""


def _bucket_operation(method: str, query: Mapping[str, str]) -> str:
    if method == "POST" and "delete" in query:
        return "DeleteObjects"
    if named := _subresource(_VERBS.get(method, ""), "Bucket", _BUCKET_SUBRESOURCES, query):
        return named
    if method == "GET":
        listing = next((op for name, op in _BUCKET_LISTINGS.items() if name in query), None)
        return listing or ("ListObjectsV2" if query.get("list-type") == "2" else "ListObjects")
    return {"PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"}.get(method, "")


def s3_operation(method: str, path: str, query: Mapping[str, str], headers: Mapping) -> str:
    """Best-effort S3 operation name of a path-style REST request ("" if unknown)."""
    bucket, _, key = path.lstrip("/").partition("/")
    if not bucket:
        return "ListBuckets" if method == "GET" else ""
    return _object_operation(method, query, headers) if key else _bucket_operation(method, query)
