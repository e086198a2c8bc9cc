package samtemplate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/samtemplate"
)

func TestParseIntrinsics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want any
	}{
		{"ref", "V: !Ref Stage", ref("Stage")},
		{"ref of a number-looking name", "V: !Ref 2024", ref("2024")},
		{"getatt dotted", "V: !GetAtt StateTable.Arn", getAtt("StateTable", "Arn")},
		{"getatt list", "V: !GetAtt [Queue, QueueName]", getAtt("Queue", "QueueName")},
		{"sub", "V: !Sub arn:${AWS::Partition}:x:${Stage}", sub("arn:${AWS::Partition}:x:${Stage}")},
		{"if with nested ref", "V: !If [On, [!Ref T], !Ref AWS::NoValue]",
			map[string]any{"Fn::If": []any{"On", []any{ref("T")}, ref("AWS::NoValue")}}},
		{"not equals", `V: !Not [!Equals [!Ref A, ""]]`,
			map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{ref("A"), ""}}}}},
		{"plain scalars keep their types", "V: [29, true, \"2.0\", 2.5, text]", []any{29, true, "2.0", 2.5, "text"}},
		{"anchors resolve", "A: &a {X: 1}\nV: *a", map[string]any{"X": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := samtemplate.Parse([]byte("Resources:\n  R:\n    Type: T\n    Properties:\n" + indent(tt.yaml, "      ")))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tpl.Resources["R"].Properties["V"]); diff != "" {
				t.Errorf("V (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"duplicate key":          "Resources:\n  R: {Type: A}\n  R: {Type: B}\n",
		"getatt without attr":    "Resources:\n  R:\n    Type: T\n    Properties: {V: !GetAtt Table}\n",
		"top level is not a map": "- a\n- b\n",
		"empty":                  "",
	} {
		if _, err := samtemplate.Parse([]byte(src)); err == nil {
			t.Errorf("%s: Parse accepted %q", name, src)
		}
	}
}

func TestFunctionsMergeGlobals(t *testing.T) {
	t.Parallel()
	tpl, err := samtemplate.Parse([]byte(`
Globals:
  Function:
    Runtime: provided.al2023
    Timeout: 29
    Layers: [g]
    LoggingConfig: {LogFormat: JSON}
    Environment:
      Variables: {STAGE: !Ref Stage, SHARED: g}
Resources:
  AppInstallFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: makefile}
    Properties:
      Timeout: 10
      Layers: [l]
      LoggingConfig: {LogGroup: !Ref G}
      Environment:
        Variables: {SHARED: !Ref Override, OWN: x}
  Other:
    Type: AWS::SQS::Queue
`))
	if err != nil {
		t.Fatal(err)
	}
	fns := tpl.Functions()
	if len(fns) != 1 {
		t.Fatalf("Functions() = %d functions, want 1", len(fns))
	}
	f := fns[0]
	want := map[string]any{
		"Runtime":       "provided.al2023",
		"Timeout":       10,
		"Layers":        []any{"g", "l"},
		"LoggingConfig": map[string]any{"LogFormat": "JSON", "LogGroup": ref("G")},
		"Environment": map[string]any{"Variables": map[string]any{
			"STAGE": ref("Stage"), "SHARED": ref("Override"), "OWN": "x",
		}},
	}
	if diff := cmp.Diff(want, f.Properties); diff != "" {
		t.Errorf("effective properties (-want +got):\n%s", diff)
	}
	if f.Dir != "app-install" || samtemplate.Str(f.Metadata["BuildMethod"]) != "makefile" {
		t.Errorf("Dir %q, Metadata %v", f.Dir, f.Metadata)
	}
}

func TestFunctionDir(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"ContactUpsertFunction":   "contact-upsert",
		"TaskSyncFunction":        "task-sync",
		"NoteSyncFunction":        "note-sync",
		"AppointmentPullFunction": "appointment-pull",
		"AppInstallFunction":      "app-install",
	} {
		if got := samtemplate.FunctionDir(id); got != want {
			t.Errorf("FunctionDir(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestStatements(t *testing.T) {
	t.Parallel()
	tpl, err := samtemplate.Parse([]byte(`
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: "*"
  P:
    Type: AWS::SQS::QueuePolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Sid: S, Effect: Allow, Action: [sqs:SendMessage], Resource: [!GetAtt Q.Arn]}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []samtemplate.Statement{
		{Resource: "F", Where: "Properties.Policies[0].Statement[0]", Effect: "Allow", Actions: []any{"s3:GetObject"}, Resources: []any{"*"}},
		{Resource: "P", Where: "Properties.PolicyDocument.Statement[0]", Sid: "S", Effect: "Allow", Actions: []any{"sqs:SendMessage"}, Resources: []any{getAtt("Q", "Arn")}},
	}
	if diff := cmp.Diff(want, tpl.Statements()); diff != "" {
		t.Errorf("Statements (-want +got):\n%s", diff)
	}
}

func indent(s, prefix string) string {
	out := prefix
	for _, r := range s {
		out += string(r)
		if r == '\n' {
			out += prefix
		}
	}
	return out + "\n"
}
