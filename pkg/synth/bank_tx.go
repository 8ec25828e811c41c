package synth

import (
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/padron-org/padron/pkg/bank"
)

// Purpose keys of the bank generator (distinct from the contact generator's).
const (
	keyDonorPick = 0x62616e6b00000011
	keyDonor     = 0x62616e6b00000012
	keyPayAcct   = 0x62616e6b00000013
	keyStyle     = 0x62616e6b00000014
	keyJoint     = 0x62616e6b00000015
	keyOrgTx     = 0x62616e6b00000016
	keyOrder     = 0x62616e6b00000017
	keyRoute     = 0x62616e6b00000018
)

// btx is one transaction of an account (once, however many files show it).
type btx struct {
	acct   int
	day    int // days since 1 January of stmtYear
	o1     uint64
	o2     int
	cents  int64 // signed: credits positive
	kind   string
	truth  int // person index of the donor, -1 for non-donations
	payer  int // person index of the account holder who paid, -1 when not a person
	name   string
	acctNo string // counterparty account, "" for none
	title  string
	tags   uint32
	ref    string
	batch  int    // > 0: direct debit collected in batch number batch
	trunc  bool   // the payer's bank cuts names at 35 characters
	sub    string // transaction type text (MT940 ^00, camt family, OFX TRNTYPE)
	// namePart is the name without the address; city is the address's city ("" none);
	// origName is the person's name as the contacts hold it; folded says the payer's
	// bank dropped the diacritics.
	namePart, city, origName string
	folded                   bool
	dn                       *donor
	// What the statement reader gives back (set when the account's format is applied).
	outName, outAcct, outTitle string
}

func (t *btx) date() date {
	d := time.Date(stmtYear, 1, 1+t.day, 0, 0, 0, 0, time.UTC)
	return date{y: d.Year(), m: int(d.Month()), d: d.Day()}
}

func (t *btx) month() int { return t.date().m }

type nameStyle struct {
	upper, surnameFirst, fold, drop, add, middle, address, trunc bool
	mid, extra                                                   string
}

const (
	patMonthly = iota
	patOccasional
	patOneOff
)

type donor struct {
	idx        int
	p          person
	contact    bool
	acct       int
	payAcct    string
	holder     int // index of the account holder when paying from their account, else -1
	hp         *person
	onBehalf   bool
	pattern    int
	sdd        bool
	emailTitle bool
	style      nameStyle
	mandate    string
	ntx        int
	namesake   bool
}

// nameKey identifies a given name and first surname, ignoring case and diacritics.
func nameKey(p *person) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(fold(p.given))))
	h.Write([]byte{'|'})
	h.Write([]byte(strings.ToLower(fold(p.fam1))))
	return h.Sum64()
}

// fullNameKey identifies a given name and both surnames.
func fullNameKey(p *person) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(fold(p.given + "|" + p.fam1 + "|" + p.fam2))))
	return h.Sum64()
}

// Donations per donor by habit (monthly donors start at various months).
const (
	meanMonthly    = 8.3
	meanOccasional = 3.0
)

