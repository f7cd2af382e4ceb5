"""One history per customer: the follow-up's notes logged on the contact (reminders sent,
bounced or cancelled, letters held back, promises, plans, disputes) are logged on the customer's
follow-up dossier too, so that the console's chatter tells the whole story.

The methods that log on the contact run with the context key ``late_payment_history`` (the
ids of the companies concerned); the contact's ``_message_log_batch`` then copies each note to
the dossiers of those customers in those companies, with one search per batch."""

from odoo import models

HISTORY_KEY = "late_payment_history"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _message_log_batch(self, bodies, *args, **kwargs):
        messages = super()._message_log_batch(bodies, *args, **kwargs)
        company_ids = self.env.context.get(HISTORY_KEY)
        if company_ids and bodies:
            self.env["late.payment.dossier"]._copy_history(
                self, bodies, company_ids, author_id=kwargs.get("author_id"))
        return messages


class LatePaymentDossier(models.Model):
    _inherit = "late.payment.dossier"

    def _copy_history(self, partners, bodies, company_ids, author_id=None):
        """Copy the notes `bodies` ({partner id: html}) logged on `partners` to their dossiers in
        `company_ids`. Called after the note was logged on the contact by the addon itself (the
        caller's access was checked there): the dossiers are written as superuser."""
        dossiers = self.sudo().with_context(**{HISTORY_KEY: False}).search([
            ("partner_id", "in", partners.commercial_partner_id.ids), ("company_id", "in", list(company_ids))])
        by_dossier = {}
        for dossier in dossiers:
            body = bodies.get(dossier.partner_id.id)
            if body:
                by_dossier[dossier.id] = body
        if by_dossier:
            kwargs = {"author_id": author_id} if author_id else {}
            dossiers.browse(list(by_dossier))._message_log_batch(by_dossier, **kwargs)


class LatePaymentReminder(models.Model):
    _inherit = "late.payment.reminder"

    def _log_on_customers(self, plans):
        company_ids = tuple({plan["company"].id for plan in plans})
        reminders = self.with_context(**{HISTORY_KEY: company_ids})
        return super(LatePaymentReminder, reminders)._log_on_customers(plans)

    def _fall_back_to_letters(self):
        return super(LatePaymentReminder, self.with_context(
            **{HISTORY_KEY: tuple(self.company_id.ids)}))._fall_back_to_letters()

    def _cancel(self, reason):
        return super(LatePaymentReminder, self.with_context(
            **{HISTORY_KEY: tuple(self.company_id.ids)}))._cancel(reason)

    def _cancel_letters(self, holds):
        return super(LatePaymentReminder, self.with_context(
            **{HISTORY_KEY: tuple(self.company_id.ids)}))._cancel_letters(holds)


class LatePaymentPromise(models.Model):
    _inherit = "late.payment.promise"

    def _log(self, body):
        return super(LatePaymentPromise, self.with_context(
            **{HISTORY_KEY: tuple(self.company_id.ids)}))._log(body)


class LatePaymentPlan(models.Model):
    _inherit = "late.payment.plan"

    def _create_plan(self, *args, **kwargs):
        plan = super()._create_plan(*args, **kwargs)
        # the customer is an argument (its note is logged with the caller's context): the plan's
        # own note goes to the dossier
        note = plan.message_ids.filtered("body")[:1]
        if plan and note:
            self.env["late.payment.dossier"]._copy_history(
                plan.partner_id, {plan.partner_id.id: note.body}, plan.company_id.ids)
        return plan

    def _late_payment_check(self, *args, **kwargs):
        return super(LatePaymentPlan, self.with_context(
            **{HISTORY_KEY: tuple(self.company_id.ids)}))._late_payment_check(*args, **kwargs)


class LatePaymentDispute(models.Model):
    _inherit = "late.payment.dispute"

    def _open(self, moves, reason, note=None):
        return super(LatePaymentDispute, self.with_context(
            **{HISTORY_KEY: tuple(moves.company_id.ids)}))._open(moves, reason, note=note)
