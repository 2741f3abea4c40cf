package apperr

// Messages of the limiter (server/limit) and of device claiming (R-CHK-3).
// Each limit message says when to come back: its argument is a Wait.
func init() {
	register(map[string]string{
		"limit_login":            "Trop de tentatives de connexion. Réessayez dans %s.",
		"limit_current_password": "Trop d'essais du mot de passe actuel. Réessayez dans %s.",
		"limit_register":         "Trop d'inscriptions depuis cette adresse. Réessayez dans %s.",
		"limit_device_codes":     "Trop d'essais de codes d'appareil. Réessayez dans %s.",
		"wait_second":            "%d seconde",
		"wait_seconds":           "%d secondes",
		"wait_minute":            "%d minute",
		"wait_minutes":           "%d minutes",
		"device_claimed":         "Appareil déjà activé : demandez à un gestionnaire de le libérer.",
	}, map[string]string{
		"limit_login":            "Too many login attempts. Try again in %s.",
		"limit_current_password": "Too many attempts at the current password. Try again in %s.",
		"limit_register":         "Too many registrations from this address. Try again in %s.",
		"limit_device_codes":     "Too many attempts at device codes. Try again in %s.",
		"wait_second":            "%d second",
		"wait_seconds":           "%d seconds",
		"wait_minute":            "%d minute",
		"wait_minutes":           "%d minutes",
		"device_claimed":         "Device already activated: ask a manager to release it.",
	})
}
