"""Customers: the domain model and its rules (contact details, search words, statuses)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, computed_field

from backline.errors import InvalidInputError


class Restriction(StrEnum):
    BEHIND_PAYMENT = "behind_payment"
    BANNED = "banned"
    BANNED_BLOCKED_EMAIL = "banned_blocked_email"


class CustomerStatus(StrEnum):
    UNREGISTERED = "unregistered"
    REGISTERED = "registered"
    BEHIND_PAYMENT = "behind_payment"
    BANNED = "banned"
    BANNED_BLOCKED_EMAIL = "banned_blocked_email"


class StatusRequest(StrEnum):
    """What staff may set: `active` lifts any restriction."""

    ACTIVE = "active"
    BEHIND_PAYMENT = "behind_payment"
    BANNED = "banned"
    BANNED_BLOCKED_EMAIL = "banned_blocked_email"


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    studio_id: str
    customer_id: str
    name: str
    email: str | None = None
    mobile: str | None = None
    registered: bool = False
    restriction: Restriction | None = None
    customer_message: str | None = None
    blocked_key: str | None = None
    opt_in_reminders: bool = False
    opt_in_mailing_list: bool = False
    active: bool = True
    created_at: str
    updated_at: str
    version: int = 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> CustomerStatus:
        if self.restriction is not None:
            return CustomerStatus(self.restriction.value)
        return CustomerStatus.REGISTERED if self.registered else CustomerStatus.UNREGISTERED

    @property
    def email_fold(self) -> str | None:
        return fold_email(self.email) if self.email else None

    def search_tokens(self) -> set[str]:
        return search_tokens(self.name, self.email, self.mobile)


class Note(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    note_id: str
    text: str
    author: str | None = None
    created_at: str
    updated_at: str


class StatusChange(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    status: StatusRequest
    customer_message: str | None
    changed_by: str
    changed_at: str


# ---------------------------------------------------------------- contact details


def normalize_email(raw: str) -> str:
    """A deliverable-looking address, its domain lower-cased (the local part kept as given)."""
    from email_validator import EmailNotValidError, validate_email  # (imported late: cold start)

    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInputError(str(error), field="email") from error


def fold_email(email: str) -> str:
    """Identity key of an email: exact but for case (Ada@X.com is ada@x.com)."""
    return email.strip().lower()


_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def blocking_key(email: str) -> str:
    """The key a blocked email is held under: folds case and `+tags`, and dots at Gmail.

    Blocking is deliberately wider than identity: `Ada+x@Gmail.com` and `a.da@gmail.com`
    are the same person to a ban, but two customers to the studio's records.
    """
    local, _, domain = fold_email(email).rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def normalize_mobile(raw: str, region: str) -> str:
    """A mobile in E.164, read with the studio's country as the default region."""
    import phonenumbers  # (its metadata is large: load it late)

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidInputError(f"mobile is not a phone number: {error}", field="mobile") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidInputError("mobile is not a valid phone number", field="mobile")
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted


# ---------------------------------------------------------------- search words

_WORD = re.compile(r"[^\W_]+")
MOBILE_MARK = "~"
MIN_DIGITS = 3
MAX_TOKENS = 24  # bounds the lookup items one customer write puts in its transaction


@lru_cache(maxsize=4096)
def fold_text(text: str) -> str:
    """Lower case without accents: `Zoë` is found by `zoe`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold_text(text))


def sort_name(name: str) -> str:
    return " ".join(words(name))[:100]


def search_tokens(name: str, email: str | None, mobile: str | None) -> set[str]:
    """What a customer can be found by: each word of the name and of the email, the whole
    email, and the mobile's digits reversed (so that trailing digits are a prefix)."""
    tokens = set(words(name))
    if email:
        folded = fold_email(email)
        tokens.add(folded)
        tokens.update(words(folded.replace("@", " ")))
    if mobile:
        tokens.add(MOBILE_MARK + mobile.lstrip("+")[::-1])
    return {token[:200] for token in sorted(tokens)[:MAX_TOKENS] if token}


def query_tokens(query: str) -> list[str]:
    """How a search box entry is looked up: one lookup prefix per word.

    Digits alone (spaces, `+`, `-` and brackets allowed) are trailing digits of a mobile.
    An email-like entry is matched as the start of the whole email.
    """
    stripped = query.strip()
    digits = re.sub(r"[\s+()\-.]", "", stripped)
    if digits.isdigit() and len(digits) >= MIN_DIGITS:
        # A national number's trunk zero (07700 900123) is not among the E.164 digits.
        trailing = digits.lstrip("0") if len(digits.lstrip("0")) >= MIN_DIGITS else digits
        return [MOBILE_MARK + trailing[::-1]]
    if "@" in stripped:
        return [fold_email(stripped)]
    return words(stripped)
