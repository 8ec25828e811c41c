package match

import "math"

// scorer weighs pairs with a model and term frequencies.
type scorer struct {
	strict contradictions
	model  *Model
	tf     *TF
	cmp    comparer
	w      [numComp][]float64 // log2(m/u) per level, precomputed
	prior  float64
	// tfw holds, per term-frequency comparison, the exact match's weight by the
	// count of records sharing the value (see tfWeights), when tf has per-record
	// counts: scoring then takes no logarithm per pair.
	tfw [numComp][]float64
}

func newScorer(m *Model, tf *TF, nick *Nicknames) *scorer {
	s := &scorer{model: m, tf: tf, cmp: comparer{nick: nick}, prior: m.priorWeight()}
	for c := 0; c < numComp; c++ {
		s.w[c] = make([]float64, len(Comparisons[c].Levels))
		for l := 1; l < len(s.w[c]); l++ {
			s.w[c][l] = m.weight(c, uint8(l))
		}
	}
	// A different birth date or national id forbids a link where the data says it
	// is strong evidence: at least 16 times likelier between strangers.
	s.strict = contradictions{dob: s.w[cDOB][dobDifferent] <= -4, natID: s.w[cNatID][last(cNatID)] <= -4}
	for c := 0; c < numComp; c++ {
		s.tfw[c] = tfWeights(m, tf, c)
	}
	return s
}

// maxTFTable bounds a weight table's length: a value more records share is weighed
// per pair, as before.
const maxTFTable = 1 << 20

// tfWeights returns comparison c's exact-match weight, log2(m/u), by count of records
// sharing the value, for every count up to the largest; nil when tf has no per-record
// counts for c or does not weigh it. The sum is the one weighAt would compute.
func tfWeights(m *Model, tf *TF, c int) []float64 {
	if !Comparisons[c].TF || tf == nil || tf.rec[c] == nil || tf.Counts[c] == nil || tf.N[c] < tfMinValues {
		return nil
	}
	most := int32(0)
	for _, n := range tf.Counts[c] {
		most = max(most, n)
	}
	if most >= maxTFTable {
		return nil
	}
	w := make([]float64, most+1)
	for n := range w {
		u := float64(max(n-1, 1)) / float64(tf.N[c])
		w[n] = math.Log2(m.M[c][lvExact] / u)
	}
	return w
}

// score returns the match weight in bits of a and b, and their levels.
func (s *scorer) score(a, b *feat, lv *levels) float64 {
	sw := s.cmp.compare(a, b, lv)
	return s.weigh(a, b, lv, sw)
}

func (s *scorer) weigh(a, b *feat, lv *levels, swapped bool) float64 {
	return s.weighAt(a, b, -1, lv, swapped)
}

// weighAt is weigh for a pair whose first record a is record ia of the run that
// counted s.tf (-1 for none): term frequencies are then read by index.
func (s *scorer) weighAt(a, b *feat, ia int, lv *levels, swapped bool) float64 {
	w := s.prior
	for c := 0; c < numComp; c++ {
		l := lv[c]
		if l == lvExact && Comparisons[c].TF && !(swapped && (c == cGiven || c == cFamily)) {
			if ia >= 0 && s.tfw[c] != nil {
				w += s.tfw[c][s.tf.rec[c][ia]]
				continue
			}
			if u, ok := s.tf.uOf(c, ia, a, b); ok {
				w += math.Log2(s.model.M[c][lvExact] / u)
				continue
			}
		}
		if c == cEmail && l == emailSameUser {
			if u, ok := s.tf.userU(sharedUser(a, b)); ok {
				w += math.Log2(s.model.M[c][l] / u)
				continue
			}
		}
		w += s.w[c][l]
	}
	return w
}

// Evidence is one comparison's part in a pair's score.
type Evidence struct {
	Comparison string  `json:"comparison"`
	Level      int     `json:"level"`
	LevelName  string  `json:"level_name"`
	A          string  `json:"a"`
	B          string  `json:"b"`
	M          float64 `json:"m"`
	U          float64 `json:"u"`
	// Weight is log2(m/u) of the level, before the term-frequency adjustment.
	Weight float64 `json:"weight"`
	// TFValue is the shared value whose frequency adjusted the weight, TFU its
	// frequency, and TFAdjustment the bits it added (negative for common values).
	TFValue      string  `json:"tf_value,omitempty"`
	TFU          float64 `json:"tf_u,omitempty"`
	TFAdjustment float64 `json:"tf_adjustment,omitempty"`
	// Total is Weight + TFAdjustment; Running is the match weight after this field.
	Total   float64 `json:"total"`
	Running float64 `json:"running"`
}

