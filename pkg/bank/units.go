package bank

// MinorDigits is how many decimal places Transaction.Cents carries for a statement of
// format f in currency: camt and OFX amounts are read in the currency's minor units
// (0 for JPY, 3 for KWD), MT940 and Norma 43 amounts always in hundredths.
func MinorDigits(f Format, currency string) int {
	if f == FormatCAMT || f == FormatOFX {
		return currencyDecimals(currency)
	}
	return 2
}
