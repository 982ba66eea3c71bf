"""Masking of personal data for people who do not need to see it (pure functions, no database).

One rule for every page, API and export: a mobile number keeps its first 3 and last 4 digits
(138****5678), a name keeps its first and last character (张*三; two characters: 张*), an ID
number keeps its first 6 (region) and last 4 characters. Empty values stay empty.
"""

import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    digits = value.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
    return "*" * len(digits)


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    name = str(value).strip()
    if len(name) <= 1:
        return name[:1] and "*"
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    ident = str(value).strip()
    if len(ident) <= 10:
        return "*" * len(ident)
    return f"{ident[:6]}{'*' * (len(ident) - 10)}{ident[-4:]}"


def mask_phones_in_text(text: str | None) -> str:
    """Mask every mainland mobile number that appears inside free text (e.g. a contact line)."""
    if not text:
        return ""
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", str(text))


MASKERS = {"phone": mask_phone, "real_name": mask_name, "id_number": mask_id_number}


def mask(field: str, value: str | None) -> str:
    """Mask `value` as the personal-data field `field` (phone, real_name, id_number)."""
    return MASKERS[field](value)
