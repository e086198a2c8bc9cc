// Package samtemplate reads the project's AWS SAM template (template.yaml)
// into plain Go values, so tests and tools can check what gets deployed
// without the SAM CLI: functions with Globals applied, HTTP API routes,
// EventBridge Scheduler schedules and IAM policy statements.
//
// Short-form intrinsics keep their meaning: !Ref X becomes
// map[string]any{"Ref": "X"}, !GetAtt A.B becomes {"Fn::GetAtt": ["A", "B"]},
// !Sub s becomes {"Fn::Sub": s}, and any other !Name v becomes {"Fn::Name": v},
// exactly as in the JSON form of a CloudFormation template.
//
// Example:
//
//	tpl, err := samtemplate.Load("template.yaml")
//	if err != nil {
//		return err
//	}
//	for _, r := range tpl.Routes() {
//		fmt.Println(r.Key(), "->", r.Function) // POST /ghl/webhooks/contacts -> ContactUpsertFunction
//	}
package samtemplate
