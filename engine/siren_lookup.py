"""Company status lookup (France), the pure part: request URLs in, JSON answers to plain results.

docs/design.md ("Risk": an optional external lookup of a French company by SIREN adds its legal
status to the profile; "Who receives": a customer in collective proceedings gets no reminder)
and docs/legal.md ("Company register and identifiers"). No HTTP here: models/ sends the
requests (with `requests`, a timeout, a User-Agent, at most 7 requests a second to the first
service) and hands the JSON to:

- parse_company_search: the "API Recherche d'entreprises" answer (`results[]` with `siren`,
  `nom_complet`, `etat_administratif` A active / C ceased, `date_fermeture`, `siege.siret`,
  `siege.etat_administratif` A open / F closed) -> LegalStatus. That API reports no collective
  proceedings;
- parse_bodacc: BODACC v2.1 records of the "collective" family (`typeavis` annonce /
  rectificatif / annulation, `dateparution`, `tribunal`, `registre` list, `jugement` a
  JSON-encoded string whose `nature` says what was decided and `date` when, in ISO or French
  words, `parutionavisprecedent` the notice a rectificatif or an annulation corrects)
  -> ProceedingsStatus: none, open (sauvegarde, redressement or liquidation, since when, plan
  adopted or not) or closed.

Reading BODACC: an annulation removes the notice it names (and counts for nothing itself); a
rectificatif replaces it. When the named notice is not among the records, the notice with the
same judgment nature and date is the one meant. A "rétractation sur tierce opposition" or an
appeal reversing a decision cancels the last judgment that changed the state before it (the
appeal also asks for a review: its label does not say which decision it reverses). Notices that
do not change the state (claims lists, organs appointed, sanctions of managers, plan changes,
"Autre jugement ...") are kept in the list but do not move it; an unrecognised one after the
opening asks for a review.
"""

import json
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from .identifiers import siren_of

COMPANY_SEARCH_URL = "https://recherche-entreprises.api.gouv.fr/search"
BODACC_URL = ("https://bodacc-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/"
              "annonces-commerciales/records")
BODACC_MAX_LIMIT = 100

PROCEDURES = ("sauvegarde", "redressement", "liquidation")
STATE_CHANGES = ("opening", "conversion", "plan", "plan_failure", "closure")


def _siren(value):
    siren = siren_of(value)
    if not siren:
        raise ValueError(f"not a SIREN, SIRET or French VAT number: {value!r}")
    return siren


def company_search_url(value):
    """The direct-lookup URL of the API Recherche d'entreprises (q = the 9-digit SIREN) for a
    SIREN, a SIRET or a French VAT number; ValueError otherwise."""
    return f"{COMPANY_SEARCH_URL}?{urlencode({'q': _siren(value)})}"


def bodacc_where(siren):
    return f'registre LIKE "{_siren(siren)}" AND familleavis="collective"'


def bodacc_url(value, limit=BODACC_MAX_LIMIT):
    """The BODACC v2.1 URL of the collective-proceedings notices of a company, newest first."""
    limit = min(max(int(limit), 1), BODACC_MAX_LIMIT)
    query = {"where": bodacc_where(value), "order_by": "dateparution DESC", "limit": limit}
    return f"{BODACC_URL}?{urlencode(query)}"


# ---------------------------------------------------------------------------------------------
# Small readers


def _load(payload):
    """A decoded JSON answer (dict or list), from itself or its text; ValueError on bad JSON."""
    if isinstance(payload, bytes | str):
        return json.loads(payload) if payload.strip() else None
    return payload


