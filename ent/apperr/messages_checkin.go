package apperr

// Messages of the check-in engine's input checks (server/checkin, R-CHK-1,
// R-CHK-5).
func init() {
	register(map[string]string{
		"ck_device_clock":         "L'horloge de l'appareil (%s) s'écarte de plus d'un an de celle du serveur : réglez la date et l'heure de l'appareil, puis synchronisez à nouveau (les scans restent sur l'appareil).",
		"ck_sync_too_many":        "Un envoi compte au plus %d scans (%d reçus) : envoyez la file en plusieurs fois.",
		"ck_undo_already":         "Ce pointage a déjà été annulé le %s.",
		"ck_undo_not_admitted":    "Ce scan n'a fait entrer personne (refus ou doublon hors ligne) : il n'y a rien à annuler.",
		"ck_slot_not_of_activity": "Ce créneau n'existe pas dans l'activité pointée.",
		"ck_alias_conflict":       "%s et %s (son ancienne orthographe) ont des valeurs différentes : envoyez seulement %s.",
	}, map[string]string{
		"ck_device_clock":         "The device's clock (%s) is more than one year away from the server's: set the device's date and time, then sync again (the scans stay on the device).",
		"ck_sync_too_many":        "A sync holds at most %d scans (%d received): send the queue in several batches.",
		"ck_undo_already":         "This check-in was already undone on %s.",
		"ck_undo_not_admitted":    "This scan admitted nobody (a refusal or an offline duplicate): there is nothing to undo.",
		"ck_slot_not_of_activity": "This slot is not a slot of the activity being checked in.",
		"ck_alias_conflict":       "%s and %s (its old spelling) differ: send %s only.",
	})
}
