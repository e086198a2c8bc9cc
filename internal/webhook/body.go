package webhook

import (
	"fmt"
	"io"
)

// MaxBodyBytes is the default limit for a webhook body (256 KiB).
const MaxBodyBytes = 256 << 10

// ReadBody reads at most limit bytes from r. A longer body yields
// ErrBodyTooLarge and no data, so nothing half-read is ever processed.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("webhook: read body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	}
	return b, nil
}
