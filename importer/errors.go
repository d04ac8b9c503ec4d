package importer

import (
	"errors"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/tensorpb"
)

// Errors of the importer, for errors.Is. Structural problems wrap
// ErrInvalidGraph; unsupported ops come back as a *runtime.UnsupportedError
// (errors.Is(err, runtime.ErrUnsupportedOp)); size limits wrap ErrTooLarge.
var (
	// ErrMalformed: the bytes are not a valid ONNX protobuf message.
	ErrMalformed = errors.New("malformed ONNX protobuf")
	// ErrExternalData: an external-data reference is unsafe, missing or
	// inconsistent (absolute or escaping path, out-of-range offset/length).
	ErrExternalData = tensorpb.ErrExternalData
	// ErrUnsupportedType: a tensor uses an element type the runtime does
	// not store.
	ErrUnsupportedType = tensorpb.ErrUnsupportedType
	// ErrInvalidGraph is runtime.ErrInvalidGraph.
	ErrInvalidGraph = runtime.ErrInvalidGraph
	// ErrTooLarge is runtime.ErrTooLarge.
	ErrTooLarge = runtime.ErrTooLarge
)
