"""The two demo servers the explorer compares: the same endpoints, each written its framework's way."""
