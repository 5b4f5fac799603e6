from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Initiatives"

    def ready(self) -> None:
        from initiatives import signals  # noqa: F401  (connects the receivers)
