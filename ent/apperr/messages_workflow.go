package apperr

func init() {
	register(map[string]string{
		// French messages (workflow)
	}, map[string]string{
		// English messages (workflow)
	})
}
