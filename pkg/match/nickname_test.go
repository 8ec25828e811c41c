package match

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/padron-org/padron/pkg/normalize"
)

func TestNicknamesSame(t *testing.T) {
	n := DefaultNicknames()
	same := [][2]string{
		{"Kasia", "Katarzyna"}, {"Kaśka", "Katarzyna"}, {"Kasia", "Kaśka"},
		{"Gosia", "Małgorzata"}, {"Małgośka", "Gosia"}, {"Basia", "Barbara"},
		{"Asia", "Joanna"}, {"Ola", "Aleksandra"}, {"Kuba", "Jakub"},
		{"Bartek", "Bartłomiej"}, {"Bartek", "Bartosz"}, {"Tomek", "Tomasz"},
		{"Staszek", "Stanisław"}, {"Zosia", "Zofia"}, {"Krzysiek", "Krzysztof"},
		{"Wojtek", "Wojciech"}, {"Łukaszek", "Łukasz"},
		{"Pepe", "José"}, {"Paco", "Francisco"}, {"Pancho", "Francisco"},
		{"Nacho", "Ignacio"}, {"Lola", "Dolores"}, {"Concha", "Concepción"},
		{"Pili", "Pilar"}, {"Manolo", "Manuel"}, {"Chema", "José María"},
		{"Quique", "Enrique"}, {"Rafa", "Rafael"}, {"Charo", "Rosario"},
		{"Merche", "Mercedes"}, {"Maite", "María Teresa"}, {"Toni", "Antonio"},
		{"Juanjo", "Juan José"}, {"Fede", "Federico"}, {"Guille", "Guillermo"},
		{"Santi", "Santiago"}, {"Nico", "Nicolás"}, {"Sebas", "Sebastián"},
		{"Flor", "Florencia"}, {"Cata", "Catalina"}, {"Vicky", "Victoria"},
		{"Tincho", "Martín"}, {"Beto", "Alberto"}, {"Beto", "Roberto"},
		{"Bob", "Robert"}, {"Bill", "William"}, {"Liz", "Elizabeth"},
		{"Peggy", "Margaret"}, {"Dick", "Richard"}, {"Jim", "James"},
		{"Kate", "Katherine"}, {"Kate", "Catherine"}, {"Ted", "Edward"},
		{"Ted", "Theodore"}, {"Alex", "Alejandro"}, {"Alex", "Aleksander"},
		{"Alex", "Alexandra"}, {"Seb", "Sebastian"}, {"Seba", "Sebastián"},
		{"José-María", "Chema"}, {"zzz", "zzz"},
		{"Mati", "Mateusz"}, {"Ala", "Aleksandra"}, {"Wera", "Weronika"}, {"Domi", "Dominika"},
		{"Arek", "Arkadiusz"}, {"Krzychu", "Krzysztof"}, {"Sylwka", "Sylwia"},
		{"Moncho", "Ramón"}, {"Paqui", "Francisca"}, {"Kiko", "Francisco"}, {"Migue", "Miguel"},
	}
	for _, p := range same {
		a, b := normalize.Fold(p[0]), normalize.Fold(p[1])
		if !n.Same(a, b) || !n.Same(b, a) {
			t.Errorf("Same(%q, %q) = false, want true", a, b)
		}
	}
	// Different names, even where one language's form of the other (Jan/Juan), or where
	// a shared short form links both (Beto: Alberto and Roberto).
	different := [][2]string{
		{"anna", "maria"}, {"jan", "juan"}, {"jan", "john"}, {"juan", "john"},
		{"pawel", "pablo"}, {"jan", "janusz"}, {"katarzyna", "catalina"},
		{"katarzyna", "katherine"}, {"jozef", "jose"}, {"alberto", "roberto"},
		{"alejandro", "alejandra"}, {"francisco", "francisca"}, {"maria", "mario"},
		{"bartosz", "bartlomiej"}, {"jack", "john"}, {"sally", "sarah"},
		{"harry", "henry"}, {"kasia", "gosia"}, {"jose", "jose maria"},
		{"pepe", "jose maria"}, {"zzz", "yyy"}, {"kasia", "zzz"}, {"", "kasia"},
	}
	for _, p := range different {
		if n.Same(p[0], p[1]) || n.Same(p[1], p[0]) {
			t.Errorf("Same(%q, %q) = true, want false", p[0], p[1])
		}
	}
}

