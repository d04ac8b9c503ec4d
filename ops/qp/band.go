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

// newBand returns the band form of H's pattern, or nil when the band would
// not be narrow enough to pay. It needs G's row pattern (sp); qt is Q̃.
func newBand(n, m int, qt []float64, sp *rowPattern) *bandInfo {
	if sp == nil || noBand {
		return nil
	}
	// Adjacency of the variables: nonzeros of Q̃ and pairs of variables that
	// share a row of G.
	adj := make([][]int, n)
	seen := make([]uint64, (n*n+63)/64) // bit a·n+b: edge a–b recorded
	edges := 0
	link := func(a, b int) {
		bit := a*n + b
		if a == b || seen[bit/64]&(1<<(bit%64)) != 0 {
			return
		}
		edges++
		seen[bit/64] |= 1 << (bit % 64)
		bit = b*n + a
		seen[bit/64] |= 1 << (bit % 64)
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if qt[i*n+j] != 0 {
				link(i, j)
			}
		}
	}
	for r := 0; r < m; r++ {
		cols := sp.cols[sp.start[r]:sp.start[r+1]]
		for x, a := range cols {
			for _, b := range cols[x+1:] {
				link(a, b)
			}
		}
		if edges > n*n/16 {
			return nil // too dense for a narrow band
		}
	}
	perm := rcm(adj)
	iperm := make([]int, n)
	for newi, old := range perm {
		iperm[old] = newi
	}
	w := 0
	for a, nb := range adj {
		for _, b := range nb {
			w = max(w, iperm[a]-iperm[b])
		}
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

// rcm returns a reverse Cuthill–McKee ordering of the graph adj: breadth
// first from a node of least degree in each component, neighbours in order
// of increasing degree, then reversed.
func rcm(adj [][]int) []int {
	n := len(adj)
	order := make([]int, 0, n)
	visited := make([]bool, n)
	byDegree := make([]int, n)
	for i := range byDegree {
		byDegree[i] = i
	}
	degree := func(a, b int) int { return len(adj[a]) - len(adj[b]) }
	slices.SortStableFunc(byDegree, degree)
	for _, start := range byDegree {
		if visited[start] {
			continue
		}
		visited[start] = true
		head := len(order)
		order = append(order, start)
		for ; head < len(order); head++ {
			nb := slices.Clone(adj[order[head]])
			slices.SortStableFunc(nb, degree)
			for _, v := range nb {
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
