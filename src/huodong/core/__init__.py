"""Core: the organisation, its departments and people, roles, the audit log, money and API tokens."""
