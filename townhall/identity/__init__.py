"""Residents' and staff accounts, roles, sign-in sessions, API keys and council tax account links."""
