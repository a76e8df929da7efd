"""Routes of the console, one blueprint per screen."""
