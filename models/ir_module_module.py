from odoo import models

MODULE = "account_late_payment"


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        """Once the addon's translations are loaded (they load after its data, its demo data and
        its post-install hook), the policies and risk classes copied for each company while it
        installed get them too: a French company's levels are named in French."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if MODULE in modules and "late.payment.policy" in self.env:
            self.env["late.payment.policy"].sudo()._translate_default_copies()
            self.env["late.payment.risk.class"].sudo()._translate_default_copies()
        return result
