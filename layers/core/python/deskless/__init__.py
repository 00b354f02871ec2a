"""Deskless core: the shared package every function imports, shipped as a Lambda layer."""
