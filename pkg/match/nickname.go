package match

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unsafe"

	"github.com/padron-org/padron/pkg/normalize"
)

// Nicknames knows which given names are the same name written short or long: Kasia
// and Katarzyna, Pepe and José, Bob and Robert.
//
// Lists are read from text files, one canonical name a line followed by its short
// forms, diminutives or spelling variants:
//
//	# comment lines, text after #, and blank lines are ignored
//	katarzyna: kasia, kaśka, kasieńka
//	josé maría: chema, josema
//
// Names are case-insensitive and may carry diacritics: every name is folded with
// normalize.Fold, so "Kaśka" is stored as "kaska". Names may have several words. A
// form may stand under several canonical names (alex: alejandro, alexander, ...), and
// a canonical name listed again, in the same or another file, gains the new forms.
//
// Sameness is not transitive: Beto is short for both Alberto and Roberto, yet Alberto
// and Roberto are different names. A Nicknames is safe for concurrent reads; Add and
// AddFile must not run concurrently with anything else on the same value.
type Nicknames struct {
	canon  []string          // group id → canonical name
	ids    map[string]int32  // canonical name → group id
	groups map[string]*entry // folded name → the groups it belongs to
	// names holds each group's names, the canonical one first. The slices are
	// clipped, so that a clone appending to one never writes into the original's.
	names [][]string
	// inits holds, per group, a bit per first letter of its names (see initBit):
	// misspelt skips the groups with no name that starts like the word it checks.
	inits []uint32
}

// entry is never changed once stored, so Clone can share it.
type entry struct {
	ids   []int32  // group ids, ascending
	names []string // their canonical names, sorted: what Canon returns
}

//go:embed data/nicknames_*.txt
var nicknameFiles embed.FS

var defaultNicknames = sync.OnceValue(func() *Nicknames {
	n := NewNicknames()
	paths, _ := fs.Glob(nicknameFiles, "data/nicknames_*.txt")
	for _, p := range paths {
		f, err := nicknameFiles.Open(p)
		if err == nil {
			err = n.Add(f, p)
			f.Close()
		}
		if err != nil {
			panic(err) // the embedded lists are checked by tests
		}
	}
	return n
})

// DefaultNicknames returns the built-in Polish, Spanish and English lists
// (data/nicknames_*.txt), parsed once. Callers must not modify it: Clone it to extend.
func DefaultNicknames() *Nicknames { return defaultNicknames() }

// NewNicknames returns an empty set.
func NewNicknames() *Nicknames {
	return &Nicknames{ids: map[string]int32{}, groups: map[string]*entry{}}
}

// Clone returns a copy that can be extended without touching the original.
func (n *Nicknames) Clone() *Nicknames {
	if n == nil {
		return NewNicknames()
	}
	return &Nicknames{
		canon:  slices.Clip(slices.Clone(n.canon)),
		ids:    maps.Clone(n.ids),
		groups: maps.Clone(n.groups), // entries are immutable, sharing them is safe
		names:  slices.Clip(slices.Clone(n.names)),
		inits:  slices.Clip(slices.Clone(n.inits)),
	}
}

// Len reports how many canonical names are known.
func (n *Nicknames) Len() int {
	if n == nil {
		return 0
	}
	return len(n.canon)
}

// Canon returns the canonical names a folded given name stands for, sorted, including
// the name itself when it is a canonical name or unknown: Canon("kasia") =
// [katarzyna], Canon("katarzyna") = [katarzyna], Canon("zzz") = [zzz]. The result is
// shared and must not be modified; only unknown names allocate.
func (n *Nicknames) Canon(folded string) []string {
	if n != nil {
		if e := n.groups[folded]; e != nil {
			return e.names
		}
	}
	return []string{folded}
}

