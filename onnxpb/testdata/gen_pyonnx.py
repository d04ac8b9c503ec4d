#!/usr/bin/python3
"""Writes the reference files under testdata/pyonnx/ with the Python onnx
package (tested with onnx 1.12 / protobuf 4.21, as packaged by Debian).

Each case is written twice: NAME.MSG.pb holds the binary encoding made by the
Python protobuf runtime, and NAME.MSG.json the same message as protobuf JSON.
MSG is the message name inside package onnx. onnx_test.go decodes both with
the Go types and checks that they agree, that no field is unknown, and that
re-encoding reproduces the .pb bytes exactly.

Run from the onnxpb directory:  /usr/bin/python3 testdata/gen_pyonnx.py
"""

import math
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from google.protobuf import json_format

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyonnx")


def write(name, msg):
    kind = type(msg).__name__
    base = os.path.join(OUT, "%s.%s" % (name, kind))
    with open(base + ".pb", "wb") as f:
        f.write(msg.SerializeToString())
    with open(base + ".json", "w") as f:
        f.write(json_format.MessageToJson(msg, sort_keys=True))
        f.write("\n")


def every_tensor_kind():
    """Tensors exercising every data field, each data type, and odd values."""
    ts = []
    ts.append(helper.make_tensor("f32", TensorProto.FLOAT, [2, 3],
                                 [0.0, -0.0, 1.5, float("inf"), float("-inf"), float("nan")]))
    ts.append(helper.make_tensor("f32_raw", TensorProto.FLOAT, [2],
                                 np.array([1.25, -2.5], dtype="<f4").tobytes(), raw=True))
    ts.append(helper.make_tensor("f64", TensorProto.DOUBLE, [3], [1e300, -1e-300, math.pi]))
    ts.append(helper.make_tensor("i32", TensorProto.INT32, [4], [0, -1, 2147483647, -2147483648]))
    ts.append(helper.make_tensor("i16", TensorProto.INT16, [2], [-32768, 32767]))
    ts.append(helper.make_tensor("i8", TensorProto.INT8, [2], [-128, 127]))
    ts.append(helper.make_tensor("u16", TensorProto.UINT16, [1], [65535]))
    ts.append(helper.make_tensor("u8", TensorProto.UINT8, [3], [0, 128, 255]))
    ts.append(helper.make_tensor("b", TensorProto.BOOL, [2], [True, False]))
    ts.append(helper.make_tensor("i64", TensorProto.INT64, [3], [-(2**63), 2**63 - 1, 0]))
    ts.append(helper.make_tensor("u32", TensorProto.UINT32, [1], [4294967295]))
    ts.append(helper.make_tensor("u64", TensorProto.UINT64, [2], [2**64 - 1, 1]))
    ts.append(helper.make_tensor("f16", TensorProto.FLOAT16, [2], [1.0, -2.0]))
    ts.append(helper.make_tensor("bf16", TensorProto.BFLOAT16, [2], [1.0, -2.0]))
    ts.append(helper.make_tensor("c64", TensorProto.COMPLEX64, [2], [1 + 2j, -3 - 4j]))
    ts.append(helper.make_tensor("c128", TensorProto.COMPLEX128, [1], [0.5 - 0.25j]))
    ts.append(helper.make_tensor("str", TensorProto.STRING, [3], [b"", b"abc", "h\u00e9llo".encode()]))
    ts.append(helper.make_tensor("scalar", TensorProto.INT64, [], [7]))
    ts.append(helper.make_tensor("empty", TensorProto.FLOAT, [0, 4], []))

    seg = helper.make_tensor("segmented", TensorProto.FLOAT, [2], [1.0, 2.0])
    seg.dims[0] = 10  # the full tensor; this message holds a slice of it
    seg.segment.begin = 4
    seg.segment.end = 6
    seg.doc_string = "elements 4 and 5 of a larger tensor"
    ts.append(seg)

    ext = TensorProto()
    ext.name = "external"
    ext.data_type = TensorProto.FLOAT
    ext.dims.extend([1024, 1024])
    ext.data_location = TensorProto.EXTERNAL
    for k, v in [("location", "weights.bin"), ("offset", "4096"), ("length", "4194304"),
                 ("checksum", "0123456789abcdef0123456789abcdef01234567")]:
        e = ext.external_data.add()
        e.key, e.value = k, v
    ts.append(ext)
    return ts


