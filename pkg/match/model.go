package match

import (
	"encoding/json"
	"fmt"
	"math"
)

// Model holds the Fellegi–Sunter parameters: for each comparison level, m (how often
// records of one person show it) and u (how often records of different people do),
// and the prior: the probability that two records picked at random are one person.
type Model struct {
	Version int `json:"version"`
	// Prior is λ, the probability that two random records match.
	Prior float64 `json:"prior"`
	// M and U are indexed [comparison][level]; level 0 (missing) is unused.
	M [numComp][]float64 `json:"-"`
	U [numComp][]float64 `json:"-"`
	// Trained says which comparisons had m estimated from data (EM) rather than left
	// at the built-in starting values.
	Trained [numComp]bool `json:"-"`
	Records int           `json:"records"`
	Pairs   int64         `json:"pairs"` // candidate pairs it was trained on
	// Sessions records how each training session went, for docs and doubts.
	Sessions []Session `json:"sessions,omitempty"`
}

// Session is one EM run over the pairs of one blocking rule.
type Session struct {
	Rule       string   `json:"rule"`
	Pairs      int      `json:"pairs"`
	Iterations int      `json:"iterations"`
	MatchShare float64  `json:"match_share"`
	Estimated  []string `json:"estimated"` // comparisons whose m it estimated
	// EstimatedMatches is how many matching pairs the whole data holds, judging by
	// this session (see estimatePrior); 0 when the rule cannot tell.
	EstimatedMatches float64 `json:"estimated_matches,omitempty"`
}

const modelVersion = 1

// defaultM are the starting m values: what a careful person would guess. EM starts
// from them and, on small data, is pulled back towards them (see train.go).
var defaultM = [numComp][]float64{
	cGiven:    {0, 0.82, 0.07, 0.04, 0.03, 0.02, 0.02},
	cFamily:   {0, 0.85, 0.05, 0.05, 0.025, 0.005, 0.02},
	cDOB:      {0, 0.88, 0.02, 0.04, 0.02, 0.02, 0.02, 0.01},
	cEmail:    {0, 0.75, 0.05, 0.03, 0.03, 0.14},
	cPhone:    {0, 0.75, 0.05, 0.05, 0.15},
	cNatID:    {0, 0.95, 0.03, 0.02},
	cPostcode: {0, 0.85, 0.05, 0.10},
	cCity:     {0, 0.85, 0.05, 0.10},
	cStreet:   {0, 0.75, 0.10, 0.15},
	cOcc:      {0, 0.80, 0.20},
}

// defaultU are used only when the data has too few records to sample from.
var defaultU = [numComp][]float64{
	cGiven:    {0, 0.01, 0.005, 0.01, 0.05, 0.005, 0.92},
	cFamily:   {0, 0.005, 0.005, 0.005, 0.04, 0.001, 0.944},
	cDOB:      {0, 0.0001, 0.0001, 0.0004, 0.02, 0.15, 0.8293, 0.0001},
	cEmail:    {0, 0.000001, 0.00001, 0.00001, 0.00001, 0.999969},
	cPhone:    {0, 0.000001, 0.00001, 0.00001, 0.999979},
	cNatID:    {0, 0.00001, 0.00005, 0.99994},
	cPostcode: {0, 0.01, 0.02, 0.97},
	cCity:     {0, 0.05, 0.01, 0.94},
	cStreet:   {0, 0.0005, 0.001, 0.9985},
	cOcc:      {0, 0.05, 0.95},
}

// NewModel returns the built-in starting model.
func NewModel() *Model {
	m := &Model{Version: modelVersion, Prior: 1e-4}
	for c := 0; c < numComp; c++ {
		m.M[c] = append([]float64(nil), defaultM[c]...)
		m.U[c] = append([]float64(nil), defaultU[c]...)
	}
	return m
}

// sanitize puts the built-in values back wherever estimation produced no number: a
// handful of records can leave a level or the prior without any pair to count.
func (m *Model) sanitize() {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	if bad(m.Prior) || m.Prior <= 0 || m.Prior >= 1 {
		m.Prior = 1e-4
	}
	for c := 0; c < numComp; c++ {
		for l := 1; l < len(m.M[c]); l++ {
			if bad(m.M[c][l]) {
				m.M[c][l] = defaultM[c][l]
			}
			if bad(m.U[c][l]) {
				m.U[c][l] = defaultU[c][l]
			}
		}
	}
}

// weight returns log2(m/u) of a level: its Bayes factor in bits.
func (m *Model) weight(c int, l uint8) float64 {
	if l == lvMissing {
		return 0
	}
	return math.Log2(m.M[c][l] / m.U[c][l])
}

// priorWeight returns the prior in bits: log2(λ/(1-λ)).
func (m *Model) priorWeight() float64 { return math.Log2(m.Prior / (1 - m.Prior)) }

// Probability turns a match weight in bits into a match probability.
func Probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

type modelJSON struct {
	Version     int                    `json:"version"`
	Prior       float64                `json:"prior"`
	Records     int                    `json:"records"`
	Pairs       int64                  `json:"pairs"`
	Comparisons []comparisonParameters `json:"comparisons"`
	Sessions    []Session              `json:"sessions,omitempty"`
}

type comparisonParameters struct {
	Name    string    `json:"name"`
	Levels  []string  `json:"levels"`
	M       []float64 `json:"m"`
	U       []float64 `json:"u"`
	Trained bool      `json:"trained"`
}

// MarshalJSON writes the model with comparisons by name, so that a stored model
// stays readable by people and by later versions.
func (m *Model) MarshalJSON() ([]byte, error) {
	out := modelJSON{Version: m.Version, Prior: m.Prior, Records: m.Records, Pairs: m.Pairs, Sessions: m.Sessions}
	for c := 0; c < numComp; c++ {
		out.Comparisons = append(out.Comparisons, comparisonParameters{
			Name: Comparisons[c].Name, Levels: Comparisons[c].Levels, M: m.M[c], U: m.U[c], Trained: m.Trained[c]})
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a stored model. Comparisons it does not know, or whose levels
// changed, keep the built-in values and are marked untrained.
func (m *Model) UnmarshalJSON(b []byte) error {
	var in modelJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	if in.Version != modelVersion {
		return fmt.Errorf("match model version %d, this padron reads %d", in.Version, modelVersion)
	}
	*m = *NewModel()
	m.Prior, m.Records, m.Pairs, m.Sessions = in.Prior, in.Records, in.Pairs, in.Sessions
	for _, p := range in.Comparisons {
		for c := 0; c < numComp; c++ {
			n := len(Comparisons[c].Levels)
			if Comparisons[c].Name == p.Name && len(p.M) == n && len(p.U) == n {
				m.M[c], m.U[c], m.Trained[c] = p.M, p.U, p.Trained
			}
		}
	}
	if !(m.Prior > 0 && m.Prior < 1) {
		return fmt.Errorf("match model prior %v out of range", m.Prior)
	}
	return nil
}
