package normalize

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// A fast path for parsePhone. libphonenumber spends ~11µs per number, nearly all in Go
// regexp backtracking: an extension pattern tried at every position, the national-number
// pattern of every number type in turn. Phone only ever hands it a cleaned number (an
// optional "+" and 1–17 ASCII digits) and a supported region, and for that input domain
// fastParsePhone replays parseHelper (phonenumberutil.go) and IsValidNumber step by step
// with the library's own metadata:
//
//   - The region-independent patterns (extension, second number, RFC 3966, trailing
//     junk) cannot match a string of digits; "is it viable" depends only on whether there
//     is a "+" and the count of digits, so it is tabulated once from the library's own
//     VALID_PHONE_NUMBER_PATTERN.
//   - Questions of the form "does this pattern match all of the digits" (national number
//     patterns of the general description and of every number type) and "does it match a
//     prefix" (a region's leading digits) are answered by a DFA over the ten digits, built
//     from the very pattern string the library compiles (regexp/syntax, the same parser
//     and compiler package regexp uses). Whether a match exists does not depend on
//     leftmost-first priorities, so the DFA gives the regexp's answer.
//   - Where the library needs match positions or submatches (international prefix,
//     national prefix for parsing and its transform rule) the same Go regexp is run,
//     unless the pattern is a plain literal or the DFA shows the only possible match is
//     empty and captures nothing, where the positions are known.
//   - IsValidNumber asks whether the number's type is anything but UNKNOWN. That is the
//     OR of the same isNumberMatchingDesc tests (possible lengths, then the pattern) that
//     getNumberTypeHelper makes one by one, so they are asked in the order that answers
//     common numbers soonest (fixed line, mobile, then the rare types).
//
// Anything the fast path was not built for (metadata without a general description,
// a pattern with assertions, a DFA that would be too big) reports !ok and Phone runs
// the library itself. TestPhoneFastMatchesLibrary holds the two to identical results.

// fastParsePhone parses number ("+" and/or digits, as phoneKey leaves it) for region
// ("" or a supported region) and reports the library's verdict: the parse error, or the
// number and whether it is valid. ok is false when it cannot decide; then nothing else
// is meaningful.
func fastParsePhone(number, region string) (n fastNumber, valid bool, err error, ok bool) {
	initFastPhone()
	plus := 0
	if number != "" && number[0] == '+' {
		plus = 1
	}
	digits := number[plus:]
	if len(digits) == 0 || len(digits) > maxPhoneDigits || !phoneDigitsOnly(digits) {
		return n, false, nil, false
	}
	// parseHelper: extractPossibleNumber and the extension patterns leave such a string
	// as it is; viability is tabulated.
	if !phoneViable[plus][len(digits)] {
		return n, false, phonenumbers.ErrNotANumber, true
	}
	var meta *fastMeta
	if region != "" {
		if meta = regionMeta(region); meta == nil {
			return n, false, nil, false
		}
	} else if plus == 0 {
		return n, false, phonenumbers.ErrInvalidCountryCode, true // checkRegionForParsing
	}
	cc, national, err, ok := fastExtractCountryCode(number, meta)
	if !ok {
		return n, false, nil, false
	}
	if err != nil {
		if err != phonenumbers.ErrInvalidCountryCode || plus == 0 {
			return n, false, err, true
		}
		// "+" followed by no known country code: try again without the "+".
		cc, national, err, ok = fastExtractCountryCode(digits, meta)
		if !ok {
			return n, false, nil, false
		}
		if err != nil {
			return n, false, err, true
		}
		if cc == 0 {
			return n, false, phonenumbers.ErrInvalidCountryCode, true
		}
	}
	if cc != 0 {
		if main := phonenumbers.GetRegionCodeForCountryCode(cc); main != region {
			meta = mainMeta(cc)
			if meta == nil {
				return n, false, nil, false
			}
		}
	} else {
		// No country code: the number as given is national (a "+" either yields a
		// country code or an error above).
		if plus == 1 || meta == nil {
			return n, false, nil, false
		}
		national = number
		cc = meta.cc
	}
	if len(national) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return n, false, phonenumbers.ErrTooShortNSN, true
	}
	if meta != nil {
		potential, ok := meta.stripNationalPrefix(national)
		if !ok {
			return n, false, nil, false
		}
		switch meta.testLength(potential) {
		case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
		default:
			national = potential
		}
	}
	if len(national) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return n, false, phonenumbers.ErrTooShortNSN, true
	}
	if len(national) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return n, false, phonenumbers.ErrNumTooLong, true
	}
	if !phoneDigitsOnly(national) { // a transform rule could in principle add anything
		return n, false, nil, false
	}
	n = fastNumber{cc: cc, nsn: national}
	valid, ok = isValidFast(cc, national)
	return n, valid, nil, ok
}

