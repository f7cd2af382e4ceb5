"""Hand-written answers in the documented formats of the API Recherche d'entreprises and of
BODACC v2.1 (fictional companies; SIRENs with a valid check digit)."""

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from engine import siren_lookup

SIREN = "812345676"
OTHER = "901234567"


# --- request URLs ----------------------------------------------------------------------------


def test_company_search_url():
    assert siren_lookup.company_search_url(SIREN) == "https://recherche-entreprises.api.gouv.fr/search?q=812345676"
    # a SIRET or a VAT number looks up its SIREN
    assert siren_lookup.company_search_url("812 345 676 00017").endswith("?q=812345676")
    assert siren_lookup.company_search_url("FR19812345676").endswith("?q=812345676")
    with pytest.raises(ValueError):
        siren_lookup.company_search_url("812345677")


def test_bodacc_url():
    url = siren_lookup.bodacc_url("812 345 676")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://bodacc-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/annonces-commerciales/records")
    assert parse_qs(parts.query) == {
        "where": ['registre LIKE "812345676" AND familleavis="collective"'],
        "order_by": ["dateparution DESC"],
        "limit": ["100"],
    }
    assert parse_qs(urlsplit(siren_lookup.bodacc_url(SIREN, limit=500)).query)["limit"] == ["100"]
    with pytest.raises(ValueError):
        siren_lookup.bodacc_url("not a siren")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-12", date(2024, 3, 12)),
    ("2024-03-12T00:00:00+00:00", date(2024, 3, 12)),
    ("10 décembre 2009", date(2009, 12, 10)),
    ("1er août 2023", date(2023, 8, 1)),
    ("12/03/2024", date(2024, 3, 12)),
    ("31 février 2024", None),
    ("sometime", None),
    ("", None),
    (None, None),
])
def test_parse_date(text, expected):
    assert siren_lookup.parse_date(text) == expected


# --- API Recherche d'entreprises ---------------------------------------------------------------


def company_answer(siren=SIREN, state="A", closed=None, head_state="A", head_closed=None):
    return {
        "results": [{
            "siren": siren,
            "nom_complet": "ATELIER EXEMPLE (AE)",
            "nom_raison_sociale": "ATELIER EXEMPLE",
            "etat_administratif": state,
            "date_creation": "2012-05-01",
            "date_fermeture": closed,
            "nature_juridique": "5710",
            "siege": {
                "siret": siren + "00017",
                "est_siege": True,
                "etat_administratif": head_state,
                "date_fermeture": head_closed,
                "adresse": "12 RUE DE LA REPUBLIQUE 69002 LYON",
            },
            "matching_etablissements": [],
        }],
        "total_results": 1,
        "page": 1,
        "per_page": 10,
        "total_pages": 1,
    }


def test_active_company():
    status = siren_lookup.parse_company_search(json.dumps(company_answer()), SIREN)
    assert status == siren_lookup.LegalStatus(
        siren=SIREN, found=True, name="ATELIER EXEMPLE (AE)", state="active", ceased_on=None,
        head_office_siret="81234567600017", head_office_open=True, head_office_closed_on=None,
        legal_category="5710")


def test_public_body_by_legal_category():
    assert siren_lookup.is_public_body("7210")  # a commune
    assert siren_lookup.is_public_body(" 7346 ")  # a communauté de communes
    assert not siren_lookup.is_public_body("5710")  # an SAS
    assert not siren_lookup.is_public_body(None)
    assert not siren_lookup.is_public_body("")


def test_ceased_company():
    answer = company_answer(state="C", closed="2023-06-30", head_state="F", head_closed="2023-06-30")
    status = siren_lookup.parse_company_search(answer, SIREN)
    assert (status.state, status.ceased_on) == ("ceased", date(2023, 6, 30))
    assert (status.head_office_open, status.head_office_closed_on) == (False, date(2023, 6, 30))


def test_company_not_found():
    empty = {"results": [], "total_results": 0, "page": 1, "per_page": 10, "total_pages": 0}
    assert siren_lookup.parse_company_search(empty, SIREN) == siren_lookup.LegalStatus(SIREN, found=False)
    # an answer about another company does not describe this one
    assert not siren_lookup.parse_company_search(company_answer(siren=OTHER), SIREN).found
    assert siren_lookup.parse_company_search("", SIREN).state == "unknown"


# --- BODACC --------------------------------------------------------------------------------


