"""The residents' assistant: understanding what a resident asks, and answering it."""
