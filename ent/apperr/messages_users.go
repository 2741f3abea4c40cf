package apperr

// Messages of users, memberships and passwords (R-USR-*).
func init() {
	register(map[string]string{
		"user_outranks":     "Vous ne pouvez pas agir sur cet utilisateur : sur l'un de ses établissements, il détient des habilitations que vous n'avez pas, ou vous n'y gérez pas les utilisateurs. Demandez à un gestionnaire de tous ses établissements ou au Carif-Oref.",
		"grant_unheld":      "Vous ne pouvez accorder que les habilitations que vous détenez vous-même sur cet établissement (et, pour un siège, sur ses antennes).",
		"password_too_long": "Le mot de passe ne peut pas dépasser %d caractères.",
		"password_spaces":   "Le mot de passe ne doit ni commencer ni finir par une espace.",
		"password_common":   "Ce mot de passe fait partie des plus courants : choisissez-en un plus difficile à deviner.",
		"password_name":     "Le mot de passe ne doit pas contenir votre nom ou votre prénom.",
		"password_email":    "Le mot de passe ne doit pas contenir votre adresse e-mail.",
		"password_reused":   "Le nouveau mot de passe doit être différent du mot de passe actuel.",
	}, map[string]string{
		"user_outranks":     "You cannot act on this user: on one of their establishments they hold permissions you do not have, or you do not manage its users. Ask a manager of all their establishments or the Carif-Oref.",
		"grant_unheld":      "You can only grant permissions you hold yourself on this establishment (and, for a head office, on its branches).",
		"password_too_long": "The password cannot be longer than %d characters.",
		"password_spaces":   "The password must not start or end with a space.",
		"password_common":   "This password is one of the most common ones: choose one that is harder to guess.",
		"password_name":     "The password must not contain your last or first name.",
		"password_email":    "The password must not contain your e-mail address.",
		"password_reused":   "The new password must be different from the current one.",
	})
}
