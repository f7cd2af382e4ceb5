"""Client of the late payment API (JSON-2 or XML-RPC): a Python API and a command line
(``python -m client --help``). Not imported by the addon."""

from .api import ApiError, Client

__all__ = ["ApiError", "Client"]
