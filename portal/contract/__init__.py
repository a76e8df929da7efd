"""The portal's HTTP contract, written once: pydantic (v1) models of every request and answer.

The portal validates bodies with them (French messages, ``portal.validation``), the
assistant's client (``actions/portal_client.py``) parses answers with them, and the OpenAPI
document is generated from them (``portal.contract.openapi``). Import-light on purpose:
pydantic, phonenumbers and ``carpimko`` text helpers, never Sanic nor SQL, so that the action
server imports it without the portal.
"""
