package std

import "github.com/optnet-go/optnet/runtime"

// ArgMin: the int64 index of the smallest element along axis (default 0),
// keeping the axis as size 1 when keepdims. Opset 11 allows negative axes;
// opset 12 adds select_last_index (ties go to the last index); later
// versions only added dtypes.

func init() {
	register(&runtime.Op{Type: "ArgMin", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildArg("ArgMin", false)})
}
