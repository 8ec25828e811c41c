package synth

import (
	"slices"
	"strconv"
	"strings"
)

// internal indices of the noise kinds, in the order of noiseNames.
const (
	nzTypo = iota
	nzNoDiacritics
	nzUpper
	nzLower
	nzSwapped
	nzNickname
	nzSurnameDropped
	nzMarried
	nzGmail
	nzEmailTypo
	nzPhoneFormat
	nzPhoneMissing
	nzEmailMissing
	nzBirthSwapped
	nzFieldEmpty
	nzCityVariant
)

// noiseOrder applies content changes before the ones that rearrange or re-case a name,
// so that, e.g., a nickname still lands in the given-name slot before a swap.
var noiseOrder = []int{
	nzNickname, nzSurnameDropped, nzMarried, nzTypo, nzNoDiacritics, nzCityVariant,
	nzSwapped, nzUpper, nzLower, nzGmail, nzEmailTypo, nzPhoneFormat, nzPhoneMissing,
	nzEmailMissing, nzBirthSwapped, nzFieldEmpty,
}

const (
	pbInvalidEmail = iota
	pbBadDate
	pbRagged
	pbBadPhone
	pbBadAmount
)

func (g *gen) noiseApplies(k int, f Format, rc *rec, p *person) bool {
	switch k {
	case nzNoDiacritics:
		return hasNonASCII(rc.given) || hasNonASCII(rc.fam)
	case nzNickname:
		_, ok := g.tab.nick[rc.given]
		return ok || strings.Contains(rc.given, " ")
	case nzSurnameDropped:
		return p.fam2 != "" && rc.fam == p.family()
	case nzMarried:
		return p.female && p.sk.nat != natES && p.husband != "" && p.husband != p.fam1 && rc.fam == p.family()
	case nzGmail:
		return strings.HasSuffix(rc.email, "@gmail.com")
	case nzEmailTypo:
		return rc.email != ""
	case nzPhoneFormat, nzPhoneMissing:
		return f.hasPhone() && rc.ph.nsn != ""
	case nzEmailMissing:
		return f != Mailing && rc.email != ""
	case nzBirthSwapped:
		return f.hasBirth() && rc.birth.d <= 12 && rc.birth.d != rc.birth.m
	case nzFieldEmpty:
		return f != Mailing
	case nzCityVariant:
		return f.hasCity() && p.pl.hasAlias
	}
	return true
}

// addNoise gives a copy one to three distinct kinds of noise among those that are
// visible in its format.
func (w *worker) addNoise(f Format, rc *rec, p *person) {
	r, g := w.rr, w.g
	n := 1
	switch u := r.Float64(); {
	case u < 0.10:
		n = 3
	case u < 0.45:
		n = 2
	}
	var chosen [numNoise]bool
	var wts [numNoise]float64
	for range n {
		any := false
		for k := range numNoise {
			wts[k] = 0
			if !chosen[k] && g.noiseApplies(k, f, rc, p) &&
				!(k == nzUpper && chosen[nzLower]) && !(k == nzLower && chosen[nzUpper]) &&
				!(k == nzPhoneFormat && chosen[nzPhoneMissing]) && !(k == nzPhoneMissing && chosen[nzPhoneFormat]) &&
				!(k == nzEmailMissing && (chosen[nzGmail] || chosen[nzEmailTypo])) &&
				!((k == nzGmail || k == nzEmailTypo) && chosen[nzEmailMissing]) &&
				!(k == nzSurnameDropped && chosen[nzMarried]) && !(k == nzMarried && chosen[nzSurnameDropped]) {
				wts[k] = noiseWeights[k]
				any = true
			}
		}
		if !any {
			break
		}
		chosen[r.weighted(wts[:])] = true
	}
	for _, k := range noiseOrder {
		if chosen[k] && w.applyNoise(k, f, rc, p) {
			w.noise[k]++
		}
	}
}

