package benchreport

import (
	"fmt"
	"io"
	"strings"
)

// Status is a row's verdict against its target.
type Status string

// Verdicts.
const (
	Pass Status = "PASS"
	Miss Status = "MISS"
	// Info marks a figure without a target.
	Info Status = ""
	// Skip marks a measurement that could not run (the figure says why).
	Skip Status = "SKIP"
)

// Row is one line of the report.
type Row struct {
	Section string
	Name    string
	Figure  string
	Target  string
	Status  Status
}

// AtMost returns Pass when got ≤ limit.
func AtMost[T ~int64 | ~float64](got, limit T) Status {
	if got <= limit {
		return Pass
	}
	return Miss
}

// AtLeast returns Pass when got ≥ limit.
func AtLeast[T ~int64 | ~float64](got, limit T) Status {
	if got >= limit {
		return Pass
	}
	return Miss
}

// Render writes rows as one Markdown table; a row whose Section differs
// from the previous row's starts with the section in bold.
func Render(w io.Writer, rows []Row) error {
	var b strings.Builder
	b.WriteString("| measurement | figure | target | verdict |\n|---|---|---|---|\n")
	section := ""
	for _, r := range rows {
		name := r.Name
		if r.Section != section {
			section = r.Section
			name = "**" + section + "** " + name
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(name), cell(r.Figure), cell(r.Target), r.Status)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
