"""Writes to activities, campaigns and participation: checked, atomic, audited.

An activity follows DOMAIN.md W9: planned → registration open → held → reported (summary,
photos, headcount) → archived, or cancelled before it is held.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.activities.models import (
    Activity,
    ActivityKind,
    Attachment,
    Brand,
    Campaign,
    Photo,
    Registration,
    Role,
    Session,
    SessionAttendance,
    Status,
)
from qiaolian.activities.selectors import registered_count
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.registry.choices import LivingStatus
from qiaolian.registry.selectors import person_scope

M2M_FIELDS = ("co_federations", "partners", "stations")

# Where an activity may go from each state (W9).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PLANNED: (Status.OPEN, Status.HELD, Status.CANCELLED),
    Status.OPEN: (Status.PLANNED, Status.HELD, Status.CANCELLED),
    Status.HELD: (Status.REPORTED,),
    Status.REPORTED: (Status.ARCHIVED, Status.HELD),
    Status.ARCHIVED: (),
    Status.CANCELLED: (Status.PLANNED,),
}
# Participants may be added and checked in while the activity is not closed.
OPEN_FOR_PEOPLE = (Status.PLANNED, Status.OPEN, Status.HELD)
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
CODE_LENGTH = 8
MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PHOTO_SIDE = 2000
MAX_ATTACHMENT_BYTES = 30 * 1024 * 1024


def _federation(actor, data: dict[str, Any]):
    federation = data.get("federation") or actor.federation
    require_in_scope(actor, getattr(federation, "pk", None))
    return federation


# Campaigns and brands -----------------------------------------------------------------------


def _check_campaign(campaign: Campaign) -> None:
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


@transaction.atomic
def campaign_create(*, actor, data: dict[str, Any]) -> Campaign:
    require_perm(actor, "activities.change_campaign")
    federation = _federation(actor, data)
    campaign = Campaign(created_by=actor, **{**data, "federation": federation})
    if campaign.brand_id and not campaign.project:
        campaign.project = campaign.brand.project
    audited_create(actor, campaign, federation_id=federation.pk, before_save=_check_campaign)
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    require_perm(actor, "activities.change_campaign")
    require_in_scope(actor, campaign.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)

    def check(instance: Campaign) -> None:
        _check_campaign(instance)
        outside = instance.activities.exclude(
            starts_at__date__gte=instance.starts_on, starts_at__date__lte=instance.ends_on
        ).count()
        if outside:
            raise ValidationError(
                {"starts_on": _("有 %(n)s 项活动的日期不在新的起止日期内，请先调整这些活动。") % {"n": outside}}
            )

    audited_update(actor, campaign, data, federation_id=campaign.federation_id, before_save=check)
    return campaign


@transaction.atomic
def brand_save(*, actor, data: dict[str, Any], brand: Brand | None = None) -> Brand:
    """The list of brands is the district's to keep."""
    require_perm(actor, "activities.manage_brands")
    if brand is None:
        brand = Brand(**data)
        audited_create(actor, brand, federation_id=None)
    else:
        audited_update(actor, brand, data, federation_id=None)
    return brand


# Activities ---------------------------------------------------------------------------------


def _check_activity(activity: Activity) -> None:
    if activity.starts_at and activity.ends_at and activity.ends_at < activity.starts_at:
        raise ValidationError({"ends_at": _("结束时间不能早于开始时间。")})
    if activity.mode != "offline" and not (activity.online_platform or "").strip():
        raise ValidationError({"online_platform": _("线上活动请填写线上平台，如 微信视频号、腾讯会议。")})
    if activity.mode != "online" and not (activity.place or "").strip():
        raise ValidationError({"place": _("线下活动请填写地点。")})
    campaign = activity.campaign
    if campaign is not None and activity.starts_at:
        day = timezone.localtime(activity.starts_at).date()
        if not campaign.starts_on <= day <= campaign.ends_on:
            raise ValidationError(
                {
                    "campaign": _("活动日期不在“%(campaign)s”的起止日期内（%(start)s 至 %(end)s）。")
                    % {"campaign": campaign.title, "start": campaign.starts_on, "end": campaign.ends_on}
                }
            )
    if activity.capacity is not None and activity.capacity < 1:
        raise ValidationError({"capacity": _("名额至少为 1；不限名额请留空。")})


