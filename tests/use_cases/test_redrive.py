"""redrive_dead_letters over the in-memory fakes: every dead letter goes back to the shard queue."""

from __future__ import annotations

from adapters.memory.dead_letters import InMemoryDeadLetters
from application.redrive import redrive_dead_letters
from tests.fixtures import SMALL_REQUEST, FakePorts


def test_dead_lettered_shards_go_back_to_the_queue_and_then_complete() -> None:
    ports = FakePorts()
    ports.submit(SMALL_REQUEST)
    dead_letters = InMemoryDeadLetters(ports.queue)
    dead_letters.bodies = ports.queue.take_all()  # every delivery failed

    result = redrive_dead_letters(dead_letters=dead_letters)

    assert result.moved == 3
    assert dead_letters.bodies == []
    assert [r.status for r in ports.run_queued()] == ["succeeded"] * 3


def test_a_redrive_of_an_empty_dead_letter_queue_moves_nothing() -> None:
    ports = FakePorts()

    result = redrive_dead_letters(dead_letters=InMemoryDeadLetters(ports.queue))

    assert result.moved == 0
    assert ports.queue.bodies == []
