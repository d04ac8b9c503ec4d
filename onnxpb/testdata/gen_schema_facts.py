#!/usr/bin/python3
"""Lists the wire-relevant facts of an ONNX protobuf schema, one per line:
enum values, field numbers, labels, types, packing, oneof membership and
reserved numbers. onnx_test.go checks our onnx.proto against such lists.

  /usr/bin/python3 testdata/gen_schema_facts.py > testdata/schema_onnx1.12.txt
      uses the schema compiled into the installed Python onnx package
      (onnx-ml.proto and onnx-data.proto).

  /usr/bin/python3 testdata/gen_schema_facts.py SET.pb > testdata/schema_onnx1.22.txt
      uses a FileDescriptorSet, e.g. made with
      protoc --include_imports --descriptor_set_out=SET.pb onnx/onnx.proto onnx/onnx-data.proto
      from upstream's onnx.in.proto and onnx-data.in.proto at tag v1.22.0
      with {PACKAGE_NAME} replaced by onnx.
"""

import sys

from google.protobuf import descriptor_pb2

LABELS = {1: "optional", 2: "required", 3: "repeated"}


def load():
    if len(sys.argv) > 1:
        s = descriptor_pb2.FileDescriptorSet()
        with open(sys.argv[1], "rb") as f:
            s.ParseFromString(f.read())
        return list(s.file)
    import onnx.onnx_data_pb2
    import onnx.onnx_ml_pb2
    files = []
    for mod in (onnx.onnx_ml_pb2, onnx.onnx_data_pb2):
        fd = descriptor_pb2.FileDescriptorProto()
        mod.DESCRIPTOR.CopyToProto(fd)
        files.append(fd)
    return files


def walk(prefix, msgs, enums, out):
    for e in enums:
        for v in e.value:
            out.append("enum %s%s %s %d" % (prefix, e.name, v.name, v.number))
    for m in msgs:
        name = prefix + m.name
        for r in m.reserved_range:
            out.append("reserved %s %d-%d" % (name, r.start, r.end - 1))
        for n in m.reserved_name:
            out.append("reserved %s %s" % (name, n))
        for f in m.field:
            t = descriptor_pb2.FieldDescriptorProto.Type.Name(f.type)[5:].lower()
            line = "field %s.%s %d %s %s" % (name, f.name, f.number, LABELS[f.label], t)
            if f.type_name:
                line += " " + f.type_name.lstrip(".")
            if f.options.packed:
                line += " packed"
            if f.HasField("oneof_index"):
                line += " oneof=" + m.oneof_decl[f.oneof_index].name
            out.append(line)
        walk(name + ".", m.nested_type, m.enum_type, out)


def main():
    out = []
    for fd in load():
        if fd.package != "onnx":
            continue
        walk("onnx.", fd.message_type, fd.enum_type, out)
    for line in sorted(set(out)):
        print(line)


if __name__ == "__main__":
    main()
