import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppp.settings")
application = get_wsgi_application()

# On SQLite (the demo) each web process runs background work in a thread of its own.
from ppp.tasks import start_local_runner  # noqa: E402

start_local_runner()
