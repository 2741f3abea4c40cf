package apperr

func init() {
	register(map[string]string{
		// French messages (organization)
	}, map[string]string{
		// English messages (organization)
	})
}
