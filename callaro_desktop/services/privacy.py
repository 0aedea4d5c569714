"""Consistent fake values for people, phone numbers and secrets.

Presentation mode (screen sharing) and the help-centre media command show the console
with real data swapped for made-up data *before* anything is drawn: nothing is blurred
afterwards, so no real value ever reaches a pixel.

`Privacy.filter(value)` walks whatever a page fetched (pydantic models from
``api/models.py``, dataclasses, lists, tuples, dicts) and returns a copy in which

- email addresses become ``first.last@example.com`` style addresses,
- person names (``display_name``, and the people behind ``invited_by``/``created_by``)
  become made-up names, matching the fake email of the same person,
- phone numbers (``e164`` and numbers inside free text) keep their country code and
  length but get other digits,
- secrets (``SecretStr`` values, ``secret``, ``account_sid``, ``auth_token``, API key
  prefixes, SIP usernames, ...) keep their recognisable prefix and shape only,
- free text (descriptions, labels) has emails, phone numbers and the real names already
  seen replaced in place.

The same real value always maps to the same fake within one `Privacy` (one run), so a
person reads the same in the users table, the invitations tab and the API key list.
Filtering a value twice changes nothing (fakes are recognised), and `reveal()` maps
fakes back to the real values: a form that was filled from faked data and is saved
while presentation mode is on must write what the user meant, not the fake.

No Qt here: the module is a plain function of its input and is tested on its own.
"""

from __future__ import annotations

import dataclasses
import random
import re
import string
from collections.abc import Iterable
from enum import Enum
from typing import Any

from pydantic import BaseModel, SecretStr

# -- what a field's name says about its value ---------------------------------------------

EMAIL_FIELDS = frozenset({"email", "invoice_email", "billing_email", "contact_email"})
NAME_FIELDS = frozenset({"display_name", "full_name", "contact_name", "person_name"})
PHONE_FIELDS = frozenset({"e164", "phone", "phone_number", "caller", "from_number", "to_number"})
SECRET_FIELDS = frozenset(
    {
        "secret",
        "account_sid",
        "auth_token",
        "api_key",
        "api_token",
        "password",
        "username",
        "access_token",
        "refresh_token",
        "token",
    }
)
PREFIX_FIELDS = frozenset({"prefix"})
URI_FIELDS = frozenset({"termination_uri"})

# -- made-up people -------------------------------------------------------------------------
# Chosen apart from the names the sandbox seeds, so a fake can never read as a real person
# of the demo data (and the media test can tell them apart).
FAKE_FIRST = [
    "Kiran",
    "Anika",
    "Dev",
    "Ira",
    "Neel",
    "Tara",
    "Veer",
    "Amaya",
    "Rhea",
    "Kunal",
    "Leela",
    "Arnav",
    "Mitali",
    "Parth",
    "Sneha",
    "Tejas",
    "Uma",
    "Yash",
    "Hana",
    "Jonas",
    "Lena",
    "Mateo",
    "Nora",
    "Oscar",
    "Paula",
    "Ravi",
    "Selma",
    "Theo",
    "Wren",
    "Ines",
    "Felix",
    "Greta",
    "Hugo",
    "Juno",
    "Kai",
    "Lucia",
    "Milo",
    "Nadia",
    "Otto",
    "Pia",
    "Rafael",
    "Sasha",
    "Tomas",
    "Elif",
    "Anouk",
]
FAKE_LAST = [
    "Acharya",
    "Bhatt",
    "Chopra",
    "Dutta",
    "Ghosh",
    "Hegde",
    "Jain",
    "Kamath",
    "Luthra",
    "Malhotra",
    "Naidu",
    "Oberoi",
    "Pandey",
    "Qureshi",
    "Rastogi",
    "Saxena",
    "Tandon",
    "Upadhyay",
    "Vyas",
    "Wadia",
    "Yadav",
    "Zaveri",
    "Berg",
    "Costa",
    "Duarte",
    "Evans",
    "Fischer",
    "Holm",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Vogel",
    "Weber",
]
# Domains reserved for documentation (RFC 2606): a fake address can never reach anyone.
FAKE_DOMAINS = ("example.com", "example.org", "example.net")

# Country calling codes of one and two digits; every other code has three (ITU E.164).
_CC1 = {"1", "7"}
_CC2 = {
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
    "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
    "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
}  # fmt: skip

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A number written with its "+": digits with the separators people use between groups.
PHONE_RE = re.compile(r"\+\d+(?:[ \u00a0.\-]?(?:\(\d+\)|\d+))+")
# A leading marker that says what kind of secret it is (sk_live_, pk_test_, rk_, AC...).
_SECRET_PREFIX = re.compile(r"^(?:[a-z]{2,4}_(?:live_|test_)?|AC|SK|PN|MG)")
_HEX = set(string.hexdigits.lower())


