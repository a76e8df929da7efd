"""Text helpers shared by the bot, the portal and the console: one module per personal-data
concept (find, normalise, check, mask) and the phone wording. Pure functions, no Rasa."""
