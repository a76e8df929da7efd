"""Rasa NLU components of the CARPIMKO assistant."""
