"""Writes to contests (DOMAIN.md W10): checked, atomic, audited.

A contest moves along one line of states — 筹备中 → 已发布 → 征集中 → 形式审查 → 评审中 →
结果公示 → 已揭晓 — through ``contest_transition`` and the table ``TRANSITIONS``; each step has
its preconditions (below) and is written to the audit log. Scores are aggregated by one rule,
``entry_score`` (see its docstring and docs/contests.md).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.contests.models import (
    Award,
    Category,
    Contest,
    ContestStatus,
    Criterion,
    Entry,
    EntryStatus,
    Objection,
    Score,
)
from qiaolian.core.permissions import require_in_scope, require_perm

S = ContestStatus

# Where a contest may go from each state (W10). Going back is possible only before entries come in.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.ANNOUNCED,),
    S.ANNOUNCED: (S.OPEN, S.DRAFT),
    S.OPEN: (S.SCREENING,),
    S.SCREENING: (S.JUDGING,),
    S.JUDGING: (S.NOTICE,),
    S.NOTICE: (S.FINAL,),
    S.FINAL: (),
}
# Categories and criteria are fixed once judging has begun (scores refer to them).
LOCKED_STATES = (S.JUDGING, S.NOTICE, S.FINAL)
# Awards are given after results are computed and may be corrected during the notice.
AWARD_STATES = (S.JUDGING, S.NOTICE)
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)
# Five or more judges: the highest and the lowest total are dropped.
DROP_EXTREMES_FROM = 5


def _label(state: str) -> str:
    return str(ContestStatus(state).label) if state in ContestStatus.values else state


# Contests -----------------------------------------------------------------------------------


def _check_contest(contest: Contest) -> None:
    if contest.opens_at and contest.closes_at and contest.closes_at <= contest.opens_at:
        raise ValidationError({"closes_at": _("征集截止时间须晚于开始时间。")})


def criteria_weight_error(weights: Iterable[int]) -> str:
    """The message for weights that do not add up to 100, or "" when they do."""
    total = sum(int(w or 0) for w in weights)
    if total != 100:
        return _("评分项权重合计须为 100，目前为 %(total)s。") % {"total": total}
    return ""


def _judges_valid(judges: Sequence[User]) -> None:
    wrong = [str(j) for j in judges if j.role != Role.JUDGE or not j.is_active]
    if wrong:
        raise ValidationError({"judges": _("以下用户不是评委：%(names)s。") % {"names": "、".join(wrong)}})


@transaction.atomic
def contest_save(
    *,
    actor,
    data: dict[str, Any],
    categories: list[dict[str, Any]],
    criteria: list[dict[str, Any]],
    judges: Sequence[User] | None = None,
    contest: Contest | None = None,
) -> Contest:
    """Create or change a contest with its categories, criteria and panel of judges.

    ``categories`` and ``criteria`` are the complete lists (a row with ``id`` changes that row,
    one without adds a row, rows left out are removed — a category only while it has no entries).
    Criteria weights must total 100 whenever criteria are given."""
    require_perm(actor, "contests.change_contest")
    federation = data.get("federation") or (contest.federation if contest else actor.federation)
    require_in_scope(actor, getattr(federation, "pk", None))
    data = {**data, "federation": federation}
    if criteria:
        message = criteria_weight_error(c.get("weight") for c in criteria)
        if message:
            raise ValidationError({"criteria": message})
    _unique([c["name"] for c in categories], "categories", _("组别名称“%(name)s”重复。"))
    _unique([c["name"] for c in criteria], "criteria", _("评分项名称“%(name)s”重复。"))
    if judges is not None:
        _judges_valid(judges)
    if contest is None:
        contest = Contest(created_by=actor, **data)
        audited_create(actor, contest, federation_id=federation.pk, before_save=_check_contest)
    else:
        require_in_scope(actor, contest.federation_id)
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        audited_update(actor, contest, data, federation_id=federation.pk, before_save=_check_contest)
    locked = contest.status in LOCKED_STATES
    _sync_rows(actor, contest, Category, categories, locked=locked, what=_("组别"))
    _sync_rows(actor, contest, Criterion, criteria, locked=locked, what=_("评分项"))
    if judges is not None:
        before = sorted(contest.judges.values_list("pk", flat=True))
        after = sorted(j.pk for j in judges)
        if before != after:
            if contest.status in (S.NOTICE, S.FINAL):
                raise ValidationError({"judges": _("评审已结束，不能再调整评委。")})
            contest.judges.set(judges)
            audit_record(
                actor=actor,
                action=Action.CHANGE,
                target=contest,
                data={"changes": {"judges": [[str(p) for p in before], [str(p) for p in after]]}},
            )
    return contest


def _unique(names: list[str], key: str, message: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise ValidationError({key: message % {"name": name}})
        seen.add(name)


def _sync_rows(actor, contest: Contest, model, rows: list[dict[str, Any]], *, locked: bool, what: str) -> None:
    existing = {obj.pk: obj for obj in model.objects.filter(contest=contest)}
    keep = set()
    changed = False
    for order, row in enumerate(rows):
        row = {k: v for k, v in row.items() if k != "id"} | {"order": order}
        pk = rows[order].get("id")
        if pk and pk in existing:
            keep.add(pk)
            obj = existing[pk]
            differs = any(getattr(obj, k) != v for k, v in row.items() if k != "order")
            if differs and locked:
                raise ValidationError(_("评审开始后不能再修改%(what)s。") % {"what": what})
            if differs or obj.order != order:
                audited_update(actor, obj, row, federation_id=contest.federation_id)
        else:
            if locked:
                raise ValidationError(_("评审开始后不能再修改%(what)s。") % {"what": what})
            obj = model(contest=contest, **row)
            audited_create(actor, obj, federation_id=contest.federation_id)
            changed = True
    for pk, obj in existing.items():
        if pk in keep:
            continue
        if locked:
            raise ValidationError(_("评审开始后不能再修改%(what)s。") % {"what": what})
        if model is Category and obj.entries.exists():
            raise ValidationError(_("组别“%(name)s”已有作品，不能删除。") % {"name": obj.name})
        audit_record(
            actor=actor, action=Action.DELETE, target=obj, federation_id=contest.federation_id, data={"name": obj.name}
        )
        obj.delete()
        changed = True
    return changed


def _transition_problems(contest: Contest, to: str) -> list[str]:
    """What stands in the way of moving ``contest`` to ``to`` (empty: nothing)."""
    problems = []
    if to in (S.ANNOUNCED, S.OPEN):
        if not contest.closes_at > contest.opens_at:
            problems.append(_("征集截止时间须晚于开始时间。"))
        if not contest.categories.exists():
            problems.append(_("请至少设置一个组别。"))
        message = criteria_weight_error(contest.criteria.values_list("weight", flat=True))
        if message:
            problems.append(message)
    if to == S.JUDGING:
        entries = contest.entries.all()
        pending = entries.filter(status=EntryStatus.SUBMITTED).count()
        if pending:
            problems.append(_("还有 %(n)s 件作品未完成形式审查。") % {"n": pending})
        if not entries.filter(status=EntryStatus.ELIGIBLE).exists():
            problems.append(_("没有审查通过的作品。"))
        if not contest.judges.exists():
            problems.append(_("请先指定评委。"))
        message = criteria_weight_error(contest.criteria.values_list("weight", flat=True))
        if message:
            problems.append(message)
    if to == S.NOTICE:
        results = contest_results(contest)
        incomplete = [r for r in results.values() if not r.is_complete]
        if incomplete:
            problems.append(
                _("还有 %(n)s 件作品未被全部评委评分：%(codes)s。")
                % {"n": len(incomplete), "codes": "、".join(r.code for r in incomplete[:10])}
            )
        elif contest.entries.filter(status=EntryStatus.ELIGIBLE, score__isnull=True).exists():
            problems.append(_("请先计算结果（评分有变动后须重新计算）。"))
        if not contest.entries.filter(status=EntryStatus.ELIGIBLE).exclude(award="").exists():
            problems.append(_("请先评定奖项。"))
    if to == S.FINAL:
        open_objections = Objection.objects.filter(entry__contest=contest, upheld__isnull=True).count()
        if open_objections:
            problems.append(_("还有 %(n)s 件异议未处理。") % {"n": open_objections})
    return problems


@transaction.atomic
def contest_transition(*, actor, contest: Contest, to: str) -> Contest:
    """Move ``contest`` to state ``to`` if the table allows it and its preconditions hold."""
    require_perm(actor, "contests.change_contest")
    require_in_scope(actor, contest.federation_id)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if to not in TRANSITIONS.get(contest.status, ()):
        raise ValidationError(
            _("“%(state)s”的大赛不能改为“%(to)s”。") % {"state": contest.get_status_display(), "to": _label(to)}
        )
    problems = _transition_problems(contest, to)
    if problems:
        raise ValidationError(problems)
    changes: dict[str, Any] = {"status": to}
    if to == S.FINAL:
        changes["results_published_at"] = timezone.now()
    audited_update(actor, contest, changes, federation_id=contest.federation_id)
    return contest


# Screening ----------------------------------------------------------------------------------


def _require_state(contest: Contest, states: Sequence[str], message: str) -> None:
    if contest.status not in states:
        raise ValidationError(message % {"state": contest.get_status_display()})


@transaction.atomic
def entries_screen(*, actor, contest: Contest, entries: Sequence[Entry], eligible: bool, reason: str = "") -> int:
    """Mark entries eligible, or ineligible with a reason (required); only while screening."""
    require_perm(actor, "contests.change_contest")
    require_in_scope(actor, contest.federation_id)
    _require_state(contest, (S.SCREENING,), _("形式审查只能在“形式审查”阶段进行，当前为“%(state)s”。"))
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise ValidationError({"reason": _("请填写不符合要求的原因。")})
    if not entries:
        raise ValidationError(_("请先选择作品。"))
    now = timezone.now()
    count = 0
    for entry in entries:
        if entry.contest_id != contest.pk:
            raise Http404("not found")
        if entry.status == EntryStatus.WITHDRAWN:
            continue
        audited_update(
            actor,
            entry,
            {
                "status": EntryStatus.ELIGIBLE if eligible else EntryStatus.INELIGIBLE,
                "ineligible_reason": "" if eligible else reason,
                "screened_by": actor,
                "screened_at": now,
            },
            federation_id=contest.federation_id,
        )
        count += 1
    return count


def entry_screen(*, actor, entry: Entry, eligible: bool, reason: str = "") -> Entry:
    entries_screen(actor=actor, contest=entry.contest, entries=[entry], eligible=eligible, reason=reason)
    return entry


# Judging ------------------------------------------------------------------------------------


def require_judge(user, contest: Contest) -> None:
    """A judge on the panel of ``contest``; any other judge does not see it (404)."""
    require_perm(user, "contests.judge")
    if not user.has_perm("contests.judge", contest):
        raise Http404("not found")


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@transaction.atomic
def scores_save(*, actor, entry: Entry, values: dict[int, Any], comment: str = "") -> list[Score]:
    """A judge's scores of one entry: every criterion of the contest, 0 to its maximum, one
    decimal. Replaces the judge's earlier scores of the entry; a computed result of the entry is
    cleared (results must be computed again)."""
    contest = entry.contest
    require_judge(actor, contest)
    _require_state(contest, (S.JUDGING,), _("只能在“评审中”阶段评分，当前为“%(state)s”。"))
    if entry.status != EntryStatus.ELIGIBLE:
        raise Http404("not found")
    criteria = list(contest.criteria.all())
    errors: dict[str, list[str]] = {}
    clean: dict[int, Decimal] = {}
    for criterion in criteria:
        key = f"criterion_{criterion.pk}"
        raw = values.get(criterion.pk)
        if raw is None or str(raw).strip() == "":
            errors[key] = [_("请为“%(name)s”打分。") % {"name": criterion.name}]
            continue
        number = _decimal(raw)
        if number is None:
            errors[key] = [_("“%(name)s”的分数须为数字。") % {"name": criterion.name}]
        elif number < 0 or number > criterion.max_score:
            errors[key] = [
                _("“%(name)s”的分数须在 0 到 %(max)s 之间。") % {"name": criterion.name, "max": criterion.max_score}
            ]
        elif number != number.quantize(ONE_PLACE):
            errors[key] = [_("“%(name)s”的分数最多保留一位小数。") % {"name": criterion.name}]
        else:
            clean[criterion.pk] = number.quantize(ONE_PLACE)
    unknown = set(values) - {c.pk for c in criteria}
    if unknown:
        errors["__all__"] = [_("评分项不属于本大赛。")]
    if errors:
        raise ValidationError(errors)
    saved = []
    for criterion in criteria:
        score, _created = Score.objects.update_or_create(
            entry=entry,
            judge=actor,
            criterion=criterion,
            defaults={"value": clean[criterion.pk], "comment": (comment or "")[:200]},
        )
        saved.append(score)
    Entry.objects.filter(pk=entry.pk).filter(Q(score__isnull=False) | Q(rank__isnull=False)).update(
        score=None, rank=None
    )
    entry.score = entry.rank = None
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=entry,
        federation_id=contest.federation_id,
        data={"scores": len(saved)},
    )
    return saved


# Aggregation --------------------------------------------------------------------------------


def judge_total(values: dict[int, Decimal], criteria: Sequence[Criterion]) -> Decimal:
    """One judge's total for one entry, 0–100: Σ value / max_score × weight over the criteria."""
    total = Decimal(0)
    for criterion in criteria:
        total += Decimal(values[criterion.pk]) / Decimal(criterion.max_score) * Decimal(criterion.weight)
    return total


