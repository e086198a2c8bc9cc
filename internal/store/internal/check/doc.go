// Package check holds the record rules memstore and dynamostore share, so the
// embedded store refuses exactly what the DynamoDB store refuses: empty key
// parts, '#' in location ids, scopes and kinds (they sit inside DynamoDB
// keys), invalid UTF-8, and sizes past the limits of one DynamoDB item. Every
// failure wraps store.ErrInvalid.
//
// Example:
//
//	if err := check.Link(l); err != nil {
//		return nil, fmt.Errorf("put %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
//	}
package check
