#!/usr/bin/python3
"""Independent reference outputs for the GRU and LSTM op tests.

Runs PyTorch's nn.GRU (which is ONNX GRU with linear_before_reset=1) and
nn.LSTM, bidirectional, with initial states, in float64, and writes inputs
and outputs converted to ONNX layouts and gate orders to
ops/std/testdata/rnn_torch.json (read by ops/std/rnn_torch_test.go).

    /usr/bin/python3 scripts/rnn_reference.py
"""
import json
import os

import torch

torch.manual_seed(0)
SEQ, BATCH, IN, H = 4, 3, 3, 2


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def reorder(w, order):
    # w: (G*H, ...) in torch gate order; order lists torch gate indices in
    # ONNX order.
    return torch.cat([w[i * H:(i + 1) * H] for i in order])


def case(kind):
    cls = torch.nn.GRU if kind == "GRU" else torch.nn.LSTM
    m = cls(IN, H, bidirectional=True).double()
    # torch GRU gates r, z, n -> ONNX z, r, h; LSTM i, f, g, o -> i, o, f, c.
    order = [1, 0, 2] if kind == "GRU" else [0, 3, 1, 2]
    x = torch.randn(SEQ, BATCH, IN, dtype=torch.float64)
    h0 = torch.randn(2, BATCH, H, dtype=torch.float64)
    c0 = torch.randn(2, BATCH, H, dtype=torch.float64)
    with torch.no_grad():
        if kind == "GRU":
            y, hn = m(x, h0)
        else:
            y, (hn, cn) = m(x, (h0, c0))
    W, R, B = [], [], []
    for sfx in ["", "_reverse"]:
        W.append(reorder(getattr(m, "weight_ih_l0" + sfx), order))
        R.append(reorder(getattr(m, "weight_hh_l0" + sfx), order))
        B.append(torch.cat([reorder(getattr(m, "bias_ih_l0" + sfx), order),
                            reorder(getattr(m, "bias_hh_l0" + sfx), order)]))
    out = {
        "op": kind,
        "seq": SEQ, "batch": BATCH, "in": IN, "hidden": H,
        "X": flat(x), "W": flat(torch.stack(W)), "R": flat(torch.stack(R)),
        "B": flat(torch.stack(B)), "initial_h": flat(h0),
        # torch Y is (seq, batch, 2H) = [forward | backward]; ONNX wants
        # (seq, 2, batch, H).
        "Y": flat(y.reshape(SEQ, BATCH, 2, H).permute(0, 2, 1, 3)),
        "Y_h": flat(hn),
    }
    if kind == "LSTM":
        out["initial_c"] = flat(c0)
        out["Y_c"] = flat(cn)
    return out


here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "ops", "std", "testdata", "rnn_torch.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": [case("GRU"), case("LSTM")]}, f, indent=0)
    f.write("\n")
