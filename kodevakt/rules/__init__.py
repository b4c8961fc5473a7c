"""Rule checking: the registry, the rules and the engine that runs them."""
