package std

import (
	"github.com/optnet-go/optnet/runtime"
)

// And: logical a AND b on bool tensors with NumPy broadcasting (opset 1 with
// the legacy broadcast/axis attributes; 7 NumPy broadcasting).

func init() {
	register(&runtime.Op{Type: "And", Since: 1, Inputs: [2]int{2, 2}, Outputs: [2]int{1, 1}, Build: ewBuildLogic("And", func(x, y bool) bool { return x && y })})
}
