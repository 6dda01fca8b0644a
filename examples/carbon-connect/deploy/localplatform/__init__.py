"""A local platform standing in for AWS: environments with PostgreSQL, Redis, blue/green APIs."""
