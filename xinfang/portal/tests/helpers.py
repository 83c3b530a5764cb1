"""Citizens of the portal's tests, registered the way a person does: an SMS code, then 实名."""

from __future__ import annotations

import re
from typing import Any

from xinfang.core import sms
from xinfang.portal import accounts
from xinfang.portal.models import SmsCode

PASSWORD = "Xinfang-2026"
ID_NUMBER = "11010519491231002X"
OTHER_ID = "110105198001010016"  # another valid number


def last_code(phone: str) -> str:
    message = next(m for m in reversed(sms.outbox) if m.phone == phone)
    found = re.search(r"验证码 (\d{6})", message.text)
    assert found, message.text
    return found.group(1)


def citizen(phone: str = "13800138000", name: str = "张三", id_number: str = ID_NUMBER, **kw: Any) -> Any:
    accounts.code_send(phone=phone, purpose=SmsCode.Purpose.REGISTER, ip="10.0.0.1")
    return accounts.citizen_register(
        phone=phone, code=last_code(phone), full_name=name, id_number=id_number, password=PASSWORD, **kw
    )
