// Package onnxpb holds the Go types for the ONNX file format: models, graphs,
// nodes, attributes, tensors, types, functions and training information, as
// protocol buffer messages.
//
// The schema lives in onnx.proto next to this file. It is optnet's own
// description of the ONNX intermediate representation (release 1.22, IR
// version 13), written so that every message, field number, field type and
// packing choice matches upstream ONNX. Models written by PyTorch, the Python
// onnx package or any other ONNX producer therefore decode with these types
// without unknown fields, and re-encoding them yields the same bytes, with
// one exception in field order: protobuf-go writes the set member of a oneof
// after the message's other fields, where the C++ and Python runtimes use
// field-number order. A TypeProto or TensorShapeProto.Dimension that carries
// a denotation (or a SimpleShardedDimProto) therefore re-encodes with its
// fields in a different order; every decoder accepts both orders. The value
// containers used by the ONNX test suites (SequenceProto, MapProto,
// OptionalProto) are included as well.
//
// Decode and encode with google.golang.org/protobuf/proto:
//
//	var m onnxpb.ModelProto
//	if err := proto.Unmarshal(data, &m); err != nil { ... }
//	out, err := proto.Marshal(&m)
//
// The schema uses proto2 syntax, like upstream, so scalar fields are
// pointers; use the generated getters (m.GetIrVersion(), ...) to read them
// and proto.Int64, proto.String, ... to set them.
//
// # Regenerating onnx.pb.go
//
// onnx.pb.go is generated from onnx.proto and committed. After editing the
// schema, run from the repository root:
//
//	go generate ./onnxpb
//
// This runs
//
//	protoc --go_out=. --go_opt=paths=source_relative onnx.proto
//
// in this directory. It needs protoc (the output shown in the generated
// header was made with protoc 3.21.12) and protoc-gen-go v1.36.12, the version
// matching google.golang.org/protobuf in go.mod, on PATH:
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//
// (go install puts it in $(go env GOPATH)/bin.) With those versions the
// output is byte-identical to the committed file.
package onnxpb
