package std

import "testing"

func TestReduceL2Gradient(t *testing.T) {
	reduceGradCases(t, "ReduceL2", 13, -1, 1)
}
