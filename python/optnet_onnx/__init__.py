"""optnet_onnx: PyTorch helpers for optnet (https://github.com/optnet-go/optnet).

* QPLayer / QPFunction: a differentiable batched QP layer that trains in
  PyTorch and exports to ONNX as one com.optnet::QP node.
* export: torch.onnx.export with the settings that keep parameter names
  and the QP node intact.
* load_onnx_weights: copy the initializers of a model trained by
  ``optrun train`` back into the PyTorch module.

Pure Python on PyTorch, ONNX and NumPy; add this folder's parent
(python/) to PYTHONPATH.
"""

from .qp import DOMAIN, QPError, QPFunction, QPLayer, qp_solve
from .weights import WeightReport, export, load_onnx_weights

__all__ = ["DOMAIN", "QPError", "QPFunction", "QPLayer", "qp_solve",
           "WeightReport", "export", "load_onnx_weights"]
