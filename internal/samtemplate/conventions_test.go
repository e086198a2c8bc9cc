package samtemplate_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/samtemplate"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// These tests pin the conventions of template.yaml (AWS-LOCAL.md sections 4
// and 5, DESIGN.md sections 2, 6 and 8). cfn-lint and the SAM translator
// (tools_test.go) check that it is a valid template; these check that it is
// the right one.

func TestTemplateFunctions(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	if got := tpl.Transform; got != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform = %v, want AWS::Serverless-2016-10-31", got)
	}
	var ids []string
	for _, f := range tpl.Functions() {
		ids = append(ids, f.LogicalID)
	}
	if diff := cmp.Diff(designFunctions, ids); diff != "" {
		t.Fatalf("functions (-want +got):\n%s", diff)
	}
	for _, f := range tpl.Functions() {
		t.Run(f.LogicalID, func(t *testing.T) {
			t.Parallel()
			p := f.Properties
			checks := []struct {
				what      string
				got, want any
			}{
				{"Runtime", p["Runtime"], "provided.al2023"},
				{"Handler", p["Handler"], "bootstrap"},
				{"Architectures", p["Architectures"], []any{"arm64"}},
				{"CodeUri", p["CodeUri"], "."},
				{"Metadata.BuildMethod", f.Metadata["BuildMethod"], "makefile"},
				{"LoggingConfig.LogFormat", samtemplate.Lookup(p, "LoggingConfig", "LogFormat"), "JSON"},
				{"LoggingConfig.ApplicationLogLevel", samtemplate.Lookup(p, "LoggingConfig", "ApplicationLogLevel"), ref("LogLevel")},
			}
			for _, c := range checks {
				if diff := cmp.Diff(c.want, c.got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.what, diff)
				}
			}
			// API Gateway HTTP APIs end a Lambda integration at 30 s; the
			// function must time out first so its own budget answers.
			if to, ok := p["Timeout"].(int); !ok || to < 10 || to >= 30 {
				t.Errorf("Timeout = %v, want whole seconds in [10, 30)", p["Timeout"])
			}
			if mem, ok := p["MemorySize"].(int); !ok || mem < 128 {
				t.Errorf("MemorySize = %v, want at least 128", p["MemorySize"])
			}
			lg := samtemplate.Lookup(p, "LoggingConfig", "LogGroup")
			if r, ok := tpl.Resources[refName(lg)]; !ok || r.Type != "AWS::Logs::LogGroup" || r.Properties["RetentionInDays"] == nil {
				t.Errorf("LoggingConfig.LogGroup = %v, want !Ref of an AWS::Logs::LogGroup with RetentionInDays", lg)
			}
			env := f.Env()
			for k, want := range map[string]any{
				"STAGE":            ref("Stage"),
				"TABLE_NAME":       ref("StateTable"),
				"SECRET_PREFIX":    sub("ghlsync/${Stage}"),
				"APP_SECRET_NAME":  sub("ghlsync/${Stage}/app"),
				"PEER_SECRET_NAME": sub("ghlsync/${Stage}/peer"),
				"GHL_BASE_URL":     ref("GhlBaseUrl"),
			} {
				if diff := cmp.Diff(want, env[k]); diff != "" {
					t.Errorf("Environment %s (-want +got):\n%s", k, diff)
				}
			}
			for i, pol := range samtemplate.List(p["Policies"]) {
				if samtemplate.Map(pol)["Statement"] == nil {
					t.Errorf("Policies[%d] = %v: want an inline policy document (SAM policy templates and managed policies grant more than the function needs)", i, pol)
				}
			}
			if p["Role"] != nil {
				t.Errorf("Role is set; the template's checks assume SAM-generated per-function roles")
			}
		})
	}
}

