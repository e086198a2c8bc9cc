package main

import "github.com/ghlsync/ghlsync/internal/syncapp"

// newHandler routes API Gateway events to the sync flows over the
// function's route table (syncapp.FunctionRoutes, shared with the local
// dev server); any other route answers 404.
func newHandler(f syncapp.Flows) *syncapp.Handler {
	return syncapp.NewFunctionHandler(syncapp.FunctionNoteSync, f)
}
