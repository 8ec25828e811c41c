package mapping

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/padron-org/padron/pkg/normalize"
)

// Confident is the confidence at or above which an inferred mapping is used without
// comment. Below it the guess is still used but reported, and --strict refuses it.
const Confident = 0.8

// minUse is the score below which a column is left unmapped: a weak guess that a
// person would have to undo is worse than a column kept only in the raw row.
const minUse = 0.5

// MaxSample is how many non-empty values per column inference looks at.
const MaxSample = 200

// ColumnSample is the evidence about one column: its header ("" or column_N when the
// file has none) and a sample of its non-empty values.
type ColumnSample struct {
	Header string
	Values []string
}

// Guess is what inference decided for one column.
type Guess struct {
	Field        string   // canonical field, or "" to leave the column unmapped
	Confidence   float64  // 0..1, see Confident; for "" how sure it is that no field fits
	Reason       string   // one human sentence: what the header and the values said
	Options      Column   // inferred column options (date format, decimal mark, name order, phone country)
	Alternatives []string // other fields considered, best first
	Examples     []string // a few distinct sample values, shortened and partly masked, for people
}

// SampleColumns gathers, for each column of header, up to MaxSample non-empty values
// from rows, spread over the whole table rather than taken from its top only.
func SampleColumns(header []string, rows [][]string) []ColumnSample {
	cols := make([]ColumnSample, len(header))
	step := 1
	if len(rows) > 4*MaxSample {
		step = len(rows) / (2 * MaxSample)
	}
	for i, h := range header {
		cols[i].Header = h
		for r := 0; r < len(rows) && len(cols[i].Values) < MaxSample; r += step {
			if i < len(rows[r]) {
				if v := strings.TrimSpace(rows[r][i]); v != "" {
					cols[i].Values = append(cols[i].Values, v)
				}
			}
		}
	}
	return cols
}

// currentYear dates the values (birth dates are decades old, payments recent). A
// variable so that tests can pin it.
var currentYear = time.Now().Year()

// Infer guesses the canonical field of each column from its header and its values.
//
// Header evidence comes first: a known synonym (any language in synonyms.go), words of
// the header that are one ("Teléfono móvil 2", "Business Street"), an abbreviation
// ("F. Nac.", "Cod. Postal", "Tlf") or a misspelling ("Emial", "Nazwsko"). Values then
// confirm it (raising confidence) or contradict it (lowering it, or switching to the
// field the values clearly are, such as emails under "Contacto"). Without a usable
// header the values alone decide, never with full confidence except for unmistakable
// kinds such as emails and IBANs. Finally, a field that only one column can hold goes
// to the best column; the others fall back to their next choice or stay unmapped.
func Infer(cols []ColumnSample) []Guess {
	an := make([]*colAnalysis, len(cols))
	for i, c := range cols {
		an[i] = analyse(c)
	}
	adjustContext(an)
	return resolve(an)
}

// ---- header evidence ----

type hitKind int

const (
	hitExact    hitKind = iota // the whole header is a synonym
	hitPhrase                  // some words of the header are a synonym
	hitAbbrev                  // the header abbreviates a synonym
	hitFuzzy                   // the header (or some words) is a misspelt synonym
	hitCompound                // a word of the header ends in a synonym ("Spendenbetrag")
	hitHint                    // only a generic word: an id word, a person noun
)

type headerHit struct {
	field string
	score float64
	kind  hitKind
	text  string // the synonym or words that matched, for the reason
}

type htok struct {
	w      string // folded word
	dotted bool   // followed by a dot: an abbreviation
}

// synEntry is a synonym split into words, for abbreviation matching.
type synEntry struct {
	field string
	words []string
	text  string
}

var synEntries = func() []synEntry {
	var out []synEntry
	fields := make([]string, 0, len(synonymLists))
	for f := range synonymLists {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		for _, n := range append([]string{strings.ReplaceAll(f, "_", " ")}, synonymLists[f]...) {
			var words []string
			for _, t := range tokenize(n) {
				if !stopWords[t.w] && !isNumbering(t.w) {
					words = append(words, t.w)
				}
			}
			if len(words) > 0 {
				out = append(out, synEntry{f, words, n})
			}
		}
	}
	return out
}()

// synPhrase gives, for a dictionary key, the synonym as written in synonyms.go, to
// quote in reasons ("teléfono móvil" rather than "telefonomovil").
var synPhrase = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, e := range synEntries {
		k := HeaderKey(e.text)
		if old, ok := m[k]; !ok || len(e.text) < len(old) {
			m[k] = e.text
		}
	}
	return m
})

func phraseFor(key string) string {
	if p, ok := synPhrase()[key]; ok {
		return p
	}
	return key
}

// synKeys are the dictionary's keys in a stable order, for fuzzy matching. Built on
// first use: synonyms is filled by an init function, which runs after package variables.
var synKeys = sync.OnceValue(func() []string {
	keys := make([]string, 0, len(synonyms))
	for k := range synonyms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
})

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// stopWords carry no meaning in a header ("Fecha de nacimiento", "E-mail du donateur").
var stopWords = set("de", "del", "la", "el", "los", "las", "y", "e", "i", "o", "u", "a", "da", "do", "das", "dos",
	"di", "du", "des", "le", "les", "of", "the", "and", "et", "und", "ed", "en", "in", "on", "at", "al", "il", "lo",
	"z", "w", "na", "dla", "der", "die", "von", "vom", "zum", "zur", "per", "para", "por", "pour", "for", "to", "que",
	"como", "with", "con", "avec", "mit", "your", "you", "tu", "su", "sus", "seu", "sua", "votre", "vos", "ihr",
	"ihre", "twoj", "twoja", "twoje", "my", "mi", "mis", "sa", "ses", "as", "is", "s", "nos", "nuestra", "nuestro",
	"nuestras", "nuestros", "ao", "au", "aux", "im", "am", "sie", "wie", "jak", "o", "ze", "only", "solo", "so")

// qualifiers say which one of several values a column holds without changing what it
// is: "Home Phone", "E-mail perso", "Importe (EUR)", "Fecha (dd/mm/aaaa)".
var qualifiers = set("value", "home", "work", "business", "office", "private", "privat", "prive", "privado",
	"privada", "personal", "pessoal", "personale", "perso", "prywatny", "prywatna", "sluzbowy", "sluzbowa",
	"domicile", "casa", "trabajo", "trabalho", "lavoro", "arbeit", "dienstlich", "geschaftlich", "primary",
	"principal", "main", "preferred", "preferido", "preferida", "other", "otro", "otra", "outro", "outra", "altro",
	"inny", "inna", "autre", "alt", "alternative", "alternativo", "alternativa", "secondary", "secundario",
	"secundaria", "mailing", "billing", "shipping", "residence", "residencia", "residenza", "zamieszkania",
	"zameldowania", "wohnhaft", "actual", "current", "aktualny", "aktualna", "new", "nuevo", "nueva", "eur",
	"euro", "euros", "pln", "zl", "ars", "usd", "brl", "gbp", "chf", "r", "dd", "mm", "yyyy", "aaaa", "rrrr",
	"jjjj", "tt", "jj", "aa", "yy", "rr", "ddmmyyyy", "ddmmaaaa", "completo", "completa", "complete", "full",
	"required", "obligatorio", "obligatoria", "obrigatorio", "wymagane", "optional", "opcional", "day", "dia",
	"jour", "giorno", "dzien")

// idWords name a number or code; alone they suggest an id, beside another field they
// only qualify it ("Nr rachunku", "IBAN-Nr.", "Straße, Nr.").
var idWords = set("nr", "numer", "numero", "number", "nummer", "no", "num", "nro", "id", "ident",
	"identifier", "identificador", "identifiant", "identyfikator", "identificacao", "identificativo", "kennung", "ref")

// personWords name the record's person generically ("E-mail del donante", "Nombre
// del socio"); they qualify another field and alone hint at a name.
var personWords = set("contact", "contacto", "contato", "kontakt", "kontaktowy", "kontaktowa", "osoba",
	"person", "persona", "pessoa", "donor", "donante", "doador", "donateur", "donatore", "spender", "spenderin",
	"darczynca", "socio", "socia", "member", "mitglied", "miembro", "czlonek", "czlonka", "adherent", "adherente",
	"supporter", "participante", "participant", "uczestnik", "uczestnika", "voluntario", "voluntaria",
	"volunteer", "wolontariusz", "wolontariusza", "benevole", "volontario", "volontaria", "suscriptor",
	"subscriber", "cliente", "client", "customer", "klient", "klienta", "attendee", "pagador", "payer",
	"comprador", "buyer", "usuario", "user", "associado", "associe", "associato", "interesado", "interesada")

// otherPerson words make a column about someone else than the record's person
// ("Emergency contact phone"): no contact field applies.
var otherPerson = set("emergency", "emergencia", "emergencias", "urgencia", "urgence", "urgencias", "notfall",
	"awaryjny", "awaryjnego", "awaryjna", "emergenza", "emergencia")