func TestNicknamesCanon(t *testing.T) {
	n := DefaultNicknames()
	for name, want := range map[string][]string{
		"kasia":      {"katarzyna"},
		"katarzyna":  {"katarzyna"},
		"zzz":        {"zzz"},
		"chema":      {"jose maria"},
		"alex":       {"alejandra", "alejandro", "aleksander", "alexander", "alexandra"},
		"bartek":     {"bartlomiej", "bartosz"},
		"malgoska":   {"malgorzata"},
		"jose maria": {"jose maria"},
	} {
		if got := n.Canon(name); !slices.Equal(got, want) {
			t.Errorf("Canon(%q) = %q, want %q", name, got, want)
		}
	}
	if a := testing.AllocsPerRun(100, func() { n.Canon("kasia") }); a != 0 {
		t.Errorf("Canon allocates %v times for a known name", a)
	}
	if a := testing.AllocsPerRun(100, func() { n.Same("kasia", "kaska"); n.Same("alex", "aleksander") }); a != 0 {
		t.Errorf("Same allocates %v times", a)
	}
}

func TestNicknamesNil(t *testing.T) {
	var n *Nicknames
	if !n.Same("kasia", "kasia") || n.Same("kasia", "katarzyna") || n.Len() != 0 {
		t.Error("nil Nicknames should know no names")
	}
	if got := n.Canon("kasia"); !slices.Equal(got, []string{"kasia"}) {
		t.Errorf("nil Canon = %q", got)
	}
}

func TestNicknamesAdd(t *testing.T) {
	base := DefaultNicknames()
	baseLen := base.Len()
	n := base.Clone()
	err := n.Add(strings.NewReader("\uFEFF# ours\n\nKatarzyna: Kasiulka  # trailing comment\nWłodzimierz: Włodzio, WŁODECZEK\nbrunhilda: hilde\n"), "ours.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]string{{"kasiulka", "katarzyna"}, {"kasiulka", "kasia"}, {"wlodzio", "wlodek"}, {"wlodeczek", "wlodzimierz"}, {"hilde", "brunhilda"}} {
		if !n.Same(p[0], p[1]) {
			t.Errorf("after Add, Same(%q, %q) = false", p[0], p[1])
		}
	}
	if n.Len() != baseLen+1 {
		t.Errorf("Len = %d, want %d", n.Len(), baseLen+1)
	}
	// The original is untouched.
	if base.Same("kasiulka", "katarzyna") || base.Same("hilde", "brunhilda") || base.Len() != baseLen {
		t.Error("Add on a clone changed DefaultNicknames")
	}
	if got := base.Canon("wlodzio"); !slices.Equal(got, []string{"wlodzio"}) {
		t.Errorf("original Canon(wlodzio) = %q", got)
	}

	// A canonical name under another's forms: Canon lists both.
	m := NewNicknames()
	if err := m.Add(strings.NewReader("aa: bb\ncc: aa, bb\n"), "x"); err != nil {
		t.Fatal(err)
	}
	if got := m.Canon("aa"); !slices.Equal(got, []string{"aa", "cc"}) {
		t.Errorf("Canon(aa) = %q", got)
	}
	if !m.Same("aa", "cc") || !m.Same("bb", "cc") || m.Len() != 2 {
		t.Error("cross-listed names not Same")
	}
}

