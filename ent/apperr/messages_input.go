package apperr

// Messages of values the API cannot read or that fall outside what a user
// would ever mean (R-X-2): ill-formed scalars, out-of-range numbers and
// dates, blank texts. Each says what is expected.
func init() {
	register(map[string]string{
		"invalid_date":       "« %s » n'est pas une date valide : écrivez-la AAAA-MM-JJ (ex. 2027-02-28).",
		"invalid_local_time": "« %s » n'est pas une heure valide : écrivez-la HH:MM, de 00:00 à 23:59 (ex. 09:30).",
		"invalid_time":       "« %s » n'est pas une date et heure valides : écrivez-les au format RFC 3339 (ex. 2026-11-21T09:30:00+01:00).",
		"invalid_int":        "« %s » n'est pas un nombre entier entre -2147483648 et 2147483647.",
		"date_between":       "La date doit être comprise entre %d et %d.",
		"between":            "Cette valeur doit être comprise entre %d et %d.",
		"invalid_cursor":     "Curseur de pagination invalide « %s » : reprenez le curseur d'une réponse précédente (pageInfo.endCursor).",
	}, map[string]string{
		"invalid_date":       "%q is not a valid date: write it YYYY-MM-DD (e.g. 2027-02-28).",
		"invalid_local_time": "%q is not a valid time of day: write it HH:MM, 00:00 to 23:59 (e.g. 09:30).",
		"invalid_time":       "%q is not a valid date and time: write it in RFC 3339 (e.g. 2026-11-21T09:30:00+01:00).",
		"invalid_int":        "%q is not an integer between -2147483648 and 2147483647.",
		"date_between":       "The date must be between %d and %d.",
		"between":            "This value must be between %d and %d.",
		"invalid_cursor":     "Invalid pagination cursor %q: pass back the cursor of an earlier response (pageInfo.endCursor).",
	})
}
