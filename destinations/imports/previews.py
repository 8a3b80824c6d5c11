"""The signed note a preview gives the confirmation: which file (by digest), for whom, until when.

The service keeps no copy of the uploaded file. To confirm, the person chooses the same file
again; its digest must match the one signed here, so what is imported is what was previewed,
checked again against the records as they are at that moment.
"""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "imports.preview"


class PreviewError(ValueError):
    """The confirmation cannot go ahead; the message says why and what to do."""


def sign_preview(secret_key: str, *, kind: str, digest: str, user_id: int, run_id: int) -> str:
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"kind": kind, "digest": digest, "user": user_id, "run": run_id})


def check_preview(secret_key: str, token: str, *, kind: str, user_id: int, digest: str, max_minutes: int) -> int:
    """The previewed run's id when ``token`` matches this kind, user and file; PreviewError otherwise."""
    serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
    try:
        note = serializer.loads(token or "", max_age=max_minutes * 60)
    except SignatureExpired:
        raise PreviewError(f"The preview was more than {max_minutes} minutes ago. Upload the file again to see a new preview.") from None
    except BadSignature:
        raise PreviewError("Upload the file to see a preview before you import it.") from None
    if not isinstance(note, dict) or note.get("kind") != kind or note.get("user") != user_id:
        raise PreviewError("Upload the file to see a preview before you import it.")
    if note.get("digest") != digest:
        raise PreviewError(
            "This is not the file you previewed (or it has changed since). Choose the same file, or upload this one to see its preview first."
        )
    return int(note.get("run") or 0)
