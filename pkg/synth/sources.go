package synth

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Format is one of the source systems Generate imitates; each writes one file.
type Format int

const (
	Volunteers   Format = iota // voluntarios.csv: Spanish volunteer database, UTF-8, comma
	EventSignups               // inscripciones_evento.csv: sign-up form, Latin-1, semicolon
	Donors                     // darczyncy.csv: Polish donor list, Windows-1250, semicolon
	Contacts                   // contacts.xlsx: English CRM export, title row above header
	Mailing                    // mailing.csv: mailing-tool export, UTF-8 with BOM, comma
	numFormats
)

// AllFormats lists every format in the order files are described and truth is written.
func AllFormats() []Format { return []Format{Volunteers, EventSignups, Donors, Contacts, Mailing} }

type formatSpec struct {
	file     string
	encoding string
	cm       *charmap.Charmap
	delim    byte // 0 for XLSX
	crlf     bool
	bom      bool
	header   []string
	// column roles, -1 when absent
	colEmail, colPhone, colDate, colAmount int
}

var specs = [numFormats]formatSpec{
	Volunteers: {
		file: "voluntarios.csv", encoding: "UTF-8", delim: ',',
		header:   []string{"Nombre", "Apellidos", "Correo electrónico", "Teléfono", "Fecha de nacimiento", "Dirección", "Localidad", "Provincia", "Código postal", "Etiquetas"},
		colEmail: 2, colPhone: 3, colDate: 4, colAmount: -1,
	},
	EventSignups: {
		file: "inscripciones_evento.csv", encoding: "ISO-8859-1", cm: charmap.ISO8859_1, delim: ';', crlf: true,
		header:   []string{"Nombre y apellido", "Email", "Celular", "Ciudad"},
		colEmail: 1, colPhone: 2, colDate: -1, colAmount: -1,
	},
	Donors: {
		file: "darczyncy.csv", encoding: "windows-1250", cm: charmap.Windows1250, delim: ';', crlf: true,
		header:   []string{"Imię", "Nazwisko", "E-mail", "Telefon", "Kwota", "Data wpłaty", "Adres", "Miasto", "Kod pocztowy", "Zgoda na kontakt"},
		colEmail: 2, colPhone: 3, colDate: 5, colAmount: 4,
	},
	Contacts: {
		file: "contacts.xlsx", encoding: "", delim: 0,
		header:   []string{"First Name", "Last Name", "Email", "Phone", "Birthday", "City", "Country", "Tags"},
		colEmail: 2, colPhone: 3, colDate: 4, colAmount: -1,
	},
	Mailing: {
		file: "mailing.csv", encoding: "UTF-8", delim: ',', bom: true,
		header:   []string{"Email Address", "First Name", "Last Name", "Status", "Unsub Time"},
		colEmail: 0, colPhone: -1, colDate: 4, colAmount: -1,
	},
}

// FileName is the name of the file the format is written to.
func (f Format) FileName() string {
	if f < 0 || f >= numFormats {
		return "format" + strconv.Itoa(int(f))
	}
	return specs[f].file
}

func (f Format) String() string { return f.FileName() }

// Header returns the column names the format writes.
func (f Format) Header() []string { return append([]string(nil), specs[f].header...) }

// The has* methods tell which person facts a format carries, so that only noise that
// shows in the file is applied.
func (f Format) hasBirth() bool  { return f == Volunteers || f == Contacts }
func (f Format) hasPhone() bool  { return f != Mailing }
func (f Format) hasStreet() bool { return f == Volunteers || f == Donors }
func (f Format) hasPostcode() bool {
	return f == Volunteers || f == Donors
}
func (f Format) hasCity() bool { return f != Mailing }

// rec is one record of a person as a system holds it, after noise.
type rec struct {
	given, fam string
	email      string
	ph         phone
	phStyle    int // -1: the format's usual style
	birth      date
	street     string
	city       string
	postcode   string
	region     string
	swapped    bool
}

