"""The portal's API through ckanapi, with bounded retries and one-line errors.

Why a wrapper: ckanapi turns every non-JSON answer (a 502 from a proxy, a
restarting server) into a generic error and does not retry. Publishing must
survive a portal that blips, and must explain a 403 in terms of the
permission the token lacks. The token lives only in request headers: it is
never logged, never part of an error message, never in `repr`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import CKANAPIError, NotAuthorized, NotFound, ValidationError

from pipelines import __version__, settings
from pipelines.publish.errors import PermissionDenied, PublishError, TransientError

__all__ = ["NotFound", "Portal", "retry_settings"]

USER_AGENT = f"rendicion-abierta/{__version__} (publicador CKAN)"
TIMEOUT = (5, 120)  # seconds: connect, read (an upload of a large zip may take a while)

# Which permission each write needs, in the portal administrator's words.
PERMISSIONS = {
    "organization_create": "crear organizaciones (en CKAN por defecto solo un administrador del sistema, sysadmin); "
    "o pida a un administrador que cree la organización",
    "group_create": "crear grupos (sysadmin, o ckan.auth.user_create_groups = true)",
    "package_create": "crear conjuntos de datos en la organización (rol «editor» o «admin» en ella)",
    "package_patch": "editar el conjunto de datos (rol «editor» o «admin» en la organización) y asignarlo a los "
    "grupos de los programas (rol «editor» o «admin» en cada grupo)",
    "resource_create": "añadir recursos al conjunto de datos (rol «editor» o «admin» en la organización)",
    "resource_patch": "modificar recursos del conjunto de datos (rol «editor» o «admin» en la organización)",
    "resource_delete": "borrar recursos duplicados del conjunto de datos (rol «editor» o «admin» en la organización)",
    "package_resource_reorder": "ordenar los recursos del conjunto de datos "
    "(rol «editor» o «admin» en la organización)",
    "package_show": "ver el conjunto de datos (es privado o borrador: hace falta ser miembro de la organización)",
    "datastore_create": "cargar cuadros en el DataStore (rol «editor» o «admin» en la organización)",
    "datastore_upsert": "reemplazar filas en el DataStore (rol «editor» o «admin» en la organización)",
    "datastore_records_delete": "borrar filas del DataStore (rol «editor» o «admin» en la organización)",
    "datastore_delete": "volver a crear una tabla del DataStore (rol «editor» o «admin» en la organización)",
    "resource_view_create": "crear vistas de los recursos (rol «editor» o «admin» en la organización)",
    "resource_view_update": "modificar vistas de los recursos (rol «editor» o «admin» en la organización)",
    "resource_view_delete": "borrar vistas de los recursos (rol «editor» o «admin» en la organización)",
    "resource_view_reorder": "ordenar las vistas de los recursos (rol «editor» o «admin» en la organización)",
}


def retry_settings() -> tuple[int, float]:
    """(retries, first backoff in seconds) by default; the edge (CLI, Dagster resource) passes the
    settings' values (RENDICION_PUBLISH_RETRIES, RENDICION_PUBLISH_BACKOFF), this module reads no variable."""
    return int(settings.PUBLISH_RETRIES.default), float(settings.PUBLISH_BACKOFF.default)


class _ServerError(Exception):
    """A 5xx/429 answer: the portal exists but cannot serve now."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class _Remote(RemoteCKAN):
    """ckanapi's client, but a 5xx/429 raises before ckanapi reinterprets it as a generic error."""

    def _request_fn(self, url, data, headers, files, requests_kwargs):  # noqa: ANN001 - ckanapi's signature
        status, text = super()._request_fn(url, data, headers, files, requests_kwargs)
        if status >= 500 or status == 429:
            raise _ServerError(status)
        return status, text


def _reason(error: Exception) -> str:
    if isinstance(error, _ServerError):
        return f"respuesta HTTP {error.status}"
    if isinstance(error, requests.Timeout):
        return "tiempo de espera agotado"
    text = str(error).lower()
    if "nameresolution" in text or "name or service not known" in text or "name resolution" in text:
        return "nombre de servidor desconocido"
    if "refused" in text:
        return "conexión rechazada"
    if "reset" in text or "aborted" in text or "remotedisconnected" in text:
        return "conexión cortada"
    return "error de conexión"