def _check_references(actor, data: dict[str, Any]) -> None:
    from qiaolian.activities.selectors import campaign_scope, station_choices

    campaign = data.get("campaign")
    if campaign is not None and not campaign_scope(user=actor).filter(pk=campaign.pk).exists():
        raise ValidationError({"campaign": _("所选专项不存在或不在您的管辖范围内。")})
    stations = data.get("stations")
    if stations:
        allowed = set(station_choices(user=actor).values_list("pk", flat=True))
        if any(s.pk not in allowed for s in stations):
            raise ValidationError({"stations": _("所选侨之家/驿站不在您的管辖范围内。")})


def _split_m2m(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
    data = dict(data)
    many = {name: list(data.pop(name)) for name in M2M_FIELDS if name in data}
    return data, many


def _set_m2m(activity: Activity, many: dict[str, list]) -> dict[str, list[str]]:
    changes = {}
    for name, values in many.items():
        manager = getattr(activity, name)
        before = sorted(str(o) for o in manager.all())
        manager.set(values)
        after = sorted(str(o) for o in values)
        if before != after:
            changes[name] = [before, after]
    return changes


@transaction.atomic
def activity_create(*, actor, data: dict[str, Any]) -> Activity:
    require_perm(actor, "activities.change_activity")
    federation = _federation(actor, data)
    _check_references(actor, data)
    data, many = _split_m2m(data)
    activity = Activity(created_by=actor, **{**data, "federation": federation})
    if activity.brand_id is None and activity.campaign_id and activity.campaign.brand_id:
        activity.brand_id = activity.campaign.brand_id
    audited_create(actor, activity, federation_id=federation.pk, before_save=_check_activity)
    changes = _set_m2m(activity, many)
    if changes:
        audit_record(actor=actor, action=Action.CHANGE, target=activity, data={"changes": changes})
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, data: dict[str, Any]) -> Activity:
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, activity.federation_id)
    if "federation" in data:
        require_in_scope(actor, data["federation"].pk)
    _check_references(actor, data)
    data, many = _split_m2m(data)

    def check(instance: Activity) -> None:
        _check_activity(instance)
        if instance.capacity is not None and instance.capacity < registered_count(activity=instance):
            raise ValidationError(
                {
                    "capacity": _("已登记 %(n)s 人，名额不能少于已登记人数。")
                    % {"n": registered_count(activity=instance)}
                }
            )

    audited_update(actor, activity, data, federation_id=activity.federation_id, before_save=check)
    changes = _set_m2m(activity, many)
    if changes:
        audit_record(actor=actor, action=Action.CHANGE, target=activity, data={"changes": changes})
    return activity


@transaction.atomic
def activity_transition(*, actor, activity: Activity, to: str) -> Activity:
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, activity.federation_id)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if to not in TRANSITIONS.get(activity.status, ()):
        raise ValidationError(
            _("“%(state)s”的活动不能改为“%(to)s”。")
            % {"state": activity.get_status_display(), "to": Status(to).label if to in Status.values else to}
        )
    if to == Status.REPORTED and not activity.summary.strip():
        raise ValidationError({"summary": _("请先填写活动总结，再标记为已总结。")})
    if to == Status.HELD and activity.starts_at > timezone.now():
        raise ValidationError(_("活动尚未开始（%(start)s），不能标记为已举办。") % {"start": _fmt(activity.starts_at)})
    audited_update(actor, activity, {"status": to}, federation_id=activity.federation_id)
    return activity


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def activity_report(*, actor, activity: Activity, data: dict[str, Any]) -> Activity:
    """Record the summary and headcounts; a held activity becomes reported."""
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, activity.federation_id)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status in (Status.CANCELLED, Status.ARCHIVED):
        raise ValidationError(_("“%(state)s”的活动不能再修改总结。") % {"state": activity.get_status_display()})
    if activity.starts_at > timezone.now():
        raise ValidationError(_("活动尚未开始（%(start)s），不能填写总结。") % {"start": _fmt(activity.starts_at)})
    summary = (data.get("summary") or "").strip()
    if not summary:
        raise ValidationError({"summary": _("请填写活动总结。")})
    changes = {
        "summary": summary,
        "audience": data.get("audience", activity.audience),
        "online_views": data.get("online_views", activity.online_views),
        "status": Status.REPORTED if activity.status in (Status.PLANNED, Status.OPEN, Status.HELD) else activity.status,
    }
    if "is_published" in data:
        changes["is_published"] = bool(data["is_published"])
    audited_update(actor, activity, changes, federation_id=activity.federation_id)
    return activity


