package mapping

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Fingerprint identifies a header by its set of column names, compared the way
// mappings compare them (case, accents, spaces and punctuation ignored) and in any
// order: next month's export from the same system has the same fingerprint even if
// its columns moved. Positional names (column_N of a headerless file) are left out;
// a header of only those has the empty fingerprint.
func Fingerprint(header []string) string {
	seen := map[string]bool{}
	var keys []string
	for _, h := range header {
		if isPositional(h) {
			continue
		}
		if k := HeaderKey(h); k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:8])
}

// Suggest writes guesses for a table with this header as a mapping file (the format
// Parse reads) for a person to check and keep: every column on its own line, with a
// comment giving its confidence, example values and the reason for the choice, and
// columns left unmapped written as ignore. detect.headers lists every mapped header,
// so that once saved in the mappings folder the file is picked for the next export
// of the same system. name names the mapping (typically the file's base name).
func Suggest(name string, header []string, guesses []Guess) []byte {
	var b bytes.Buffer
	mname := mappingName(name)
	fp := Fingerprint(header)
	low := 0
	for i := range header {
		if i < len(guesses) && guesses[i].Field != "" && guesses[i].Confidence < Confident {
			low++
		}
	}
	fmt.Fprintf(&b, "# Mapping suggested by padron for %s.\n", oneLine(name))
	b.WriteString("# Each column was guessed from its header and sample values. Check every line, above all\n")
	fmt.Fprintf(&b, "# those marked CHECK (confidence below %.0f%%: %d here). Change a field where it is wrong,\n", 100*Confident, low)
	b.WriteString("# or write ignore to keep a column only in the raw row. Fields:\n")
	line := "#  "
	for _, f := range FieldNames() {
		if len(line)+len(f) > 88 {
			b.WriteString(line + "\n")
			line = "#  "
		}
		line += " " + f
	}
	b.WriteString(line + "\n")
	b.WriteString("# Then import with:\n")
	fmt.Fprintf(&b, "#   padron import --mapping %s.yaml FILE\n", mname)
	b.WriteString("# Saved in your mappings folder it is used by itself for files with the headers listed\n")
	b.WriteString("# under detect (the same export next month).\n")
	fmt.Fprintf(&b, "name: %s\n", yamlScalar(mname))
	desc := "Suggested from " + oneLine(name)
	if fp != "" {
		desc += " (header fingerprint " + fp + ")"
	}
	fmt.Fprintf(&b, "description: %s\n", yamlScalar(desc))

	keys := columnKeys(header)
	var detect []string
	for i, h := range header {
		if keys[i] == "" || strings.HasPrefix(keys[i], "#") || i >= len(guesses) || guesses[i].Field == "" {
			continue
		}
		detect = append(detect, yamlScalar(oneLine(h)))
	}
	if len(detect) > 0 {
		b.WriteString("detect:\n")
		if fp != "" {
			fmt.Fprintf(&b, "  # header fingerprint %s\n", fp)
		}
		b.WriteString("  headers:\n")
		for _, h := range detect {
			fmt.Fprintf(&b, "    - %s\n", h)
		}
	}
	b.WriteString("columns:\n")
	for i, h := range header {
		if keys[i] == "" {
			fmt.Fprintf(&b, "  # %q (column %d) has the same name as an earlier column and shares its line\n", oneLine(h), i+1)
			continue
		}
		var g Guess
		if i < len(guesses) {
			g = guesses[i]
		}
		b.WriteString("  # " + columnComment(g) + "\n")
		fmt.Fprintf(&b, "  %s: %s\n", yamlScalar(keys[i]), columnValue(g))
	}
	return b.Bytes()
}

// columnKeys gives each column its key in the mapping: the header, or #N when it has
// none or only a positional one; "" for a repeated header, which the first one covers.
func columnKeys(header []string) []string {
	keys := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		k := HeaderKey(h)
		switch {
		case isPositional(h) || k == "":
			keys[i] = fmt.Sprintf("#%d", i+1)
		case seen[k]:
			keys[i] = ""
		default:
			seen[k] = true
			keys[i] = oneLine(h)
		}
	}
	return keys
}

func columnComment(g Guess) string {
	var parts []string
	conf := fmt.Sprintf("%.0f%%", 100*g.Confidence)
	switch {
	case g.Field == "":
		conf = "unmapped, " + conf + " sure"
	case g.Confidence < Confident:
		conf = "CHECK " + conf
	}
	parts = append(parts, conf)
	if len(g.Examples) > 0 {
		ex := make([]string, len(g.Examples))
		for i, e := range g.Examples {
			ex[i] = fmt.Sprintf("%q", e)
		}
		parts = append(parts, "e.g. "+strings.Join(ex, ", "))
	} else {
		parts = append(parts, "empty")
	}
	if g.Reason != "" {
		parts = append(parts, g.Reason)
	}
	if len(g.Alternatives) > 0 {
		parts = append(parts, "else: "+strings.Join(g.Alternatives, ", "))
	}
	return oneLine(strings.Join(parts, " · "))
}

func columnValue(g Guess) string {
	if g.Field == "" {
		return Ignore
	}
	o := g.Options
	var opts []string
	add := func(k, v string) {
		if v != "" {
			opts = append(opts, k+": "+flowScalar(v))
		}
	}
	add("format", o.Format)
	add("decimal", o.Decimal)
	add("country", o.Country)
	add("order", o.Order)
	if len(opts) == 0 {
		return g.Field
	}
	return "{field: " + g.Field + ", " + strings.Join(opts, ", ") + "}"
}

// yamlScalar renders s as a one-line YAML scalar, quoted when it needs to be.
func yamlScalar(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil || bytes.ContainsAny(bytes.TrimRight(out, "\n"), "\n") {
		return fmt.Sprintf("%q", s)
	}
	return string(bytes.TrimRight(out, "\n"))
}

// flowScalar renders s for a flow collection ({...}), where , [ ] { } are syntax.
func flowScalar(s string) string {
	if strings.ContainsAny(s, ",[]{}#:'\"") {
		return strconv.Quote(s)
	}
	return yamlScalar(s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mappingName turns a file name into a mapping name: base name without extension,
// lower case, runs of other characters as one dash.
func mappingName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r > 0x7f {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "suggested"
	}
	return b.String()
}
