from django.http import Http404
from django.views.generic import TemplateView

from qiaolian.audit.forms import AuditFilterForm
from qiaolian.audit.selectors import entry_list
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import StaffMixin


class EntryListView(StaffMixin, TemplateView):
    """The audit log for auditors: filters, newest first, keyset paging."""

    permission_required = "audit.view_entry"
    template_name = "audit/entry_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.request.GET or None)
        entries = entry_list(user=self.request.user, filters=form.filters()).select_related("actor")
        ctx["form"] = form
        ctx["page"] = keyset_page(entries, order=("-seq",), cursor=self.request.GET.get("cursor", ""), size=50)
        return ctx


class EntryDetailView(StaffMixin, TemplateView):
    permission_required = "audit.view_entry"
    template_name = "audit/entry_detail.html"

    def get_context_data(self, seq: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = entry_list(user=self.request.user).filter(seq=seq).first()
        if entry is None:
            raise Http404
        ctx["entry"] = entry
        return ctx
