package source

import "errors"

// placeholder: replaced by the CSV reader.
type csvFormat struct{}

func CSV() Format                                           { return csvFormat{} }
func (csvFormat) Name() string                              { return "csv" }
func (csvFormat) Sniff(p *Probe) bool                       { return false }
func (csvFormat) Open(path string, o Options) (File, error) { return nil, errors.New("todo") }
