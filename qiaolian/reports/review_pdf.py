"""The review as PDF: an HTML template (reports/review_pdf.html) laid out by WeasyPrint.

A4 with the margins of the .docx (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); page numbers
"— N —" from CSS counters, on the right of odd pages and the left of even pages; body in
"Noto Serif CJK SC", headings in "Noto Sans CJK SC" (Debian: fonts-noto-cjk; WeasyPrint embeds
the subsets used); charts as PNG images (review_charts); markers [n] as superscript links to appendix A."""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import override

from qiaolian.reports.review import Review, paragraph_html


def review_pdf_html(review: Review) -> str:
    import base64

    from qiaolian.reports.review_charts import chart_png

    sections = [
        SimpleNamespace(
            key=s.key, title=s.title, level=s.level, html=[paragraph_html(p, review, anchor=True) for p in s.paragraphs]
        )
        for s in review.sections
    ]
    charts = [
        SimpleNamespace(title=c.title, src="data:image/png;base64," + base64.b64encode(chart_png(c)).decode())
        for c in review.charts
    ]
    return render_to_string(
        "reports/review_pdf.html",
        {
            "review": review,
            "sections": sections,
            "charts": charts,
            "base_url": getattr(settings, "QIAOLIAN_SITE_URL", "").rstrip("/"),
        },
    )


def render_pdf(review: Review) -> bytes:
    """The review as PDF bytes."""
    import weasyprint

    with override("zh-hans"):
        html = review_pdf_html(review)
    return weasyprint.HTML(string=html, base_url=str(settings.PACKAGE_DIR)).write_pdf()
