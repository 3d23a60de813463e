"""The form renderer of the site: Django's template-based renderer, except for ``<select>``.

Django draws a select with one template include per option (``select_option.html`` and
``attrs.html``); the person form has about 900 options (countries, industries, occupations),
and drawing them took most of the page's time under load (docs/performance.md, "Load test").
Here a select whose options use Django's option template is drawn in Python with the same
markup; any other widget, or an option with a template of its own, goes through the templates.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def attributes(attrs: dict) -> str:
    """``attrs.html`` in Python: `` name="value"``, a bare `` name`` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class SiteFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict, request=None) -> str:
        if template_name == SELECT_TEMPLATE:
            widget = context["widget"]
            options = [option for _name, group, _index in widget["optgroups"] for option in group]
            if all(option["template_name"] == OPTION_TEMPLATE for option in options):
                return render_select(widget)
        return super().render(template_name, context, request=request)


def render_select(widget: dict) -> SafeString:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, group, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # every value above is escaped
