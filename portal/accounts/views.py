from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from accounts.forms import LoginForm, UserCreateForm
from accounts.models import User
from accounts.scope import host_client, public_view, technician_view, user_view
from audit.record import record


@user_view
def home(request):
    """Technicians land on the client list, a client's administrator on their client."""
    client = host_client(request) or request.user.client
    if request.user.is_technician and host_client(request) is None:
        return redirect("clients:list")
    return redirect("clients:detail", client=client)


login = public_view(auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True))
logout = public_view(auth_views.LogoutView.as_view())


@public_view
def set_language(request):
    """Django's language switch (POST language=fr|en, next=...)."""
    return django_set_language(request)


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """The set-password page a new user's (or a reset user's) link leads to."""
    template_name = "accounts/reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(form.user, "password_set", _("%(email)s set a new password.") % {"email": form.user.email},
               client=form.user.client)
        messages.success(self.request, _("Your password is set: log in with it."))
        return response


reset_confirm = public_view(ResetConfirmView.as_view())


def reset_link(request, user):
    """The absolute URL of the user's set-password page (no mail server: shown to the technician)."""
    path = reverse("accounts:reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    return request.build_absolute_uri(path)


@technician_view
@require_safe
def user_list(request):
    return render(request, "accounts/users.html", {"users": User.objects.order_by("email")})


@technician_view
def user_create(request):
    from clients.inventory import load
    form = UserCreateForm(request.POST or None, clients=load().names())
    if request.method == "POST" and form.is_valid():
        user = form.save()
        record(request.user, "user_create", _("User %(email)s created (%(role)s).") % {
            "email": user.email, "role": user.get_role_display()}, client=user.client)
        return redirect("accounts:user_reset", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form})


@technician_view
@require_safe
def user_reset(request, pk):
    """Shows a new set-password link for the user (valid until used or the password changes)."""
    user = get_object_or_404(User, pk=pk)
    record(request.user, "user_reset", _("Set-password link made for %(email)s.") % {"email": user.email},
           client=user.client)
    return render(request, "accounts/user_reset.html", {
        "target": user, "link": reset_link(request, user),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)})


@technician_view
@require_POST
def user_deactivate(request, pk):
    """Deactivates (or, with active=1, reactivates) a user; a technician cannot deactivate themself."""
    user = get_object_or_404(User, pk=pk)
    activate = request.POST.get("active") == "1"
    if user == request.user and not activate:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("accounts:users")
    user.is_active = activate
    user.save(update_fields=["is_active"])
    if activate:
        summary = _("User %(email)s reactivated.") % {"email": user.email}
    else:
        summary = _("User %(email)s deactivated.") % {"email": user.email}
    record(request.user, "user_activate" if activate else "user_deactivate", summary, client=user.client)
    messages.success(request, summary)
    return redirect("accounts:users")
