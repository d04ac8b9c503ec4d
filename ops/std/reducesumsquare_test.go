package std

import "testing"

func TestReduceSumSquareGradient(t *testing.T) {
	reduceGradCases(t, "ReduceSumSquare", 13, -1, 1)
}