// metaWords make a date column a record-keeping date (created, modified, joined),
// not a payment or birth date.
var metaWords = set("alta", "registro", "registration", "registered", "inscripcion", "inscription",
	"iscrizione", "signup", "created", "creation", "creado", "creada", "creacion", "criacao", "criado", "creazione",
	"modified", "modificado", "modificacion", "modification", "modifica", "updated", "update", "actualizacion",
	"actualizado", "atualizacao", "changed", "last", "ultimo", "ultima", "ostatni", "ostatnia", "login", "acceso",
	"access", "visit", "visita", "import", "importado", "export", "optin", "confirm", "confirmed", "confirmacion",
	"wstapienia", "rejestracji", "utworzenia", "dodania", "modyfikacji", "aktualizacji", "eintritt", "eintritts",
	"erstellt", "erstellung", "geandert", "anderung", "aenderung", "adhesion", "ingreso", "cadastro", "since",
	"desde", "joined", "join", "timestamp")

// metaStems catch the same words inside compounds ("Eintrittsdatum").
var metaStems = []string{"eintritt", "erstell", "anderung", "aenderung", "aktualisier", "registr"}

// roleWords describe a job or an attribute of a field rather than the field itself
// ("Job Title", "Organization 1 - Title", "E-mail 1 - Type", "Email status").
var roleWords = set("title", "position", "role", "job", "department", "dept", "puesto", "stanowisko",
	"funcion", "poste", "abteilung", "dzial", "type", "tipo", "typ", "kind", "rodzaj", "label", "status",
	"verified", "verificado", "valid", "bounced", "format", "formato", "count", "rating", "score",
	"puntuacion", "prefix", "suffix", "yomi", "phonetic")

// addressParts are fields a header can name after a generic address word
// ("Address 1 - City", "Dirección - Código postal").
var addressParts = set("city", "postcode", "region", "country")

func isNumbering(w string) bool {
	if w == "" {
		return true
	}
	return w[0] >= '0' && w[0] <= '9'
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == 'º' || r == 'ª'
}

// tokenize splits a header into folded words, at punctuation, spaces, digit/letter
// boundaries and camelCase humps, noting which are followed by a dot. An ordinal
// written against its number ("1er", "2º", "3rd") stays one numbering word.
func tokenize(h string) []htok {
	var out []htok
	rs := []rune(h)
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i + 1
		digit := unicode.IsDigit(rs[i])
		for j < len(rs) && isWordRune(rs[j]) && unicode.IsDigit(rs[j]) == digit {
			if !digit && unicode.IsUpper(rs[j]) && unicode.IsLower(rs[j-1]) {
				break // camelCase hump
			}
			j++
		}
		w := normalize.Fold(string(rs[i:j]))
		if digit && j < len(rs) && unicode.IsLetter(rs[j]) {
			// "1er", "2º", "3rd": the letters are part of the number.
			k := j
			for k < len(rs) && unicode.IsLetter(rs[k]) {
				k++
			}
			if k-j <= 3 {
				w += normalize.Fold(string(rs[j:k]))
				j = k
			}
		}
		if w == "n" && j < len(rs) && (rs[j] == '°' || rs[j] == 'º') {
			w = "no" // "N°": número
		}
		dotted := j < len(rs) && rs[j] == '.'
		for _, part := range strings.Fields(w) {
			out = append(out, htok{w: part, dotted: dotted})
		}
		i = j
	}
	return out
}

var positionalHeader = regexp.MustCompile(`^(?i)(column|col|columna|coluna|colonne|colonna|kolumna|spalte|field|campo|unnamed)?[\s_:#-]*\d+$`)

// isPositional reports a header that only numbers the column.
func isPositional(h string) bool {
	h = strings.TrimSpace(h)
	return h == "" || positionalHeader.MatchString(h)
}

type headerInfo struct {
	positional bool
	hits       map[string]headerHit
	blocked    map[string]string // field → the word that rules it out; "*" for all
	raw        float64           // best header score before values, for the confidence of leaving a column unmapped
}

func (hi *headerInfo) add(h headerHit) {
	if old, ok := hi.hits[h.field]; !ok || h.score > old.score {
		hi.hits[h.field] = h
	}
}

func (hi *headerInfo) best() (headerHit, bool) {
	if s := hi.sorted(); len(s) > 0 {
		return s[0], true
	}
	return headerHit{}, false
}

func (hi *headerInfo) sorted() []headerHit {
	out := make([]headerHit, 0, len(hi.hits))
	for _, h := range hi.hits {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].field < out[j].field
	})
	return out
}

// maxSynWords bounds the runs of header words compared with synonyms, none of which
// is longer; it keeps a paragraph-long form question cheap.
const maxSynWords = 6

type spanMatch struct {
	field      string
	start, end int
	kind       hitKind
	text       string
}

// analyseHeader finds which fields a header may name.
func analyseHeader(h string) *headerInfo {
	hi := &headerInfo{hits: map[string]headerHit{}, blocked: map[string]string{}}
	if isPositional(h) {
		hi.positional = true
		return hi
	}
	all := tokenize(h)
	var toks []htok
	for _, t := range all {
		if !isNumbering(t.w) {
			toks = append(toks, t)
		}
	}
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.w
	}
	for _, w := range words {
		switch {
		case otherPerson[w]:
			hi.blocked["*"] = w
		case metaWords[w]:
			hi.blocked["date"], hi.blocked["birth_date"] = w, w
		case roleWords[w]:
			for _, f := range []string{"organization", "full_name", "given_name", "family_name", "region", "email",
				"phone", "street", "city", "postcode", "country", "iban", "external_id", "amount", "date"} {
				hi.blocked[f] = w
			}
		}
		for _, s := range metaStems {
			if strings.HasPrefix(w, s) {
				hi.blocked["date"], hi.blocked["birth_date"] = w, w
			}
		}
	}
	if f, ok := synonyms[HeaderKey(h)]; ok {
		hi.add(headerHit{f, 0.95, hitExact, h})
	} else if len(words) > 0 {
		if f, ok := synonyms[strings.Join(words, "")]; ok {
			// The same words without numbering: "E-mail 2", "Teléfono 3".
			hi.add(headerHit{f, 0.92, hitExact, strings.Join(words, " ")})
		}
	}
	if len(words) == 0 {
		hi.raw = maxHit(hi)
		return hi
	}
	matchPhrases(hi, toks, words)
	matchAbbrev(hi, toks)
	hi.raw = maxHit(hi)
	return hi
}

func maxHit(hi *headerInfo) float64 {
	m := 0.0
	for _, h := range hi.hits {
		m = math.Max(m, h.score)
	}
	return m
}

