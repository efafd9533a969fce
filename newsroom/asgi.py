"""The ASGI application; the data folder is prepared before Django reads its settings."""

import os

from django.core.asgi import get_asgi_application

from newsroom.bootstrap import prepare_data_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
prepare_data_dir()
application = get_asgi_application()
