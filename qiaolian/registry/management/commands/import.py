"""``manage.py import KIND FILE``: check (and with --commit, import) a spreadsheet from the shell.

Without --commit nothing is written: the file is read and every row checked as the web preview
does, and the counts and first issues are printed. With --commit the file goes through the very
path of the web import (batch stored, checked, confirmed, committed in one transaction with one
audit entry), synchronously, and the rows not imported are written to a workbook.

Kinds are the ``ImportKind``s the apps register (``core.importkinds``): persons, enterprises,
activity participants, aid recipients …; a kind's upload options (e.g. the activity) are given
as ``--option name=value``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from qiaolian.core.importkinds import all_kinds, get_kind
from qiaolian.orgs.models import Federation

FIRST_ISSUES = 20


@dataclass
class ImportReport:
    """What a preview or a commit found, for printing."""

    rows: int = 0
    importable: int = 0
    invalid: int = 0
    duplicates: int = 0
    warned: int = 0  # importable rows that may be persons already in the registry
    imported: int | None = None
    issues: list[str] = field(default_factory=list)  # the first ones, each "sheet row column: reason"
    rejects: bytes = b""
    status: str = ""
    message: str = ""


def _issue_lines(pairs) -> list[str]:
    lines = []
    for (sheet, number), issue in pairs:
        where = f"{sheet} 第{number}行" if sheet else f"第{number}行"
        column = f" {issue.column}" if issue.column else ""
        lines.append(f"{where}{column}：{issue.reason}")
    return lines


def preview(kind, *, actor, content: bytes, file_name: str, federation, options) -> ImportReport:
    from qiaolian.registry import importing

    _table, outcome = importing.import_file_preview(
        actor=actor, content=content, file_name=file_name, federation=federation, kind=kind, options=options
    )
    return ImportReport(
        rows=outcome.total,
        importable=outcome.valid,
        invalid=outcome.invalid,
        duplicates=outcome.duplicates,
        warned=outcome.warned,
        issues=_issue_lines(outcome.first_issues(FIRST_ISSUES)),
    )


def commit(kind, *, actor, content: bytes, file_name: str, federation, options) -> ImportReport:
    """The very path of the web import, run synchronously."""
    from qiaolian.registry import importing

    upload = SimpleUploadedFile(file_name, content)
    batch = importing.import_batch_create(
        actor=actor, upload=upload, federation=federation, in_background=False, kind=kind, options=options
    )
    batch = importing.import_batch_check(batch_id=batch.pk)
    if batch.status == "checked":
        importing.import_batch_confirm(actor=actor, batch=batch, in_background=False)
        batch = importing.import_batch_commit(batch_id=batch.pk, actor_id=actor.pk)
    issues = [((i.sheet, i.row_number), i) for i in importing.import_issues(batch=batch).order_by("id")[:FIRST_ISSUES]]
    rejects = b""
    if batch.rejects_file:
        with batch.rejects_file.open("rb") as handle:
            rejects = handle.read()
    return ImportReport(
        rows=batch.total_rows,
        importable=batch.valid_rows,
        invalid=batch.invalid_rows,
        duplicates=batch.duplicate_rows,
        warned=batch.warned_rows,
        imported=batch.imported_rows if batch.status == "done" else 0,
        issues=_issue_lines(issues),
        rejects=rejects,
        status=batch.get_status_display(),
        message=batch.message,
    )


def kind_for(name: str):
    from qiaolian.registry import importing  # noqa: F401  (registers the persons kind)

    try:
        return get_kind(name)
    except KeyError:
        raise CommandError(f"未知的导入类型“{name}”，可用：{', '.join(k.key for k in all_kinds())}") from None


def options_for(kind, *, actor, pairs: list[str]) -> dict:
    """``--option name=value`` pairs read by the kind's upload fields, as the web form reads them."""
    fields = kind.option_fields(user=actor)
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in fields:
            names = "、".join(fields) or "（无）"
            raise CommandError(f"无法识别的选项“{pair}”：{kind.label}的选项有 {names}，写成 名称=值。")
        given[name] = value
    data = {}
    for name, form_field in fields.items():
        try:
            data[name] = form_field.clean(given.get(name, ""))
        except ValidationError as error:
            raise CommandError(f"选项 {name}：{' '.join(error.messages)}") from None
    return kind.clean_options(user=actor, data=data)