class Portal:
    """One CKAN portal: `action()` calls the API, `head()` checks a download exists."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        retries: int | None = None,
        backoff: float | None = None,
        log: Callable[[str], None] = print,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        default_retries, default_backoff = retry_settings()
        self.url = url.rstrip("/")
        self.retries = default_retries if retries is None else retries
        self.backoff = default_backoff if backoff is None else backoff
        self.log = log
        self.sleep = sleep
        self.has_token = bool(token)
        self._token = token or None
        self._session = requests.Session()
        self._ckan = _Remote(self.url, apikey=self._token, user_agent=USER_AGENT, session=self._session)
        self.calls: Counter[str] = Counter()  # logical API calls, by action
        self.requests = 0  # HTTP requests including retries and download checks
        self._count_lock = threading.Lock()  # reads run a few at a time (fetch.py)

    def __repr__(self) -> str:  # never show the token
        return f"Portal({self.url!r}, token={'***' if self.has_token else None})"

    def close(self) -> None:
        self._session.close()

    def _retrying(self, what: str, attempt: Callable[[], Any]) -> Any:
        delay = self.backoff
        for number in range(self.retries + 1):
            try:
                with self._count_lock:
                    self.requests += 1
                return attempt()
            except (requests.ConnectionError, requests.Timeout, _ServerError) as error:
                reason = _reason(error)
                if reason == "nombre de servidor desconocido":  # a typo in the URL: retrying will not help
                    raise PublishError(
                        f"no se encuentra el servidor del portal {self.url} (DNS); revise la URL"
                    ) from None
                if number == self.retries:
                    raise TransientError(
                        f"el portal {self.url} no respondió a {what} tras {self.retries + 1} intentos ({reason}); "
                        "vuelva a ejecutar la publicación cuando esté disponible: retoma donde quedó, sin duplicar"
                    ) from None
                self.log(f"aviso: {what}: {reason}; reintento {number + 1}/{self.retries} en {delay:.1f} s")
                self.sleep(delay)
                delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    def action(
        self,
        name: str,
        data: dict[str, Any] | None = None,
        *,
        upload: tuple[str, Path] | None = None,
        created: str | None = None,
    ) -> Any:
        """Call one action; NotFound passes through, other failures become PublishError subclasses.

        `created`: the id of the resource this call creates. Before a retry the resource is looked up
        and, if the lost attempt had in fact created it, returned: CKAN 2.12 answers a second
        resource_create with the same id by failing (500), not by finding it.
        """
        with self._count_lock:
            self.calls[name] += 1
        tries = 0

        def attempt() -> Any:
            nonlocal tries
            tries += 1
            if created is not None and tries > 1:
                with self._count_lock:
                    self.calls["resource_show"] += 1
                try:
                    return self._ckan.call_action(
                        "resource_show", {"id": created}, requests_kwargs={"timeout": TIMEOUT}
                    )
                except NotFound:
                    pass
            if upload is None:
                return self._ckan.call_action(name, data or {}, requests_kwargs={"timeout": TIMEOUT})
            filename, path = upload
            with path.open("rb") as handle:  # reopened on each attempt: a retry re-sends the whole file
                return self._ckan.call_action(
                    name, data or {}, files={"upload": (filename, handle)}, requests_kwargs={"timeout": TIMEOUT}
                )

        try:
            return self._retrying(name, attempt)
        except NotFound:
            raise
        except NotAuthorized as error:
            raise PermissionDenied(self._forbidden(name, error)) from None
        except ValidationError as error:
            raise PublishError(f"el portal rechazó {name}: {_short(error.error_dict)}") from None
        except CKANAPIError as error:
            raise PublishError(f"respuesta inesperada del portal a {name}: {_short(str(error))}") from None

    def _forbidden(self, name: str, error: NotAuthorized) -> str:
        needs = PERMISSIONS.get(name, f"ejecutar «{name}»")
        detail = error.args[0].get("message", "") if error.args and isinstance(error.args[0], dict) else ""
        message = f"el portal negó «{name}» (403): el token necesita permiso para {needs}"
        if not self.has_token:
            message += "; no se indicó token: defina la variable de entorno CKAN_API_TOKEN"
        else:
            message += " (o el token no es válido o caducó: CKAN trata un token desconocido como anónimo)"
        return message + (f". El portal dice: {_short(detail)}" if detail else "")

    def head(self, url: str) -> int | None:
        """Content-Length of a download, None if the portal has no file there (404/410, or 500 twice).

        CKAN 2.12 answers 500, not 404, for an uploaded resource whose file is not in its storage
        (`send_file` on a missing path): what a publish killed between the database commit and the
        file write leaves. A 500 that repeats once is taken as that (the caller has just had an
        answer from the API, so the portal is up); uploading the file again is harmless.
        """
        headers = {"User-Agent": USER_AGENT}
        if self._token and url.startswith(self.url + "/"):
            headers["Authorization"] = self._token  # drafts and private datasets need it; only to our portal
        errors_500 = 0

        def attempt() -> int | None:
            nonlocal errors_500
            response = self._session.head(url, headers=headers, allow_redirects=True, timeout=TIMEOUT)
            if response.status_code == 500:
                errors_500 += 1
                if errors_500 > 1:
                    return None
            if response.status_code >= 500 or response.status_code == 429:
                raise _ServerError(response.status_code)
            if response.status_code in (404, 410):
                return None
            if response.status_code == 403:
                raise PermissionDenied(f"el portal negó la descarga de {url} (403): {PERMISSIONS['package_show']}")
            length = response.headers.get("Content-Length")
            return int(length) if length and length.isdigit() else -1

        with self._count_lock:
            self.calls["descarga (HEAD)"] += 1
        return self._retrying(f"HEAD {url}", attempt)


def _short(value: Any, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