func baseRec(p *person) rec {
	return rec{
		given: p.given, fam: p.family(), email: p.email, ph: p.ph, phStyle: -1,
		birth: p.birth, street: p.street, city: p.pl.city, postcode: p.postcode, region: p.pl.region,
	}
}

// ---- phones ----

const numPhoneStyles = 9

// fmtPhone writes a number in one of the styles people and systems use in its country.
func fmtPhone(p phone, style int) string {
	n := p.nsn
	if n == "" {
		return ""
	}
	switch p.cty {
	case ctyES, ctyPL:
		cc := "34"
		if p.cty == ctyPL {
			cc = "48"
		}
		a, b, c := n[0:3], n[3:6], n[6:9]
		switch style % numPhoneStyles {
		case 0:
			return n
		case 1:
			return a + " " + b + " " + c
		case 2:
			if p.cty == ctyES {
				return a + " " + n[3:5] + " " + n[5:7] + " " + n[7:9]
			}
			return a + "-" + b + "-" + c
		case 3:
			return "+" + cc + " " + a + " " + b + " " + c
		case 4:
			return "+" + cc + n
		case 5:
			return "00" + cc + " " + n
		case 6:
			return "(+" + cc + ") " + a + "-" + b + "-" + c
		case 7:
			if p.cty == ctyES {
				return a + "." + b + "." + c
			}
			return cc + n
		default:
			if p.cty == ctyES {
				return cc + n
			}
			return "+" + cc + " " + a + "-" + b + "-" + c
		}
	case ctyAR:
		a := p.area
		l := n[len(a):]
		l1, l2 := l[:len(l)-4], l[len(l)-4:]
		switch style % numPhoneStyles {
		case 0:
			return "+54 9 " + a + " " + l1 + "-" + l2
		case 1:
			return a + " " + l1 + "-" + l2
		case 2:
			return "0" + a + " 15-" + l1 + "-" + l2
		case 3:
			return "15-" + l1 + "-" + l2 // local habit: area code left out
		case 4:
			return "+549" + n
		case 5:
			return "(0" + a + ") 15 " + l1 + "-" + l2
		case 6:
			return n
		case 7:
			return "54 9 " + a + " " + l
		default:
			return "+54 " + a + " " + l1 + " " + l2 // the mobile "9" forgotten
		}
	case ctyGB:
		g := gbGroup(n)
		switch style % 6 {
		case 0:
			return "0" + g
		case 1:
			return "+44 " + g
		case 2:
			return "0" + n
		case 3:
			return "+44" + n
		case 4:
			return "0044 " + g
		default:
			return "+44 (0)" + g
		}
	}
	return n
}

// gbGroup groups a UK national number the way it is usually printed (without the 0).
func gbGroup(n string) string {
	switch {
	case strings.HasPrefix(n, "7"):
		return n[:4] + " " + n[4:]
	case strings.HasPrefix(n, "2"):
		return n[:2] + " " + n[2:6] + " " + n[6:]
	case strings.HasPrefix(n, "1632"):
		return n[:4] + " " + n[4:]
	default:
		return n[:3] + " " + n[3:6] + " " + n[6:]
	}
}

// houseStyle is how a system usually shows phones: local formats for its own country,
// international ones for foreign numbers.
func houseStyle(r *rng, f Format, c country) int {
	switch {
	case f == Volunteers && c == ctyES:
		return []int{0, 1, 1, 1, 1, 2, 0, 0, 3, 1}[r.IntN(10)]
	case f == EventSignups && c == ctyAR:
		return []int{1, 1, 1, 2, 2, 3, 0, 0, 6, 1}[r.IntN(10)]
	case f == EventSignups && c == ctyES:
		return []int{0, 0, 1, 1, 1, 3}[r.IntN(6)]
	case f == Donors && c == ctyPL:
		return []int{1, 1, 1, 1, 0, 0, 0, 2, 2, 3}[r.IntN(10)]
	case c == ctyGB:
		return []int{0, 1, 1, 3}[r.IntN(4)]
	case f == Contacts:
		return []int{3, 3, 3, 4, 4, 0}[r.IntN(6)]
	}
	return []int{3, 3, 4}[r.IntN(3)]
}

