package qp

import "slices"

// bandInfo describes the band form of the primal path's H = Q̃ + GᵀDG when
// its nonzero pattern (fixed for a problem) can be permuted into a narrow
// band, as for total-variation problems: the variables are renumbered
// (reverse Cuthill–McKee), and H is formed, factored and solved in band
// storage (linalg.BandPotrf) at O(n·w²) per iteration instead of O(n³).
type bandInfo struct {
	w     int       // bandwidth after permutation
	perm  []int     // perm[new] = old variable
	iperm []int     // iperm[old] = new
	qt    []float64 // Q̃ in permuted band storage, n×(w+1)
}

// noBand disables the band form (tests compare it with the dense one).
var noBand = false

// noAug makes the backward use the Schur complement instead of the
// augmented band system (tests compare the two).
var noAug = false

// newBand returns the band form of H's pattern, or nil when the band would
// not be narrow enough to pay. It needs G's row pattern (sp); qt is Q̃.
func newBand(n, m int, qt []float64, sp *rowPattern) *bandInfo {
	if sp == nil || noBand {
		return nil
	}
	// Edges of the variables' graph: nonzeros of Q̃ and pairs of variables
	// that share a row of G, each recorded once (bit a·n+b).
	seen := make([]uint64, (n*n+63)/64)
	var edges [][2]int
	link := func(a, b int) bool {
		bit := a*n + b
		if a == b || seen[bit/64]&(1<<(bit%64)) != 0 {
			return true
		}
		seen[bit/64] |= 1 << (bit % 64)
		bit = b*n + a
		seen[bit/64] |= 1 << (bit % 64)
		edges = append(edges, [2]int{a, b})
		return len(edges) <= n*n/32 // else too dense for a narrow band
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if qt[i*n+j] != 0 && !link(i, j) {
				return nil
			}
		}
	}
	for r := 0; r < m; r++ {
		cols := sp.cols[sp.start[r]:sp.start[r+1]]
		for x, a := range cols {
			for _, b := range cols[x+1:] {
				if !link(a, b) {
					return nil
				}
			}
		}
	}
	// Adjacency lists in compressed form: node a's neighbours are
	// nbr[off[a]:off[a+1]].
	off := make([]int, n+1)
	for _, e := range edges {
		off[e[0]+1]++
		off[e[1]+1]++
	}
	for a := 0; a < n; a++ {
		off[a+1] += off[a]
	}
	nbr := make([]int, off[n])
	fill := slices.Clone(off[:n])
	for _, e := range edges {
		nbr[fill[e[0]]] = e[1]
		fill[e[0]]++
		nbr[fill[e[1]]] = e[0]
		fill[e[1]]++
	}
	perm := rcm(off, nbr)
	iperm := make([]int, n)
	for newi, old := range perm {
		iperm[old] = newi
	}
	w := 0
	for _, e := range edges {
		w = max(w, iperm[e[0]]-iperm[e[1]], iperm[e[1]]-iperm[e[0]])
	}
	// Band work n·w² against dense n³/3, with margin for the dense kernels'
	// higher speed.
	if (w+1)*(w+1)*16 > n*n/3 {
		return nil
	}
	bi := &bandInfo{w: w, perm: perm, iperm: iperm, qt: make([]float64, n*(w+1))}
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			if v := qt[i*n+j]; v != 0 {
				bi.qt[bi.at(iperm[i], iperm[j])] += v
			}
		}
	}
	return bi
}

// at returns the index in band storage of the entry (a, b) (permuted
// numbering, either order).
func (bi *bandInfo) at(a, b int) int {
	if a > b {
		a, b = b, a
	}
	return a*(bi.w+1) + b - a
}

// rcm returns a reverse Cuthill–McKee ordering of the graph whose node a
// has neighbours nbr[off[a]:off[a+1]]: breadth first from a node of least
// degree in each component, neighbours in order of increasing degree, then
// reversed.
func rcm(off, nbr []int) []int {
	n := len(off) - 1
	deg := func(a int) int { return off[a+1] - off[a] }
	byDegree := func(a, b int) int { return deg(a) - deg(b) }
	for a := 0; a < n; a++ {
		slices.SortStableFunc(nbr[off[a]:off[a+1]], byDegree)
	}
	starts := make([]int, n)
	for i := range starts {
		starts[i] = i
	}
	slices.SortStableFunc(starts, byDegree)
	order := make([]int, 0, n)
	visited := make([]bool, n)
	for _, start := range starts {
		if visited[start] {
			continue
		}
		visited[start] = true
		head := len(order)
		order = append(order, start)
		for ; head < len(order); head++ {
			a := order[head]
			for _, v := range nbr[off[a]:off[a+1]] {
				if !visited[v] {
					visited[v] = true
					order = append(order, v)
				}
			}
		}
	}
	slices.Reverse(order)
	return order
}
