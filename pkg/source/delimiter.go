package source

import "bytes"

// delimiterCandidates are tried in order of preference: European exports use ";"
// because "," is their decimal mark.
var delimiterCandidates = []byte{';', ',', '\t', '|'}

// delimiterSampleRecords is how many non-blank records DetectDelimiter looks at.
const delimiterSampleRecords = 50

// DetectDelimiter picks the field delimiter of delimited text from a UTF-8 sample of
// its start. Each candidate splits the first records (quotes respected); the one
// whose most common field count above one covers the largest share of records wins,
// then the one giving more fields, then the earlier in ; , tab |. Text with a single
// column gets ",".
func DetectDelimiter(sample []byte) rune {
	best, bestShare, bestWidth := rune(','), 0.0, 0
	for _, d := range delimiterCandidates {
		counts := sampleFieldCounts(sample, d)
		width, hits := commonWidth(counts)
		if width < 2 {
			continue
		}
		share := float64(hits) / float64(len(counts))
		if share > bestShare || share == bestShare && width > bestWidth {
			best, bestShare, bestWidth = rune(d), share, width
		}
	}
	return best
}

// commonWidth returns the most frequent field count above one (the larger on ties)
// and how many records have it.
func commonWidth(counts []int) (width, hits int) {
	freq := map[int]int{}
	for _, c := range counts {
		if c > 1 {
			freq[c]++
		}
	}
	for w, n := range freq {
		if n > hits || n == hits && w > width {
			width, hits = w, n
		}
	}
	return width, hits
}

// sampleFieldCounts splits sample into records with delimiter d, as the CSV reader
// would, and returns the field count of each non-blank record. Blank lines and title
// rows of one empty cell are left out so they cannot dilute the counts. A record
// where a closing quote is not followed by d or a line break counts as 0 fields: the
// quotes were meant for another delimiter. A final record without a line break is
// dropped when there are others, as the sample may have cut it short.
func sampleFieldCounts(sample []byte, d byte) []int {
	var counts []int
	fields, blank, fieldStart, inQuotes, closed, bad := 1, true, true, false, false, false
	for i := 0; i < len(sample); i++ {
		c := sample[i]
		if inQuotes {
			if c == '"' {
				if i+1 < len(sample) && sample[i+1] == '"' {
					i++
				} else {
					inQuotes, closed = false, true
				}
			}
			continue
		}
		if closed && c != d && c != '\n' && c != '\r' {
			bad = true
		}
		closed = false
		switch {
		case c == d:
			fields++
			fieldStart, blank = true, false
		case c == '\n' || c == '\r':
			if c == '\r' && i+1 < len(sample) && sample[i+1] == '\n' {
				i++
			}
			if bad {
				fields = 0
			}
			if !blank {
				counts = append(counts, fields)
				if len(counts) == delimiterSampleRecords {
					return counts
				}
			}
			fields, blank, fieldStart, bad = 1, true, true, false
		case c == '"' && fieldStart:
			inQuotes, blank, fieldStart = true, false, false
		default:
			fieldStart = false
			if c != ' ' && c != '\t' {
				blank = false
			}
		}
	}
	if !blank && len(counts) == 0 {
		if bad {
			fields = 0
		}
		counts = append(counts, fields)
	}
	return counts
}

// sepLine recognises Excel's "sep=;" first line, which names the delimiter, and
// returns the delimiter and the length of the line including its line break.
func sepLine(sample []byte) (rune, int) {
	if len(sample) < 5 || !bytes.HasPrefix(bytes.ToLower(sample[:4]), []byte("sep=")) {
		return 0, 0
	}
	d := sample[4]
	if d == '\n' || d == '\r' || d == '"' || d >= 0x80 {
		return 0, 0
	}
	rest := sample[5:]
	switch {
	case len(rest) == 0:
		return rune(d), 5
	case bytes.HasPrefix(rest, []byte("\r\n")):
		return rune(d), 7
	case rest[0] == '\n' || rest[0] == '\r':
		return rune(d), 6
	}
	return 0, 0
}
