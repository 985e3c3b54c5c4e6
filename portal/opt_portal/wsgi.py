"""WSGI entry point (gunicorn opt_portal.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opt_portal.settings")
application = get_wsgi_application()
