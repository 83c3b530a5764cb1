"""Personal data at rest: encrypted values and keyed hashes for matching.

ID numbers, phones and names of petitioners are stored encrypted (Fernet, AES-128-CBC + HMAC) with
the key from settings.PII_KEY. Beside each value a keyed hash (HMAC-SHA256 of the normalised
value) lets the system find "the same petitioner" without decrypting anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _keys(pii_key: str) -> tuple[Fernet, bytes]:
    try:
        raw = base64.urlsafe_b64decode(pii_key.encode())
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured("PII_KEY must be 32 bytes in urlsafe base64 (a Fernet key).")
    fernet = Fernet(pii_key.encode())
    # a separate key for hashing, so a hash never reveals anything about the encryption key
    hash_key = hmac.new(raw, b"xinfang-pii-hash-v1", hashlib.sha256).digest()
    return fernet, hash_key


def encrypt(value: str) -> str:
    if not value:
        return ""
    fernet, _ = _keys(settings.PII_KEY)
    return fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    fernet, _ = _keys(settings.PII_KEY)
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "Personal data cannot be decrypted: PII_KEY differs from the key it was written with."
        ) from None


def normalise(value: str) -> str:
    """Full-width to half-width, no spaces or dashes, upper-case (ID numbers end in X or x)."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-]", "", value).upper()


def keyed_hash(value: str) -> str:
    if not value:
        return ""
    _, hash_key = _keys(settings.PII_KEY)
    return hmac.new(hash_key, normalise(value).encode(), hashlib.sha256).hexdigest()


def name_key(name: str) -> str:
    """The keyed hash of a name alone, for finding a person's matters by name.

    Normalised as clerks type names: NFKC (full-width letters, compatibility forms) and no
    whitespace ("张 三" is 张三). Only equal names match; nothing here reveals the name. A separate
    domain from `keyed_hash`, so the hash of a name never equals the hash of another identifier.
    """
    value = re.sub(r"\s", "", unicodedata.normalize("NFKC", name or ""))
    if not value:
        return ""
    _, hash_key = _keys(settings.PII_KEY)
    return hmac.new(hash_key, b"name:" + value.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_id_number(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


# A mainland mobile number (手机号码), as `normalise` leaves it: what search recognises as a phone and
# what a text message can be sent to (a landline cannot receive one).
MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_WITH_CODE = re.compile(r"(?:\+?86)?(" + MOBILE.pattern + ")")


def mobile_number(phone: str) -> str:
    """The 11-digit mobile number in `phone` (spaces, dashes and a +86 allowed), or ""."""
    match = _MOBILE_WITH_CODE.fullmatch(normalise(phone))
    return match.group(1) if match else ""


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_problem(number: str) -> str | None:
    """Why an 18-digit resident ID number (GB 11643) is invalid, or None when it is valid."""
    number = normalise(number)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return "身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X。"
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[-1]:
        return "身份证号码校验位不正确，请核对。"
    return None


class EncryptedPerson:
    """A model mixin for a person's encrypted name, ID number and phone (columns ``name_enc``,
    ``id_number_enc``, ``phone_enc``; a model may lack the ID number): the plain values, decrypted
    when read. Petitioners, the people of a hall's 诉求单 and of a grass-roots point's 说事."""

    name_enc: str
    phone_enc: str

    @property
    def name(self) -> str:
        return decrypt(self.name_enc)

    @property
    def id_number(self) -> str:
        return decrypt(getattr(self, "id_number_enc", ""))

    @property
    def phone(self) -> str:
        return decrypt(self.phone_enc)
