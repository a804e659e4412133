"""Measures computed from foedus frames: alliance networks, system structure and more."""
