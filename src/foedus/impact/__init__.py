"""Impact of military diplomacy on alliances (docs/impact.md)."""
