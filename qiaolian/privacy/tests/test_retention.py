"""Retention rules with time travel: records are put in the past by setting their timestamps, and
each rule must act only after its period and only on the records it names."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import AuditEntry
from qiaolian.audit.services import audit_verify
from qiaolian.casework.models import Case, CaseNote
from qiaolian.casework.tests.factories import open_case
from qiaolian.portal.models import DataRequest, PortalProfile, VerificationCode
from qiaolian.privacy.anonymize import ANONYMIZED, ERASED
from qiaolian.privacy.models import RetentionRun
from qiaolian.privacy.retention import RULES, RULES_BY_KEY
from qiaolian.privacy.services import retention_rule_run, retention_run
from qiaolian.privacy.tasks import retention_run_task
from qiaolian.registry.models import ImportBatch, ImportIssue
from qiaolian.testing import make_user

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 3, 0))


def _run(key: str, **kwargs):
    return retention_rule_run(rule=RULES_BY_KEY[key], now=NOW, **kwargs)


def _ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


# Closed cases --------------------------------------------------------------------------------------


def _closed_case(js, closed_on: dt.date | None) -> Case:
    case = open_case(js, title="陈国华老宅拆迁补偿", requester_name="陈国华", requester_phone="13812345678")
    CaseNote.objects.create(case=case, body="陈国华来电补充材料")
    Case.objects.filter(pk=case.pk).update(closed_on=closed_on, state="closed" if closed_on else case.state)
    return Case.objects.get(pk=case.pk)


def test_closed_case_is_anonymized_only_after_five_years_keeping_statistics(jinshan):
    old = _closed_case(jinshan, (NOW - dt.timedelta(days=5 * 365 + 1)).date())
    recent = _closed_case(jinshan, (NOW - dt.timedelta(days=5 * 365 - 1)).date())
    still_open = _closed_case(jinshan, None)
    Case.objects.filter(pk=still_open.pk).update(received_on=dt.date(2001, 1, 1))

    outcome = _run("closed_cases")

    assert outcome.processed == 1
    old.refresh_from_db()
    assert old.requester_name == ERASED and old.title == ANONYMIZED and old.description == ANONYMIZED
    assert old.requester_phone is None and old.requester_phone_hash is None and old.person_id is None
    assert old.type == "rights" and old.category == "property" and old.closed_on is not None
    assert old.federation_id == jinshan.zhujing.pk
    assert CaseNote.objects.get(case=old).body == ANONYMIZED
    for kept in (recent, still_open):
        kept.refresh_from_db()
        assert kept.requester_name == "陈国华" and kept.title == "陈国华老宅拆迁补偿"
        assert CaseNote.objects.get(case=kept).body == "陈国华来电补充材料"


def test_anonymized_case_leaves_no_name_in_the_search_keys(jinshan):
    from qiaolian.search.models import TitleKey

    case = _closed_case(jinshan, dt.date(2015, 1, 1))
    _run("closed_cases")
    assert not TitleKey.objects.filter(object_id=case.pk, key__contains="陈国华").exists()


def test_case_period_follows_the_settings(jinshan):
    case = _closed_case(jinshan, (NOW - dt.timedelta(days=40)).date())
    with override_settings(QIAOLIAN_RETENTION_DAYS={"closed_cases": 30}):
        assert RULES_BY_KEY["closed_cases"].days == 30
        assert _run("closed_cases").processed == 1
    case.refresh_from_db()
    assert case.title == ANONYMIZED


# Owner-deleted portal accounts ------------------------------------------------------------------


def _portal_user(js, username: str, *, fulfilled_days_ago: float | None, status="fulfilled") -> User:
    user = make_user(username, Role.PUBLIC, None, is_active=status != "fulfilled")
    PortalProfile.objects.create(user=user, phone="+8613900001111")
    DataRequest.objects.create(
        user=user,
        account_label=username,
        federation=js.district,
        kind="delete",
        status=status,
        handled_at=_ago(fulfilled_days_ago) if fulfilled_days_ago is not None else None,
    )
    return user


def test_owner_deleted_portal_account_is_purged_after_thirty_days(jinshan):
    gone = _portal_user(jinshan, "deleted-old", fulfilled_days_ago=31)
    young = _portal_user(jinshan, "deleted-young", fulfilled_days_ago=29)
    waiting = _portal_user(jinshan, "waiting", fulfilled_days_ago=None, status="received")

    assert _run("deleted_portal_accounts").processed == 1

    assert not User.objects.filter(pk=gone.pk).exists()
    assert not PortalProfile.objects.filter(user_id=gone.pk).exists()
    request = DataRequest.objects.get(account_label="deleted-old")
    assert request.user_id is None  # the request itself is kept, without the account
    assert User.objects.filter(pk__in=[young.pk, waiting.pk]).count() == 2
    assert _run("deleted_portal_accounts").processed == 0


def test_active_staff_account_is_never_purged(jinshan):
    staff = jinshan.user("staff")
    DataRequest.objects.create(
        user=staff, account_label="staff", federation=jinshan.district, kind="delete", status="fulfilled",
        handled_at=_ago(400),
    )  # fmt: skip
    assert _run("deleted_portal_accounts").processed == 0
    assert User.objects.filter(pk=staff.pk).exists()


# Codes, sessions, login logs, task results ------------------------------------------------------


def test_verification_codes_go_seven_days_after_expiry(jinshan):
    user = make_user("codes", Role.PUBLIC, None)
    old = VerificationCode.objects.create(user=user, purpose="signup", channel="sms", digest="a", expires_at=_ago(8))
    young = VerificationCode.objects.create(user=user, purpose="signup", channel="sms", digest="b", expires_at=_ago(6))
    assert _run("verification_codes").processed == 1
    assert list(VerificationCode.objects.values_list("pk", flat=True)) == [young.pk]
    assert not VerificationCode.objects.filter(pk=old.pk).exists()


def test_expired_sessions_go_and_live_ones_stay(db):
    Session.objects.create(session_key="expired", session_data="x", expire_date=_ago(1))
    Session.objects.create(session_key="alive", session_data="x", expire_date=NOW + dt.timedelta(days=1))
    assert _run("expired_sessions").processed == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["alive"]


@pytest.mark.parametrize(
    ("key", "model", "extra"),
    [
        ("access_logs", AccessLog, {}),
        ("access_attempts", AccessAttempt, {"get_data": "", "post_data": "", "failures_since_start": 1}),
        ("access_failure_logs", AccessFailureLog, {}),
    ],
)
def test_login_logs_are_kept_180_days(db, key, model, extra):
    def make(days, name):
        row = model.objects.create(username=name, ip_address="10.0.0.1", user_agent="t", **extra)
        model.objects.filter(pk=row.pk).update(attempt_time=_ago(days))
        return row

    make(181, "old")
    young = make(179, "young")
    assert _run(key).processed == 1
    assert list(model.objects.values_list("pk", flat=True)) == [young.pk]


def _task_result(status: str, finished_days_ago: float | None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        task_path="qiaolian.privacy.tasks.retention_run_task",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        finished_at=_ago(finished_days_ago) if finished_days_ago is not None else None,
    )


def test_finished_task_results_go_after_thirty_days(db):
    done = _task_result("SUCCESSFUL", 31)
    failed = _task_result("FAILED", 31)
    young = _task_result("SUCCESSFUL", 29)
    running = _task_result("RUNNING", None)
    assert _run("task_results").processed == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {young.pk, running.pk} and not left & {done.pk, failed.pk}


# Import files ------------------------------------------------------------------------------------


def _batch(js, *, days: float, status: str) -> ImportBatch:
    batch = ImportBatch.objects.create(
        federation=js.zhujing,
        created_by=js.user("admin"),
        file_name="名单.xlsx",
        status=status,
        file=ContentFile(b"name,id\n", name="list.xlsx"),
        rejects_file=ContentFile(b"rejects", name="rejects.xlsx"),
    )
    ImportIssue.objects.create(batch=batch, row_number=2, column="姓名", value="陈国华", reason="证件号码有误")
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=_ago(days))
    return ImportBatch.objects.get(pk=batch.pk)


def test_import_files_go_after_ninety_days_of_finished_batches(jinshan, django_capture_on_commit_callbacks):
    old = _batch(jinshan, days=91, status="done")
    young = _batch(jinshan, days=89, status="done")
    running = _batch(jinshan, days=200, status="importing")
    old_names = [old.file.name, old.rejects_file.name]

    with django_capture_on_commit_callbacks(execute=True):
        assert _run("import_files").processed == 1

    old.refresh_from_db()
    assert not old.file and not old.rejects_file
    assert not any(default_storage.exists(name) for name in old_names)
    assert ImportIssue.objects.get(batch=old).value == ""
    assert old.total_rows == 0 and old.file_name == "名单.xlsx"  # the batch's record stays
    for kept in (young, running):
        kept.refresh_from_db()
        assert kept.file and default_storage.exists(kept.file.name)
        assert ImportIssue.objects.get(batch=kept).value == "陈国华"


# Running all rules -------------------------------------------------------------------------------


def test_each_rule_run_is_recorded_and_audited_once(jinshan):
    before = AuditEntry.objects.count()
    outcomes = retention_run(now=NOW)
    assert len(outcomes) == len(RULES)
    assert RetentionRun.objects.count() == len(RULES)
    entries = AuditEntry.objects.filter(target_type="privacy.retentionrun")
    assert entries.count() == len(RULES) == AuditEntry.objects.count() - before
    assert {e.data["rule"] for e in entries} == {r.key for r in RULES}
    assert audit_verify().ok


def test_dry_run_counts_but_changes_nothing(jinshan):
    case = _closed_case(jinshan, dt.date(2010, 1, 1))
    before = AuditEntry.objects.count()
    out = io.StringIO()
    call_command("privacy_retention", "--dry-run", stdout=out)
    assert "closed_cases: 1 would be processed" in out.getvalue()
    case.refresh_from_db()
    assert case.requester_name == "陈国华"
    assert AuditEntry.objects.count() == before and not RetentionRun.objects.exists()


def test_command_is_idempotent(jinshan):
    _closed_case(jinshan, dt.date(2010, 1, 1))
    Session.objects.create(session_key="expired", session_data="x", expire_date=timezone.now() - dt.timedelta(1))
    first, second = io.StringIO(), io.StringIO()
    call_command("privacy_retention", stdout=first)
    call_command("privacy_retention", stdout=second)
    assert "closed_cases: 1 processed" in first.getvalue()
    assert "expired_sessions: 1 processed" in first.getvalue()
    assert all(line.split(": ")[1].startswith("0 processed") for line in second.getvalue().splitlines())


def test_command_refuses_an_unknown_rule(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("privacy_retention", "--rule", "nonsense")


def test_worker_task_runs_the_rules(jinshan):
    _closed_case(jinshan, dt.date(2010, 1, 1))
    result = retention_run_task.enqueue()
    assert result.return_value["closed_cases"] == 1
    assert RetentionRun.objects.filter(rule="closed_cases", processed=1).exists()


# The staff page -----------------------------------------------------------------------------------


def test_admin_sees_rules_periods_and_last_run(client, jinshan):
    _closed_case(jinshan, dt.date(2010, 1, 1))
    retention_run(actor=jinshan.user("admin"), now=NOW)
    client.force_login(jinshan.user("admin"))
    body = client.get(reverse("privacy:retention")).content.decode()
    for rule in RULES:
        assert rule.key in body and str(rule.label) in body
    assert "1825" in body  # the period of closed cases, in days
    assert "尚未执行" not in body


@pytest.mark.parametrize("role", ["staff", "zhujing", "auditor"])
def test_retention_page_is_only_for_the_district_admin(client, jinshan, role):
    client.force_login(jinshan.user(role))
    assert client.get(reverse("privacy:retention")).status_code == 403


def test_every_rule_names_an_installed_model_and_a_sensible_period():
    for rule in RULES:
        assert rule.model_class()._meta.label == rule.model
        assert rule.select(NOW).model is rule.model_class()
        assert rule.days >= 0
    assert RULES_BY_KEY["closed_cases"].days >= 5 * 365
