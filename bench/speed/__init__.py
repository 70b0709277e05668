"""Speed: each script measures Gwanmun and a baseline in the same run and prints ratios."""
