from django import forms
from django.utils.translation import gettext_lazy as _

BLANK_LABEL = _("请选择")


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that only validates: the service builds and saves the object, so the form
    neither copies values onto the instance nor runs the model's checks a second time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label or ""
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["required"] = _("请选择%(label)s。") % {"label": label}
            else:
                field.error_messages["required"] = _("请填写%(label)s。") % {"label": label}
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label is not None:
                    field.empty_label = BLANK_LABEL
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
                choices = list(field.choices)
                if choices and choices[0][0] == "" and str(choices[0][1]).startswith("---"):
                    field.choices = [("", BLANK_LABEL), *choices[1:]]

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
