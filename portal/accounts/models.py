"""Portal users: email and password, one role each. A client is an inventory host (its name);
the database holds no client, only which client an administrator belongs to."""
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TECHNICIAN = "technician", _("Coaxis technician")
    CLIENT_ADMIN = "client_admin", _("Client administrator")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_technician(self, email, password=None, **fields):
        return self.create_user(email, password, role=Role.TECHNICIAN, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_technician(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # The inventory host name of the client an administrator manages; empty for technicians.
    client = models.CharField(_("client"), max_length=63, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="client_admin_has_client",
                condition=(models.Q(role="technician", client="") | (models.Q(role="client_admin") & ~models.Q(client=""))),
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_technician(self):
        return self.role == Role.TECHNICIAN

    def may_manage(self, client):
        """Whether this user may see and change client (the host may narrow it further)."""
        return self.is_active and (self.is_technician or self.client == client)
