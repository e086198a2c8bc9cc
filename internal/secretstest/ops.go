package secretstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// version is one version of a secret value.
type version struct {
	id      string
	str     *string
	bin     []byte
	stages  []string
	created time.Time
}

func (v *version) has(stage string) bool { return slices.Contains(v.stages, stage) }

func (v *version) drop(stage string) {
	v.stages = slices.DeleteFunc(v.stages, func(s string) bool { return s == stage })
}

func (v *version) add(stage string) {
	if !v.has(stage) {
		v.stages = append(v.stages, stage)
	}
}

func (v *version) sameValue(str *string, bin []byte) bool {
	if (v.str == nil) != (str == nil) || (v.bin == nil) != (bin == nil) {
		return false
	}
	if str != nil && *v.str != *str {
		return false
	}
	return bytes.Equal(v.bin, bin)
}

// secret is one secret with its versions in creation order.
type secret struct {
	name        string
	arn         string
	description string
	tags        []tag
	created     time.Time
	changed     time.Time
	deletion    *time.Time // scheduled deletion date; nil unless marked for deletion
	versions    []*version
}

func (s *secret) version(id string) *version {
	for _, v := range s.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (s *secret) withStage(stage string) *version {
	for _, v := range s.versions {
		if v.has(stage) {
			return v
		}
	}
	return nil
}

// stagesMap lists the versions that carry staging labels, as AWS does.
func (s *secret) stagesMap() map[string][]string {
	m := map[string][]string{}
	for _, v := range s.versions {
		if len(v.stages) > 0 {
			m[v.id] = slices.Clone(v.stages)
		}
	}
	return m
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// epoch is a timestamp encoded as epoch seconds, as the JSON 1.1 protocol does.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)), nil
}

func ts(t time.Time) *epoch { e := epoch(t); return &e }

var (
	// Secret names: letters, digits and /_+=.@- (AWS), 1..512 characters.
	nameRE = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
)

const deletedMsg = "You can't perform this operation on the secret because it was marked for deletion."

func decode(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &apiError{400, "SerializationException", "cannot decode request body"}
	}
	return nil
}

// lookup finds a secret by name or ARN, purging it if its recovery window
// has passed. Callers hold d.mu.
func (d *Double) lookup(id string) (*secret, *apiError) {
	if id == "" {
		return nil, errInvalidParameter("SecretId is required")
	}
	s := d.secrets[id]
	if s == nil {
		for _, c := range d.secrets {
			if c.arn == id {
				s = c
				break
			}
		}
	}
	if s != nil && s.deletion != nil && !d.now().Before(*s.deletion) {
		delete(d.secrets, s.name)
		s = nil
	}
	if s == nil {
		return nil, errNotFound("Secrets Manager can't find the specified secret.")
	}
	return s, nil
}

func (d *Double) newVersionID(token string) (string, *apiError) {
	if token == "" {
		d.seq++
		return fmt.Sprintf("%08x-0000-4000-8000-%012x", d.seq, d.seq), nil
	}
	if n := len(token); n < 32 || n > 64 {
		return "", errInvalidParameter("ClientRequestToken must be 32-64 characters long.")
	}
	return token, nil
}

type valueInput struct {
	SecretString *string `json:"SecretString"`
	SecretBinary []byte  `json:"SecretBinary"`
}

func (in valueInput) present() bool { return in.SecretString != nil || in.SecretBinary != nil }

type shortOutput struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionID     string   `json:"VersionId,omitempty"`
	VersionStages []string `json:"VersionStages,omitempty"`
}

