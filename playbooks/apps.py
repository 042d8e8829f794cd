from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Clause playbooks"

    def ready(self) -> None:
        # The gate asks the registered holds (stakeholders.signoff.register_gate_check):
        # signoff never imports this app, this app plugs its rule into the gate.
        from . import gate

        gate.connect()
