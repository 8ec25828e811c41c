package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/padron-org/padron/pkg/synth"
)

// donationsMain measures donation attribution on a generated multi-bank set: padron
// imports the contact files and the statements, runs dedupe, exports donations and
// links, and each donation's person is compared with the truth.
func donationsMain(args []string) error {
	fs := flag.NewFlagSet("donations-accuracy", flag.ExitOnError)
	people := fs.Int("people", 10000, "people in the generated contacts")
	seed := fs.Uint64("seed", 7, "generator seed")
	dir := fs.String("dir", "", "work folder (default: a temporary one, removed after)")
	bin := fs.String("padron", "", "padron binary to measure (default: build ./cmd/padron)")
	verbose := fs.Bool("v", false, "list every wrong attribution")
	namesakes := fs.Float64("namesakes", 0, "share of the contact donors drawn among contacts with a namesake (0: the generator's default, 0.15)")
	auto := fs.String("auto", "", "padron dedupe --auto (default: padron's), to see what another threshold trades")
	if err := fs.Parse(args); err != nil {
		return err
	}
	work, cleanup, err := workDir(*dir)
	if err != nil {
		return err
	}
	defer cleanup()
	if *bin == "" {
		if *bin, err = buildPadron(work); err != nil {
			return err
		}
	}
	step(fmt.Sprintf("generating %d people and their donations", *people))
	m, err := synth.GenerateBank(synth.BankConfig{People: *people, Seed: *seed, Namesakes: *namesakes}, filepath.Join(work, "data"))
	if err != nil {
		return err
	}
	st := newStore(*bin, work, "donations")
	// What a treasurer would tell padron: public grants and transfers from the savings
	// accounts are not gifts.
	if err := os.WriteFile(filepath.Join(work, "padron.yaml"), []byte(exclusionConfig(m)), 0o644); err != nil {
		return err
	}
	step("importing contacts")
	for _, f := range m.Contacts.Files {
		if _, _, err := st.importFile(importFile{path: f.Path, country: syntheticCountry[f.Format]}); err != nil {
			return err
		}
	}
	if m.Members != "" {
		if _, _, err := st.importFile(importFile{path: m.Members, country: "ES"}); err != nil {
			return err
		}
	}
	step("importing statements")
	for _, f := range m.Files {
		if _, err := st.run([]string{"import", f.Path}, 3); err != nil {
			return err
		}
	}
	step("dedupe")
	d, err := st.dedupe(*auto, "")
	if err != nil {
		return err
	}
	cases, err := readCases(m.Cases)
	if err != nil {
		return err
	}
	contactTruth, err := readKeyed(m.Contacts.Truth, 2)
	if err != nil {
		return err
	}
	linksPath, donationsPath := filepath.Join(work, "links.csv"), filepath.Join(work, "donations.csv")
	if _, err := st.run([]string{"export", "links", "--out", linksPath}); err != nil {
		return err
	}
	if _, err := st.run([]string{"export", "donations", "--out", donationsPath}); err != nil {
		return err
	}
	links, err := readKeyed(linksPath, 2)
	if err != nil {
		return err
	}
	donations, err := readDonations(donationsPath)
	if err != nil {
		return err
	}
	r := scoreDonations(cases, contactTruth, links, donations)
	fmt.Printf("generated: %d people (seed %d), %d contact records; %d statement files, %d rows (%d distinct), %d donations from %d donors (%d in no contact list)\n",
		*people, *seed, m.Contacts.Records, len(m.Files), m.Rows, m.Distinct, m.Donations, m.Donors, m.NonContact)
	fmt.Printf("padron dedupe (contacts and attribution): %.1f s, peak RSS %d MiB\n\n", d.wall.Seconds(), d.rss>>20)
	r.print(os.Stdout, *verbose)
	return nil
}

