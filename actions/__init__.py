"""Custom actions of the CARPIMKO assistant, served by the rasa-sdk action server.

The action server imports every submodule of this package, so each concern lives in
its own module and registers its actions by subclassing ``rasa_sdk.Action``.
"""
