"""Forms of the registry. ``PersonForm`` holds every rule a person's data must meet; pages, the
API and the import all validate through it, so a rule and its message live in one place."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core.forms import ServiceModelForm
from qiaolian.core.masking import Kind
from qiaolian.core.protected import lookup_hash
from qiaolian.core.text import clean
from qiaolian.core.validators import normalize_document_number, parse_phone, parse_resident_id
from qiaolian.registry import choices as c
from qiaolian.registry.duplicates import Candidates, person_candidates
from qiaolian.registry.models import Household, OverseasTie, Person

PROTECTED_FIELDS = ("id_number", "address", "phone", "phone_alt")

# The person form in sections, as the page shows it; also the form's list of fields.
PERSON_FIELDSETS = [
    (
        gettext_lazy("基本信息"),
        [
            "federation",
            "name",
            "former_names",
            "foreign_name",
            "sex",
            "birth_date",
            "ethnicity",
            "native_place",
            "birthplace",
        ],
    ),
    (
        gettext_lazy("证件与身份"),
        [
            "id_type",
            "id_number",
            "nationality",
            "residence_country",
            "category",
            "is_new_overseas",
            "is_returnee_entrepreneur",
            "emigration_period",
            "returned_from",
            "returned_year",
            "verification",
            "source",
        ],
    ),
    (gettext_lazy("联系方式"), ["address", "phone", "phone_alt", "email", "wechat"]),
    (
        gettext_lazy("学历与工作"),
        ["education", "occupation", "industry", "employer", "position", "political_status", "social_roles"],
    ),
    (
        gettext_lazy("困难与生存状态"),
        ["is_in_hardship", "hardship_types", "hardship_note", "living_status", "deceased_on"],
    ),
    (gettext_lazy("其他"), ["tags", "notes"]),
]


class PersonForm(ServiceModelForm):
    """Create or edit a person. On edit, protected fields start empty: leaving one empty keeps
    the stored value, which the page shows masked beside the field.

    Given the ``user`` who enters the record (the staff pages), the form also looks for persons
    already in the registry that may be the same one (``registry.duplicates``): when there are
    any, it is valid only once ``confirm_not_duplicate`` is ticked, and ``candidates`` holds what
    the user may be shown of them. Without a user (API, import) it does not look."""

    hardship_types = forms.MultipleChoiceField(
        label=gettext_lazy("困难类型"),
        choices=c.Hardship.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(label=gettext_lazy("标签"), required=False, help_text=gettext_lazy("多个标签用逗号分隔"))
    id_number = forms.CharField(label=gettext_lazy("证件号码"), required=False, max_length=40)
    address = forms.CharField(label=gettext_lazy("住址"), required=False, max_length=200)
    phone = forms.CharField(label=gettext_lazy("手机/电话"), required=False, max_length=40)
    phone_alt = forms.CharField(label=gettext_lazy("其他电话（含境外）"), required=False, max_length=40)
    # Not a person field: shown, with the candidates, only when there are some.
    confirm_not_duplicate = forms.BooleanField(label=gettext_lazy("确认不是同一人，仍然保存"), required=False)
    # Whether clean() looks the ID number up in the registry; the import looks up a thousand
    # rows' numbers in one query instead (importing.RowChecker), with the same verdict.
    looks_up_id_numbers = True

    class Meta:
        model = Person
        fields = [name for _title, names in PERSON_FIELDSETS for name in names]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deceased_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, federations=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        self.fields["federation"].empty_label = _("请选择")
        self.duplicate_check_user = user
        self.candidates = Candidates()
        self.has_id_duplicate = False
        self.entered_id_number = ""  # as normalized, kept when the field's error removes it
        self.is_edit = self.instance.pk is not None
        for name in PROTECTED_FIELDS:
            self.initial[name] = ""
            stored = getattr(self.instance, name) if self.is_edit else None
            if stored:
                self.fields[name].help_text = _("已登记：%(masked)s。留空表示不修改。") % {"masked": stored.masked}
        if self.is_edit:
            self.initial["tags"] = "，".join(self.instance.tags or [])
        self.fields["name"].widget.attrs.setdefault("autofocus", True)

    # Field rules -------------------------------------------------------------------------------
    def clean_name(self) -> str:
        name = clean(self.cleaned_data.get("name", ""))
        if not name:
            raise ValidationError(_("请填写姓名。"))
        return name

    def clean_tags(self) -> list[str]:
        raw = (self.cleaned_data.get("tags") or "").replace("，", ",").replace("、", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]

    def _clean_phone(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        return parse_phone(value) if value else ""

    def clean_phone(self) -> str:
        return self._clean_phone("phone")

    def clean_phone_alt(self) -> str:
        return self._clean_phone("phone_alt")

    def clean_address(self) -> str:
        return clean(self.cleaned_data.get("address") or "")

    def clean_returned_year(self):
        year = self.cleaned_data.get("returned_year")
        if year is not None and not 1900 <= year <= dt.date.today().year:
            raise ValidationError(_("归国年份应在1900年至今年之间。"))
        return year

    def clean_birth_date(self):
        birth = self.cleaned_data.get("birth_date")
        if birth and birth > dt.date.today():
            raise ValidationError(_("出生日期不能晚于今天。"))
        return birth

    # Rules across fields -----------------------------------------------------------------------
    def clean(self):
        data = super().clean()
        self._clean_document(data)
        if data.get("living_status") == c.LivingStatus.DECEASED and not data.get("deceased_on"):
            self.add_error("deceased_on", _("已故人员请填写去世日期。"))
        if data.get("deceased_on") and data.get("birth_date") and data["deceased_on"] < data["birth_date"]:
            self.add_error("deceased_on", _("去世日期不能早于出生日期。"))
        if data.get("is_in_hardship") and not data.get("hardship_types"):
            self.add_error("hardship_types", _("困难归侨侨眷请至少选择一种困难类型。"))
        if not data.get("is_in_hardship"):
            data["hardship_types"] = []
        if data.get("category") == c.Category.RETURNEE and not data.get("returned_from"):
            self.add_error("returned_from", _("归侨请填写归来国家/地区。"))
        self._check_duplicates(data)
        return data

    def _check_duplicates(self, data) -> None:
        """Look for candidates once the rest of the data is valid (a repeated ID number aside:
        its candidate is shown too); unless the user has confirmed, one blocks the save."""
        if self.duplicate_check_user is None:
            return
        if set(self._errors or ()) - ({"id_number"} if self.has_id_duplicate else set()):
            return
        self.candidates = person_candidates(
            user=self.duplicate_check_user, data=self._entry_data(data), exclude_pk=self.instance.pk
        )
        confirmed = bool(data.get("confirm_not_duplicate"))
        if self.candidates.needs_confirmation and not self.duplicate_blocks_save and not confirmed:
            self.add_error(
                "confirm_not_duplicate", _("侨情库中已有疑似同一人的记录。请先核对；确认不是同一人后勾选此项再保存。")
            )

    def _entry_data(self, data) -> dict:
        """What the duplicate rule compares; on edit, an unchanged protected value by its hash."""
        entry = {name: data.get(name) for name in ("name", "birth_date", "sex", "phone", "phone_alt")}
        entry["id_number"] = data.get("id_number") or (self.entered_id_number if self.has_id_duplicate else "")
        if self.is_edit:
            for name in ("id_number", "phone", "phone_alt"):
                if not entry[name]:
                    entry[f"{name}_hash"] = getattr(self.instance, f"{name}_hash")
        return entry

    @property
    def duplicate_blocks_save(self) -> bool:
        """The ID number is already registered: no confirmation lets this record be saved."""
        return self.has_id_duplicate or self.candidates.has_id_match

    @property
    def awaits_duplicate_confirmation(self) -> bool:
        """Everything is valid but for the confirmation the candidates ask for."""
        return bool(self.errors) and set(self.errors) == {"confirm_not_duplicate"}

    def _clean_document(self, data) -> None:
        raw = (data.get("id_number") or "").strip()
        if not raw:
            if not self.is_edit or getattr(self.instance, "id_number", None) is None:
                data["id_number"] = ""
            else:
                data.pop("id_number", None)  # unchanged
            return
        if data.get("id_type") == c.IdType.RESIDENT_ID:
            try:
                rid = parse_resident_id(raw)
            except ValidationError as exc:
                self.add_error("id_number", exc)
                return
            number = rid.number
            birth, sex = data.get("birth_date"), data.get("sex")
            if birth and birth != rid.birth_date:
                self.add_error(
                    "birth_date",
                    _("出生日期与身份证号码不一致（号码中为 %(date)s）。") % {"date": rid.birth_date.isoformat()},
                )
            elif not birth:
                data["birth_date"] = rid.birth_date
            if sex in (None, "", c.Sex.UNKNOWN):
                data["sex"] = rid.sex
            elif sex != rid.sex:
                self.add_error("sex", _("性别与身份证号码不一致。"))
        else:
            number = normalize_document_number(raw)
            if len(number) < 5:
                self.add_error("id_number", _("证件号码过短。"))
                return
        data["id_number"] = self.entered_id_number = number
        if not self.looks_up_id_numbers:
            return
        duplicate = Person.objects.filter(id_number_hash=lookup_hash(Kind.ID_NUMBER, number))
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            self.has_id_duplicate = True
            self.add_error(
                "id_number", _("该证件号码已在侨情库中登记，请勿重复录入（如看不到该人员，请联系区侨联核对）。")
            )

    def person_data(self) -> dict:
        """The cleaned values a service needs (protected fields left out when unchanged)."""
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        if self.is_edit:
            for name in ("address", "phone", "phone_alt"):
                if not data.get(name):
                    data.pop(name, None)
        return data


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("归档原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：已迁出本区、重复登记")}),
    )


class HouseholdForm(ServiceModelForm):
    address = forms.CharField(label=gettext_lazy("住址"), required=False, max_length=200)

    class Meta:
        model = Household
        fields = ["federation", "label", "address", "area", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        self.initial["address"] = ""
        if self.instance.pk and self.instance.address:
            self.fields["address"].help_text = _("已登记：%(masked)s。留空表示不修改。") % {
                "masked": self.instance.address.masked
            }

    def household_data(self) -> dict:
        data = self.service_data()
        if self.instance.pk and not data.get("address"):
            data.pop("address", None)
        return data


class HouseholdMemberForm(forms.Form):
    person = forms.IntegerField(label=gettext_lazy("人员编号"), widget=forms.HiddenInput)
    relation = forms.ChoiceField(label=gettext_lazy("与户主关系"), choices=c.HouseholdRelation.choices)


class OverseasTieForm(forms.ModelForm):
    class Meta:
        model = OverseasTie
        fields = [
            "name",
            "foreign_name",
            "relation",
            "status",
            "country",
            "city",
            "emigrated_year",
            "emigration_mode",
            "occupation",
            "associations",
            "support_years",
            "state",
            "notes",
        ]

    def clean(self):
        data = super().clean()
        if data.get("relation") == c.RelativeRelation.SUPPORT and (data.get("support_years") or 0) < 5:
            self.add_error("support_years", _("扶养关系亲属须有5年以上扶养关系（上海市规定）。"))
        year = data.get("emigrated_year")
        if year is not None and not 1900 <= year <= dt.date.today().year:
            self.add_error("emigrated_year", _("出国年份应在1900年至今年之间。"))
        return data


AGE_BANDS = {
    "0-17": (0, 17),
    "18-34": (18, 34),
    "35-59": (35, 59),
    "60-79": (60, 79),
    "80-": (80, None),
}


class PersonFilterForm(forms.Form):
    """The list page's search and filters, parsed into the selector's ``PersonFilters``."""

    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("姓名、拼音、拼音首字母、证件号码或手机号"), "type": "search"}
        ),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("身份类别"),
        required=False,
        choices=[("", gettext_lazy("全部")), *c.Category.choices],
    )
    federation = forms.ModelChoiceField(
        label=gettext_lazy("所属侨联"),
        required=False,
        queryset=None,
        empty_label=gettext_lazy("全部"),
    )
    country = forms.ChoiceField(label=gettext_lazy("国家/地区"), required=False)
    age = forms.ChoiceField(
        label=gettext_lazy("年龄段"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("0-17", gettext_lazy("未成年（0–17岁）")),
            ("18-34", gettext_lazy("18–34岁")),
            ("35-59", gettext_lazy("35–59岁")),
            ("60-79", gettext_lazy("60–79岁")),
            ("80-", gettext_lazy("80岁及以上")),
        ],
    )
    hardship = forms.ChoiceField(
        label=gettext_lazy("困难情况"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("yes", gettext_lazy("困难归侨侨眷")),
            ("no", gettext_lazy("非困难")),
        ],
    )
    living_status = forms.ChoiceField(
        label=gettext_lazy("生存状态"),
        required=False,
        choices=[("", gettext_lazy("全部")), *c.LivingStatus.choices],
    )
    archived = forms.BooleanField(label=gettext_lazy("包括已归档"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        choices=[
            ("pinyin", gettext_lazy("按姓名拼音")),
            ("newest", gettext_lazy("最近录入")),
            ("updated", gettext_lazy("最近更新")),
        ],
    )

    SORTS = {"pinyin": ("name_pinyin", "id"), "newest": ("-created_at", "-id"), "updated": ("-updated_at", "-id")}

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django_countries import countries

        self.fields["federation"].queryset = federations
        self.fields["country"].choices = [("", _("全部"))] + [(code, name) for code, name in countries]
        for name, f in self.fields.items():
            if isinstance(f.widget, forms.Select):
                f.widget.attrs["class"] = "form-select"
            elif name != "archived":
                f.widget.attrs["class"] = "form-control"

    def filters(self):
        from qiaolian.registry.selectors import PersonFilters

        data = self.cleaned_data if self.is_valid() else {}
        band = AGE_BANDS.get(data.get("age") or "", (None, None))
        hardship = {"yes": True, "no": False}.get(data.get("hardship") or "")
        federation = data.get("federation")
        return PersonFilters(
            query=data.get("q") or "",
            category=data.get("category") or "",
            federation_id=federation.pk if federation else None,
            country=data.get("country") or "",
            age_min=band[0],
            age_max=band[1],
            hardship=hardship,
            living_status=data.get("living_status") or "",
            include_archived=bool(data.get("archived")),
        )

    def order(self) -> tuple[str, ...]:
        key = (self.cleaned_data.get("sort") if self.is_valid() else "") or "pinyin"
        return self.SORTS[key]

    def as_audit(self) -> dict:
        """The filters as the export's audit entry records them."""
        if not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "", False)}
