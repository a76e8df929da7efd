"""Custom actions of the CARPIMKO assistant, served by the rasa-sdk action server.

The action server imports every submodule of this package, so each concern lives in
its own module and registers its actions by subclassing ``rasa_sdk.Action``:

- ``portal_client``: the one async client of the portal (timeouts, retries, errors);
- ``forms/base.py``, ``forms/reset.py``: the reset form (forgot_password, first_login);
- ``contact``, ``handoff``: contact details, advisor handoff and callback;
- ``privacy``: the password warning; ``procedure``: stop / cancel;
- ``summary``: what a handoff ticket may say about the conversation (no personal data);
- ``why``: « pourquoi vous me demandez ça ? », the reason of the question being asked.
"""
