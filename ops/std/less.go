package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// Less: a < b elementwise with NumPy broadcasting, giving bool (opset 1 with
// the legacy broadcast/axis attributes on floats; 7 NumPy broadcasting; 9
// added the integer types, 13 bfloat16). Comparisons with NaN are false.

func init() {
	register(&runtime.Op{Type: "Less", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: ewBuildCompare("Less", ewLt)})
}
