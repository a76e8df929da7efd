"""Business logic of the portal: plain functions taking a Session, no HTTP."""
