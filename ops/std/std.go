// Package std implements the standard ONNX operators (the default
// "ai.onnx" domain) for the CPU.
//
// Each operator lives in its own file — its Op registrations (one per
// opset version whose semantics changed), its kernel (forward, and where
// training needs it, shape inference and backward) — with its test beside
// it. Register adds them all to a registry:
//
//	reg := runtime.NewRegistry()
//	if err := std.Register(reg); err != nil { ... }
package std

import "github.com/optnet-go/optnet/runtime"

var all []*runtime.Op

// register is called from each op file's init.
func register(ops ...*runtime.Op) { all = append(all, ops...) }

// Ops returns every standard op registration.
func Ops() []*runtime.Op { return append([]*runtime.Op(nil), all...) }

// Register adds every standard op to r.
func Register(r *runtime.Registry) error { return r.Register(all...) }
