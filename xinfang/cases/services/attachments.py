"""附件: material added to a case's file (letters, photos, minutes of a hearing)."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from xinfang.cases.models import Attachment, Case
from xinfang.cases.services._core import (
    BUREAU_ROLES,
    DECIDING_ROLES,
    UNIT_ROLES,
    append_event,
    begin,
    project,
)
from xinfang.cases.vocabulary import Action, EventKind
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.core.timeutil import now
from xinfang.core.validation import MAX_ATTACHMENT_PAGES, optional_text
from xinfang.orgs.models import User
from xinfang.orgs.selectors import user_memberships

# What the package xinfang.cases.services re-exports.
__all__ = ["attachment_problem", "case_attach"]

ALLOWED_SUFFIXES = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".txt",
    ".ofd",
    ".mp3",
    ".m4a",
}


# What a file of each type begins with. A citizen's upload comes from outside: its content, not its
# name, decides what it is, so a program renamed to .jpg is refused.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".ofd": (b"PK\x03\x04",),
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ".m4a": (),  # checked below: an MP4 box ("ftyp" at offset 4)
}


def _content_matches(suffix: str, content: bytes) -> bool:
    if suffix == ".txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                content.decode("gb18030")
            except UnicodeDecodeError:
                return False
        return b"\x00" not in content
    if suffix == ".m4a":
        return content[4:8] == b"ftyp"
    return content.startswith(_SIGNATURES.get(suffix, ()) or (b"\x00\x00never",))


def attachment_problem(name: str, content: bytes, *, by_content: bool = False) -> ServiceError | None:
    """Why a file cannot be attached (name, type, size), or None; `by_content`: also check that
    its content is of the type its name says."""
    name = PurePath(optional_text(name)).name
    if not name:
        return ServiceError("请提供文件名。", field="name")
    if len(name) > 200:
        return ServiceError("文件名不能超过 200 个字。", field="name")
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = "、".join(sorted(ALLOWED_SUFFIXES))
        return ServiceError(f"不支持的文件类型，可上传：{allowed}。", field="file")
    if not content:
        return ServiceError("文件为空。", field="file")
    limit = settings.XINFANG_MAX_ATTACHMENT_MB
    if len(content) > limit * 1024 * 1024:
        return ServiceError(f"文件不能超过 {limit} MB。", field="file")
    if by_content and not _content_matches(suffix, content):
        return ServiceError(f"文件“{name}”的内容与其类型（{suffix}）不符，请上传原始文件。", field="file")
    return None


@transaction.atomic
def case_attach(*, actor: User, case: Case, name: str, content: bytes, pages: int = 0) -> Attachment:
    """Store a file with the case; the event records its name and digest, never its content."""
    locked, _ = begin(case, Action.ATTACH)
    if actor.is_citizen:
        if locked.citizen_id != actor.pk:
            raise NotAllowed("只能为本人提交的信访事项上传材料。")
    elif (
        not user_memberships(actor)
        .filter(
            org_id__in=[locked.registered_org_id, locked.current_org_id, locked.review_org_id],
            role__in=[*BUREAU_ROLES, *UNIT_ROLES, *DECIDING_ROLES],
        )
        .exists()
    ):
        raise NotAllowed("只有登记机关、责任单位或复查复核机关的工作人员可以上传附件。")
    if problem := attachment_problem(name, content, by_content=actor.is_citizen):
        raise problem
    name = PurePath(optional_text(name)).name
    if not 0 <= pages <= MAX_ATTACHMENT_PAGES:
        raise ServiceError(f"页数应为 0 至 {MAX_ATTACHMENT_PAGES} 之间的整数。", field="pages")
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        case=locked, name=name, pages=pages, sha256=digest, uploaded_by=actor, uploaded_at=now()
    )
    # The file is written first; if recording it fails, the file goes too, so no row ever points
    # at a missing file and a failed upload leaves nothing behind.
    attachment.file.save(
        f"{locked.number}-{digest[:12]}{PurePath(name).suffix.lower()}", ContentFile(content), save=False
    )
    try:
        attachment.save()
        append_event(
            locked,
            kind=EventKind.ATTACHED,
            actor=actor,
            org=None if actor.is_citizen else locked.current_org,
            payload={
                "attachment": attachment.pk,
                "name": name,
                "sha256": digest,
                "size": len(content),
                "pages": pages,
            },
        )
        project(locked)
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