// Same reports whether two folded given names are the same name: equal, or sharing a
// canonical name (kasia and katarzyna, kasia and kaska). It does not allocate.
func (n *Nicknames) Same(a, b string) bool {
	if a == b {
		return true
	}
	if n == nil {
		return false
	}
	ea := n.groups[a]
	if ea == nil {
		return false
	}
	eb := n.groups[b]
	if eb == nil {
		return false
	}
	x, y := ea.ids, eb.ids
	if len(x) == 1 && len(y) == 1 { // nearly every name
		return x[0] == y[0]
	}
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] == y[j]:
			return true
		case x[i] < y[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// A name's ref is its place in the lists, found once for a record's given name so that
// comparing it with others' compares numbers: its group id + 1 when it stands under
// one canonical name (nearly all), refNone for a name the lists do not hold,
// refSeveral for one under several (Beto), and 0 for a name not looked up. The last
// two are looked up whenever asked. A ref holds only for the Nicknames that gave it.
const (
	refNone    = -1
	refSeveral = -2
)

// ref returns a folded name's ref.
func (n *Nicknames) ref(name string) int32 {
	var e *entry
	if n != nil {
		e = n.groups[name]
	}
	switch {
	case e == nil:
		return refNone
	case len(e.ids) > 1:
		return refSeveral
	}
	return e.ids[0] + 1
}

// sameRef is Same(a, b) for names whose refs are ra and rb.
func (n *Nicknames) sameRef(a string, ra int32, b string, rb int32) bool {
	switch {
	case a == b:
		return true
	case ra == refNone || rb == refNone:
		return false
	case ra > 0 && rb > 0:
		return ra == rb
	}
	return n.Same(a, b)
}

// canon1 is Canon(f.given1), read through the record's ref when it has one (see
// feat.nick1): no lookup, and no list made for a name the lists lack. The result is
// shared, as Canon's is.
func (n *Nicknames) canon1(f *feat) []string {
	switch r := f.nick1; {
	case r > 0:
		return n.canon[r-1 : r : r]
	case r == refNone:
		return unsafe.Slice(&f.given1, 1)
	}
	return n.Canon(f.given1)
}

// groupsOf returns the group ids of a name whose ref is r, in buf when it has one.
func (n *Nicknames) groupsOf(name string, r int32, buf *[1]int32) []int32 {
	switch {
	case r > 0:
		buf[0] = r - 1
		return buf[:]
	case r == refNone || n == nil:
		return nil
	}
	if e := n.groups[name]; e != nil {
		return e.ids
	}
	return nil
}

// Misspelt reports whether x, which is no name itself, is one slip of the keyboard
// (see keySlip) away from the name name or from one of its short and long forms:
// "naacho" for Ignacio (nacho), "tedd" for Edward (ted), "jsn" for Jan. Both are
// folded, and the slip never touches the first letter. A word that is a known given
// name or form is another name, not a slip ("ann" beside "anna", "pepa" beside
// "pepe"). Forms that stand for several names (Ollie for Oliver and Olivia, Hal for
// Henry and Harold) are left out: a slip from one of them would be two guesses.
func (n *Nicknames) Misspelt(x, name string) bool { return n.misspelt(x, 0, name, 0) }

// misspelt is Misspelt for names whose refs are rx and rn.
func (n *Nicknames) misspelt(x string, rx int32, name string, rn int32) bool {
	if len(x) < 3 || x == name {
		return false
	}
	near := func(c string) bool {
		d := len(c) - len(x)
		return len(c) >= 3 && d >= -1 && d <= 1 && c[0] == x[0] && keySlip(x, c)
	}
	found := near(name)
	if n != nil && !found {
		var buf [1]int32
	search:
		for _, g := range n.groupsOf(name, rn, &buf) {
			if n.inits[g]&initBit(x) == 0 {
				continue // near needs a name that starts as x does
			}
			for k, c := range n.names[g] {
				if near(c) && (k == 0 || len(n.groups[c].ids) == 1) {
					found = true
					break search
				}
			}
		}
	}
	if !found || n != nil && n.known(x, rx) {
		return false
	}
	return !normalize.IsGivenName(x)
}

// initBit is a word's first letter as a bit (by its low five bits: letters of
// different cases or alphabets may share one, which only lets more groups through).
func initBit(w string) uint32 {
	if w == "" {
		return 0
	}
	return 1 << (w[0] & 31)
}

// known reports whether the lists hold a name whose ref is r.
func (n *Nicknames) known(name string, r int32) bool {
	if r != 0 {
		return r != refNone
	}
	return n.groups[name] != nil
}

// keyNeighbours lists each letter's neighbours on a QWERTY keyboard.
var keyNeighbours = [26]string{
	"qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn", "jiolm",
	"kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb", "qase", "zsdc",
	"tghu", "asx",
}

func keyNeighbour(a, b byte) bool {
	return a >= 'a' && a <= 'z' && strings.IndexByte(keyNeighbours[a-'a'], b) >= 0
}

// keySlip reports whether x is y typed with one slip of the keyboard: a neighbouring
// key for the right one, a letter doubled or a neighbouring key pressed with it, a
// letter left out, or two letters swapped.
func keySlip(x, y string) bool {
	switch {
	case x == y:
		return false
	case len(x) == len(y):
		i := 0
		for x[i] == y[i] {
			i++
		}
		if x[i+1:] == y[i+1:] {
			return keyNeighbour(y[i], x[i])
		}
		return i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] && x[i+2:] == y[i+2:]
	case len(x) == len(y)+1: // a letter too many in x
		i := 0
		for i < len(y) && x[i] == y[i] {
			i++
		}
		if x[i+1:] != y[i:] {
			return false
		}
		c := x[i]
		return i > 0 && (c == x[i-1] || keyNeighbour(x[i-1], c)) ||
			i+1 < len(x) && (c == x[i+1] || keyNeighbour(x[i+1], c))
	case len(x)+1 == len(y): // a letter left out of x
		return editAtMost1(x, y)
	}
	return false
}

