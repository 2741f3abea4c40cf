package apperr

import "strings"

// List is several domain errors reported at once, e.g. every rule a
// training breaks (R-X-2): the API shows each as its own GraphQL error.
type List []*Error

func (l List) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Err returns l as an error, nil when empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Warning is a problem reported without refusing the input (the seed's
// « avertissement »): same shape as an Error, code WARNING.
const Warning = "WARNING"

// Warn returns a warning on field, against rule.
func Warn(field, rule, key string, args ...any) *Error {
	return &Error{Code: Warning, Field: field, Rule: rule, Key: key, Args: args}
}

// Unwrap lets errors.As find the first error of the list.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