// fastNumber is a parsed number. nsn is the national significant number exactly as
// GetNationalSignificantNumber would print it: parseHelper stores it as an integer plus
// a count of leading zeros (all but the last digit when it is all zeros), which prints
// back to the same digits.
type fastNumber struct {
	cc  int
	nsn string
}

// proto builds the PhoneNumber parseHelper would have filled in (for the library's own
// IsPossibleNumberWithReason on invalid numbers).
func (f fastNumber) proto() *phonenumbers.PhoneNumber {
	var n phonenumbers.PhoneNumber
	cc := int32(f.cc)
	n.CountryCode = &cc
	if len(f.nsn) >= 2 && f.nsn[0] == '0' {
		t := true
		n.ItalianLeadingZero = &t
		zeros := 1
		for zeros < len(f.nsn)-1 && f.nsn[zeros] == '0' {
			zeros++
		}
		if zeros != 1 {
			z := int32(zeros)
			n.NumberOfLeadingZeros = &z
		}
	}
	v, _ := strconv.ParseUint(f.nsn, 10, 64)
	n.NationalNumber = &v
	return &n
}

// e164 is Format(n, E164): "+", the country code, the national significant number.
func (f fastNumber) e164() string {
	b := make([]byte, 0, 4+len(f.nsn))
	b = append(b, '+')
	b = strconv.AppendInt(b, int64(f.cc), 10)
	b = append(b, f.nsn...)
	return string(b)
}

const maxPhoneDigits = 17 // phoneKey refuses more

func phoneDigitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fastExtractCountryCode is maybeExtractCountryCode (with
// maybeStripInternationalPrefixAndNormalize and extractCountryCode) for number, a "+"
// and/or digits. It returns the country code (0 if none) and, when there is one, the
// rest of the number.
func fastExtractCountryCode(number string, meta *fastMeta) (cc int, national string, err error, ok bool) {
	if number == "" {
		return 0, "", nil, true
	}
	full := number
	fromDefault := false
	if full[0] == '+' {
		full = full[1:]
	} else if meta != nil {
		// parsePrefixAsIdd: the international prefix must match at the start and not be
		// followed by a 0 (country codes do not start with 0).
		end, matched := meta.idd.matchAtStart(full)
		if matched && (end == len(full) || full[end] != '0') {
			full = full[end:]
		} else {
			fromDefault = true
		}
	} else {
		fromDefault = true // the prefix "NonMatch" matches no digits
	}
	if !fromDefault {
		if len(full) <= phonenumbers.MIN_LENGTH_FOR_NSN {
			return 0, "", phonenumbers.ErrTooShortAfterIDD, true
		}
		if full[0] != '0' {
			c := 0
			for i := 1; i <= 3 && i <= len(full); i++ {
				c = c*10 + int(full[i-1]-'0')
				if callingCodes[c] {
					return c, full[i:], nil, true
				}
			}
		}
		return 0, "", phonenumbers.ErrInvalidCountryCode, true
	}
	if meta != nil && strings.HasPrefix(full, meta.ccStr) {
		potential, ok := meta.stripNationalPrefix(full[len(meta.ccStr):])
		if !ok {
			return 0, "", nil, false
		}
		fullValid := meta.general.full(full)
		nationalValid := meta.general.full(potential)
		if (!fullValid && nationalValid) || meta.testLength(full) == phonenumbers.TOO_LONG {
			return meta.cc, potential, nil, true
		}
	}
	return 0, "", nil, true
}

// isValidFast is IsValidNumber: the region the number belongs to (GetRegionCodeForNumber)
// and whether its type there is anything but UNKNOWN (IsValidNumberForRegion).
func isValidFast(cc int, nsn string) (valid, ok bool) {
	info := ccInfoFor(cc)
	if info == nil {
		return false, false
	}
	var m *fastMeta
	switch len(info.regions) {
	case 0:
		return false, true // region "": no metadata
	case 1:
		m = info.metas[0]
	default:
		for i, r := range info.metas {
			if r.leading != nil {
				if r.leading.prefix(nsn) {
					m = info.metas[i]
					break
				}
			} else if r.anyType(nsn) {
				m = info.metas[i]
				break
			}
		}
		if m == nil {
			return false, true
		}
	}
	if m.region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY && m.cc != cc {
		return false, true
	}
	return m.anyType(nsn), true
}

// ---- per-region data ----

// fastMeta holds, for one PhoneMetadata, what the fast path needs, compiled once.
type fastMeta struct {
	region string // its id: a region code or "001"
	cc     int
	ccStr  string
	idd    prefixRegexp
	// National prefix for parsing as "^(?:pattern)", with its transform rule.
	npfp        *regexp.Regexp
	npfpDFA     *digitDFA // the same pattern, for "which prefixes match" (nil: use npfp)
	npfpEmptyOK bool      // an empty match of npfp sets no capture group
	transform   string
	general     *digitMatcher
	generalLen  []int32 // general description's possible lengths
	localLen    []int32 // and local-only lengths
	leading     *digitMatcher
	types       []descMatcher // every description whose match makes the type known
}

type descMatcher struct {
	lengths []int32 // possible lengths; empty means any
	m       *digitMatcher
}

// anyType is getNumberTypeHelper(nsn, metadata) != UNKNOWN.
func (m *fastMeta) anyType(nsn string) bool {
	n := int32(len(nsn))
	if !slices.Contains(m.generalLen, n) || !m.general.full(nsn) {
		return false // isNumberMatchingDesc(nsn, general description)
	}
	for i := range m.types {
		d := &m.types[i]
		if len(d.lengths) > 0 && !slices.Contains(d.lengths, n) {
			continue
		}
		if d.m.full(nsn) {
			return true
		}
	}
	return false
}

// testLength is testNumberLength(number, metadata, UNKNOWN).
func (m *fastMeta) testLength(number string) phonenumbers.ValidationResult {
	possible := m.generalLen
	if possible[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	n := int32(len(number))
	if slices.Contains(m.localLen, n) {
		return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
	}
	switch min := possible[0]; {
	case min == n:
		return phonenumbers.IS_POSSIBLE
	case min > n:
		return phonenumbers.TOO_SHORT
	case possible[len(possible)-1] < n:
		return phonenumbers.TOO_LONG
	}
	if slices.Contains(possible[1:], n) {
		return phonenumbers.IS_POSSIBLE
	}
	return phonenumbers.INVALID_LENGTH
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode, returning the number
// it leaves (the carrier code is only kept when parsing keeps the raw input).
func (m *fastMeta) stripNationalPrefix(number string) (string, bool) {
	if number == "" || m.npfp == nil {
		return number, true
	}
	if m.npfpDFA == nil {
		if !m.npfp.MatchString(number) {
			return number, true
		}
	} else {
		longest := m.npfpDFA.longestPrefix(number)
		if longest < 0 {
			return number, true // prefixMatcher.MatchString is false
		}
		if longest == 0 && m.npfpEmptyOK && (m.transform == "" || m.npfp.NumSubexp() > 0) {
			// Only the empty match is possible and it captures nothing: the number
			// stays as it is (either branch below keeps number[0:]).
			return number, true
		}
	}
	viableOriginal := m.general.full(number)
	groups := m.npfp.FindStringSubmatchIndex(number)
	if groups == nil {
		return "", false // cannot happen: the DFA found a match
	}
	numGroups := len(groups)/2 - 1
	if m.transform == "" || groups[numGroups*2] < 0 {
		if viableOriginal && !m.general.full(number[groups[1]:]) {
			return number, true
		}
		return number[groups[1]:], true
	}
	// ReplaceAllString(number, transform): the pattern is anchored at the start, so the
	// match above is its only one.
	transformed := string(m.npfp.ExpandString(make([]byte, 0, len(number)+4), m.transform, number, groups)) + number[groups[1]:]
	if !phoneDigitsOnly(transformed) {
		return "", false
	}
	if viableOriginal && !m.general.full(transformed) {
		return number, true
	}
	return transformed, true
}

// prefixRegexp answers parsePrefixAsIdd's question: does the pattern (unanchored, as the
// library compiles it) find its leftmost match at 0, and where does that match end.
type prefixRegexp struct {
	literal string
	isLit   bool
	re      *regexp.Regexp
}

func newPrefixRegexp(pattern string) (prefixRegexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return prefixRegexp{}, err
	}
	if lit, complete := re.LiteralPrefix(); complete {
		return prefixRegexp{literal: lit, isLit: true}, nil
	}
	return prefixRegexp{re: re}, nil
}

func (p *prefixRegexp) matchAtStart(s string) (end int, ok bool) {
	if p.isLit {
		if strings.HasPrefix(s, p.literal) {
			return len(p.literal), true
		}
		return 0, false
	}
	ind := p.re.FindStringIndex(s)
	if ind == nil || ind[0] != 0 {
		return 0, false
	}
	return ind[1], true
}

var (
	fastPhoneOnce sync.Once
	phoneViable   [2][maxPhoneDigits + 1]bool // [has "+"][digits]: isViablePhoneNumber
	callingCodes  [1000]bool
	metaByID      map[string]*phonenumbers.PhoneMetadata
	nonGeoByCC    map[int]*phonenumbers.PhoneMetadata

	fastMu      sync.Mutex
	regionMetas [26 * 26]atomic.Pointer[fastMeta]
	nonGeoMetas sync.Map // calling code → *fastMeta
	ccInfos     [1000]atomic.Pointer[ccInfo]
	badMeta     = &fastMeta{} // marks metadata the fast path does not handle
)

func initFastPhone() {
	fastPhoneOnce.Do(func() {
		for plus := range 2 {
			for d := 1; d <= maxPhoneDigits; d++ {
				s := strings.Repeat("+", plus) + strings.Repeat("5", d)
				phoneViable[plus][d] = len(s) >= phonenumbers.MIN_LENGTH_FOR_NSN &&
					phonenumbers.VALID_PHONE_NUMBER_PATTERN.MatchString(s)
			}
		}
		for cc := range phonenumbers.GetSupportedCallingCodes() {
			if cc > 0 && cc < len(callingCodes) {
				callingCodes[cc] = true
			}
		}
		metaByID = map[string]*phonenumbers.PhoneMetadata{}
		nonGeoByCC = map[int]*phonenumbers.PhoneMetadata{}
		if coll, err := phonenumbers.MetadataCollection(); err == nil {
			for _, m := range coll.GetMetadata() {
				if m.GetId() == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
					nonGeoByCC[int(m.GetCountryCode())] = m
				} else {
					metaByID[m.GetId()] = m
				}
			}
		}
	})
}

// regionMeta is getMetadataForRegion, compiled; nil if unknown or not handled.
func regionMeta(region string) *fastMeta {
	if len(region) != 2 || region[0] < 'A' || region[0] > 'Z' || region[1] < 'A' || region[1] > 'Z' {
		return nil
	}
	slot := &regionMetas[int(region[0]-'A')*26+int(region[1]-'A')]
	m := slot.Load()
	if m == nil {
		initFastPhone()
		fastMu.Lock()
		if m = slot.Load(); m == nil {
			m = buildFastMeta(region, metaByID[region])
			slot.Store(m)
		}
		fastMu.Unlock()
	}
	if m == badMeta {
		return nil
	}
	return m
}

// metaForRegionOrCallingCode is getMetadataForRegionOrCallingCode, compiled.
func metaForRegionOrCallingCode(cc int, region string) *fastMeta {
	if region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		return regionMeta(region)
	}
	if v, ok := nonGeoMetas.Load(cc); ok {
		if v == badMeta {
			return nil
		}
		return v.(*fastMeta)
	}
	initFastPhone()
	fastMu.Lock()
	defer fastMu.Unlock()
	m := buildFastMeta(region, nonGeoByCC[cc])
	v, _ := nonGeoMetas.LoadOrStore(cc, m)
	if v == badMeta {
		return nil
	}
	return v.(*fastMeta)
}

