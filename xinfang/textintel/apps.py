from django.apps import AppConfig


class TextintelConfig(AppConfig):
    name = "xinfang.textintel"
    label = "textintel"
    verbose_name = "文本分析"
