from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("users/", views.user_list, name="users"),
    path("users/create/", views.user_create, name="user_create"),
    path("users/<int:pk>/reset/", views.user_reset, name="user_reset"),
    path("users/<int:pk>/active/", views.user_deactivate, name="user_deactivate"),
    path("reset/<uidb64>/<token>/", views.reset_confirm, name="reset_confirm"),
]