def notice(number, published, nature, judged=None, family="Jugement d'ouverture", kind="annonce", previous=None,
           siren=SIREN, complement=None):
    """A BODACC v2.1 record of the "collective" family, as the records endpoint returns it."""
    parution = published[:4] + "0" + str(number)[:3]
    spaced = f"{siren[:3]} {siren[3:6]} {siren[6:]}"
    jugement = {"type": "initial", "famille": family, "nature": nature, "date": judged or published}
    if complement:
        jugement["complementJugement"] = complement
    return {
        "id": f"A{parution}{number}",
        "publicationavis": "A",
        "publicationavis_facette": "Bodacc A",
        "parution": parution,
        "dateparution": published,
        "numeroannonce": number,
        "typeavis": kind,
        "typeavis_lib": {"annonce": "Avis initial", "rectificatif": "Avis rectificatif",
                         "annulation": "Avis d'annulation"}[kind],
        "familleavis": "collective",
        "familleavis_lib": "Procédures collectives",
        "numerodepartement": "69",
        "departement_nom_officiel": "Rhône",
        "tribunal": "TRIBUNAL DE COMMERCE DE LYON",
        "commercant": "ATELIER EXEMPLE",
        "ville": "Lyon",
        "registre": [spaced, siren],
        "cp": "69002",
        "listepersonnes": json.dumps({"personne": {"typePersonne": "pm", "denomination": "ATELIER EXEMPLE"}}),
        "jugement": json.dumps(jugement, ensure_ascii=False),
        "parutionavisprecedent": json.dumps(previous) if previous else None,
        "url_complete": f"https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:A{parution}{number}",
    }


def previous_of(record):
    return {"nomPublication": "BODACC A", "numeroParution": record["parution"],
            "dateParution": record["dateparution"], "numeroAnnonce": record["numeroannonce"]}


def answer(*records):
    """The API's answer: newest first, as ordered by the URL."""
    ordered = sorted(records, key=lambda record: record["dateparution"], reverse=True)
    return json.dumps({"total_count": len(ordered), "results": ordered}, ensure_ascii=False)


OPEN_RJ = "Jugement d'ouverture d'une procédure de redressement judiciaire"


def test_no_notice():
    status = siren_lookup.parse_bodacc(json.dumps({"total_count": 0, "results": []}), SIREN)
    assert (status.state, status.procedure, status.blocks_reminders, status.judgments) == ("none", None, False, ())


def test_redressement_opened_then_plan():
    records = answer(
        notice(1101, "2024-03-20", OPEN_RJ, judged="2024-03-12"),
        notice(1102, "2024-06-05", "Dépôt de l'état des créances", family="Avis de dépôt"),
        notice(1103, "2025-02-14", "Jugement arrêtant le plan de redressement", judged="4 février 2025",
               family="Jugement arrêtant le plan"),
    )
    status = siren_lookup.parse_bodacc(records, SIREN)
    assert (status.state, status.procedure) == ("open", "redressement")
    assert (status.opened_on, status.procedure_since, status.plan_on) == (
        date(2024, 3, 12), date(2024, 3, 12), date(2025, 2, 4))
    assert status.tribunal == "TRIBUNAL DE COMMERCE DE LYON"
    assert status.blocks_reminders
    assert [judgment.kind for judgment in status.judgments] == ["opening", "administrative", "plan"]
    assert not status.needs_review


def test_liquidation_after_redressement_then_closed():
    records = [
        notice(2101, "2023-01-18", OPEN_RJ, judged="2023-01-10"),
        notice(2102, "2023-05-24", "Jugement de conversion en liquidation judiciaire", judged="2023-05-16",
               family="Jugement prononçant"),
    ]
    status = siren_lookup.parse_bodacc(answer(*records), SIREN)
    assert (status.state, status.procedure) == ("open", "liquidation")
    assert (status.opened_on, status.procedure_since) == (date(2023, 1, 10), date(2023, 5, 16))
    records.append(notice(2103, "2024-11-06", "Jugement de clôture pour insuffisance d'actif", judged="2024-10-29",
                          family="Jugement de clôture"))
    closed = siren_lookup.parse_bodacc(answer(*records), SIREN)
    assert (closed.state, closed.procedure, closed.closed_on) == ("closed", "liquidation", date(2024, 10, 29))
    assert not closed.blocks_reminders


def test_direct_liquidation():
    status = siren_lookup.parse_bodacc(answer(
        notice(3101, "2025-09-10", "Jugement d'ouverture de liquidation judiciaire", judged="2 septembre 2025")), SIREN)
    assert (status.state, status.procedure, status.opened_on) == ("open", "liquidation", date(2025, 9, 2))