func (b *bankGen) generate() error {
	g, w, rt := b.g, b.w, b.rt
	people := g.people
	// Name keys of all contacts, to find namesakes.
	keys := make([]uint64, people)
	b.nameKeys = make(map[uint64]int32, people)
	b.fullKeys = make(map[uint64]int32, people)
	for i := range people {
		p := g.build(w, i)
		keys[i] = nameKey(&p)
		b.nameKeys[keys[i]]++
		b.fullKeys[fullNameKey(&p)]++
	}
	perDonor := rt.monthly*meanMonthly + (1-rt.monthly-rt.oneOff)*meanOccasional + rt.oneOff
	nDonors := int(math.Round(float64(b.cfg.Donations) / perDonor))
	nNon := int(math.Round(float64(nDonors) * rt.nonContact))
	nContact := min(nDonors-nNon, people)
	// Contacts with a namesake (given name and first surname) make up rt.namesakes
	// of the contact donors, as far as there are enough of them.
	var nSake int
	for i := range people {
		if b.nameKeys[keys[i]] > 1 {
			nSake++
		}
	}
	pSake, pOther := 0.0, 0.0
	if nSake > 0 {
		pSake = min(1, float64(nContact)*rt.namesakes/float64(nSake))
	}
	if people > nSake {
		pOther = min(1, (float64(nContact)-pSake*float64(nSake))/float64(people-nSake))
	}
	weight := func(i int) float64 {
		if b.nameKeys[keys[i]] > 1 {
			return pSake
		}
		return pOther
	}
	chosen := make([]bool, people)
	for i := range people {
		u := unit(hash3(g.seed, keyDonorPick, uint64(i)))
		sk := g.skeleton(i)
		if sk.isSecond() && chosen[i-1] {
			chosen[i] = u < rt.both
		} else {
			chosen[i] = u < weight(i)
		}
		if chosen[i] {
			b.addDonor(i, true)
		}
	}
	for k := range nNon {
		b.addDonor(people+k, false)
	}
	for _, d := range b.donors {
		b.donations(d)
	}
	for _, a := range b.accts {
		b.orgTransactions(a)
	}
	// Order, references, the formats' rules.
	for _, a := range b.accts {
		sortTxs(a.txs)
		for _, t := range a.txs {
			b.refN++
			t.ref = b.reference(a, t)
			b.applyFormat(a, t)
			b.txs = append(b.txs, t)
		}
	}
	b.classifyNamesakes()
	// Shared accounts: an account that pays for two people, or for someone else.
	paysFor := map[string]map[int]bool{}
	for _, t := range b.txs {
		if t.kind == KindDonation {
			if paysFor[t.acctNo] == nil {
				paysFor[t.acctNo] = map[int]bool{}
			}
			paysFor[t.acctNo][t.truth] = true
		}
	}
	for _, t := range b.txs {
		if t.kind == KindDonation && (len(paysFor[t.acctNo]) > 1 || t.tags&tgOnBehalf != 0) {
			t.tags |= tgShared
		}
	}
	return nil
}

func (b *bankGen) addDonor(idx int, contact bool) {
	g, rt := b.g, b.rt
	d := &donor{idx: idx, contact: contact, holder: -1, p: g.build(b.w, idx)}
	r := newRNG()
	r.reset(g.seed, keyDonor, uint64(idx))
	p := &d.p
	// Household members pay into the same account of the organisation.
	routeKey := uint64(idx) << 1
	if p.sk.hh != hhNone {
		routeKey = uint64(idx/2)<<1 | 1
	}
	d.acct = b.route(p.sk.cty, hash3(g.seed, keyRoute, routeKey))
	d.payAcct = personalAccount(p.sk.cty, hash3(g.seed, keyPayAcct, uint64(idx)))
	if contact && p.sk.isSecond() && unit(hash3(g.seed, keyJoint, uint64(idx/2))) < rt.shared {
		d.holder = idx - 1
		hp := g.build(b.w, idx-1)
		d.hp = &hp
		d.payAcct = personalAccount(p.sk.cty, hash3(g.seed, keyPayAcct, uint64(idx-1)))
		d.onBehalf = r.chance(rt.onBehalf)
	}
	switch u := r.Float64(); {
	case u < rt.monthly:
		d.pattern = patMonthly
	case u < rt.monthly+rt.oneOff:
		d.pattern = patOneOff
	default:
		d.pattern = patOccasional
	}
	// A direct debit is collected from a member: someone the organisation knows.
	d.sdd = d.pattern == patMonthly && b.accts[d.acct].kind.format == bank.FormatCAMT && r.chance(0.6) && contact
	d.emailTitle = p.email != "" && !d.sdd && r.chance(rt.email)
	d.style = b.style(idx, p)
	// A namesake: another contact has the name the bank writes (given name and
	// surnames; given name and first surname when it writes one surname only).
	var same int32
	if p.fam2 != "" && !d.style.drop {
		same = b.fullKeys[fullNameKey(p)]
	} else {
		same = b.nameKeys[nameKey(p)]
	}
	if contact {
		same--
	}
	d.namesake = same > 0
	d.mandate = "SYN" + strings.ToUpper(strconv.FormatUint(hash3(g.seed, keyDonor^0x3a, uint64(idx))>>28, 36))
	b.donors = append(b.donors, d)
}

