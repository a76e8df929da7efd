"""Shared building blocks of the CARPIMKO assistant (normalisers, NLU components)."""
