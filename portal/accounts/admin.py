from django.contrib import admin

from accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "role", "client", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("email", "name", "client")
    exclude = ("password",)