// matchPhrases looks for runs of header words that are synonyms: exact runs first,
// longest first; then misspelt runs; then single words ending in a synonym (German
// compounds such as "Spendenbetrag").
func matchPhrases(hi *headerInfo, toks []htok, words []string) {
	n := len(words)
	covered := make([]bool, n)
	var ms []spanMatch
	free := func(s, e int) bool {
		for i := s; i < e; i++ {
			if covered[i] {
				return false
			}
		}
		return true
	}
	cover := func(m spanMatch) {
		for i := m.start; i < m.end; i++ {
			covered[i] = true
		}
		ms = append(ms, m)
	}
	for l := min(n, maxSynWords); l >= 1; l-- {
		for s := 0; s+l <= n; s++ {
			if !free(s, s+l) || (l == 1 && stopWords[words[s]]) {
				continue
			}
			if k := strings.Join(words[s:s+l], ""); synonyms[k] != "" {
				cover(spanMatch{synonyms[k], s, s + l, hitExact, phraseFor(k)})
			}
		}
		// A longer misspelt run beats a shorter exact one: "Codigo postl" is a
		// postcode, not a código.
		for s := 0; s+l <= n; s++ {
			if !free(s, s+l) || !content(words[s]) || !content(words[s+l-1]) || blockedSpan(words[s:s+l]) {
				continue
			}
			if f, syn, ok := fuzzyField(strings.Join(words[s:s+l], "")); ok && keepsExactWords(words[s:s+l], syn) {
				cover(spanMatch{f, s, s + l, hitFuzzy, phraseFor(syn)})
			}
		}
	}
	for i, w := range words {
		if covered[i] || utf8.RuneCountInString(w) < 8 || blockedSpan(words[i:i+1]) {
			continue
		}
		if f, syn, ok := compoundField(w); ok {
			cover(spanMatch{f, i, i + 1, hitCompound, phraseFor(syn)})
		}
	}
	if len(ms) == 0 {
		hintOnly(hi, words)
		return
	}
	// Generic words give way to a specific match: "Email socio", "Nr rachunku".
	var strong []spanMatch
	for _, m := range ms {
		w := strings.Join(words[m.start:m.end], "")
		if m.end-m.start == 1 && (personWords[w] || idWords[w]) {
			continue
		}
		strong = append(strong, m)
	}
	if len(strong) == 0 {
		hintOnly(hi, words)
		return
	}
	// "Address 1 - City": the address word only groups the part that follows.
	hasPart := false
	for _, m := range strong {
		hasPart = hasPart || addressParts[m.field]
	}
	if hasPart {
		kept := strong[:0]
		for _, m := range strong {
			if m.field != "street" {
				kept = append(kept, m)
			}
		}
		strong = kept
	}
	unknown := 0
	used := make([]bool, n)
	for _, m := range strong {
		for i := m.start; i < m.end; i++ {
			used[i] = true
		}
	}
	for i, w := range words {
		if used[i] || stopWords[w] || qualifiers[w] || idWords[w] || personWords[w] || metaWords[w] ||
			roleWords[w] || otherPerson[w] || len(w) == 1 {
			continue
		}
		if covered[i] {
			continue // matched a field that gave way
		}
		unknown++
	}
	// Rank the matched fields: more words matched first, exact before misspelt.
	type agg struct {
		field string
		words int
		kind  hitKind
		text  string
	}
	byField := map[string]*agg{}
	var order []string
	for _, m := range strong {
		a, ok := byField[m.field]
		if !ok {
			a = &agg{field: m.field, kind: m.kind, text: m.text}
			byField[m.field] = a
			order = append(order, m.field)
		}
		a.words += m.end - m.start
		if m.kind < a.kind {
			a.kind, a.text = m.kind, m.text
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := byField[order[i]], byField[order[j]]
		if a.words != b.words {
			return a.words > b.words
		}
		return a.kind < b.kind
	})
	// Each word we cannot place weakens the match: in a long form question ("¿Quieres
	// recibir noticias? Puedes darte de baja cuando quieras") a known word may be
	// incidental.
	base := 0.88
	switch {
	case unknown == 0:
	case unknown == 1:
		base = 0.68
	case unknown == 2:
		base = 0.6
	case unknown <= 4:
		base = 0.48
	default:
		base = 0.4
	}
	for rank, f := range order {
		a := byField[f]
		s := base
		if a.kind == hitFuzzy || a.kind == hitCompound {
			if unknown > 0 {
				s -= 0.2
			} else {
				s -= 0.1
			}
		}
		if len(order) > 1 {
			// Several fields named: values will have to decide.
			top := byField[order[0]]
			if rank == 0 && (a.words > byField[order[1]].words || (a.kind == hitExact && byField[order[1]].kind != hitExact)) {
				s = math.Max(0.5, s-0.2)
			} else if a.words == top.words && a.kind == top.kind {
				s = 0.5
			} else {
				s = math.Min(0.45, s)
			}
		}
		kind := hitPhrase
		if a.kind != hitExact {
			kind = a.kind
		}
		hi.add(headerHit{f, s, kind, a.text})
	}
}

// hintOnly handles a header whose only known words are generic: an id word suggests
// external_id ("N° de socio"), a person noun a name ("Kontrahent" is not one).
func hintOnly(hi *headerInfo, words []string) {
	id, person := false, false
	for _, w := range words {
		id = id || idWords[w]
		person = person || personWords[w]
	}
	switch {
	case id:
		hi.add(headerHit{"external_id", 0.6, hitHint, "a number or id"})
	case person:
		hi.add(headerHit{"full_name", 0.45, hitHint, "a person"})
	}
}

// content reports a word that can start or end a misspelt run: not a stop word,
// qualifier or generic word ("Date of birth (DD/MM/YYYY)" is no misspelling).
func content(w string) bool {
	return !stopWords[w] && !qualifiers[w] && !idWords[w] && !personWords[w]
}

// keepsExactWords reports whether the synonym a misspelt run resembles contains the
// run's correctly spelt synonym words unchanged: "Codigo postl" → código postal keeps
// "codigo", but "Nome socio" must not become número de socio by respelling "nome".
func keepsExactWords(ws []string, syn string) bool {
	for _, w := range ws {
		if synonyms[w] != "" && !strings.Contains(syn, w) {
			return false
		}
	}
	return true
}

func blockedSpan(ws []string) bool {
	for _, w := range ws {
		if metaWords[w] || roleWords[w] || otherPerson[w] {
			return true
		}
	}
	return false
}

// fuzzyField finds a synonym within a small edit distance of key: one edit for keys of
// 5–8 letters, two from 9 letters; 4-letter keys only by swapping two letters ("Imei").
// A key equally close to synonyms of different fields is not a match.
func fuzzyField(key string) (field, syn string, ok bool) {
	n := utf8.RuneCountInString(key)
	if n < 4 {
		return "", "", false
	}
	maxD := 1
	if n >= 9 {
		maxD = 2
	}
	best := maxD + 1
	var fields []string
	for _, k := range synKeys() {
		kn := utf8.RuneCountInString(k)
		if kn < 4 || abs(kn-n) > maxD || polar[synonyms[k]] {
			continue
		}
		d := osaDistance(key, k)
		if n == 4 || kn == 4 {
			if d != 1 || !isTransposition(key, k) {
				continue
			}
		}
		if d < best {
			best, fields, syn = d, []string{synonyms[k]}, k
		} else if d == best && !contains(fields, synonyms[k]) {
			fields = append(fields, synonyms[k])
		}
	}
	if best > maxD || len(fields) != 1 {
		return "", "", false
	}
	return fields[0], syn, true
}

// polar fields have synonyms one small edit away from their opposite ("abgemeldet"
// and "angemeldet", "unsubscribed" and "subscribed"): never matched misspelt.
var polar = set("opt_out", "consent", "opt_out_date", "opt_out_reason")

// compoundField finds a one-word synonym of at least five letters that ends a long
// word ("Spendenbetrag" → betrag, "Spendendatum" → datum).
func compoundField(w string) (field, syn string, ok bool) {
	bestLen := 0
	for _, k := range synKeys() {
		if len(k) >= 5 && len(w)-len(k) >= 3 && strings.HasSuffix(w, k) && len(k) > bestLen {
			field, syn, bestLen = synonyms[k], k, len(k)
		}
	}
	return field, syn, bestLen > 0
}