def entry_score(totals: Sequence[Decimal]) -> Decimal:
    """The entry's score from its judges' totals (the contest's one aggregation rule).

    * Each judge's total is ``judge_total``: Σ value / max_score × weight (0–100).
    * With five or more judges the highest and the lowest total are dropped (one of each, even
      when several judges gave the same extreme total).
    * The score is the mean of the remaining totals, rounded half up to two decimals.
    * Entries are ranked per category by this score; equal scores (at two decimals) share a rank
      and are reported as a tie for the committee to settle.
    """
    if not totals:
        raise ValueError("no totals")
    kept = sorted(totals)
    if len(kept) >= DROP_EXTREMES_FROM:
        kept = kept[1:-1]
    return (sum(kept, Decimal(0)) / len(kept)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class EntryResult:
    entry_id: int
    code: str
    category_id: int
    judge_totals: dict[int, Decimal] = field(default_factory=dict)  # judge id → total (complete ones)
    score: Decimal | None = None

    is_complete: bool = False


def contest_results(contest: Contest) -> dict[int, EntryResult]:
    """Each eligible entry's judge totals and score (``entry_score``); an entry that not every
    judge of the panel has scored on every criterion is incomplete and has no score."""
    criteria = list(contest.criteria.all())
    judge_ids = set(contest.judges.values_list("pk", flat=True))
    entries = list(contest.entries.filter(status=EntryStatus.ELIGIBLE).order_by("code"))
    values: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for entry_id, judge_id, criterion_id, value in Score.objects.filter(
        entry__in=[e.pk for e in entries], judge_id__in=judge_ids
    ).values_list("entry_id", "judge_id", "criterion_id", "value"):
        values[(entry_id, judge_id)][criterion_id] = value
    results = {}
    for entry in entries:
        result = EntryResult(entry_id=entry.pk, code=entry.code, category_id=entry.category_id)
        for judge_id in judge_ids:
            given = values.get((entry.pk, judge_id), {})
            if criteria and all(c.pk in given for c in criteria):
                result.judge_totals[judge_id] = judge_total(given, criteria)
        result.is_complete = bool(judge_ids) and bool(criteria) and len(result.judge_totals) == len(judge_ids)
        if result.is_complete:
            result.score = entry_score(list(result.judge_totals.values()))
        results[entry.pk] = result
    return results


def ranks_with_ties(scores: dict[int, Decimal]) -> tuple[dict[int, int], set[int]]:
    """Competition ranking (1, 2, 2, 4) of ``{entry id: score}`` and the ids sharing a score."""
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    ranks, tied = {}, set()
    counts: dict[Decimal, int] = defaultdict(int)
    for _pk, score in ordered:
        counts[score] += 1
    previous, rank = None, 0
    for position, (pk, score) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = position, score
        ranks[pk] = rank
        if counts[score] > 1:
            tied.add(pk)
    return ranks, tied


@transaction.atomic
def results_compute(*, actor, contest: Contest) -> dict[str, Any]:
    """Compute every eligible entry's score and its rank in its category (评审中 only). Refused
    while any eligible entry is incomplete. Returns counts and the codes of tied entries."""
    require_perm(actor, "contests.change_contest")
    require_in_scope(actor, contest.federation_id)
    _require_state(contest, (S.JUDGING,), _("只能在“评审中”阶段计算结果，当前为“%(state)s”。"))
    results = contest_results(contest)
    incomplete = [r.code for r in results.values() if not r.is_complete]
    if incomplete:
        raise ValidationError(
            _("还有 %(n)s 件作品未被全部评委评分，不能计算结果：%(codes)s。")
            % {"n": len(incomplete), "codes": "、".join(incomplete[:10])}
        )
    by_category: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for r in results.values():
        by_category[r.category_id][r.entry_id] = r.score
    tied_all: set[int] = set()
    updates = []
    for scores in by_category.values():
        ranks, tied = ranks_with_ties(scores)
        tied_all |= tied
        updates += [Entry(pk=pk, score=scores[pk], rank=rank) for pk, rank in ranks.items()]
    Entry.objects.bulk_update(updates, ["score", "rank"], batch_size=500)
    tied_codes = sorted(results[pk].code for pk in tied_all)
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=contest,
        data={"results_computed": len(results), "ties": tied_codes},
    )
    return {"entries": len(results), "ties": tied_codes}


