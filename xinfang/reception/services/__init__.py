"""Every action at the hall and the grass roots: one function each, keyword-only, atomic, refusing
with ``ServiceError`` / ``NotAllowed`` that name the field. A case is changed only through the case
services (registration, 转送/交办, 直接答复, 不予受理, and the step noted on the case)."""

from xinfang.reception.services import grassroots, halls, joint, lawyers, queue, routes
from xinfang.reception.services.grassroots import *  # noqa: F403
from xinfang.reception.services.halls import *  # noqa: F403
from xinfang.reception.services.joint import *  # noqa: F403
from xinfang.reception.services.lawyers import *  # noqa: F403
from xinfang.reception.services.queue import *  # noqa: F403
from xinfang.reception.services.routes import *  # noqa: F403

__all__ = [name for module in (grassroots, halls, joint, lawyers, queue, routes) for name in module.__all__]
