package apperr

func init() {
	register(map[string]string{
		// French messages (rules)
	}, map[string]string{
		// English messages (rules)
	})
}
