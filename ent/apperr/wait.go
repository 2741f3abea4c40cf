package apperr

import (
	"fmt"
	"time"
)

// Localized is a message argument rendered in the message's language.
type Localized interface {
	Localize(lang string) string
}

// Wait is a message argument telling how long to wait, in the message's
// language: « 45 secondes », « 1 minute », « 15 minutes » (rounded up, so
// that coming back at the time said always works).
type Wait time.Duration

// Localize renders the wait in lang.
func (w Wait) Localize(lang string) string {
	d := time.Duration(w)
	n, unit := int((d+time.Second-1)/time.Second), "seconds"
	if d >= time.Minute {
		n, unit = int((d+time.Minute-1)/time.Minute), "minutes"
	}
	if n <= 1 {
		n, unit = 1, unit[:len(unit)-1]
	}
	return fmt.Sprintf(Translate(lang, "wait_"+unit), n)
}
