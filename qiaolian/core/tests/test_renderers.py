"""The site's form renderer draws <select> in Python; it must give the markup Django's templates
give (up to whitespace between tags), for every kind of select the site uses."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from qiaolian.core.renderers import SiteFormRenderer
from qiaolian.registry.forms import PersonForm

CHOICES = [
    ("", "---------"),
    ("a", "Plain"),
    ("<b>", 'Needs "escaping" & <care>'),
    ("亚洲", [("CN", "中国"), ("JP", "日本")]),
    (3, "A number"),
]


class Sample(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    attributed = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(attrs={"class": "form-select", "disabled": True, "hidden": False, "data-x": 'q"<'}),
    )
    yes_no = forms.NullBooleanField()


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    "data",
    [{}, {"single": "<b>", "many": ["JP", "3"], "attributed": "a", "yes_no": "true"}, {"single": "CN", "many": ["a"]}],
)
def test_select_markup_matches_djangos_templates(data):
    ours, theirs = (
        Sample(data=data or None, renderer=SiteFormRenderer()),
        Sample(data=data or None, renderer=DjangoTemplates()),
    )
    for name in ours.fields:
        assert _normal(str(ours[name])) == _normal(str(theirs[name])), name


def test_selected_and_escaped_values():
    html = str(Sample(data={"single": "<b>", "many": ["JP", "3"]}, renderer=SiteFormRenderer())["single"])
    assert '<option value="&lt;b&gt;" selected>Needs &quot;escaping&quot; &amp; &lt;care&gt;</option>' in html
    assert '<optgroup label="亚洲">' in html
    many = str(Sample(data={"many": ["JP", "3"]}, renderer=SiteFormRenderer())["many"])
    assert "multiple" in many and '<option value="JP" selected>日本</option>' in many
    assert '<option value="3" selected>A number</option>' in many


def test_a_custom_option_template_still_goes_through_the_templates():
    class CustomOption(forms.Select):
        option_template_name = "django/forms/widgets/attrs.html"  # any other template: not drawn in Python

    field = forms.ChoiceField(choices=[("x", "X")], widget=CustomOption)
    html = field.widget.render("pick", "x", renderer=SiteFormRenderer())
    assert "<option" not in html  # the custom template, not our drawing


@pytest.mark.django_db
def test_the_person_form_renders_the_same_as_with_djangos_templates(settings):
    assert settings.FORM_RENDERER == "qiaolian.core.renderers.SiteFormRenderer"
    ours = PersonForm(renderer=SiteFormRenderer())
    theirs = PersonForm(renderer=DjangoTemplates())
    selects = [name for name, f in ours.fields.items() if isinstance(f.widget, forms.Select)]
    assert len(selects) >= 10
    for name in selects:
        assert _normal(str(ours[name])) == _normal(str(theirs[name])), name