// matchAbbrev compares the header's words, stop words aside, with each synonym's:
// every word equal to or an abbreviation of the synonym's word in the same place
// ("F. Nac." → fecha nacimiento, "Cod. Postal", "Tfno. móvil", "Nom.").
func matchAbbrev(hi *headerInfo, toks []htok) {
	var ts []htok
	for _, t := range toks {
		if !stopWords[t.w] {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return
	}
	type cand struct {
		score float64
		text  string
	}
	found := map[string]cand{}
	for _, e := range synEntries {
		if len(e.words) != len(ts) {
			continue
		}
		ok, shortened, dotted := true, false, false
		for i, t := range ts {
			if t.w == e.words[i] {
				continue
			}
			if !abbreviates(t, e.words[i], len(ts)) {
				ok = false
				break
			}
			shortened = true
			dotted = dotted || t.dotted
		}
		if !ok {
			continue
		}
		s := 0.85 // the same words, stop words aside: "Cognome Nome", "NOM Prénom"
		if shortened {
			s = 0.65
			if dotted {
				s = 0.75
			}
		}
		if c, seen := found[e.field]; !seen || s > c.score {
			found[e.field] = cand{s, e.text}
		}
	}
	if len(found) == 0 && len(ts) >= 2 && len(ts) <= 3 {
		// "Geb.-Datum" → geburtsdatum: first word starts a one-word synonym, last ends it.
		for _, e := range synEntries {
			if len(e.words) == 1 && len(e.words[0]) >= 8 && len(ts[0].w) >= 2 &&
				strings.HasPrefix(e.words[0], ts[0].w) && strings.HasSuffix(e.words[0], ts[len(ts)-1].w) &&
				len(ts[0].w)+len(ts[len(ts)-1].w) < len(e.words[0]) && len(ts[len(ts)-1].w) >= 4 {
				found[e.field] = cand{0.6, e.text}
			}
		}
	}
	if len(found) == 0 && len(ts) == 1 && !ts[0].dotted {
		// "Tlf", "Tfno": a consonant skeleton of a one-word synonym.
		for _, e := range synEntries {
			if len(e.words) == 1 && skeletonOf(ts[0].w, e.words[0]) {
				found[e.field] = cand{0.5, e.text}
			}
		}
	}
	for f, c := range found {
		s := c.score
		if len(found) > 1 {
			s *= 0.75 // "Nac." could be nacimiento or nación
		}
		if s <= 0.85 && (hi.hits[f].score < s) {
			hi.add(headerHit{f, s, hitAbbrev, c.text})
		}
	}
}

// abbreviates reports whether header word t can stand for synonym word w: a prefix of
// it (at least three letters, or two when written with a dot, or one dotted letter in
// a header of several words), or a dotted consonant skeleton ("tfno." → telefono).
func abbreviates(t htok, w string, nwords int) bool {
	if len(t.w) >= len(w) {
		return false
	}
	if strings.HasPrefix(w, t.w) {
		switch {
		case len(t.w) >= 3:
			return true
		case len(t.w) == 2:
			return t.dotted || nwords > 1
		default:
			return t.dotted && nwords > 1
		}
	}
	return (t.dotted || nwords > 1) && skeletonOf(t.w, w)
}

// skeletonOf reports whether t abbreviates w by dropping letters: same first letter,
// t's letters in order within w, and t either has no vowels or ends like w ("tlf",
// "tfno" → telefono; but not "dni" → donacion).
func skeletonOf(t, w string) bool {
	if len(t) < 2 || len(t) >= len(w) || t[0] != w[0] {
		return false
	}
	vowels := strings.ContainsAny(t, "aeiouy")
	if vowels && t[len(t)-1] != w[len(w)-1] {
		return false
	}
	if vowels && strings.ContainsAny(t[:len(t)-1], "aeiouy") {
		return false
	}
	j := 0
	for i := 0; i < len(w) && j < len(t); i++ {
		if w[i] == t[j] {
			j++
		}
	}
	return j == len(t)
}

// osaDistance is the Levenshtein distance (agnivade/levenshtein), counting a swap of two
// adjacent letters, the commonest typo ("Emial"), as one edit rather than two.
func osaDistance(a, b string) int {
	d := levenshtein.ComputeDistance(a, b)
	if d == 2 && isTransposition(a, b) {
		return 1
	}
	return d
}

func isTransposition(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// ---- value evidence ----

// valueStats are the shares of a column's sampled values that read as each kind.
type valueStats struct {
	n          int
	distinct   float64 // distinct values / n
	email      float64
	phone      float64 // valid phone numbers in one of phoneRegions
	phoneFmt   float64 // valid and written like a phone number: +, 00, a trunk 0, spaces or dashes
	phoneAny   float64 // shaped like a phone number (header confirmation only)
	date       float64
	timestamp  float64 // dates carrying a time of day
	birthLike  bool    // years spread over decades, or long ago
	eventLike  bool    // years recent and close together
	yearLo     int
	yearHi     int
	money      float64 // amounts with decimals or a currency
	integer    float64 // plain integers up to six digits
	iban       float64
	postStrong float64 // postcode patterns that are little else (00-950, X5000ABC, SW1A 1AA, 1000-001)
	postAny    float64 // also 5- and 4-digit numbers
	country    float64
	boolean    float64
	given      float64 // the whole value is a known given name
	full       float64 // two or more name words, one a known given name at either end
	family     float64 // name-shaped words, not a given name nor a full name
	caps       float64 // one or two words in capitals, as family names are often written
	place      float64 // words without digits: a place, a name, a label
	street     float64 // a street word, or words with a number
	idLike     float64 // one token with digits
	natID      float64 // national ids by their shape or check digits (DNI 12345678Z, a valid PESEL)
	idShaped   float64 // could be a national id: letters and digits, 5–20 of them
	rowCounter bool    // 1, 2, 3, ...
	org        float64
	currency   float64
	long       float64 // sentences
	digits     float64 // values with any digit

	famFirst, givFirst   int // order votes among full names
	dayFirst, monthFirst bool
	dateShape            string // "xx.yy.zzzz": separator and year width of numeric dates; "mixed"
	commaDec, dotDec     int
	phoneValues          []string
}

var (
	rePostStrong = regexp.MustCompile(`^(?i)(\d{2}-\d{3}|\d{4}-\d{3}|\d{5}-\d{3}|[a-z]\d{4}[a-z]{3}|[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}|\d{4} ?[a-z]{2}|\d{5}-\d{4}|[a-z]\d[a-z] ?\d[a-z]\d)$`)
	rePostWeak   = regexp.MustCompile(`^(\d{4,5}|\d{8})$`)
	reNumDate    = regexp.MustCompile(`^(\d{1,4})([./-])(\d{1,2})([./-])(\d{1,4})$`)
	reTime       = regexp.MustCompile(`\d{1,2}:\d{2}`)
	rePhoneChars = regexp.MustCompile(`^[+(]?[\d\s().\-/]{6,}$`)
	reDecComma   = regexp.MustCompile(`,\d{1,2}$`)
	reDecDot     = regexp.MustCompile(`\.\d{1,2}$`)
	reIDLike     = regexp.MustCompile(`^[\p{L}\d._/#-]*\d[\p{L}\d._/#-]*$`)
)

var streetWords = set("calle", "c", "avda", "av", "avenida", "plaza", "pza", "pl", "paseo", "ul", "al", "os",
	"rua", "r", "travessa", "trav", "rue", "bd", "boulevard", "avenue", "via", "viale", "piazza", "corso",
	"street", "st", "road", "rd", "lane", "ave", "drive", "flat", "apt", "piso", "dto", "depto", "carrer",
	"rambla", "camino", "ctra", "carretera", "largo", "alameda", "ronda", "travesia", "ulica", "aleja",
	"osiedle", "platz", "weg", "allee", "gasse", "strasse", "str", "chemin", "impasse", "place", "apto")

var orgWords = set("ltd", "limited", "inc", "llc", "gmbh", "sa", "sl", "slu", "srl", "spa", "sp", "zoo",
	"foundation", "fundacion", "fundacja", "fundacao", "fondation", "stiftung", "fondazione", "asociacion",
	"association", "associacao", "stowarzyszenie", "verein", "ev", "associazione", "trust", "school", "colegio",
	"escuela", "ceip", "ies", "szkola", "ecole", "schule", "scuola", "church", "iglesia", "parroquia",
	"parafia", "university", "universidad", "uniwersytet", "ayuntamiento", "council", "club", "company",
	"bank", "banco", "ong", "ngo", "caritas", "cooperativa", "instituto", "institute", "hospital", "biblioteca",
	"library", "municipal", "ministerio", "traders", "group", "grupo", "federacion", "sindicato", "centro",
	"center", "centre", "ltda", "sas", "sarl", "ag", "kg", "ohg", "co", "corp", "corporation", "parish")

var currencies = set("eur", "pln", "ars", "usd", "gbp", "brl", "chf", "mxn", "clp", "uyu", "cop", "pen",
	"€", "$", "zl", "zł", "r$", "£", "euro", "euros", "dolares", "pesos")

// analyseValues computes the shares of vs that read as each kind.
func analyseValues(vs []string) valueStats {
	st := valueStats{n: len(vs), yearLo: 9999}
	if len(vs) == 0 {
		return st
	}
	seen := map[string]bool{}
	var years []int
	n := float64(len(vs))
	counter := true
	for i, v := range vs {
		seen[v] = true
		if v != strconv.Itoa(i+1) {
			counter = false
		}
		if strings.ContainsAny(v, "0123456789") {
			st.digits++
		}
		if isEmailCell(v) {
			st.email++
			continue
		}
		if _, err := normalize.IBAN(v); err == nil && len(v) >= 15 {
			st.iban++
			continue
		}
		st.noteNationalID(v)
		isDate := false
		if t, err := normalize.Date(v, "", false); err == nil {
			isDate = true
			st.date++
			years = append(years, t.Year())
			if reTime.MatchString(v) {
				st.timestamp++
			}
			st.noteDateShape(v)
		}
		if !isDate {
			money := st.noteAmount(v)
			if !money && rePhoneChars.MatchString(v) && countDigits(v) >= 7 {
				st.phoneAny++
				if len(st.phoneValues) < 50 {
					st.phoneValues = append(st.phoneValues, v)
				}
			}
		}
		if rePostStrong.MatchString(v) {
			st.postStrong++
			st.postAny++
		} else if rePostWeak.MatchString(v) && !isDate {
			st.postAny++
		}
		if _, err := normalize.Country(v); err == nil {
			st.country++
		}
		if _, err := normalize.Bool(v); err == nil {
			st.boolean++
		}
		if c := strings.ToLower(strings.TrimSpace(v)); currencies[c] {
			st.currency++
		}
		st.noteText(v)
		if !strings.ContainsAny(v, " \t") && utf8.RuneCountInString(v) <= 40 && reIDLike.MatchString(v) {
			st.idLike++
		}
	}
	valid, fmtd := phoneShares(st.phoneValues)
	st.phone, st.phoneFmt = valid*st.phoneAny/n, fmtd*st.phoneAny/n
	st.rowCounter = counter && len(vs) >= 3
	st.distinct = float64(len(seen)) / n
	if len(years) > 0 {
		st.yearsProfile(years)
	}
	for _, p := range []*float64{&st.email, &st.iban, &st.date, &st.timestamp, &st.money, &st.integer,
		&st.postStrong, &st.postAny, &st.country, &st.boolean, &st.given, &st.full, &st.family, &st.caps, &st.place,
		&st.street, &st.idLike, &st.natID, &st.idShaped, &st.org, &st.currency, &st.long, &st.digits, &st.phoneAny} {
		*p /= n
	}
	if st.date > 0 {
		st.timestamp /= st.date
	}
	return st
}

func isEmailCell(v string) bool {
	if !strings.Contains(v, "@") {
		return false
	}
	if _, err := normalize.Email(v); err == nil {
		return true
	}
	parts := normalize.SplitMulti(v)
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if _, err := normalize.Email(p); err != nil {
			return false
		}
	}
	return true
}

// phoneRegions are tried, in order, for numbers written without a country prefix.
var phoneRegions = []string{"ES", "AR", "PL", "PT", "BR", "FR", "IT", "GB", "US", "MX", "CL", "DE"}

// phoneShares returns the shares of vs that are valid phone numbers, and valid and
// written the way phone numbers are (a plain string of digits may as well be an id).
// German national numbers are only accepted with their trunk 0: Germany's numbering
// plan accepts almost any digits, so a PESEL or a CPF would pass.
func phoneShares(vs []string) (valid, formatted float64) {
	if len(vs) == 0 {
		return 0, 0
	}
	ok, okFmt := 0, 0
	for _, v := range vs {
		plain := strings.Trim(v, "0123456789") == "" && v[0] != '0'
		for _, r := range phoneRegions {
			if r == "DE" && !strings.HasPrefix(strings.TrimLeft(v, "( "), "0") {
				continue
			}
			if _, err := normalize.Phone(v, r); err == nil {
				ok++
				if !plain {
					okFmt++
				}
				break
			}
		}
	}
	return float64(ok) / float64(len(vs)), float64(okFmt) / float64(len(vs))
}

func countDigits(v string) int {
	n := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// phoneCountry returns the region in which nearly every national number of the column
// is valid while few are valid in any other, or "" when numbers are international or
// fit several regions.
func phoneCountry(vs []string) string {
	counts := map[string]int{}
	national := 0
	for _, v := range vs {
		if strings.HasPrefix(v, "+") || strings.HasPrefix(v, "00") {
			continue
		}
		national++
		for _, r := range phoneRegions {
			if r == "DE" && !strings.HasPrefix(strings.TrimLeft(v, "( "), "0") {
				continue
			}
			if _, err := normalize.Phone(v, r); err == nil {
				counts[r]++
			}
		}
	}
	if national < 3 {
		return ""
	}
	best, second := "", 0
	for _, r := range phoneRegions {
		c := counts[r]
		if best == "" || c > counts[best] {
			if best != "" {
				second = max(second, counts[best])
			}
			best = r
		} else {
			second = max(second, c)
		}
	}
	// Numbering plans overlap (a Spanish mobile is a valid Polish number) and a wrong
	// region stores wrong numbers: name a country only when no other comes close.
	if float64(counts[best]) >= 0.9*float64(national) && float64(second) < 0.3*float64(national) {
		return best
	}
	return ""
}

// noteNationalID counts v as a national id when its shape says so whatever its check
// (a Spanish DNI's letter, an Argentine DNI's dots, a CUIT written 20-12345678-9) or,
// for a bare 11-digit number, when a PESEL, CUIT or CPF check passes: one in ten random
// numbers passes the PESEL check, so a phone column never reaches the shares that count.
func (st *valueStats) noteNationalID(v string) {
	kind, valid := normalize.NationalIDKind(v)
	if valid || kind != normalize.IDUnknown {
		st.idShaped++
	}
	switch kind {
	case normalize.IDUnknown:
	case normalize.IDArgentineDNI:
		if !strings.HasSuffix(v, ".000") { // 1.500.000: a round amount
			st.natID++
		}
	case normalize.IDPESEL, normalize.IDCUIT:
		if valid || strings.ContainsAny(v, "-./ ") {
			st.natID++
		}
	default:
		st.natID++
	}
}

// noteDateShape records the layout of numeric dates, so that a format can be proposed
// when the values prove the order of day and month (one of them above 12).
func (st *valueStats) noteDateShape(v string) {
	if i := strings.IndexAny(v, " T"); i > 0 {
		v = v[:i] // a time of day
	}
	m := reNumDate.FindStringSubmatch(v)
	if m == nil || m[2] != m[4] {
		st.dateShape = "mixed"
		return
	}
	if len(m[1]) == 4 {
		return // year first: read whatever the format
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	if a > 12 && b <= 12 {
		st.dayFirst = true
	}
	if b > 12 && a <= 12 {
		st.monthFirst = true
	}
	// One or two digits for day and month is one layout: formats are read leniently.
	shape := "xx" + m[2] + "yy" + m[2] + strings.Repeat("z", len(m[5]))
	if st.dateShape == "" {
		st.dateShape = shape
	} else if st.dateShape != shape {
		st.dateShape = "mixed"
	}
}

// noteAmount counts v as an amount when it reads as one, and reports whether it is
// clearly money (decimals or a currency), which rules out a phone number.
func (st *valueStats) noteAmount(v string) bool {
	a, err := normalize.ParseAmount(v, normalize.DecimalAuto)
	if err != nil {
		return false
	}
	core := strings.TrimFunc(v, func(r rune) bool { return !unicode.IsDigit(r) })
	hasCur := a.Currency != "" || strings.ContainsAny(v, "$€£") || strings.Contains(strings.ToLower(v), "zł")
	decComma := reDecComma.MatchString(core)
	decDot := reDecDot.MatchString(core)
	switch {
	case decComma:
		st.commaDec++
		st.money++
	case decDot:
		st.dotDec++
		st.money++
	case hasCur:
		st.money++
	case len(core) <= 6 && strings.Trim(core, "0123456789") == "" && !strings.HasPrefix(core, "0"):
		st.integer++
		return false
	default:
		return false
	}
	return true
}

var listSeparators = strings.NewReplacer(",", " ", ";", " ")

// noteText classifies v as a person's name (given, whole, family), a place, a street,
// an organisation or free text.
func (st *valueStats) noteText(v string) {
	clean := normalize.CleanName(v)
	words := strings.Fields(listSeparators.Replace(clean))
	if len(words) == 0 {
		return
	}
	folded := normalize.Fold(clean)
	fw := strings.Fields(folded)
	hasDigit := strings.ContainsAny(v, "0123456789")
	nameShaped := !hasDigit && len(words) <= 6 && !strings.ContainsAny(v, "@:/()") && isNameWords(words)
	if nameShaped && v == strings.ToUpper(v) && len(fw) <= 2 {
		st.caps++
	}
	switch {
	case nameShaped && (normalize.IsGivenName(folded) || allInitials(words)):
		st.given++
	case nameShaped && len(fw) >= 2 && (normalize.IsGivenName(fw[0]) || normalize.IsGivenName(fw[len(fw)-1])):
		st.full++
		st.voteOrder(v, words, fw)
	case nameShaped && len(fw) <= 4:
		st.family++
	}
	if !hasDigit && len(words) <= 5 && !strings.Contains(v, "@") {
		st.place++
	}
	if len(words) >= 2 && hasDigit && hasLetters(v) && !strings.Contains(v, "@") {
		st.street += 0.7
		if streetWords[fw[0]] || streetWords[fw[len(fw)-1]] || strings.HasSuffix(fw[0], "strasse") ||
			strings.HasSuffix(fw[0], "weg") || strings.HasSuffix(fw[0], "platz") {
			st.street += 0.3
		}
	}
	for _, w := range fw {
		if orgWords[w] {
			st.org++
			break
		}
	}
	if len(words) >= 5 || utf8.RuneCountInString(v) >= 40 {
		st.long++
	}
}

// allInitials reports a middle name written as initials: "J.", "J.M.". The dot is
// required: a lone capital is more often a code (S/N, H/M).
func allInitials(words []string) bool {
	for _, w := range words {
		for w != "" {
			r, n := utf8.DecodeRuneInString(w)
			if !unicode.IsUpper(r) || n >= len(w) || w[n] != '.' {
				return false
			}
			w = strings.TrimLeft(w[n:], ".")
		}
	}
	return true
}

// isNameWords reports words that could make a person's name: letters, with hyphens,
// apostrophes or an initial's dot.
func isNameWords(words []string) bool {
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '’' && r != '.' {
				return false
			}
		}
	}
	return true
}

func hasLetters(v string) bool {
	for _, r := range v {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// voteOrder notes whether a full name is written family name first: "KOWALSKA Anna",
// "Kowalska, Anna", "Kowalski Jan" (a given name last, none first).
func (st *valueStats) voteOrder(v string, words, fw []string) {
	first, last := fw[0], fw[len(fw)-1]
	upper := func(w string) bool { return w == strings.ToUpper(w) && w != strings.ToLower(w) }
	switch {
	case strings.Contains(v, ","):
		st.famFirst++
	case upper(words[0]) && !upper(words[len(words)-1]):
		st.famFirst++
	case !upper(words[0]) && upper(words[len(words)-1]) && len(words) >= 2:
		st.givFirst++
	case normalize.IsGivenName(last) && !normalize.IsGivenName(first):
		st.famFirst++
	case normalize.IsGivenName(first) && !normalize.IsGivenName(last):
		st.givFirst++
	}
}

// yearsProfile tells birth dates (spread over decades, or long ago) from payment and
// event dates (recent and close together) by the years of the column's dates.
func (st *valueStats) yearsProfile(years []int) {
	sort.Ints(years)
	lo, hi := years[len(years)/10], years[len(years)-1-len(years)/10]
	med := years[len(years)/2]
	st.yearLo, st.yearHi = years[0], years[len(years)-1]
	st.birthLike = (hi-lo >= 15 && med <= currentYear-12) || med <= currentYear-30
	st.eventLike = hi-lo <= 10 && med >= currentYear-25 && years[0] >= currentYear-40
}

// ---- combining ----

type candidate struct {
	field    string
	score    float64
	header   *headerHit // header evidence behind it, if any
	vals     string     // what the values said
	switched bool       // chosen by values against the header
	blocked  string     // why a header word rules the field out
}

type colAnalysis struct {
	sample ColumnSample
	header *headerInfo
	stats  valueStats
	cands  []candidate // best first
}

// support says how well the values fit field f: 1 fits, about 0.5 says nothing, near 0
// contradicts. strong is false for fields whose values cannot be checked reliably.
func support(f string, st valueStats) (s float64, strong bool, what string) {
	if st.n == 0 {
		return 0.5, false, ""
	}
	typed := math.Max(math.Max(st.email, st.iban), math.Max(st.date, math.Max(st.money, st.phone)))
	text := func() (float64, bool, string) {
		if typed >= 0.7 {
			return 0.1, true, fmt.Sprintf("but %s", describeTyped(st))
		}
		return 0.5, false, ""
	}
	switch f {
	case "email":
		return st.email, true, pct(st.email, "emails")
	case "phone":
		s := math.Max(st.phone, 0.8*st.phoneAny)
		return s, true, pct(s, "phone numbers")
	case "iban":
		return st.iban, true, pct(st.iban, "IBANs")
	case "date", "birth_date", "opt_out_date":
		s := st.date
		if f == "birth_date" && (st.eventLike || st.timestamp >= 0.5) {
			s *= 0.6
		}
		if f == "date" && st.birthLike {
			s *= 0.5
		}
		return s, true, pct(st.date, "dates"+yearSpan(st))
	case "amount", "debit", "credit":
		s := math.Min(1, st.money+0.6*st.integer)
		return s, true, pct(s, "amounts")
	case "postcode":
		s := math.Max(st.postStrong, 0.9*st.postAny)
		return s, true, pct(s, "postcodes")
	case "country":
		return st.country, true, pct(st.country, "countries")
	case "consent", "opt_out":
		return st.boolean, true, pct(st.boolean, "yes/no values")
	case "given_name":
		if st.full >= 0.5 {
			return 0.15, true, pct(st.full, "whole names")
		}
		if st.given < 0.3 && st.family >= 0.6 {
			return 0.35, false, pct(st.given, "known given names")
		}
		return math.Max(st.given, 0.3), st.given >= 0.3, pct(st.given, "known given names")
	case "family_name":
		if st.full >= 0.5 {
			return 0.15, true, pct(st.full, "whole names")
		}
		if st.given >= 0.6 {
			return 0.2, true, pct(st.given, "given names")
		}
		if typed >= 0.5 || st.digits >= 0.5 {
			return 0.1, true, "but values are not names"
		}
		return math.Min(0.9, st.family+st.full), false, pct(st.family, "family names")
	case "full_name":
		if typed >= 0.5 || st.digits >= 0.5 {
			return 0.05, true, "but values are not names"
		}
		if st.full < 0.3 && st.given+st.family >= 0.7 {
			return 0.15, true, pct(st.full, "whole names")
		}
		return st.full, true, pct(st.full, "whole names")
	case "street":
		if typed >= 0.7 {
			return text()
		}
		if st.street < 0.2 && st.place >= 0.8 {
			return 0.3, false, "values have no house numbers"
		}
		return math.Max(0.5, st.street), false, pct(st.street, "street addresses")
	case "city", "region":
		if typed >= 0.7 || st.postAny >= 0.7 || st.digits >= 0.6 {
			return 0.1, true, "but values are not place names"
		}
		if st.country >= 0.8 {
			return 0.15, true, pct(st.country, "countries")
		}
		return 0.5, false, ""
	case "organization":
		if typed >= 0.7 || st.digits >= 0.7 {
			return 0.1, true, "but values are not organisation names"
		}
		if st.full >= 0.7 || st.boolean >= 0.8 {
			return 0.2, true, "but values are not organisation names"
		}
		return math.Max(0.5, st.org), false, pct(st.org, "organisation names")
	case "external_id":
		if st.rowCounter {
			return 0.15, true, "but values only count rows"
		}
		if st.distinct < 0.7 {
			return 0.15, true, "but values repeat"
		}
		if st.email >= 0.5 || st.date >= 0.5 || st.money >= 0.5 {
			return 0.1, true, "but " + describeTyped(st)
		}
		return math.Max(0.5, st.idLike), false, pct(st.idLike, "codes")
	case "national_id":
		switch {
		case st.email >= 0.5 || st.iban >= 0.5 || st.date >= 0.5 || st.money >= 0.5:
			return 0.1, true, "but " + describeTyped(st)
		case st.natID >= 0.5:
			return st.natID, true, pct(st.natID, "national id numbers")
		case st.phoneFmt >= 0.6:
			return 0.2, true, "but " + pct(st.phoneFmt, "phone numbers")
		case st.integer >= 0.7:
			return 0.2, true, "but values are short numbers"
		case st.idShaped < 0.3:
			return 0.1, true, "but values are not id numbers"
		}
		return 0.7 * st.idShaped, false, pct(st.idShaped, "id numbers")
	case "occupation":
		if typed >= 0.7 || st.digits >= 0.5 {
			return 0.1, true, "but values are not occupations"
		}
		if st.full >= 0.7 || st.boolean >= 0.8 {
			return 0.2, true, "but values are not occupations"
		}
		return 0.5, false, ""
	case "currency":
		return st.currency, true, pct(st.currency, "currency codes")
	case "tags":
		if st.boolean >= 0.8 {
			return 0.2, true, "but values are yes/no"
		}
		return text()
	case "notes", "reference", "opt_out_reason":
		return text()
	}
	return 0.5, false, ""
}

func describeTyped(st valueStats) string {
	type k struct {
		s    float64
		name string
	}
	ks := []k{{st.email, "emails"}, {st.iban, "IBANs"}, {st.date, "dates"}, {st.money, "amounts"}, {st.phone, "phone numbers"}}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].s > ks[j].s })
	return pct(ks[0].s, ks[0].name)
}

