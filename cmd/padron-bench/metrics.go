package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Metrics compares one predicted clustering of records with the true one.
//
// Pairwise: a pair of records is predicted when both are in the same predicted cluster
// and true when both belong to the same entity; precision = TP / predicted pairs, recall
// = TP / true pairs. B³ (Bagga and Baldwin) averages over records: a record's precision
// is the share of its predicted cluster that is its entity, its recall the share of its
// entity that is in its predicted cluster. With nothing predicted (or nothing true) the
// precision (recall) is 1 by convention, so a clustering into singletons of a data set
// without duplicates scores 1.
type Metrics struct {
	Records   int
	TruePairs int64
	PredPairs int64
	TP        int64 // pairs both predicted and true
	P, R, F1  float64
	B3P, B3R  float64
	B3F1      float64
}

// Score computes Metrics from the true entity and the predicted cluster of every record:
// truth[i] and pred[i] label record i with dense non-negative integers (any numbering).
// It never looks at pairs of records: with n records of a cluster (or an entity, or one
// cell of their intersection) there are n(n-1)/2 pairs, so it counts cluster sizes,
// entity sizes and the sizes of the (cluster, entity) cells, in O(N log N) time and
// 8 bytes a record.
func Score(truth, pred []int32) (Metrics, error) {
	if len(truth) != len(pred) {
		return Metrics{}, fmt.Errorf("score: %d true labels, %d predicted", len(truth), len(pred))
	}
	m := Metrics{Records: len(truth)}
	if len(truth) == 0 {
		m.P, m.R, m.F1, m.B3P, m.B3R, m.B3F1 = 1, 1, 1, 1, 1, 1
		return m, nil
	}
	tSize, err := sizes(truth)
	if err != nil {
		return m, fmt.Errorf("score: truth: %w", err)
	}
	pSize, err := sizes(pred)
	if err != nil {
		return m, fmt.Errorf("score: prediction: %w", err)
	}
	for _, n := range tSize {
		m.TruePairs += pairs(n)
	}
	for _, n := range pSize {
		m.PredPairs += pairs(n)
	}
	// One key per record, truth label high and predicted label low: sorted, equal keys
	// are the records of one cell.
	cells := make([]uint64, len(truth))
	for i := range truth {
		cells[i] = uint64(truth[i])<<32 | uint64(uint32(pred[i]))
	}
	slices.Sort(cells)
	var b3p, b3r float64
	for i := 0; i < len(cells); {
		j := i + 1
		for j < len(cells) && cells[j] == cells[i] {
			j++
		}
		n := int64(j - i)
		t, p := cells[i]>>32, uint32(cells[i])
		m.TP += pairs(n)
		// Each of the n records of the cell has precision n/|pred| and recall n/|truth|.
		b3p += float64(n*n) / float64(pSize[p])
		b3r += float64(n*n) / float64(tSize[t])
		i = j
	}
	m.P, m.R = ratio(m.TP, m.PredPairs), ratio(m.TP, m.TruePairs)
	m.F1 = f1(m.P, m.R)
	m.B3P, m.B3R = b3p/float64(len(truth)), b3r/float64(len(truth))
	m.B3F1 = f1(m.B3P, m.B3R)
	return m, nil
}

// sizes counts the records of each label.
func sizes(labels []int32) ([]int64, error) {
	var hi int32 = -1
	for _, l := range labels {
		if l < 0 {
			return nil, fmt.Errorf("negative label %d", l)
		}
		hi = max(hi, l)
	}
	n := make([]int64, int(hi)+1)
	for _, l := range labels {
		n[l]++
	}
	return n, nil
}

func pairs(n int64) int64 { return n * (n - 1) / 2 }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Interner numbers distinct strings densely from 0, in order of first sight.
type Interner struct{ ids map[string]int32 }

// ID returns s's number, giving it the next one the first time.
func (in *Interner) ID(s string) int32 {
	if in.ids == nil {
		in.ids = map[string]int32{}
	}
	id, ok := in.ids[s]
	if !ok {
		id = int32(len(in.ids))
		in.ids[s] = id
	}
	return id
}

// Len is how many distinct strings were seen.
func (in *Interner) Len() int { return len(in.ids) }

// Truth is the true entity of every record of a data set, records named as padron names
// them: the file's base name and the 1-based position of the data record in the file.
// Records are numbered 0..N-1 in the order their files were added.
type Truth struct {
	files    []string
	span     map[string][2]int // file → number of its record 1, and its record count
	entity   []int32           // record number → entity, -1 while unknown
	entities Interner
}

