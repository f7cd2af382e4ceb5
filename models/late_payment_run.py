"""The daily run, in one place.

Every day the scheduled action `_cron_run` goes, company by company, through:

1. the invoice PDFs the reminders due today attach, rendered first by their own batches
   (committed, bounded by time): a sending batch then finds them stored;
2. the candidates: every customer with open receivables or a follow-up under way, but those the
   run already processed today (a crash, a timeout or a rerun carries on where it stopped);
3. by batches bounded by time (late.payment.batch), each batch: lock the customers without
   waiting (late.payment.dossier: another transaction sending to one of them keeps it), refresh
   their follow-up state, decide and deliver what is due on the company's business days once
   its follow-up has started (late.payment.reminder: planning and channels, then the levels
   reached, the manual levels, the escalation), and mark them processed today.

This model only calls downward (the dossier, the reminder, the batches): neither of them calls it.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .access import ADMIN_GROUP, check_records
from .late_payment_measure import customer_types, open_receivable_sql
from .late_payment_reminder import PDF_CHUNK

BATCH_SIZE = 100
# {(database, day): invoice ids whose PDF failed that day, in this process}: not tried again
# by the day's next turns (their reminders go without them, and say so)
_PDF_SKIPPED = {}


class LatePaymentRun(models.AbstractModel):
    _name = "late.payment.run"
    _description = "Late payments: daily follow-up run"

    @api.model
    def _cron_run(self, batch_size=BATCH_SIZE):
        """Every day: refresh the follow-up state of every customer of every company by batches
        and, on the company's business days once its follow-up has started, send the reminders
        that are due. Resumable: a batch is committed with its reminders, and the customers the
        run has processed today are not processed again (a crash, a timeout or a rerun carries on
        where it stopped); customers another transaction is sending to right now are left for the
        next pass. Batches are bounded by time (late.payment.batch); a customer whose batch
        fails alone is skipped until tomorrow and reported to the administrators."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].sudo().search_fetch(
            [], ["currency_id", "country_id", "account_fiscal_country_id", "late_payment_go_live_date"])
        sends = {company: company._late_payment_sends_on(today) for company in companies}
        batch_model = self.env["late.payment.batch"]
        deadline = batch_model._turn_deadline()
        # first the invoice PDFs the reminders due today attach, by their own batches (committed,
        # bounded by time): a sending batch then finds them stored
        if not self._cron_invoice_pdfs([company for company in companies if sends[company]], today,
                                                    deadline):
            return  # the turn is over: Odoo runs the action again soon, the PDFs go on
        run = self.sudo()
        todo = [(company, run._candidates(company, today)) for company in companies]

        def process(company, ids):
            return run._run_batch(company, ids, send=sends[company])

        def skip(company, ids, _error):
            run._mark_run(company, ids, today)

        def describe(company, partner_id):
            return self.env["res.partner"].sudo().browse(partner_id).display_name

        batch_model._batches(
            self.env._("Daily follow-up run"), todo, process, skip=skip, describe=describe, max_size=batch_size,
            deadline=deadline)

    @api.model
    def _cron_invoice_pdfs(self, companies, today, deadline):
        """Render, by batches bounded by time, the missing PDFs of the invoices that the
        reminders due today in `companies` attach. Returns whether all are done (an invoice
        whose PDF fails is skipped for the day: its reminder goes without it, and says so)."""
        if not companies:
            return True
        self.env["account.move.line"].flush_model(["late_payment_next_level_id", "late_payment_next_date",
                                                   "parent_state", "reconciled", "move_id", "company_id"])
        self.env["late.payment.dossier"].flush_model(["partner_id", "company_id", "status", "next_action_date"])
        rows = self.env.execute_query(SQL("""
            SELECT DISTINCT aml.company_id, aml.move_id
              FROM account_move_line aml
              JOIN late_payment_level level ON level.id = aml.late_payment_next_level_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner partner ON partner.id = aml.partner_id
              JOIN late_payment_dossier dossier ON dossier.partner_id = partner.commercial_partner_id
                   AND dossier.company_id = aml.company_id
                   AND (dossier.status = 'due' OR (dossier.status = 'planned' AND dossier.next_action_date <= %s))
             WHERE aml.company_id = ANY(%s) AND aml.late_payment_next_date <= %s AND level.attach_invoices
               AND level.auto AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE
               AND move.move_type IN %s
               AND NOT EXISTS (SELECT 1 FROM ir_attachment a WHERE a.res_model = 'account.move'
                               AND a.res_id = aml.move_id AND a.res_field = 'invoice_pdf_report_file')
             ORDER BY aml.company_id, aml.move_id
        """, today, [company.id for company in companies], today, customer_types(self.env)))
        skipped = _PDF_SKIPPED.setdefault((self.env.cr.dbname, today), set())
        by_company = defaultdict(list)
        for company_id, move_id in rows:
            if move_id not in skipped:
                by_company[company_id].append(move_id)
        if not by_company:
            return True
        company_model = self.env["res.company"].sudo()
        todo = [(company_model.browse(company_id), ids) for company_id, ids in by_company.items()]

        job = self.env._("Invoice PDFs")
        reminder_model = self.env["late.payment.reminder"]

        def process(company, ids):
            failures = reminder_model._store_invoice_pdfs(self.env["account.move"].sudo().browse(ids))
            if failures:  # skipped for the day, reported to the administrators
                skipped.update(failures)
                self.env["late.payment.batch"]._report_failures(
                    job, company, list(failures.items()), describe)

        def skip(_company, ids, _error):
            skipped.update(ids)

        def describe(_company, move_id):
            return self.env["account.move"].sudo().browse(move_id).display_name

        total = sum(len(ids) for _company, ids in todo)
        done = self.env["late.payment.batch"]._batches(
            job, todo, process, skip=skip, describe=describe, first_size=5,
            max_size=PDF_CHUNK, deadline=deadline)
        return done >= total

    @api.model
    def _candidates(self, company, today, include_done=False):
        """The customers the daily run processes in `company`: those with open receivables or a
        follow-up under way, but those it already processed today (unless `include_done`)."""
        done = SQL("""
            EXCEPT
            SELECT partner_id FROM late_payment_dossier WHERE company_id = %s AND last_run_date = %s
        """, company.id, today) if not include_done else SQL()
        self.env["account.move.line"].flush_model(["company_id", "account_id", "parent_state", "reconciled",
                                                   "amount_residual", "partner_id"])
        self.env["late.payment.dossier"].flush_model(["company_id", "status", "amount_due", "last_run_date",
                                                      "partner_id"])
        rows = self.env.execute_query(SQL("""
            SELECT DISTINCT p.commercial_partner_id
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s AND %(open)s
             UNION
            SELECT partner_id FROM late_payment_dossier
             WHERE company_id = %(company)s AND (status != 'none' OR amount_due != 0)
            %(done)s
        """, company=company.id, open=open_receivable_sql("aml", "account"), done=done))
        return sorted(row[0] for row in rows)

    @api.model
    def _run_batch(self, company, partner_ids, send=True, origin="cron"):
        """One batch of the daily run: lock the customers (those another transaction holds are
        left for later), refresh them, send what is due when `send` (a business day), and mark
        them processed today. Returns the ids of the customers processed."""
        today = fields.Date.context_today(self)
        dossier_model = self.env["late.payment.dossier"].sudo()
        locked = dossier_model._lock(company, partner_ids)
        if not locked:
            return []
        dossiers = dossier_model._refresh(partners=self.env["res.partner"].browse(locked),
                                                       company=company)
        self.env["late.payment.reminder"]._send(
            dossiers, origin=origin, refresh=False, business_day=send)
        dossiers.sudo().with_context(tracking_disable=True).write({"last_run_date": today})
        return locked

    @api.model
    def _mark_run(self, company, partner_ids, today):
        """These customers count as processed today by the daily run: a customer whose batch
        failed is left for the next run."""
        dossier_model = self.env["late.payment.dossier"]
        dossier_model.flush_model(["last_run_date"])
        self.env.cr.execute(SQL(
            "UPDATE late_payment_dossier SET last_run_date = %s WHERE company_id = %s AND partner_id = ANY(%s)",
            today, company.id, list(partner_ids)))
        dossier_model.invalidate_model(["last_run_date"])

    @api.model
    def _run_now(self):
        """Administrators: run the daily follow-up now for the current company, in this
        transaction (no intermediate commit): refresh every customer, send what is due. Returns
        the action showing what was sent (or a notification when nothing was)."""
        if not self.env.user.has_group(ADMIN_GROUP):
            raise AccessError(self.env._("Only the late payment administrators may run the follow-up."))
        check_records(self.env["late.payment.dossier"], "write")
        company = self.env.company
        today = fields.Date.context_today(self)
        reminder_model = self.env["late.payment.reminder"]
        ids = self.sudo()._candidates(company, today, include_done=True)
        business_day = company._late_payment_sends_on(today)
        before = reminder_model.sudo().search([], order="id desc", limit=1).id or 0
        self.sudo()._run_batch(company, ids, send=business_day, origin="console")
        sent = reminder_model.search([("id", ">", before), ("company_id", "=", company.id)])
        if not company.late_payment_go_live_date:
            message = self.env._(
                "The follow-up of %(company)s has not started yet: the follow-up state of every customer was "
                "refreshed and no reminder was sent.", company=company.name)
        elif not business_day:
            message = self.env._(
                "Today is not a business day for %(company)s: the follow-up state of every customer was "
                "refreshed and no reminder was sent.", company=company.name)
        else:
            message = self.env._("%(count)s reminders sent.", count=len(sent))
        if not sent:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"title": self.env._("Follow-up run"), "message": message, "type": "info",
                           "next": {"type": "ir.actions.act_window_close"}},
            }
        action = {
            "type": "ir.actions.act_window",
            "res_model": "late.payment.reminder",
            "view_mode": "list,form",
            "domain": [("id", "in", sent.ids)],
        }
        action["name"] = self.env._("Reminders sent now")
        return action