func TestRoutesMatchDesign(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	got := map[string]string{}
	for _, r := range tpl.Routes() {
		if prev, dup := got[r.Key()]; dup {
			t.Errorf("route %s is declared twice (%s and %s)", r.Key(), prev, r.Function)
		}
		got[r.Key()] = r.Function
		if diff := cmp.Diff(ref("HttpApi"), r.Properties["ApiId"]); diff != "" {
			t.Errorf("%s ApiId (-want +got):\n%s", r.Key(), diff)
		}
		if v := r.Properties["PayloadFormatVersion"]; v != "2.0" {
			t.Errorf("%s PayloadFormatVersion = %#v, want \"2.0\"", r.Key(), v)
		}
		if ms, ok := r.Properties["TimeoutInMillis"].(int); ok && ms > 30000 {
			t.Errorf("%s TimeoutInMillis = %d, over the HTTP API limit of 30000", r.Key(), ms)
		}
	}
	if diff := cmp.Diff(designRoutes, got); diff != "" {
		t.Errorf("routes: route key -> function (-DESIGN.md +template.yaml):\n%s", diff)
	}
	if api, ok := tpl.Resources["HttpApi"]; !ok || api.Type != samtemplate.TypeHTTPAPI {
		t.Errorf("HttpApi resource: %+v, want an %s", api, samtemplate.TypeHTTPAPI)
	}
}

// scheduleInput is what a schedule delivers (ScheduleV2 passes Input
// verbatim); the functions decode it into their own type.
type scheduleInput struct {
	Kind   string `json:"kind"`
	Stream string `json:"stream"`
}

func decodeInput(s string) (scheduleInput, error) {
	var in scheduleInput
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, err
	}
	if dec.More() {
		return in, fmt.Errorf("trailing data after the JSON object")
	}
	if in.Kind == "" {
		return in, fmt.Errorf("kind is empty")
	}
	return in, nil
}

func TestSchedules(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	got := map[string]string{}
	for _, s := range tpl.Schedules() {
		name := s.Function + "." + s.Event
		if s.Type != "ScheduleV2" {
			t.Errorf("%s is a %s event; use ScheduleV2 (EventBridge Scheduler) with an explicit Input", name, s.Type)
			continue
		}
		in, err := decodeInput(s.Input())
		if err != nil {
			t.Errorf("%s Input %#v: %v", name, s.Properties["Input"], err)
		}
		if _, dup := got[s.Function]; dup {
			t.Errorf("%s: second schedule on %s", name, s.Function)
		}
		got[s.Function] = in.Stream
		p := s.Properties
		if param := refName(p["ScheduleExpression"]); tpl.Parameters[param] == nil {
			t.Errorf("%s ScheduleExpression = %v, want !Ref of a Parameter", name, p["ScheduleExpression"])
		}
		wantState := map[string]any{"Fn::If": []any{"SchedulesOn", "ENABLED", "DISABLED"}}
		if diff := cmp.Diff(wantState, p["State"]); diff != "" {
			t.Errorf("%s State (-want +got):\n%s", name, diff)
		}
		if samtemplate.Map(p["RetryPolicy"])["MaximumRetryAttempts"] == nil {
			t.Errorf("%s RetryPolicy = %v, want MaximumRetryAttempts set", name, p["RetryPolicy"])
		}
		dlq := samtemplate.Lookup(p, "DeadLetterConfig", "Arn")
		if q := queueOf(tpl, dlq); q == "" {
			t.Errorf("%s DeadLetterConfig.Arn = %v, want !GetAtt <queue>.Arn", name, dlq)
		} else if fq := queueOf(tpl, onFailure(tpl, s.Function)); q != fq {
			t.Errorf("%s dead-letter queue %s, want the function's failure queue %s", name, q, fq)
		}
		if p["OmitName"] != true {
			t.Errorf("%s OmitName = %v, want true (SAM otherwise names the schedule after its logical id, and two stacks in one account collide)", name, p["OmitName"])
		}
	}
	if diff := cmp.Diff(designSchedules, got); diff != "" {
		t.Errorf("schedules: function -> Input stream (-want +got):\n%s", diff)
	}
	// Off by default until the sweep code ships; docs/deploy.md says how to turn them on.
	if d := tpl.Parameters["SchedulesEnabled"]["Default"]; d != "true" {
		t.Errorf("SchedulesEnabled default = %#v, want \"true\" (the sweeps make the sync complete)", d)
	}
	wantCond := map[string]any{"Fn::Equals": []any{ref("SchedulesEnabled"), "true"}}
	if diff := cmp.Diff(wantCond, tpl.Conditions["SchedulesOn"]); diff != "" {
		t.Errorf("Condition SchedulesOn (-want +got):\n%s", diff)
	}
}

