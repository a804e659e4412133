"""Enrichers for the instruments of military diplomacy (arms transfers, military spending, …).

Each module adds columns to a state-year or dyad-year table and keeps its rows and their order;
coverage is explicit: outside a source's years a value is null, not 0.
"""