func pct(s float64, what string) string {
	return fmt.Sprintf("%.0f%% of values are %s", 100*s, what)
}

func yearSpan(st valueStats) string {
	if st.yearLo > st.yearHi {
		return ""
	}
	if st.yearLo == st.yearHi {
		return fmt.Sprintf(" (%d)", st.yearLo)
	}
	return fmt.Sprintf(" (%d–%d)", st.yearLo, st.yearHi)
}

// confirm combines a header score h with value support s.
func confirm(h, s float64, strong bool) float64 {
	switch {
	case s >= 0.6:
		return h + (1-h)*0.6*math.Min(1, (s-0.6)/0.3)
	case s >= 0.3 || !strong:
		return h * (0.75 + 0.25*math.Max(0, s-0.3)/0.3)
	default:
		return h * (0.3 + s)
	}
}

// valueOnly scores the fields that the values alone point to.
func valueOnly(st valueStats) map[string]candidate {
	out := map[string]candidate{}
	put := func(f string, s float64, why string) {
		if c, ok := out[f]; !ok || s > c.score {
			out[f] = candidate{field: f, score: s, vals: why}
		}
	}
	if st.n == 0 {
		return out
	}
	switch {
	case st.email >= 0.9:
		put("email", 0.92, pct(st.email, "emails"))
	case st.email >= 0.7:
		put("email", 0.8, pct(st.email, "emails"))
	case st.email >= 0.5:
		put("email", 0.6, pct(st.email, "emails"))
	}
	switch {
	case st.iban >= 0.8:
		put("iban", 0.92, pct(st.iban, "IBANs"))
	case st.iban >= 0.5:
		put("iban", 0.7, pct(st.iban, "IBANs"))
	}
	if st.date < 0.5 {
		switch {
		case st.phone >= 0.85 && st.phoneFmt >= 0.5:
			put("phone", 0.85, pct(st.phone, "phone numbers"))
		case st.phone >= 0.6 && st.phoneFmt >= 0.4:
			put("phone", 0.65, pct(st.phone, "phone numbers"))
		case st.phone >= 0.85:
			// Plain digit strings: phone numbers, or ids of the same length.
			put("phone", 0.5, pct(st.phone, "digit strings that are valid phone numbers"))
		}
	}
	switch {
	case st.postStrong >= 0.8:
		put("postcode", 0.85, pct(st.postStrong, "postcodes"))
	case st.postAny >= 0.9 && st.distinct >= 0.3:
		put("postcode", 0.55, pct(st.postAny, "postcode-like numbers"))
	}
	if st.country >= 0.8 && st.boolean < 0.5 {
		put("country", 0.8, pct(st.country, "countries"))
	}
	if st.currency >= 0.9 {
		put("currency", 0.8, pct(st.currency, "currency codes"))
	}
	if st.date >= 0.8 {
		why := pct(st.date, "dates"+yearSpan(st))
		switch {
		case st.timestamp >= 0.5:
			put("date", 0.4, why+" with times of day")
		case st.birthLike:
			put("birth_date", 0.68, why+", decades apart like birth dates")
			put("date", 0.3, why)
		case st.eventLike:
			put("date", 0.62, why+", recent like payments")
			put("birth_date", 0.25, why)
		default:
			put("date", 0.45, why)
			put("birth_date", 0.45, why)
		}
	}
	switch {
	case st.money >= 0.8:
		put("amount", 0.72, pct(st.money, "money amounts"))
	case st.money >= 0.5:
		put("amount", 0.55, pct(st.money, "money amounts"))
	case st.money+st.integer >= 0.9:
		put("amount", 0.3, pct(st.money+st.integer, "numbers"))
	}
	if st.boolean >= 0.9 {
		put("consent", 0.42, pct(st.boolean, "yes/no values"))
		put("opt_out", 0.38, pct(st.boolean, "yes/no values"))
	}
	switch {
	case st.given >= 0.75:
		put("given_name", 0.72, pct(st.given, "known given names"))
	case st.given >= 0.55:
		put("given_name", 0.55, pct(st.given, "known given names"))
	}
	switch {
	case st.full >= 0.7:
		put("full_name", 0.72, pct(st.full, "whole names (a known given name and more)"))
	case st.full >= 0.5:
		put("full_name", 0.55, pct(st.full, "whole names"))
	}
	// Many family names are also given names (Martin, Thomas, Simon): allow some, and
	// more when written in capitals ("DUPONT"), the usual mark of a family name.
	if st.family+st.given >= 0.8 && st.full <= 0.2 && st.distinct >= 0.5 &&
		((st.family >= 0.6 && st.given <= 0.35) || (st.caps >= 0.8 && st.family >= 0.5 && st.given <= 0.5)) {
		put("family_name", 0.45, pct(st.family, "name-like words that are not given names"))
	}
	if st.place >= 0.8 && st.given <= 0.3 && st.full <= 0.3 && st.boolean < 0.5 && st.country < 0.5 {
		if st.distinct <= 0.8 {
			put("city", 0.5, "values look like place names and repeat")
		} else {
			put("city", 0.38, "values look like place names")
		}
		if st.distinct <= 0.5 {
			put("region", 0.35, "values look like place names and repeat")
		}
	}
	if st.street >= 0.7 {
		put("street", 0.7, pct(st.street, "street addresses"))
	}
	if st.org >= 0.5 {
		put("organization", 0.65, pct(st.org, "organisation names"))
	}
	if st.natID >= 0.5 {
		why := pct(st.natID, "national id numbers (DNI, NIE, PESEL, CUIT, ...)")
		switch {
		case st.natID >= 0.9:
			put("national_id", 0.85, why)
		case st.natID >= 0.7:
			put("national_id", 0.7, why)
		default:
			put("national_id", 0.55, why)
		}
	}
	if st.idLike >= 0.9 && st.distinct >= 0.95 && !st.rowCounter && st.phoneFmt < 0.5 && st.date < 0.5 {
		// Below minUse: unique codes may as well be national ids of a kind the values
		// do not show (an Argentine DNI without its dots), which are not the source's
		// record id; only a header can say.
		put("external_id", 0.45, "values are unique codes")
	}
	if st.long >= 0.5 {
		put("notes", 0.45, "values are free text")
	}
	return out
}

