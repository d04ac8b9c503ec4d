package std

import "testing"

func TestOr(t *testing.T) { ewCheckLogic(t, "Or", func(x, y bool) bool { return x || y }) }
