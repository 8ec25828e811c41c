package synth

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

const testPeople = 2000

// The default data set is generated once and shared by the read-only tests.
var (
	defOnce sync.Once
	defDir  string
	defMan  *Manifest
	defErr  error
	defRecs []trec
)

func defaultSet(t *testing.T) (string, *Manifest, []trec) {
	t.Helper()
	defOnce.Do(func() {
		defDir, defErr = os.MkdirTemp("", "synth-test-")
		if defErr == nil {
			defMan, defErr = Generate(Config{People: testPeople, Seed: 42}, defDir)
		}
		if defErr == nil {
			defRecs = loadAll(t, defDir, defMan)
		}
	})
	if defErr != nil {
		t.Fatal(defErr)
	}
	return defDir, defMan, defRecs
}

func TestMain(m *testing.M) {
	code := m.Run()
	if defDir != "" {
		os.RemoveAll(defDir)
	}
	os.Exit(code)
}

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := Config{People: 1500, Seed: 7, Problems: 0.02}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := Generate(cfg, a); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(cfg, b); err != nil {
		t.Fatal(err)
	}
	cfg.Seed = 8
	if _, err := Generate(cfg, c); err != nil {
		t.Fatal(err)
	}
	names := append(fileNames(AllFormats()), TruthFile)
	for _, n := range names {
		ba, err := os.ReadFile(filepath.Join(a, n))
		if err != nil {
			t.Fatal(err)
		}
		bb, err := os.ReadFile(filepath.Join(b, n))
		if err != nil {
			t.Fatal(err)
		}
		bc, err := os.ReadFile(filepath.Join(c, n))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs between two runs with the same seed", n)
		}
		if bytes.Equal(ba, bc) {
			t.Errorf("%s is the same for seeds 7 and 8", n)
		}
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(a)
	if len(ents) != len(names) {
		t.Errorf("dir holds %d entries, want %d", len(ents), len(names))
	}
}

func fileNames(fs []Format) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.FileName())
	}
	return out
}

func TestTruthCoversEveryRecordOnce(t *testing.T) {
	dir, m, recs := defaultSet(t) // loadAll checks record_no = 1..n per file and row counts
	if len(recs) != m.Records {
		t.Fatalf("read %d records, manifest says %d", len(recs), m.Records)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.person] = true
	}
	if len(seen) != testPeople {
		t.Errorf("%d distinct persons in truth, want %d", len(seen), testPeople)
	}
	for i := range testPeople {
		if id := PersonID(i, testPeople); !seen[id] {
			t.Fatalf("person %s has no record", id)
		}
	}
	// Every file's truth rows come in one block, in AllFormats order.
	b, _ := os.ReadFile(filepath.Join(dir, TruthFile))
	var order []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f, _, _ := strings.Cut(l, ",")
		if len(order) == 0 || order[len(order)-1] != f {
			order = append(order, f)
		}
	}
	if !slices.Equal(order, fileNames(AllFormats())) {
		t.Errorf("truth file order %v", order)
	}
}