def test_plan_resolved_into_liquidation():
    status = siren_lookup.parse_bodacc(answer(
        notice(4101, "2021-04-07", "Jugement d'ouverture d'une procédure de sauvegarde", judged="2021-03-30"),
        notice(4102, "2022-01-12", "Jugement arrêtant le plan de sauvegarde", judged="2022-01-04",
               family="Jugement arrêtant le plan"),
        notice(4103, "2024-02-21", "Jugement prononçant la résolution du plan de sauvegarde et la liquidation "
               "judiciaire", judged="2024-02-13", family="Jugement prononçant"),
    ), SIREN)
    assert (status.state, status.procedure, status.plan_on) == ("open", "liquidation", None)
    assert (status.opened_on, status.procedure_since) == (date(2021, 3, 30), date(2024, 2, 13))


def test_sauvegarde_ended():
    status = siren_lookup.parse_bodacc(answer(
        notice(5101, "2022-10-05", "Jugement d'ouverture d'une procédure de sauvegarde", judged="2022-09-27"),
        notice(5102, "2023-03-15", "Jugement mettant fin à la procédure de sauvegarde", judged="2023-03-07",
               family="Jugement de clôture"),
    ), SIREN)
    assert (status.state, status.procedure, status.closed_on) == ("closed", "sauvegarde", date(2023, 3, 7))


def test_annulled_opening_does_not_count():
    opening = notice(6101, "2025-04-02", OPEN_RJ, judged="2025-03-25")
    annulment = notice(6202, "2025-04-16", OPEN_RJ, judged="2025-03-25", kind="annulation",
                       previous=previous_of(opening))
    status = siren_lookup.parse_bodacc(answer(opening, annulment), SIREN)
    assert (status.state, status.judgments) == ("none", ())


def test_annulment_without_reference_matches_nature_and_date():
    opening = notice(6301, "2025-04-02", OPEN_RJ, judged="2025-03-25")
    annulment = notice(6402, "2025-04-16", OPEN_RJ, judged="2025-03-25", kind="annulation")
    assert siren_lookup.parse_bodacc(answer(opening, annulment), SIREN).state == "none"
    stray = notice(6403, "2025-04-16", "Jugement d'ouverture de liquidation judiciaire", judged="2025-01-01",
                   kind="annulation")
    status = siren_lookup.parse_bodacc(answer(opening, stray), SIREN)
    assert (status.state, status.needs_review) == ("open", True)


def test_rectificatif_replaces_the_notice():
    wrong = notice(7101, "2024-09-04", OPEN_RJ, judged="2024-08-72")  # an impossible date
    fixed = notice(7202, "2024-09-11", OPEN_RJ, judged="2024-08-27", kind="rectificatif", previous=previous_of(wrong))
    status = siren_lookup.parse_bodacc(answer(wrong, fixed), SIREN)
    assert (status.state, status.opened_on) == ("open", date(2024, 8, 27))
    kept = [(judgment.record_id, judgment.notice_type) for judgment in status.judgments]
    assert kept == [(fixed["id"], "rectificatif")]


def test_retraction_on_third_party_opposition_cancels_the_opening():
    status = siren_lookup.parse_bodacc(answer(
        notice(8101, "2024-05-08", OPEN_RJ, judged="2024-04-30"),
        notice(8102, "2024-07-03", "Jugement de rétractation du jugement d'ouverture", judged="2024-06-25",
               family="Rétractation sur tierce opposition"),
    ), SIREN)
    assert (status.state, status.needs_review) == ("none", False)


def test_appeal_reversal_asks_for_review():
    status = siren_lookup.parse_bodacc(answer(
        notice(8201, "2024-05-08", "Jugement d'ouverture de liquidation judiciaire", judged="2024-04-30"),
        notice(8202, "2024-10-02", "Arrêt de la cour d'appel infirmant une décision soumise à publicité",
               judged="2024-09-20", family="Arrêt de la Cour d'Appel"),
    ), SIREN)
    assert (status.state, status.needs_review) == ("none", True)
    assert "appeal" in status.notes[0]
    assert status.reviews == ((siren_lookup.REVIEW_REVERSAL, date(2024, 9, 20)),)