// Where people living in each country pay: weights over the account kinds.
var routeByCountry = [numCountries][maxAccounts]float64{
	ctyPL: {0.9, 0, 0, 0, 0, 0.1},
	ctyES: {0, 0.6, 0, 0.4, 0, 0},
	ctyAR: {0, 0, 0.85, 0, 0.15, 0},
	ctyGB: {0.15, 0.6, 0, 0.15, 0, 0.1},
}

func (b *bankGen) route(c country, h uint64) int {
	w := make([]float64, len(b.accts))
	any := false
	for k := range b.accts {
		w[k] = routeByCountry[c][k]
		any = any || w[k] > 0
	}
	if !any {
		for k := range w {
			w[k] = 1
		}
	}
	var total float64
	for _, x := range w {
		total += x
	}
	u := unit(h) * total
	for k, x := range w {
		if u < x {
			return k
		}
		u -= x
	}
	return len(w) - 1
}

// style is how the bank of person idx writes their name.
func (b *bankGen) style(idx int, p *person) nameStyle {
	rt := b.rt
	r := newRNG()
	r.reset(b.g.seed, keyStyle, uint64(idx))
	s := nameStyle{
		upper: r.chance(rt.upper), surnameFirst: r.chance(rt.surnameFirst), fold: r.chance(rt.noDia),
		address: r.chance(rt.address), trunc: r.chance(rt.truncate),
	}
	if (p.sk.nat == natES || p.sk.nat == natAR) && r.chance(rt.second) {
		if p.fam2 != "" {
			s.drop = true
		} else {
			s.add = true
			s.extra, _ = pickSurname(r, b.g.tab, natES)
			if s.extra == p.fam1 {
				s.add = false
			}
		}
	}
	if !strings.Contains(p.given, " ") && r.chance(rt.middle) {
		list := b.g.tab.givenM[p.sk.nat]
		if p.female {
			list = b.g.tab.givenF[p.sk.nat]
		}
		if m := list[r.IntN(len(list))]; m != p.given && !strings.Contains(m, " ") {
			s.middle, s.mid = true, m
		}
	}
	return s
}

// writtenName is the name (and address) as the payer's bank sends it.
func writtenName(p *person, s nameStyle) (name, namePart, city string, tags uint32) {
	given, fam := p.given, p.family()
	if s.middle {
		given += " " + s.mid
		tags |= tgMiddleName
	}
	switch {
	case s.drop:
		fam = p.fam1
		tags |= tgSurnameDropped
	case s.add:
		fam = p.fam1 + " " + s.extra
		tags |= tgSurnameAdded
	}
	name = given + " " + fam
	if s.surnameFirst {
		name = fam + " " + given
		tags |= tgSurnameFirst
	}
	namePart = name
	if s.address {
		city = p.pl.city
		name += " " + p.street + " " + p.postcode + " " + city
		tags |= tgAddress
	}
	if s.fold {
		name, namePart, city = fold(name), fold(namePart), fold(city)
	}
	if s.upper {
		name, namePart, city = strings.ToUpper(name), strings.ToUpper(namePart), strings.ToUpper(city)
		tags |= tgUpper
	}
	return name, namePart, city, tags
}

// ---- donations ----

