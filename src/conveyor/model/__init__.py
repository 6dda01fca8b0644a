"""Layer 2: frozen dataclasses describing workflows, events and runs. No I/O."""