var nameFields = set("given_name", "family_name", "full_name")
var dateFields = set("date", "birth_date")

// unmistakable fields are those whose values cannot be anything else.
var unmistakable = set("email", "iban", "phone", "postcode", "country")

func analyse(c ColumnSample) *colAnalysis {
	a := &colAnalysis{sample: c, header: analyseHeader(c.Header)}
	vs := c.Values
	if len(vs) > MaxSample {
		vs = vs[:MaxSample]
	}
	var clean []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			clean = append(clean, v)
		}
	}
	a.stats = analyseValues(clean)
	a.score()
	return a
}

// score builds the column's candidates from header and values.
func (a *colAnalysis) score() {
	hi, st := a.header, a.stats
	byField := map[string]candidate{}
	put := func(c candidate) {
		if old, ok := byField[c.field]; !ok || c.score > old.score {
			byField[c.field] = c
		}
	}
	top, hasHeader := hi.best()
	for _, h := range hi.sorted() {
		s, strong, why := support(h.field, st)
		put(candidate{field: h.field, score: confirm(h.score, s, strong), header: &h, vals: why})
	}
	for f, c := range valueOnly(st) {
		k := 1.0
		switch {
		case hi.positional:
		case !hasHeader:
			k = 0.9 // a header we cannot read: likely an extra column
			if f == "date" {
				k = 0.75 // recent dates under an unknown header: as often sign-up or edit dates
			}
		case f == top.field:
			continue // already confirmed above
		case nameFields[f] && nameFields[top.field], dateFields[f] && dateFields[top.field]:
			// "Nombre" holding whole names, "Data" holding birth dates: the header named
			// the right kind of field, the values say which one.
			c.score = math.Max(c.score+0.08, math.Min(top.score, 0.95)*0.95)
			if s, _, _ := support(top.field, st); s >= 0.6 {
				continue
			}
		case unmistakable[f]:
			k = 0.9
		default:
			k = 0.75
			if s, strong, _ := support(top.field, st); strong && s < 0.3 {
				k = 0.9 // the values refute the header's field: they are the better witness
			}
		}
		c.score *= k
		if hasHeader {
			c.switched = true
		}
		put(c)
	}
	for f, c := range byField {
		if w, ok := hi.blocked["*"]; ok {
			c.score *= 0.25
			c.blocked = fmt.Sprintf("the word %q says the column is about someone else", w)
		} else if w, ok := hi.blocked[f]; ok {
			c.score *= 0.25
			if dateFields[f] {
				c.blocked = fmt.Sprintf("the word %q makes it a record-keeping date", w)
			} else {
				c.blocked = fmt.Sprintf("the word %q says it describes the field rather than holds it", w)
			}
		}
		byField[f] = c
	}
	a.cands = a.cands[:0]
	for _, c := range byField {
		a.cands = append(a.cands, c)
	}
	sortCands(a.cands)
}

