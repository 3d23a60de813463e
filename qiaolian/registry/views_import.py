from django.views.generic import ListView

from qiaolian.core.views import StaffMixin
from qiaolian.registry.selectors import import_batch_list


class ImportListView(StaffMixin, ListView):
    permission_required = "registry.import_person"
    template_name = "registry/import_list.html"

    def get_queryset(self):
        return import_batch_list(user=self.request.user)