// Explanation is a pair's score laid out field by field: a waterfall from the prior
// to the final match probability.
type Explanation struct {
	PriorWeight float64    `json:"prior_weight"`
	Prior       float64    `json:"prior"`
	Fields      []Evidence `json:"fields"`
	Swapped     bool       `json:"names_swapped"`
	Weight      float64    `json:"match_weight"`
	Probability float64    `json:"match_probability"`
	// Conflict is set when the pair carries evidence that no score may outweigh
	// (different first names or birth dates, different national ids): such a pair is
	// never linked automatically.
	Conflict string `json:"conflict,omitempty"`
}

func (s *scorer) explain(a, b *feat, ra, rb *Record) Explanation {
	var lv levels
	swapped := s.cmp.compare(a, b, &lv)
	e := Explanation{PriorWeight: s.prior, Prior: s.model.Prior, Swapped: swapped}
	run := s.prior
	for c := 0; c < numComp; c++ {
		l := lv[c]
		ev := Evidence{Comparison: Comparisons[c].Name, Level: int(l), LevelName: Comparisons[c].Levels[l]}
		ev.A, ev.B = display(c, ra), display(c, rb)
		if swapped && c == cGiven {
			ev.B = rb.FamilyName
		}
		if swapped && c == cFamily {
			ev.B = rb.GivenName
		}
		if l != lvMissing {
			ev.M, ev.U, ev.Weight = s.model.M[c][l], s.model.U[c][l], s.w[c][l]
			ev.Total = ev.Weight
			if l == lvExact && Comparisons[c].TF && !(swapped && (c == cGiven || c == cFamily)) {
				v := shared(c, a, b)
				if u, ok := s.tf.u(c, v); ok {
					ev.TFValue, ev.TFU = v, u
					ev.Total = math.Log2(s.model.M[c][lvExact] / u)
					ev.TFAdjustment = ev.Total - ev.Weight
				}
			}
			if c == cEmail && l == emailSameUser {
				v := sharedUser(a, b)
				if u, ok := s.tf.userU(v); ok {
					ev.TFValue, ev.TFU = v, u
					ev.Total = math.Log2(s.model.M[c][l] / u)
					ev.TFAdjustment = ev.Total - ev.Weight
				}
			}
		}
		run += ev.Total
		ev.Running = run
		e.Fields = append(e.Fields, ev)
	}
	e.Weight = run
	e.Probability = Probability(run)
	if conflict(&lv, s.strict) {
		e.Conflict = conflictReason(&lv, s.strict)
	}
	return e
}

func conflictReason(lv *levels, strict contradictions) string {
	switch {
	case lv[cNatID] == last(cNatID) && strict.natID:
		return "different national ids"
	case lv[cDOB] == dobNamesake:
		return "a namesake of another age lives at the same address, and a birth date is missing"
	case lv[cDOB] == dobDifferent:
		return "different birth dates"
	case lv[cFamily] == 5:
		return "a different second surname and no matching birth date"
	}
	return "different first names, the same email, phone or street, and no matching birth date"
}

func display(c int, r *Record) string {
	switch c {
	case cGiven:
		return r.GivenName
	case cFamily:
		return r.FamilyName
	case cDOB:
		if r.BirthDate == 0 {
			return ""
		}
		d := itoa8(r.BirthDate)
		return d[:4] + "-" + d[4:6] + "-" + d[6:]
	case cEmail:
		return join(r.Emails)
	case cPhone:
		return join(r.Phones)
	case cNatID:
		return r.NationalID
	case cPostcode:
		return r.Postcode
	case cCity:
		return r.City
	case cStreet:
		return r.Street
	case cOcc:
		return r.Occupation
	}
	return ""
}

func join(l []string) string {
	s := ""
	for i, x := range l {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