func TestNicknamesAddErrors(t *testing.T) {
	for text, want := range map[string]string{
		"kasia katarzyna":          "my.txt:2: missing \":\"",
		"katarzyna: kasia,, kaska": "my.txt:2: empty name",
		"katarzyna: kasia,":        "my.txt:2: empty name",
		"katarzyna:":               "my.txt:2: no forms",
		": kasia":                  "my.txt:2: canonical name: empty name",
		"katarzyna: kasia; kaska":  "my.txt:2: unexpected ';'",
		"katarzyna: kasia2":        "my.txt:2: unexpected '2'",
		"a: b: c":                  "my.txt:2: more than one",
	} {
		n := NewNicknames()
		err := n.Add(strings.NewReader("ok: fine\n"+text+"\n"), "my.txt")
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want prefix %q", text, err, want)
		}
		if n.Len() != 0 {
			t.Errorf("%q: a failed Add kept %d names", text, n.Len())
		}
	}

	readErr := errors.New("disk gone")
	err := NewNicknames().Add(iotest.ErrReader(readErr), "r.txt")
	if !errors.Is(err, readErr) || !strings.HasPrefix(err.Error(), "r.txt:1: ") {
		t.Errorf("read error: %v", err)
	}

	dir := t.TempDir()
	p := filepath.Join(dir, "nick.txt")
	if err := os.WriteFile(p, []byte("zbigniew: zbych\nbad line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := NewNicknames().AddFile(p); err == nil || !strings.HasPrefix(err.Error(), p+":2: ") {
		t.Errorf("AddFile error = %v", err)
	}
	if err := NewNicknames().AddFile(filepath.Join(dir, "missing.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// nickLine is one data-file line as written, for checks on the lists themselves.
type nickLine struct {
	file, canon string
	forms       []string
}

func readNickFiles(t *testing.T) []nickLine {
	t.Helper()
	paths, err := fs.Glob(nicknameFiles, "data/nicknames_*.txt")
	if err != nil || len(paths) != 3 {
		t.Fatalf("data files: %v %v", paths, err)
	}
	var out []nickLine
	for _, p := range paths {
		if err := NewNicknames().Add(mustOpen(t, p), p); err != nil {
			t.Fatal(err)
		}
		b, _ := fs.ReadFile(nicknameFiles, p)
		for no, line := range strings.Split(string(b), "\n") {
			c, forms, err := parseNickLine(line)
			if err != nil {
				t.Fatalf("%s:%d: %v", p, no+1, err)
			}
			if c != "" {
				out = append(out, nickLine{filepath.Base(p), c, forms})
			}
		}
	}
	return out
}

func mustOpen(t *testing.T, p string) fs.File {
	t.Helper()
	f, err := nicknameFiles.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestNicknameFiles(t *testing.T) {
	lines := readNickFiles(t)
	perFile := map[string]map[string]bool{}
	forms := map[string]map[string]bool{} // form → canonical names it stands under
	for _, l := range lines {
		if perFile[l.file] == nil {
			perFile[l.file] = map[string]bool{}
		}
		if perFile[l.file][l.canon] {
			t.Errorf("%s: %q listed twice", l.file, l.canon)
		}
		perFile[l.file][l.canon] = true
		for _, f := range l.forms {
			if forms[f] == nil {
				forms[f] = map[string]bool{}
			}
			forms[f][l.canon] = true
		}
	}
	for file, c := range perFile {
		if len(c) < 120 {
			t.Errorf("%s: only %d canonical names", file, len(c))
		}
		nf := 0
		for _, l := range lines {
			if l.file == file {
				nf += len(l.forms)
			}
		}
		t.Logf("%s: %d canonical names, %d forms", file, len(c), nf)
	}
	if got, want := DefaultNicknames().Len(), len(canonUnion(perFile)); got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}

	// A form shared by three or more names is a likely mistake: each must be reviewed
	// and listed here.
	wide := map[string]string{
		"alex":  "alejandra alejandro aleksander alexander alexandra",
		"beto":  "alberto humberto norberto roberto",
		"chris": "christian christina christine christopher",
		"ed":    "edmund edward edwin",
		"fran":  "frances francis francisca francisco",
		"jerry": "gerald jeremy jerome",
		"leo":   "leonard leonardo leonel lionel",
		"nicky": "nicholas nicola nicole",
		"sandy": "alexander alexandra sandra",
	}
	for f, cs := range forms {
		if len(cs) < 3 {
			continue
		}
		got := strings.Join(slices.Sorted(func(yield func(string) bool) {
			for c := range cs {
				if !yield(c) {
					return
				}
			}
		}), " ")
		if wide[f] != got {
			t.Errorf("form %q stands for %s; review it and update the list in this test", f, got)
		}
		delete(wide, f)
	}
	for f := range wide {
		t.Errorf("form %q no longer shared by 3+ names: update the list", f)
	}

	// A form that is itself a canonical name makes Canon return both; none should be.
	all := canonUnion(perFile)
	for f := range forms {
		if all[f] {
			t.Errorf("%q is both a form and a canonical name", f)
		}
	}
}

func canonUnion(perFile map[string]map[string]bool) map[string]bool {
	all := map[string]bool{}
	for _, c := range perFile {
		for k := range c {
			all[k] = true
		}
	}
	return all
}

var sinkBool bool
var sinkStrings []string

func BenchmarkNicknamesSame(b *testing.B) {
	n := DefaultNicknames()
	pairs := [][2]string{
		{"kasia", "katarzyna"}, {"anna", "maria"}, {"alex", "aleksander"},
		{"zzz", "katarzyna"}, {"jose maria", "chema"}, {"kowalski", "nowak"},
		{"bartek", "bartosz"}, {"pepe", "paco"},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		sinkBool = n.Same(p[0], p[1])
	}
}

func BenchmarkNicknamesCanon(b *testing.B) {
	n := DefaultNicknames()
	for _, c := range []struct {
		name  string
		names []string
	}{
		{"known", []string{"kasia", "katarzyna", "alex", "pepe", "chema", "robert", "zbigniew", "jose"}},
		{"unknown", []string{"zzz", "kowalski", "xiomara", "brunhilda"}}, // allocates the one-name result
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				sinkStrings = n.Canon(c.names[i%len(c.names)])
			}
		})
	}
}