func (d *Double) createSecret(body []byte) (any, *apiError) {
	var in struct {
		valueInput
		Name               string `json:"Name"`
		Description        string `json:"Description"`
		ClientRequestToken string `json:"ClientRequestToken"`
		Tags               []tag  `json:"Tags"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if !nameRE.MatchString(in.Name) {
		return nil, errInvalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	if in.SecretString != nil && in.SecretBinary != nil {
		return nil, errInvalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if existing, ok := d.secrets[in.Name]; ok {
		if existing.deletion != nil && d.now().Before(*existing.deletion) {
			return nil, errInvalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.")
		}
		if existing.deletion == nil {
			// A retried create (same token, same value) is ignored.
			if v := existing.version(in.ClientRequestToken); v != nil && in.ClientRequestToken != "" {
				if v.sameValue(in.SecretString, in.SecretBinary) {
					return shortOutput{ARN: existing.arn, Name: existing.name, VersionID: v.id}, nil
				}
				return nil, errExists("You can't use ClientRequestToken %s because that value is already in use for a version of secret %s.", in.ClientRequestToken, existing.arn)
			}
			return nil, errExists("The operation failed because the secret %s already exists.", in.Name)
		}
		delete(d.secrets, in.Name) // recovery window over
	}
	now := d.now()
	d.seq++
	s := &secret{
		name:        in.Name,
		arn:         fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%06X", d.region, d.accountID, in.Name, d.seq&0xFFFFFF),
		description: in.Description,
		tags:        in.Tags,
		created:     now,
		changed:     now,
	}
	out := shortOutput{ARN: s.arn, Name: s.name}
	if in.present() {
		id, e := d.newVersionID(in.ClientRequestToken)
		if e != nil {
			return nil, e
		}
		s.versions = append(s.versions, &version{id: id, str: in.SecretString, bin: in.SecretBinary, stages: []string{StageCurrent}, created: now})
		out.VersionID = id
	}
	d.secrets[s.name] = s
	return out, nil
}

func (d *Double) getSecretValue(body []byte) (any, *apiError) {
	var in struct {
		SecretID     string `json:"SecretId"`
		VersionID    string `json:"VersionId"`
		VersionStage string `json:"VersionStage"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := d.lookup(in.SecretID)
	if e != nil {
		return nil, e
	}
	if s.deletion != nil {
		return nil, errInvalidRequest(deletedMsg)
	}
	var v *version
	switch {
	case in.VersionID != "":
		v = s.version(in.VersionID)
		if v == nil {
			return nil, errNotFound("Secrets Manager can't find the specified secret value for VersionId: %s", in.VersionID)
		}
		if in.VersionStage != "" && !v.has(in.VersionStage) {
			return nil, errInvalidRequest("You provided a VersionStage that is not associated to the provided VersionId.")
		}
	default:
		stage := in.VersionStage
		if stage == "" {
			stage = StageCurrent
		}
		v = s.withStage(stage)
		if v == nil {
			return nil, errNotFound("Secrets Manager can't find the specified secret value for staging label: %s", stage)
		}
	}
	return struct {
		ARN           string   `json:"ARN"`
		Name          string   `json:"Name"`
		VersionID     string   `json:"VersionId"`
		VersionStages []string `json:"VersionStages"`
		CreatedDate   *epoch   `json:"CreatedDate"`
		SecretString  *string  `json:"SecretString,omitempty"`
		SecretBinary  []byte   `json:"SecretBinary,omitempty"`
	}{s.arn, s.name, v.id, slices.Clone(v.stages), ts(v.created), v.str, v.bin}, nil
}

// moveStage attaches stage to v and removes it from every other version.
// Moving AWSCURRENT puts AWSPREVIOUS on the version that held it.
func (s *secret) moveStage(stage string, v *version) {
	var old *version
	for _, o := range s.versions {
		if o != v && o.has(stage) {
			o.drop(stage)
			old = o
		}
	}
	v.add(stage)
	if stage == StageCurrent {
		v.drop(StagePrevious)
		if old != nil {
			for _, o := range s.versions {
				o.drop(StagePrevious)
			}
			old.add(StagePrevious)
		}
	}
}

func (d *Double) putSecretValue(body []byte) (any, *apiError) {
	var in struct {
		valueInput
		SecretID           string   `json:"SecretId"`
		ClientRequestToken string   `json:"ClientRequestToken"`
		VersionStages      []string `json:"VersionStages"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := d.lookup(in.SecretID)
	if e != nil {
		return nil, e
	}
	if s.deletion != nil {
		return nil, errInvalidRequest(deletedMsg)
	}
	if !in.present() {
		return nil, errInvalidParameter("You must provide either SecretString or SecretBinary.")
	}
	if in.SecretString != nil && in.SecretBinary != nil {
		return nil, errInvalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	id, e := d.newVersionID(in.ClientRequestToken)
	if e != nil {
		return nil, e
	}
	if v := s.version(id); v != nil {
		if v.sameValue(in.SecretString, in.SecretBinary) {
			// Same token, same value: the retry is ignored.
			return shortOutput{ARN: s.arn, Name: s.name, VersionID: v.id, VersionStages: slices.Clone(v.stages)}, nil
		}
		return nil, errExists("You can't modify an existing version, you can only create a new version. ClientRequestToken %s is already in use for a version of secret %s.", id, s.arn)
	}
	stages := in.VersionStages
	if len(stages) == 0 || len(s.versions) == 0 && !slices.Contains(stages, StageCurrent) {
		// Default stage; the first version of a secret is always current.
		stages = append(slices.Clone(stages), StageCurrent)
	}
	now := d.now()
	v := &version{id: id, str: in.SecretString, bin: in.SecretBinary, created: now}
	s.versions = append(s.versions, v)
	for _, st := range stages {
		s.moveStage(st, v)
	}
	s.changed = now
	return shortOutput{ARN: s.arn, Name: s.name, VersionID: v.id, VersionStages: slices.Clone(v.stages)}, nil
}

func (d *Double) updateSecretVersionStage(body []byte) (any, *apiError) {
	var in struct {
		SecretID            string `json:"SecretId"`
		VersionStage        string `json:"VersionStage"`
		RemoveFromVersionID string `json:"RemoveFromVersionId"`
		MoveToVersionID     string `json:"MoveToVersionId"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := d.lookup(in.SecretID)
	if e != nil {
		return nil, e
	}
	if s.deletion != nil {
		return nil, errInvalidRequest(deletedMsg)
	}
	if in.VersionStage == "" {
		return nil, errInvalidParameter("VersionStage is required")
	}
	var from, to *version
	if in.RemoveFromVersionID != "" {
		if from = s.version(in.RemoveFromVersionID); from == nil {
			return nil, errInvalidParameter("Not a valid version: %s", in.RemoveFromVersionID)
		}
		if !from.has(in.VersionStage) {
			return nil, errInvalidParameter("Version stage %s not found in version %s", in.VersionStage, in.RemoveFromVersionID)
		}
	}
	if in.MoveToVersionID != "" {
		if to = s.version(in.MoveToVersionID); to == nil {
			return nil, errInvalidParameter("Not a valid version: %s", in.MoveToVersionID)
		}
		// A label lives on one version: moving it needs the version it leaves.
		if holder := s.withStage(in.VersionStage); holder != nil && holder != to && holder != from {
			return nil, errInvalidParameter("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", in.VersionStage, holder.id)
		}
	}
	switch {
	case to != nil:
		s.moveStage(in.VersionStage, to)
	case from != nil:
		if in.VersionStage == StageCurrent {
			return nil, errInvalidParameter("You can't remove the AWSCURRENT label without moving it to another version.")
		}
		from.drop(in.VersionStage)
	}
	s.changed = d.now()
	return shortOutput{ARN: s.arn, Name: s.name}, nil
}

type describeOutput struct {
	ARN                string              `json:"ARN"`
	Name               string              `json:"Name"`
	Description        string              `json:"Description,omitempty"`
	CreatedDate        *epoch              `json:"CreatedDate,omitempty"`
	LastChangedDate    *epoch              `json:"LastChangedDate,omitempty"`
	DeletedDate        *epoch              `json:"DeletedDate,omitempty"`
	Tags               []tag               `json:"Tags,omitempty"`
	VersionIdsToStages map[string][]string `json:"VersionIdsToStages,omitempty"`
}

func (s *secret) describe() describeOutput {
	out := describeOutput{
		ARN: s.arn, Name: s.name, Description: s.description, Tags: s.tags,
		CreatedDate: ts(s.created), LastChangedDate: ts(s.changed),
		VersionIdsToStages: s.stagesMap(),
	}
	if s.deletion != nil {
		out.DeletedDate = ts(*s.deletion)
	}
	return out
}

func (d *Double) describeSecret(body []byte) (any, *apiError) {
	var in struct {
		SecretID string `json:"SecretId"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := d.lookup(in.SecretID)
	if e != nil {
		return nil, e
	}
	return s.describe(), nil
}

func (d *Double) deleteSecret(body []byte) (any, *apiError) {
	var in struct {
		SecretID                   string `json:"SecretId"`
		RecoveryWindowInDays       *int64 `json:"RecoveryWindowInDays"`
		ForceDeleteWithoutRecovery bool   `json:"ForceDeleteWithoutRecovery"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.RecoveryWindowInDays != nil && in.ForceDeleteWithoutRecovery {
		return nil, errInvalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(30)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < 7 || days > 30 {
			return nil, errInvalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
	}
	s, e := d.lookup(in.SecretID)
	if e != nil {
		return nil, e
	}
	now := d.now()
	out := struct {
		ARN          string `json:"ARN"`
		Name         string `json:"Name"`
		DeletionDate *epoch `json:"DeletionDate"`
	}{ARN: s.arn, Name: s.name}
	if in.ForceDeleteWithoutRecovery {
		delete(d.secrets, s.name)
		out.DeletionDate = ts(now)
		return out, nil
	}
	if s.deletion != nil {
		return nil, errInvalidRequest("You tried to perform the operation on a secret that's currently marked deleted.")
	}
	at := now.Add(time.Duration(days) * 24 * time.Hour)
	s.deletion = &at
	out.DeletionDate = ts(at)
	return out, nil
}

func (d *Double) restoreSecret(body []byte) (any, *apiError) {
	var in struct {
		SecretID string `json:"SecretId"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := d.lookup(in.SecretID)
	if e != nil {
		return nil, e
	}
	s.deletion = nil
	return shortOutput{ARN: s.arn, Name: s.name}, nil
}

func (d *Double) listSecrets(body []byte) (any, *apiError) {
	var in struct {
		MaxResults             int    `json:"MaxResults"`
		NextToken              string `json:"NextToken"`
		IncludePlannedDeletion bool   `json:"IncludePlannedDeletion"`
		Filters                []struct {
			Key    string   `json:"Key"`
			Values []string `json:"Values"`
		} `json:"Filters"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	var prefixes []string
	for _, f := range in.Filters {
		if f.Key != "name" {
			return nil, errInvalidParameter("the test double supports only the name filter, not %q", f.Key)
		}
		prefixes = append(prefixes, f.Values...)
	}
	if in.MaxResults <= 0 || in.MaxResults > 100 {
		in.MaxResults = 100
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 {
			return nil, errInvalidParameter("invalid NextToken")
		}
		start = n
	}
	names := make([]string, 0, len(d.secrets))
	for name := range d.secrets {
		names = append(names, name)
	}
	sort.Strings(names)
	var list []describeOutput
	for _, name := range names {
		s, e := d.lookup(name)
		if e != nil {
			continue // purged
		}
		if s.deletion != nil && !in.IncludePlannedDeletion {
			continue
		}
		if len(prefixes) > 0 && !slices.ContainsFunc(prefixes, func(p string) bool {
			return strings.HasPrefix(strings.ToLower(s.name), strings.ToLower(p))
		}) {
			continue
		}
		list = append(list, s.describe())
	}
	out := struct {
		SecretList []map[string]any `json:"SecretList"`
		NextToken  string           `json:"NextToken,omitempty"`
	}{SecretList: []map[string]any{}}
	end := min(start+in.MaxResults, len(list))
	for _, o := range list[min(start, len(list)):end] {
		// ListSecrets names the version map SecretVersionsToStages.
		m := map[string]any{"ARN": o.ARN, "Name": o.Name, "CreatedDate": o.CreatedDate, "LastChangedDate": o.LastChangedDate, "SecretVersionsToStages": o.VersionIdsToStages}
		if o.Description != "" {
			m["Description"] = o.Description
		}
		if o.DeletedDate != nil {
			m["DeletedDate"] = o.DeletedDate
		}
		out.SecretList = append(out.SecretList, m)
	}
	if end < len(list) {
		out.NextToken = strconv.Itoa(end)
	}
	return out, nil
}

func (d *Double) listSecretVersionIDs(body []byte) (any, *apiError) {
	var in struct {
		SecretID          string `json:"SecretId"`
		IncludeDeprecated bool   `json:"IncludeDeprecated"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := d.lookup(in.SecretID)
	if e != nil {
		return nil, e
	}
	type entry struct {
		VersionID     string   `json:"VersionId"`
		VersionStages []string `json:"VersionStages,omitempty"`
		CreatedDate   *epoch   `json:"CreatedDate"`
	}
	out := struct {
		ARN      string  `json:"ARN"`
		Name     string  `json:"Name"`
		Versions []entry `json:"Versions"`
	}{ARN: s.arn, Name: s.name, Versions: []entry{}}
	for _, v := range s.versions {
		if len(v.stages) == 0 && !in.IncludeDeprecated {
			continue
		}
		out.Versions = append(out.Versions, entry{v.id, slices.Clone(v.stages), ts(v.created)})
	}
	return out, nil
}
