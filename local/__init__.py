"""The local platform: all of Deskless on loopback, with no AWS account and no Docker."""
