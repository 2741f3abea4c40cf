package graph_test

// inputWith is in with key set to v, as the variables of a mutation
// taking it: {"in": in + key}. The catalogue's mutations take their parent
// or target inside their input (issue 12).
func inputWith(in any, key string, v any) map[string]any {
	m := map[string]any{}
	if src, ok := in.(map[string]any); ok {
		for k, x := range src {
			m[k] = x
		}
	}
	m[key] = v
	return map[string]any{"in": m}
}
