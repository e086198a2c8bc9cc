package tokens_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/tokens"
)

// The regexps the checks were written from: the tests hold the loops to
// them.
var (
	idSpec     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	prefixSpec = regexp.MustCompile(`^[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*$`)
)

func TestValidateID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bool
	}{
		{"ve9EPM428h8vShlRW1KT", true},
		{"a", true},
		{"loc_1-2", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"a/b", false},
		{"..", false},
		{"a b", false},
		{"a\n", false},
		{"é", false},
		{"a.b", false},
	}
	for _, tt := range tests {
		err := tokens.ValidateID(tt.id)
		if got := err == nil; got != tt.want {
			t.Errorf("ValidateID(%q) = %v, want ok %v", tt.id, err, tt.want)
		}
		if got := idSpec.MatchString(tt.id); got != tt.want {
			t.Errorf("spec regexp on %q = %v, want %v (table out of date)", tt.id, got, tt.want)
		}
		if err != nil && !errors.Is(err, tokens.ErrInvalidID) {
			t.Errorf("ValidateID(%q) = %v, want ErrInvalidID", tt.id, err)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		want   bool
	}{
		{"ghlsync/dev", true},
		{"ghlsync", true},
		{"a_b+c=d.e@f-g/h", true},
		{"a/b/c", true},
		{"", false},
		{"/ghlsync", false},
		{"ghlsync/", false},
		{"ghlsync//dev", false},
		{"ghl sync", false},
		{"ghlsync/dév", false},
		{"ghlsync\n", false},
		{strings.Repeat("a", 400), true},
		{strings.Repeat("a", 401), false},
	}
	for _, tt := range tests {
		err := tokens.ValidatePrefix(tt.prefix)
		if got := err == nil; got != tt.want {
			t.Errorf("ValidatePrefix(%q) = %v, want ok %v", tt.prefix, err, tt.want)
		}
		if got := len(tt.prefix) <= 400 && prefixSpec.MatchString(tt.prefix); got != tt.want {
			t.Errorf("spec regexp on %q = %v, want %v (table out of date)", tt.prefix, got, tt.want)
		}
		if err != nil && !errors.Is(err, tokens.ErrInvalidPrefix) {
			t.Errorf("ValidatePrefix(%q) = %v, want ErrInvalidPrefix", tt.prefix, err)
		}
	}
}

func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"ghlsync/dev", "a/", "/a", "a//b", "ve9EPM428h8vShlRW1KT", "a\n", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tokens.ValidateID(s) == nil, idSpec.MatchString(s); got != want {
			t.Errorf("ValidateID(%q) ok = %v, regexp %v", s, got, want)
		}
		if got, want := tokens.ValidatePrefix(s) == nil, len(s) <= 400 && prefixSpec.MatchString(s); got != want {
			t.Errorf("ValidatePrefix(%q) ok = %v, regexp %v", s, got, want)
		}
	})
}
