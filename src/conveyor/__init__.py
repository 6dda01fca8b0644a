"""conveyor: run GitHub Actions workflows locally, self-hosted and at scale."""

__version__ = "0.1.0"
