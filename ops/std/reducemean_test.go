package std

import "testing"

func TestReduceMeanGradient(t *testing.T) {
	reduceGradCases(t, "ReduceMean", 13, -1, 1)
}
