package dynamostore

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The records every event reads or writes (idempotency and link items) are
// encoded and decoded by hand: attributevalue's reflection costs about a
// hundred allocations per item, on the hot path of every webhook. The
// result is the item attributevalue would build from the struct tags
// (layout_test.go pins it); the rarer records still go through
// attributevalue.

func attrS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func attrN(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// item builds the idempotency item; omitempty fields are left out when zero.
func (it idemItem) item() map[string]types.AttributeValue {
	m := make(map[string]types.AttributeValue, 10)
	m[attrPK] = attrS(it.PK)
	m[attrSK] = attrS(it.SK)
	m["type"] = attrS(it.Type)
	m["scope"] = attrS(it.Scope)
	m["key"] = attrS(it.Key)
	m["status"] = attrS(it.Status)
	m[attrExpiration] = attrN(it.Expiration)
	if it.InProgressExpiration != 0 {
		m["in_progress_expiration"] = attrN(it.InProgressExpiration)
	}
	if it.PayloadHash != "" {
		m["payload_hash"] = attrS(it.PayloadHash)
	}
	if len(it.Result) > 0 {
		m["result"] = &types.AttributeValueMemberB{Value: it.Result}
	}
	return m
}

// decodeIdem reads an idempotency item.
func decodeIdem(m map[string]types.AttributeValue) (idemItem, error) {
	d := decoder{m: m}
	it := idemItem{
		PK:                   d.str(attrPK),
		SK:                   d.str(attrSK),
		Type:                 d.str("type"),
		Scope:                d.str("scope"),
		Key:                  d.str("key"),
		Status:               d.str("status"),
		Expiration:           d.int(attrExpiration),
		InProgressExpiration: d.int("in_progress_expiration"),
		PayloadHash:          d.str("payload_hash"),
		Result:               d.bytes("result"),
	}
	return it, d.err
}

// item builds one side of a link; omitempty fields are left out when zero.
func (it linkItem) item() map[string]types.AttributeValue {
	m := make(map[string]types.AttributeValue, 14)
	m[attrPK] = attrS(it.PK)
	m[attrSK] = attrS(it.SK)
	m["type"] = attrS(it.Type)
	m["side"] = attrS(it.Side)
	m["location_id"] = attrS(it.LocationID)
	m["kind"] = attrS(it.Kind)
	m["ghl_id"] = attrS(it.GHLID)
	m["peer_id"] = attrS(it.PeerID)
	if it.GHLFingerprint != "" {
		m["ghl_fingerprint"] = attrS(it.GHLFingerprint)
	}
	if it.PeerFingerprint != "" {
		m["peer_fingerprint"] = attrS(it.PeerFingerprint)
	}
	if it.SourceVersion != "" {
		m["source_version"] = attrS(it.SourceVersion)
	}
	if it.Deleted {
		m["deleted"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if it.UpdatedAt != "" {
		m["updated_at"] = attrS(it.UpdatedAt)
	}
	m["version"] = attrN(it.Version)
	return m
}

// decodeLink reads one side of a link.
func decodeLink(m map[string]types.AttributeValue) (linkItem, error) {
	d := decoder{m: m}
	it := linkItem{
		PK:              d.str(attrPK),
		SK:              d.str(attrSK),
		Type:            d.str("type"),
		Side:            d.str("side"),
		LocationID:      d.str("location_id"),
		Kind:            d.str("kind"),
		GHLID:           d.str("ghl_id"),
		PeerID:          d.str("peer_id"),
		GHLFingerprint:  d.str("ghl_fingerprint"),
		PeerFingerprint: d.str("peer_fingerprint"),
		SourceVersion:   d.str("source_version"),
		Deleted:         d.bool("deleted"),
		UpdatedAt:       d.str("updated_at"),
		Version:         d.int("version"),
	}
	return it, d.err
}

// decoder reads typed attributes of one item. An absent or NULL attribute
// is the zero value (as attributevalue.UnmarshalMap has it); the first
// attribute of another type is the error.
type decoder struct {
	m   map[string]types.AttributeValue
	err error
}

func (d *decoder) get(name string) types.AttributeValue {
	v, ok := d.m[name]
	if !ok {
		return nil
	}
	if _, null := v.(*types.AttributeValueMemberNULL); null {
		return nil
	}
	return v
}

func (d *decoder) fail(name, want string, v types.AttributeValue) {
	if d.err == nil {
		d.err = fmt.Errorf("attribute %s: want %s, got %T", name, want, v)
	}
}

func (d *decoder) str(name string) string {
	switch v := d.get(name).(type) {
	case nil:
		return ""
	case *types.AttributeValueMemberS:
		return v.Value
	default:
		d.fail(name, "S", v)
		return ""
	}
}

func (d *decoder) int(name string) int64 {
	switch v := d.get(name).(type) {
	case nil:
		return 0
	case *types.AttributeValueMemberN:
		n, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil && d.err == nil {
			d.err = fmt.Errorf("attribute %s: %w", name, err)
		}
		return n
	default:
		d.fail(name, "N", v)
		return 0
	}
}

func (d *decoder) bool(name string) bool {
	switch v := d.get(name).(type) {
	case nil:
		return false
	case *types.AttributeValueMemberBOOL:
		return v.Value
	default:
		d.fail(name, "BOOL", v)
		return false
	}
}

func (d *decoder) bytes(name string) []byte {
	switch v := d.get(name).(type) {
	case nil:
		return nil
	case *types.AttributeValueMemberB:
		return v.Value
	default:
		d.fail(name, "B", v)
		return nil
	}
}
