#!/usr/bin/env python3
"""The portal's command line (Django's manage.py): migrate, runserver, runjobs, createtechnician."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opt_portal.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
