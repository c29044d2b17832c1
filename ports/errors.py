"""Errors every adapter raises in the same way, so use cases can tell retryable from final."""


class TransientError(Exception):
    """A storage or queue call failed in a way that a retry may fix (throttling, timeouts, 5xx)."""


class ResourceUnavailable(Exception):
    """A bucket or queue a command needs is missing or refused to it (found before any work starts).

    ``kind``: "results bucket", "shard queue" or "dead-letter queue"; ``name``: as the user gave it;
    ``problem``: "missing", "denied" or "unusable"; ``detail``: what the service said.
    """

    def __init__(self, kind: str, name: str, problem: str, detail: str = "") -> None:
        super().__init__(f"the {kind} {name} is {problem}" + (f": {detail}" if detail else ""))
        self.kind = kind
        self.name = name
        self.problem = problem
        self.detail = detail


class DamagedObject(Exception):
    """A stored results object cannot be read (truncated, overwritten, not Parquet)."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(f"{key} cannot be read: {detail}")
        self.key = key
        self.detail = detail
