"""Layer 4: the Protocols adapters implement (one module per port family)."""
