package ghlsandbox

import (
	"math/rand/v2"
	"sync"
	"time"
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// idGen makes GHL-looking ids from a seeded source, so a seeded sandbox
// produces the same ids every run.
type idGen struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

func newIDGen(seed uint64) *idGen {
	return &idGen{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// id returns a 20-character alphanumeric id like GHL's (Firebase push ids).
func (g *idGen) id() string { return g.str(20, idAlphabet) }

// objectID returns a 24-hex-digit id like the Mongo ObjectIds GHL uses for
// businesses, apps and versions.
func (g *idGen) objectID() string { return g.str(24, "0123456789abcdef") }

// token returns an opaque bearer-token-like string of n characters.
func (g *idGen) token(n int) string { return g.str(n, idAlphabet) }

func (g *idGen) str(n int, alphabet string) string {
	b := make([]byte, n)
	g.mu.Lock()
	for i := range b {
		b[i] = alphabet[g.rnd.IntN(len(alphabet))]
	}
	g.mu.Unlock()
	return string(b)
}

// isoMillis is GHL's timestamp layout: ISO-8601, milliseconds, Z.
const isoMillis = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(isoMillis)
}

// parseTime accepts the ISO-8601 forms clients send (with or without
// fraction, Z or offset) and a bare date.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// mix is SplitMix64: a fast, well-distributed hash used to derive
// reproducible decisions (faults, jitter) from a seed and a counter.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashString is FNV-1a, folded into mix.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }
