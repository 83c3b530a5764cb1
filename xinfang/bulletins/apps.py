from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "xinfang.bulletins"
    label = "bulletins"
    verbose_name = "信访简报与信访动态"

    def ready(self) -> None:
        from xinfang.bulletins.samples import bulletin_samples
        from xinfang.statistics.models import ReportTemplate
        from xinfang.statistics.render import register_samples

        # The back office previews and checks a bulletin template on these (statistics' admin).
        register_samples(ReportTemplate.Kind.BULLETIN, bulletin_samples)
