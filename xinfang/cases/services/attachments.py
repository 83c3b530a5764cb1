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
__all__ = ["case_attach"]

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
    name = PurePath(optional_text(name)).name
    if not name:
        raise ServiceError("请提供文件名。", field="name")
    if len(name) > 200:
        raise ServiceError("文件名不能超过 200 个字。", field="name")
    if PurePath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        allowed = "、".join(sorted(ALLOWED_SUFFIXES))
        raise ServiceError(f"不支持的文件类型，可上传：{allowed}。", field="file")
    if not content:
        raise ServiceError("文件为空。", field="file")
    limit = settings.XINFANG_MAX_ATTACHMENT_MB
    if len(content) > limit * 1024 * 1024:
        raise ServiceError(f"文件不能超过 {limit} MB。", field="file")
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
