package source

import (
	"regexp"
	"strings"
)

// HeaderScanRows is how many rows FindHeader needs to look at.
const HeaderScanRows = 60

var (
	reNumberish = regexp.MustCompile(`^[-+(]?[\d\s.,'’]+\)?\s*[%€$]?$|^[-+]?\d+([.,]\d+)?\s*(zł|pln|eur|ars|usd)?$`)
	reDateish   = regexp.MustCompile(`^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}`)
)

// looksLikeData reports whether a cell looks like a value rather than a column name.
func looksLikeData(v string, t CellType) bool {
	if t == CellNumber || t == CellDate || t == CellBool {
		return true
	}
	v = strings.TrimSpace(strings.ToLower(v))
	return strings.Contains(v, "@") || reNumberish.MatchString(v) || reDateish.MatchString(v)
}

// IsBlank reports whether every value of a row is empty or white space.
func IsBlank(r Row) bool {
	for _, v := range r.Values {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func filled(r Row) int {
	n := 0
	for _, v := range r.Values {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	return n
}

// FindHeader finds the header row among a table's first rows: the first row that is
// about as wide as the rows below it and made of names rather than values; title rows
// and blank rows above it are skipped. known tells whether a cell is a recognised
// column name, which outweighs shape. It returns the index into rows, or -1 when the
// table has no header row (its first non-blank row already holds data).
func FindHeader(rows []Row, known func(string) bool) int {
	var idx []int // non-blank rows
	for i, r := range rows {
		if !IsBlank(r) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return -1
	}
	// A row with two or more recognised column names is the header, title rows or not;
	// of several, the one with the most: a bank export's summary ("Waluta; Wpływy;
	// Wydatki") comes before its table.
	if known != nil {
		best, bestK := -1, 1
		for _, i := range idx {
			k, data := 0, 0
			for j, v := range rows[i].Values {
				if looksLikeData(v, rows[i].Type(j)) {
					data++
				} else if known(v) {
					k++
				}
			}
			if k > bestK && k > data {
				best, bestK = i, k
			}
		}
		if best >= 0 {
			return best
		}
	}
	for n, i := range idx[:min(len(idx), 15)] {
		w := filled(rows[i])
		below := medianWidth(rows, idx[n+1:min(len(idx), n+11)])
		if below > 0 && float64(w) < 0.5*float64(below) {
			continue // a title or a note above the table
		}
		data := 0
		for j, v := range rows[i].Values {
			if strings.TrimSpace(v) != "" && looksLikeData(v, rows[i].Type(j)) {
				data++
			}
		}
		if data*5 <= w {
			return i // names, perhaps with a year or a number among them
		}
		return -1 // values where the header should be: a headerless table
	}
	return idx[0]
}

func medianWidth(rows []Row, idx []int) int {
	if len(idx) == 0 {
		return 0
	}
	ws := make([]int, len(idx))
	for k, i := range idx {
		ws[k] = filled(rows[i])
	}
	// small n: insertion sort
	for a := 1; a < len(ws); a++ {
		for b := a; b > 0 && ws[b] < ws[b-1]; b-- {
			ws[b], ws[b-1] = ws[b-1], ws[b]
		}
	}
	return ws[len(ws)/2]
}
