"""Demo data: the customers' risk, and a customer in collective proceedings.

Credit limits for a few customers (Odoo's own, with the company's credit limit switched on),
the company status of Restaurant Le Lyonnais as the French company register and BODACC would
answer it (a receivership opened three weeks ago: it gets no more reminders; recorded answers
written from the services' documented formats, the demo never calls them; recorded first,
before the follow-up's history and today's run), then every customer's risk score: the
chronic late payers come out high or critical, the early payers low.
"""

import json
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.account_late_payment.engine import siren_lookup

CREDIT_LIMITS = {
    "agence_lambert": 20000.0,
    "menuiserie_bernard": 12000.0,
    "hotel_parc": 15000.0,
    "cabinet_lefevre": 20000.0,
}
PROCEEDINGS_CUSTOMER = "restaurant_lyonnais"
PROCEEDINGS_AGE = 21  # days since the opening judgment


class LatePaymentDemo(models.AbstractModel):
    _inherit = "late.payment.demo"

    @api.model
    def _generate_risk(self):
        company = self.env.company
        company.account_use_credit_limit = True
        for key, limit in CREDIT_LIMITS.items():
            partner = self.env.ref(f"account_late_payment.demo_partner_{key}", raise_if_not_found=False)
            if partner:
                partner.with_company(company).credit_limit = limit
        self.env["late.payment.dossier"]._compute_risk(company)
        return True

    @api.model
    def _generate_company_status(self):
        """The receivership of the proceedings customer, recorded before the follow-up's year and
        today's run (demo/late_payment_company_status_demo.xml): the run sends it nothing."""
        partner = self.env.ref(f"account_late_payment.demo_partner_{PROCEEDINGS_CUSTOMER}", raise_if_not_found=False)
        if partner:
            self._demo_company_status(partner, fields.Date.context_today(self))
        return True

    def _demo_company_status(self, partner, today):
        """What the two services would answer about a company in receivership."""
        siren = partner._late_payment_siren()
        opened = today - timedelta(days=PROCEEDINGS_AGE)
        published = opened + timedelta(days=9)
        company_answer = {
            "results": [{
                "siren": siren,
                "nom_complet": partner.name.upper(),
                "nom_raison_sociale": partner.name.upper(),
                "etat_administratif": "A",
                "date_fermeture": None,
                "siege": {"siret": partner.company_registry, "etat_administratif": "A", "date_fermeture": None},
            }],
            "total_results": 1, "page": 1, "per_page": 10, "total_pages": 1,
        }
        judgment = {
            "type": "initial",
            "famille": "Jugement d'ouverture",
            "nature": "Jugement d'ouverture d'une procédure de redressement judiciaire",
            "date": opened.isoformat(),
            "complementJugement": "Jugement prononçant l'ouverture d'une procédure de redressement judiciaire, "
                                  "date de cessation des paiements le " + (opened - timedelta(days=30)).isoformat()
                                  + ", désignant mandataire judiciaire. Les créances sont à déclarer dans les "
                                    "deux mois de la publication au BODACC.",
        }
        bodacc_answer = {
            "total_count": 1,
            "results": [{
                "id": f"A{published.year}0{published.timetuple().tm_yday:03d}1234",
                "publicationavis": "A",
                "parution": f"{published.year}0{published.timetuple().tm_yday:03d}",
                "dateparution": published.isoformat(),
                "numeroannonce": 1234,
                "typeavis": "annonce",
                "familleavis": "collective",
                "familleavis_lib": "Procédures collectives",
                "tribunal": "TRIBUNAL DE COMMERCE DE LYON",
                "commercant": partner.name.upper(),
                "registre": [f"{siren[:3]} {siren[3:6]} {siren[6:]}", siren],
                "jugement": json.dumps(judgment, ensure_ascii=False),
            }],
        }
        legal = siren_lookup.parse_company_search(company_answer, siren)
        proceedings = siren_lookup.parse_bodacc(bodacc_answer, siren)
        partner.write(partner._late_payment_status_values(legal, proceedings, [], fields.Datetime.now()))
        self.env["late.payment.dossier"]._refresh_partners_everywhere(partner)