def _plain(text):
    """Lower case, no accents, straight apostrophes: 'Jugement d’ouverture' -> "jugement d'ouverture"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.replace("\u2019", "'").lower().split())


_MONTHS = {name: number for number, name in enumerate(
    ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
     "novembre", "decembre"), start=1)}
_FRENCH_DATE = re.compile(r"(\d{1,2})(?:er)?\s+([a-z]+)\s+(\d{4})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(text):
    """A date written '2024-03-12' (or with a time), '12/03/2024', '12 mars 2024' or
    '1er mars 2024'; None when it is none of these."""
    if isinstance(text, date):
        return text
    if not isinstance(text, str) or not text.strip():
        return None
    with suppress(ValueError):
        return date.fromisoformat(text.strip()[:10])
    plain = _plain(text)
    words, numbers = _FRENCH_DATE.search(plain), _NUMERIC_DATE.search(plain)
    if words and words.group(2) in _MONTHS:
        day, month, year = words.group(1), _MONTHS[words.group(2)], words.group(3)
    elif numbers:
        day, month, year = numbers.groups()
    else:
        return None
    with suppress(ValueError):
        return date(int(year), int(month), int(day))
    return None


# ---------------------------------------------------------------------------------------------
# API Recherche d'entreprises


@dataclass(frozen=True)
class LegalStatus:
    siren: str
    found: bool
    name: str | None = None
    state: str = "unknown"  # "active", "ceased" or "unknown"
    ceased_on: date | None = None
    head_office_siret: str | None = None
    head_office_open: bool | None = None
    head_office_closed_on: date | None = None
    legal_category: str | None = None  # "nature_juridique": 4 digits, 7xxx a public-law body


def is_public_body(legal_category):
    """Whether a legal category (catégorie juridique, INSEE) is a public-law body (7xxx): the
    State, local authorities, public establishments; a public buyer for late payments."""
    return bool(legal_category) and str(legal_category).strip().startswith("7")


def parse_company_search(payload, value):
    """The LegalStatus of the company `value` (SIREN, SIRET or VAT number) in an answer of the
    API Recherche d'entreprises (a dict or its JSON text). A company absent from the answer is
    not found, state "unknown"."""
    siren = _siren(value)
    data = _load(payload)
    data = data if isinstance(data, dict) else {}
    result = next((item for item in data.get("results") or () if str(item.get("siren")) == siren), None)
    if result is None:
        return LegalStatus(siren, found=False)
    states = {"A": "active", "C": "ceased"}
    head_office = result.get("siege") or {}
    head_state = head_office.get("etat_administratif")
    return LegalStatus(
        siren=siren,
        found=True,
        name=result.get("nom_complet") or result.get("nom_raison_sociale"),
        state=states.get(result.get("etat_administratif"), "unknown"),
        ceased_on=parse_date(result.get("date_fermeture")),
        head_office_siret=head_office.get("siret"),
        head_office_open={"A": True, "F": False}.get(head_state),
        head_office_closed_on=parse_date(head_office.get("date_fermeture")),
        legal_category=str(result["nature_juridique"]) if result.get("nature_juridique") else None,
    )


# ---------------------------------------------------------------------------------------------
# BODACC: what a judgment says


def _procedure_in(text):
    """The most severe procedure a text names (None when it names none)."""
    if "liquidation" in text:
        return "liquidation"
    if "redressement" in text or "sortie de crise" in text:
        return "redressement"
    if "sauvegarde" in text:
        return "sauvegarde"
    return None


_ADMINISTRATIVE = ("creances", "depot", "designation des organes", "date de cessation des paiements", "delai",
                   "collocation", "projet de repartition")


def _classify_text(text, free_text=False):
    """(kind, procedure) of a nature label; `free_text` (a complementJugement) mentions claims
    and dates in passing, so there only the decision words count."""

    def has(*words):
        return any(word in text for word in words)

    plan_resolved = has("resolution du plan")
    rules = (  # the first that matches decides
        (has("retractation"), "retraction", None),
        (has("infirm"), "reversal", None),
        (not free_text and has(*_ADMINISTRATIVE), "administrative", None),
        (not free_text and has("interdiction de gerer", "faillite personnelle"), "sanction", None),
        (plan_resolved and has("et la liquidation"), "conversion", "liquidation"),
        (plan_resolved and has("et le redressement"), "conversion", "redressement"),
        (plan_resolved, "plan_failure", None),
        (has("reprise de la procedure"), "opening", _procedure_in(text)),
        (has("cloture", "mettant fin", "extinction du passif", "execution du plan"), "closure", None),
        (has("conversion", "prononcant la liquidation"), "conversion", _procedure_in(text)),
        (has("ouverture", "extension"), "opening", _procedure_in(text)),
        (has("plan") and not has("modifiant"), "plan", None),
    )
    return next(((kind, procedure) for matched, kind, procedure in rules if matched), ("other", None))


def classify_judgment(nature, family=None, complement=None):
    """(kind, procedure) of a judgment from its `nature`, its `famille` and, when the nature is
    a catch-all ("Autre jugement prononçant"), its `complementJugement`. Kinds: opening,
    conversion, plan, plan_failure, closure, retraction, reversal, administrative, sanction,
    other; the procedure (sauvegarde, redressement, liquidation) for openings and conversions."""
    if "retractation" in _plain(family):
        return "retraction", None
    kind, procedure = _classify_text(_plain(nature))
    if kind == "other":
        kind, procedure = _classify_text(_plain(complement), free_text=True)
    return kind, procedure


# ---------------------------------------------------------------------------------------------
# BODACC: the status of a company from its notices


# why a person should read the notices again: (code, value) in ProceedingsStatus.reviews
REVIEW_ANNULATION = "annulation"  # value: the annulation's record id
REVIEW_REVERSAL = "reversal"  # value: the date of the decision reversed
REVIEW_UNRECOGNISED = "unrecognised"  # value: the judgment's nature
REVIEW_TEXTS = {
    REVIEW_ANNULATION: "An annulation ({value}) names no notice found here.",
    REVIEW_REVERSAL: "An appeal reversed a decision on {value}: check which one.",
    REVIEW_UNRECOGNISED: "Unrecognised judgment after the opening: {value}.",
}


@dataclass(frozen=True)
class Judgment:
    record_id: str
    published_on: date | None
    judged_on: date | None  # the judgment's own date, else the publication's
    kind: str
    procedure: str | None
    nature: str
    tribunal: str | None
    notice_type: str  # annonce or rectificatif


@dataclass(frozen=True)
class ProceedingsStatus:
    state: str  # "none", "open" or "closed"
    procedure: str | None = None  # the current (or last) one: sauvegarde, redressement, liquidation
    opened_on: date | None = None  # the opening judgment
    procedure_since: date | None = None  # the judgment that opened or converted to `procedure`
    plan_on: date | None = None  # a plan adopted (and not resolved) on that date
    closed_on: date | None = None
    tribunal: str | None = None
    needs_review: bool = False
    notes: tuple = ()  # English sentences: why a review is asked
    reviews: tuple = ()  # the same as (REVIEW_* code, value) pairs, for a sentence in the reader's language
    judgments: tuple = ()  # the notices kept, oldest first (cancelled ones are not there)

    @property
    def blocks_reminders(self):
        """Open proceedings: the debtor may not pay earlier debts; claims are declared."""
        return self.state == "open"


def _records(payload):
    data = _load(payload)
    if data is None:
        return []
    if isinstance(data, dict):
        data = data.get("results") or []
    return [record for record in data if isinstance(record, dict)]


def _record_id(record):
    if record.get("id"):
        return str(record["id"])
    letter = str(record.get("publicationavis") or "").strip()[-1:]
    return f"{letter}{record.get('parution') or ''}{record.get('numeroannonce') or ''}"


def _previous_id(record):
    previous = record.get("parutionavisprecedent")
    if isinstance(previous, str):
        try:
            previous = json.loads(previous)
        except ValueError:
            return None
    if not isinstance(previous, dict):
        return None
    letter = str(previous.get("nomPublication") or "").strip()[-1:]
    parution, number = previous.get("numeroParution"), previous.get("numeroAnnonce")
    if not (letter and parution and number):
        return None
    return f"{letter}{parution}{number}"


def _judgment_data(record):
    raw = record.get("jugement")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    return raw if isinstance(raw, dict) else {}


def _concerns(record, siren):
    registre = record.get("registre")
    if not siren or not registre:
        return True
    if isinstance(registre, str):
        registre = registre.split(",")
    return any(re.sub(r"\D", "", str(number)) == siren for number in registre)


def _signature(record):
    data = _judgment_data(record)
    return _plain(data.get("nature")), parse_date(data.get("date"))


def _apply_corrections(records, notes):
    """The records that still stand once annulations and rectificatifs are applied, in
    publication order."""
    kept = {}
    for record in records:
        notice_type = _plain(record.get("typeavis"))
        if notice_type in ("annulation", "rectificatif"):
            target = _previous_id(record)
            signature = _signature(record)
            if target not in kept and signature[0]:
                target = next((key for key in reversed(kept) if _signature(kept[key]) == signature), None)
            elif target not in kept:
                target = None
            if target is not None:
                del kept[target]
            elif notice_type == "annulation":
                notes.append((REVIEW_ANNULATION, _record_id(record)))
            if notice_type == "annulation":
                continue
        kept[_record_id(record)] = record
    return list(kept.values())


def _judgment(record):
    data = _judgment_data(record)
    kind, procedure = classify_judgment(data.get("nature"), data.get("famille"), data.get("complementJugement"))
    published_on = parse_date(record.get("dateparution"))
    return Judgment(
        record_id=_record_id(record),
        published_on=published_on,
        judged_on=parse_date(data.get("date")) or published_on,
        kind=kind,
        procedure=procedure,
        nature=data.get("nature") or data.get("famille") or "",
        tribunal=record.get("tribunal"),
        notice_type=_plain(record.get("typeavis")) or "annonce",
    )


def parse_bodacc(payload, value=None):
    """The collective-proceedings status of a company from BODACC v2.1 records (the answer
    dict, its JSON text, or the list of records). With `value` (SIREN, SIRET or VAT number),
    records about another company are left out."""
    siren = _siren(value) if value else None
    records = [record for record in _records(payload)
               if _plain(record.get("familleavis") or "collective") == "collective" and _concerns(record, siren)]
    records.sort(key=lambda record: (parse_date(record.get("dateparution")) or date.min, _record_id(record)))
    notes = []
    judgments = [_judgment(record) for record in _apply_corrections(records, notes)]
    judgments.sort(key=lambda item: (item.judged_on or date.min, item.published_on or date.min, item.record_id))
    effective = []
    for judgment in judgments:
        if judgment.kind in ("retraction", "reversal"):
            if judgment.kind == "reversal":
                notes.append((REVIEW_REVERSAL, judgment.judged_on))
            if effective:
                effective.pop()
        elif judgment.kind in STATE_CHANGES:
            effective.append(judgment)
    status = _fold(effective)
    if status["state"] == "open":
        unknown = [item for item in judgments if item.kind == "other" and item.judged_on
                   and status["procedure_since"] and item.judged_on >= status["procedure_since"]]
        notes.extend((REVIEW_UNRECOGNISED, item.nature) for item in unknown)
    return ProceedingsStatus(**status, needs_review=bool(notes), notes=tuple(review_text(*note) for note in notes),
                             reviews=tuple(notes), judgments=tuple(judgments))


def review_text(code, value):
    """The English sentence of a review asked (`code` one of REVIEW_*, `value` its subject)."""
    return REVIEW_TEXTS[code].format(value=value)


def _fold(effective):
    """Run the state-changing judgments, oldest first, into the fields of a status."""
    status = {"state": "none", "procedure": None, "opened_on": None, "procedure_since": None, "plan_on": None,
              "closed_on": None, "tribunal": None}
    for judgment in effective:
        day = judgment.judged_on
        was_open = status["state"] == "open"
        if judgment.kind == "closure":
            status.update(state="closed", closed_on=day, plan_on=None)
            continue
        if not was_open:  # an opening, or a later judgment whose opening is not in the records
            status.update(state="open", opened_on=day, procedure_since=day, closed_on=None, plan_on=None,
                          procedure=None)
        status["tribunal"] = judgment.tribunal or status["tribunal"]
        if judgment.kind in ("opening", "conversion"):
            if judgment.procedure and judgment.procedure != status["procedure"]:
                status.update(procedure=judgment.procedure, procedure_since=day)
            if judgment.kind == "conversion":
                status["plan_on"] = None
        elif judgment.kind == "plan":
            status["plan_on"] = day
        elif judgment.kind == "plan_failure":
            status["plan_on"] = None
    return status
