"""Running several Rasa instances: nginx configuration and the checks of `make scale-test`."""