# Participation ------------------------------------------------------------------------------


def new_code() -> str:
    return new_codes(1)[0]


def new_codes(count: int) -> list[str]:
    """``count`` distinct check-in codes no registration has, looked up in one query per round
    (a clash among 26⁸ codes is rare, so one round nearly always does)."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count - len(codes))}
        fresh -= codes
        candidates = sorted(fresh)
        for i in range(0, len(candidates), 1000):
            taken = Registration.objects.filter(code__in=candidates[i : i + 1000]).values_list("code", flat=True)
            fresh -= set(taken)
        codes |= fresh
    return list(codes)


def participant_key(*, person_id: int | None, name: str, organization: str) -> str:
    if person_id:
        return f"p{person_id}"
    return f"n:{name.strip()}|{organization.strip()}"


def closed_message(activity: Activity) -> str:
    """Why no one can be registered or checked in now ("" when they can)."""
    if activity.status not in OPEN_FOR_PEOPLE:
        return _("“%(state)s”的活动不能再登记或签到。") % {"state": activity.get_status_display()}
    return ""


def _require_open(activity: Activity) -> None:
    if closed := closed_message(activity):
        raise ValidationError(closed)


def deceased_message(person) -> str:
    """Why a person from the registry cannot be registered ("" when they can)."""
    if person.living_status == LivingStatus.DECEASED:
        return _("%(name)s 在侨情库中登记为已故，不能登记参加活动。") % {"name": person.name}
    return ""


def already_registered_message(*, name: str, existing: Registration) -> str:
    return _("%(name)s 已登记参加本活动（%(role)s，登记于 %(at)s），请勿重复登记。") % {
        "name": name,
        "role": existing.get_role_display(),
        "at": _fmt(existing.created_at),
    }


def capacity_message(activity: Activity) -> str:
    return _("名额已满（%(n)s 人），不能再登记。") % {"n": activity.capacity}


def check_in_time_error(*, activity: Activity, at: dt.datetime, now: dt.datetime | None = None) -> str:
    """Why ``at`` cannot be a check-in time of ``activity`` ("" when it can): it must fall within
    the activity's days and not be later than now (a paper sign-in sheet entered afterwards)."""
    first = timezone.localtime(activity.starts_at).date()
    last = timezone.localtime(activity.ends_at).date()
    if at > (now or timezone.now()) or not first <= timezone.localtime(at).date() <= last:
        return _("签到时间应在活动日期内（%(start)s 至 %(end)s），且不晚于现在。") % {"start": first, "end": last}
    return ""


@transaction.atomic
def registration_add(
    *, actor, activity: Activity, person=None, name: str = "", organization: str = "", role: str = Role.PARTICIPANT
) -> Registration:
    """Register a person from the registry, or a named cadre or guest, for an activity."""
    require_perm(actor, "activities.register")
    require_in_scope(actor, activity.federation_id)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)  # serializes the capacity check
    _require_open(activity)
    if person is not None:
        if not person_scope(user=actor).filter(pk=person.pk).exists():
            raise ValidationError({"person": _("所选侨情库人员不存在或不在您的管辖范围内。")})
        if deceased := deceased_message(person):
            raise ValidationError({"person": deceased})
        name = person.name
    name, organization = (name or "").strip(), (organization or "").strip()
    if not name:
        raise ValidationError({"name": _("请从侨情库选择人员，或填写姓名。")})
    key = participant_key(person_id=getattr(person, "pk", None), name=name, organization=organization)
    existing = Registration.objects.filter(activity=activity, participant_key=key).first()
    if existing is not None:
        raise ValidationError(
            {"person" if person is not None else "name": already_registered_message(name=name, existing=existing)}
        )
    if activity.capacity is not None and registered_count(activity=activity) >= activity.capacity:
        raise ValidationError(capacity_message(activity))
    registration = Registration(
        activity=activity,
        person=person,
        name=name,
        organization=organization,
        role=role,
        participant_key=key,
        code=new_code(),
        created_by=actor,
    )
    audited_create(actor, registration, federation_id=activity.federation_id)
    return registration