// exclusionConfig is padron.yaml's donations.exclude for a generated set.
func exclusionConfig(m *synth.BankManifest) string {
	var b strings.Builder
	b.WriteString("donations:\n  exclude:\n")
	for _, prefix := range []string{"urząd", "gmina", "ayuntamiento", "diputacion", "consejeria", "municipalidad",
		"gobierno", "ministerio"} {
		fmt.Fprintf(&b, "    - name: public grant\n      counterparty_name: %q\n", prefix)
	}
	holders := map[string]bool{}
	for _, a := range m.Accounts {
		if a.Holder != "" && !holders[a.Holder] {
			holders[a.Holder] = true
			fmt.Fprintf(&b, "    - name: own organisation\n      counterparty_name: %q\n", a.Holder)
		}
	}
	b.WriteString("    - name: own savings account\n      counterparty_iban: [")
	for i, a := range m.Accounts {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", a.Savings)
	}
	b.WriteString("]\n")
	return b.String()
}

type bankCase struct {
	kind, person string
	tags         []string
}

func recKey(file, no string) string { return file + ":" + no }

func readCases(path string) (map[string]bankCase, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	out := map[string]bankCase{}
	for _, r := range rows[1:] {
		c := bankCase{kind: r[2], person: r[3]}
		if r[11] != "" {
			c.tags = strings.Split(r[11], ";")
		}
		out[recKey(r[0], r[1])] = c
	}
	return out, nil
}

// readKeyed reads source_file,record_no,VALUE... into FILE:NO → the column col.
func readKeyed(path string, col int) (map[string]string, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows[1:] {
		out[recKey(r[0], r[1])] = r[col]
	}
	return out, nil
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 256<<10))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return rows, nil
}

type donationRow struct {
	person, method, candidate string
}

func readDonations(path string) (map[string]donationRow, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"person_id", "source_file", "record_no", "method", "review_candidate"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%s: no column %s", path, h)
		}
	}
	out := map[string]donationRow{}
	for _, r := range rows[1:] {
		out[recKey(r[col["source_file"]], r[col["record_no"]])] = donationRow{person: r[col["person_id"]],
			method: r[col["method"]], candidate: r[col["review_candidate"]]}
	}
	return out, nil
}

// donationScore is attribution's outcome against the truth.
type donationScore struct {
	donations   int // donation credits stored (overlapping copies once)
	inContacts  int // of them, from donors in the contact lists
	attributed  int // tied to a known person
	correct     int
	review      int               // left to a new person with a review candidate
	reviewRight int               // whose candidate is the donor
	missing     int               // donations padron does not count (excluded or never stored)
	counted     int               // non-donation credits counted as donations
	newDonors   int               // truth donors in no contact list
	newPeople   int               // people padron made for them
	newImpure   int               // of those, people holding more than one truth donor
	byMethod    map[string][2]int // method → attributed, correct
	byTag       map[string]*tagScore
	wrong       []string
}

type tagScore struct{ n, attributed, correct int }

