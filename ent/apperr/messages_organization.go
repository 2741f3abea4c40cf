package apperr

func init() {
	register(map[string]string{
		// French messages (organization)
		"space_not_member":           "Vous n'avez pas accès à l'espace structure « %s » : choisissez une de vos structures.",
		"org_unknown_facility":       "Infrastructure d'accueil inconnue « %s » : choisissez-la dans la liste (01 Restauration … 07 Parkings).",
		"org_unknown_label":          "Label qualité inconnu « %s » : choisissez-le dans la liste des autres labels.",
		"org_change_empty":           "Indiquez au moins une modification, ou un message pour le Carif-Oref.",
		"org_change_pending":         "Une demande de modification de cette structure est déjà en attente (envoyée le %s) : annulez-la ou attendez la réponse du Carif-Oref avant d'en envoyer une autre.",
		"org_change_not_pending":     "Cette demande de modification n'est plus en attente (elle est %s).",
		"org_change_state_applied":   "appliquée",
		"org_change_state_rejected":  "refusée",
		"org_change_state_cancelled": "annulée",
		"org_change_operator":        "Seul un gestionnaire du Carif-Oref peut appliquer ou refuser une demande de modification.",
		"org_comment_required":       "Indiquez la raison du refus : elle figure dans l'historique de la structure.",
		"org_document_empty":         "Le fichier « %s » est vide.",
		"org_document_too_large":     "Le fichier « %[1]s » fait %[2]s Mo : la taille maximale d'un document est de %[3]s Mo.",
		"org_document_type":          "Le fichier « %s » n'est pas d'un type accepté (%s) : envoyez un PDF, une image PNG ou JPEG, un texte brut ou un document bureautique (Word, Excel, PowerPoint, OpenDocument).",
	}, map[string]string{
		// English messages (organization)
		"space_not_member":           "You have no access to the organisation space « %s »: choose one of your organisations.",
		"org_unknown_facility":       "Unknown reception facility %q: choose one from the list (01 catering … 07 parking).",
		"org_unknown_label":          "Unknown quality label %q: choose one from the list of other labels.",
		"org_change_empty":           "Give at least one change, or a message for the Carif-Oref.",
		"org_change_pending":         "A change request for this organisation is already pending (sent on %s): cancel it or wait for the Carif-Oref's answer before sending another one.",
		"org_change_not_pending":     "This change request is no longer pending (it was %s).",
		"org_change_state_applied":   "applied",
		"org_change_state_rejected":  "rejected",
		"org_change_state_cancelled": "cancelled",
		"org_change_operator":        "Only a Carif-Oref operator may apply or reject a change request.",
		"org_comment_required":       "Give the reason for the rejection: it is shown in the organisation's history.",
		"org_document_empty":         "The file %q is empty.",
		"org_document_too_large":     "The file %[1]q is %[4]s MB: a document may not exceed %[5]s MB.",
		"org_document_type":          "The file %q is not of an accepted type (%s): send a PDF, a PNG or JPEG image, plain text or an office document (Word, Excel, PowerPoint, OpenDocument).",
	})
}
