"""The registry: start and help, registration, member administration, imports, the group."""
