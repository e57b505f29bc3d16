"""The demo organisation: people for every persona and an example product launch (spec figures as data)."""
