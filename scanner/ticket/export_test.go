package ticket

// Exposed to the external test package, which builds altered codes.
var (
	Base45Encode = func(b []byte) string { return string(appendBase45(nil, b)) }
	Base45Decode = decodeBase45
)

const Base45Alphabet = base45Alphabet
