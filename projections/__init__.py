"""Read models built from events: registers and public notices. Pure functions of state."""
