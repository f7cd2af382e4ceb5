"""The invoices' PDFs of the reminders, many per wkhtmltopdf call.

Odoo renders several records in one wkhtmltopdf call and splits the result per record when its
wkhtmltopdf is the patched build it recommends. Debian's wkhtmltopdf (unpatched Qt) refuses
several documents in one call: there the invoices are put in one HTML document, each starting
on a new page, rendered in one call, and the PDF is split back by the invoice number each
first page shows (engine/pdf_split.py); when the split does not hold, the caller renders them
one by one.
"""

import io

import lxml.html
from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..engine.pdf_split import split_pages

ARTICLE = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"
PAGE_BREAK = Markup('<div style="page-break-before: always;"></div>')


class LatePaymentReminder(models.Model):
    _inherit = "late.payment.reminder"

    @api.model
    def _render_pdfs_in_one(self, report, company, records):
        """{record id: PDF bytes} of `records` rendered with `report` in one wkhtmltopdf call."""
        report_model = self.env["ir.actions.report"].sudo().with_company(company)
        if _wkhtml().is_patched_qt or len(records) == 1:
            content, kind = report_model._pre_render_qweb_pdf(report.report_name, res_ids=records.ids)
            return report_model._get_splitted_report(report.report_name, content, kind)
        data = {"report_type": "pdf", "debug": False}
        html = report_model.with_context(debug=False)._render_qweb_html(report.report_name, records.ids, data=data)[0]
        root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
        articles = root.xpath(ARTICLE)
        order = [int(article.get("data-oe-id", 0)) for article in articles]
        if sorted(order) != sorted(records.ids):
            raise UserError(self.env._("The report does not show each document apart."))
        _bodies, _ids, header, footer, paper_args = report.with_context(debug=False)._prepare_html(
            html, report_model=report.model)
        layout = report._get_layout()
        merged = PAGE_BREAK.join(Markup(lxml.html.tostring(article, encoding="unicode")) for article in articles)
        body = self.env["ir.qweb"]._render(layout.id, {
            "subst": False, "body": merged, "base_url": report._get_report_url(layout=layout),
            "report_xml_id": report.xml_id, "debug": False,
        }, raise_if_not_found=False)
        pdf = report_model._run_wkhtmltopdf(
            [body], report_ref=report.report_name, header=header, footer=footer,
            specific_paperformat_args=paper_args)
        reader = PdfFileReader(io.BytesIO(pdf))
        by_id = {record.id: record for record in records}
        names = [by_id[record_id].name for record_id in order]
        ranges = split_pages([page.extract_text() or "" for page in reader.pages], names)
        if not ranges:
            raise UserError(self.env._("The PDF of several documents could not be split per document."))
        result = {}
        for record_id, (first, end) in zip(order, ranges, strict=True):
            writer = PdfFileWriter()
            for number in range(first, end):
                writer.add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            result[record_id] = stream.getvalue()
        return result