def test_catch_all_nature_read_from_its_complement():
    status = siren_lookup.parse_bodacc(answer(
        notice(9101, "2020-02-05", "Jugement d'ouverture de liquidation judiciaire", judged="28 janvier 2020"),
        notice(9102, "2021-06-09", "Autre jugement prononçant", judged="1er juin 2021", family="Jugement prononçant",
               complement="Jugement prononçant la clôture de la procédure de liquidation judiciaire pour insuffisance"
                          " d’actif."),
    ), SIREN)
    assert (status.state, status.closed_on) == ("closed", date(2021, 6, 1))


def test_complement_mentioning_claims_is_read_for_its_decision():
    complement = ("Jugement prononçant l'ouverture d'une procédure de redressement judiciaire, date de cessation des "
                  "paiements le 1er mars 2025, désignant mandataire judiciaire Maître X. Les déclarations des créances "
                  "sont à adresser au mandataire dans les deux mois de la publication au BODACC.")
    assert siren_lookup.classify_judgment("Autre jugement prononçant", "Jugement prononçant", complement) == (
        "opening", "redressement")


def test_unknown_judgment_while_open_asks_for_review():
    status = siren_lookup.parse_bodacc(answer(
        notice(9201, "2025-01-08", OPEN_RJ, judged="2024-12-31"),
        notice(9202, "2025-03-05", "Autre jugement et ordonnance", judged="2025-02-25", family="Autre jugement"),
    ), SIREN)
    assert (status.state, status.needs_review) == ("open", True)


def test_other_companies_and_families_are_left_out():
    elsewhere = notice(9301, "2025-01-08", OPEN_RJ, siren=OTHER)
    sale = dict(notice(9302, "2025-01-09", OPEN_RJ), familleavis="vente", familleavis_lib="Ventes et cessions")
    assert siren_lookup.parse_bodacc(answer(elsewhere, sale), SIREN).state == "none"
    assert siren_lookup.parse_bodacc(answer(elsewhere), OTHER).state == "open"
    assert siren_lookup.parse_bodacc(json.loads(answer(elsewhere))["results"]).state == "open"


def test_reopened_after_closure():
    status = siren_lookup.parse_bodacc(answer(
        notice(9401, "2015-03-04", "Jugement d'ouverture d'une procédure de sauvegarde", judged="2015-02-24"),
        notice(9402, "2016-03-02", "Jugement de clôture de la procédure de sauvegarde", judged="2016-02-23",
               family="Jugement de clôture"),
        notice(9403, "2025-06-04", OPEN_RJ, judged="2025-05-27"),
    ), SIREN)
    assert (status.state, status.procedure, status.opened_on, status.closed_on) == (
        "open", "redressement", date(2025, 5, 27), None)


@pytest.mark.parametrize(("nature", "expected"), [
    ("Jugement d'ouverture d'une procédure de sauvegarde", ("opening", "sauvegarde")),
    ("Jugement d'ouverture d'une procédure de sauvegarde financière accélérée", ("opening", "sauvegarde")),
    ("Jugement d'ouverture d'une procédure de traitement de sortie de crise", ("opening", "redressement")),
    ("Jugement d’extension d’une procédure de redressement judiciaire", ("opening", "redressement")),
    ("Autre jugement d'ouverture", ("opening", None)),
    ("Jugement de conversion en redressement judiciaire de la procédure de sauvegarde", ("conversion", "redressement")),
    ("Jugement de conversion en liquidation judiciaire de la procédure de sauvegarde", ("conversion", "liquidation")),
    ("Jugement prononçant la liquidation judiciaire", ("conversion", "liquidation")),
    ("Jugement prononçant la résolution du plan de sauvegarde et le redressement judiciaire",
     ("conversion", "redressement")),
    ("Jugement prononçant la résolution du plan de redressement", ("plan_failure", None)),
    ("Jugement arrêtant un plan de cession", ("plan", None)),
    ("Jugement modifiant le plan de redressement", ("other", None)),
    ("Jugement de clôture pour extinction du passif", ("closure", None)),
    ("Jugement de clôture pour insuffisance d'actif et autorisant la reprise des poursuites individuelles",
     ("closure", None)),
    ("Jugement de reprise de la procédure de liquidation judiciaire", ("opening", "liquidation")),
    ("Liste des créances nées après le jugement d'ouverture d'une procédure de liquidation judiciaire",
     ("administrative", None)),
    ("Jugement de désignation des organes de la procédure", ("administrative", None)),
    ("Jugement de faillite personnelle", ("sanction", None)),
    ("Autre jugement prononçant", ("other", None)),
])
def test_classify_judgment(nature, expected):
    assert siren_lookup.classify_judgment(nature) == expected
