package std

import "testing"

func TestReduceSumGradient(t *testing.T) {
	reduceGradCases(t, "ReduceSum", 11, -1, 1)
}
