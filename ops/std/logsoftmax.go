package std

import "github.com/optnet-go/optnet/runtime"

// LogSoftmax: y = x - max - log Σ exp(x - max) along an axis, computed
// stably. Opset 13 works along the single axis `axis` (default -1); opsets
// 1 and 11 coerce the input to 2-D at axis (default 1). The kernel and its
// backward rule (dx = g - exp(y) Σ g) live in softmax.go.

func init() {
	register(
		&runtime.Op{Type: "LogSoftmax", Since: 1, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSoftmaxFamily("LogSoftmax", smLogSoftmax)},
		&runtime.Op{Type: "LogSoftmax", Since: 13, Inputs: [2]int{1, 1}, Outputs: [2]int{1, 1}, Build: buildSoftmaxFamily("LogSoftmax", smLogSoftmax)},
	)
}