// ---- dates and amounts ----

func pad2(b []byte, n int) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(n), 10)
}

func dmy(d date, sep byte, padded bool) string {
	if d.zero() {
		return ""
	}
	b := make([]byte, 0, 10)
	if padded {
		b = pad2(b, d.d)
	} else {
		b = strconv.AppendInt(b, int64(d.d), 10)
	}
	b = append(b, sep)
	if padded {
		b = pad2(b, d.m)
	} else {
		b = strconv.AppendInt(b, int64(d.m), 10)
	}
	b = append(b, sep)
	b = strconv.AppendInt(b, int64(d.y), 10)
	return string(b)
}

func iso(d date) string {
	if d.zero() {
		return ""
	}
	b := make([]byte, 0, 10)
	b = strconv.AppendInt(b, int64(d.y), 10)
	b = append(b, '-')
	b = pad2(b, d.m)
	b = append(b, '-')
	b = pad2(b, d.d)
	return string(b)
}

func (d date) time() time.Time { return time.Date(d.y, time.Month(d.m), d.d, 0, 0, 0, 0, time.UTC) }

var donations = []int{20, 25, 30, 30, 50, 50, 50, 60, 75, 100, 100, 100, 120, 150, 150, 200, 250, 300, 500, 1000, 1200, 2500}

// amountCents draws a donation in cents: mostly round sums, a few odd ones.
func amountCents(r *rng) int {
	a := donations[r.IntN(len(donations))] * 100
	if r.chance(0.1) {
		a = r.between(500, 40000)
	}
	return a
}

// plAmount writes cents Polish style: decimal comma, space (sometimes dot) as
// thousands separator, now and then with the currency typed in.
func plAmount(r *rng, cents int) string {
	zl, gr := cents/100, cents%100
	s := strconv.Itoa(zl)
	if zl >= 1000 {
		switch u := r.Float64(); {
		case u < 0.5:
			s = s[:len(s)-3] + " " + s[len(s)-3:]
		case u < 0.6:
			s = s[:len(s)-3] + "." + s[len(s)-3:]
		}
	}
	b := []byte(s)
	b = append(b, ',')
	b = pad2(b, gr)
	if r.chance(0.04) {
		b = append(b, " zł"...)
	}
	return string(b)
}

func pickDate(r *rng, y0, y1 int) date {
	d := date{y: r.between(y0, y1), m: r.between(1, 12)}
	d.d = r.between(1, daysIn(d.y, d.m))
	return d
}

var (
	volunteerTags = []string{"voluntariado", "banco de alimentos", "campaña de Navidad", "reparto", "acompañamiento mayores", "clases de apoyo", "socio", "donante", "newsletter", "recogida de ropa", "comedor social", "coordinación", "formación", "carrera solidaria"}
	contactTags   = []string{"donor", "volunteer", "newsletter", "event 2023", "event 2024", "board", "partner", "VIP", "press", "member", "major donor"}
	countryNames  = [numCountries][]string{
		ctyES: {"Spain", "Spain", "Spain", "España", "ES", "spain"},
		ctyPL: {"Poland", "Poland", "Poland", "Polska", "PL", "poland"},
		ctyAR: {"Argentina", "Argentina", "Argentina", "AR", "argentina", "Argentina "},
		ctyGB: {"United Kingdom", "United Kingdom", "UK", "GB", "England"},
	}
)

func tags(r *rng, list []string, max int, sep string) string {
	n := r.IntN(max + 1)
	if n == 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for i := 0; i < n; i++ {
		t := list[r.IntN(len(list))]
		if strings.Contains(b.String(), t) {
			continue
		}
		if used > 0 {
			b.WriteString(sep)
		}
		b.WriteString(t)
		used++
	}
	return b.String()
}
