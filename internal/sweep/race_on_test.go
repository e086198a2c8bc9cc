//go:build race

package sweep_test

// raceEnabled reports a -race build: the 20,000-contact proof runs without
// the race detector (see TestBackfill20000ContactsNoRace).
const raceEnabled = true