func (w *worker) applyNoise(k int, f Format, rc *rec, p *person) bool {
	r := w.rr
	switch k {
	case nzTypo:
		if r.chance(0.5) {
			rc.given = typo(r, rc.given)
		} else {
			rc.fam = typo(r, rc.fam)
		}
	case nzNoDiacritics:
		rc.given, rc.fam = fold(rc.given), fold(rc.fam)
		if r.chance(0.5) {
			rc.city, rc.street, rc.region = fold(rc.city), fold(rc.street), fold(rc.region)
		}
	case nzUpper:
		rc.given, rc.fam = strings.ToUpper(rc.given), strings.ToUpper(rc.fam)
	case nzLower:
		rc.given, rc.fam = strings.ToLower(rc.given), strings.ToLower(rc.fam)
	case nzSwapped:
		rc.given, rc.fam = rc.fam, rc.given
		rc.swapped = true
	case nzNickname:
		nn := w.g.nickname(r, rc.given)
		if nn == "" || nn == rc.given {
			return false
		}
		rc.given = nn
	case nzSurnameDropped:
		rc.fam = p.fam1
	case nzMarried:
		switch p.sk.nat {
		case natAR:
			rc.fam = p.family() + " de " + p.husband // González de Pérez
		case natEN:
			if r.chance(0.5) {
				rc.fam = p.husband + "-" + p.fam1
			} else {
				rc.fam = p.fam1 + "-" + p.husband
			}
		default:
			rc.fam = p.husband + "-" + p.fam1 // Nowak-Kowalska
		}
	case nzGmail:
		rc.email = gmailVariant(r, rc.email)
	case nzEmailTypo:
		rc.email = emailTypo(r, rc.email)
	case nzPhoneFormat:
		rc.phStyle = r.IntN(numPhoneStyles)
	case nzPhoneMissing:
		rc.ph.nsn = ""
	case nzEmailMissing:
		rc.email = ""
	case nzBirthSwapped:
		rc.birth.d, rc.birth.m = rc.birth.m, rc.birth.d
	case nzFieldEmpty:
		var opts [5]*string
		n := 0
		if rc.city != "" {
			opts[n] = &rc.city
			n++
		}
		if f.hasPostcode() && rc.postcode != "" {
			opts[n] = &rc.postcode
			n++
		}
		if f.hasStreet() && rc.street != "" {
			opts[n] = &rc.street
			n++
		}
		if f.hasBirth() && !rc.birth.zero() {
			n++ // last slot: birth date
		}
		if n == 0 {
			return false
		}
		i := r.IntN(n)
		if opts[i] == nil {
			rc.birth = date{}
		} else {
			*opts[i] = ""
		}
	case nzCityVariant:
		rc.city = p.pl.aliases[r.IntN(len(p.pl.aliases))]
	}
	return true
}

