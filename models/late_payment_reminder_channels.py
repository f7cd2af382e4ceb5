"""The channels of a reminder: the email (with its PDFs and its delivery status), the letter, the
SMS, the call or task, and the fall-back to a letter when an email bounces.
"""

import logging
import time
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_amount, format_date

from ..engine import reminders as rules
from .access import check_records
from .late_payment_reminder import EMAIL_LAYOUT, INVOICE_REPORT, LETTER_REPORT, PDF_CHUNK, STATEMENT_REPORT, log_update

_logger = logging.getLogger(__name__)


class LatePaymentReminder(models.Model):
    _inherit = "late.payment.reminder"

    # -- email ---------------------------------------------------------------------------------
    def _render_emails(self, plans):
        """{dossier id: values of its email}, rendered by batches of template and responsible
        (the signature), each in the customer's language."""
        groups = defaultdict(list)
        for plan in plans:
            template = plan["tone"].mail_template_id or plan["level"].tone_id.mail_template_id
            if not template:
                raise UserError(self.env._(
                    "The tone \u201c%(tone)s\u201d has no email template: the reminder of %(level)s cannot be "
                    "emailed.", tone=plan["tone"].name, level=plan["level"].name))
            groups[template, plan["tone"], plan["responsible"]].append(plan)
        # what the emails list (the dossiers' lines and their invoices), read for the whole batch
        # at once before the templates render the dossiers one by one
        self.env["late.payment.dossier"].sudo().union(*(plan["dossier"] for plan in plans)).mapped(
            "reminder_line_ids").move_id.mapped("access_token")
        emails = {}
        for (template, tone, responsible), group in groups.items():
            # the body says the text of the plan's tone (see late.payment.dossier._late_payment_email_body)
            renderer = template.with_user(responsible).sudo().with_context(lang=None, late_payment_tone_id=tone.id)
            ids = [plan["dossier"].id for plan in group]
            values = renderer._generate_template(ids, (
                "subject", "body_html", "email_from", "reply_to", "attachment_ids", "report_template_ids",
                "auto_delete", "mail_server_id"))
            langs = renderer._render_lang(ids)
            for plan in group:
                key = plan["dossier"].id
                email = values[key]
                email["lang"] = langs.get(key) or plan["partner"].lang or self.env.lang
                email["email_to"] = plan["recipient"].email_formatted
                email["email_cc"] = plan["cc"]
                email["template"] = template
                emails[key] = email
        return emails

    def _send_emails(self, plans, emails):
        """Queue the emails (Odoo's mail queue sends them), each a message in the customer's
        chatter whose delivery status (sent, bounced, failed) comes back on the reminder."""
        plans = [plan for plan in plans if plan["dossier"].id in emails]
        if not plans:
            return
        mail_model = self.env["mail.mail"].sudo()
        vals_list, attachments_list = [], []
        # the invoices' own PDFs for the whole batch at once: those missing rendered in bulk and
        # stored as the invoices' PDF (as Odoo's sending does), so each is rendered once
        pdf_failures = self._store_invoice_pdfs(self.env["account.move"].union(
            *(plan["lines"].move_id for plan in plans if plan["level"].attach_invoices)))
        for plan in plans:
            email = emails[plan["dossier"].id]
            lang = email["lang"]
            body = email.get("body_html") or ""
            layout_body = email["template"].with_context(lang=lang)._render_encapsulate(
                EMAIL_LAYOUT, body, add_context={"company": plan["company"], "model_description": False},
                context_record=plan["partner"].with_context(lang=lang))
            attachment_ids = list(email.get("attachment_ids") or [])
            generated = list(email.get("attachments") or [])
            generated += self._document_pdfs(plan)
            if plan["level"].attach_invoices:
                attachment_ids += self._invoice_pdfs(plan, pdf_failures).ids
            vals_list.append({
                "subject": email.get("subject") or "",
                "body": body,
                "body_html": layout_body,
                "email_from": email.get("email_from") or plan["company"].email_formatted,
                "reply_to": email.get("reply_to") or False,
                "author_id": plan["responsible"].partner_id.id,
                "recipient_ids": [Command.link(plan["recipient"].id)],
                "email_cc": plan["cc"] or False,
                "model": "res.partner",
                "res_id": plan["partner"].id,
                "message_type": "email_outgoing",
                "is_notification": True,  # the mail goes once sent; its message stays in the chatter
                "auto_delete": email.get("auto_delete", True),
                "mail_server_id": email.get("mail_server_id") or False,
                "attachment_ids": [Command.link(attachment_id) for attachment_id in attachment_ids],
            })
            attachments_list.append(generated)
        mails = mail_model.create(vals_list)
        new_attachments = []
        for mail, generated in zip(mails, attachments_list, strict=True):
            new_attachments.extend({
                "name": name, "raw": content, "res_model": "mail.message", "res_id": mail.mail_message_id.id,
                "type": "binary",
            } for name, content in generated)
        if new_attachments:
            created = self.env["ir.attachment"].sudo().with_context(default_type=None).create(new_attachments)
            for mail, attachments in created.grouped("res_id").items():
                mails.filtered(lambda m, mid=mail: m.mail_message_id.id == mid).attachment_ids = [
                    Command.link(attachment.id) for attachment in attachments]
        self.env["mail.notification"].sudo().create([{
            "author_id": plan["responsible"].partner_id.id,
            "mail_message_id": mail.mail_message_id.id,
            "mail_mail_id": mail.id,
            "res_partner_id": plan["recipient"].id,
            "notification_type": "email",
            "notification_status": "ready",
            "is_read": True,
        } for plan, mail in zip(plans, mails, strict=True)])
        for plan, mail in zip(plans, mails, strict=True):
            plan["reminder"].mail_message_id = mail.mail_message_id

    def _document_pdfs(self, plan):
        """[(name, content)]: the letter and the statement of account the level attaches to the
        email, rendered in the customer's language."""
        level = plan["level"]
        reminder = plan["reminder"]
        lang = plan["recipient"].lang or plan["partner"].lang or self.env.lang
        report_model = self.env["ir.actions.report"].sudo().with_context(lang=lang)
        documents = []
        if level.attach_letter and reminder.letter_body:
            content, _kind = report_model._render_qweb_pdf(LETTER_REPORT, reminder.ids)
            documents.append((self.with_context(lang=lang).env._(
                "Reminder - %(customer)s.pdf", customer=plan["partner"].name), content))
        if level.attach_statement:
            content, _kind = report_model._render_qweb_pdf(STATEMENT_REPORT, plan["dossier"].ids)
            documents.append((self.with_context(lang=lang).env._(
                "Statement of account - %(customer)s.pdf", customer=plan["partner"].name), content))
        return documents

    def _invoice_pdfs(self, plan, failures):
        """The stored PDFs of the invoices of `plan`; an invoice whose PDF could not be made (see
        `_store_invoice_pdfs`) is left out, the reason noted on the reminder."""
        invoices = plan["lines"].move_id.filtered(lambda move: move.is_invoice(include_receipts=True))
        missing = invoices.filtered(lambda move: move.id in failures)
        if missing:
            reminder = plan["reminder"]
            reminder.note = "\n".join(filter(None, [reminder.note, self.env._(
                "Sent without the PDF of %(invoices)s: %(reason)s",
                invoices=", ".join(missing.mapped("name")), reason=failures[missing[0].id])]))
        return (invoices - missing).invoice_pdf_report_id

    @api.model
    def _store_invoice_pdfs(self, moves, chunk=PDF_CHUNK):
        """Render the invoices of `moves` that have no PDF yet, many per wkhtmltopdf call (Odoo
        splits the document per invoice), and store each as the invoice's PDF, as Odoo's own
        sending does (`account.move.send`): rendered once, then reused by every reminder.
        Returns {invoice id: reason} of those whose PDF could not be made (a chunk that fails is
        rendered again one invoice at a time)."""
        invoices = moves.filtered(lambda move: move.is_invoice(include_receipts=True) and move.state == "posted")
        todo = invoices.filtered(lambda move: not move.invoice_pdf_report_id)
        failures = {}
        for company, company_invoices in todo.grouped("company_id").items():
            for start in range(0, len(company_invoices), chunk):
                part = company_invoices[start:start + chunk]
                try:
                    with self.env.cr.savepoint():
                        self._render_invoice_pdfs(company, part)
                    continue
                except Exception as error:  # each invoice alone below
                    if len(part) == 1:
                        failures[part.id] = str(error) or type(error).__name__
                        _logger.warning("Late payments: the PDF of %s could not be made: %s", part.name, error)
                        continue
                    _logger.info("Late payments: %s invoice PDFs could not be made together (%s): one by one",
                                 len(part), error)
                for invoice in part:
                    try:
                        with self.env.cr.savepoint():
                            self._render_invoice_pdfs(company, invoice)
                    except Exception as error:
                        failures[invoice.id] = str(error) or type(error).__name__
                        _logger.warning("Late payments: the PDF of %s could not be made: %s", invoice.name, error)
        return failures

    @api.model
    def _render_invoice_pdfs(self, company, invoices):
        """One wkhtmltopdf call for `invoices` (one company), split per invoice and stored."""
        report = self.env.ref(INVOICE_REPORT).sudo()
        report_model = self.env["ir.actions.report"].sudo().with_company(company)
        started = time.monotonic()
        if report_model._is_invoice_report(report.report_name) and any(
                invoice.move_type == "entry" for invoice in invoices):
            raise UserError(self.env._("Only invoices could be printed."))
        if tools.config["test_enable"] and not self.env.context.get("force_report_rendering"):
            content, kind = report_model._pre_render_qweb_pdf(report.report_name, res_ids=invoices.ids)
            by_id = report_model._get_splitted_report(report.report_name, content, kind)
        else:  # many per wkhtmltopdf call (models/late_payment_reminder_pdf.py)
            by_id = self._render_pdfs_in_one(report, company, invoices)
        # (make bench reads these lines: the PDFs rendered per second)
        _logger.info("Late payments: %s invoice PDFs rendered in %.2f s", len(invoices), time.monotonic() - started)
        missing = [invoice for invoice in invoices if not by_id.get(invoice.id)]
        if missing:
            raise UserError(self.env._("The invoice report could not be split per invoice: %(invoices)s",
                                       invoices=", ".join(invoice.name for invoice in missing)))
        attachments = self.env["ir.attachment"].sudo().create([{
            "name": invoice._get_invoice_report_filename(report=report),
            "raw": by_id[invoice.id],
            "mimetype": "application/pdf",
            "res_model": "account.move",
            "res_id": invoice.id,
            "res_field": "invoice_pdf_report_file",
        } for invoice in invoices])
        for invoice, attachment in zip(invoices, attachments, strict=True):
            if not invoice.message_main_attachment_id:
                invoice.sudo().message_main_attachment_id = attachment
        invoices.invalidate_recordset(["invoice_pdf_report_id", "invoice_pdf_report_file"])
        return attachments

    # -- letters ----------------------------------------------------------------------------------
    def _render_letters(self, plans):
        """{dossier id: letter text}, in the customer's language, by batches of tone."""
        letters = {}
        by_tone = defaultdict(list)
        for plan in plans:
            by_tone[plan["tone"]].append(plan["dossier"])
        for tone, dossiers in by_tone.items():
            rendered = tone.sudo()._render_letter(self.env["late.payment.dossier"].union(*dossiers))
            letters.update(rendered)
        return letters

    def _post_letters(self, plans):
        """The letters wait in the day's batch (letter_state queued); a company that posts its
        letters with Odoo's Snailmail service also hands them to it."""
        if not plans or not plans[0]["company"].late_payment_snailmail:
            return
        letter_model = self.env["snailmail.letter"].sudo()
        report = self.env.ref(LETTER_REPORT)
        postable = []
        for plan in plans:
            address = plan["recipient"] if letter_model._is_valid_address(plan["recipient"]) else plan["partner"]
            if not letter_model._is_valid_address(address):
                reminder = plan["reminder"]
                reminder.note = "\n".join(filter(None, [reminder.note, self.env._(
                    "The customer's address is incomplete: the letter is not posted, print it.")]))
                continue
            postable.append((plan, address))
        if not postable:
            return
        letters = letter_model.create([{
            "model": self._name,
            "res_id": plan["reminder"].id,
            "partner_id": address.id,
            "company_id": plan["company"].id,
            "report_template": report.id,
            "user_id": plan["responsible"].id,
        } for plan, address in postable])
        for (plan, _address), letter in zip(postable, letters, strict=True):
            plan["reminder"].snailmail_letter_id = letter

    # -- SMS ------------------------------------------------------------------------------------------
    def _send_sms(self, plans):
        """A short text in the customer's language, queued in Odoo's SMS queue (its scheduled
        action sends it through IAP)."""
        for plan in plans:
            partner = plan["partner"]
            recipient = plan["recipient"]
            number = recipient._phone_format(number=plan["phone"]) or plan["phone"]
            lang = recipient.lang or partner.lang or self.env.lang
            body = self._sms_text(plan, lang)
            message = partner.with_context(lang=lang)._message_sms(
                body, partner_ids=recipient.ids, sms_pid_to_number={recipient.id: number}, put_in_queue=True)
            with log_update():
                plan["reminder"].write({"sms_number": number, "sms_message_id": message.id})

    def _sms_text(self, plan, lang):
        env = self.with_context(lang=lang).env
        company = plan["company"]
        amount = format_amount(env, plan["amount"], company.currency_id, lang_code=lang)
        invoices = ", ".join(plan["lines"].move_id.mapped("name"))
        if all(line.date_maturity and line.date_maturity >= plan["today"] for line in plan["lines"]):
            return env._("%(company)s: %(amount)s soon due (%(invoices)s). Thank you for paying on time.",
                         company=company.name, amount=amount, invoices=invoices)
        return env._("%(company)s: %(amount)s overdue (%(invoices)s). Please pay it or contact us. Thank you.",
                     company=company.name, amount=amount, invoices=invoices)

    # -- calls and tasks -----------------------------------------------------------------------------
    def _schedule_activities(self, plans):
        """A phone call, a task, for the customer's responsible, on its follow-up."""
        model_id = self.env["ir.model"]._get_id("late.payment.dossier")
        call = self.env.ref("mail.mail_activity_data_call")
        todo = self.env.ref("mail.mail_activity_data_todo")
        vals_list, owners = [], []
        for plan in plans:
            partner = plan["partner"]
            invoices = self._invoices_text(plan)
            common = {"res_model_id": model_id, "res_id": plan["dossier"].id, "user_id": plan["responsible"].id,
                      "date_deadline": plan["today"], "automated": True}
            if rules.CALL in plan["channels"]:
                vals_list.append({**common, "activity_type_id": call.id, "summary": self.env._(
                    "Call %(customer)s: %(level)s", customer=partner.display_name, level=plan["level"].name),
                    "note": invoices})
                owners.append(plan)
            if rules.TASK in plan["channels"]:
                if plan["bounced"]:
                    summary = self.env._("No email to %(customer)s: a letter is queued, check the address",
                                         customer=partner.display_name)
                elif plan["no_number"]:
                    summary = self.env._("No phone number for the SMS to %(customer)s: %(level)s",
                                         customer=partner.display_name, level=plan["level"].name)
                else:
                    summary = self.env._("%(level)s for %(customer)s", level=plan["level"].name,
                                         customer=partner.display_name)
                vals_list.append({**common, "activity_type_id": todo.id, "summary": summary, "note": invoices})
                owners.append(plan)
        if not vals_list:
            return
        activities = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
        by_reminder = defaultdict(list)
        for plan, activity in zip(owners, activities, strict=True):
            by_reminder[plan["reminder"]].append(activity.id)
        for reminder, ids in by_reminder.items():
            reminder.activity_ids = [Command.set(ids)]

    def _invoices_text(self, plan):
        items = Markup("").join(
            Markup("<li>%s</li>") % self.env._(
                "%(invoice)s, due %(due)s: %(amount)s", invoice=line.move_id.name,
                due=format_date(self.env, line.date_maturity),
                amount=format_amount(self.env, line.amount_residual_currency, line.currency_id))
            for line in plan["lines"])
        return Markup("<ul>%s</ul>") % items

    # -- delivery status of the emails ----------------------------------------------------------------
    @api.model
    def _email_status(self, messages, status):
        """The emails of `messages` bounced (`bounce`), could not be sent (`exception`) or went
        (`sent`): the reminders follow. A bounced email becomes a letter and a task."""
        reminders = self.sudo().search([("mail_message_id", "in", messages.ids)])
        if status == "bounce":
            reminders = reminders.filtered(lambda reminder: reminder.result != rules.BOUNCED)
            reminders._fall_back_to_letters()
        elif status == "exception":
            with log_update():
                reminders.filtered(lambda reminder: reminder.result == rules.SENT).write({
                    "result": rules.FAILED,
                    "note": self.env._("The email could not be sent (see the message in the customer's chatter)."),
                })
        elif status == "sent":
            with log_update():
                reminders.filtered(lambda reminder: reminder.result == rules.FAILED).write({"result": rules.SENT})

    def _fall_back_to_letters(self):
        """The email of these reminders bounced: a letter in the day's batch and a task for the
        responsible instead."""
        if not self:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("late.payment.dossier")
        today = fields.Date.context_today(self)
        letters = {}
        for tone, reminders in self.filtered("dossier_id").grouped("tone_id").items():
            if tone:
                letters.update(tone._render_letter(reminders.dossier_id))
        for reminder in self:
            note = self.env._("The email to %(email)s bounced: a letter is queued instead.",
                              email=reminder.email_to or "")
            activity = self.env["mail.activity"].with_context(mail_activity_quick_update=True).create({
                "res_model_id": model_id, "res_id": reminder.dossier_id.id, "activity_type_id": todo.id,
                "user_id": reminder.dossier_id._responsible().id, "date_deadline": today,
                "automated": True, "summary": self.env._(
                    "The reminder email to %(customer)s bounced: check the address",
                    customer=reminder.partner_id.display_name), "note": note,
            }) if reminder.dossier_id else self.env["mail.activity"]
            vals = {
                "result": rules.BOUNCED,
                "channel_letter": True,
                "channel_task": True,
                "note": "\n".join(filter(None, [reminder.note, note])),
                "activity_ids": [Command.link(activity.id)] if activity else [],
            }
            if reminder.letter_state == "none":
                vals["letter_state"] = "queued"
                vals["letter_body"] = letters.get(reminder.dossier_id.id) or reminder.letter_body
            with log_update():
                reminder.write(vals)
            reminder.partner_id._message_log(body=Markup("<p>%s</p>") % note)

    # -- letters report ------------------------------------------------------------------------------
    def _letter_address(self):
        """The postal address block of the letter."""
        self.ensure_one()
        partner = self.recipient_id if self.recipient_id.street else self.partner_id
        return partner._display_address(without_company=False)

    def _letter_data(self):
        """What the letter prints besides its text: the reminded lines, the customer's unapplied
        credits, the total due, the penalties (when the level states them) and how to pay (the
        invoices' payment links, the company's bank account and its SEPA QR code)."""
        self.ensure_one()
        check_records(self, "read")
        # sudo: the lines, credits and bank details of a reminder the caller may read
        reminder = self.sudo()
        lines = reminder.line_ids.sorted(lambda line: (line.date_maturity or reminder.date, line.id))
        if reminder.dossier_id:
            detail = reminder.dossier_id._amounts_detail(lines, overdue=reminder.amount_total)
        else:  # the customer's dossier is gone: the lines alone
            detail = self.env["late.payment.dossier"].new({
                "partner_id": reminder.partner_id.id, "company_id": reminder.company_id.id,
            })._amounts_detail(lines, overdue=reminder.amount_total)
        currency, total, bank = detail["currency"], detail["total"], detail["bank"]
        communication = detail["communication"]
        penalties = []
        if reminder.level_id.state_penalties and lines:
            moves = lines.move_id.filtered(lambda move: move.move_type == "out_invoice")
            try:
                penalties = [
                    penalty for penalty in moves.late_payment_penalties(at_date=reminder.date.isoformat())
                    if penalty["interest"] or penalty["indemnity"]]
            except UserError:  # no reference rate for a half-year: the letter states no penalty
                _logger.info("Late payments: no penalties on the letter %s (a reference rate is missing)", self.id)
        for penalty in penalties:
            penalty["currency_record"] = self.env["res.currency"].search([("name", "=", penalty["currency"])], limit=1)
        qr_code = qr_values = False
        if bank and total > 0 and bank._build_qr_code_vals(
                total, communication[:140], None, currency, reminder.partner_id, qr_method="sct_qr"):
            # Odoo's SEPA QR code (account_qr_code_sepa) of the company's bank account
            qr_values = bank._get_qr_vals("sct_qr", total, currency, reminder.partner_id, communication[:140], None)
            qr_code = bank.build_qr_code_base64(
                total, communication[:140], None, currency, reminder.partner_id, qr_method="sct_qr")
        return {
            **detail,
            "lines": lines,
            "penalties": penalties,
            "qr_code": qr_code,
            "qr_values": qr_values,
        }
