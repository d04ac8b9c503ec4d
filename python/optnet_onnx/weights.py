"""Copying trained ONNX initializers back into a PyTorch module, and the
export settings that make that possible."""

import warnings

import numpy as np
import torch

__all__ = ["load_onnx_weights", "export", "WeightReport"]


class WeightReport:
    """What load_onnx_weights did: names copied, module entries the file
    lacks (``missing``), initializers that match no module entry
    (``unexpected``) and entries whose shape differs (``mismatched``)."""

    def __init__(self):
        self.loaded, self.missing, self.unexpected, self.mismatched = [], [], [], []

    def ok(self):
        return not (self.missing or self.mismatched)

    def __str__(self):
        lines = ["loaded %d tensors" % len(self.loaded)]
        if self.missing:
            lines.append("module entries with no initializer of that name (not updated): " + ", ".join(self.missing))
        if self.mismatched:
            lines.append("shape mismatches (not updated): " + ", ".join(self.mismatched))
        if self.unexpected:
            lines.append("initializers that match no module entry (ignored): " + ", ".join(self.unexpected))
        if self.missing:
            lines.append("Parameter names survive export when the model is exported with "
                         "training=torch.onnx.TrainingMode.TRAINING and do_constant_folding=False "
                         "(optnet_onnx.export does this); an eval-mode export with constant "
                         "folding renames or folds them (e.g. onnx::MatMul_12, fused BatchNorm).")
        return "\n".join(lines)


def load_onnx_weights(module, path, strict=True, verbose=True):
    """Copies the initializers of the ONNX file at ``path`` into ``module``'s
    parameters and buffers with the same names (``state_dict`` keys).

    Returns a WeightReport. With strict=True (default) a trainable
    parameter that the file does not have raises KeyError with the report;
    buffers (BatchNorm statistics) and unexpected initializers only appear
    in the report, which is printed when verbose."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    report = WeightReport()
    state = module.state_dict()
    params = dict(module.named_parameters())
    used = set()
    with torch.no_grad():
        for name, cur in state.items():
            arr = inits.get(name)
            if arr is None:
                if name in params or not name.endswith("num_batches_tracked"):
                    report.missing.append(name)
                continue
            used.add(name)
            if tuple(arr.shape) != tuple(cur.shape):
                report.mismatched.append("%s (file %s, module %s)" % (name, tuple(arr.shape), tuple(cur.shape)))
                continue
            cur.copy_(torch.from_numpy(np.array(arr)).to(cur.dtype))
            report.loaded.append(name)
    report.unexpected = sorted(n for n in inits if n not in used)
    if verbose and (report.missing or report.unexpected or report.mismatched):
        print("load_onnx_weights(%s):\n%s" % (path, report))
    missing_params = [n for n in report.missing if n in params]
    if strict and (missing_params or report.mismatched):
        raise KeyError("load_onnx_weights: %s" % report)
    return report


def export(module, args, path, input_names, output_names, opset=17, dynamic_batch=True):
    """Exports ``module`` with the settings that keep parameter names and
    the com.optnet::QP node intact, so that optrun can train the file and
    load_onnx_weights can read it back:

      * training=TrainingMode.TRAINING, do_constant_folding=False: every
        parameter stays an initializer named like its state_dict key.
        (Dropout and BatchNorm are then exported in training form; optrun
        switches them by run mode. Use dropout-free modules, or set
        p=0, if the file is meant for other runtimes too.)
      * custom_opsets={"com.optnet": 1}: the QP node's domain version.
      * the first dimension of every input and output is named "batch".

    The module is put back into the mode it was in."""
    was_training = module.training
    axes = None
    if dynamic_batch:
        axes = {name: {0: "batch"} for name in list(input_names) + list(output_names)}
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The shape inference of (com.optnet::QP|prim::Constant) type is missing")
            warnings.filterwarnings("ignore", message=".*_graph_op' is deprecated")
            torch.onnx.export(module, args, path, opset_version=opset,
                              input_names=list(input_names), output_names=list(output_names),
                              dynamic_axes=axes, training=torch.onnx.TrainingMode.TRAINING,
                              do_constant_folding=False, custom_opsets={"com.optnet": 1})
    finally:
        module.train(was_training)