def tied_entry_ids(entries: Iterable[Entry]) -> set[int]:
    """Among ranked entries, those sharing their category's score with another."""
    seen: dict[tuple[int, Decimal], list[int]] = defaultdict(list)
    for e in entries:
        if e.score is not None:
            seen[(e.category_id, e.score)].append(e.pk)
    return {pk for ids in seen.values() if len(ids) > 1 for pk in ids}


# Awards -------------------------------------------------------------------------------------


@transaction.atomic
def awards_set(*, actor, contest: Contest, awards: dict[int, str]) -> int:
    """Give (or take away, with "") awards to ranked entries: ``{entry id: award}``."""
    require_perm(actor, "contests.change_contest")
    require_in_scope(actor, contest.federation_id)
    _require_state(contest, AWARD_STATES, _("奖项只能在“评审中”或“结果公示”阶段评定，当前为“%(state)s”。"))
    entries = {e.pk: e for e in contest.entries.filter(pk__in=list(awards))}
    changed = 0
    for pk, award in awards.items():
        entry = entries.get(pk)
        if entry is None:
            raise Http404("not found")
        if award and award not in Award.values:
            raise ValidationError(_("未知的奖项。"))
        if award and (entry.status != EntryStatus.ELIGIBLE or entry.rank is None):
            raise ValidationError(_("作品 %(code)s 尚未计算名次，不能评奖。") % {"code": entry.code})
        if entry.award != award:
            audited_update(actor, entry, {"award": award}, federation_id=contest.federation_id)
            changed += 1
    return changed