@transaction.atomic
def registrations_import(*, actor, activity: Activity, registrations: list[Registration], batch) -> int:
    """Insert participants an import has checked (``activities.importing``: the rules of
    ``registration_add`` applied row by row, a check-in time by those of ``check_in``), in bulk,
    stamped with their import batch; the engine writes one audit entry for the batch. The
    activity is locked and its state and capacity checked again, so a commit never overfills it;
    a participant registered meanwhile stops the commit (unique per activity), nothing written."""
    require_perm(actor, "activities.register")
    require_in_scope(actor, activity.federation_id)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_open(activity)
    if not registrations:
        return 0
    if activity.capacity is not None and registered_count(activity=activity) + len(registrations) > activity.capacity:
        raise ValidationError(capacity_message(activity))
    for registration, code in zip(registrations, new_codes(len(registrations)), strict=True):
        registration.activity = activity
        registration.name = registration.name.strip()
        registration.organization = registration.organization.strip()
        registration.participant_key = participant_key(
            person_id=registration.person_id, name=registration.name, organization=registration.organization
        )
        registration.code = code
        registration.created_by = actor
        registration.import_batch = batch
    try:
        with transaction.atomic():
            saved = Registration.objects.bulk_create(registrations, batch_size=500)
    except IntegrityError:
        raise ValidationError(_("导入期间有参与人员已另行登记，请重新上传文件检查。"), code="conflict") from None
    return len(saved)


@transaction.atomic
def registration_remove(*, actor, registration: Registration) -> None:
    require_perm(actor, "activities.register")
    activity = registration.activity
    require_in_scope(actor, activity.federation_id)
    _require_open(activity)
    if registration.checked_in_at:
        raise ValidationError(_("%(name)s 已签到，不能取消登记。") % {"name": registration.name})
    audit_record(
        actor=actor,
        action=Action.DELETE,
        target=registration,
        federation_id=activity.federation_id,
        data={"activity": activity.pk, "name": registration.name},
    )
    registration.delete()


@transaction.atomic
def check_in(*, actor, activity: Activity, code: str, at: dt.datetime | None = None) -> Registration:
    """Check a participant in by their personal code, at this activity's desk. ``at`` records
    the real time when a paper sign-in sheet is entered afterwards (within the activity's days)."""
    require_perm(actor, "activities.check_in")
    require_in_scope(actor, activity.federation_id)
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not code:
        raise ValidationError({"code": _("请输入或扫描签到码。")})
    registration = Registration.objects.select_for_update().select_related("activity").filter(code=code).first()
    if registration is None:
        raise ValidationError({"code": _("签到码 %(code)s 不存在，请核对后重新输入。") % {"code": code}})
    if registration.activity_id != activity.pk:
        other = registration.activity
        visible = _may_see(actor, other)
        raise ValidationError(
            {
                "code": _("签到码 %(code)s 属于另一项活动“%(title)s”，不是本活动的签到码。")
                % {"code": code, "title": other.title}
                if visible
                else _("签到码 %(code)s 不是本活动的签到码。") % {"code": code}
            }
        )
    _require_open(activity)
    if registration.checked_in_at:
        raise ValidationError(
            {
                "code": _("%(name)s 已于 %(at)s 签到，无需重复签到。")
                % {"name": registration.name, "at": _fmt(registration.checked_in_at)}
            }
        )
    now = timezone.now()
    if at is not None and (problem := check_in_time_error(activity=activity, at=at, now=now)):
        raise ValidationError({"at": problem})
    audited_update(
        actor,
        registration,
        {"checked_in_at": at or now, "checked_in_by": actor},
        federation_id=activity.federation_id,
    )
    return registration


def _may_see(actor, activity: Activity) -> bool:
    from qiaolian.core.jurisdiction import scope_for

    return scope_for(actor).allows(activity.federation_id)


# Sessions and attendance (trainings) --------------------------------------------------------


