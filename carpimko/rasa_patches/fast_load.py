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

Each prediction then calls the traced graph directly (:class:`DirectPredict`): Rasa calls its
``tf.function``, which matches the arguments against its signature and looks up its traces at
every call, about 1 ms of Python per message for DIET's eight inputs (docs/benchmarks.md,
session 6). The function has one input signature, hence one concrete function: the inputs are
converted and checked against that signature as ``tf.function`` does, and anything that does
not fit goes through the ``tf.function`` itself.
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
    if model._tf_predict_step is not None:
        model._tf_predict_step = DirectPredict(model._tf_predict_step)
    return model


class DirectPredict:
    """Rasa's prediction ``tf.function`` called through its one concrete function."""

    def __init__(self, function: Any) -> None:
        """``function``: a ``tf.function`` with an input signature (Rasa's predict step)."""
        import tensorflow as tf

        self._tf = tf
        self._function = function
        self._concrete = function.get_concrete_function()
        self._specs = tf.nest.flatten(self._concrete.structured_input_signature[0])
        self.fallbacks = 0

    def __call__(self, batch_in: Any) -> Any:
        """The step's outputs for ``batch_in`` (a tuple of arrays), as the function gives them."""
        tf = self._tf
        arrays = tf.nest.flatten(batch_in)
        if len(arrays) == len(self._specs):
            tensors = [
                tf.convert_to_tensor(array, dtype_hint=spec.dtype)
                for array, spec in zip(arrays, self._specs, strict=True)
            ]
            pairs = zip(self._specs, tensors, strict=True)
            if all(spec.is_compatible_with(tensor) for spec, tensor in pairs):
                return self._concrete._call_flat(tensors, self._concrete.captured_inputs)
        self.fallbacks += 1
        return self._function(batch_in)
