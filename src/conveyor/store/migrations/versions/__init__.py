"""One module per schema revision; the chain is linear."""
