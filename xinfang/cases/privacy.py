"""Who sees petitioners' personal data unmasked, and the masked view for everyone else.

One rule for pages, documents, exports and the API: the registering organ and the unit now
responsible, in a role that works with the petitioner, see names, ID numbers and phones; every
other viewer (a bureau overseeing its region, a reviewer, a statistics clerk) sees them masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xinfang.cases import pii
from xinfang.cases.models import Case, Petitioner
from xinfang.orgs.models import Role, User
from xinfang.orgs.selectors import user_memberships

PII_ROLES = (Role.REGISTRAR, Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)


def sees_personal_data(user: User, case: Case) -> bool:
    return personal_data_rule(user)(case)


def personal_data_rule(user: User) -> Callable[[Case], bool]:
    """`sees_personal_data` for many cases (an export): the user's organs are read once."""
    if user.is_citizen:
        return lambda case: case.citizen_id == user.pk
    orgs = set(user_memberships(user).filter(role__in=PII_ROLES).values_list("org_id", flat=True))
    return lambda case: case.registered_org_id in orgs or case.current_org_id in orgs


def mask_address(address: str) -> str:
    return address[:6] + "****" if len(address) > 6 else "*" * len(address)


@dataclass(frozen=True)
class PetitionerView:
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool
    masked: bool


def petitioner_view(person: Petitioner, *, masked: bool) -> PetitionerView:
    if not masked:
        return PetitionerView(
            person.name, person.id_number, person.phone, person.address, person.is_representative, False
        )
    return PetitionerView(
        name=pii.mask_name(person.name),
        id_number=pii.mask_id_number(person.id_number),
        phone=pii.mask_phone(person.phone),
        address=mask_address(person.address),
        is_representative=person.is_representative,
        masked=True,
    )
