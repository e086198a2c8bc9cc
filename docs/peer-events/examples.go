package peerevents

import (
	_ "embed"
	"regexp"
)

//go:embed README.md
var readme []byte

// exampleRE matches a "### `<type>`" heading and the first ```json block
// after it.
var exampleRE = regexp.MustCompile("(?ms)^### `([a-z]+\\.[a-z]+)`$.*?^```json\n(.*?)^```$")

// Examples returns the example event of every type documented in
// README.md, by type: the exact bytes of the first ```json block under the
// "### `<type>`" heading. Tests and the local dev page use them, so the
// documented examples are the tested ones.
func Examples() map[string][]byte {
	out := map[string][]byte{}
	for _, m := range exampleRE.FindAllSubmatch(readme, -1) {
		out[string(m[1])] = append([]byte(nil), m[2]...)
	}
	return out
}
