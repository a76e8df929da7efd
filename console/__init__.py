"""Support console: staff read, search and export the assistant's conversations (masked)."""