def type_zoo():
    """Value infos with every kind of TypeProto."""
    vis = []
    vis.append(helper.make_tensor_value_info("t_sym", TensorProto.FLOAT, ["N", 3, None]))
    vi = helper.make_tensor_value_info("t_denot", TensorProto.UINT8, [1, 3, 224, 224])
    vi.type.denotation = "IMAGE"
    for d, name in zip(vi.type.tensor_type.shape.dim,
                       ["DATA_BATCH", "DATA_CHANNEL", "DATA_FEATURE", "DATA_FEATURE"]):
        d.denotation = name
    vi.doc_string = "image input"
    vis.append(vi)
    vis.append(helper.make_tensor_value_info("t_norank", TensorProto.INT64, None))
    vis.append(helper.make_tensor_value_info("t_scalar", TensorProto.BOOL, []))
    vis.append(helper.make_sparse_tensor_value_info("sp", TensorProto.FLOAT, [100, "M"]))
    seq = helper.make_sequence_type_proto(helper.make_tensor_type_proto(TensorProto.FLOAT, [2]))
    vis.append(helper.make_value_info("seq", seq))
    mp = TypeProto_map(TensorProto.STRING, helper.make_tensor_type_proto(TensorProto.FLOAT, []))
    vis.append(helper.make_value_info("map", mp))
    opt = helper.make_optional_type_proto(seq)
    vis.append(helper.make_value_info("opt_seq", opt))
    opaque = onnx.TypeProto()
    opaque.opaque_type.domain = "org.example"
    opaque.opaque_type.name = "Handle"
    vis.append(helper.make_value_info("opaque", opaque))
    return vis


def TypeProto_map(key_type, value_type):
    t = onnx.TypeProto()
    t.map_type.key_type = key_type
    t.map_type.value_type.CopyFrom(value_type)
    return t


def sparse(name):
    values = helper.make_tensor(name, TensorProto.FLOAT, [3], [1.0, 2.0, 3.0])
    indices = helper.make_tensor(name + "_idx", TensorProto.INT64, [3], [1, 5, 9])
    return helper.make_sparse_tensor(values, indices, [2, 5])


def attribute_zoo():
    body = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "body",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    attrs = dict(
        a_float=-0.125,
        a_int=-5,
        a_string="text",
        a_tensor=helper.make_tensor("", TensorProto.FLOAT, [1], [3.0]),
        a_graph=body,
        a_sparse=sparse("sp_attr"),
        a_floats=[1.0, float("nan"), -0.0],
        a_ints=[1, -1, 2**40],
        a_strings=["x", "", "z"],
        a_tensors=[helper.make_tensor("", TensorProto.INT32, [2], [1, 2]),
                   helper.make_tensor("", TensorProto.INT64, [1], [3])],
        a_graphs=[body, body],
        a_sparses=[sparse("s0"), sparse("s1")],
        a_type=helper.make_tensor_type_proto(TensorProto.FLOAT, [2, "K"]),
        a_types=[helper.make_tensor_type_proto(TensorProto.INT8, None),
                 helper.make_sequence_type_proto(
                     helper.make_tensor_type_proto(TensorProto.FLOAT, []))],
    )
    node = helper.make_node("Custom", ["in0", "", "in2"], ["out0"], name="zoo",
                            domain="org.example", doc_string="every attribute type",
                            **attrs)
    node.attribute[0].doc_string = "documented attribute"
    # An empty list needs its type spelled out.
    empty = node.attribute.add()
    empty.name = "a_empty_ints"
    empty.type = onnx.AttributeProto.INTS
    return node


