package std

import "testing"

func TestReduceL1Gradient(t *testing.T) {
	reduceGradCases(t, "ReduceL1", 13, -1, 1)
}
