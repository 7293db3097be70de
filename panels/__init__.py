"""Textual widgets of the explorer: they draw what the core hands them and post messages up."""
