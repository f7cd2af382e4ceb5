from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class LatePaymentCommon(AccountTestInvoicingCommon):
    """A French company in EUR (generic chart of accounts) and a professional customer."""

    chart_template = "generic_coa"
    country_code = "FR"

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("account_late_payment.group_late_payment_admin")

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
