from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "xinfang.assessment"
    label = "assessment"
    verbose_name = "目标管理考核"

    def ready(self) -> None:
        from xinfang.assessment.outputs import sample_contexts
        from xinfang.statistics.models import ReportTemplate
        from xinfang.statistics.render import register_samples

        # The back office previews a 通报 template on these (statistics does not import us).
        register_samples(ReportTemplate.Kind.NOTICE, sample_contexts)
