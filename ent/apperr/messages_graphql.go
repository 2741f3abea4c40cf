package apperr

// Messages of the GraphQL layer's own refusals: limits checked before
// validation, page sizes, introspection, request bodies. Keys start with
// "gql_".
func init() {
	register(map[string]string{
		"gql_token_limit":             "Requête trop longue : elle dépasse %d éléments lexicaux.",
		"gql_field_limit":             "Requête trop grande : elle sélectionne plus de %d champs.",
		"gql_fragment_limit":          "Requête trop grande : elle définit plus de %d fragments.",
		"gql_field_repeated":          "Le champ « %s » est sélectionné plus de %d fois au même niveau.",
		"gql_input_too_deep":          "%s : valeur trop imbriquée (au plus %d niveaux d'objets et de listes).",
		"gql_input_too_deep_variable": "Variable « %s » : valeur trop imbriquée (au plus %d niveaux d'objets et de listes).",
		"gql_page_size":               "%s : entre 0 et %d.",
		"gql_introspection_disabled":  "L'introspection du schéma est désactivée sur ce serveur.",
		"gql_depth_limit":             "Requête trop imbriquée : au plus %d niveaux.",
		"gql_complexity_limit":        "Requête trop coûteuse : complexité %d, au plus %d.",
		"gql_bad_json":                "Le corps de la requête doit être un objet JSON (query, variables, operationName).",
		"gql_bad_json_syntax":         "Le corps de la requête n'est pas un JSON valide (erreur à l'octet %d).",
		"gql_bad_json_type":           "Le champ « %s » du corps JSON de la requête a le mauvais type.",
		"gql_bad_body":                "Le corps de la requête est illisible.",
		"gql_bad_url":                 "L'adresse de la requête est mal formée.",
		"gql_get_query_only":          "Une requête GET ne peut que lire : envoyez les mutations en POST.",
		"gql_no_query":                "La requête ne contient pas de document GraphQL (paramètre « query »).",
		"gql_invalid_request":         "Requête GraphQL invalide : %s",
		"gql_operation_not_found":     "L'opération « %s » n'existe pas dans le document.",
		"gql_no_operation":            "Le document ne contient aucune opération.",
		"gql_stream_cursor":           "Curseur d'abonnement invalide : reprenez le champ cursor d'un événement reçu.",
	}, map[string]string{
		"gql_token_limit":             "Query too long: it has more than %d lexical tokens.",
		"gql_field_limit":             "Query too large: it selects more than %d fields.",
		"gql_fragment_limit":          "Query too large: it defines more than %d fragments.",
		"gql_field_repeated":          "Field %q is selected more than %d times at one level.",
		"gql_input_too_deep":          "%s: value nested too deep (at most %d levels of objects and lists).",
		"gql_input_too_deep_variable": "Variable %q: value nested too deep (at most %d levels of objects and lists).",
		"gql_page_size":               "%s: between 0 and %d.",
		"gql_introspection_disabled":  "Schema introspection is disabled on this server.",
		"gql_depth_limit":             "Query nested too deep: at most %d levels.",
		"gql_complexity_limit":        "Query too costly: complexity %d, at most %d.",
		"gql_bad_json":                "The request body must be a JSON object (query, variables, operationName).",
		"gql_bad_json_syntax":         "The request body is not valid JSON (error at byte %d).",
		"gql_bad_json_type":           "The JSON request body's field %q has the wrong type.",
		"gql_bad_body":                "The request body could not be read.",
		"gql_bad_url":                 "The request's address is malformed.",
		"gql_get_query_only":          "A GET request can only read: send mutations with POST.",
		"gql_no_query":                "The request has no GraphQL document (parameter \"query\").",
		"gql_invalid_request":         "Invalid GraphQL request: %s",
		"gql_operation_not_found":     "Operation %q is not in the document.",
		"gql_no_operation":            "The document has no operation.",
		"gql_stream_cursor":           "Invalid subscription cursor: pass back the cursor field of an event you received.",
	})
}