def full_model():
    tensors = every_tensor_kind()
    vis = type_zoo()
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, ["batch", 4])
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["batch", 4])
    nodes = [
        helper.make_node("Add", ["X", "f32"], ["T0"], name="add"),
        helper.make_node("MyRelu", ["T0"], ["T1"], domain="custom.fn", alpha=0.5),
        attribute_zoo(),
        helper.make_node("Identity", ["T1"], ["Y"]),
    ]
    g = helper.make_graph(nodes, "everything", [x], [y], initializer=tensors,
                          value_info=vis, doc_string="graph doc",
                          sparse_initializer=[sparse("sparse_w")])
    qa = g.quantization_annotation.add()
    qa.tensor_name = "T0"
    for k, v in [("SCALE_TENSOR", "t0_scale"), ("ZERO_POINT_TENSOR", "t0_zp")]:
        e = qa.quant_parameter_tensor_names.add()
        e.key, e.value = k, v

    # A model-local function with a formal attribute forwarded via ref_attr_name.
    fnode = helper.make_node("LeakyRelu", ["x"], ["y"])
    ref = fnode.attribute.add()
    ref.name = "alpha"
    ref.ref_attr_name = "alpha"
    ref.type = onnx.AttributeProto.FLOAT
    fn = helper.make_function("custom.fn", "MyRelu", ["x"], ["y"], [fnode],
                              [helper.make_opsetid("", 16)], ["alpha"],
                              doc_string="leaky relu wrapper")

    model = helper.make_model(
        g, producer_name="optnet-testgen", producer_version="1.0",
        opset_imports=[helper.make_opsetid("", 16), helper.make_opsetid("custom.fn", 1),
                       helper.make_opsetid("org.example", 3)],
        functions=[fn])
    model.domain = "org.optnet.test"
    model.model_version = 42
    model.doc_string = "a model touching every field that onnx 1.12 knows"
    helper.set_model_props(model, {"author": "optnet", "license": "none"})

    # Training information.
    init_graph = helper.make_graph(
        [helper.make_node("RandomNormal", [], ["w_init"], shape=[4])], "init", [],
        [helper.make_tensor_value_info("w_init", TensorProto.FLOAT, [4])])
    algo_graph = helper.make_graph(
        [helper.make_node("Sub", ["f32", "f32"], ["w_new"])], "step", [],
        [helper.make_tensor_value_info("w_new", TensorProto.FLOAT, [2, 3])])
    model.training_info.append(helper.make_training_info(
        algo_graph, [("f32", "w_new")], init_graph, [("f32", "w_init")]))
    return model


def small_mlp():
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((4, 8)).astype(np.float32), "W1")
    b1 = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "B1")
    w2 = numpy_helper.from_array(rng.standard_normal((8, 2)).astype(np.float32), "W2")
    nodes = [helper.make_node("MatMul", ["X", "W1"], ["H0"]),
             helper.make_node("Add", ["H0", "B1"], ["H1"]),
             helper.make_node("Relu", ["H1"], ["H2"]),
             helper.make_node("MatMul", ["H2", "W2"], ["Y"])]
    g = helper.make_graph(nodes, "mlp",
                          [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 2])],
                          initializer=[w1, b1, w2])
    m = helper.make_model(g, producer_name="optnet-testgen",
                          opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    return m


def values():
    t = numpy_helper.from_array(np.arange(6, dtype=np.int32).reshape(2, 3), "t")
    seq = numpy_helper.from_list([np.array([1.0, 2.0], np.float32),
                                  np.array([3.0], np.float32)], "seq")
    nested = numpy_helper.from_list([[np.array([1], np.int64)], []], "nested",
                                    dtype=onnx.SequenceProto.SEQUENCE)
    # numpy_helper.from_dict of onnx 1.12 fails with current numpy; build
    # the maps with helper.make_map instead.
    imap = helper.make_map("imap", TensorProto.INT64, [1, -7], numpy_helper.from_list(
        [np.array([0.5], np.float32), np.array([1.5], np.float32)]))
    smap = helper.make_map("smap", TensorProto.STRING, [b"a"], numpy_helper.from_list(
        [np.array([1], np.int64)]))
    opt = numpy_helper.from_optional(np.array([True, False]), "opt")
    none = onnx.OptionalProto()  # an empty optional of tensor type
    none.name = "none"
    none.elem_type = onnx.OptionalProto.TENSOR
    return [("tensor", t), ("seq", seq), ("nested_seq", nested), ("int_map", imap),
            ("str_map", smap), ("opt", opt), ("opt_none", none)]


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    write("everything", full_model())
    write("mlp", small_mlp())
    write("attributes", attribute_zoo())
    for t in every_tensor_kind():
        write("tensor_" + t.name, t)
    write("sparse", sparse("s"))
    for name, v in values():
        write("value_" + name, v)
    print("onnx", onnx.__version__, "wrote", len(os.listdir(OUT)), "files to", OUT)


if __name__ == "__main__":
    main()