func TestDuplicateRate(t *testing.T) {
	_, m, _ := defaultSet(t)
	rate := float64(m.Duplicates) / float64(m.People)
	if math.Abs(rate-DefaultDupRate) > 0.04 {
		t.Errorf("extra records per person = %.3f, want %.2f ± 0.04", rate, DefaultDupRate)
	}
	for _, tc := range []struct {
		dup      float64
		min, max float64
	}{{-1, 0, 0}, {1, 0.9, 1.1}} {
		m, err := Generate(Config{People: testPeople, Seed: 3, DupRate: tc.dup}, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		r := float64(m.Duplicates) / float64(m.People)
		if r < tc.min || r > tc.max {
			t.Errorf("DupRate %v: extra records per person = %.3f", tc.dup, r)
		}
	}
}

func TestRecordsAreShuffled(t *testing.T) {
	_, _, recs := defaultSet(t)
	// Person ids must not simply increase through a file.
	for _, f := range fileNames(AllFormats()) {
		inc, n := 0, 0
		var prev string
		for _, r := range recs {
			if r.file != f {
				continue
			}
			if prev != "" && r.person > prev {
				inc++
			}
			prev = r.person
			n++
		}
		if float64(inc) > 0.7*float64(n) {
			t.Errorf("%s: %d of %d records in increasing person order", f, inc, n)
		}
	}
}

// pairs calls fn for every ordered pair of distinct records of the same person.
func pairs(recs []trec, fn func(a, b trec) bool) bool {
	for _, rs := range byPerson(recs) {
		for i := range rs {
			for j := range rs {
				if i != j && fn(rs[i], rs[j]) {
					return true
				}
			}
		}
	}
	return false
}

func separateNames(r trec) bool {
	return r.full == "" && r.file != Mailing.FileName() || r.file == Mailing.FileName() && r.given != "" && r.family != ""
}

func isUpper(s string) bool { return s != "" && strings.ToUpper(s) == s && strings.ToLower(s) != s }
func isLower(s string) bool { return s != "" && strings.ToLower(s) == s && strings.ToUpper(s) != s }

func TestEveryNoiseKindOccurs(t *testing.T) {
	_, m, recs := defaultSet(t)
	for _, k := range noiseNames {
		if m.Noise[k] == 0 {
			t.Errorf("manifest: noise %q never applied", k)
		}
	}
	tab, err := data()
	if err != nil {
		t.Fatal(err)
	}
	isNick := func(full, short string) bool {
		if slices.Contains(tab.nick[full], short) {
			return true
		}
		first, _, ok := strings.Cut(full, " ")
		return ok && (short == first || strings.HasPrefix(short, "Mª "))
	}
	gmailNorm := func(e string) string {
		l, d, ok := strings.Cut(strings.ToLower(e), "@")
		if !ok || (d != "gmail.com" && d != "googlemail.com") {
			return ""
		}
		l, _, _ = strings.Cut(l, "+")
		return strings.ReplaceAll(l, ".", "") + "@gmail.com"
	}
	hasBirthCol := func(r trec) bool {
		return r.file == Volunteers.FileName() || r.file == Contacts.FileName()
	}
	checks := map[string]func(a, b trec) bool{
		NoiseTypo: func(a, b trec) bool {
			for _, p := range [][2]string{{a.given, b.given}, {a.family, b.family}} {
				x, y := norm(p[0]), norm(p[1])
				if x != y && len(x) > 3 && levenshtein(x, y) <= 2 && !isNick(p[0], p[1]) && !isNick(p[1], p[0]) {
					return true
				}
			}
			return false
		},
		NoiseNoDiacritics: func(a, b trec) bool {
			return separateNames(a) && separateNames(b) && hasNonASCII(a.family+a.given) &&
				a.family+a.given != b.family+b.given && fold(a.family+a.given) == b.family+b.given
		},
		NoiseUpperCase: func(a, b trec) bool {
			return separateNames(a) && isUpper(a.given) && isUpper(a.family) && !isUpper(b.given) && b.given != ""
		},
		NoiseLowerCase: func(a, b trec) bool {
			return separateNames(a) && isLower(a.given) && isLower(a.family) && !isLower(b.given) && b.given != ""
		},
		NoiseSwappedNames: func(a, b trec) bool {
			return separateNames(a) && separateNames(b) && norm(a.given) == norm(b.family) && norm(a.family) == norm(b.given) && norm(a.given) != norm(a.family)
		},
		NoiseNickname: func(a, b trec) bool { return separateNames(a) && isNick(a.given, b.given) },
		NoiseSurnameDropped: func(a, b trec) bool {
			first, _, ok := strings.Cut(a.family, " ")
			return ok && !strings.Contains(a.family, " de ") && b.family == first
		},
		NoiseMarriedSurname: func(a, b trec) bool {
			return a.family != "" && a.family != b.family &&
				(strings.Contains(b.family, "-"+a.family) || strings.Contains(b.family, a.family+"-") || strings.HasPrefix(b.family, a.family+" de "))
		},
		NoiseGmailVariant: func(a, b trec) bool {
			return a.email != b.email && gmailNorm(a.email) != "" && gmailNorm(a.email) == gmailNorm(b.email)
		},
		NoiseEmailTypo: func(a, b trec) bool {
			return a.email != "" && b.email != "" && gmailNorm(a.email) != gmailNorm(b.email) && levenshtein(a.email, b.email) <= 3
		},
		NoisePhoneFormat: func(a, b trec) bool {
			return a.phone != "" && a.phone != b.phone && phoneDigits(a.phone) == phoneDigits(b.phone)
		},
		NoisePhoneMissing: func(a, b trec) bool {
			return a.file != Mailing.FileName() && a.phone == "" && b.phone != ""
		},
		NoiseEmailMissing: func(a, b trec) bool { return a.email == "" && b.email != "" },
		NoiseBirthSwapped: func(a, b trec) bool {
			return hasBirthCol(a) && hasBirthCol(b) && !a.birth.IsZero() && !b.birth.IsZero() && a.birth != b.birth &&
				a.birth.Day() == int(b.birth.Month()) && int(a.birth.Month()) == b.birth.Day() && a.birth.Year() == b.birth.Year()
		},
		NoiseFieldEmpty: func(a, b trec) bool {
			return a.file != Mailing.FileName() && b.file != Mailing.FileName() && a.city == "" && b.city != ""
		},
		NoiseCityVariant: func(a, b trec) bool {
			return a.city != "" && b.city != "" && norm(a.city) != norm(b.city) &&
				!strings.HasPrefix(norm(b.city), norm(a.city)+",") && !strings.HasPrefix(norm(a.city), norm(b.city)+",")
		},
	}
	for _, k := range noiseNames {
		fn, ok := checks[k]
		if !ok {
			t.Errorf("no check for noise %q", k)
			continue
		}
		if !pairs(recs, fn) {
			t.Errorf("no pair of records of one person shows noise %q", k)
		}
	}
}

func TestHardNegativesOccur(t *testing.T) {
	_, _, recs := defaultSet(t)
	// Profile per person: every email, phone, postcode, name and birth seen.
	type prof struct {
		emails, phones, pcodes, names, families, streets map[string]bool
		births                                           map[int]bool // years
	}
	ps := map[string]*prof{}
	get := func(id string) *prof {
		if p, ok := ps[id]; ok {
			return p
		}
		p := &prof{map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[int]bool{}}
		ps[id] = p
		return p
	}
	for _, r := range recs {
		p := get(r.person)
		if r.email != "" {
			p.emails[strings.ToLower(r.email)] = true
		}
		if d := phoneDigits(r.phone); len(d) == 8 {
			p.phones[d] = true
		}
		if r.pcode != "" {
			p.pcodes[r.pcode] = true
		}
		if r.street != "" {
			p.streets[norm(r.street)] = true
		}
		if r.given != "" && r.family != "" {
			p.names[norm(r.given)+" "+norm(r.family)] = true
			first, _, _ := strings.Cut(norm(r.family), " ")
			p.families[first] = true
		}
		if !r.birth.IsZero() {
			p.births[r.birth.Year()] = true
		}
	}
	owners := func(key func(*prof) map[string]bool) map[string][]string {
		o := map[string][]string{}
		for id, p := range ps {
			for k := range key(p) {
				o[k] = append(o[k], id)
			}
		}
		return o
	}
	shared := func(o map[string][]string) int {
		n := 0
		for _, ids := range o {
			if len(ids) > 1 {
				n++
			}
		}
		return n
	}
	if n := shared(owners(func(p *prof) map[string]bool { return p.emails })); n < 2 {
		t.Errorf("%d emails shared by distinct persons (households), want >= 2", n)
	}
	if n := shared(owners(func(p *prof) map[string]bool { return p.phones })); n < 2 {
		t.Errorf("%d phones shared by distinct persons (households), want >= 2", n)
	}
	// Namesakes: distinct persons with one of the deliberately common names ("Juan
	// García", "Anna Nowak") but different emails.
	common := map[string]bool{}
	for _, cs := range commonNames {
		for _, c := range cs {
			common[norm(c[1])+" "+norm(polishGender(c[2], c[0] == "f"))] = true
		}
	}
	namesakes := 0
	for name, ids := range owners(func(p *prof) map[string]bool { return p.names }) {
		first, _, _ := strings.Cut(name, " ")
		if len(ids) < 2 || !common[first+" "+strings.Fields(name)[1]] {
			continue
		}
		for _, a := range ids {
			for _, b := range ids {
				if a < b && len(ps[a].emails) > 0 && len(ps[b].emails) > 0 && !overlap(ps[a].emails, ps[b].emails) {
					namesakes++
				}
			}
		}
	}
	if namesakes < 3 {
		t.Errorf("%d pairs of namesakes with different emails, want >= 3", namesakes)
	}
	// Parent and child: same surname and address, birth years a generation apart.
	parentChild := 0
	for _, ids := range owners(func(p *prof) map[string]bool { return p.streets }) {
		for _, a := range ids {
			for _, b := range ids {
				if a >= b || !overlap(ps[a].families, ps[b].families) || !overlap(ps[a].pcodes, ps[b].pcodes) {
					continue
				}
				for ya := range ps[a].births {
					for yb := range ps[b].births {
						if ya-yb >= 18 || yb-ya >= 18 {
							parentChild++
						}
					}
				}
			}
		}
	}
	if parentChild < 1 {
		t.Errorf("no parent/child pair (same surname and address, a generation apart)")
	}
}

func overlap(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

func TestEncodings(t *testing.T) {
	dir, _, _ := defaultSet(t)
	read := func(f Format) []byte {
		b, err := os.ReadFile(filepath.Join(dir, f.FileName()))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		f     Format
		cm    *charmap.Charmap
		want  []string // decoded text must contain these
		crlf  bool
		latin bool // no C1 bytes (0x80-0x9F): plain ISO-8859-1
	}{
		{Donors, charmap.Windows1250, []string{"Imię;Nazwisko;E-mail;Telefon;Kwota;Data wpłaty", "ł", "ś", "ż"}, true, false},
		{EventSignups, charmap.ISO8859_1, []string{"Nombre y apellido;Email;Celular;Ciudad", "á", "é", "ñ"}, true, true},
	} {
		b := read(tc.f)
		if utf8.Valid(b) {
			t.Errorf("%s: is valid UTF-8, want %s", tc.f, tc.cm)
		}
		txt, err := tc.cm.NewDecoder().String(string(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: decoded text lacks %q", tc.f, w)
			}
		}
		if tc.crlf != bytes.Contains(b, []byte("\r\n")) {
			t.Errorf("%s: CRLF line ends = %v, want %v", tc.f, !tc.crlf, tc.crlf)
		}
		if tc.latin {
			for _, c := range b {
				if c >= 0x80 && c < 0xA0 {
					t.Errorf("%s: byte %#x is not ISO-8859-1 text", tc.f, c)
					break
				}
			}
		}
	}
	vol := read(Volunteers)
	if !utf8.Valid(vol) || bytes.HasPrefix(vol, []byte("\uFEFF")) || !bytes.Contains(vol, []byte("Correo electrónico")) {
		t.Errorf("voluntarios.csv: want UTF-8 without BOM with Spanish headers")
	}
	ml := read(Mailing)
	if !utf8.Valid(ml) || !bytes.HasPrefix(ml, []byte("\uFEFFEmail Address,")) {
		t.Errorf("mailing.csv: want UTF-8 with BOM")
	}
}

func TestDonorAmountsUseDecimalComma(t *testing.T) {
	dir, _, _ := defaultSet(t)
	_, rows := readCSVFile(t, filepath.Join(dir, Donors.FileName()), Donors)
	comma := 0
	for _, r := range rows {
		if strings.HasSuffix(strings.TrimSuffix(cell(r, 4), " zł"), ",00") {
			comma++
		}
		if d := cell(r, 5); d != "" && parseDMY(d, ".").IsZero() {
			t.Errorf("donation date %q is not dd.mm.yyyy", d)
		}
	}
	if comma < len(rows)/2 {
		t.Errorf("%d of %d amounts like 150,00", comma, len(rows))
	}
}

func TestContactsXLSXLayout(t *testing.T) {
	dir, _, _ := defaultSet(t)
	path := filepath.Join(dir, Contacts.FileName())
	top, rows := readContacts(t, path)
	if !strings.HasPrefix(cell(top[0], 0), "Contacts") || len(top[1]) != 0 {
		t.Errorf("rows above header = %q", top[:2])
	}
	if !slices.Equal(top[2], specs[Contacts].header) {
		t.Errorf("header = %q", top[2])
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	dates := 0
	for i := range rows {
		ref := fmt.Sprintf("E%d", contactsHeaderRow+1+i)
		typ, err := x.GetCellType("Contacts", ref)
		if err != nil {
			t.Fatal(err)
		}
		if cell(rows[i], 4) == "" || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			continue
		}
		sid, err := x.GetCellStyle("Contacts", ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := x.GetStyle(sid)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "yy") {
			t.Fatalf("%s: birthday cell without a date format", ref)
		}
		dates++
	}
	if dates < len(rows)/2 {
		t.Errorf("%d of %d birthdays are date cells", dates, len(rows))
	}
}

func TestProblems(t *testing.T) {
	dir := t.TempDir()
	m, err := Generate(Config{People: testPeople, Seed: 5, Problems: 0.05}, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range problemNames {
		if m.Problems[k] == 0 {
			t.Errorf("problem %q never written", k)
		}
	}
	recs := loadAll(t, dir, m)
	ragged, badEmail := 0, 0
	for _, r := range recs {
		f := Format(slices.Index(fileNames(AllFormats()), r.file))
		if f != Contacts && r.fields != len(specs[f].header) {
			ragged++
		}
		if r.email != "" && (strings.Count(r.email, "@") != 1 || strings.ContainsAny(r.email, " ,()") ||
			!strings.Contains(r.email[strings.Index(r.email, "@")+1:], ".")) {
			badEmail++
		}
	}
	if ragged == 0 || badEmail == 0 {
		t.Errorf("ragged rows %d, invalid emails %d; want some of each", ragged, badEmail)
	}
	// Without Problems there are none.
	_, _, clean := defaultSet(t)
	for _, r := range clean {
		f := Format(slices.Index(fileNames(AllFormats()), r.file))
		if f != Contacts && r.fields != len(specs[f].header) {
			t.Fatalf("%s:%d: ragged row with Problems = 0", r.file, r.no)
		}
	}
}

func TestFormatsAndXLSXCap(t *testing.T) {
	dir := t.TempDir()
	m, err := Generate(Config{People: 3000, Seed: 9, Formats: []Format{Mailing, Donors}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if want := []string{"darczyncy.csv", "mailing.csv", "truth.csv"}; !slices.Equal(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	if m.Duplicates < 3000*0.25 {
		t.Errorf("only %d duplicates with two formats", m.Duplicates)
	}

	m, err = Generate(Config{People: 5000, Seed: 9, MaxXLSXRows: 200}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f.Format == Contacts && (f.Records > 300 || f.Records < 100) {
			t.Errorf("contacts.xlsx has %d rows with MaxXLSXRows 200", f.Records)
		}
	}
	if r := float64(m.Duplicates) / 5000; math.Abs(r-DefaultDupRate) > 0.04 {
		t.Errorf("capping XLSX changed the duplicate rate to %.3f", r)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{People: 0}, {People: 10, Formats: []Format{99}}, {People: 10, DupRate: 5}} {
		if _, err := Generate(cfg, t.TempDir()); err == nil {
			t.Errorf("Generate(%+v): no error", cfg)
		}
	}
}

func TestPermIsBijection(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 64, 1000, 4097} {
		p := newPerm(n, 11, 22)
		seen := make([]bool, n)
		for j := range p.size() {
			if i := p.at(j); i < uint64(n) {
				if seen[i] {
					t.Fatalf("n=%d: %d visited twice", n, i)
				}
				seen[i] = true
			}
		}
		if slices.Contains(seen, false) {
			t.Fatalf("n=%d: not every index visited", n)
		}
	}
}

func TestNameListsAreLarge(t *testing.T) {
	tab, err := data()
	if err != nil {
		t.Fatal(err)
	}
	for n := range numNations {
		if g := len(tab.givenF[n]) + len(tab.givenM[n]); g < 200 {
			t.Errorf("nation %d: %d given names", n, g)
		}
		if s := len(tab.surnames[n]); s < 180 {
			t.Errorf("nation %d: %d surnames", n, s)
		}
	}
	for k := range tab.nick {
		found := false
		for n := range numNations {
			found = found || slices.Contains(tab.givenF[n], k) || slices.Contains(tab.givenM[n], k)
		}
		if !found {
			t.Errorf("nickname entry %q is not a given name in any list", k)
		}
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Generate(Config{People: 100_000, Seed: 1}, dir); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMailingHoldsEachAddressOnce(t *testing.T) {
	_, _, recs := defaultSet(t)
	seen := map[string]int{}
	for _, r := range recs {
		if r.file != Mailing.FileName() {
			continue
		}
		if r.email == "" {
			t.Fatalf("mailing.csv:%d: no address", r.no)
		}
		e := strings.ToLower(r.email)
		if n, ok := seen[e]; ok {
			t.Errorf("mailing.csv: %q in records %d and %d", r.email, n, r.no)
		}
		seen[e] = r.no
	}
}
