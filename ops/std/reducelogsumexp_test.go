package std

import "testing"

func TestReduceLogSumExpGradient(t *testing.T) {
	reduceGradCases(t, "ReduceLogSumExp", 13, -2, 2)
}
