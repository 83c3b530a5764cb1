from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "xinfang.portal"
    label = "portal"
    verbose_name = "网上信访"

    def ready(self) -> None:
        from xinfang.cases.hooks import citizen_identity
        from xinfang.portal.accounts import citizen_identity as verified_identity

        # The access policy asks who a citizen is: a co-signer of a 联名 matter sees it (docs/portal.md).
        citizen_identity.connect(verified_identity)
