// Package synth generates synthetic, messy, multi-source contact data with ground
// truth, for padron's tests, benchmarks and demo. Nothing in it is real personal data:
// given names and common surnames are drawn from embedded lists, rarer surnames are
// made up from each language's roots and endings (see tailShare), emails use the reserved example.org/.com/.net
// domains or common webmail domains with digit-bearing made-up mailboxes, UK numbers
// come from Ofcom's drama ranges in small runs (see ukFictionalMaxPeople), and other
// phone numbers are random numbers in each country's mobile ranges.
//
// Generate writes what five systems of an NGO working in Spain, Argentina and Poland
// would export, each with its own header language, columns, encoding and conventions:
//
//	voluntarios.csv           Spanish volunteer database: UTF-8, comma, dd/mm/yyyy
//	inscripciones_evento.csv  event sign-up form, one full-name column: ISO-8859-1, ';', CRLF
//	darczyncy.csv             Polish donor list, amounts "150,00", dd.mm.yyyy: Windows-1250, ';', CRLF
//	contacts.xlsx             English CRM export: title row, blank row, header on row 3, date cells
//	mailing.csv               mailing-tool export keyed by address: UTF-8 with BOM, comma
//
// and truth.csv (source_file,record_no,person_id) saying which person each data row
// belongs to; record_no is the 1-based position among the file's data rows.
//
// A person's extra records carry the noise of re-keying (typos, missing diacritics,
// case, swapped or nicknamed names, dropped or added surnames, Gmail address variants,
// other phone formats, missing fields, day/month swapped); see the Noise* constants.
// Hard negatives are built in: households that share an address and an email or phone
// (couples; parent and child with the same surname, sometimes the same given name),
// and unrelated namesakes ("Juan García", "Anna Nowak") with their own details.
// Config.Problems adds deliberately bad values (see the Problem* constants).
//
// Everything is derived from (seed, purpose, index) with PCG generators from
// math/rand/v2, never from global state or the clock: the same Config gives
// byte-identical files, and people are rebuilt on demand, so a million people (about
// 1.3M records) stream to disk in seconds with flat memory. contacts.xlsx is written
// with excelize's StreamWriter and its expected size is capped (Config.MaxXLSXRows,
// 50,000 by default): real CRM spreadsheets are that size, and a bigger sheet would
// dominate run time without adding anything the CSVs lack.
//
// WriteWideCSV and WriteWideXLSX write clean 12-column files for import benchmarks;
// WriteSamples writes the demo files bundled in the samples package.
//
// The package never prints and never exits; it returns wrapped errors.
package synth
