"""Forms of the registry import: the upload, and the column mapping the user can correct."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core.importkinds import ImportKind
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch


class ImportUploadForm(forms.Form):
    """The file, and what the kind asks for besides (``ImportKind.option_fields``, e.g. the
    activity whose participants these are)."""

    file = forms.FileField(
        label=gettext_lazy("导入文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(importing.ALLOWED_EXTENSIONS)}),
    )

    def __init__(self, *args, kind: ImportKind | None = None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind or importing.PERSONS
        self.user = user
        self.fields.update(self.kind.option_fields(user=user))
        limit = filesizeformat(settings.QIAOLIAN_IMPORT_MAX_BYTES)
        self.fields["file"].help_text = _(
            "Excel 或 WPS 表格（.xlsx、.xls、.ods）或 CSV（UTF-8 或 GB18030 编码），不超过 %(limit)s。"
            "可以有多个工作表（如每镇一个），标题行、说明行可以保留。"
        ) % {"limit": limit}

    def clean(self):
        data = super().clean()
        if not self.errors:
            data["options"] = self.kind.clean_options(user=self.user, data=data)
        return data


class ImportMappingForm(forms.Form):
    """One select per column of the file: which field it feeds, or "不导入". The columns are the
    ones the last check found (``ImportBatch.columns_found``)."""

    def __init__(self, *args, batch: ImportBatch, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers: list[str] = []
        self.kind = importing.kind_of(batch)
        choices = self.kind.field_choices()
        for i, (header, field_name) in enumerate(batch.columns_found or []):
            self.headers.append(header)
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=field_name
            )

    def rows(self):
        """(header, bound field) pairs, for the template."""
        return [(header, self[f"col_{i}"]) for i, header in enumerate(self.headers)]

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for i, header in enumerate(self.headers):
            value = data.get(f"col_{i}") or ""
            if value and value in chosen.values():
                label = dict(self.kind.field_choices())[value]
                raise ValidationError(
                    _("“%(field)s”对应了两列（%(first)s、%(second)s），请只保留一列。")
                    % {
                        "field": label,
                        "first": next(h for h, v in chosen.items() if v == value),
                        "second": header,
                    }
                )
            chosen[header] = value
        data["mapping"] = chosen
        return data
