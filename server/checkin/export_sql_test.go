package checkin

// The engine's hand-written statements, for the plan tests of
// checkin_test.
var (
	RegistrationsQuery = registrationsQuery
	LockQuery          = lockQuery
	ReplaysCTE         = replaysCTE
)
