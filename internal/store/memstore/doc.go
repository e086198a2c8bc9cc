// Package memstore is the embedded store.Store of the local run: records in
// maps behind one mutex, with the same rules, conditions and errors as the
// DynamoDB store (both pass storetest). New keeps everything in memory; Open
// also saves to a JSON file after every change (written to a temporary file
// and renamed, so a crash leaves the old or the new file, never half of one),
// which lets `ghlsync dev` keep links, cursors and installations across
// restarts. Rate budget windows are never saved.
//
// Example:
//
//	st, err := memstore.Open(".ghlsync/state.json")
//	if err != nil {
//		return err
//	}
//	ok, err := st.AcquireLease(ctx, "token-refresh#"+locationID, owner, 30*time.Second, time.Now())
package memstore
