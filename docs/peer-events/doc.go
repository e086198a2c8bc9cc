// Package peerevents publishes the JSON Schemas (draft 2020-12) of the
// events ghlsync exchanges with a Standard Webhooks peer, one file per event
// type (<type>.schema.json, embedded from this folder), and validates
// events against them. README.md in the same folder documents every event
// with an example.
//
// Each schema's root is the event as ghlsync sends it (Outbound); its
// #/$defs/inbound subschema is the stricter form ghlsync accepts from the
// peer (Inbound).
//
// Example:
//
//	doc, err := peerevents.Decode(body) // malformed JSON → error naming the offset
//	if err == nil {
//		err = peerevents.Validate(peerevents.Inbound, doc)
//	}
//	var inv *peerevents.InvalidError
//	if errors.As(err, &inv) {
//		for _, p := range inv.Problems { fmt.Println(p.Path, p.Message) } // "/data/email not a valid email"
//	}
package peerevents