func TestScheduleInputDecoding(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		`{"kind":"sweep","stream":"contacts"}`: true,
		`{"kind":"sweep"}`:                     true,
		`{"stream":"contacts"}`:                false,
		`{"kind":""}`:                          false,
		`{"kind":"sweep","extra":1}`:           false,
		``:                                     false,
		`{"kind":"sweep"} {}`:                  false,
	} {
		if _, err := decodeInput(in); (err == nil) != ok {
			t.Errorf("decodeInput(%q) error = %v, want ok=%t", in, err, ok)
		}
	}
}

// tableActions are the only DynamoDB actions the store needs
// (internal/store/dynamostore doc.go, "Permissions").
var tableActions = []any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"}

const (
	locationSecrets = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:ghlsync/${Stage}/locations/*"
	companySecrets  = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:ghlsync/${Stage}/companies/*"
)

// grant is one (action, resource) pair a function's role allows.
type grant struct{ Action, Resource string }

func grants(actions []any, resources ...any) []grant {
	var out []grant
	for _, a := range actions {
		for _, r := range resources {
			out = append(out, grant{a.(string), render(r)})
		}
	}
	return out
}

// wantGrants is the least-privilege IAM of each function, as (action,
// resource) pairs. SAM adds sqs:SendMessage on the function's failure queue
// (EventInvokeConfig) and the logs permissions of AWSLambdaBasicExecutionRole;
// TestSamTranslator checks those.
func wantGrants() map[string][]grant {
	syncFn := slices.Concat(
		grants(tableActions, getAtt("StateTable", "Arn")),
		grants([]any{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:CreateSecret"}, sub(locationSecrets)),
		grants([]any{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"}, sub(companySecrets)),
		grants([]any{"secretsmanager:GetSecretValue"}, ref("AppSecret"), ref("PeerSecret")),
	)
	return map[string][]grant{
		"ContactUpsertFunction":   syncFn,
		"TaskSyncFunction":        syncFn,
		"NoteSyncFunction":        syncFn,
		"AppointmentPullFunction": syncFn,
		"AppInstallFunction": slices.Concat(
			grants(tableActions, getAtt("StateTable", "Arn")),
			grants([]any{"secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret", "secretsmanager:RestoreSecret"}, sub(locationSecrets), sub(companySecrets)),
			grants([]any{"secretsmanager:GetSecretValue"}, ref("AppSecret")),
		),
	}
}

// starAllowed lists statements that may use Resource "*" because AWS offers
// no resource-level permission for their actions. Empty: nothing in this
// template needs one (no X-Ray, no PutMetricData; metrics come from log
// metric filters). Add entries as "LogicalId/Sid" with the reason.
var starAllowed = map[string]string{}

func TestIAMLeastPrivilege(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	got := map[string][]grant{}
	for _, st := range tpl.Statements() {
		where := st.Resource + " " + st.Where
		if st.Effect != "Allow" {
			t.Errorf("%s: Effect %q; the template has no Deny statements", where, st.Effect)
		}
		for _, r := range st.Resources {
			if r == "*" {
				if reason, ok := starAllowed[st.Resource+"/"+st.Sid]; !ok {
					t.Errorf("%s (Sid %q): Resource \"*\"; scope it to ARNs, or add it to starAllowed with the reason AWS requires it", where, st.Sid)
				} else {
					t.Logf("%s: Resource \"*\" allowed: %s", where, reason)
				}
			}
		}
		for _, a := range st.Actions {
			s, _ := a.(string)
			if strings.Contains(s, "*") || s == "dynamodb:Scan" || s == "dynamodb:BatchWriteItem" {
				t.Errorf("%s: action %v is broader than the store needs", where, a)
			}
		}
		if tpl.Resources[st.Resource].Type == samtemplate.TypeFunction {
			got[st.Resource] = append(got[st.Resource], grants(st.Actions, st.Resources...)...)
		}
	}
	sortGrants := cmp.Transformer("sort", func(g []grant) []grant {
		g = slices.Clone(g)
		slices.SortFunc(g, func(a, b grant) int { return strings.Compare(a.Action+a.Resource, b.Action+b.Resource) })
		return g
	})
	if diff := cmp.Diff(wantGrants(), got, sortGrants); diff != "" {
		t.Errorf("function grants (-want +got):\n%s", diff)
	}
}

func TestStateTableMatchesStore(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	var tables []string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::DynamoDB::Table" {
			tables = append(tables, id)
		}
	}
	if len(tables) != 1 || tables[0] != "StateTable" {
		t.Fatalf("DynamoDB tables %v, want exactly StateTable", tables)
	}
	got := tpl.Resources["StateTable"]
	want := storeTable()
	if diff := cmp.Diff(want, got.Properties); diff != "" {
		t.Errorf("StateTable properties (-want from dynamostore.TableDefinition +got):\n%s", diff)
	}
	if got.DeletionPolicy != "Retain" || got.UpdateReplacePolicy != "Retain" {
		t.Errorf("StateTable DeletionPolicy %q UpdateReplacePolicy %q, want Retain (idempotency, links and cursors outlive a stack)", got.DeletionPolicy, got.UpdateReplacePolicy)
	}
}

func TestFailureQueuesAndAlarms(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	alarms := map[string]samtemplate.Resource{}
	for id, r := range tpl.Resources {
		if r.Type == "AWS::CloudWatch::Alarm" {
			alarms[id] = r
		}
	}
	wantActions := map[string]any{"Fn::If": []any{"HasAlarmEmail", []any{ref("AlarmTopic")}, ref("AWS::NoValue")}}
	for id, a := range alarms {
		if diff := cmp.Diff(wantActions, a.Properties["AlarmActions"]); diff != "" {
			t.Errorf("alarm %s AlarmActions (-want +got):\n%s", id, diff)
		}
	}
	// alarmOn finds the alarm on namespace/metric with the given dimension.
	alarmOn := func(namespace any, metric string, dim map[string]any) string {
		for _, id := range slices.Sorted(maps.Keys(alarms)) {
			p := alarms[id].Properties
			if !cmp.Equal(p["Namespace"], namespace) || p["MetricName"] != metric {
				continue
			}
			if dim == nil || cmp.Equal(samtemplate.List(p["Dimensions"]), []any{dim}) {
				return id
			}
		}
		return ""
	}
	for _, f := range tpl.Functions() {
		dest := onFailure(tpl, f.LogicalID)
		q := queueOf(tpl, dest)
		if q == "" {
			t.Errorf("%s EventInvokeConfig.DestinationConfig.OnFailure = %v, want an SQS queue", f.LogicalID, samtemplate.Lookup(f.Properties, "EventInvokeConfig", "DestinationConfig", "OnFailure"))
			continue
		}
		qp := tpl.Resources[q].Properties
		if qp["SqsManagedSseEnabled"] != true && qp["KmsMasterKeyId"] == nil {
			t.Errorf("queue %s is not encrypted", q)
		}
		if qp["MessageRetentionPeriod"] != 1209600 {
			t.Errorf("queue %s MessageRetentionPeriod = %v, want 1209600 (14 days)", q, qp["MessageRetentionPeriod"])
		}
		if alarmOn("AWS/SQS", "ApproximateNumberOfMessagesVisible", map[string]any{"Name": "QueueName", "Value": getAtt(q, "QueueName")}) == "" {
			t.Errorf("no ApproximateNumberOfMessagesVisible alarm on queue %s", q)
		}
		if alarmOn("AWS/Lambda", "Errors", map[string]any{"Name": "FunctionName", "Value": ref(f.LogicalID)}) == "" {
			t.Errorf("no Errors alarm on %s", f.LogicalID)
		}
		if f.Properties["DeadLetterQueue"] != nil {
			t.Errorf("%s has both DeadLetterQueue and an OnFailure destination: failed events would land twice", f.LogicalID)
		}
		logGroup := refName(samtemplate.Lookup(f.Properties, "LoggingConfig", "LogGroup"))
		found := false
		for _, r := range tpl.Resources {
			if r.Type == "AWS::Logs::MetricFilter" && cmp.Equal(r.Properties["LogGroupName"], ref(logGroup)) &&
				r.Properties["FilterPattern"] == `{ $.outcome = "reauth_required" }` &&
				samtemplate.Lookup(samtemplate.List(r.Properties["MetricTransformations"])[0], "MetricName") == "ReauthRequired" {
				found = true
			}
		}
		if !found {
			t.Errorf("no reauth_required metric filter on %s's log group %s", f.LogicalID, logGroup)
		}
	}
	if alarmOn(sub("ghlsync/${Stage}"), "ReauthRequired", nil) == "" {
		t.Errorf("no alarm on the ReauthRequired metric of the reauth_required metric filters")
	}
	if topic := tpl.Resources["AlarmTopic"]; topic.Type != "AWS::SNS::Topic" || topic.Condition != "HasAlarmEmail" {
		t.Errorf("AlarmTopic = %+v, want an SNS topic under Condition HasAlarmEmail", topic)
	}
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	const base = "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
	urls := map[string]string{} // URL path -> output name
	for name, o := range tpl.Outputs {
		s := samtemplate.Str(samtemplate.Map(o["Value"])["Fn::Sub"])
		if path, ok := strings.CutPrefix(s, base); ok {
			urls[path] = name
		}
		if o["Description"] == nil {
			t.Errorf("output %s has no Description", name)
		}
	}
	// Every route a person pastes somewhere has its own output; the pull
	// API (path parameters) is given by its base.
	for key := range designRoutes {
		_, path, _ := strings.Cut(key, " ")
		if strings.Contains(path, "{") {
			if !strings.HasPrefix(path, "/peer/") || urls["/peer"] == "" {
				t.Errorf("route %s: want it under an output for the /peer pull API base", key)
			}
			continue
		}
		if urls[path] == "" {
			t.Errorf("route %s has no URL output", key)
		}
	}
	for name, want := range map[string]any{
		"StateTableName":   ref("StateTable"),
		"AppSecretName":    sub("ghlsync/${Stage}/app"),
		"PeerSecretName":   sub("ghlsync/${Stage}/peer"),
		"SecretPrefix":     sub("ghlsync/${Stage}"),
		"OAuthRedirectUri": sub(base + "/oauth/callback"),
		"GhlAppWebhookUrl": sub(base + "/ghl/webhooks/app"),
	} {
		if diff := cmp.Diff(want, tpl.Outputs[name]["Value"]); diff != "" {
			t.Errorf("output %s (-want +got):\n%s", name, diff)
		}
	}
}

func TestSecretsResources(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	for id, name := range map[string]any{"AppSecret": sub("ghlsync/${Stage}/app"), "PeerSecret": sub("ghlsync/${Stage}/peer")} {
		r := tpl.Resources[id]
		if r.Type != "AWS::SecretsManager::Secret" {
			t.Errorf("%s type %q, want AWS::SecretsManager::Secret", id, r.Type)
			continue
		}
		if diff := cmp.Diff(name, r.Properties["Name"]); diff != "" {
			t.Errorf("%s Name (-want +got):\n%s", id, diff)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(samtemplate.Str(r.Properties["SecretString"])), &v); err != nil {
			t.Errorf("%s placeholder SecretString is not a JSON object: %v", id, err)
		}
		if r.DeletionPolicy != "Retain" {
			t.Errorf("%s DeletionPolicy %q, want Retain (holds what the operator pasted)", id, r.DeletionPolicy)
		}
	}
}

func TestParameters(t *testing.T) {
	t.Parallel()
	tpl := project(t)
	for name, def := range map[string]any{
		"Stage":                   "dev",
		"GhlBaseUrl":              "https://services.leadconnectorhq.com",
		"PeerWebhookUrl":          "",
		"AllowPeerContactDelete":  "false",
		"SchedulesEnabled":        "true",
		"LogLevel":                "INFO",
		"AlarmEmail":              "",
		"ContactSweepSchedule":    "rate(15 minutes)",
		"TaskSweepSchedule":       "rate(15 minutes)",
		"NoteSweepSchedule":       "rate(30 minutes)",
		"AppointmentPullSchedule": "rate(15 minutes)",
		"Peer":                    config.PeerStdWebhooks,
		"IncidentioCustomField":   config.DefaultIncidentIOCustomField,
		"IncidentioCatalogType":   config.DefaultIncidentIOCatalogType,
		"IncidentioBaseUrl":       "",
		"GhlAppUrl":               config.DefaultGHLAppURL,
	} {
		p, ok := tpl.Parameters[name]
		if !ok {
			t.Errorf("parameter %s is missing", name)
			continue
		}
		if diff := cmp.Diff(def, p["Default"]); diff != "" {
			t.Errorf("parameter %s Default (-want +got):\n%s", name, diff)
		}
		if p["Description"] == nil {
			t.Errorf("parameter %s has no Description", name)
		}
	}
	// Peer offers exactly the connectors config.PeerFromEnv accepts.
	if diff := cmp.Diff([]any{config.PeerStdWebhooks, config.PeerIncidentIO}, tpl.Parameters["Peer"]["AllowedValues"]); diff != "" {
		t.Errorf("parameter Peer AllowedValues (-want +got):\n%s", diff)
	}
}

// storeTable renders dynamostore.TableDefinition (plus the TTL, point-in-time
// recovery and encryption the template adds) as AWS::DynamoDB::Table
// properties.
func storeTable() map[string]any {
	def := dynamostore.TableDefinition("StateTable")
	var attrs, keys []any
	for _, a := range def.AttributeDefinitions {
		attrs = append(attrs, map[string]any{"AttributeName": *a.AttributeName, "AttributeType": string(a.AttributeType)})
	}
	for _, k := range def.KeySchema {
		keys = append(keys, map[string]any{"AttributeName": *k.AttributeName, "KeyType": string(k.KeyType)})
	}
	props := map[string]any{
		"BillingMode":          string(def.BillingMode),
		"AttributeDefinitions": attrs,
		"KeySchema":            keys,
		"TimeToLiveSpecification": map[string]any{
			"AttributeName": dynamostore.TTLAttribute, "Enabled": true,
		},
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
		"SSESpecification":                 map[string]any{"SSEEnabled": true},
	}
	if len(def.GlobalSecondaryIndexes) > 0 || len(def.LocalSecondaryIndexes) > 0 {
		props["GlobalSecondaryIndexes"] = "TableDefinition has indexes: render them here"
	}
	return props
}

// onFailure returns the OnFailure destination of a function.
func onFailure(tpl *samtemplate.Template, fn string) any {
	f, _ := tpl.Function(fn)
	d := samtemplate.Map(samtemplate.Lookup(f.Properties, "EventInvokeConfig", "DestinationConfig", "OnFailure"))
	if d["Type"] != "SQS" {
		return nil
	}
	return d["Destination"]
}

// queueOf returns the logical id of the SQS queue that v (!GetAtt Q.Arn)
// names, or "".
func queueOf(tpl *samtemplate.Template, v any) string {
	ga := samtemplate.List(samtemplate.Map(v)["Fn::GetAtt"])
	if len(ga) != 2 || ga[1] != "Arn" {
		return ""
	}
	id, _ := ga[0].(string)
	if tpl.Resources[id].Type != "AWS::SQS::Queue" {
		return ""
	}
	return id
}

// refName returns X of {"Ref": X}, or "".
func refName(v any) string { return samtemplate.Str(samtemplate.Map(v)["Ref"]) }

// render prints a decoded value compactly and deterministically.
func render(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}