// render builds record copyNo of person p as format f writes it, into w.row (CSV) or
// w.cells (XLSX); occ counts the person's earlier records in this file. Everything random here comes from (seed, person, copy), so a record
// is the same whatever order files are written in.
func (w *worker) render(f Format, p *person, copyNo, occ, recNo int) {
	g, r := w.g, w.rr
	var earlier []string
	if f == Mailing && occ > 0 {
		earlier = w.earlierMailing(p, copyNo)
	}
	rc := w.draw(f, p, copyNo, occ)
	if slices.Contains(earlier, rc.email) {
		// An earlier subscription drew the same variant (a domain has few likely
		// misspellings): a number tells the two apart.
		if local, dom, ok := strings.Cut(rc.email, "@"); ok {
			rc.email = local + strconv.Itoa(occ) + "@" + dom
		}
	}
	style := rc.phStyle
	if style < 0 {
		style = houseStyle(r, f, rc.ph.cty)
	}
	phoneText := fmtPhone(rc.ph, style)

	w.row = w.row[:0]
	switch f {
	case Volunteers:
		if r.chance(0.06) {
			rc.birth = date{} // birth date not asked at sign-up
		}
		if r.chance(0.10) {
			rc.street = ""
		}
		pc := rc.postcode
		if rc.ph.cty == ctyES && strings.HasPrefix(pc, "0") && r.chance(0.3) {
			pc = pc[1:] // a spreadsheet once ate the leading zero (08001 → 8001)
		}
		region := rc.region
		if r.chance(0.08) {
			region = ""
		}
		w.row = append(w.row, rc.given, rc.fam, rc.email, phoneText,
			dmy(rc.birth, '/', !r.chance(0.1)), rc.street, rc.city, region, pc,
			tags(r, volunteerTags, 3, ", "))
	case EventSignups:
		name := rc.given + " " + rc.fam
		if !rc.swapped {
			switch u := r.Float64(); {
			case u < 0.07:
				name = rc.fam + ", " + rc.given
			case u < 0.14:
				name = strings.ToUpper(rc.fam + " " + rc.given) // APELLIDO NOMBRE
			case u < 0.19:
				name = strings.ToLower(name)
			}
		}
		city := rc.city
		if city != "" && r.chance(0.1) {
			city += ", " + rc.region
		}
		w.row = append(w.row, name, rc.email, phoneText, city)
	case Donors:
		pc := rc.postcode
		if r.chance(0.03) {
			pc = strings.Replace(pc, "-", "", 1) // 00950 typed without the dash
		}
		if r.chance(0.15) {
			rc.street = ""
		}
		consent := "tak"
		if r.chance(0.3) {
			consent = "nie"
		}
		if r.chance(0.05) {
			consent = []string{"TAK", "Tak", "NIE", "Nie"}[r.IntN(4)]
		}
		w.row = append(w.row, rc.given, rc.fam, rc.email, phoneText,
			plAmount(r, amountCents(r)), dmy(pickDate(r, refYear-3, refYear-1), '.', true),
			rc.street, rc.city, pc, consent)
	case Mailing:
		given, fam := rc.given, rc.fam
		switch u := r.Float64(); {
		case u < 0.10:
			given, fam = "", "" // signed up with the address only
		case u < 0.14:
			fam = ""
		}
		status, unsub := "subscribed", ""
		if r.chance(0.15) {
			status = "unsubscribed"
			d := pickDate(r, refYear-4, refYear-1)
			b := []byte(iso(d))
			b = append(b, ' ')
			b = pad2(b, r.IntN(24))
			b = append(b, ':')
			b = pad2(b, r.IntN(60))
			b = append(b, ':')
			b = pad2(b, r.IntN(60))
			unsub = string(b)
		}
		email := rc.email
		if email == "" { // planned only for people with an address; keep the row valid
			email = p.email
		}
		w.row = append(w.row, email, given, fam, status, unsub)
	case Contacts:
		w.contactCells(&rc, p, phoneText)
	}

	kind := -1
	if fp, ok := g.forced[f]; ok {
		if k, ok := fp[recNo]; ok {
			kind = k
		}
	}
	if kind < 0 && g.problems > 0 && r.chance(g.problems) {
		kind = r.IntN(numProblems)
	}
	if kind >= 0 {
		w.addProblem(f, kind)
	}
}

func (w *worker) contactCells(rc *rec, p *person, phoneText string) {
	r := w.rr
	w.cells = w.cells[:0]
	var ph any = phoneText
	if rc.ph.nsn != "" && r.chance(0.05) {
		// Typed into Excel as a number: the "+" and any leading zero are gone.
		cc := map[country]string{ctyES: "34", ctyPL: "48", ctyAR: "549", ctyGB: "44"}[rc.ph.cty]
		if v, err := strconv.ParseInt(cc+rc.ph.nsn, 10, 64); err == nil {
			ph = v
		}
	}
	var bday any
	if !rc.birth.zero() && r.chance(0.8) {
		bday = dateCell(rc.birth)
	}
	city := rc.city
	if r.chance(0.06) {
		city = ""
	}
	cn := countryNames[p.sk.cty]
	w.cells = append(w.cells, rc.given, rc.fam, rc.email, ph, bday, city, cn[r.IntN(len(cn))],
		tags(r, contactTags, 3, "; "))
}