func sortCands(cs []candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return fieldOrder(cs[i].field) < fieldOrder(cs[j].field)
	})
}

func fieldOrder(f string) int {
	for i, x := range Fields {
		if x.Name == f {
			return i
		}
	}
	return len(Fields)
}

// adjustContext uses neighbouring columns: a name-like column beside a given-name
// column is the family name (headerless "Jan;Kowalski"), and a short number after a
// street column is the house number.
func adjustContext(an []*colAnalysis) {
	best := func(i int) string {
		if i < 0 || i >= len(an) || len(an[i].cands) == 0 || an[i].cands[0].score < minUse {
			return ""
		}
		return an[i].cands[0].field
	}
	for i, a := range an {
		if best(i-1) == "given_name" || best(i+1) == "given_name" {
			for k, c := range a.cands {
				if c.field == "family_name" && c.header == nil && c.score < 0.7 {
					a.cands[k].score = math.Min(0.7, c.score+0.2)
					a.cands[k].vals += ", next to a given-name column"
				}
			}
			sortCands(a.cands)
		}
		if best(i-1) == "street" && !a.header.positional && len(a.header.hits) <= 1 && houseNumberHeader(a.sample.Header) &&
			a.stats.n > 0 && a.stats.idLike+a.stats.integer >= 0.8 {
			a.cands = append(a.cands, candidate{field: "street", score: 0.8, vals: "a house or flat number after the street column"})
			sortCands(a.cands)
		}
	}
}

var houseWords = set("numero", "number", "no", "nr", "n", "num", "nro", "piso", "puerta", "flat", "apt",
	"apartment", "depto", "dpto", "hausnummer", "hausnr", "mieszkania", "lokal", "domu", "escalera", "portal",
	"bloque", "floor", "door", "altura", "andar", "porta", "interno", "scala")

func houseNumberHeader(h string) bool {
	for _, t := range tokenize(h) {
		if houseWords[t.w] {
			return true
		}
	}
	return false
}

// resolve gives each field that only one column may hold to its best column, and turns
// the scores into guesses.
func resolve(an []*colAnalysis) []Guess {
	order := make([]int, len(an))
	for i := range order {
		order[i] = i
	}
	topScore := func(i int) float64 {
		if len(an[i].cands) == 0 {
			return 0
		}
		return an[i].cands[0].score
	}
	sort.SliceStable(order, func(x, y int) bool { return topScore(order[x]) > topScore(order[y]) })
	taken := map[string]int{}
	out := make([]Guess, len(an))
	for _, i := range order {
		a := an[i]
		var chosen *candidate
		var lost []string
		for k := range a.cands {
			c := &a.cands[k]
			if c.score < minUse {
				break
			}
			if j, ok := taken[c.field]; ok && !repeatable(c.field, a.sample.Header) {
				lost = append(lost, fmt.Sprintf("column %q is a better %s", an[j].sample.Header, c.field))
				continue
			}
			chosen = c
			break
		}
		out[i] = a.guess(chosen, lost)
		if chosen != nil {
			if _, ok := taken[chosen.field]; !ok {
				taken[chosen.field] = i
			}
		}
	}
	return out
}

