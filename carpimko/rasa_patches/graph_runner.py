"""Rasa's prediction graph run in an order worked out once, without dask's scheduler per call.

Rasa 3.6 runs its model graph through dask (``DaskGraphRunner.run``) for every NLU parse and
every next-action prediction (3.2 runs per user message): each run selects the nodes the
targets need, builds a dask graph and lets dask order and execute it, about 1 ms of
scheduling per run on this machine (docs/benchmarks.md). The served model's graph never
changes, so :class:`OrderedGraphRunner` works out, once per set of targets, the nodes needed
in an order where each comes after those it needs, then calls the same node objects with the
same inputs; errors are Rasa's (``GraphRunError`` for a ``RuntimeError``). Training keeps
Rasa's runner; :func:`install` swaps the runner of the served agent only.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

Plan = tuple[tuple[str, tuple[str, ...]], ...]
"""Nodes to run, in order, each with the names of the values it takes (nodes or inputs)."""


class OrderedGraphRunner(DaskGraphRunner):
    """A ``DaskGraphRunner`` that runs its nodes in a precomputed order."""

    _plans: dict[tuple[str, ...], Plan]

    @classmethod
    def taking_over(cls, runner: DaskGraphRunner) -> OrderedGraphRunner:
        """The same nodes (already loaded) run by this class."""
        ordered = cls.__new__(cls)
        ordered.__dict__.update(vars(runner))
        ordered._plans = {}
        return ordered

    def _plan(self, targets: tuple[str, ...]) -> Plan:
        plan = self._plans.get(targets)
        if plan is not None:
            return plan
        nodes = self._graph_schema.minimal_graph_schema(list(targets)).nodes
        ordered: list[tuple[str, tuple[str, ...]]] = []
        placed: set[str] = set()

        def place(name: str, path: tuple[str, ...]) -> None:
            if name in placed or name not in nodes:
                return  # done, or an input placeholder
            if name in path:
                raise GraphRunError(f"Cycle in the graph at '{name}'.")
            needs = tuple(nodes[name].needs.values())
            for need in needs:
                place(need, (*path, name))
            placed.add(name)
            ordered.append((name, needs))

        for target in targets:
            place(target, ())
        plan = self._plans[targets] = tuple(ordered)
        return plan

    def run(
        self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        """Runs the graph (``GraphRunner.run``): the target nodes' outputs by node name."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        plan = self._plan(run_targets)
        values: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of "
                    f"the input names passed to the `run` method are the same as node names "
                    f"in the graph schema."
                )
            values[name] = (name, value)
        try:
            for name, needs in plan:
                node = self._instantiated_nodes[name]
                values[name] = node(*(values.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(values[target] for target in run_targets)


def install(agent: Any) -> None:
    """Run the served agent's graph with :class:`OrderedGraphRunner` (idempotent)."""
    processor: Any = getattr(agent, "processor", None)
    runner = getattr(processor, "graph_runner", None)
    if isinstance(runner, DaskGraphRunner) and not isinstance(runner, OrderedGraphRunner):
        processor.graph_runner = OrderedGraphRunner.taking_over(runner)