// addProblem writes one deliberately bad value of the given kind; if the kind cannot
// occur in this format, the next kind that can is used.
func (w *worker) addProblem(f Format, kind int) {
	r := w.rr
	sp := &specs[f]
	for try := range numProblems {
		k := (kind + try) % numProblems
		switch k {
		case pbInvalidEmail:
			if f == Contacts {
				if s, _ := w.cells[2].(string); s != "" {
					w.cells[2] = invalidEmail(r, s)
					w.problems[k]++
					return
				}
				continue
			}
			if w.row[sp.colEmail] != "" {
				w.row[sp.colEmail] = invalidEmail(r, w.row[sp.colEmail])
				w.problems[k]++
				return
			}
		case pbBadDate:
			if sp.colDate < 0 {
				continue
			}
			switch f {
			case Contacts:
				w.cells[4] = []string{"31/02/1987", "unknown", "15.13.1990", "n/a", "1980s"}[r.IntN(5)]
			case Mailing:
				if w.row[4] == "" {
					continue
				}
				w.row[4] = "0000-00-00 00:00:00"
			case Donors:
				w.row[sp.colDate] = []string{"30.02.2023", "31.04.2024", "2023", "wczoraj", "brak", "15.13.2022"}[r.IntN(6)]
			default:
				y := strconv.Itoa(r.between(1950, 2004))
				w.row[sp.colDate] = []string{"31/02/" + y, "30/02/" + y, "15/13/" + y, "n/d", "no sabe", y, "00/00/0000"}[r.IntN(7)]
			}
			w.problems[k]++
			return
		case pbRagged:
			if f == Contacts {
				continue
			}
			if r.chance(0.5) && len(w.row) > 2 {
				w.row = w.row[:len(w.row)-r.between(1, 2)] // a truncated line
			} else {
				w.row = append(w.row, []string{"", "ver notas", "x", "OK"}[r.IntN(4)]) // a stray extra field
			}
			w.problems[k]++
			return
		case pbBadPhone:
			if sp.colPhone < 0 {
				continue
			}
			var bad string
			switch f {
			case Donors:
				bad = []string{"123", "brak", "tel. domowy", "-", "0", "600 000 00"}[r.IntN(6)]
			case Contacts:
				bad = []string{"n/a", "123", "-", "0", "TBC"}[r.IntN(5)]
			default:
				bad = []string{"123", "no tiene", "-", "0", "600 000 00", "sin teléfono"}[r.IntN(6)]
			}
			if f == Contacts {
				w.cells[3] = bad
			} else {
				w.row[sp.colPhone] = bad
			}
			w.problems[k]++
			return
		case pbBadAmount:
			if sp.colAmount < 0 {
				continue
			}
			w.row[sp.colAmount] = []string{"sto", "-", "?", "brak", "50,0,0", "x"}[r.IntN(6)]
			w.problems[k]++
			return
		}
	}
}

// draw resets the record's random stream and gives record copyNo of p with its
// noise; occ > 0 in the mailing file makes it a second subscription, under a
// variant of the address (a mailing tool holds each address once).
func (w *worker) draw(f Format, p *person, copyNo, occ int) rec {
	w.rr.reset(w.g.seed, keyRecord^uint64(f)<<40, uint64(p.sk.idx)<<4|uint64(copyNo))
	rc := baseRec(p)
	if copyNo > 0 {
		w.addNoise(f, &rc, p)
	}
	if f == Mailing && occ > 0 && rc.email == p.email {
		k := nzEmailTypo
		if w.g.noiseApplies(nzGmail, f, &rc, p) {
			k = nzGmail
		}
		w.applyNoise(k, f, &rc, p)
		w.noise[k]++
	}
	return rc
}

// earlierMailing returns the addresses p's earlier records in the mailing file
// (copies before copyNo) carry, as draw gives them, leaving the noise counts as
// they were.
func (w *worker) earlierMailing(p *person, copyNo int) []string {
	noise, problems := w.noise, w.problems
	defer func() { w.noise, w.problems = noise, problems }()
	pl := w.g.plan(newRNG(), p.sk)
	var out []string
	for c := 0; c < copyNo && c < pl.n; c++ {
		if pl.src[c] == Mailing {
			out = append(out, w.draw(Mailing, p, c, len(out)).email)
		}
	}
	return out
}
