"""One run: the workspace the jobs are handed, and reading ahead while writing."""
