"""manage.py createtechnician --email E [--name N] [--reset-password]: a Coaxis technician with a
generated first password, printed once as the last word of the output. Idempotent: an existing
account is left as it is (exit 0), unless --reset-password gives that technician a new generated
password (printed the same way)."""
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User


def generated_password():
    return secrets.token_urlsafe(18)


class Command(BaseCommand):
    help = "Create a Coaxis technician if missing and print their generated first password."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the technician's email address (their login)")
        parser.add_argument("--name", default="", help="the technician's name")
        parser.add_argument("--reset-password", action="store_true",
                            help="an existing technician gets a new generated password (printed)")

    def handle(self, *args, email, name, reset_password, **options):
        email = User.objects.normalize_email(email.strip()).lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"not an email address: {email!r}")
        with transaction.atomic():
            existing = User.objects.select_for_update().filter(email__iexact=email).first()
            if existing is None:
                password = generated_password()
                User.objects.create_technician(email, password, name=name)
                self.stdout.write(f"technician {email} created; first password: {password}")
                return
            if not existing.is_technician:
                raise CommandError(f"{email} exists and administers the client {existing.client}, "
                                   "it is not a technician: nothing changed")
            if not reset_password:
                self.stdout.write(f"technician {email} exists already; nothing changed")
                return
            password = generated_password()
            existing.set_password(password)
            existing.is_active = True
            existing.save(update_fields=["password", "is_active"])
        self.stdout.write(f"technician {email}: new password: {password}")
