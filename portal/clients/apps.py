from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self):
        # Ansible's collection loader before any import of the collection (lookups need it).
        from clients.loading import install_collection_finder
        install_collection_finder()
