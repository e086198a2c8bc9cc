package incidentio

// Enum values the client uses. incident.io may add values at any time
// (info.description, "Compatibility"): fields holding them are plain
// strings, and code must treat an unknown value as "other".
const (
	// Follow-up and action statuses.
	StatusOutstanding = "outstanding"
	StatusCompleted   = "completed"
	StatusDeleted     = "deleted"
	StatusNotDoing    = "not_doing"

	// Incident status categories.
	CategoryTriage   = "triage"
	CategoryDeclined = "declined"
	CategoryMerged   = "merged"
	CategoryCanceled = "canceled"
	CategoryLive     = "live"
	CategoryLearning = "learning"
	CategoryClosed   = "closed"
	CategoryPaused   = "paused"

	// Incident visibilities.
	VisibilityPublic  = "public"
	VisibilityPrivate = "private"

	// Custom field types.
	FieldTypeSingleSelect = "single_select"
	FieldTypeMultiSelect  = "multi_select"

	// ResourceTypeArbitraryURL is the attachment type of a plain link.
	ResourceTypeArbitraryURL = "arbitrary_url"
)

// User is an incident.io user (UserV2).
type User struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Role        string `json:"role,omitempty"`
	SlackUserID string `json:"slack_user_id,omitempty"`
}

// Named is an {id, name} reference (API key, workflow, team).
type Named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Actor is who did something (ActorV2): one of the fields is set.
type Actor struct {
	User     *User  `json:"user,omitempty"`
	APIKey   *Named `json:"api_key,omitempty"`
	Workflow *Named `json:"workflow,omitempty"`
	Alert    *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"alert,omitempty"`
}

// IncidentStatus is an incident's status (IncidentStatusV2).
type IncidentStatus struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Rank     int64  `json:"rank"`
}

// Severity is an incident's severity (SeverityV2).
type Severity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Rank int64  `json:"rank"`
}

// Open reports whether an incident in this status is still open: not
// closed, declined, merged or canceled. An unknown category counts as open.
func (s IncidentStatus) Open() bool {
	switch s.Category {
	case CategoryClosed, CategoryDeclined, CategoryMerged, CategoryCanceled:
		return false
	}
	return true
}
