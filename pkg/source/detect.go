package source

// placeholder: replaced by content detection.
func Detect(p *Probe) (Format, error) {
	for _, f := range Formats() {
		if f.Sniff(p) {
			return f, nil
		}
	}
	return nil, &UnsupportedError{p.Path, "unknown format"}
}