// AddFile reads a list file (see Nicknames) and adds it.
func (n *Nicknames) AddFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return n.Add(f, path)
}

// Add reads a list in the format described at Nicknames and adds it; name is used in
// errors, "name:LINE: reason". A bad line is an error, and then nothing is added.
func (n *Nicknames) Add(r io.Reader, name string) error {
	type line struct {
		canon string
		forms []string
	}
	var lines []line
	sc := bufio.NewScanner(r)
	no := 0
	for sc.Scan() {
		no++
		text := sc.Text()
		if no == 1 {
			text = strings.TrimPrefix(text, "\uFEFF") // BOM from Windows editors
		}
		c, forms, err := parseNickLine(text)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, no, err)
		}
		if c != "" {
			lines = append(lines, line{c, forms})
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, no+1, err)
	}
	if n.ids == nil {
		n.ids, n.groups = map[string]int32{}, map[string]*entry{}
	}
	for _, l := range lines {
		id, ok := n.ids[l.canon]
		if !ok {
			id = int32(len(n.canon))
			n.canon = append(n.canon, l.canon)
			n.names = append(n.names, nil)
			n.inits = append(n.inits, 0)
			n.ids[l.canon] = id
		}
		n.link(l.canon, id)
		for _, f := range l.forms {
			n.link(f, id)
		}
	}
	return nil
}

// link puts name in group id, replacing its entry rather than changing it.
func (n *Nicknames) link(name string, id int32) {
	old := n.groups[name]
	var ids []int32
	if old != nil {
		if _, found := slices.BinarySearch(old.ids, id); found {
			return
		}
		ids = slices.Clone(old.ids)
	}
	n.names[id] = slices.Clip(append(n.names[id], name))
	n.inits[id] |= initBit(name)
	i, _ := slices.BinarySearch(ids, id)
	ids = slices.Insert(ids, i, id)
	names := make([]string, len(ids))
	for k, g := range ids {
		names[k] = n.canon[g]
	}
	slices.Sort(names)
	n.groups[name] = &entry{ids: slices.Clip(ids), names: names}
}

// parseNickLine returns the folded canonical name and forms of one line, or "" for a
// blank or comment line.
func parseNickLine(s string) (canon string, forms []string, err error) {
	s, _, _ = strings.Cut(s, "#")
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil, nil
	}
	head, tail, ok := strings.Cut(s, ":")
	if !ok {
		return "", nil, errors.New(`missing ":" (want "canonical: form, form, ...")`)
	}
	if strings.Contains(tail, ":") {
		return "", nil, errors.New(`more than one ":"`)
	}
	if canon, err = foldNickName(head); err != nil {
		return "", nil, fmt.Errorf("canonical name: %w", err)
	}
	if strings.TrimSpace(tail) == "" {
		return "", nil, fmt.Errorf("no forms after %q", canon+":")
	}
	for part := range strings.SplitSeq(tail, ",") {
		f, err := foldNickName(part)
		if err != nil {
			return "", nil, err
		}
		if f != canon && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return canon, forms, nil
}

// foldNickName folds one name. Only letters, spaces, hyphens and apostrophes are
// allowed: Fold would turn other punctuation into spaces, and "kasia; kaska" must be
// an error, not one two-word name.
func foldNickName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty name (stray comma?)")
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !unicode.IsSpace(r) &&
			!strings.ContainsRune("-'\u2019", r) {
			return "", fmt.Errorf("unexpected %q in %q", r, s)
		}
	}
	f := normalize.Fold(s)
	if f == "" {
		return "", fmt.Errorf("%q is not a name", s)
	}
	return f, nil
}