func (a *colAnalysis) guess(c *candidate, lost []string) Guess {
	g := Guess{Examples: examples(a.sample.Values, 3)}
	var alts []string
	for _, o := range a.cands {
		if (c == nil || o.field != c.field) && o.score >= 0.3 && len(alts) < 3 {
			alts = append(alts, o.field)
		}
	}
	g.Alternatives = alts
	if c == nil {
		best := 0.0
		if len(a.cands) > 0 {
			best = a.cands[0].score
		}
		g.Confidence = clamp(1-math.Max(best, 0.6*a.header.raw), 0.5, 0.95)
		g.Reason = a.unmappedReason(lost)
		return g
	}
	g.Field = c.field
	g.Confidence = clamp(c.score, 0, 0.99)
	for _, o := range a.cands {
		if o.field != c.field && o.score > c.score-0.1 && !compatible(o.field, c.field) {
			// Two fields about as likely: say so rather than pretend.
			g.Confidence = math.Min(g.Confidence, Confident-0.05)
			break
		}
	}
	if len(lost) > 0 {
		g.Confidence = math.Min(g.Confidence, Confident-0.05)
	}
	g.Options = a.options(c.field)
	g.Reason = a.reason(c, lost)
	return g
}

// secondWords mark a second part of a name: "Segundo apellido", "Middle name".
var secondWords = set("segundo", "segunda", "second", "middle", "drugie", "drugi", "materno", "materna",
	"zweiter", "zweite", "deuxieme", "secondo", "seconda", "outro", "outros", "otros", "additional", "autres")

// repeatable reports whether a second column may take field. Fields that add up allow
// it, but a second given or family name column only when its header says it is a
// second part ("2º Apellido", "Middle Name"): "Imię dziecka" beside "Imię rodzica"
// names another person.
func repeatable(field, header string) bool {
	f, _ := FieldByName(field)
	if !f.Multi {
		return false
	}
	if field != "given_name" && field != "family_name" {
		return true
	}
	for _, t := range tokenize(header) {
		if isNumbering(t.w) || secondWords[t.w] {
			return true
		}
	}
	return false
}

// examples picks up to n distinct values to show what a column holds. Long values are
// cut, and emails and long digit strings (phones, accounts, ids) partly masked: the
// shape is what tells the field, and a saved mapping should not carry whole addresses.
func examples(vs []string, n int) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		v = strings.Join(strings.Fields(v), " ")
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, shorten(v))
		if len(out) == n {
			break
		}
	}
	return out
}

func shorten(v string) string {
	if at := strings.LastIndexByte(v, '@'); at > 0 {
		local := []rune(v[:at])
		if len(local) > 2 {
			local = append(local[:2], '…')
		}
		v = string(local) + v[at:]
	} else if _, err := normalize.Date(v, "", false); err != nil && countDigits(v) >= 8 {
		r := []rune(v)
		if len(r) > 6 {
			return string(r[:6]) + "…"
		}
	}
	if r := []rune(v); len(r) > 24 {
		return string(r[:23]) + "…"
	}
	return v
}

// compatible fields can share a column's doubt without harm.
func compatible(a, b string) bool {
	return (a == "consent" && b == "opt_out") || (a == "opt_out" && b == "consent")
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func (a *colAnalysis) reason(c *candidate, lost []string) string {
	var parts []string
	if c.header != nil && !c.switched {
		parts = append(parts, headerReason(a.sample.Header, *c.header))
	} else {
		if top, ok := a.header.best(); ok && top.field != c.field {
			parts = append(parts, fmt.Sprintf("header %q suggests %s", a.sample.Header, top.field))
		} else if a.header.positional {
			parts = append(parts, "no header")
		} else {
			parts = append(parts, fmt.Sprintf("header %q names no known field", a.sample.Header))
		}
	}
	if c.vals != "" {
		v := c.vals
		if strings.HasPrefix(v, "but ") && (c.header == nil || c.switched) {
			v = strings.TrimPrefix(v, "but ")
		}
		if len(parts) > 0 && !strings.HasPrefix(v, "but ") {
			parts[len(parts)-1] += ";"
		}
		parts = append(parts, v)
	}
	parts = append(parts, lost...)
	s := strings.Join(parts, " ")
	if len(lost) > 0 {
		s = strings.Replace(s, " "+lost[0], "; "+lost[0], 1)
	}
	return s
}

func (a *colAnalysis) unmappedReason(lost []string) string {
	var s string
	switch {
	case a.header.positional && a.stats.n == 0:
		s = "no header and no values"
	case a.header.positional && len(lost) > 0 && len(a.cands) > 0:
		s = "no header; " + a.cands[0].vals
	case a.header.positional:
		s = "no header, and the values fit no field"
	case a.stats.n == 0 && len(a.header.hits) == 0:
		s = fmt.Sprintf("header %q names no known field and the column is empty", a.sample.Header)
	case len(a.header.hits) == 0 && len(lost) > 0 && len(a.cands) > 0:
		s = fmt.Sprintf("header %q names no known field; %s", a.sample.Header, a.cands[0].vals)
	case len(a.header.hits) == 0:
		s = fmt.Sprintf("header %q names no known field and the values fit none", a.sample.Header)
	default:
		top, _ := a.header.best()
		s = fmt.Sprintf("header %q suggests %s", a.sample.Header, top.field)
		for _, c := range a.cands {
			if c.field != top.field {
				continue
			}
			switch {
			case c.blocked != "":
				s += ", but " + c.blocked
			case c.vals != "" && len(lost) > 0:
				s += "; " + strings.TrimPrefix(c.vals, "but ") // it fitted, another column fitted better
			case c.vals != "":
				s += " " + ensureBut(c.vals)
			}
			break
		}
	}
	if len(lost) > 0 {
		s += "; " + strings.Join(lost, "; ")
	}
	return s
}

func ensureBut(v string) string {
	if strings.HasPrefix(v, "but ") || strings.HasPrefix(v, "(") {
		return v
	}
	return "but " + v
}

func headerReason(h string, hit headerHit) string {
	switch hit.kind {
	case hitExact:
		return fmt.Sprintf("header %q is a known name for %s", h, hit.field)
	case hitPhrase:
		if HeaderKey(hit.text) == HeaderKey(h) {
			return fmt.Sprintf("header %q is a known name for %s", h, hit.field)
		}
		return fmt.Sprintf("header %q contains %q (%s)", h, hit.text, hit.field)
	case hitAbbrev:
		return fmt.Sprintf("header %q reads as an abbreviation of %q (%s)", h, hit.text, hit.field)
	case hitFuzzy:
		return fmt.Sprintf("header %q looks like a misspelt %q (%s)", h, hit.text, hit.field)
	case hitCompound:
		return fmt.Sprintf("header %q ends in %q (%s)", h, hit.text, hit.field)
	}
	return fmt.Sprintf("header %q names %s (%s)", h, hit.text, hit.field)
}

// options infers column options the values prove.
func (a *colAnalysis) options(field string) Column {
	o := Column{Field: field}
	st := a.stats
	switch field {
	case "date", "birth_date", "opt_out_date":
		if st.monthFirst && !st.dayFirst {
			o.Format = datePattern(st.dateShape, "mm", "dd")
		} else if st.dayFirst && !st.monthFirst && st.dateShape != "" && st.dateShape != "mixed" && st.date >= 0.9 {
			o.Format = datePattern(st.dateShape, "dd", "mm")
		}
	case "amount", "debit", "credit":
		switch {
		case st.commaDec > 0 && st.dotDec == 0:
			o.Decimal = "comma"
		case st.dotDec > 0 && st.commaDec == 0:
			o.Decimal = "dot"
		}
	case "full_name":
		if votes := st.famFirst + st.givFirst; votes >= 3 && float64(st.famFirst) >= 0.7*float64(votes) {
			o.Order = "family_first"
		}
	case "phone":
		o.Country = phoneCountry(st.phoneValues)
	}
	if o.Format != "" {
		if _, err := normalize.DateLayout(o.Format); err != nil {
			o.Format = ""
		}
	}
	return o
}

// datePattern turns a shape such as "xx.yy.zzzz" into "dd.mm.yyyy" (first, second
// naming the first two parts).
func datePattern(shape, first, second string) string {
	if shape == "" || shape == "mixed" {
		if first == "mm" {
			return "mm/dd/yyyy"
		}
		return ""
	}
	r := strings.NewReplacer("xx", first, "x", first[:1], "yy", second, "y", second[:1], "zzzz", "yyyy", "zz", "yy")
	return r.Replace(shape)
}
