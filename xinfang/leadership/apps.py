from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "xinfang.leadership"
    label = "leadership"
    verbose_name = "领导接访与包案"
