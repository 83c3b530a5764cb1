"""The 领导批示 page (leaders' instructions: to read, followed up, to carry out, sent)."""

from django.urls import URLPattern, path

from xinfang.workbench import instructions

urlpatterns: list[URLPattern] = [
    path("instructions/", instructions.instruction_list, name="instruction-list"),
]