func scoreDonations(cases map[string]bankCase, contactTruth, links map[string]string, donations map[string]donationRow) *donationScore {
	// Each person padron made stands for the truth person most of its contact records
	// belong to.
	votes := map[string]map[string]int{}
	inContacts := map[string]bool{}
	for key, truth := range contactTruth {
		inContacts[truth] = true
		p := links[key]
		if p == "" {
			continue
		}
		if votes[p] == nil {
			votes[p] = map[string]int{}
		}
		votes[p][truth]++
	}
	majority := map[string]string{}
	for p, v := range votes {
		best, n := "", 0
		for t, c := range v {
			if c > n || (c == n && t < best) {
				best, n = t, c
			}
		}
		majority[p] = best
	}
	s := &donationScore{byMethod: map[string][2]int{}, byTag: map[string]*tagScore{}}
	newPeople := map[string]map[string]bool{}
	newDonors := map[string]bool{}
	keys := make([]string, 0, len(cases))
	for k := range cases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		c := cases[key]
		if _, stored := links[key]; !stored {
			continue // the copy of an overlapping statement, stored once under the other file
		}
		d, counted := donations[key]
		if c.kind != synth.KindDonation {
			if counted {
				s.counted++
			}
			continue
		}
		s.donations++
		if !counted {
			s.missing++
			continue
		}
		known := inContacts[c.person]
		attributed := d.method != "new" && d.method != ""
		if !known {
			newDonors[c.person] = true
			if !attributed {
				if newPeople[d.person] == nil {
					newPeople[d.person] = map[string]bool{}
				}
				newPeople[d.person][c.person] = true
			}
		} else {
			s.inContacts++
		}
		right := attributed && majority[d.person] == c.person
		if attributed {
			s.attributed++
			bm := s.byMethod[d.method]
			bm[0]++
			if right {
				s.correct++
				bm[1]++
			} else {
				s.wrong = append(s.wrong, fmt.Sprintf("%s: %s by %s to %s (%s), truth %s %v", key, c.kind, d.method, d.person,
					majority[d.person], c.person, c.tags))
			}
			s.byMethod[d.method] = bm
		} else if d.candidate != "" {
			s.review++
			if majority[d.candidate] == c.person {
				s.reviewRight++
			}
		}
		for _, t := range c.tags {
			ts := s.byTag[t]
			if ts == nil {
				ts = &tagScore{}
				s.byTag[t] = ts
			}
			ts.n++
			if attributed {
				ts.attributed++
				if right {
					ts.correct++
				}
			}
		}
	}
	s.newDonors = len(newDonors)
	s.newPeople = len(newPeople)
	for _, donors := range newPeople {
		if len(donors) > 1 {
			s.newImpure++
		}
	}
	return s
}

// share is a/b, 0 for nothing of nothing.
func share(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (s *donationScore) print(w io.Writer, verbose bool) {
	p, r := share(s.correct, s.attributed), share(s.correct, s.inContacts)
	fmt.Fprintf(w, "| donations stored | from contacts | attributed | correct | precision | recall | to review (candidate right) |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| %d | %d | %d | %d | **%.4f** | **%.4f** | %d (%d) |\n\n", s.donations, s.inContacts, s.attributed, s.correct, p, r, s.review, s.reviewRight)
	fmt.Fprintf(w, "target: precision >= 0.99 (%s), recall >= 0.95 (%s)\n", metOrNot(p >= 0.99), metOrNot(r >= 0.95))
	fmt.Fprintf(w, "donations not counted: %d; other credits counted as donations: %d\n", s.missing, s.counted)
	fmt.Fprintf(w, "donors in no contact list: %d, made into %d new people (%d holding more than one donor)\n\n", s.newDonors, s.newPeople, s.newImpure)
	fmt.Fprintf(w, "| method | attributed | precision |\n|---|---|---|\n")
	methods := make([]string, 0, len(s.byMethod))
	for m := range s.byMethod {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	for _, m := range methods {
		v := s.byMethod[m]
		fmt.Fprintf(w, "| %s | %d | %.4f |\n", m, v[0], share(v[1], v[0]))
	}
	fmt.Fprintf(w, "\n| difficulty | donations | attributed | precision | share attributed right |\n|---|---|---|---|---|\n")
	tags := make([]string, 0, len(s.byTag))
	for t := range s.byTag {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	for _, t := range tags {
		v := s.byTag[t]
		fmt.Fprintf(w, "| %s | %d | %d | %.4f | %.4f |\n", t, v.n, v.attributed, share(v.correct, v.attributed), share(v.correct, v.n))
	}
	if verbose {
		fmt.Fprintln(w)
		for _, x := range s.wrong {
			fmt.Fprintln(w, x)
		}
	} else if len(s.wrong) > 0 {
		fmt.Fprintf(w, "\n(%d wrong attributions: -v lists them)\n", len(s.wrong))
	}
}

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}
