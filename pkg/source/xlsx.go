package source

import "errors"

// placeholder: replaced by the XLSX reader.
type xlsxFormat struct{}

func XLSX() Format                                           { return xlsxFormat{} }
func (xlsxFormat) Name() string                              { return "xlsx" }
func (xlsxFormat) Sniff(p *Probe) bool                       { return false }
func (xlsxFormat) Open(path string, o Options) (File, error) { return nil, errors.New("todo") }
