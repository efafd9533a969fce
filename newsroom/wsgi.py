"""The WSGI application (gunicorn newsroom.wsgi); the data folder is prepared before Django reads its settings."""

import os

from django.core.wsgi import get_wsgi_application

from newsroom.bootstrap import prepare_data_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
prepare_data_dir()
application = get_wsgi_application()
