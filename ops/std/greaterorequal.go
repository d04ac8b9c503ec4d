package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// GreaterOrEqual: a >= b elementwise with NumPy broadcasting, giving bool (opset 12;
// 16 added bfloat16). Comparisons with NaN are false.

func init() {
	register(&runtime.Op{Type: "GreaterOrEqual", Since: 12, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: ewBuildCompare("GreaterOrEqual", ewGe)})
}