@transaction.atomic
def awards_suggest(*, actor, contest: Contest, counts: dict[str, int]) -> int:
    """Award by rank in each category: the first ``counts["first"]`` entries 一等奖, then the
    next ones 二等奖 … Tied entries at a boundary all get the better award. Replaces awards."""
    require_perm(actor, "contests.change_contest")
    require_in_scope(actor, contest.federation_id)
    ranked = list(contest.entries.filter(status=EntryStatus.ELIGIBLE, rank__isnull=False).order_by("rank", "code"))
    if not ranked:
        raise ValidationError(_("请先计算结果。"))
    plan: dict[int, str] = {}
    by_category: dict[int, list[Entry]] = defaultdict(list)
    for e in ranked:
        by_category[e.category_id].append(e)
    for entries in by_category.values():
        limit = 0
        for award in Award.values:
            limit += max(0, int(counts.get(award, 0) or 0))
            for e in entries:
                if e.pk not in plan and e.rank <= limit:
                    plan[e.pk] = award
        for e in entries:
            plan.setdefault(e.pk, "")
    return awards_set(actor=actor, contest=contest, awards=plan)


# Objections ---------------------------------------------------------------------------------


@transaction.atomic
def objection_add(*, actor, entry: Entry, raised_by: str, reason: str, contact: str = "") -> Objection:
    """Record an objection to a result during the notice (结果公示)."""
    require_perm(actor, "contests.change_contest")
    require_in_scope(actor, entry.contest.federation_id)
    _require_state(entry.contest, (S.NOTICE,), _("只能在“结果公示”阶段登记异议，当前为“%(state)s”。"))
    if not (raised_by or "").strip():
        raise ValidationError({"raised_by": _("请填写异议人。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写异议理由。")})
    objection = Objection(entry=entry, raised_by=raised_by.strip(), contact=contact.strip(), reason=reason.strip())
    audited_create(actor, objection, federation_id=entry.contest.federation_id)
    return objection


