"""Entries submitted from the portal, and the chunked uploads that bring large videos in.

``entry_submit`` checks everything before it writes anything: the contest is collecting
(status ``open`` and now between ``opens_at`` and ``closes_at``), the category is the contest's,
the author has not reached ``max_entries_per_author``, the declarations are made and every file
passes ``media.inspect_upload``. One refused file refuses the whole entry: no row and no stored
file is left behind. The entry, its files and the audit entry are written in one transaction; the
web copies and thumbnails are made afterwards by ``tasks.process_entry_file``.

A chunked upload (``Upload``) lives in a local working folder (``QIAOLIAN_UPLOAD_DIR``, by default
``VAR_DIR/uploads``), not in the media storage: the client sends the pieces in order, each at the
offset the server has confirmed, and after a broken connection asks ``received`` and goes on from
there. A finished upload is handed to ``entry_submit`` and removed when the entry is committed;
unfinished ones are removed by ``upload_cleanup_expired``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.accounts.models import Role
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.contests import media
from qiaolian.contests.models import Category, Contest, ContestStatus, Entry, EntryFile, EntryStatus, Upload
from qiaolian.core.changes import snapshot

ENTRY_FIELDS = ("title", "description", "taken_on", "taken_place")
MAX_CHUNK_BYTES = 8 * 1024 * 1024
MAX_OPEN_UPLOADS = 10  # unfinished uploads one account may have at a time
UPLOAD_LIFETIME = dt.timedelta(hours=24)


class UploadOffsetError(ValidationError):
    """A chunk sent at the wrong offset: the client should resume from ``expected``."""

    def __init__(self, expected: int):
        self.expected = expected
        super().__init__(
            _("分片位置不符：服务器已收到 %(received)s 字节，请从该位置继续上传。") % {"received": expected},
            code="offset",
        )


# Contest state -------------------------------------------------------------------------------


def contest_is_collecting(contest: Contest, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return contest.status == ContestStatus.OPEN and contest.opens_at <= now < contest.closes_at


def _require_collecting(contest: Contest) -> None:
    if not contest_is_collecting(contest):
        raise ValidationError(_("本次大赛当前不在征集期内，不能投稿或修改作品。"), code="closed")


def _require_portal_account(account) -> None:
    if not getattr(account, "is_authenticated", False) or account.role != Role.PUBLIC:
        raise ValidationError(_("请使用门户账号登录后投稿。"), code="account")


def author_entry_count(*, account, contest: Contest) -> int:
    """Entries of ``account`` in ``contest`` that count towards the per-author limit."""
    return Entry.objects.filter(contest=contest, account=account).exclude(status=EntryStatus.WITHDRAWN).count()


# Entries -------------------------------------------------------------------------------------


def _category_letter(category: Category) -> str:
    ids = list(
        Category.objects.filter(contest_id=category.contest_id).order_by("order", "id").values_list("id", flat=True)
    )
    index = ids.index(category.pk)
    return chr(ord("A") + index) if index < 26 else f"Z{index - 25}"


def entry_code_next(category: Category) -> str:
    """The next code for ``category``: year, category letter (A for the first category by order),
    and a four-digit sequence, e.g. ``2022-A-0013``. Codes are unique across all contests."""
    prefix = f"{category.contest.year}-{_category_letter(category)}-"
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [
        int(match.group(1))
        for code in Entry.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if (match := pattern.match(code))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _author_fields(account) -> dict[str, Any]:
    profile = getattr(account, "portal_profile", None)
    fields: dict[str, Any] = {
        "author_name": (account.display_name or account.get_full_name() or account.username)[:60],
        "author_email": account.email or "",
    }
    if profile is not None:
        fields["author_country"] = profile.country
        fields["person"] = profile.person
        if profile.phone:
            # Copied as ciphertext with its blind index: the plain number is never read here.
            fields["author_phone"] = profile.phone
            fields["author_phone_hash"] = profile.phone_hash
    return fields


def _check_declarations(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.get("originality_declared"):
        errors["originality_declared"] = [_("请确认作品为本人原创。")]
    if data.get("has_portraits") and not data.get("portrait_consent"):
        errors["portrait_consent"] = [_("作品含可辨认人物肖像时，须确认已获得本人同意。")]
    if not (data.get("title") or "").strip():
        errors["title"] = [_("请填写作品名称。")]
    return errors


def _inspect_all(category: Category, files: Sequence[Any]) -> list[media.MediaInfo]:
    infos, messages = [], []
    for file in files:
        try:
            infos.append(media.inspect_upload(file, category=category))
        except ValidationError as error:
            messages.extend(error.messages)
    if messages:
        raise ValidationError({"files": messages})
    return infos


def entry_submit(
    *,
    account,
    contest: Contest,
    category: Category,
    data: dict[str, Any],
    files: Sequence[Any] = (),
    uploads: Sequence[Upload] = (),
) -> Entry:
    """Submit an entry of ``account`` to ``category`` of ``contest``.

    ``data`` holds title, description, taken_on, taken_place, originality_declared, has_portraits
    and portrait_consent. ``files`` are uploaded files; ``uploads`` finished chunked uploads of
    the same account. Raises ``ValidationError`` (keyed by form field where one applies) and
    writes nothing when anything is wrong."""
    _require_portal_account(account)
    _require_collecting(contest)
    if category.contest_id != contest.pk:
        raise ValidationError({"category": [_("所选组别不属于本次大赛。")]})
    if author_entry_count(account=account, contest=contest) >= contest.max_entries_per_author:
        raise _limit_error(contest)
    errors = _check_declarations(data)
    all_files: list[Any] = list(files)
    upload_ids = []
    for upload in uploads:
        try:
            finished = upload_finish(account=account, upload=upload)
        except Http404:
            errors.setdefault("files", []).append(_("上传的文件不存在或已过期，请重新选择文件。"))
        except ValidationError as error:
            errors.setdefault("files", []).extend(error.messages)
        else:
            all_files.append(finished)
            upload_ids.append(finished.upload_id)
    count = len(all_files)
    if not errors.get("files") and not category.min_files <= count <= category.max_files:
        errors["files"] = [
            _("本组别每件作品须提交 %(min)s 至 %(max)s 个文件，本次提交了 %(count)s 个。")
            % {"min": category.min_files, "max": category.max_files, "count": count}
        ]
    if errors:
        _close(all_files[len(files) :])
        raise ValidationError(errors)
    try:
        infos = _inspect_all(category, all_files)
        entry = _entry_write(
            account=account, contest=contest, category=category, data=data, files=all_files, infos=infos
        )
    finally:
        _close(all_files[len(files) :])
    if upload_ids:
        transaction.on_commit(partial(uploads_discard, upload_ids))
    return entry


def _limit_error(contest: Contest) -> ValidationError:
    return ValidationError(
        _("每位作者在本次大赛最多投稿 %(limit)s 件，您已达到上限。") % {"limit": contest.max_entries_per_author},
        code="limit",
    )


def _close(files: Iterable[Any]) -> None:
    for file in files:
        file.close()


@transaction.atomic
def _entry_write(*, account, contest, category, data, files, infos) -> Entry:
    # One submission at a time per contest: the author's count and the next code stay true.
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_collecting(contest)
    if author_entry_count(account=account, contest=contest) >= contest.max_entries_per_author:
        raise _limit_error(contest)
    entry = Entry(
        contest=contest,
        category=category,
        account=account,
        title=(data.get("title") or "").strip()[:100],
        description=(data.get("description") or "").strip(),
        taken_on=data.get("taken_on") or None,
        taken_place=(data.get("taken_place") or "").strip()[:100],
        originality_declared=True,
        portrait_consent=bool(data.get("portrait_consent")),
        submitted_at=timezone.now(),
        **_author_fields(account),
    )
    for _attempt in range(5):
        entry.code = entry_code_next(category)
        try:
            with transaction.atomic():
                entry.save()
            break
        except IntegrityError:
            entry.pk = None
    else:
        raise ValidationError(_("作品编号生成失败，请稍后重试。"), code="code")
    stored: list[str] = []
    try:
        for order, (file, info) in enumerate(zip(files, infos, strict=True)):
            file.seek(0)
            entry_file = EntryFile(
                entry=entry,
                kind=info.kind,
                original_name=media.display_name(file)[:200],
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                width=info.width,
                height=info.height,
                duration_seconds=info.duration,
                had_location=info.had_location,
                order=order,
            )
            entry_file.original.save(f"original{info.suffix}", File(file), save=False)
            stored.append(entry_file.original.name)
            entry_file.save()
            transaction.on_commit(partial(_enqueue_processing, entry_file.pk))
        audit_record(
            actor=account,
            action=Action.CREATE,
            target=entry,
            federation_id=contest.federation_id,
            data={
                "after": snapshot(entry, ["contest", "category", "title", "taken_on", "taken_place", "status"]),
                "code": entry.code,
                "files": [{"sha256": i.sha256, "type": i.content_type, "size": i.size} for i in infos],
            },
        )
    except BaseException:
        _storage_delete(stored)
        raise
    return entry


def _storage_delete(names: Iterable[str]) -> None:
    storage = EntryFile._meta.get_field("original").storage
    for name in names:
        storage.delete(name)


def _enqueue_processing(file_id: int) -> None:
    from qiaolian.contests.tasks import process_entry_file

    process_entry_file.enqueue(file_id)


@transaction.atomic
def entry_withdraw(*, account, entry: Entry) -> Entry:
    """Withdraw the author's own entry while the contest is collecting; it then no longer counts
    towards the per-author limit. Its files are kept for the record."""
    entry = Entry.objects.select_for_update().select_related("contest").get(pk=entry.pk)
    if entry.account_id != getattr(account, "pk", None):
        raise Http404("not found")
    _require_collecting(entry.contest)
    if entry.status != EntryStatus.SUBMITTED:
        raise ValidationError(_("只有已投稿、尚未审查的作品可以撤回。"), code="status")
    entry.status = EntryStatus.WITHDRAWN
    entry.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=account,
        action=Action.CHANGE,
        target=entry,
        federation_id=entry.contest.federation_id,
        data={"changes": {"status": {"before": EntryStatus.SUBMITTED, "after": EntryStatus.WITHDRAWN}}},
    )
    return entry


# Chunked uploads -----------------------------------------------------------------------------


def upload_dir() -> Path:
    base = Path(getattr(settings, "QIAOLIAN_UPLOAD_DIR", None) or Path(settings.VAR_DIR) / "uploads")
    base.mkdir(parents=True, exist_ok=True)
    return base


def _upload_path(upload: Upload) -> Path:
    # ``path`` holds a generated name only; the folder comes from the settings.
    return upload_dir() / Path(upload.path).name


def _own_upload(account, upload: Upload | uuid.UUID | str, *, lock: bool = False) -> Upload:
    queryset = Upload.objects.filter(account_id=getattr(account, "pk", None))
    if lock:
        queryset = queryset.select_for_update()
    pk = upload.pk if isinstance(upload, Upload) else upload
    try:
        return queryset.get(pk=pk)
    except (Upload.DoesNotExist, ValidationError, ValueError):
        raise Http404("not found") from None


@transaction.atomic
def upload_start(*, account, filename: str, size: int, category: Category) -> Upload:
    """Open a chunked upload of ``size`` bytes for ``category``; refused at once when the size is
    over the category's limit, the contest is not collecting or the account has too many open."""
    _require_portal_account(account)
    _require_collecting(category.contest)
    # Expired uploads (abandoned after a day) are swept here, where new ones begin: the table stays
    # small and an abandoned upload never counts against its owner's open uploads.
    upload_cleanup_expired()
    name = media.display_name(filename)
    limit = category.max_file_mb * 1024 * 1024
    if size <= 0:
        raise ValidationError(_("「%(name)s」是空文件。") % {"name": name}, code="empty")
    if size > limit:
        raise ValidationError(
            _("「%(name)s」大小为 %(size)s MB，超过本组别单个文件上限 %(limit)s MB。")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "limit": category.max_file_mb},
            code="too_large",
        )
    if Upload.objects.filter(account=account, completed_at__isnull=True).count() >= MAX_OPEN_UPLOADS:
        raise ValidationError(_("未完成的上传过多，请先完成或稍后再试。"), code="too_many")
    upload = Upload(account=account, filename=name, size=size)
    upload.path = f"{upload.pk.hex}.part"
    _upload_path(upload).touch()
    upload.save()
    return upload