// AddFile declares a file of n records whose entities are then given with Set.
func (t *Truth) AddFile(file string, n int) error {
	if t.span == nil {
		t.span = map[string][2]int{}
	}
	if _, dup := t.span[file]; dup {
		return fmt.Errorf("truth: file %s given twice", file)
	}
	t.files = append(t.files, file)
	t.span[file] = [2]int{len(t.entity), n}
	for range n {
		t.entity = append(t.entity, -1)
	}
	return nil
}

// Set says that record recNo (1-based) of file belongs to entity.
func (t *Truth) Set(file string, recNo int, entity string) error {
	i, err := t.Index(file, recNo)
	if err != nil {
		return err
	}
	if t.entity[i] >= 0 {
		return fmt.Errorf("truth: %s record %d given twice", file, recNo)
	}
	t.entity[i] = t.entities.ID(entity)
	return nil
}

// Index is the record's number, or an error for a record the data set does not have.
func (t *Truth) Index(file string, recNo int) (int, error) {
	sp, ok := t.span[file]
	if !ok {
		return 0, fmt.Errorf("no file %q in the data set (files: %s)", file, strings.Join(t.files, ", "))
	}
	if recNo < 1 || recNo > sp[1] {
		return 0, fmt.Errorf("%s has no record %d (it has %d)", file, recNo, sp[1])
	}
	return sp[0] + recNo - 1, nil
}

// Len is the number of records.
func (t *Truth) Len() int { return len(t.entity) }

// Entities is the number of distinct true entities.
func (t *Truth) Entities() int { return t.entities.Len() }

// Labels returns the entity of every record, or an error naming records never Set.
func (t *Truth) Labels() ([]int32, error) {
	if err := t.missing(t.entity, "have no true entity"); err != nil {
		return nil, err
	}
	return t.entity, nil
}

// Name names record i as "file record n".
func (t *Truth) Name(i int) string {
	for _, f := range t.files {
		if sp := t.span[f]; i >= sp[0] && i < sp[0]+sp[1] {
			return fmt.Sprintf("%s record %d", f, i-sp[0]+1)
		}
	}
	return fmt.Sprintf("record #%d", i)
}

// missing reports the records whose label is still -1.
func (t *Truth) missing(labels []int32, what string) error {
	var n int
	var some []string
	for i, l := range labels {
		if l < 0 {
			n++
			if len(some) < 5 {
				some = append(some, t.Name(i))
			}
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d records %s, e.g. %s", n, len(labels), what, strings.Join(some, "; "))
}

// Prediction collects the predicted cluster of every record of a Truth.
type Prediction struct {
	truth    *Truth
	label    []int32
	clusters Interner
}

// NewPrediction starts a prediction with every record unassigned.
func NewPrediction(t *Truth) *Prediction {
	p := &Prediction{truth: t, label: make([]int32, t.Len())}
	for i := range p.label {
		p.label[i] = -1
	}
	return p
}

// Set puts record recNo of file in cluster; a record can be put only once.
func (p *Prediction) Set(file string, recNo int, cluster string) error {
	i, err := p.truth.Index(file, recNo)
	if err != nil {
		return err
	}
	return p.SetIndex(i, p.clusters.ID(cluster))
}

// SetIndex puts record i in the cluster numbered c (numbers from the caller).
func (p *Prediction) SetIndex(i int, c int32) error {
	if p.label[i] >= 0 {
		return fmt.Errorf("%s is given twice", p.truth.Name(i))
	}
	p.label[i] = c
	return nil
}

// Score checks that every record was assigned and scores the prediction.
func (p *Prediction) Score() (Metrics, error) {
	truth, err := p.truth.Labels()
	if err != nil {
		return Metrics{}, err
	}
	if err := p.truth.missing(p.label, "are missing from the prediction (every record must be linked to a person)"); err != nil {
		return Metrics{}, err
	}
	return Score(truth, p.label)
}

// WriteCSV writes the truth as padron's links are written (source_file,record_no,
// entity), so that a run's misses can be looked at with padron explain.
func (t *Truth) WriteCSV(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"source_file", "record_no", "person_id"})
	for _, file := range t.files {
		sp := t.span[file]
		for n := 0; n < sp[1]; n++ {
			w.Write([]string{file, strconv.Itoa(n + 1), strconv.Itoa(int(t.entity[sp[0]+n]))})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