class Command(BaseCommand):
    help = "检查（加 --commit 则导入）一个表格文件：manage.py import persons 名单.xlsx [--commit]"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="导入什么：persons（侨情人员）、enterprises、participants、aid_recipients 等")
        parser.add_argument("file", help="表格文件（.xlsx、.xls、.ods、.csv）")
        parser.add_argument("--commit", action="store_true", help="写入；不加时只检查，什么都不写")
        parser.add_argument("--federation", help="导入单位（侨联代码或名称）；所属侨联留空的行归入该单位")
        parser.add_argument("--user", help="以哪个用户的身份导入（用户名）；不填时用唯一的超级管理员")
        parser.add_argument("--rejects", help="未导入的行写到这个文件（默认：原文件旁的 <文件名>-未导入.xlsx）")
        parser.add_argument(
            "--option", action="append", default=[], help="导入选项 名称=值，如 --option activity=HD2026-001（可重复）"
        )

    def handle(self, *args, **options):
        kind = kind_for(options["kind"])
        path = options["file"]
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise CommandError(f"无法打开文件 {path}：{exc.strerror}") from None
        actor = self._user(options.get("user"))
        federation = self._federation(options.get("federation"))
        file_name = os.path.basename(path)
        try:
            kind_options = options_for(kind, actor=actor, pairs=options["option"])
            run = commit if options["commit"] else preview
            report = run(
                kind, actor=actor, content=content, file_name=file_name, federation=federation, options=kind_options
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied:
            raise CommandError(f"用户 {actor.username} 没有导入权限，或导入单位不在其管辖范围内。") from None
        self._print(report, options, path)

    def _user(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户名为“{username}”的有效用户。")
            return user
        admins = list(users.filter(is_superuser=True)[:2])
        if len(admins) != 1:
            raise CommandError("请用 --user 指定以哪个用户的身份导入。")
        return admins[0]

    def _federation(self, code_or_name: str | None):
        if not code_or_name:
            return None
        # An operator's lookup by code or name, before any user's jurisdiction applies (the
        # services check that the user may import into it).
        found = list(
            Federation.objects.filter(Q(code=code_or_name) | Q(name=code_or_name) | Q(short_name=code_or_name))[:2]
        )
        if len(found) != 1:
            raise CommandError(f"找不到唯一的侨联组织“{code_or_name}”（请用代码或全称）。")
        return found[0]

    def _print(self, report: ImportReport, options, path: str) -> None:
        write = self.stdout.write
        if report.status:
            write(f"状态：{report.status}")
        write(f"数据行：{report.rows}")
        write(f"可导入：{report.importable}")
        write(f"有错误：{report.invalid}")
        write(f"重复或已在库中：{report.duplicates}")
        if report.warned:
            write(f"疑似与库中人员重复（仍导入，请核对）：{report.warned}")
        if report.imported is not None:
            write(f"已导入：{report.imported}")
            write(f"未导入：{report.rows - report.imported}")
        if report.message:
            write(f"说明：{report.message}")
        if report.issues:
            write(f"问题（前 {len(report.issues)} 条）：")
            for line in report.issues:
                write(f"  {line}")
        if report.rejects:
            target = options.get("rejects") or f"{os.path.splitext(path)[0]}-未导入.xlsx"
            with open(target, "wb") as handle:
                handle.write(report.rejects)
            write(f"未导入的行：{target}")
        if not options["commit"]:
            write("（只检查，未写入。加 --commit 导入。）")