@transaction.atomic
def upload_append(*, account, upload: Upload | uuid.UUID | str, offset: int, chunk: bytes) -> Upload:
    """Write ``chunk`` at ``offset``, which must equal the bytes already received (else
    ``UploadOffsetError`` tells the client where to resume)."""
    upload = _own_upload(account, upload, lock=True)
    if upload.completed_at is not None:
        raise ValidationError(_("该文件已上传完成。"), code="complete")
    if offset != upload.received:
        raise UploadOffsetError(upload.received)
    if not chunk or len(chunk) > MAX_CHUNK_BYTES:
        raise ValidationError(_("分片大小无效。"), code="chunk")
    if upload.received + len(chunk) > upload.size:
        raise ValidationError(_("收到的数据超过了声明的文件大小。"), code="overflow")
    path = _upload_path(upload)
    # unbuffered, so that after an error (disk full) no buffered byte is written on close
    with open(path, "r+b" if path.exists() else "w+b", buffering=0) as handle:
        try:
            handle.seek(offset)
            rest = memoryview(chunk)
            while rest:
                rest = rest[handle.write(rest) :]
            handle.truncate()
            os.fsync(handle.fileno())
        except OSError:  # keep only the bytes received before: the client may resume from there
            handle.truncate(offset)
            raise
    upload.received += len(chunk)
    if upload.received == upload.size:
        upload.completed_at = timezone.now()
    upload.save(update_fields=["received", "completed_at"])
    return upload


