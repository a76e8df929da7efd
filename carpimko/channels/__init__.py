"""Rasa input channels of the assistant (web socket.io fix, phone IVR)."""
