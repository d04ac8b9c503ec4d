package std

import "github.com/optnet-go/optnet/runtime"

// HammingWindow: w[n] = 25/46 - 21/46 cos(2πn/N) for n < size, N = size
// when periodic (default) or size - 1 when symmetric, in output_datatype
// (default float). Introduced in opset 17.

func init() {
	register(&runtime.Op{Type: "HammingWindow", Since: 17, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildWindow("HammingWindow", 25.0/46, -21.0/46)})
}
