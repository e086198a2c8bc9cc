// Package dynamostore is the deployed store.Store: every record in one
// DynamoDB table, through the narrow API interface (*dynamodb.Client
// satisfies it).
//
// # Table
//
// Key schema (TableDefinition; the SAM template must match it exactly):
//
//	pk  S  HASH
//	sk  S  RANGE
//	BillingMode PAY_PER_REQUEST, no secondary index,
//	TimeToLiveSpecification {AttributeName: expiration, Enabled: true},
//	point-in-time recovery on (template only).
//
// expiration is epoch seconds on every record that expires. DynamoDB deletes
// expired items days late (DynamoDB Local never does), so the code compares
// expiration itself; TTL only cleans up.
//
// # Items
//
// Every item has a "type" attribute naming its record. <loc> is a location
// id, <kind> a store.LinkKind; location ids, scopes and kinds never contain
// '#' (store.ErrInvalid), so keys cannot collide.
//
//	record        pk                        sk                      attributes
//	idempotency   idem#<scope>#<key>        idem                    scope, key, status (INPROGRESS|COMPLETED),
//	                                                                expiration (N, s), in_progress_expiration (N, ms),
//	                                                                payload_hash (S), result (B)
//	link, GHL     link#<loc>#<kind>#ghl     <GHL id>                location_id, kind, side, ghl_id, peer_id,
//	link, peer    link#<loc>#<kind>#peer    <peer id>               ghl_fingerprint, peer_fingerprint, source_version,
//	                                                                deleted (BOOL), updated_at (RFC 3339), version (N)
//	cursor        cursor#<loc>              <stream>                location_id, stream, position, updated_at
//	lease         lease#<name>              lease                   name, owner, lease_until (N, ms), expiration (N, s)
//	installation  install                   <loc or company id>     location_id, company_id, company (BOOL, agency
//	                                                                installs only), status, secret_name, reason, updated_at
//	rate window   rate#<loc>                window#<len ms>#<start ms>  count (N), expiration (N, s)
//
// Idempotency follows Powertools: the claim is one PutItem conditioned on
// attribute_not_exists(pk) OR expiration < :now OR (status = INPROGRESS AND
// attribute_exists(in_progress_expiration) AND in_progress_expiration <
// :now_ms), with ReturnValuesOnConditionCheckFailure=ALL_OLD so a duplicate
// gets the live record back without a second read. Each key is its own
// partition.
//
// Links are two items, one per side, each holding the whole link, written
// together in one TransactWriteItems (both conditioned on the version the
// caller read; a peer id change deletes the old peer item in the same
// transaction). Chosen over a GSI because a GSI is eventually consistent: a
// webhook from the peer that arrives right after ghlsync created the
// counterpart must find the link, and the peer side must refuse a second GHL
// id atomically, which only a conditional write on a base-table item can do.
// Each direction is one strongly consistent GetItem; the cost is two write
// units per link write. ListLinks queries the GHL-side partition (sort key
// order, i.e. byte order of GHL ids).
//
// Installations share one partition (sk = location id), so listing them is
// one Query, not a Scan; the registry is small and read once per sweep.
// Rate windows are fixed, aligned on the Unix epoch, one item per location
// and window, counted with a conditional UpdateItem ADD.
//
// # Permissions
//
// The functions need dynamodb:GetItem, PutItem, UpdateItem, DeleteItem and
// Query on the table's ARN. TransactWriteItems has no IAM action of its own:
// its Put and Delete parts are governed by PutItem and DeleteItem (the store
// uses no ConditionCheck part, so ConditionCheckItem is not needed).
//
// Example:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	if err != nil {
//		return err
//	}
//	st := dynamostore.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"))
//	rec, err := st.ClaimIdempotency(ctx, store.IdempotencyRecord{
//		Scope: "ghl", Key: webhookID, Expiration: time.Now().Add(time.Hour).Unix(),
//	}, time.Now())
package dynamostore
