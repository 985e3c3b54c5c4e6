from django.contrib.auth import views as auth_views
from django.shortcuts import redirect

from accounts.forms import LoginForm
from accounts.scope import host_client, public_view, technician_view, user_view


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


@technician_view
def user_list(request):
    from django.shortcuts import render
    from accounts.models import User
    return render(request, "accounts/users.html", {"users": User.objects.order_by("email")})
