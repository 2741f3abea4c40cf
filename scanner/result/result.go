// Package result is what a scan shows: status, colour and message, in
// French (default) or English. The server and the devices share it, so a
// person reads the same words at every door, online or offline.
package result

import (
	"fmt"
	"strings"
	"time"
)

// Status of one scan (CHECKIN.md).
type Status string

const (
	AccessOK            Status = "ACCESS_OK"
	AlreadyCheckedIn    Status = "ALREADY_CHECKED_IN"
	InvalidCode         Status = "INVALID_CODE"
	UnknownRegistration Status = "UNKNOWN_REGISTRATION"
	WrongActivity       Status = "WRONG_ACTIVITY"
	Cancelled           Status = "CANCELLED"
	OutsideSlot         Status = "OUTSIDE_SLOT"
	DeviceRevoked       Status = "DEVICE_REVOKED"
	// InvalidTime: an offline scan dated before its ticket was issued or
	// after its batch was sent (a device clock gone wrong): it admits
	// nobody, and must not win a conflict with a real check-in.
	InvalidTime Status = "INVALID_TIME"
	// ScanIDReused: a client scan id the device already used for another
	// ticket (ids are per scan): not stored, so never answered as admitted.
	ScanIDReused Status = "SCAN_ID_REUSED"
)

// Color is the screen colour of a result.
type Color string

const (
	Green Color = "GREEN"
	Red   Color = "RED"
)

// ColorOf returns green for an admission, red for everything else.
func ColorOf(s Status) Color {
	if s == AccessOK {
		return Green
	}
	return Red
}

// Person is a participant as the screen names them.
type Person struct{ LastName, FirstName string }

// Name renders "DUPONT Jean".
func (p Person) Name() string {
	return strings.TrimSpace(strings.ToUpper(p.LastName) + " " + p.FirstName)
}

// Paris is where times are shown (R-X-3).
var Paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

var refusals = map[string]map[Status]string{
	"fr": {
		InvalidCode:         "KO, code non reconnu (billet invalide ou modifié)",
		UnknownRegistration: "KO, inscription inconnue ici",
		WrongActivity:       "KO, billet d'une autre activité",
		Cancelled:           "KO, inscription annulée",
		OutsideSlot:         "KO, hors créneau",
		DeviceRevoked:       "KO, appareil révoqué : il ne peut plus pointer",
		InvalidTime:         "KO, heure du scan impossible : vérifiez la date et l'heure de l'appareil",
		ScanIDReused:        "KO, identifiant de scan déjà utilisé pour un autre billet",
	},
	"en": {
		InvalidCode:         "KO, unrecognised code (invalid or altered ticket)",
		UnknownRegistration: "KO, registration unknown here",
		WrongActivity:       "KO, ticket for another activity",
		Cancelled:           "KO, registration cancelled",
		OutsideSlot:         "KO, outside the time slot",
		DeviceRevoked:       "KO, device revoked: it can no longer check people in",
		InvalidTime:         "KO, impossible scan time: check the device's date and time",
		ScanIDReused:        "KO, scan id already used for another ticket",
	},
}

// Message renders what the screen says: "Accès OK — DUPONT Jean",
// "KO, déjà pointé le 21/11/2026 à 10:02", or the refusal's reason.
// first is the time of the first check-in (for AlreadyCheckedIn).
func Message(lang string, s Status, people []Person, first time.Time) string {
	en := strings.HasPrefix(strings.ToLower(lang), "en")
	switch s {
	case AccessOK:
		names := make([]string, len(people))
		for i, p := range people {
			names[i] = p.Name()
		}
		if en {
			return "Access OK — " + strings.Join(names, ", ")
		}
		return "Accès OK — " + strings.Join(names, ", ")
	case AlreadyCheckedIn:
		t := first.In(Paris)
		if en {
			return fmt.Sprintf("KO, already checked in on %s at %s", t.Format("02/01/2006"), t.Format("15:04"))
		}
		return fmt.Sprintf("KO, déjà pointé le %s à %s", t.Format("02/01/2006"), t.Format("15:04"))
	}
	lng := "fr"
	if en {
		lng = "en"
	}
	if m, ok := refusals[lng][s]; ok {
		return m
	}
	return "KO"
}

// ReusedID renders the refusal of client scan id, already used by the
// device for another ticket: the id is what its developer needs to see.
func ReusedID(lang, id string) string {
	if len(id) > 64 {
		id = id[:64] + "…"
	}
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return fmt.Sprintf("KO, scan id %q already used for another ticket", id)
	}
	return fmt.Sprintf("KO, identifiant de scan « %s » déjà utilisé pour un autre billet", id)
}
