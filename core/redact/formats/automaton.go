package formats

// automaton is the one-pass keyword pre-filter: an Aho–Corasick automaton
// compiled into a dense DFA over byte classes. Matching folds ASCII letters
// to lower case and the separators '-', '_', '.' and ' ' into one class, so
// "DATADOG_API_KEY", "datadog-api-key" and "Datadog API key" all hit the
// keyword "datadog api key"; every hit is verified byte-exactly afterwards
// by the rule that asked for it.
//
// A transition stores the next state premultiplied by the number of classes
// (so the inner loop is one add and one load per byte) with outBit set when
// the next state ends at least one keyword.
type automaton struct {
	class [256]uint8
	delta []uint32
	// out lists, per state index, the keywords ending there (including
	// those ending at a suffix of the state's path).
	out [][]int32
	// kwLen is the length of each keyword in bytes.
	kwLen []int
	ncls  uint32
}

const (
	outBit    = 1 << 31
	stateMask = outBit - 1
)

// foldByte maps a byte to its matching form.
func foldByte(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	case c == '_' || c == '.' || c == ' ':
		return '-'
	}
	return c
}

// newAutomaton compiles the keywords; keyword i is reported as i.
func newAutomaton(keywords []string) *automaton {
	a := &automaton{kwLen: make([]int, len(keywords))}
	// Byte classes: one per folded byte that occurs in a keyword, class 0
	// for every other byte.
	var folded [256]uint8
	n := uint8(1)
	for _, k := range keywords {
		for i := 0; i < len(k); i++ {
			f := foldByte(k[i])
			if folded[f] == 0 {
				folded[f] = n
				n++
			}
		}
	}
	for c := 0; c < 256; c++ {
		a.class[c] = folded[foldByte(byte(c))]
	}
	a.ncls = uint32(n)

	// Trie.
	type node struct {
		next map[uint8]int
		fail int
		out  []int32
	}
	nodes := []node{{next: map[uint8]int{}}}
	for id, k := range keywords {
		a.kwLen[id] = len(k)
		cur := 0
		for i := 0; i < len(k); i++ {
			c := a.class[k[i]]
			nx, ok := nodes[cur].next[c]
			if !ok {
				nx = len(nodes)
				nodes = append(nodes, node{next: map[uint8]int{}})
				nodes[cur].next[c] = nx
			}
			cur = nx
		}
		nodes[cur].out = append(nodes[cur].out, int32(id))
	}

	// Breadth-first failure links and the full transition table.
	delta := make([]int, len(nodes)*int(a.ncls))
	queue := make([]int, 0, len(nodes))
	for c := uint8(0); c < n; c++ {
		if nx, ok := nodes[0].next[c]; ok {
			delta[int(c)] = nx
			queue = append(queue, nx)
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		f := nodes[cur].fail
		nodes[cur].out = append(nodes[cur].out, nodes[f].out...)
		for c := uint8(0); c < n; c++ {
			idx := cur*int(a.ncls) + int(c)
			if nx, ok := nodes[cur].next[c]; ok {
				nodes[nx].fail = delta[f*int(a.ncls)+int(c)]
				delta[idx] = nx
				queue = append(queue, nx)
			} else {
				delta[idx] = delta[f*int(a.ncls)+int(c)]
			}
		}
	}

	a.delta = make([]uint32, len(delta))
	for i, nx := range delta {
		v := uint32(nx) * a.ncls
		if len(nodes[nx].out) > 0 {
			v |= outBit
		}
		a.delta[i] = v
	}
	a.out = make([][]int32, len(nodes))
	for i := range nodes {
		a.out[i] = nodes[i].out
	}
	return a
}