@transaction.atomic
def objection_resolve(*, actor, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Decide an objection (upheld or not) with the reasons; only during the notice."""
    contest = objection.entry.contest
    require_perm(actor, "contests.change_contest")
    require_in_scope(actor, contest.federation_id)
    _require_state(contest, (S.NOTICE,), _("只能在“结果公示”阶段处理异议，当前为“%(state)s”。"))
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("请填写处理意见。")})
    audited_update(
        actor,
        objection,
        {"upheld": bool(upheld), "resolution": resolution.strip(), "resolved_by": actor, "resolved_at": timezone.now()},
        federation_id=contest.federation_id,
    )
    return objection


# Exports ------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(title: str, header: list[str], rows: Iterable[list[Any]]) -> tuple[bytes, int]:
    from qiaolian.core.tabular import export_workbook

    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(title)
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    for col, name in enumerate(header):
        sheet.write(0, col, name, head)
    count = 0
    for row_no, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(row_no, col, float(value))
            else:
                sheet.write_string(row_no, col, "" if value is None else str(value))
        count += 1
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    sheet.set_column(0, len(header) - 1, 16)
    book.close()
    return buffer.getvalue(), count


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def contests_export_xlsx(*, actor, contests: Iterable[Contest], filters: dict[str, Any]) -> bytes:
    """The filtered contest list as a workbook; the export is audited."""
    if not actor.has_perm("contests.view_contest"):
        raise PermissionDenied("contests.view_contest")
    header = [
        _("年度"),
        _("大赛名称"),
        _("主办侨联"),
        _("状态"),
        _("征集开始"),
        _("征集截止"),
        _("作品数"),
        _("获奖数"),
    ]
    rows = (
        [
            c.year,
            c.title,
            c.federation.name,
            c.get_status_display(),
            _local(c.opens_at),
            _local(c.closes_at),
            getattr(c, "entry_count", 0),
            getattr(c, "award_count", 0),
        ]
        for c in contests
    )
    content, count = _workbook(_("大赛"), header, rows)
    with transaction.atomic():
        audit_record(actor=actor, action=Action.EXPORT, data={"kind": "contests", "rows": count, "filters": filters})
    return content


def entries_export_xlsx(*, actor, contest: Contest, entries: Iterable[Entry], filters: dict[str, Any]) -> bytes:
    """The filtered entries of a contest as a workbook, the author's phone masked; audited."""
    if not actor.has_perm("contests.view_contest"):
        raise PermissionDenied("contests.view_contest")
    header = [
        _("作品编号"),
        _("组别"),
        _("作品名称"),
        _("作者"),
        _("国家/地区"),
        _("联系电话"),
        _("状态"),
        _("不符合原因"),
        _("得分"),
        _("名次"),
        _("奖项"),
        _("投稿时间"),
    ]
    rows = (
        [
            e.code,
            e.category.name,
            e.title,
            e.author_name,
            str(e.author_country.name) if e.author_country else "",
            str(e.author_phone) if e.author_phone else "",  # masked: ProtectedValue renders masked
            e.get_status_display(),
            e.ineligible_reason,
            e.score if e.score is not None else "",
            e.rank if e.rank is not None else "",
            e.get_award_display() if e.award else "",
            _local(e.submitted_at),
        ]
        for e in entries
    )
    content, count = _workbook(_("参赛作品"), header, rows)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            target=contest,
            data={"kind": "contest_entries", "rows": count, "filters": filters},
        )
    return content
