"""Pages of the queue at the desk (取号、诉求单、叫号、登记) and of 联合接访."""

from django.urls import URLPattern, URLResolver, path

from xinfang.workbench import reception_joint as joint
from xinfang.workbench import reception_queue as queue

TICKET = "reception/halls/<int:hall_id>/queue/<int:ticket_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception/queue/", queue.queue_home, name="queue-home"),
    path("reception/halls/<int:hall_id>/queue/", queue.queue_board, name="queue"),
    path("reception/halls/<int:hall_id>/queue/issue/", queue.ticket_issue, name="ticket-issue"),
    path(
        "reception/halls/<int:hall_id>/queue/form-blank.docx",
        queue.request_form_blank_docx,
        name="request-form-blank-docx",
    ),
    path(TICKET, queue.ticket_detail, name="ticket-detail"),
    path(TICKET + "form/", queue.ticket_form, name="ticket-form"),
    path(TICKET + "form.docx", queue.ticket_form_docx, name="ticket-form-docx"),
    path(TICKET + "call/", queue.ticket_call, name="ticket-call"),
    path(TICKET + "skip/", queue.ticket_skip, name="ticket-skip"),
    path(TICKET + "finish/", queue.ticket_finish, name="ticket-finish"),
    path(TICKET + "register/", queue.ticket_register, name="ticket-register"),
    path("reception/joint/", joint.joint_list, name="joint-list"),
    path("reception/joint/new/", joint.joint_new, name="joint-new"),
    path("reception/joint/<int:joint_id>/", joint.joint_view, name="joint-detail"),
    path("reception/joint/<int:joint_id>/attendance/", joint.joint_attendance, name="joint-attendance"),
    path("reception/joint/<int:joint_id>/conclude/", joint.joint_conclude, name="joint-conclude"),
]
