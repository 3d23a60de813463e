import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from qiaolian.advocacy.models import AdoptionLevel, OpinionCategory, OpinionReport, OpinionStatus, ResearchReport
from qiaolian.core.forms import ServiceModelForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpinionForm(ServiceModelForm):
    class Meta:
        model = OpinionReport
        fields = ["federation", "title", "category", "author_name", "author_kind", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, federations=None, author_fixed=False, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations
        if author_fixed:  # a CPPCC member writes under their own name
            for name in ("author_name", "author_kind"):
                self.fields.pop(name)
        self.fields["body"].help_text = _("一事一报：情况、分析、建议，约1500字以内。")


class SubmitForm(forms.Form):
    submitted_on = forms.DateField(label=_("报送日期"), widget=DATE, initial=dt.date.today)
    submitted_to = forms.CharField(label=_("报送单位"), max_length=100, initial=_("区政协"))


class OutcomeForm(forms.Form):
    adopted = forms.TypedChoiceField(
        label=_("结果"), choices=[("1", _("已采用")), ("0", _("未采用"))], coerce=lambda v: v == "1"
    )
    decided_on = forms.DateField(label=_("日期"), widget=DATE)
    level = forms.ChoiceField(label=_("采用层级"), required=False, choices=[("", _("请选择")), *AdoptionLevel.choices])
    adopted_by = forms.CharField(label=_("采用单位"), max_length=100, required=False)
    feedback = forms.CharField(label=_("反馈情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InstructionForm(forms.Form):
    instruction_on = forms.DateField(label=_("批示日期"), widget=DATE)
    instruction_by = forms.CharField(label=_("批示领导"), max_length=60)
    instruction = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 3}))


class OpinionFilterForm(forms.Form):
    q = forms.CharField(label=_("标题或作者"), required=False, max_length=60)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *OpinionStatus.choices])
    category = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *OpinionCategory.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = dt.date.today().year
        self.fields["year"].choices = [("", _("全部"))] + [(y, str(y)) for y in range(this_year, 2014, -1)]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if name == "q":
                field.widget.attrs["type"] = "search"


class ResearchForm(ServiceModelForm):
    class Meta:
        model = ResearchReport
        fields = ["federation", "title", "authors", "completed_on", "keywords", "abstract", "file"]
        widgets = {"completed_on": DATE, "abstract": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if federations is not None:
            self.fields["federation"].queryset = federations

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if not file or not hasattr(file, "read"):
            return file
        if file.size > 30 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 30 MB。"))
        head = file.read(8)
        file.seek(0)
        # Judged by content, not by name: PDF, Word 2007+ (a zip) or Word 97–2003 (OLE).
        if not head.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            raise forms.ValidationError(_("全文请上传 PDF 或 Word 文件（按文件内容判断）。"))
        return file

    def clean_completed_on(self):
        day = self.cleaned_data["completed_on"]
        if day > dt.date.today():
            raise forms.ValidationError(_("完成日期不能晚于今天。"))
        return day
