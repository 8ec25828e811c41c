package synth

import (
	"strconv"
	"strings"

	"github.com/padron-org/padron/pkg/bank"
)

// Account numbers for bank statements: generated from hashes, never real accounts,
// but with correct check digits so readers and validators accept them.

// ibanCheck returns the two IBAN check digits for a country code and BBAN (ISO 13616,
// mod 97).
func ibanCheck(cc, bban string) string {
	rem := 0
	add := func(c byte) {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		}
	}
	for i := 0; i < len(bban); i++ {
		add(bban[i])
	}
	add(cc[0])
	add(cc[1])
	add('0')
	add('0')
	d := 98 - rem
	if d < 10 {
		return "0" + strconv.Itoa(d)
	}
	return strconv.Itoa(d)
}

// ibanValid reports whether s has a correct IBAN checksum (used by the tests).
func ibanValid(s string) bool {
	if len(s) < 15 {
		return false
	}
	return ibanCheck(s[:2], s[4:]) == s[2:4]
}

func hashDigits(b []byte, h uint64, n int) []byte {
	for range n {
		b = append(b, byte('0'+h%10))
		h /= 10
		if h == 0 {
			h = mix(uint64(len(b)) ^ 0x5deece66d)
		}
	}
	return b
}

// Bank codes the generated accounts use (only the shape matters).
var (
	plBanks = []string{"102", "105", "109", "114", "116", "124", "132", "160", "175", "249"}
	esBanks = []string{"2100", "0049", "0182", "2038", "0081", "0128", "3058", "2080"}
	arBanks = []string{"007", "011", "014", "015", "017", "027", "072", "150", "191", "285"}
	gbBanks = []string{"NWBK", "BARC", "LOYD", "HBUK", "MIDL"}
)

// plIBAN builds a Polish IBAN: an 8-digit sort code (bank, branch, check digit with
// weights 3 9 7 1 3 9 7) and a 16-digit account number.
func plIBAN(h uint64) string {
	b := make([]byte, 0, 24)
	b = append(b, plBanks[h%uint64(len(plBanks))]...)
	b = hashDigits(b, mix(h^1), 4)
	w := [7]int{3, 9, 7, 1, 3, 9, 7}
	s := 0
	for i := range 7 {
		s += int(b[i]-'0') * w[i]
	}
	b = append(b, byte('0'+(10-s%10)%10))
	b = hashDigits(b, mix(h^2), 16)
	return "PL" + ibanCheck("PL", string(b)) + string(b)
}

// esIBAN builds a Spanish IBAN around a CCC with its two control digits.
func esIBAN(h uint64) string {
	bank := esBanks[h%uint64(len(esBanks))]
	branch := string(hashDigits(nil, mix(h^1), 4))
	acct := string(hashDigits(nil, mix(h^2), 10))
	ccc := bank + branch + cccDigit("00"+bank+branch) + cccDigit(acct) + acct
	return "ES" + ibanCheck("ES", ccc) + ccc
}

// esParts splits a Spanish IBAN into bank, branch and account number (Norma 43).
func esParts(iban string) (bank, branch, acct string) {
	return iban[4:8], iban[8:12], iban[14:24]
}

// gbIBAN builds a UK IBAN: bank code, sort code and account number.
func gbIBAN(h uint64) string {
	bban := gbBanks[h%uint64(len(gbBanks))] + string(hashDigits(nil, mix(h^1), 14))
	return "GB" + ibanCheck("GB", bban) + bban
}

// cbu builds an Argentine CBU (Argentina has no IBAN): bank (3), branch (4), check
// digit, account (13), check digit.
func cbu(h uint64) string {
	b := make([]byte, 0, 22)
	b = append(b, arBanks[h%uint64(len(arBanks))]...)
	b = hashDigits(b, mix(h^1), 4)
	b = append(b, cbuDigit(b[:7], []int{7, 1, 3, 9, 7, 1, 3}))
	b = hashDigits(b, mix(h^2), 13)
	b = append(b, cbuDigit(b[8:21], []int{3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3}))
	return string(b)
}

func cbuDigit(d []byte, w []int) byte {
	s := 0
	for i, c := range d {
		s += int(c-'0') * w[i]
	}
	return byte('0' + (10-s%10)%10)
}

// cbuValid checks both CBU check digits (used by the tests).
func cbuValid(s string) bool {
	if len(s) != 22 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	b := []byte(s)
	return cbuDigit(b[:7], []int{7, 1, 3, 9, 7, 1, 3}) == b[7] &&
		cbuDigit(b[8:21], []int{3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3}) == b[21]
}

// personalAccount is the account someone living in country c pays from.
func personalAccount(c country, h uint64) string {
	switch c {
	case ctyPL:
		return plIBAN(h)
	case ctyAR:
		return cbu(h)
	case ctyGB:
		return gbIBAN(h)
	}
	return esIBAN(h)
}

// cccDigit is the Spanish account's control digit, as padron's Norma 43 reader checks it.
var cccDigit = bank.CCCControlDigit
