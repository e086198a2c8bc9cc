// Package ghl is a client for the GoHighLevel (GHL) API v2: contacts, their
// tags, tasks, notes and appointments, calendars, calendar appointments and
// events in a time window, location task search and the OAuth token
// endpoints.
//
// One Client holds one service per API area (Contacts, Locations,
// Calendars, OAuth); each method takes a context first, names the GHL
// operation it calls in its doc comment, and returns (T, *Response, error).
// The Client adds no credentials: authenticate with the *http.Client you
// give it, for example one from oauth2.NewClient. Every call is paced by
// a per-location RateLimiter that adapts to GHL's X-RateLimit-* headers,
// and retried by one policy (retry.go): reads and idempotent writes are
// retried after 429, 5xx and network errors with jittered exponential
// backoff that never sleeps past the context deadline; creates, upserts
// and single-use OAuth grants are retried only when GHL provably did not
// process them, and otherwise fail with an *AmbiguousError.
//
// Example:
//
//	hc := oauth2.NewClient(ctx, tokenSource) // Authorization: Bearer …
//	c, err := ghl.NewClient(hc, ghl.WithLocationID(locationID))
//	if err != nil {
//		return err
//	}
//	contact, _, err := c.Contacts.Get(ctx, contactID)
//	var apiErr *ghl.Error
//	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
//		// deleted in GHL
//	} else if err != nil {
//		return err
//	} else {
//		fmt.Println(contact.Email)
//	}
//
//	_, _, err = c.Contacts.Create(ctx, &ghl.CreateContactRequest{LocationID: locationID, Email: email})
//	if errors.Is(err, ghl.ErrAmbiguous) {
//		// it may exist now: look it up (FindDuplicate) before creating again
//	}
//
//	for ct, err := range c.Contacts.SearchAll(ctx, &ghl.SearchContactsRequest{
//		LocationID: locationID,
//		Sort:       []ghl.SearchSort{{Field: "dateUpdated", Direction: "asc"}},
//	}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ct.ID, ct.DateUpdated)
//	}
package ghl
