package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// Equal: a == b elementwise with NumPy broadcasting, giving bool (opset 1 with
// the legacy broadcast/axis attributes on bool/int32/int64; 7 NumPy
// broadcasting; 11 added the other numeric types, 13 bfloat16). Bool and
// string tensors compare too. Float16/bfloat16 compare by value (NaN is
// unequal to everything).

func init() {
	register(&runtime.Op{Type: "Equal", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: ewBuildCompare("Equal", ewEq)})
}
