package mapping

// synonyms maps header names, as HeaderKey folds them, to canonical fields. Headers are
// compared without case, accents, spaces or punctuation, so "E-mail", "e mail" and
// "EMAIL" are one entry.
var synonyms = map[string]string{}

func init() {
	for field, names := range synonymLists {
		for _, n := range names {
			synonyms[HeaderKey(n)] = field
		}
		synonyms[HeaderKey(field)] = field
	}
}

var synonymLists = map[string][]string{
	"given_name": {"given name", "first name", "firstname", "forename", "name first", "nombre", "nombres", "primer nombre",
		"imię", "imie", "imiona", "nome", "primeiro nome", "prénom", "prenom", "vorname", "nome proprio", "fname"},
	"family_name": {"family name", "last name", "lastname", "surname", "apellido", "apellidos", "primer apellido",
		"nazwisko", "sobrenome", "apelido", "nom de famille", "nachname", "familienname", "cognome", "lname"},
	"full_name": {"full name", "name", "nombre y apellido", "nombre y apellidos", "apellido y nombre", "nombre completo",
		"imię i nazwisko", "nazwisko i imię", "nome completo", "nom complet", "vollständiger name", "nome e cognome",
		"contact name", "display name", "donor name", "darczyńca", "contacto", "kontakt", "osoba"},
	"email": {"e-mail", "email address", "e-mail address", "mail", "correo", "correo electrónico", "correo electronico",
		"email 1", "e-mail 1", "adres e-mail", "adres email", "poczta", "courriel", "e-mail-adresse", "posta elettronica"},
	"phone": {"phone", "telephone", "phone number", "mobile", "mobile phone", "cell", "cell phone", "teléfono", "telefono",
		"tel", "tel.", "celular", "móvil", "movil", "whatsapp", "telefon", "telefon komórkowy", "komórka", "nr telefonu",
		"numer telefonu", "telefone", "téléphone", "portable", "handy", "telefonnummer", "cellulare"},
	"street": {"address", "street", "street address", "address line 1", "address 1", "dirección", "direccion", "domicilio",
		"calle", "ulica", "adres", "endereço", "endereco", "rua", "adresse", "rue", "straße", "strasse", "indirizzo", "via"},
	"postcode": {"postcode", "postal code", "zip", "zip code", "código postal", "codigo postal", "cp", "kod pocztowy",
		"kod", "cep", "code postal", "plz", "postleitzahl", "cap"},
	"city": {"city", "town", "ciudad", "localidad", "municipio", "población", "miasto", "miejscowość", "cidade",
		"ville", "stadt", "ort", "città", "citta", "comune"},
	"region": {"region", "state", "province", "provincia", "comunidad autónoma", "województwo", "wojewodztwo", "estado",
		"département", "bundesland", "regione"},
	"country": {"country", "país", "pais", "kraj", "państwo", "pays", "land", "paese", "nación"},
	"birth_date": {"birth date", "date of birth", "dob", "birthday", "birthdate", "fecha de nacimiento", "fecha nacimiento",
		"nacimiento", "data urodzenia", "urodziny", "data de nascimento", "date de naissance", "geburtsdatum", "data di nascita"},
	"organization": {"organization", "organisation", "company", "empresa", "organización", "organizacion", "entidad",
		"institución", "firma", "organizacja", "instytucja", "empresa/organização", "société", "unternehmen", "azienda"},
	"tags": {"tags", "tag", "labels", "etiquetas", "etiqueta", "tagi", "etykiety", "grupos", "grupy", "groups", "categoría"},
	"notes": {"notes", "note", "comments", "comment", "notas", "observaciones", "comentarios", "uwagi", "notatki",
		"komentarz", "observações", "remarques", "bemerkungen", "note interne"},
	"opt_out": {"opt out", "opt-out", "optout", "unsubscribed", "do not email", "baja", "no contactar", "dado de baja",
		"rezygnacja", "wypisany", "nie kontaktować"},
	"consent": {"consent", "consentimiento", "acepta comunicaciones", "zgoda", "zgoda na kontakt", "zgoda marketingowa",
		"rgpd", "gdpr", "rodo", "consentimento", "consentement", "einwilligung", "consenso"},
	"external_id": {"id", "external id", "contact id", "record id", "identificador", "nr", "numer", "código", "codigo"},
	"amount": {"amount", "donation", "donation amount", "gift", "importe", "monto", "cantidad", "donación", "donacion",
		"aporte", "cuota", "kwota", "kwota wpłaty", "darowizna", "wpłata", "valor", "montant", "betrag", "importo"},
	"currency": {"currency", "moneda", "divisa", "waluta", "moeda", "devise", "währung", "valuta"},
	"date": {"date", "payment date", "donation date", "fecha", "fecha de pago", "fecha donación", "data", "data wpłaty",
		"data przelewu", "data operacji", "data do pagamento", "datum", "zahlungsdatum"},
	"iban": {"iban", "account", "account number", "cuenta", "número de cuenta", "numer konta", "nr konta", "rachunek",
		"konto", "conta", "compte", "kontonummer", "conto"},
	"reference": {"reference", "payment reference", "concepto", "referencia", "tytuł", "tytul", "tytuł przelewu",
		"tytułem", "referência", "référence", "verwendungszweck", "causale"},
}

// SynonymField returns the canonical field a header names, if the dictionary knows it.
func SynonymField(header string) (string, bool) {
	f, ok := synonyms[HeaderKey(header)]
	return f, ok
}
