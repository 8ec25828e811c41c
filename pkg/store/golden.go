package store

import (
	"fmt"
	"sort"
	"strings"
)

// Survivorship rules: how a person's golden value of a field is chosen among their
// records' values. Every rule falls back on the others in the order most frequent,
// an email without a +tag, a name in mixed case over capitals, the accented form over
// the unaccented ("José" over "Jose"), the longer, the most recently imported.
const (
	RuleMostFrequent   = "most_frequent"
	RuleMostRecent     = "most_recent"
	RuleMostComplete   = "most_complete"
	RuleSourcePriority = "source_priority"
)

// GoldenRule is one field's rule; Sources, for source_priority, lists file names
// (voluntarios.csv) or source labels (bank, mailchimp), most trusted first.
type GoldenRule struct {
	Rule    string
	Sources []string
}

// GoldenFields are the fields survivorship rules apply to.
func GoldenFields() []string {
	out := make([]string, len(goldenFields))
	for i, f := range goldenFields {
		out[i] = f.name
	}
	return out
}

// SetGoldenRules sets the rules golden records are built with from now on (rebuild
// them with RebuildPeople to apply them to everyone).
func (s *Store) SetGoldenRules(rules map[string]GoldenRule) error {
	known := map[string]bool{}
	for _, f := range goldenFields {
		known[f.name] = true
	}
	fields := make([]string, 0, len(rules))
	for f := range rules {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		r := rules[f]
		if !known[f] {
			return fmt.Errorf("golden: no field %q (fields: %s)", f, strings.Join(GoldenFields(), ", "))
		}
		switch r.Rule {
		case RuleMostFrequent, RuleMostRecent, RuleMostComplete:
		case RuleSourcePriority:
			if len(r.Sources) == 0 {
				return fmt.Errorf("golden: %s: source_priority needs sources, most trusted first", f)
			}
		default:
			return fmt.Errorf("golden: %s: rule %q: use %s, %s, %s or %s", f, r.Rule, RuleMostFrequent, RuleMostRecent,
				RuleMostComplete, RuleSourcePriority)
		}
	}
	s.golden = rules
	return nil
}

// order is the arg_max key a rule picks by, over pick's grouped columns.
func (r GoldenRule) order() string {
	const rest = "plain, cased, accented, length(v), last"
	switch r.Rule {
	case RuleMostRecent:
		return "(last, n, plain, cased, accented, length(v))"
	case RuleMostComplete:
		return "(length(v), n, plain, cased, accented, last)"
	case RuleSourcePriority:
		return "(prio, n, " + rest + ")"
	}
	return "(n, " + rest + ")"
}

// priority is SQL giving a record's trust under source_priority: the first source
// listed counts most, an unlisted one 0.
func (r GoldenRule) priority() string {
	if r.Rule != RuleSourcePriority {
		return "0"
	}
	var b strings.Builder
	b.WriteString("CASE")
	for i, src := range r.Sources {
		q := quoteLiteral(src)
		fmt.Fprintf(&b, " WHEN source_file = %s OR source = %s THEN %d", q, q, len(r.Sources)-i)
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}