def _digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def country_code(digits: str) -> str:
    """The calling code at the start of an E.164 number's digits ('919812…' -> '91')."""
    if digits[:1] in _CC1:
        return digits[:1]
    if digits[:2] in _CC2:
        return digits[:2]
    return digits[:3]


#: How many made-up strings `Privacy` recognises as its own (see `_outputs`).
_OUTPUTS_KEPT = 100_000


class Privacy:
    """One run's mapping of real values to fakes (and back)."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)
        self._fake: dict[tuple[str, str], str] = {}  # (kind, real key) -> fake
        self._real: dict[str, str] = {}  # fake -> real
        self._people: dict[str, tuple[str, str]] = {}  # email or name key -> (first, last)
        self._used_people: set[tuple[str, str]] = set()
        self._used_locals: dict[str, int] = {}
        self._domains: dict[str, str] = {}
        self._phone_digits: dict[str, str] = {}
        self._fake_digits: set[str] = set()
        # Every string this Privacy made up, by identity: filtering its own output again leaves
        # it alone. By identity, not by value: a real number can equal a fake made earlier for
        # another number (random digits, same country and length), and must still be replaced.
        self._outputs: dict[int, str] = {}
        self._prefixes: dict[str, str] = {}  # real API key prefix -> fake
        self._secrets: dict[str, str] = {}  # real secret (8+ characters) -> fake, for text
        self._names_re: re.Pattern[str] | None = None

    # -- what was replaced -------------------------------------------------------------

    def real_values(self) -> set[str]:
        """Every real value replaced so far (the media command checks none is on screen)."""
        return set(self._real.values())

    def made_up_phone_digits(self) -> frozenset[str]:
        """The digits of every phone number made up so far. Random digits can, rarely, equal
        a real number this filter never met (a caller elsewhere in the data): such a number
        on screen was made up here, and says nothing about the real one."""
        return frozenset(self._fake_digits)

    # -- single values ------------------------------------------------------------------

    def email(self, real: str) -> str:
        value = real.strip()
        if not value or value in self._real:
            return real
        key = value.lower()
        found = self._fake.get(("email", key))
        if found is not None:
            return found
        local, _, domain = key.rpartition("@")
        if not local or not domain:
            return real
        first, last = self._person(key)
        stem = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower())
        count = self._used_locals.get(f"{stem}@{self._domain(domain)}", 0) + 1
        self._used_locals[f"{stem}@{self._domain(domain)}"] = count
        fake = f"{stem}{count if count > 1 else ''}@{self._domain(domain)}"
        return self._remember("email", key, real, fake)

    def name(self, real: str, *, email: str | None = None) -> str:
        """A made-up full name; with `email`, the same person as that address's fake."""
        value = real.strip()
        if not value or value in self._real:
            return real
        key = value.lower()
        found = self._fake.get(("name", key))
        if found is not None:
            return found
        first, last = self._person(email.strip().lower() if email else key)
        if email:
            self._people.setdefault(key, (first, last))
        fake = f"{first} {last}"
        return self._remember("name", key, real, fake)

    def phone(self, real: str) -> str:
        """Another number with the same country code, length and separators."""
        digits = _digits(real)
        if len(digits) < 7:
            return real
        fake_digits = self._phone_digits.get(digits)
        if fake_digits is None:
            fake_digits = self._new_phone_digits(digits)
            self._phone_digits[digits] = fake_digits
            self._fake_digits.add(fake_digits)
        it = iter(fake_digits)
        fake = "".join(next(it) if "0" <= ch <= "9" else ch for ch in real)
        self._real.setdefault(fake, real)
        self._fake.setdefault(("phone", real), fake)
        return fake

    def secret(self, real: str) -> str:
        """The same kind of secret (prefix, length, alphabet) with none of its characters."""
        if not real or real in self._real:
            return real
        found = self._fake.get(("secret", real))
        if found is not None:
            return found
        # A key's secret starts with its public prefix: keep the prefix's fake in front.
        for real_prefix, fake_prefix in self._prefixes.items():
            if real.startswith(real_prefix) and len(real) > len(real_prefix):
                fake = fake_prefix + self._scramble(real[len(real_prefix) :])
                return self._remember("secret", real, real, fake)
        match = _SECRET_PREFIX.match(real)
        keep = match.group(0) if match and len(match.group(0)) < len(real) else ""
        fake = keep + self._scramble(real[len(keep) :])
        return self._remember("secret", real, real, fake)

    def key_prefix(self, real: str) -> str:
        """An API key's public prefix (sk_live_ab12): same marker, other characters."""
        if not real or real in self._real:
            return real
        found = self._fake.get(("prefix", real))
        if found is not None:
            return found
        match = _SECRET_PREFIX.match(real)
        keep = match.group(0) if match and len(match.group(0)) < len(real) else ""
        fake = keep + self._scramble(real[len(keep) :])
        return self._remember("prefix", real, real, fake)

    def uri(self, real: str) -> str:
        """A SIP URI keeps its host; the user part (an account name) is replaced."""
        match = re.match(r"^(sips?:)([^@;]+)@(.*)$", real)
        if match is None:
            return self.text(real)
        return f"{match.group(1)}{self.secret(match.group(2))}@{match.group(3)}"

    def text(self, real: str) -> str:
        """Free text with the emails, phone numbers and real names in it replaced."""
        if not real or real in self._real:
            return real
        out = EMAIL_RE.sub(lambda m: self.email(m.group(0)), real)
        out = PHONE_RE.sub(lambda m: self._text_phone(m.group(0)), out)
        names = self._names_pattern()
        if names is not None:
            out = names.sub(lambda m: self._fake[("name", m.group(0).lower())], out)
        for real_secret, fake in self._secrets.items():
            if real_secret in out:
                out = out.replace(real_secret, fake)
        return real if out == real else out

    # -- walking data ---------------------------------------------------------------------

    def filter(self, value: Any) -> Any:
        """A copy of `value` with every real person, number and secret replaced."""
        self._learn(value, 0)
        return self._rewrite(value, None, 0)

    def __call__(self, value: Any) -> Any:
        return self.filter(value)

    def reveal(self, value: Any) -> Any:
        """The reverse: fakes in `value` (a request's body or query) become the real values."""
        if isinstance(value, str):
            if value in self._real:
                return self._real[value]
            out = EMAIL_RE.sub(lambda m: self._real.get(m.group(0), m.group(0)), value)
            return PHONE_RE.sub(lambda m: self._real.get(m.group(0), m.group(0)), out)
        if isinstance(value, SecretStr):
            raw = value.get_secret_value()
            return SecretStr(self._real[raw]) if raw in self._real else value
        if isinstance(value, dict):
            return {k: self.reveal(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.reveal(v) for v in value]
        if isinstance(value, tuple) and not hasattr(value, "_fields"):
            return tuple(self.reveal(v) for v in value)
        return value

    def _learn(self, value: Any, depth: int) -> None:
        """First pass: people (email + name together) and key prefixes, before any text."""
        if depth > 12:
            return
        fields = _fields_of(value)
        if fields is not None:
            email = fields.get("email")
            if isinstance(email, str) and email.strip():
                self.email(email)
                name = next(
                    (fields[f] for f in NAME_FIELDS if isinstance(fields.get(f), str)), None
                )
                if name:
                    self.name(name, email=email)
            for f in NAME_FIELDS:
                if isinstance(fields.get(f), str) and fields[f].strip():
                    self.name(fields[f])
            prefix = fields.get("prefix")
            if isinstance(prefix, str):
                self.key_prefix(prefix)
            for item in fields.values():
                self._learn(item, depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                self._learn(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                self._learn(item, depth + 1)

    def _rewrite(self, value: Any, field: str | None, depth: int) -> Any:
        if value is None or isinstance(value, bool | int | float | Enum) or depth > 12:
            return value
        if isinstance(value, str):
            return self._string(value, field)
        if isinstance(value, SecretStr):
            return SecretStr(self.secret(value.get_secret_value()))
        if isinstance(value, BaseModel):
            changes: dict[str, Any] = {}
            for name in type(value).model_fields:
                old = getattr(value, name)
                new = self._rewrite(old, name, depth + 1)
                if new is not old:
                    changes[name] = new
            return value.model_copy(update=changes) if changes else value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            updates: dict[str, Any] = {}
            for f in dataclasses.fields(value):
                if not f.init:
                    continue
                old = getattr(value, f.name)
                new = self._rewrite(old, f.name, depth + 1)
                if new is not old:
                    updates[f.name] = new
            return dataclasses.replace(value, **updates) if updates else value
        if isinstance(value, list):
            items = [self._rewrite(v, field, depth + 1) for v in value]
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if isinstance(value, tuple):
            items = [self._rewrite(v, field, depth + 1) for v in value]
            if not any(a is not b for a, b in zip(items, value, strict=True)):
                return value
            if hasattr(value, "_fields"):  # a named tuple
                return type(value)(*items)
            return tuple(items)
        if isinstance(value, dict):
            out = {
                k: self._rewrite(v, k if isinstance(k, str) else field, depth + 1)
                for k, v in value.items()
            }
            return out if any(out[k] is not value[k] for k in value) else value
        return value

    def _string(self, value: str, field: str | None) -> str:
        if self._outputs.get(id(value)) is value:
            return value
        fake = self._string_fake(value, field)
        if fake == value:
            return value
        self._outputs[id(fake)] = fake
        if len(self._outputs) > _OUTPUTS_KEPT:
            # Text is made up afresh on every load: keep the newest, the ones on screen.
            del self._outputs[next(iter(self._outputs))]
        return fake

    def _string_fake(self, value: str, field: str | None) -> str:
        if field in EMAIL_FIELDS:
            return self.email(value) if "@" in value else self.text(value)
        if field in NAME_FIELDS:
            return self.name(value)
        if field in PHONE_FIELDS:
            return self.phone(value)
        if field in PREFIX_FIELDS:
            return self.key_prefix(value)
        if field in SECRET_FIELDS:
            return self.secret(value)
        if field in URI_FIELDS:
            return self.uri(value)
        return self.text(value)

    # -- internals ------------------------------------------------------------------------

    def _remember(self, kind: str, key: str, real: str, fake: str) -> str:
        self._fake[(kind, key)] = fake
        self._real[fake] = real
        if kind == "name":
            self._names_re = None
        elif kind == "prefix":
            self._prefixes[real] = fake
        elif kind == "secret" and len(real) >= 8:
            self._secrets[real] = fake
        return fake

    def _person(self, key: str) -> tuple[str, str]:
        person = self._people.get(key)
        if person is None:
            person = (self._rng.choice(FAKE_FIRST), self._rng.choice(FAKE_LAST))
            for _ in range(50):
                if person not in self._used_people:
                    break
                person = (self._rng.choice(FAKE_FIRST), self._rng.choice(FAKE_LAST))
            self._used_people.add(person)
            self._people[key] = person
        return person

    def _domain(self, real: str) -> str:
        fake = self._domains.get(real)
        if fake is None:
            n = len(self._domains)
            fake = FAKE_DOMAINS[n] if n < len(FAKE_DOMAINS) else f"mail{n}.example"
            self._domains[real] = fake
        return fake

    def _new_phone_digits(self, digits: str) -> str:
        cc = country_code(digits)
        national = digits[len(cc) :]
        for _ in range(100):
            # Keep the first national digit: it says mobile or landline in many plans.
            rest = "".join(self._rng.choice(string.digits) for _ in national[1:])
            fake = cc + national[:1] + rest
            if fake != digits and fake not in self._fake_digits and fake not in self._phone_digits:
                return fake
        raise RuntimeError("could not make up a phone number")  # pragma: no cover

    def _text_phone(self, text: str) -> str:
        digits = _digits(text)
        if not 7 <= len(digits) <= 15:
            return text
        return self.phone(text)

    def _scramble(self, real: str) -> str:
        if real and all(ch in _HEX for ch in real):
            alphabet = "0123456789abcdef"
        elif real and all(ch in string.hexdigits.upper() for ch in real):
            alphabet = "0123456789ABCDEF"
        else:
            alphabet = ""
        out = []
        for ch in real:
            if alphabet:
                out.append(self._rng.choice(alphabet))
            elif ch.isdigit():
                out.append(self._rng.choice(string.digits))
            elif ch.isupper():
                out.append(self._rng.choice(string.ascii_uppercase))
            elif ch.isalpha():
                out.append(self._rng.choice(string.ascii_lowercase))
            else:
                out.append(ch)
        fake = "".join(out)
        return fake if fake != real or not real else self._scramble(real)

    def _names_pattern(self) -> re.Pattern[str] | None:
        if self._names_re is None:
            names = sorted(
                (key for kind, key in self._fake if kind == "name" and len(key) >= 3),
                key=len,
                reverse=True,
            )
            if not names:
                return None
            alternatives = "|".join(re.escape(n) for n in names)
            self._names_re = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)
        return self._names_re


def _fields_of(value: Any) -> dict[str, Any] | None:
    if isinstance(value, BaseModel):
        return {name: getattr(value, name) for name in type(value).model_fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return value
    return None


def scan(texts: Iterable[str], real: Iterable[str]) -> list[tuple[str, str]]:
    """(real value, text) for every real value found inside one of `texts`."""
    items = list(texts)
    blob = "\n".join(items)  # one substring search per value, in C, over everything
    hits: list[tuple[str, str]] = []
    for value in {r for r in real if r and len(r) >= 3}:
        if value in blob:
            hits.extend((value, text) for text in items if value in text)
    return hits


__all__ = ["Privacy", "country_code", "scan"]
