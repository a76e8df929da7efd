"""Forms and their validation actions (one module per procedure)."""
