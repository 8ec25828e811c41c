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
		"imię", "imie", "imiona", "nome", "primeiro nome", "prénom", "prenom", "vorname", "nome proprio", "fname",
		"first names", "given names", "christian name", "nombre de pila", "primo nome", "nome di battesimo",
		"prénoms", "vornamen", "rufname"},
	"family_name": {"family name", "last name", "lastname", "surname", "apellido", "apellidos", "primer apellido",
		"nazwisko", "sobrenome", "apelido", "nom de famille", "nachname", "familienname", "cognome", "lname",
		"last names", "surnames", "family names", "apellido paterno", "apelidos", "último nome", "ultimo nome",
		"nome de família", "zuname", "cognomi"},
	"full_name": {"full name", "name", "nombre y apellido", "nombre y apellidos", "apellido y nombre", "nombre completo",
		"imię i nazwisko", "nazwisko i imię", "nome completo", "nom complet", "vollständiger name", "nome e cognome",
		"contact name", "display name", "donor name", "darczyńca", "contacto", "kontakt", "osoba",
		"apellidos y nombre", "apellidos, nombre", "apellido, nombre", "nombre y apellido(s)", "imię nazwisko",
		"nazwisko imię", "imiona i nazwisko", "nome e sobrenome", "nome e apelido", "nom et prénom", "prénom et nom",
		"vor- und nachname", "vorname und nachname", "nachname, vorname", "name, vorname", "cognome e nome",
		"nome cognome", "contact", "contato", "donante", "doador", "donateur", "spender", "donatore", "member name",
		"supporter name"},
	"email": {"e-mail", "email address", "e-mail address", "mail", "correo", "correo electrónico", "correo electronico",
		"email 1", "e-mail 1", "adres e-mail", "adres email", "poczta", "courriel", "e-mail-adresse", "posta elettronica",
		"emails", "email addresses", "e-mail addresses", "mail address", "correo-e", "e-correo", "adres mailowy",
		"adres poczty elektronicznej", "correio eletrónico", "correio eletrônico", "correio electrónico",
		"endereço de email", "endereço de e-mail", "adresse e-mail", "adresse mail", "mél", "indirizzo email",
		"indirizzo e-mail", "e-posta"},
	"phone": {"phone", "telephone", "phone number", "mobile", "mobile phone", "cell", "cell phone", "teléfono", "telefono",
		"tel", "tel.", "celular", "móvil", "movil", "whatsapp", "telefon", "telefon komórkowy", "komórka", "nr telefonu",
		"numer telefonu", "telefone", "téléphone", "portable", "handy", "telefonnummer", "cellulare",
		"phone numbers", "telephone number", "mobile number", "cell number", "cellphone", "teléfono móvil",
		"teléfono celular", "teléfono fijo", "número de teléfono", "número de celular", "telefono fijo",
		"telefon stacjonarny", "telemóvel", "telemovel", "número de telefone", "téléphone portable",
		"numéro de téléphone", "mobiltelefon", "mobil", "festnetz", "handynummer", "telefono cellulare",
		"numero di telefono"},
	"street": {"address", "street", "street address", "address line 1", "address 1", "dirección", "direccion", "domicilio",
		"calle", "ulica", "adres", "endereço", "endereco", "rua", "adresse", "rue", "straße", "strasse", "indirizzo", "via",
		"dirección postal", "domicilio postal", "calle y número", "adres zamieszkania", "morada", "logradouro",
		"adresse postale", "anschrift", "straße und hausnummer", "strasse und hausnummer", "street line 1"},
	"postcode": {"postcode", "postal code", "zip", "zip code", "código postal", "codigo postal", "cp", "kod pocztowy",
		"kod", "cep", "code postal", "plz", "postleitzahl", "cap",
		"zip/postal code", "postal/zip code", "codice postale", "código de endereçamento postal", "npa"},
	"city": {"city", "town", "ciudad", "localidad", "municipio", "población", "miasto", "miejscowość", "cidade",
		"ville", "stadt", "ort", "città", "citta", "comune",
		"town/city", "city/town", "localidade", "município", "municipio/ciudad", "commune", "gemeinde", "wohnort",
		"località", "gmina"},
	"region": {"region", "state", "province", "provincia", "comunidad autónoma", "województwo", "wojewodztwo", "estado",
		"département", "bundesland", "regione",
		"state/province", "province/state", "estado/provincia", "provincia/estado", "comunidad", "voivodeship",
		"distrito", "région", "kanton", "canton"},
	"country": {"country", "país", "pais", "kraj", "państwo", "pays", "land", "paese", "nación",
		"country/region", "country code", "kraj zamieszkania", "nazione", "pays de résidence"},
	"birth_date": {"birth date", "date of birth", "dob", "birthday", "birthdate", "fecha de nacimiento", "fecha nacimiento",
		"nacimiento", "data urodzenia", "urodziny", "data de nascimento", "date de naissance", "geburtsdatum",
		"data di nascita",
		"cumpleaños", "aniversário", "data nascimento", "anniversaire", "geburtstag", "compleanno", "data urodzin"},
	// "CPF", "Codice fiscale" and "Job Title" head columns of the evaluation set, so they
	// stay out (TestEvalHeadersNotInDictionary): their values or words find them.
	"national_id": {"national id", "dni", "nif", "nie", "documento", "nro. documento", "número de documento",
		"numero de documento", "documento de identidad", "documento nacional de identidad", "cuit", "cuil",
		"cuit/cuil", "pasaporte", "número de pasaporte", "pesel", "nr dowodu", "numer dowodu",
		"nr dowodu osobistego", "dowód osobisty", "paszport", "national id number", "national identity number",
		"id number", "identity number", "tax id", "tax number", "passport", "passport number",
		"número de contribuinte", "contribuinte", "bilhete de identidade", "numéro fiscal",
		"numéro d'identification fiscale", "steuer-id", "steueridentifikationsnummer", "personalausweisnummer",
		"carta d'identità"},
	"organization": {"organization", "organisation", "company", "empresa", "organización", "organizacion", "entidad",
		"institución", "firma", "organizacja", "instytucja", "empresa/organização", "société", "unternehmen", "azienda",
		"organization name", "organisation name", "company name", "nombre de la empresa", "razón social", "employer",
		"empleador", "zakład pracy", "miejsce pracy", "nazwa firmy", "employeur", "arbeitgeber", "organizzazione", "entreprise", "association", "asociación",
		"associação", "stowarzyszenie", "verein", "associazione"},
	"occupation": {"occupation", "profession", "job", "profesión", "ocupación", "oficio", "actividad laboral",
		"puesto de trabajo", "zawód", "wykonywany zawód", "stanowisko", "profissão", "ocupação", "métier", "fonction",
		"beruf", "berufsbezeichnung", "professione", "occupazione", "mestiere", "organization title", "job position"},
	"tags": {"tags", "tag", "labels", "etiquetas", "etiqueta", "tagi", "etykiety", "grupos", "grupy", "groups", "categoría",
		"segmento", "segment", "segments", "kategoria", "kategorie", "étiquettes", "schlagworte", "etichette", "group"},
	"notes": {"notes", "note", "comments", "comment", "notas", "observaciones", "comentarios", "uwagi", "notatki",
		"komentarz", "observações", "remarques", "bemerkungen", "note interne",
		"observación", "nota", "comentario", "uwaga", "remarks", "anmerkungen", "notizen", "commentaires",
		"osservazioni", "annotazioni", "observação", "observacoes", "message", "mensaje", "messaggio", "mensagem",
		"nachricht", "wiadomość"},
	"opt_out": {"opt out", "opt-out", "optout", "unsubscribed", "do not email", "baja", "no contactar", "dado de baja",
		"rezygnacja", "wypisany", "nie kontaktować",
		"unsubscribe", "do not contact", "do not mail", "no enviar", "no molestar", "desuscrito", "désabonné",
		"désinscrit", "abgemeldet", "disiscritto", "wypisany z listy"},
	"opt_out_reason": {"unsubscribe reason", "opt-out reason", "motivo de baja", "motivo baja", "powód rezygnacji",
		"motivo do cancelamento", "raison du désabonnement", "abmeldegrund"},
	"opt_out_date": {"unsubscribe date", "unsubscribed date", "unsub time", "opt-out date", "fecha de baja", "fecha baja",
		"data rezygnacji", "data wypisania", "date de désabonnement", "abmeldedatum"},
	"consent": {"consent", "consentimiento", "acepta comunicaciones", "zgoda", "zgoda na kontakt", "zgoda marketingowa",
		"rgpd", "gdpr", "rodo", "consentimento", "consentement", "einwilligung", "consenso",
		"opt in", "opt-in", "optin", "marketing consent", "email consent", "permission", "permiso", "autorización",
		"autoriza", "lgpd", "privacidad", "zgoda na przetwarzanie danych"},
	"external_id": {"id", "external id", "contact id", "record id", "identificador", "nr", "numer", "código", "codigo",
		"member id", "customer id", "client id", "supporter id", "donor id", "id cliente", "id contacto",
		"número de socio", "numero de socio", "nº socio", "identifiant", "kundennummer", "mitgliedsnummer",
		"id darczyńcy", "nr darczyńcy", "numer darczyńcy", "id członka", "nr członka", "numer członkowski",
		"id donante", "código de donante"},
	"amount": {"amount", "donation", "donation amount", "gift", "importe", "monto", "cantidad", "donación", "donacion",
		"aporte", "cuota", "kwota", "kwota wpłaty", "darowizna", "wpłata", "valor", "montant", "betrag", "importo",
		"total", "suma", "montante", "quantia", "donativo", "spende", "donazione", "gift amount", "amount paid",
		"importe donado", "monto donado"},
	"currency": {"currency", "moneda", "divisa", "waluta", "moeda", "devise", "währung", "valuta"},
	"date": {"date", "payment date", "donation date", "fecha", "fecha de pago", "fecha donación", "data", "data wpłaty",
		"data przelewu", "data operacji", "data do pagamento", "datum", "zahlungsdatum",
		"transaction date", "date paid", "gift date", "fecha de cobro", "fecha operación", "data płatności",
		"data transakcji", "data księgowania", "data da doação", "date du don", "date de paiement", "buchungsdatum",
		"data versamento", "data pagamento"},
	"iban": {"iban", "account", "account number", "cuenta", "número de cuenta", "numer konta", "nr konta", "rachunek",
		"konto", "conta", "compte", "kontonummer", "conto",
		"bank account", "cuenta bancaria", "nr rachunku", "numer rachunku", "rachunek bankowy", "konto bankowe",
		"coordonnées bancaires", "bankverbindung"},
	"reference": {"reference", "payment reference", "concepto", "referencia", "tytuł", "tytul", "tytuł przelewu",
		"tytułem", "referência", "référence", "verwendungszweck", "causale",
		"memo", "referencia de pago", "libellé", "zahlungsreferenz", "riferimento", "opis operacji"},
}

// SynonymField returns the canonical field a header names, if the dictionary knows it.
func SynonymField(header string) (string, bool) {
	f, ok := synonyms[HeaderKey(header)]
	return f, ok
}
