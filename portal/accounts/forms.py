from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy as _

from accounts import throttle
from accounts.models import Role, User
from accounts.scope import host_client


class LoginForm(AuthenticationForm):
    """Email and password; on a client's host only that client's administrators and technicians.

    Too many failures for the account or from the address (accounts/throttle.py) refuse the
    attempt before the password is checked.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "wrong_host": _("This account cannot log in here."),
        "throttled": _("Too many failed logins for this account or from this address: "
                       "wait a few minutes, then try again."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request)
        if throttle.blocked(username, address):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if any(e.code == "invalid_login" for e in error.error_list):
                blocked = throttle.failed(username, address)
                if blocked:
                    self.record_blocked(username, address, blocked)
            raise
        throttle.succeeded(username)
        return cleaned

    @staticmethod
    def record_blocked(username, address, blocked):
        """One audit entry when an account or an address reaches the limit (not one per attempt)."""
        from audit.models import Result
        from audit.record import record
        account = User.objects.filter(email__iexact=username).first()
        which = {("account",): _("the account"), ("address",): _("the address"),
                 ("account", "address"): _("the account and the address")}[tuple(blocked)]
        record(None, "login_throttled", gettext(
            "%(attempts)s failed logins: no more logins for %(which)s during %(window)s s "
            "(account '%(email)s', address %(address)s)")
            % {"attempts": settings.PORTAL_LOGIN_ATTEMPTS, "which": which, "window": settings.PORTAL_LOGIN_WINDOW,
               "email": username, "address": address},
            client=account.client if account else "", result=Result.REFUSED)

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        narrowed = host_client(self.request)
        if narrowed is not None and not user.may_manage(narrowed):
            raise ValidationError(self.error_messages["wrong_host"], code="wrong_host")


class UserCreateForm(forms.ModelForm):
    """A new user: a client's administrator names one of the inventory's clients, a technician none."""

    client = forms.ChoiceField(label=_("Client"), required=False)

    class Meta:
        model = User
        fields = ["email", "name", "role", "client"]

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "—")] + [(name, name) for name in clients]

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this email address already exists."), code="exists")
        return email

    def clean(self):
        cleaned = super().clean()
        role, client = cleaned.get("role"), cleaned.get("client") or ""
        if role == Role.CLIENT_ADMIN and not client:
            self.add_error("client", ValidationError(_("A client administrator needs a client."), code="no_client"))
        if role == Role.TECHNICIAN and client:
            self.add_error("client", ValidationError(_("A technician belongs to no client."), code="client"))
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        # No password until the user sets one through the set-password link.
        user.set_unusable_password()
        if commit:
            user.save()
        return user
