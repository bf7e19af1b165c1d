"""`reportgen review`: what changed in the studies between two git revisions."""
