package source

// Formats lists every format padron reads, in detection order: the first whose Sniff
// accepts a file wins, so container formats come before the text fallback.
func Formats() []Format {
	return []Format{
		XLSX(),
		ODS(),
		VCard(),
		CSV(), // last: accepts any text
	}
}

// ByName returns a registered format by its name.
func ByName(name string) (Format, bool) {
	for _, f := range Formats() {
		if f.Name() == name {
			return f, true
		}
	}
	return nil, false
}
