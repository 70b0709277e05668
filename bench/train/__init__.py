"""Training: the scripts that write the shipped models in src/gwanmun/data/*.npz."""
