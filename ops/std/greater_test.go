package std

import (
	"testing"
)

func TestGreater(t *testing.T) {
	ewCheckCompare(t, "Greater", 13, func(x, y float64) bool { return x > y })
}
