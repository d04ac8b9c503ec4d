package std

import "github.com/optnet-go/optnet/runtime"

// ArgMax: the int64 index of the largest element along axis (default 0),
// keeping the axis as size 1 when keepdims. Opset 11 allows negative axes;
// opset 12 adds select_last_index (ties go to the last index); later
// versions only added dtypes.

func init() {
	register(&runtime.Op{Type: "ArgMax", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildArg("ArgMax", true)})
}
