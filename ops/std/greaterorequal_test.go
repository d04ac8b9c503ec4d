package std

import (
	"testing"
)

func TestGreaterOrEqual(t *testing.T) {
	ewCheckCompare(t, "GreaterOrEqual", 16, func(x, y float64) bool { return x >= y })
}
