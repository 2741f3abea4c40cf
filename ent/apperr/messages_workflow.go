package apperr

// Messages of the training workflow (server/catalogue/workflow*.go,
// R-CAT-20…R-CAT-24).
func init() {
	register(map[string]string{
		"wf_not_responsible":     "Seul l'organisme responsable (mandataire) de cette formation peut la modifier, la dupliquer ou l'archiver, avec l'habilitation nécessaire.",
		"wf_operator_only":       "Seul un gestionnaire du Carif-Oref peut valider ou refuser une demande.",
		"wf_archived":            "Cette formation est archivée : elle ne peut plus être modifiée.",
		"wf_awaiting":            "Cette formation est en attente de validation par le Carif-Oref : annulez d'abord votre demande de vérification.",
		"wf_archive_requested":   "Une demande d'archivage de cette formation est en cours : annulez-la d'abord.",
		"wf_nothing_to_submit":   "Il n'y a rien à soumettre : enregistrez d'abord une modification.",
		"wf_not_submitted":       "Aucune demande de vérification n'est en cours pour cette formation.",
		"wf_nothing_to_drop":     "Il n'y a aucune demande à supprimer pour cette formation.",
		"wf_nothing_to_validate": "Aucune demande n'attend de validation pour cette formation.",
		"wf_archive_reason":      "Motif d'archivage inconnu « %s » : choisissez un motif de la liste.",
		"wf_archive_in_creation": "Une formation en cours de création ne s'archive pas : utilisez « Supprimer ma demande ».",
		"wf_field_forbidden":     "Vos habilitations ne vous permettent pas de modifier ce champ (%s) : seul un gestionnaire de la structure le peut.",
		"wf_session_unknown":     "Cette session n'est pas une session en cours de cette formation.",
		"wf_scheme_state":        "État du dispositif inconnu « %s ».",
	}, map[string]string{
		"wf_not_responsible":     "Only the training's responsible organisation, with the required permission, may edit, duplicate or archive it.",
		"wf_operator_only":       "Only a Carif-Oref operator may validate or reject a request.",
		"wf_archived":            "This training is archived: it can no longer be changed.",
		"wf_awaiting":            "This training is awaiting validation by the Carif-Oref: cancel your request first.",
		"wf_archive_requested":   "An archive request for this training is pending: cancel it first.",
		"wf_nothing_to_submit":   "There is nothing to submit: save a change first.",
		"wf_not_submitted":       "No request of this training is awaiting validation.",
		"wf_nothing_to_drop":     "This training has no request to drop.",
		"wf_nothing_to_validate": "No request of this training is awaiting validation.",
		"wf_archive_reason":      "Unknown archive reason %q: choose one from the list.",
		"wf_archive_in_creation": "A training in creation is not archived: drop it instead.",
		"wf_field_forbidden":     "Your permissions do not let you change this field (%s): only a manager of the organisation may.",
		"wf_session_unknown":     "This session is not a live session of this training.",
		"wf_scheme_state":        "Unknown scheme state %q.",
	})
}
