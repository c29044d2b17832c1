"""Errors every adapter raises in the same way, so use cases can tell retryable from final."""


class TransientError(Exception):
    """A storage or queue call failed in a way that a retry may fix (throttling, timeouts, 5xx)."""