// mainMeta is the metadata parseHelper switches to for a country code: that of
// GetRegionCodeForCountryCode.
func mainMeta(cc int) *fastMeta {
	info := ccInfoFor(cc)
	if info == nil {
		return nil
	}
	return info.main
}

// ccInfo is, for one calling code, its regions (GetRegionCodesForCountryCode) in order
// and their compiled metadata.
type ccInfo struct {
	regions []string
	metas   []*fastMeta
	main    *fastMeta
}

var badCC = &ccInfo{}

func ccInfoFor(cc int) *ccInfo {
	if cc <= 0 || cc >= len(ccInfos) {
		return nil
	}
	info := ccInfos[cc].Load()
	if info == nil {
		info = buildCCInfo(cc)
		ccInfos[cc].CompareAndSwap(nil, info)
		info = ccInfos[cc].Load()
	}
	if info == badCC {
		return nil
	}
	return info
}

func buildCCInfo(cc int) *ccInfo {
	initFastPhone()
	regions := phonenumbers.GetRegionCodesForCountryCode(cc)
	info := &ccInfo{regions: regions}
	for _, r := range regions {
		var m *fastMeta
		if len(regions) == 1 {
			m = metaForRegionOrCallingCode(cc, r)
		} else {
			m = regionMeta(r) // getRegionCodeForNumberFromRegionList: getMetadataForRegion
		}
		if m == nil {
			return badCC
		}
		info.metas = append(info.metas, m)
	}
	if len(regions) > 0 {
		info.main = metaForRegionOrCallingCode(cc, phonenumbers.GetRegionCodeForCountryCode(cc))
		if info.main == nil {
			return badCC
		}
	}
	return info
}

