"""Households in the persons import: rows with the same 户号 become one 家庭户 with each member's
relation to the head; mistakes in the household columns are returned per row; the batch's
households are rolled back with its persons."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError

from qiaolian.registry import importing
from qiaolian.registry.choices import HouseholdRelation
from qiaolian.registry.models import Household, ImportBatch, Person
from qiaolian.registry.tests.factories import PersonFactory, resident_id
from qiaolian.registry.tests.importing_helpers import assert_every_row_accounted_for, import_file

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "证件号码", "身份类别", "所属侨联", "住址", "户号", "与户主关系"]


def row(i: int, household: str, relation: str, *, federation: str = "朱泾镇侨联", address: str = "") -> list:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=400 * i)
    name = ["张建国", "李秀英", "张伟", "王志强", "陈美玲", "王小明", "赵丽华"][i % 7]
    address = address or f"朱泾镇人民路{i}号"
    return [name, resident_id(birth, serial=700 + i), "侨眷", federation, address, household, relation]


def workbook(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("人员信息")
    sheet.write_row(0, 0, HEADERS)
    for n, cells in enumerate(rows, start=1):
        sheet.write_row(n, 0, cells)
    book.close()
    return buffer.getvalue()


def test_rows_with_the_same_household_number_become_one_household(jinshan, django_capture_on_commit_callbacks):
    rows = [
        row(0, "1", "户主", address="朱泾镇东林街8号"),
        row(1, "1", "妻子"),
        row(2, "1", "儿子"),
        row(3, "A-02", "子女"),  # the head comes later in the file
        row(4, "A-02", "本人"),
        row(5, "", ""),  # not in a household
    ]
    batch = import_file(jinshan.user("zhujing"), "户.xlsx", workbook(rows), django_capture_on_commit_callbacks)
    assert_every_row_accounted_for(batch, 6, Person)
    households = {h.label: h for h in Household.objects.filter(import_batch=batch)}
    assert set(households) == {"张建国户", "陈美玲户"}
    zhang = households["张建国户"]
    assert zhang.federation == jinshan.zhujing
    assert zhang.address.reveal() == "朱泾镇东林街8号"  # the head's address
    members = {p.name: p.household_relation for p in zhang.members.all()}
    assert members == {
        "张建国": HouseholdRelation.HEAD,
        "李秀英": HouseholdRelation.SPOUSE,
        "张伟": HouseholdRelation.CHILD,
    }
    chen = households["陈美玲户"]
    assert {p.name: p.household_relation for p in chen.members.all()} == {
        "王志强": HouseholdRelation.CHILD,
        "陈美玲": HouseholdRelation.HEAD,
    }
    assert Person.objects.get(import_batch=batch, name="王小明").household is None


def test_a_household_spanning_chunks_and_worker_processes_is_one_household(
    jinshan, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    settings.QIAOLIAN_IMPORT_WORKERS = 2
    rows = [row(i, "7", "户主" if i == 3 else "子女") for i in range(5)]
    batch = import_file(jinshan.user("zhujing"), "户.xlsx", workbook(rows), django_capture_on_commit_callbacks)
    assert batch.imported_rows == 5
    household = Household.objects.get(import_batch=batch)
    assert household.members.count() == 5
    assert household.label == f"{rows[3][0]}户"
    assert household.members.filter(household_relation=HouseholdRelation.HEAD).count() == 1


def test_mistakes_in_the_household_columns_are_returned_per_row(jinshan):
    rows = [
        row(0, "1", "户主"),
        row(1, "1", "户主"),  # a second head
        row(2, "1", "子女", federation="石化街道侨联"),  # another federation in the same household
        row(3, "2", "邻居"),  # not a relation
        row(4, "", "配偶"),  # a relation without a household
        row(5, "2", "配偶"),
    ]
    table = importing.read_table(workbook(rows), "户.xlsx")
    outcome = importing.check_rows(table=table, actor=jinshan.user("admin"))
    got = {number: [(i.column, i.reason) for i in issues] for (_sheet, number), issues in outcome.issues.items()}
    assert set(got) == {3, 4, 5, 6}
    assert got[3][0][0] == "与户主关系" and "已有户主" in got[3][0][1] and "第 2 行" in got[3][0][1]
    assert got[4][0][0] == "所属侨联" and "同一户" in got[4][0][1]
    assert got[5][0][0] == "与户主关系" and "邻居" in got[5][0][1]
    assert got[6][0][0] == "户号"
    assert outcome.valid == 2


def test_rolling_back_removes_the_batchs_households_unless_someone_joined_one(
    jinshan, django_capture_on_commit_callbacks
):
    admin = jinshan.user("admin")
    batch = import_file(
        admin, "户.xlsx", workbook([row(0, "1", "户主"), row(1, "1", "配偶")]), django_capture_on_commit_callbacks
    )
    household = Household.objects.get(import_batch=batch)
    importing.import_batch_rollback(actor=admin, batch=batch)
    assert not Household.objects.filter(pk=household.pk).exists()
    assert not Person.objects.filter(import_batch=batch).exists()

    again = import_file(
        admin, "户2.xlsx", workbook([row(2, "9", "户主"), row(3, "9", "子女")]), django_capture_on_commit_callbacks
    )
    household = Household.objects.get(import_batch=again)
    PersonFactory(federation=jinshan.zhujing, name="后来者", household=household, household_relation="other")
    with pytest.raises(ValidationError, match="家庭户"):
        importing.import_batch_rollback(actor=admin, batch=again)
    assert ImportBatch.objects.get(pk=again.pk).status == "done"
    assert Household.objects.filter(pk=household.pk).exists()
