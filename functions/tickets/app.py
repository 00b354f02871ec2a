"""The tickets function's HTTP API object; staff.py (the console and integrations) and
customers.py (a signed-in contact's own tickets) register its routes."""

from deskless.http import Api

api = Api("tickets")
