"""The served model's graph run in a precomputed order (carpimko/graph_runner.py) understands
every message and predicts every next action exactly as Rasa's dask runner does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from test_fast_load import MESSAGES, MODEL  # the same messages and model (tests/nlu)

from carpimko.rasa_patches import graph_runner


@pytest.fixture(scope="module")
def agent() -> Agent:
    assert MODEL.exists(), "make model first"
    return Agent.load(str(MODEL))


def understood_and_predicted(agent: Agent) -> list[tuple[Any, ...]]:
    processor = agent.processor
    assert processor is not None

    async def each() -> list[tuple[Any, ...]]:
        results = []
        for text in MESSAGES:
            parsed = await processor.parse_message(UserMessage(text))
            tracker = DialogueStateTracker.from_events(
                "runner",
                [
                    ActionExecuted("action_listen"),
                    UserUttered(text, parsed["intent"], parsed["entities"], parsed),
                ],
                agent.domain.slots,
            )
            prediction = processor._predict_next_with_tracker(tracker)
            results.append((parsed, prediction.max_confidence_index, prediction.policy_name))
        return results

    return asyncio.run(each())


def test_same_parse_and_prediction_as_rasas_runner(agent: Agent) -> None:
    assert agent.processor is not None
    dask_runner = agent.processor.graph_runner
    assert type(dask_runner) is DaskGraphRunner
    as_rasa_does = understood_and_predicted(agent)
    try:
        graph_runner.install(agent)
        graph_runner.install(agent)  # idempotent
        assert isinstance(agent.processor.graph_runner, graph_runner.OrderedGraphRunner)
        ordered = understood_and_predicted(agent)
    finally:
        agent.processor.graph_runner = dask_runner
    assert ordered == as_rasa_does
    assert len({parsed["intent"]["name"] for parsed, _, _ in ordered}) >= 8


def test_inputs_named_like_a_node_are_refused(agent: Agent) -> None:
    assert agent.processor is not None
    ordered = graph_runner.OrderedGraphRunner.taking_over(agent.processor.graph_runner)
    node = next(iter(ordered._graph_schema.nodes))
    with pytest.raises(GraphRunError, match="clashes"):
        ordered.run(inputs={"__message__": node})
