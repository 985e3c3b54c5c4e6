from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.scope import host_client


class LoginForm(AuthenticationForm):
    """Email and password; on a client's host only that client's administrators and technicians."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "wrong_host": _("This account cannot log in here."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        narrowed = host_client(self.request)
        if narrowed is not None and not user.may_manage(narrowed):
            raise ValidationError(self.error_messages["wrong_host"], code="wrong_host")