func buildFastMeta(id string, md *phonenumbers.PhoneMetadata) *fastMeta {
	m, err := compileFastMeta(id, md)
	if err != nil {
		return badMeta
	}
	return m
}

var errUnhandled = errors.New("metadata not handled by the fast path")

func compileFastMeta(id string, md *phonenumbers.PhoneMetadata) (*fastMeta, error) {
	if md == nil || md.GeneralDesc == nil || len(md.GeneralDesc.PossibleLength) == 0 {
		return nil, errUnhandled
	}
	m := &fastMeta{region: id, cc: int(md.GetCountryCode()), transform: md.GetNationalPrefixTransformRule()}
	m.ccStr = strconv.Itoa(m.cc)
	var err error
	if m.idd, err = newPrefixRegexp(md.GetInternationalPrefix()); err != nil {
		return nil, err
	}
	if p := md.GetNationalPrefixForParsing(); p != "" {
		if m.npfp, err = regexp.Compile("^(?:" + p + ")"); err != nil {
			return nil, err
		}
		// A few regions anchor it with "$" (JE: "([0-24-8]\d{5})$|0"); for them the
		// regexp alone answers.
		if m.npfpDFA, err = compileDigitDFA(p); err == nil {
			m.npfpEmptyOK, err = emptyMatchCapturesNothing(p)
		}
		if err != nil && err != errDFA {
			return nil, err
		}
	}
	if m.general, err = newDigitMatcher(md.GeneralDesc.GetNationalNumberPattern()); err != nil {
		return nil, err
	}
	m.generalLen = md.GeneralDesc.PossibleLength
	m.localLen = md.GeneralDesc.PossibleLengthLocalOnly
	if ld := md.GetLeadingDigits(); ld != "" {
		if m.leading, err = newDigitMatcher(ld); err != nil {
			return nil, err
		}
	}
	descs := []*phonenumbers.PhoneNumberDesc{md.FixedLine}
	if !md.GetSameMobileAndFixedLinePattern() {
		descs = append(descs, md.Mobile)
	}
	descs = append(descs, md.TollFree, md.PremiumRate, md.SharedCost, md.Voip,
		md.PersonalNumber, md.Pager, md.Uan, md.Voicemail)
	for _, d := range descs {
		if d == nil {
			return nil, errUnhandled // the library would dereference it
		}
		if slices.Equal(d.PossibleLength, []int32{-1}) {
			continue // no number has length -1: never matches
		}
		dm, err := newDigitMatcher(d.GetNationalNumberPattern())
		if err != nil {
			return nil, err
		}
		m.types = append(m.types, descMatcher{lengths: d.PossibleLength, m: dm})
	}
	return m, nil
}

// ---- DFA over the digits ----

// digitMatcher answers "does pattern match all of s" (regexp "^(?:pattern)$") and "does
// it match a prefix of s" (regexp "^(?:pattern)") for s made of ASCII digits.
type digitMatcher struct {
	dfa *digitDFA
}

func newDigitMatcher(pattern string) (*digitMatcher, error) {
	d, err := compileDigitDFA(pattern)
	if err != nil {
		return nil, err
	}
	return &digitMatcher{dfa: d}, nil
}

func (m *digitMatcher) full(s string) bool { return m.dfa.full(s) }

func (m *digitMatcher) prefix(s string) bool { return m.dfa.longestPrefix(s) >= 0 }

// digitDFA is the subset construction of a compiled regexp program, restricted to
// the input alphabet '0'…'9'.
type digitDFA struct {
	start  int32 // -1: matches nothing
	next   [][10]int32
	accept []bool
}

const maxDFAStates = 1 << 14

func (d *digitDFA) full(s string) bool {
	st := d.start
	for i := 0; i < len(s) && st >= 0; i++ {
		st = d.next[st][s[i]-'0']
	}
	return st >= 0 && d.accept[st]
}

