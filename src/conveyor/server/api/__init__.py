"""The REST API under /api/v1 (docs/api.md): one module per resource, each a `router`."""
