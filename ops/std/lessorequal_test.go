package std

import (
	"testing"
)

func TestLessOrEqual(t *testing.T) {
	ewCheckCompare(t, "LessOrEqual", 16, func(x, y float64) bool { return x <= y })
}
