from django.views.generic import TemplateView

from qiaolian.core.views import StaffMixin


class PersonListView(StaffMixin, TemplateView):
    permission_required = "registry.view_person"
    template_name = "registry/person_list.html"
