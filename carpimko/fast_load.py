"""Load Rasa's TensorFlow models (DIET, TED) for prediction without a training step.

Rasa 3.6 builds a saved model's weights by *training it on one example* before reading the
weights back (``RasaModel.load``): Keras traces the whole training graph with its gradients
and creates Adam's slots, which the server never uses. On this machine that was most of the
server's start (DIET: 25 s of a 42 s start) and a few hundred MB of Rasa's memory
(docs/benchmarks.md, « Stack ready time »).

For prediction, the weights are built by running inference once on the example Rasa already
keeps for that purpose, after the checkpoint has been attached: TensorFlow restores each
variable as it is created (object-based checkpoints, deferred restoration). Fine-tuning (the
optimizer is needed) and a model saved without a prediction example keep Rasa's own path.
:func:`install` is called by the server's launcher (:mod:`carpimko.rasa_server`) only.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Replace ``RasaModel.load`` by :func:`_load_for_prediction` (idempotent)."""
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__
    if getattr(original, "_carpimko_fast", False):
        return

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if finetune_mode or predict_data_example is None:
            return original(
                cls,
                model_file_name,
                model_data_example,
                predict_data_example,
                finetune_mode,
                *args,
                **kwargs,
            )
        return _load_for_prediction(cls, model_file_name, predict_data_example, *args, **kwargs)

    load._carpimko_fast = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(load)


def _load_for_prediction(
    cls: Any, model_file_name: str, predict_data_example: Any, *args: Any, **kwargs: Any
) -> Any:
    """The model with its trained weights, built by one inference instead of one training step.

    Raises if a variable of the checkpoint that inference needs was not restored (never a
    model with freshly initialised weights).
    """
    model = cls(*args, **kwargs)
    status = model.load_weights(model_file_name)
    model.run_inference(predict_data_example)
    # Every variable inference created came from the checkpoint; the optimizer's slots and
    # training-only layers stay unread on purpose.
    status.assert_existing_objects_matched()
    status.expect_partial()
    return model