def _require_not_closed(activity: Activity) -> None:
    if activity.status in (Status.CANCELLED, Status.ARCHIVED):
        raise ValidationError(_("“%(state)s”的活动不能再修改课程或出勤。") % {"state": activity.get_status_display()})


def session_add(*, actor, activity: Activity, starts_at, topic: str, speaker: str = "") -> Session:
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, activity.federation_id)
    _require_not_closed(activity)
    start_day = timezone.localtime(activity.starts_at).date()
    end_day = timezone.localtime(activity.ends_at).date()
    if not start_day <= timezone.localtime(starts_at).date() <= end_day:
        raise ValidationError(
            {"starts_at": _("场次时间应在活动日期内（%(start)s 至 %(end)s）。") % {"start": start_day, "end": end_day}}
        )
    if not (topic or "").strip():
        raise ValidationError({"topic": _("请填写主题。")})
    session = Session(activity=activity, starts_at=starts_at, topic=topic.strip(), speaker=(speaker or "").strip())
    audited_create(actor, session, federation_id=activity.federation_id)
    return session


@transaction.atomic
def attendance_record(*, actor, activity: Activity, present: set[tuple[int, int]]) -> dict[str, int]:
    """Make the activity's attendance exactly ``present`` ((session id, registration id) pairs).
    Pairs naming another activity's session or participant are refused."""
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, activity.federation_id)
    _require_not_closed(activity)
    sessions = set(Session.objects.filter(activity=activity).values_list("pk", flat=True))
    people = set(Registration.objects.filter(activity=activity).values_list("pk", flat=True))
    if any(s not in sessions or r not in people for s, r in present):
        raise ValidationError(_("出勤记录中有不属于本活动的场次或学员。"))
    stored = set(
        SessionAttendance.objects.filter(session__activity=activity).values_list("session_id", "registration_id")
    )
    added, removed = present - stored, stored - present
    for session_id, registration_id in removed:
        SessionAttendance.objects.filter(session_id=session_id, registration_id=registration_id).delete()
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session_id=s, registration_id=r) for s, r in sorted(added)]
    )
    if added or removed:
        audit_record(
            actor=actor,
            action=Action.CHANGE,
            target=activity,
            federation_id=activity.federation_id,
            data={"attendance": {"added": len(added), "removed": len(removed), "total": len(present)}},
        )
    return {"added": len(added), "removed": len(removed)}


# Photos and attachments ---------------------------------------------------------------------


def _normalized_image(upload: UploadedFile) -> UploadedFile:
    """Check that the upload is an image and shrink very large ones (phones send 12 MP)."""
    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"image": _("照片不能超过 15 MB。")})
    try:
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            {"image": _("“%(name)s”不是可识别的图片，请上传 JPG 或 PNG 照片。") % {"name": upload.name}}
        ) from None
    image = ImageOps.exif_transpose(image)
    if max(image.size) <= MAX_PHOTO_SIDE and image.format in ("JPEG", "PNG", "WEBP"):
        upload.seek(0)
        return upload
    image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=85)
    stem = upload.name.rsplit(".", 1)[0] or "photo"
    return ContentFile(buffer.getvalue(), name=f"{stem}.jpg")


@transaction.atomic
def photo_add(*, actor, activity: Activity, image: UploadedFile, caption: str = "") -> Photo:
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, activity.federation_id)
    photo = Photo(activity=activity, image=_normalized_image(image), caption=(caption or "").strip(), uploaded_by=actor)
    audited_create(actor, photo, federation_id=activity.federation_id)
    return photo


@transaction.atomic
def photo_remove(*, actor, photo: Photo) -> None:
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, photo.activity.federation_id)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        target=photo,
        federation_id=photo.activity.federation_id,
        data={"activity": photo.activity_id, "file": photo.image.name},
    )
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def attachment_add(*, actor, activity: Activity, file: UploadedFile, title: str = "") -> Attachment:
    require_perm(actor, "activities.change_activity")
    require_in_scope(actor, activity.federation_id)
    if file.size and file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("附件不能超过 30 MB。")})
    attachment = Attachment(activity=activity, file=file, title=(title or "").strip() or file.name, uploaded_by=actor)
    audited_create(actor, attachment, federation_id=activity.federation_id)
    return attachment


def is_training(activity: Activity) -> bool:
    return activity.kind == ActivityKind.TRAINING
