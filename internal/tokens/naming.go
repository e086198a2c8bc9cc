package tokens

import (
	"fmt"
	"regexp"
)

// idRE accepts GHL location and company ids (20 alphanumerics in practice)
// and leaves room for other opaque ids without allowing path separators.
var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// prefixRE accepts a Secrets Manager name prefix: the characters AWS allows
// in names, no leading or trailing slash.
var prefixRE = regexp.MustCompile(`^[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*$`)

// ValidateID reports whether id can be a location or company id: 1 to 64
// letters, digits, '_' or '-'. The error carries the id only if it is short
// and printable; it is never a secret.
func ValidateID(id string) error {
	if !idRE.MatchString(id) {
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
	if len(prefix) > 400 || !prefixRE.MatchString(prefix) {
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
