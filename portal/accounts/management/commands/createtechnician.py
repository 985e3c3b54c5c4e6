"""manage.py createtechnician --email E [--name N]: a Coaxis technician with a generated first
password, printed once. Idempotent: an existing account is left as it is (exit 0)."""
import secrets

from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User


class Command(BaseCommand):
    help = "Create a Coaxis technician if missing and print their generated first password."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the technician's email address (their login)")
        parser.add_argument("--name", default="", help="the technician's name")

    def handle(self, *args, email, name, **options):
        email = User.objects.normalize_email(email.strip()).lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"not an email address: {email!r}")
        with transaction.atomic():
            existing = User.objects.filter(email__iexact=email).first()
            if existing is not None:
                role = "a technician" if existing.is_technician else f"an administrator of {existing.client}"
                self.stdout.write(f"{email} exists already ({role}); nothing changed.")
                return
            password = secrets.token_urlsafe(18)
            User.objects.create_technician(email, password, name=name)
        self.stdout.write(f"technician {email} created; first password: {password}")