var (
	amountsByCcy = map[string][]int{
		"PLN": {10, 20, 20, 25, 30, 50, 50, 50, 100, 100, 100, 150, 200, 250, 300, 500, 1000},
		"EUR": {5, 10, 10, 15, 20, 20, 25, 30, 50, 50, 60, 100, 100, 150, 200, 500},
		"ARS": {2000, 3000, 5000, 5000, 10000, 10000, 15000, 20000, 25000, 50000, 100000},
		"USD": {10, 20, 25, 50, 50, 100, 200},
	}
	monthNames = map[string][12]string{
		"pl": {"styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"},
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	}
	donationTitles = map[string][]string{
		"pl": {"Darowizna", "darowizna", "DAROWIZNA NA CELE STATUTOWE", "Darowizna na cele statutowe fundacji", "wpłata darowizny", "Wsparcie dla fundacji", "darowizna dla fundacji", "Przelew - darowizna"},
		"es": {"Donativo", "DONACION", "Donación", "donativo fundación", "Colaboración", "aportación", "Donativo campaña Navidad"},
		"ar": {"Donacion", "Donación", "APORTE", "aporte solidario", "colaboración", "Donacion Asoc Civil"},
		"en": {"Donation", "donation", "Gift", "Charity donation", "Support"},
	}
	monthlyTitles = map[string][]string{
		"pl": {"Darowizna miesięczna %m %y", "Zlecenie stałe - darowizna", "darowizna %m", "DAROWIZNA STAŁA %m %y"},
		"es": {"Cuota socio %m %y", "Donativo mensual %m", "aportación mensual", "CUOTA %m %y"},
		"ar": {"Aporte mensual %m", "cuota socio %m %y", "APORTE MENSUAL", "Donacion mensual"},
		"en": {"Monthly donation %m", "Standing order", "monthly gift %m %y"},
	}
)

// lang is the language a donor writes titles in: their own.
func lang(n nation) string {
	return [numNations]string{natPL: "pl", natES: "es", natAR: "ar", natEN: "en"}[n]
}

func weekday(day int) time.Weekday {
	return time.Date(stmtYear, 1, 1+day, 0, 0, 0, 0, time.UTC).Weekday()
}

// bookingDay moves a weekend day to the next Monday, or back to Friday at the year's end.
func bookingDay(day int) int {
	last := yearDays() - 1
	for weekday(day) == time.Saturday || weekday(day) == time.Sunday {
		day++
	}
	if day > last {
		day = last
		for weekday(day) == time.Saturday || weekday(day) == time.Sunday {
			day--
		}
	}
	return day
}

