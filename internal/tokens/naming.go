package tokens

import (
	"fmt"
	"strings"
)

// The checks below are loops rather than package-level regexps, which
// every function would compile at start-up (its cold start).

// isID reports whether id is 1 to 64 letters, digits, '_' or '-': GHL
// location and company ids (20 alphanumerics in practice), with room for
// other opaque ids, never a path separator.
func isID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// isPrefix reports whether prefix is a Secrets Manager name prefix: one or
// more '/'-separated segments of the characters AWS allows in names
// (letters, digits, _+=.@-), no empty segment, so no leading, trailing or
// double slash.
func isPrefix(prefix string) bool {
	for seg := range strings.SplitSeq(prefix, "/") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			if c := seg[i]; !isAlnum(c) && !strings.ContainsRune("_+=.@-", rune(c)) {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// ValidateID reports whether id can be a location or company id: 1 to 64
// letters, digits, '_' or '-'. The error carries the id only if it is short
// and printable; it is never a secret.
func ValidateID(id string) error {
	if !isID(id) {
		if len(id) > 64 {
			return fmt.Errorf("%w: id of %d characters", ErrInvalidID, len(id))
		}
		return fmt.Errorf("%w: %q", ErrInvalidID, id)
	}
	return nil
}

// ValidatePrefix reports whether prefix can start secret names, e.g.
// "ghlsync/dev".
func ValidatePrefix(prefix string) error {
	if len(prefix) > 400 || !isPrefix(prefix) {
		return fmt.Errorf("%w: %q", ErrInvalidPrefix, prefix)
	}
	return nil
}

// LocationSecretName returns the per-location token secret name,
// "<prefix>/locations/<locationID>", e.g. "ghlsync/dev/locations/ve9EPM428h8vShlRW1KT".
func LocationSecretName(prefix, locationID string) (string, error) {
	return secretName(prefix, "locations", locationID)
}

// CompanySecretName returns the agency (company) token secret name,
// "<prefix>/companies/<companyID>".
func CompanySecretName(prefix, companyID string) (string, error) {
	return secretName(prefix, "companies", companyID)
}

func secretName(prefix, kind, id string) (string, error) {
	if err := ValidatePrefix(prefix); err != nil {
		return "", err
	}
	if err := ValidateID(id); err != nil {
		return "", err
	}
	return prefix + "/" + kind + "/" + id, nil
}

// LocationLeaseName is the store lease that serialises token renewal of one
// location across containers.
func LocationLeaseName(locationID string) string { return "tokens/locations/" + locationID }

// CompanyLeaseName is the store lease that serialises token renewal of one
// company (agency install) across containers.
func CompanyLeaseName(companyID string) string { return "tokens/companies/" + companyID }
