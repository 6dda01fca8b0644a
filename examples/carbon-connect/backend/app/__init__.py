"""Carbon Connect backend: matches organisations to carbon-reduction grants."""
