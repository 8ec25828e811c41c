package bank

import (
	"bytes"
	"regexp"
)

// DetectHead is how many leading bytes Detect needs.
const DetectHead = 4096

var (
	mt940TagStart = regexp.MustCompile(`(?m)^\x01?:(20|25|60F|61):`)
	n43Header     = regexp.MustCompile(`^11[0-9]{24}`)
)

// Detect names the statement format of a file from its first bytes (DetectHead is
// enough), by content, not by extension. ok is false for anything else.
func Detect(head []byte) (f Format, ok bool) {
	h := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeft(h, " \t\r\n\x00")
	upper := bytes.ToUpper(t)
	switch {
	case bytes.HasPrefix(upper, []byte("OFXHEADER")) || bytes.Contains(upper, []byte("<OFX>")) ||
		bytes.Contains(upper, []byte("<?OFX ")):
		return FormatOFX, true
	case bytes.HasPrefix(t, []byte("<")) && (bytes.Contains(t, []byte("BkToCstmr")) ||
		bytes.Contains(t, []byte("iso:std:iso:20022:tech:xsd:camt.05"))):
		return FormatCAMT, true
	case bytes.HasPrefix(t, []byte("{1:")) || len(mt940TagStart.FindAll(t, 2)) >= 2:
		return FormatMT940, true
	case n43Header.Match(t) && (bytes.Contains(t, []byte("\n22")) || bytes.Contains(t, []byte("\n33"))):
		return FormatNorma43, true
	}
	return "", false
}
