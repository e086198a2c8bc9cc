package dynamostore

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ghlsync/ghlsync/internal/store"
)

// Attribute names the table definition and the conditions refer to.
const (
	attrPK         = "pk"
	attrSK         = "sk"
	attrExpiration = "expiration"
)

// Values of the "type" attribute, one per record kind, so a person reading
// the table (or an export) can tell items apart without parsing keys.
const (
	typeIdempotency  = "idempotency"
	typeLink         = "link"
	typeCursor       = "cursor"
	typeLease        = "lease"
	typeInstallation = "installation"
	typeRateWindow   = "rate_window"
)

// Partition of the installation registry: one partition, sort key = location id.
const installPK = "install"

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func idemKey(scope, k string) (pk, sk string) { return "idem#" + scope + "#" + k, "idem" }

func linkPartition(locationID string, kind store.LinkKind, side string) string {
	return "link#" + locationID + "#" + string(kind) + "#" + side
}

func linkGHLKey(locationID string, kind store.LinkKind, ghlID string) (pk, sk string) {
	return linkPartition(locationID, kind, sideGHL), ghlID
}

func linkPeerKey(locationID string, kind store.LinkKind, peerID string) (pk, sk string) {
	return linkPartition(locationID, kind, sidePeer), peerID
}

// Sides of a link: each link is two items, one per side.
const (
	sideGHL  = "ghl"
	sidePeer = "peer"
)

func cursorKey(locationID, stream string) (pk, sk string) { return "cursor#" + locationID, stream }

func leaseKey(name string) (pk, sk string) { return "lease#" + name, "lease" }

func installKey(locationID string) (pk, sk string) { return installPK, locationID }

func rateKey(locationID string, window time.Duration, start time.Time) (pk, sk string) {
	return "rate#" + locationID, "window#" + strconv.FormatInt(window.Milliseconds(), 10) + "#" + strconv.FormatInt(start.UnixMilli(), 10)
}

// idemItem is an idempotency record (Powertools layout, composite key).
type idemItem struct {
	PK                   string `dynamodbav:"pk"`
	SK                   string `dynamodbav:"sk"`
	Type                 string `dynamodbav:"type"`
	Scope                string `dynamodbav:"scope"`
	Key                  string `dynamodbav:"key"`
	Status               string `dynamodbav:"status"`
	Expiration           int64  `dynamodbav:"expiration"`
	InProgressExpiration int64  `dynamodbav:"in_progress_expiration,omitempty"`
	PayloadHash          string `dynamodbav:"payload_hash,omitempty"`
	Result               []byte `dynamodbav:"result,omitempty"`
}

func (it idemItem) record() store.IdempotencyRecord {
	return store.IdempotencyRecord{
		Scope:                it.Scope,
		Key:                  it.Key,
		Status:               store.IdempotencyStatus(it.Status),
		Expiration:           it.Expiration,
		InProgressExpiration: it.InProgressExpiration,
		PayloadHash:          it.PayloadHash,
		Result:               it.Result,
	}
}

// linkItem is one side of a link; both sides carry the whole link so either
// lookup is one GetItem.
type linkItem struct {
	PK              string `dynamodbav:"pk"`
	SK              string `dynamodbav:"sk"`
	Type            string `dynamodbav:"type"`
	Side            string `dynamodbav:"side"`
	LocationID      string `dynamodbav:"location_id"`
	Kind            string `dynamodbav:"kind"`
	GHLID           string `dynamodbav:"ghl_id"`
	PeerID          string `dynamodbav:"peer_id"`
	GHLFingerprint  string `dynamodbav:"ghl_fingerprint,omitempty"`
	PeerFingerprint string `dynamodbav:"peer_fingerprint,omitempty"`
	SourceVersion   string `dynamodbav:"source_version,omitempty"`
	Deleted         bool   `dynamodbav:"deleted,omitempty"`
	UpdatedAt       string `dynamodbav:"updated_at,omitempty"`
	Version         int64  `dynamodbav:"version"`
}

func newLinkItem(l store.Link, side string) linkItem {
	pk, sk := linkGHLKey(l.LocationID, l.Kind, l.GHLID)
	if side == sidePeer {
		pk, sk = linkPeerKey(l.LocationID, l.Kind, l.PeerID)
	}
	return linkItem{
		PK: pk, SK: sk, Type: typeLink, Side: side,
		LocationID:      l.LocationID,
		Kind:            string(l.Kind),
		GHLID:           l.GHLID,
		PeerID:          l.PeerID,
		GHLFingerprint:  l.GHLFingerprint,
		PeerFingerprint: l.PeerFingerprint,
		SourceVersion:   l.SourceVersion,
		Deleted:         l.Deleted,
		UpdatedAt:       formatTime(l.UpdatedAt),
		Version:         l.Version,
	}
}

func (it linkItem) link() (store.Link, error) {
	at, err := parseTime(it.UpdatedAt)
	return store.Link{
		LocationID:      it.LocationID,
		Kind:            store.LinkKind(it.Kind),
		GHLID:           it.GHLID,
		PeerID:          it.PeerID,
		GHLFingerprint:  it.GHLFingerprint,
		PeerFingerprint: it.PeerFingerprint,
		SourceVersion:   it.SourceVersion,
		Deleted:         it.Deleted,
		UpdatedAt:       at,
		Version:         it.Version,
	}, err
}

type cursorItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	Type       string `dynamodbav:"type"`
	LocationID string `dynamodbav:"location_id"`
	Stream     string `dynamodbav:"stream"`
	Position   string `dynamodbav:"position"`
	UpdatedAt  string `dynamodbav:"updated_at,omitempty"`
}

type leaseItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	Type       string `dynamodbav:"type"`
	Name       string `dynamodbav:"name"`
	Owner      string `dynamodbav:"owner"`
	LeaseUntil int64  `dynamodbav:"lease_until"` // epoch milliseconds
	Expiration int64  `dynamodbav:"expiration"`  // epoch seconds, TTL clean-up only
}

type installItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	Type       string `dynamodbav:"type"`
	LocationID string `dynamodbav:"location_id"`
	CompanyID  string `dynamodbav:"company_id,omitempty"`
	Company    bool   `dynamodbav:"company,omitempty"`
	Status     string `dynamodbav:"status"`
	SecretName string `dynamodbav:"secret_name,omitempty"`
	Reason     string `dynamodbav:"reason,omitempty"`
	UpdatedAt  string `dynamodbav:"updated_at,omitempty"`
}

func (it installItem) installation() (store.Installation, error) {
	at, err := parseTime(it.UpdatedAt)
	return store.Installation{
		LocationID: it.LocationID,
		CompanyID:  it.CompanyID,
		Company:    it.Company,
		Status:     store.InstallationStatus(it.Status),
		SecretName: it.SecretName,
		Reason:     it.Reason,
		UpdatedAt:  at,
	}, err
}

type rateItem struct {
	Count int `dynamodbav:"count"`
}

// formatTime keeps nanoseconds in UTC; the zero time is "" (attribute omitted).
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
