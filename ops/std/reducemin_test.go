package std

import "testing"

func TestReduceMinGradient(t *testing.T) {
	reduceGradCases(t, "ReduceMin", 13, -1, 1)
}
