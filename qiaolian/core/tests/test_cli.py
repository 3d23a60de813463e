"""The `qiaolian` operator command."""

from __future__ import annotations

import gettext
import subprocess
import sys

import pytest
from django.db import connection

from qiaolian import cli
from qiaolian.accounts.models import ApiToken
from qiaolian.accounts.services import api_token_user
from qiaolian.audit.models import Action, AuditEntry


def test_token_creates_an_api_token_and_prints_it(jinshan, capsys):
    assert cli.main(["token", "zhujing", "--name", "报表同步"]) == 0

    plain = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(digest=ApiToken.digest_of(plain))
    assert token.user == jinshan.user("zhujing")
    assert token.name == "报表同步"
    assert api_token_user(plain) == jinshan.user("zhujing")
    assert AuditEntry.objects.filter(action=Action.TOKEN_CREATE, actor_name="cli").exists()


def test_token_for_unknown_user_is_a_clear_error_with_exit_code_2(db, capsys):
    assert cli.main(["token", "ghost"]) == 2

    captured = capsys.readouterr()
    assert "no user named 'ghost'" in captured.err
    assert captured.out == ""
    assert not ApiToken.objects.exists()


def test_audit_verify_reports_ok_with_the_number_of_entries(jinshan, capsys):
    count = AuditEntry.objects.count()
    assert count > 0

    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.strip() == f"OK: {count} entries"


def _tamper_with_audit_entry(seq: int) -> None:
    """Change an entry behind the application's back (the trigger is lifted in this test's transaction only)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute("UPDATE audit_auditentry SET actor_name = %s WHERE seq = %s", ["mallory", seq])


def test_audit_verify_names_the_first_altered_entry_and_exits_1(jinshan, capsys):
    _tamper_with_audit_entry(2)

    assert cli.main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert "entry #2" in captured.err
    assert "altered" in captured.err
    assert "OK" not in captured.out


def test_audit_entries_cannot_be_updated_while_the_trigger_stands(jinshan):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = %s WHERE seq = 1", ["mallory"])


PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"

msgid "侨情人员"
msgstr "Constituents"

#, fuzzy
msgid "家庭户"
msgstr "Households"

msgid "批量导入"
msgstr ""
"""


def test_compilemessages_builds_mo_files_with_polib(tmp_path, capsys):
    po = tmp_path / "en" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO, encoding="utf-8")

    assert cli.main(["compilemessages", str(tmp_path)]) == 0
    assert "1 compiled" in capsys.readouterr().out

    with (po.parent / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("侨情人员") == "Constituents"
    assert catalogue.gettext("家庭户") == "家庭户"  # fuzzy entries are left out, as msgfmt does
    assert catalogue.gettext("批量导入") == "批量导入"

    assert cli.main(["compilemessages", str(tmp_path)]) == 0
    assert "0 compiled, 1 up to date" in capsys.readouterr().out


def test_compilemessages_reports_a_broken_po_file(tmp_path, capsys):
    (tmp_path / "django.po").write_text('msgid "x"\nbogus\n', encoding="utf-8")

    assert cli.main(["compilemessages", str(tmp_path)]) == 1
    assert "django.po" in capsys.readouterr().err


def test_demo_data_passes_its_options_to_the_management_command(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "_call", lambda *args: calls.append(args) or 0)

    assert cli.main(["demo-data", "--scale", "3", "--seed", "7", "--if-empty"]) == 0
    assert cli.main(["demo-data"]) == 0
    assert calls == [("demo_data", "--scale", "3", "--seed", "7", "--if-empty"), ("demo_data",)]


def test_demo_accounts_lists_only_accounts_that_still_have_the_demo_password(jinshan, settings, capsys):
    admin = jinshan.user("admin")
    admin.set_password(settings.QIAOLIAN_DEMO_PASSWORD)
    admin.save()

    assert cli.main(["demo-accounts"]) == 0
    out = capsys.readouterr().out
    assert settings.QIAOLIAN_DEMO_PASSWORD in out
    assert "admin" in out
    assert "区侨联管理员" in out
    assert "zhujing" not in out


def test_manage_passes_through_to_django(db, capsys):
    assert cli.main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_serve_stops_the_web_server_when_the_worker_dies(monkeypatch, capsys):
    started = []
    real_popen = subprocess.Popen

    def fake_popen(command, **kwargs):
        # the worker exits at once with an error; the "web server" would run for a minute
        code = "raise SystemExit(3)" if "worker" in command else "import time; time.sleep(60)"
        child = real_popen([sys.executable, "-c", code], **kwargs)
        started.append(child)
        return child

    monkeypatch.setattr(cli.subprocess, "Popen", fake_popen)

    assert cli.main(["serve", "--port", "8999"]) == 1
    assert all(child.returncode is not None for child in started)
    assert "the worker stopped (exit code 3)" in capsys.readouterr().err


def test_python_dash_m_qiaolian_shows_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "qiaolian", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    for command in ("serve", "demo-data", "token", "audit", "compilemessages"):
        assert command in result.stdout


def test_import_and_dedupe_are_operator_subcommands(jinshan, tmp_path, capsys):
    """`qiaolian import` and `qiaolian dedupe` pass through to their management commands; through
    them, an import preview writes nothing and dedupe --export writes the candidate pairs (none
    here: every person of the fixture is distinct). The commands are called directly for the
    behaviour because a management command run from argv closes the database connections."""
    from django.core.management import call_command

    from qiaolian.registry.models import Person

    assert cli.main(["import", "--help"]) == 0
    assert "--commit" in capsys.readouterr().out
    assert cli.main(["dedupe", "--help"]) == 0
    assert "--export" in capsys.readouterr().out

    people = tmp_path / "persons.csv"
    people.write_text("姓名,性别,出生日期,人员类别,所属侨联\n陈美华,女,1956-03-02,归侨,朱泾镇侨联\n", encoding="utf-8")
    before = Person.objects.count()
    call_command("import", "persons", str(people), user="admin")
    assert "1" in capsys.readouterr().out  # the preview counts the data row
    assert Person.objects.count() == before  # a preview writes nothing

    pairs = tmp_path / "pairs.csv"
    call_command("dedupe", export=str(pairs))
    assert pairs.exists() and pairs.read_text(encoding="utf-8-sig").splitlines()[0]
