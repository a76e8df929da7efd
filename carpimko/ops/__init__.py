"""What every service shares to run in production: closed-by-default settings, JSON logs,
Prometheus metrics, request ids and rate windows. No Rasa: the portal, console and demo site
use it too."""
