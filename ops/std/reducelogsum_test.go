package std

import "testing"

func TestReduceLogSumGradient(t *testing.T) {
	reduceGradCases(t, "ReduceLogSum", 13, 0.5, 2)
}
