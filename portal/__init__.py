"""Reference implementation of the CARPIMKO Espace Personnel backend.

The assistant is developed, demonstrated and tested against it, and its HTTP
contract (docs/portal.md, /openapi.json) is what the fund's real portal must
offer to plug in.
"""
