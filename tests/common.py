from datetime import date, datetime, time, timedelta

from odoo.fields import Command
from odoo.tests import freeze_time, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# every invoice of these tests is dated and due on this day (immediate payment), unless told
DUE = date(2025, 6, 2)


def day(offset):
    return DUE + timedelta(days=offset)


class LatePaymentAdminCommon(AccountTestInvoicingCommon):
    """Odoo's invoicing test setup, its user a late payment administrator."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("account_late_payment.group_late_payment_admin")

    @classmethod
    def _create_company(cls, **create_values):
        """The test companies' follow-up is started (a new company waits for an administrator)."""
        company = super()._create_company(**create_values)
        company.sudo().write({"late_payment_go_live_date": DUE - timedelta(days=365),
                              "late_payment_go_live_mode": "send"})
        return company


class LatePaymentCommon(LatePaymentAdminCommon):
    """Invoices, payments and dossiers for the follow-up tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.policy = cls.env["late.payment.policy"]._default_policy(cls.company)
        levels = cls.policy.level_ids.filtered(lambda level: level.kind == "due").sorted(
            lambda level: (level.sequence, level.days))
        cls.courtesy, cls.friendly, cls.firm, cls.formal, cls.escalation = levels
        cls.discount = cls.policy.level_ids.filtered(lambda level: level.kind == "discount")
        cls.tone = {
            key: cls.env.ref(f"account_late_payment.late_payment_tone_{key}")
            for key in ("courteous", "friendly", "firm", "formal", "collection")
        }
        cls.dossiers = cls.env["late.payment.dossier"]
        cls.customer = cls.partner_a
        cls.lp_user = new_test_user(cls.env, login="lp_followup_user", company_id=cls.company.id,
                                    groups="account_late_payment.group_late_payment_user")
        cls.lp_admin = new_test_user(cls.env, login="lp_followup_admin", company_id=cls.company.id,
                                     groups="account_late_payment.group_late_payment_admin")

    @classmethod
    def _reachable_customer(cls, **values):
        """Give the customer an email and a postal address (emails and letters reach it), and the
        current user an email address to send from."""
        cls.customer.write({"email": "billing@customer-a.example", "is_company": True, "lang": "en_US",
                            "street": "1 Main Street", "city": "Springfield", "zip": "12345",
                            "country_id": cls.env.ref("base.us").id, **values})
        cls.env.user.email = "accountman@company.example"

    # -- documents -------------------------------------------------------------------------
    @classmethod
    def _invoice(cls, amount, invoice_date=DUE, partner=None, terms=None, currency=None, move_type="out_invoice",
                 post=True, company=None):
        company = company or cls.company
        return cls._create_invoice(
            move_type=move_type,
            partner_id=(partner or cls.customer).id,
            invoice_date=invoice_date,
            invoice_payment_term_id=(terms or cls.pay_terms_a).id,
            currency_id=currency.id if currency else None,
            company_id=company.id,
            journal_id=cls.env["account.journal"].search([
                *cls.env["account.journal"]._check_company_domain(company), ("type", "=", "sale"),
            ], limit=1).id,
            invoice_line_ids=[Command.create({
                "name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()],
            })],
            post=post,
        )

    def _one_entry_for_customers(self, partners, maturity):
        """One posted journal entry with a receivable line of 100 + i for the i-th of `partners`,
        due on `maturity(i)`: many customers with something due, quickly."""
        receivable = self.company_data["default_account_receivable"]
        lines = [Command.create({
            "partner_id": partner.id, "account_id": receivable.id, "debit": 100.0 + i,
            "date_maturity": maturity(i),
        }) for i, partner in enumerate(partners)]
        lines.append(Command.create({
            "account_id": self.company_data["default_account_revenue"].id,
            "credit": sum(100.0 + i for i in range(len(partners))),
        }))
        move = self.env["account.move"].create({
            "move_type": "entry", "date": DUE, "journal_id": self.company_data["default_journal_sale"].id,
            "line_ids": lines,
        })
        move.action_post()
        return move

    @classmethod
    def _receivable_lines(cls, moves):
        return moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable").sorted("date_maturity")

    def _reach(self, lines, level, when):
        """As if the reminder of `level` had been sent for `lines` on `when`: the lines reached
        it, and the customer's reminder log has it (the customer's stage and gap come from it)."""
        lines.write({"late_payment_level_id": level.id, "late_payment_level_date": when})
        for (partner, company), some in lines.grouped(
                lambda line: (line.partner_id.commercial_partner_id, line.company_id)).items():
            self.env["late.payment.reminder"].sudo().create({
                "date": when, "partner_id": partner.id, "company_id": company.id, "level_id": level.id,
                "result": "sent", "channel_task": True, "amount_total": sum(some.mapped("amount_residual")),
            })

    # -- state -----------------------------------------------------------------------------
    @staticmethod
    def _at(today):
        """Freeze the clock at noon on `today`."""
        return freeze_time(datetime.combine(today, time(12)))

    def _refresh(self, today, partner=None, company=None):
        partner = partner or self.customer
        company = company or self.company
        with self._at(today):
            self.dossiers._refresh(partners=partner, company=company)
        return self.dossiers.search([("partner_id", "=", partner.commercial_partner_id.id),
                                     ("company_id", "=", company.id)])


class PenaltyCommon(LatePaymentAdminCommon):
    """A French company in EUR (generic chart of accounts) and a professional customer."""

    chart_template = "generic_coa"
    country_code = "FR"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"account_fiscal_country_id": cls.env.ref("base.fr").id})
        cls.eur = cls.env.ref("base.EUR")
        cls.partner_a.write({"is_company": True, "country_id": cls.env.ref("base.fr").id})

    @classmethod
    def _invoice(cls, amount, due, invoice_date=None, partner=None, currency=None, **values):
        """A posted customer invoice of `amount` (no tax) due on `due` (no payment term)."""
        values.setdefault("invoice_payment_term_id", False)
        values.setdefault("invoice_date_due", due)
        return cls._create_invoice_one_line(
            price_unit=amount, tax_ids=[], invoice_date=invoice_date or due, partner_id=partner or cls.partner_a,
            currency_id=(currency or cls.env.company.currency_id).id, post=True, **values)

    @classmethod
    def _pay(cls, invoice, amount, day, **values):
        return cls._register_payment(invoice, amount=amount, payment_date=day, **values)
