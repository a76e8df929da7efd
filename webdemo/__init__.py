"""Demo web site of the CARPIMKO assistant: public page, Espace Personnel, chat widget."""
