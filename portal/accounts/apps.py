from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    """The database cache (login throttling counts) needs its table: `migrate` makes it."""
    from django.core.management import call_command
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="accounts.create_cache_table")
