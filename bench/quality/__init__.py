"""Quality: recall, precision and false positives of the guard and the output checks."""
