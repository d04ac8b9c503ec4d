package std

import "testing"

func TestXor(t *testing.T) { ewCheckLogic(t, "Xor", func(x, y bool) bool { return x != y }) }