// yearDays is the number of days of stmtYear.
func yearDays() int { return time.Date(stmtYear, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() }

func dayOf(m, d int) int {
	return time.Date(stmtYear, time.Month(m), d, 0, 0, 0, 0, time.UTC).YearDay() - 1
}

func drawAmount(r *rng, ccy string) int64 {
	list := amountsByCcy[ccy]
	a := int64(list[r.IntN(len(list))]) * 100
	if r.chance(0.1) {
		a = a/2 + int64(r.IntN(int(a)))
		if r.chance(0.5) {
			a = a / 100 * 100
		}
	}
	return max(a, 100)
}

func (b *bankGen) donations(d *donor) {
	r := newRNG()
	r.reset(b.g.seed, keyDonor^0xd0, uint64(d.idx))
	a := b.accts[d.acct]
	ccy := a.kind.currency
	var days []int
	amount := drawAmount(r, ccy)
	switch d.pattern {
	case patMonthly:
		start := 1
		if !r.chance(0.6) {
			start = r.between(2, 12)
		}
		end := 12
		if r.chance(0.15) {
			end = r.between(start, 12)
		}
		dom := r.between(1, 28)
		if d.sdd {
			dom = 5
		}
		for m := start; m <= end; m++ {
			dd := dom
			if !d.sdd {
				dd = min(dom+r.IntN(3), 28)
			}
			days = append(days, bookingDay(dayOf(m, dd)))
		}
	case patOccasional:
		n := r.between(2, 4)
		for range n {
			days = append(days, bookingDay(r.IntN(yearDays())))
		}
	default:
		if r.chance(0.2) { // the giving season
			days = append(days, bookingDay(dayOf(12, r.between(1, 24))))
		} else {
			days = append(days, bookingDay(r.IntN(yearDays())))
		}
	}
	lg := lang(d.p.sk.nat)
	for i, day := range days {
		t := &btx{acct: d.acct, day: day, kind: KindDonation, truth: d.idx, payer: d.idx, dn: d,
			acctNo: d.payAcct, trunc: d.style.trunc, sub: "transfer"}
		t.o1 = hash3(b.g.seed, keyOrder, uint64(d.idx)<<8|uint64(i))
		t.o2 = d.idx
		t.cents = amount
		if d.pattern != patMonthly {
			t.cents = drawAmount(r, ccy)
		}
		t.tags |= [3]uint32{tgMonthly, tgOccasional, tgOneOff}[d.pattern]
		if !d.contact {
			t.tags |= tgNonContact
		}
		if d.namesake {
			t.tags |= tgNamesake
		}
		// Who the bank names: the donor, or the account holder paying for them.
		var nt uint32
		if d.onBehalf {
			hs := b.style(d.holder, d.hp)
			t.name, t.namePart, t.city, nt = writtenName(d.hp, hs)
			t.trunc, t.folded = hs.trunc, hs.fold
			t.origName = d.hp.given + " " + d.hp.family()
			t.payer = d.holder
			t.tags |= tgOnBehalf
		} else {
			t.name, t.namePart, t.city, nt = writtenName(&d.p, d.style)
			t.folded = d.style.fold
			t.origName = d.p.given + " " + d.p.family()
		}
		t.tags |= nt
		// The title.
		mon := t.date().m
		var title string
		if d.pattern == patMonthly {
			title = r.pick(monthlyTitles[lg])
			title = strings.ReplaceAll(title, "%m", monthName(lg, mon))
			title = strings.ReplaceAll(title, "%y", strconv.Itoa(stmtYear))
		} else {
			title = r.pick(donationTitles[lg])
		}
		if d.sdd {
			t.sub = "direct_debit"
			t.tags |= tgDirectDebit
			t.batch = mon
			t.o1 = hash3(b.g.seed, keyOrder, 0xdd00|uint64(mon))
			title = "CUOTA SOCIO " + strings.ToUpper(monthNames["es"][mon-1]) + " " + strconv.Itoa(stmtYear) +
				" " + orgNames[ctyES] + " MANDATO " + d.mandate
		}
		if d.onBehalf {
			title += " " + behalfText(r, lg, &d.p)
		}
		if d.emailTitle {
			title = emailTitle(r, lg, title, d.p.email)
			t.tags |= tgEmail
		}
		t.title = title
		d.ntx++
		b.accts[d.acct].txs = append(b.accts[d.acct].txs, t)
	}
}

func monthName(lg string, m int) string {
	if lg == "ar" {
		lg = "es"
	}
	return monthNames[lg][m-1]
}

// behalfText says in the title whose gift a payment from someone else's account is.
func behalfText(r *rng, lg string, p *person) string {
	switch lg {
	case "pl":
		switch r.IntN(3) {
		case 0:
			return "od " + plGenitive(p.given, p.female)
		case 1:
			return "- " + p.given + " " + p.fam1
		default:
			return "w imieniu " + plGenitive(p.given, p.female)
		}
	case "es", "ar":
		switch r.IntN(3) {
		case 0:
			return "de " + p.given
		case 1:
			return "de parte de " + p.given + " " + p.fam1
		default:
			return "- " + p.given + " " + p.family()
		}
	}
	if r.chance(0.5) {
		return "from " + p.given
	}
	return "on behalf of " + p.given + " " + p.fam1
}

// plGenitive declines a Polish given name: "od Anny", "od Jana", "od Marka".
func plGenitive(n string, female bool) string {
	if i := strings.IndexByte(n, ' '); i >= 0 {
		n = n[:i]
	}
	has := func(s string) bool { return strings.HasSuffix(n, s) }
	cut := func(k int) string { return n[:len(n)-k] }
	if female {
		switch {
		case has("ia"), has("ja"), has("la"), has("ka"), has("ga"):
			return cut(1) + "i"
		case has("a"):
			return cut(1) + "y"
		}
		return n
	}
	switch {
	case has("ek"):
		return cut(2) + "ka"
	case has("eł"):
		return cut(len("eł")) + "ła"
	case has("y"):
		return cut(1) + "ego"
	case has("i"):
		return n + "ego"
	case has("a"):
		return cut(1) + "y"
	case has("o"):
		return n + "na" // Hugo → Hugona, Bruno → Brunona
	}
	return n + "a"
}

func emailTitle(r *rng, lg, title, email string) string {
	switch lg {
	case "pl":
		return []string{title + " " + email, "Darowizna - " + email, title + " (" + email + ")"}[r.IntN(3)]
	case "es", "ar":
		return []string{"cuota socio " + email, title + " " + email, title + " - " + email}[r.IntN(3)]
	}
	return []string{title + " " + email, "Donation " + email}[r.IntN(2)]
}

// ---- the organisation's other transactions ----

var (
	grantBodies = [numCountries][]string{
		ctyPL: {"URZĄD MIASTA %c", "GMINA MIEJSKA %c", "URZĄD MARSZAŁKOWSKI WOJEWÓDZTWA %r"},
		ctyES: {"AYUNTAMIENTO DE %c", "DIPUTACION PROVINCIAL DE %r", "CONSEJERIA DE ASUNTOS SOCIALES %r"},
		ctyAR: {"MUNICIPALIDAD DE %c", "GOBIERNO DE LA PROVINCIA DE %r", "MINISTERIO DE DESARROLLO SOCIAL"},
		ctyGB: {"%c CITY COUNCIL"},
	}
	grantTitles  = [numCountries]string{ctyPL: "DOTACJA CELOWA UMOWA NR %n", ctyES: "SUBVENCION CONVOCATORIA %y EXP %n", ctyAR: "SUBSIDIO RESOLUCION %n", ctyGB: "GRANT %n"}
	ownTitles    = [numCountries]string{ctyPL: "PRZELEW WŁASNY", ctyES: "TRASPASO ENTRE CUENTAS PROPIAS", ctyAR: "TRANSFERENCIA ENTRE CUENTAS PROPIAS", ctyGB: "OWN TRANSFER"}
	feeTitles    = [numCountries][]string{ctyPL: {"OPŁATA ZA PROWADZENIE RACHUNKU", "PROWIZJA ZA PRZELEWY"}, ctyES: {"COMISION MANTENIMIENTO", "COMISION TRANSFERENCIAS"}, ctyAR: {"COMISION MANTENIMIENTO CUENTA", "IMPUESTO LEY 25413"}, ctyGB: {"ACCOUNT FEE"}}
	interestText = [numCountries]string{ctyPL: "KAPITALIZACJA ODSETEK", ctyES: "LIQUIDACION INTERESES", ctyAR: "ACREDITACION INTERESES", ctyGB: "INTEREST"}
	suppliers    = [numCountries][]string{
		ctyPL: {"HURTOWNIA %s SP. Z O.O.", "DRUKARNIA %s S.C.", "%s TRANSPORT SP. J."},
		ctyES: {"DISTRIBUCIONES %s S.L.", "IMPRENTA %s S.A.", "TRANSPORTES %s S.L."},
		ctyAR: {"DISTRIBUIDORA %s S.R.L.", "IMPRENTA %s S.A.", "LOGISTICA %s S.A."},
		ctyGB: {"%s SUPPLIES LTD"},
	}
	supplierTitles = [numCountries]string{ctyPL: "FAKTURA FV/%n/%y", ctyES: "FACTURA %n/%y", ctyAR: "FACTURA A %n", ctyGB: "INVOICE %n"}
)

func fill(s string, r *rng, city, region, sur string) string {
	s = strings.ReplaceAll(s, "%c", strings.ToUpper(city))
	s = strings.ReplaceAll(s, "%r", strings.ToUpper(region))
	s = strings.ReplaceAll(s, "%s", strings.ToUpper(sur))
	s = strings.ReplaceAll(s, "%y", strconv.Itoa(stmtYear))
	s = strings.ReplaceAll(s, "%n", strconv.Itoa(r.between(100, 9999)))
	return s
}

// orgTransactions adds the account's credits that are not donations and its debits.
func (b *bankGen) orgTransactions(a *ownAcct) {
	g := b.g
	r := newRNG()
	r.reset(g.seed, keyOrgTx, uint64(a.k))
	c := a.kind.cty
	scale := int64(1)
	switch a.kind.currency {
	case "ARS":
		scale = 500
	case "PLN":
		scale = 4
	}
	perMonth := make([]int64, 13)
	for _, t := range a.txs {
		perMonth[t.month()] += t.cents
	}
	n := 0
	add := func(day int, cents int64, kind, name, acct, title, sub string) {
		n++
		t := &btx{acct: a.k, day: bookingDay(day), cents: cents, kind: kind, truth: -1, payer: -1,
			name: name, namePart: name, acctNo: acct, title: title, sub: sub}
		t.o1 = hash3(g.seed, keyOrder, uint64(a.k)<<32|uint64(n)|1<<60)
		t.o2 = -1
		a.txs = append(a.txs, t)
	}
	places := g.tab.places[c]
	for m := 1; m <= 12; m++ {
		last := daysIn(stmtYear, m)
		// Fees at the month's end.
		fees := feeTitles[c]
		add(dayOf(m, last)-r.IntN(2), -int64(r.between(5, 30))*100*scale/4, KindFee, "", "", fees[r.IntN(len(fees))], "fee")
		if r.chance(0.5) {
			add(dayOf(m, r.between(1, last)), -int64(r.between(1, 15))*100*scale/4, KindFee, "", "", fees[r.IntN(len(fees))], "fee")
		}
		// Interest quarterly.
		if m%3 == 0 && a.kind.format != bank.FormatOFX {
			add(dayOf(m, last), int64(r.between(50, 3000))*scale, KindInterest, "", "", interestText[c], "interest")
		}
		// Supplier payments: about a tenth of the month's donations, in a few invoices.
		np := 1 + r.IntN(3)
		for range np {
			pl := &places[r.IntN(len(places))]
			sur := g.tab.surnames[map[country]nation{ctyPL: natPL, ctyES: natES, ctyAR: natAR, ctyGB: natEN}[c]]
			name := fill(suppliers[c][r.IntN(len(suppliers[c]))], r, pl.city, pl.region, sur[r.IntN(len(sur))])
			amt := max(perMonth[m]/int64(10*np), 100*100*scale/4)
			amt = amt/100*100 + int64(r.IntN(100))
			add(dayOf(m, r.between(1, last)), -amt, KindPayment, name, personalAccount(c, r.Uint64()),
				fill(supplierTitles[c], r, "", "", ""), "payment")
		}
		// Own transfers: to savings in good months, back in others.
		if m%4 == 2 {
			add(dayOf(m, r.between(10, 20)), int64(r.between(50, 400))*100*100*scale/4, KindOwnTransfer,
				orgNames[c], a.savings, ownTitles[c], "own")
		}
		if m%4 == 0 {
			add(dayOf(m, r.between(10, 20)), -int64(r.between(20, 200))*100*100*scale/4, KindOwnOut,
				orgNames[c], a.savings, ownTitles[c], "own")
		}
		// Grants twice a year.
		if m == 3 || m == 10 {
			pl := &places[r.IntN(len(places))]
			bodies := grantBodies[c]
			name := fill(bodies[r.IntN(len(bodies))], r, pl.city, pl.region, "")
			add(dayOf(m, r.between(1, last)), int64(r.between(10, 200))*1000*100*scale/4, KindGrant, name,
				personalAccount(c, r.Uint64()), fill(grantTitles[c], r, "", "", ""), "grant")
		}
	}
}

// reference is the bank's unique reference for a transaction.
func (b *bankGen) reference(a *ownAcct, t *btx) string {
	n := b.refN
	switch a.kind.format {
	case bank.FormatMT940:
		return "PB" + strconv.Itoa(a.k) + pad(n, 10)
	case bank.FormatCAMT:
		if t.batch > 0 {
			return "SDD" + strconv.Itoa(stmtYear%100) + pad(n, 10)
		}
		return "ESR" + strconv.Itoa(a.k) + pad(n, 12)
	case bank.FormatOFX:
		return "AR" + strconv.Itoa(a.k) + pad(n, 12)
	}
	return "4" + strconv.Itoa(a.k) + pad(n, 10)
}

func pad(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

// classifyNamesakes tells, for donations by namesakes, what besides the name could
// tell the payer: an account that paid an earlier donation, the city, or nothing.
func (b *bankGen) classifyNamesakes() {
	seen := map[string]bool{}
	all := make([]*btx, 0, len(b.txs))
	for _, t := range b.txs {
		if t.kind == KindDonation {
			all = append(all, t)
		}
	}
	sortTxs(all)
	for _, t := range all {
		if t.tags&tgNamesake != 0 {
			switch {
			case t.outAcct != "" && seen[t.outAcct]:
				t.tags |= tgNamesakeIBAN
			case t.city != "" && strings.Contains(strings.ToUpper(fold(t.outName)), strings.ToUpper(fold(t.city))):
				t.tags |= tgNamesakeCity
			default:
				t.tags |= tgNamesakeNone
			}
		}
		if t.outAcct != "" {
			seen[t.outAcct] = true
		}
	}
}

// ---- the formats' rules ----

// applyFormat sets what the statement reader will give back for t, applying what
// the account's format does to names: length limits, capitals, code page.
func (b *bankGen) applyFormat(a *ownAcct, t *btx) {
	full := t.name
	if a.kind.format == bank.FormatOFX || a.kind.format == bank.FormatNorma43 {
		// These banks send the name alone.
		full, t.city = t.namePart, ""
		t.tags &^= tgAddress
	}
	switch a.kind.format {
	case bank.FormatMT940:
		t.outAcct = t.acctNo
		o32, o33, cut := mt940Name(full, t.trunc)
		t.outName = mt940JoinName(o32, o33)
		if cut {
			t.tags |= tgTruncated
		}
		t.outTitle = collapse(strings.Join(mt940TitleChunks(t.title), ""))
	case bank.FormatCAMT:
		t.outAcct = t.acctNo
		name := full
		if t.trunc && len([]rune(name)) > 35 {
			name = strings.TrimSpace(string([]rune(name)[:35]))
			t.tags |= tgTruncated
		}
		if len([]rune(name)) > 140 {
			name = string([]rune(name)[:140])
			t.tags |= tgTruncated
		}
		t.outName = name
		t.outTitle = t.title
	case bank.FormatOFX:
		name := full
		if len([]rune(name)) > 32 {
			name = strings.TrimSpace(string([]rune(name)[:32]))
			t.tags |= tgTruncated
		}
		t.outName = name
		t.outTitle = t.title
	case bank.FormatNorma43:
		if full != "" {
			_, _, name, cut := n43NameRecord(n43Text(full), t.cents < 0)
			if cut {
				t.tags |= tgTruncated
			}
			t.outName = name
		}
		t.outTitle = n43Text(t.title)
	}
	if t.kind == KindDonation {
		// Diacritics lost: by the payer's bank (style) or by the format.
		if diacritics(t.origName) > 0 && (t.folded || diacritics(t.namePart) > diacritics(t.outName)) {
			t.tags |= tgNoDiacritics
		}
		if t.tags&tgUpper == 0 && t.outName == strings.ToUpper(t.outName) {
			t.tags |= tgUpper
		}
	}
}

func diacritics(s string) int {
	n := 0
	for _, r := range s {
		if _, ok := foldMap[r]; ok && unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
