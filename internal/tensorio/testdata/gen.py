#!/usr/bin/python3
"""Writes the NumPy/ONNX files tensorio's tests read (run from this folder).

The arrays are simple closed forms (arange, fixed literals) so the Go test
states the expected values independently of these files.
"""
import numpy as np
from onnx import numpy_helper

a = np.arange(6, dtype=np.float32).reshape(2, 3)
np.save("f32_2x3.npy", a)
np.save("f32_2x3_fortran.npy", np.asfortranarray(a))  # fortran_order: True
np.save("i32_be_2x3.npy", np.arange(6, dtype=">i4").reshape(2, 3))
np.save("f16_3.npy", np.array([0.5, -2, 65504], dtype=np.float16))
np.save("bool_4.npy", np.array([True, False, False, True]))
np.save("f64_scalar.npy", np.float64(3.25))
np.save("i64_0x3.npy", np.zeros((0, 3), dtype=np.int64))
np.save("u8_2x2x2.npy", np.arange(8, dtype=np.uint8).reshape(2, 2, 2))
np.savez("pair.npz", x=a, y=np.array([7, 8], dtype=np.int64))
np.save("object.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
with open("f32_2x3.pb", "wb") as f:
    f.write(numpy_helper.from_array(a, name="x").SerializeToString())
