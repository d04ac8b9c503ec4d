package std

import "github.com/optnet-go/optnet/runtime"

// BlackmanWindow: w[n] = 0.42 - 0.5 cos(2πn/N) + 0.08 cos(4πn/N) for
// n < size, N = size when periodic (default) or size - 1 when symmetric,
// in output_datatype (default float). Introduced in opset 17.

func init() {
	register(&runtime.Op{Type: "BlackmanWindow", Since: 17, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildWindow("BlackmanWindow", 0.42, -0.5, 0.08)})
}
