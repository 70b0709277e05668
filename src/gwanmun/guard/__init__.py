"""Input and output guards: detect, decide, mask and restore."""
