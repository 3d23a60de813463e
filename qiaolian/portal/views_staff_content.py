"""Staff pages for the portal's content: news (write, publish, take down) and privacy notice
versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin
from qiaolian.portal import selectors, services
from qiaolian.portal.forms_content import NewsForm, PrivacyNoticeForm
from qiaolian.portal.models import News


class NewsListView(StaffMixin, TemplateView):
    permission_required = "portal.manage_content"
    template_name = "portal/staff/content_news_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = selectors.news_scope(user=self.request.user).order_by("-created_at", "-id")
        state = self.request.GET.get("state", "")
        if state == "published":
            qs = qs.filter(published_at__isnull=False)
        elif state == "draft":
            qs = qs.filter(published_at__isnull=True)
        ctx["page"] = Paginator(qs, 25).get_page(self.request.GET.get("page"))
        ctx["state"] = state
        return ctx


class NewsFormMixin:
    permission_required = "portal.manage_content"
    form_class = NewsForm
    cancel_url = reverse_lazy("portal_staff:news_list")
    fieldsets = [
        (gettext_lazy("新闻"), ["federation", "title", "activity", "body"]),
        (gettext_lazy("英文"), ["title_en", "body_en"]),
    ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("门户新闻"), reverse("portal_staff:news_list"))]
        return ctx


class NewsCreateView(NewsFormMixin, ServiceFormView):
    page_title = gettext_lazy("写新闻")
    success_message = gettext_lazy("已保存新闻“%(object)s”（未发布）。")

    def perform(self, form):
        return services.news_create(actor=self.request.user, data=form.service_data())


class NewsUpdateView(NewsFormMixin, ServiceUpdateView):
    template_name = "portal/staff/content_news_form.html"

    def load_object(self, user, pk):
        try:
            return selectors.news_staff_get(user=user, pk=pk)
        except News.DoesNotExist:
            raise Http404 from None

    def perform(self, form):
        return services.news_update(actor=self.request.user, news=self.object, data=form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = reverse("portal_staff:news_list")
        ctx["news"] = self.object
        return ctx


class NewsPublishView(StaffMixin, View):
    permission_required = "portal.manage_content"
    http_method_names = ["post"]

    def load_objects(self, **kwargs):
        try:
            self.news = selectors.news_staff_get(user=self.request.user, pk=kwargs["pk"])
        except News.DoesNotExist:
            raise Http404 from None

    def post(self, request, pk):
        publish = request.POST.get("publish", "1") != "0"
        services.news_publish(actor=request.user, news=self.news, publish=publish)
        if publish:
            messages.success(request, _("已在门户发布“%(title)s”。") % {"title": self.news.title})
        else:
            messages.success(request, _("已从门户撤下“%(title)s”。") % {"title": self.news.title})
        return redirect("portal_staff:news_list")


class NoticeListView(StaffMixin, TemplateView):
    permission_required = "portal.manage_privacy_notice"
    template_name = "portal/staff/content_notice_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        notices = list(selectors.privacy_notices(user=self.request.user))
        counts = selectors.consent_counts()
        current = services.current_notice()
        ctx["rows"] = [
            {"notice": n, "consents": counts.get(n.pk, 0), "is_current": current is not None and n.pk == current.pk}
            for n in notices
        ]
        ctx["now"] = timezone.now()
        return ctx


class NoticeCreateView(ServiceFormView):
    permission_required = "portal.manage_privacy_notice"
    form_class = PrivacyNoticeForm
    page_title = gettext_lazy("发布新版隐私政策")
    success_message = gettext_lazy("已发布隐私政策 %(object)s 版。")
    cancel_url = reverse_lazy("portal_staff:notice_list")
    fieldsets = [
        (gettext_lazy("版本"), ["version", "published_at"]),
        (gettext_lazy("正文"), ["text", "text_en"]),
    ]

    def get_initial(self):
        latest = selectors.privacy_notices(user=self.request.user).first()
        if latest is None:
            return {}
        return {"text": latest.text, "text_en": latest.text_en}

    def perform(self, form):
        d = form.cleaned_data
        return services.privacy_notice_create(
            actor=self.request.user,
            version=d["version"],
            text=d["text"],
            text_en=d["text_en"],
            published_at=d["published_at"],
        )

    def get_success_url(self, obj=None):
        return reverse("portal_staff:notice_list")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("隐私政策"), reverse("portal_staff:notice_list"))]
        return ctx
