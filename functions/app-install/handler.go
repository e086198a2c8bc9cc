package main

import "github.com/ghlsync/ghlsync/internal/install/installapp"

// Handler maps API Gateway HTTP API events onto the install flow; the
// logic lives in installapp, shared with the local dev server.
type Handler = installapp.Handler
