"""French company identifiers (SIREN, SIRET, VAT number) and who counts as a professional.

A SIREN is 9 digits whose last is a Luhn check digit; a SIRET is the SIREN and 5 more digits,
Luhn-checked over all 14; a French VAT number is ``FR`` + a 2-digit key + the SIREN, with
key = (12 + 3 x (SIREN mod 97)) mod 97.
"""

import re

_NOT_DIGITS = re.compile(r"[\s.\-]")


def normalize(value):
    """Digits and letters only, upper case: ``"732 829 320"`` -> ``"732829320"``."""
    return _NOT_DIGITS.sub("", value or "").upper()


def luhn_valid(digits):
    if not digits or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_siren(value):
    value = normalize(value)
    return len(value) == 9 and luhn_valid(value)


def is_siret(value):
    value = normalize(value)
    return len(value) == 14 and luhn_valid(value)


def french_vat_key(siren):
    return (12 + 3 * (int(siren) % 97)) % 97


def french_vat(siren):
    """The French VAT number of a SIREN: ``"732829320"`` -> ``"FR44732829320"``."""
    siren = normalize(siren)
    if not is_siren(siren):
        raise ValueError(f"not a SIREN: {siren!r}")
    return f"FR{french_vat_key(siren):02d}{siren}"


def siren_of(value):
    """The SIREN inside a SIREN, a SIRET or a French VAT number, else None."""
    value = normalize(value)
    if value.startswith("FR") and len(value) == 13 and value[2:4].isdigit():
        siren = value[4:]
        if is_siren(siren) and int(value[2:4]) == french_vat_key(siren):
            return siren
        return None
    if is_siren(value):
        return value
    if is_siret(value):
        return value[:9]
    return None


def is_professional(is_company, vat=None, company_registry=None):
    """A customer is a professional when it is a company or has a VAT number or a SIREN/SIRET;
    otherwise a consumer (no recovery indemnity ever, no late interest unless enabled)."""
    return bool(is_company or normalize(vat) or normalize(company_registry))
