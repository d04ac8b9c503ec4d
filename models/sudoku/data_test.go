package main

import "testing"

func isSolved(b Board) bool {
	for i, d := range b {
		if d < 0 {
			return false
		}
		c := b
		c[i] = -1
		if !c.valid(i, d) {
			return false
		}
	}
	return true
}

func TestGeneratedPuzzlesHaveUniqueSolutions(t *testing.T) {
	ex := Generate(200, 3)
	blanks := 0
	for _, e := range ex {
		if !isSolved(e.Solution) {
			t.Fatalf("invalid solution %v", e.Solution)
		}
		p := e.Puzzle
		if p.countSolutions(3) != 1 {
			t.Fatalf("puzzle %v does not have a unique solution", p)
		}
		for i, d := range p {
			if d >= 0 && d != e.Solution[i] {
				t.Fatal("puzzle disagrees with its solution")
			}
			if d < 0 {
				blanks++
			}
		}
		if Decode(OneHot(e.Solution)) != e.Solution {
			t.Fatal("one-hot round trip")
		}
	}
	if blanks < 200*8 {
		t.Fatalf("puzzles are too easy: %d blanks in 200", blanks)
	}
	if Generate(5, 3)[4] != ex[4] {
		t.Fatal("not deterministic")
	}
	// A blank cell encodes as zeros; index = 16·row + 4·col + digit.
	var b Board
	for i := range b {
		b[i] = -1
	}
	b[1*4+2] = 3
	v := OneHot(b)
	for i, x := range v {
		if (i == 16+8+3) != (x == 1) {
			t.Fatalf("one-hot index %d = %v", i, x)
		}
	}
}
