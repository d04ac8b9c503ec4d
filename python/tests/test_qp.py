"""Unit tests of optnet_onnx.QPLayer (run by cmd/optrun/pytorch_test.go):
the solver against cvxopt, the backward against finite differences, and
the export's node structure."""
import os
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from optnet_onnx import QPError, QPFunction, QPLayer, export, load_onnx_weights, qp_solve  # noqa: E402


def problem(seed, B=4, n=5, m=4, k=2):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)
    L = r(n, n)
    Q = L @ L.t() + 0.1 * torch.eye(n, dtype=torch.float64)
    return Q, r(B, n), r(m, n), torch.rand(m, generator=g, dtype=torch.float64) + 0.5, r(k, n), 0.1 * r(B, k)


class TestSolver(unittest.TestCase):
    def test_matches_cvxopt(self):
        try:
            import cvxopt
        except ImportError:
            self.skipTest("python3-cvxopt is not installed")
        cvxopt.solvers.options.update(show_progress=False, abstol=1e-12, reltol=1e-12, feastol=1e-12)
        Q, p, G, h, A, b = problem(1)
        for args in [(Q, p, G, h, A, b), (Q, p, G, h, None, None)]:
            z = qp_solve(*args)[0]
            for i in range(p.shape[0]):
                mat = lambda a: cvxopt.matrix(a.numpy().astype(np.float64))
                kw = {}
                if args[4] is not None:
                    kw = dict(A=mat(A), b=mat(b[i]))
                ref = cvxopt.solvers.qp(mat(Q), mat(p[i]), mat(G), mat(h), **kw)
                self.assertLess(np.abs(np.array(ref["x"]).ravel() - z[i].numpy()).max(), 1e-7)

    def test_equality_only_and_unconstrained_closed_form(self):
        Q, p, _, _, A, b = problem(2)
        z = qp_solve(Q, p)[0]
        self.assertLess((z - torch.linalg.solve(Q, -p.t()).t()).abs().max().item(), 1e-10)
        z, _, nu, _ = qp_solve(Q, p, A=A, b=b)
        self.assertLess((z @ A.t() - b).abs().max().item(), 1e-10)
        self.assertLess((z @ Q + p + nu @ A).abs().max().item(), 1e-10)

    def test_infeasible_raises(self):
        Q, p, _, _, _, _ = problem(3, m=2)
        G = torch.tensor([[1.0, 0, 0, 0, 0], [-1.0, 0, 0, 0, 0]], dtype=torch.float64)
        h = torch.tensor([-1.0, -1.0], dtype=torch.float64)  # z0 <= -1 and z0 >= 1
        with self.assertRaises(QPError):
            qp_solve(Q, p, G, h)


class TestBackward(unittest.TestCase):
    def test_gradcheck_every_problem_kind(self):
        Q, p, G, h, A, b = problem(4, B=3, n=4, m=3, k=1)
        for args in [(Q, p, G, h, A, b), (Q, p, G, h, None, None), (Q, p, None, None, A, b), (Q, p, None, None, None, None)]:
            leaves = [None if a is None else a.clone().requires_grad_() for a in args]
            self.assertTrue(torch.autograd.gradcheck(lambda *t: QPFunction.apply(*t), leaves, eps=1e-6, atol=1e-6))

    def test_shared_gradient_is_the_batch_sum(self):
        Q, p, G, h, _, _ = problem(5, B=3)
        Qs = Q.clone().requires_grad_()
        QPFunction.apply(Qs, p, G, h).sum().backward()
        total = torch.zeros_like(Q)
        for i in range(3):
            Qi = Q.clone().requires_grad_()
            QPFunction.apply(Qi, p[i:i + 1], G, h).sum().backward()
            total += Qi.grad
        self.assertLess((Qs.grad - total).abs().max().item(), 1e-10)


class Net(torch.nn.Module):
    def __init__(self, eq):
        super().__init__()
        self.fc = torch.nn.Linear(3, 4)
        self.L = torch.nn.Parameter(torch.eye(4))
        self.A = torch.nn.Parameter(torch.ones(1, 4))
        self.b = torch.nn.Parameter(torch.zeros(1))
        self.eq = eq
        self.qp = QPLayer(eps=1e-13, maxiter=30)

    def forward(self, x):
        Q = self.L @ self.L.t()
        if self.eq:
            return self.qp(Q, self.fc(x), A=self.A, b=self.b)
        return self.qp(Q, self.fc(x))


class TestExport(unittest.TestCase):
    def test_one_qp_node_with_empty_optional_inputs(self):
        import onnx
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            export(Net(True), (torch.randn(2, 3),), path, ["x"], ["z"])
            m = onnx.load(path)
            qp = [n for n in m.graph.node if n.domain == "com.optnet"]
            self.assertEqual(len(qp), 1)
            self.assertEqual(qp[0].op_type, "QP")
            self.assertEqual(list(qp[0].input)[2:], ["", "", "A", "b"])
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in qp[0].attribute}
            self.assertEqual(attrs["maxiter"], 30)
            self.assertAlmostEqual(attrs["eps"], 1e-13, delta=1e-19)
            self.assertIn(("com.optnet", 1), [(o.domain, o.version) for o in m.opset_import])
            self.assertEqual(sorted(t.name for t in m.graph.initializer), ["A", "L", "b", "fc.bias", "fc.weight"])

    def test_load_onnx_weights_reports_names(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            export(Net(False), (torch.randn(2, 3),), path, ["x"], ["z"])
            other = Net(True)
            with self.assertRaises(KeyError) as cm:
                load_onnx_weights(other, path, verbose=False)
            self.assertIn("A", str(cm.exception))
            self.assertIn("do_constant_folding=False", str(cm.exception))
            rep = load_onnx_weights(other, path, strict=False, verbose=False)
            self.assertEqual(sorted(rep.missing), ["A", "b"])
            self.assertEqual(sorted(rep.loaded), ["L", "fc.bias", "fc.weight"])


if __name__ == "__main__":
    unittest.main()
