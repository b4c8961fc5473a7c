"""T rules: the condition groups (main condition first) of an episode."""
