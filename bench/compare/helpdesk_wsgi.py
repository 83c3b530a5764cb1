"""The WSGI application gunicorn serves for django-helpdesk (settings: ``helpdesk_settings``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_settings")
application = get_wsgi_application()