def upload_status(*, account, upload: Upload | uuid.UUID | str) -> Upload:
    return _own_upload(account, upload)


def upload_finish(*, account, upload: Upload | uuid.UUID | str) -> File:
    """The finished upload as a file object (named as the user's file) for ``entry_submit``,
    which checks its content like any other file. The caller closes it."""
    upload = _own_upload(account, upload)
    path = _upload_path(upload)
    if upload.completed_at is None or not path.exists() or path.stat().st_size != upload.size:
        raise ValidationError(
            _("「%(name)s」尚未上传完成，请继续上传后再提交。") % {"name": upload.filename}, code="incomplete"
        )
    file = File(open(path, "rb"), name=upload.filename)  # noqa: SIM115 - closed by entry_submit
    file.size = upload.size
    file.upload_id = upload.pk
    return file


def uploads_discard(ids: Iterable[uuid.UUID]) -> None:
    for upload in Upload.objects.filter(pk__in=list(ids)):
        _upload_path(upload).unlink(missing_ok=True)
        upload.delete()


def upload_cleanup_expired(*, now: dt.datetime | None = None, lifetime: dt.timedelta = UPLOAD_LIFETIME) -> int:
    """Remove uploads started more than ``lifetime`` ago (finished ones that no entry took, and
    unfinished ones) with their partial files. Returns how many were removed."""
    cutoff = (now or timezone.now()) - lifetime
    expired = list(Upload.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True))
    uploads_discard(expired)
    return len(expired)
