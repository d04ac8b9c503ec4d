package onnxpb

// Regenerate onnx.pb.go from onnx.proto. Requires protoc and
// protoc-gen-go v1.36.12 on PATH; see the package documentation.
//
//go:generate protoc --go_out=. --go_opt=paths=source_relative onnx.proto
