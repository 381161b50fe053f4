"""The portal's WSGI application, for gunicorn (CKAN's wheel ships no wsgi.py).

`portal/start.sh` runs it in several worker processes, as production CKAN runs under uwsgi or
gunicorn, instead of `ckan run` (Werkzeug's development server: one process, where concurrent
requests only queue behind Python's lock). Each worker imports this module after the fork, so each
opens its own database connections. `CKAN_INI` names the configuration, as for the `ckan` command.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_INI = os.environ["CKAN_INI"]
fileConfig(_INI, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(_INI).get_config())
