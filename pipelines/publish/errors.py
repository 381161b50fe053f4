"""Errors the publisher reports as one clear line (never a traceback).

Every expected failure — the portal does not answer, the token lacks a
permission, the package folder is not a package — is one of these, so the CLI
and Dagster can print `str(error)` and exit non-zero.
"""

from __future__ import annotations


class PublishError(Exception):
    """A publication could not be completed; the message is for the user (Spanish)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PackageError(PublishError):
    """The folder given is not a usable data package (missing descriptor or files), or not a safe one.

    Unsafe: a package or resource name that is not a plain Frictionless name (it becomes a file name and a
    portal name), a listed path that is absolute, has `..`, is or crosses a symlink (see `safety`).
    """


class TransientError(PublishError):
    """The portal did not answer usefully even after the retries (connection, timeout, 5xx).

    Publishing again later is safe: every run converges to the same state.
    """


class PermissionDenied(PublishError):
    """The portal answered 403: the message names the permission the token lacks."""


class ConflictError(PublishError):
    """The portal holds something we must not overwrite (e.g. a dataset of another organization)."""
