"""The portals function's HTTP API object; its routes are registered by the modules that
handler.py imports (pages and the portal's own API in api.py, company administration in admin.py)."""

from deskless.http import Api

api = Api("portals")