func TestMisspelt(t *testing.T) {
	n := DefaultNicknames()
	for _, p := range [][2]string{
		{"naacho", "ignacio"},  // nacho, a letter doubled
		{"jiim", "james"},      // jim
		{"boby", "robert"},     // bobby, a letter left out
		{"momcho", "ramon"},    // moncho, a neighbouring key
		{"magdw", "magdalena"}, // magda
		{"feed", "federico"},   // fede, two letters swapped
		{"ppee", "jose"},       // pepe
		{"jsn", "jan"},         // the name itself, three letters
		{"ega", "eva"},
	} {
		if !n.Misspelt(p[0], p[1]) {
			t.Errorf("Misspelt(%q, %q) = false, want true", p[0], p[1])
		}
	}
	for _, p := range [][2]string{
		{"pepa", "jose"},       // a form of Josefa: another name
		{"ann", "anna"},        // a name of its own
		{"nacho", "ignacio"},   // the form itself, no slip
		{"inga", "inmaculada"}, // inma, but g and m are no neighbours on a keyboard
		{"tedd", "edward"},     // ted stands for Edward and Theodore
		{"olie", "oliver"},     // ollie stands for Oliver and Olivia
		{"xacho", "ignacio"},   // the first letter is never the slip
		{"jo", "jan"},          // too short to tell
		{"zzzz", "zzzy"},       // unknown names, not neighbouring keys
	} {
		if n.Misspelt(p[0], p[1]) {
			t.Errorf("Misspelt(%q, %q) = true, want false", p[0], p[1])
		}
	}
	// A clone's own forms count in the clone only.
	c := n.Clone()
	if err := c.Add(strings.NewReader("ignacio: nachete\n"), "extra"); err != nil {
		t.Fatal(err)
	}
	if !c.Misspelt("nachette", "ignacio") || n.Misspelt("nachette", "ignacio") {
		t.Error("a form added to a clone: Misspelt wrong in the clone or leaking into the original")
	}
}

func TestKeySlip(t *testing.T) {
	for _, p := range []struct {
		x, y string
		want bool
	}{
		{"lola", "lola", false}, {"loka", "lola", true}, {"loma", "lola", false},
		{"lolla", "lola", true}, {"lokla", "lola", true}, {"lobla", "lola", false},
		{"lla", "lola", true}, {"lloa", "lola", true}, {"lolaaa", "lola", false},
	} {
		if got := keySlip(p.x, p.y); got != p.want {
			t.Errorf("keySlip(%q, %q) = %v, want %v", p.x, p.y, got, p.want)
		}
	}
}
