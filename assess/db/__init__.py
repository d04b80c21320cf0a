"""Storage: the tables, the write transaction, and the stores built on them."""