// longestPrefix is the length of the longest prefix of s the pattern matches, or -1.
func (d *digitDFA) longestPrefix(s string) int {
	st := d.start
	best := -1
	for i := 0; st >= 0; i++ {
		if d.accept[st] {
			best = i
		}
		if i == len(s) {
			break
		}
		st = d.next[st][s[i]-'0']
	}
	return best
}

var errDFA = errors.New("pattern not suitable for a digit DFA")

func compileDigitProg(pattern string) (*syntax.Prog, error) {
	re, err := syntax.Parse(pattern, syntax.Perl) // as regexp.Compile
	if err != nil {
		return nil, err
	}
	return syntax.Compile(re.Simplify())
}

func compileDigitDFA(pattern string) (*digitDFA, error) {
	prog, err := compileDigitProg(pattern)
	if err != nil {
		return nil, err
	}
	d := &digitDFA{}
	index := map[string]int32{}
	var sets [][]uint32
	seen := make([]bool, len(prog.Inst))
	var stack []uint32
	// closure follows empty moves from pcs; it returns the state's id (-1 if dead).
	closure := func(pcs []uint32) (int32, error) {
		clear(seen)
		stack = append(stack[:0], pcs...)
		var set []uint32
		acc := false
		for len(stack) > 0 {
			pc := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[pc] {
				continue
			}
			seen[pc] = true
			in := &prog.Inst[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				stack = append(stack, in.Out, in.Arg)
			case syntax.InstCapture, syntax.InstNop:
				stack = append(stack, in.Out)
			case syntax.InstMatch:
				acc = true
			case syntax.InstFail:
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				set = append(set, pc)
			default: // assertions: not expected in numbering patterns
				return 0, errDFA
			}
		}
		if len(set) == 0 && !acc {
			return -1, nil
		}
		slices.Sort(set)
		key := make([]byte, 0, 1+4*len(set))
		if acc {
			key = append(key, 1)
		} else {
			key = append(key, 0)
		}
		for _, pc := range set {
			key = append(key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
		}
		if id, ok := index[string(key)]; ok {
			return id, nil
		}
		if len(sets) >= maxDFAStates {
			return 0, errDFA
		}
		id := int32(len(sets))
		index[string(key)] = id
		sets = append(sets, set)
		d.next = append(d.next, [10]int32{})
		d.accept = append(d.accept, acc)
		return id, nil
	}
	if d.start, err = closure([]uint32{uint32(prog.Start)}); err != nil {
		return nil, err
	}
	var targets []uint32
	for id := 0; id < len(sets); id++ {
		for c := range 10 {
			targets = targets[:0]
			for _, pc := range sets[id] {
				if in := &prog.Inst[pc]; instMatchesDigit(in, rune('0'+c)) {
					targets = append(targets, in.Out)
				}
			}
			t := int32(-1)
			if len(targets) > 0 {
				if t, err = closure(targets); err != nil {
					return nil, err
				}
			}
			d.next[id][c] = t
		}
	}
	return d, nil
}

// instMatchesDigit is whether a rune-consuming instruction accepts r, as regexp's
// matchers decide it.
func instMatchesDigit(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune1:
		return r == in.Rune[0]
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return in.MatchRune(r)
}

// emptyMatchCapturesNothing reports whether every empty match of pattern leaves all
// capture groups unset: no path of empty moves from the start to a match passes a
// capture instruction of a group.
func emptyMatchCapturesNothing(pattern string) (bool, error) {
	prog, err := compileDigitProg(pattern)
	if err != nil {
		return false, err
	}
	// Search (pc, captured-so-far) pairs.
	seen := make([][2]bool, len(prog.Inst))
	type item struct {
		pc  uint32
		cap int
	}
	stack := []item{{uint32(prog.Start), 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[it.pc][it.cap] {
			continue
		}
		seen[it.pc][it.cap] = true
		in := &prog.Inst[it.pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, item{in.Out, it.cap}, item{in.Arg, it.cap})
		case syntax.InstCapture:
			c := it.cap
			if in.Arg >= 2 { // group 1 and up; 0 and 1 are the whole match
				c = 1
			}
			stack = append(stack, item{in.Out, c})
		case syntax.InstNop:
			stack = append(stack, item{in.Out, it.cap})
		case syntax.InstMatch:
			if it.cap == 1 {
				return false, nil
			}
		case syntax.InstEmptyWidth:
			return false, errDFA
		}
	}
	return true, nil
}
